//! Synthetic results directories in temp dirs, checked against the rules in
//! the module doc.

use std::path::Path;

use super::*;

const HEADER: &str = "path,server,backend,command,count,errors,timeouts,mean_us,p50_us,p90_us,p99_us,p99_9_us,max_us,service_mean_us,service_p50_us,service_p90_us,service_p99_us,service_p99_9_us,service_max_us";

/// (path, server, backend, command, latencies, errors)
pub(super) type Row<'a> = (&'a str, &'a str, &'a str, &'a str, Vec<u64>, u64);

/// `n` latencies around `median_us` (log-normal, sigma 0.5: p99 about 3.2x
/// the median), the same for the same `seed`.
pub(super) fn draws(seed: u64, n: usize, median_us: f64) -> Vec<u64> {
    use rand::SeedableRng;
    use rand_distr::Distribution;
    let mut rng = rand::rngs::SmallRng::seed_from_u64(seed);
    let d = rand_distr::LogNormal::new(median_us.ln(), 0.5).unwrap();
    (0..n)
        .map(|_| d.sample(&mut rng).round() as u64 + 1)
        .collect()
}

fn baseline_rows(seed: u64) -> Vec<Row<'static>> {
    vec![
        ("cas", "cas1", "mbx1", "LOGIN", draws(seed, 500, 3000.0), 0),
        (
            "cas",
            "cas1",
            "mbx1",
            "FETCH_BODY",
            draws(seed + 1, 1500, 5000.0),
            0,
        ),
        (
            "cas",
            "mbx1",
            "mbx1",
            "FETCH_BODY",
            draws(seed + 2, 900, 4000.0),
            0,
        ),
        (
            "direct",
            "mbx2",
            "mbx2",
            "SEARCH",
            draws(seed + 3, 300, 7000.0),
            0,
        ),
    ]
}

/// A results directory of `rows`: `summary.csv` from the latencies,
/// `latency.hlog` holding them (spread over 3 intervals) and `run.json`.
pub(super) fn write_dir(dir: &Path, rows: &[Row], scenario: &str, seed: u64) {
    use crate::results::hlog::read::{empty, Tagged, Writer};
    let hlog = dir.join(crate::results::files::LATENCY_HLOG);
    let start = std::time::SystemTime::now();
    let mut w = Writer::create(&hlog, "corrected latency", start).unwrap();
    let mut csv = format!("{HEADER}\n");
    let mut intervals = [Tagged::new(), Tagged::new(), Tagged::new()];
    for (path, server, backend, cmd, values, errors) in rows {
        let mut whole = empty();
        for (i, v) in values.iter().enumerate() {
            whole.record(*v).unwrap();
            let tag = crate::results::hlog::tag(path, server, backend, cmd);
            intervals[i % 3]
                .entry(tag)
                .or_insert_with(empty)
                .record(*v)
                .unwrap();
        }
        let q = |q: f64| whole.value_at_quantile(q);
        let (mean, max) = (whole.mean().round() as u64, whole.max());
        let figures = format!(
            "{mean},{},{},{},{},{max}",
            q(0.5),
            q(0.9),
            q(0.99),
            q(0.999)
        );
        let count = values.len() as u64 + errors;
        csv.push_str(&format!(
            "{path},{server},{backend},{cmd},{count},{errors},0,{figures},{figures}\n"
        ));
    }
    for (k, t) in intervals.iter().enumerate() {
        let s = std::time::Duration::from_secs;
        w.write(t, s(k as u64), s(1));
    }
    w.finish().unwrap();
    std::fs::write(dir.join(crate::results::files::SUMMARY_CSV), csv).unwrap();
    let run = serde_json::json!({"plan": {"name": scenario}, "seed": seed, "outcome": "completed"});
    std::fs::write(dir.join(crate::results::files::RUN_JSON), run.to_string()).unwrap();
}

pub(super) fn pair(base: &[Row], cur: &[Row]) -> (tempfile::TempDir, tempfile::TempDir) {
    let (b, c) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    write_dir(b.path(), base, "ci-regression", 7);
    write_dir(c.path(), cur, "ci-regression", 7);
    (b, c)
}

/// `rows` with row `i`'s latencies multiplied by `factor`.
fn scaled(mut rows: Vec<Row<'static>>, i: usize, factor: f64) -> Vec<Row<'static>> {
    rows[i].4 = rows[i]
        .4
        .iter()
        .map(|v| (*v as f64 * factor) as u64)
        .collect();
    rows
}

#[test]
fn identical_runs_pass() {
    let (b, c) = pair(&baseline_rows(1), &baseline_rows(1));
    let opts = CompareOptions::default();
    let rows = compare(b.path(), c.path(), &opts).unwrap();
    assert_eq!(rows.len(), 4);
    assert!(rows
        .iter()
        .all(|r| r.verdict == Verdict::Ok && r.change_pct == Some(0.0)));
    assert_eq!(exit_code(&rows), 0);
    let out = render(&rows, &opts);
    assert!(out.starts_with(
        "0 regressions over 10% on p90 (4 rows compared, 0 flagged for too few samples)"
    ));
    assert!(!out.contains("REGRESSION"));
}

#[test]
fn a_slower_row_fails_and_is_marked_with_its_statistic_and_p_value() {
    let cur = scaled(baseline_rows(1), 1, 1.5);
    let (b, c) = pair(&baseline_rows(1), &cur);
    let opts = CompareOptions::default();
    let rows = compare(b.path(), c.path(), &opts).unwrap();
    assert_eq!(exit_code(&rows), EXIT_REGRESSION);
    let bad: Vec<_> = rows
        .iter()
        .filter(|r| r.verdict == Verdict::Regression)
        .collect();
    assert_eq!(bad.len(), 1, "{rows:#?}");
    assert_eq!(
        (bad[0].server.as_str(), bad[0].command.as_str()),
        ("cas1", "FETCH_BODY")
    );
    assert_eq!(bad[0].stat, Some(Metric::P90), "the default, p90");
    assert!(bad[0].p_value.unwrap() < 0.05);
    let out = render(&rows, &opts);
    assert!(out.starts_with("1 regression over 10% on p90"), "{out}");
    let marked: Vec<&str> = out.lines().filter(|l| l.contains("REGRESSION")).collect();
    assert_eq!(marked.len(), 1);
    assert!(
        marked[0].contains("cas1") && marked[0].contains("FETCH_BODY") && marked[0].contains("p90")
    );
    // The same change is fine under a looser gate.
    let loose = CompareOptions {
        max_regression_pct: parse_max_regression("80%").unwrap(),
        ..opts
    };
    assert_eq!(exit_code(&compare(b.path(), c.path(), &loose).unwrap()), 0);
}

#[test]
fn faster_row_is_an_improvement_not_a_failure() {
    let cur = scaled(baseline_rows(1), 0, 0.5);
    let (b, c) = pair(&baseline_rows(1), &cur);
    let rows = compare(b.path(), c.path(), &CompareOptions::default()).unwrap();
    assert_eq!(rows[0].verdict, Verdict::Improvement);
    assert_eq!(exit_code(&rows), 0);
}

#[test]
fn errors_are_judged_first_whatever_the_row_size() {
    let mut base = baseline_rows(1);
    base[3].4.truncate(10); // SEARCH: 10 latencies, 0 errors
    let mut cur = base.clone();
    cur[3].5 = 2; // too few for any percentile, but 0 -> 2 errors is judged
    cur.push(("direct", "mbx2", "mbx2", "CONNECT", vec![], 83)); // a new row, all failed
    let (b, c) = pair(&base, &cur);
    let rows = compare(b.path(), c.path(), &CompareOptions::default()).unwrap();
    assert_eq!(rows[3].verdict, Verdict::ErrorsAppeared);
    let connect = rows.iter().find(|r| r.command == "CONNECT").unwrap();
    assert_eq!(connect.verdict, Verdict::ErrorsAppeared);
    assert_eq!(exit_code(&rows), EXIT_REGRESSION);
    let mut cur = baseline_rows(1);
    cur[0].5 = 3;
    let (b, c) = pair(&baseline_rows(1), &cur);
    let rows = compare(b.path(), c.path(), &CompareOptions::default()).unwrap();
    assert_eq!(
        rows[0].verdict,
        Verdict::ErrorsAppeared,
        "without any slowdown"
    );
}

#[test]
fn one_sided_rows_are_reported_not_judged() {
    let base = baseline_rows(1);
    let mut cur = baseline_rows(1);
    cur.remove(2);
    cur.push(("direct", "mbx2", "mbx2", "APPEND", draws(9, 300, 4000.0), 0));
    let (b, c) = pair(&base, &cur);
    let rows = compare(b.path(), c.path(), &CompareOptions::default()).unwrap();
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[2].verdict, Verdict::OnlyInBaseline);
    assert_eq!(rows[4].verdict, Verdict::OnlyInCurrent);
    assert_eq!(exit_code(&rows), 0);
}

#[test]
fn metric_sets_the_highest_statistic() {
    let (b, c) = pair(&baseline_rows(1), &baseline_rows(1));
    let opts = CompareOptions {
        metric: "p50".parse().unwrap(),
        ..CompareOptions::default()
    };
    let rows = compare(b.path(), c.path(), &opts).unwrap();
    assert!(rows.iter().all(|r| r.stat == Some(Metric::P50)));
    assert_eq!("p99.9".parse::<Metric>().unwrap(), Metric::P999);
    assert_eq!("p999".parse::<Metric>().unwrap().column(), "p99_9_us");
    assert!("p42".parse::<Metric>().is_err());
}

#[test]
fn markdown_is_a_valid_table() {
    let cur = scaled(baseline_rows(1), 1, 1.5);
    let (b, c) = pair(&baseline_rows(1), &cur);
    let opts = CompareOptions {
        format: Format::Markdown,
        ..CompareOptions::default()
    };
    let report = load(b.path(), c.path(), &opts).unwrap().render(&opts);
    let first = report.lines().next().unwrap();
    assert!(
        first.starts_with(":x: **1 regression over 10% on p90"),
        "{first}"
    );
    let table: Vec<&str> = report.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(table.len(), 2 + 4, "{report}");
    let cols = |l: &str| l.trim().trim_matches('|').split(" | ").count();
    let n = cols(table[0]);
    assert!(
        table.iter().all(|l| cols(l) == n && l.ends_with('|')),
        "{report}"
    );
    assert!(table[0].contains("stat") && table[0].contains("p (Holm)"));
    // A table needs a blank line before it to render on GitHub.
    let at = report.find(table[0]).unwrap();
    assert!(report[..at].ends_with("\n\n"));
    let bad: Vec<&&str> = table
        .iter()
        .filter(|l| l.contains(":x: **regression**"))
        .collect();
    assert_eq!(bad.len(), 1);
    assert!(bad[0].contains("**+"));
}

#[test]
fn header_names_runs_and_warns_on_different_seed() {
    let (b, c) = pair(&baseline_rows(1), &baseline_rows(1));
    let opts = CompareOptions::default();
    let same = load(b.path(), c.path(), &opts).unwrap();
    assert_eq!(same.baseline[0].scenario.as_deref(), Some("ci-regression"));
    assert_eq!(same.current[0].seed, Some(7));
    assert!(!same.render(&opts).contains("warning"));
    write_dir(c.path(), &baseline_rows(1), "quickstart", 42);
    let out = load(b.path(), c.path(), &opts).unwrap().render(&opts);
    let warnings: Vec<&str> = out.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(warnings.len(), 1, "{out}");
    assert!(warnings[0].contains("ci-regression vs quickstart") && warnings[0].contains("7 vs 42"));
    assert!(out.contains("scenario ci-regression, seed 7"));
}

#[test]
fn bad_inputs_are_exit_2_errors_naming_file_line_and_column() {
    let (b, c) = pair(&baseline_rows(1), &baseline_rows(1));
    let opts = CompareOptions::default();
    let err = |b: &Path, c: &Path| {
        let e = compare(b, c, &opts).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{e}");
        e.to_string()
    };
    let e = err(&b.path().join("nope"), c.path());
    assert!(e.contains("nope"), "{e}");
    let summary = c.path().join(crate::results::files::SUMMARY_CSV);
    let good = std::fs::read_to_string(&summary).unwrap();
    std::fs::write(&summary, "server,path,count\ncas1,cas,3\n").unwrap();
    let e = err(b.path(), c.path());
    assert!(e.contains("summary.csv:1") && e.contains("header"), "{e}");
    // A column the judged statistic needs is missing.
    let cut: String = good
        .lines()
        .map(|l| l.split(',').take(8).collect::<Vec<_>>().join(",") + "\n")
        .collect();
    std::fs::write(&summary, cut).unwrap();
    let e = err(b.path(), c.path());
    assert!(e.contains("summary.csv:1") && e.contains("p90_us"), "{e}");
    // A cell that is not a number: its line and column.
    let bad = good.replacen(",500,0,", ",5x0,0,", 1);
    std::fs::write(&summary, bad).unwrap();
    let e = err(b.path(), c.path());
    assert!(e.contains("summary.csv:2") && e.contains("count"), "{e}");
    std::fs::write(&summary, &good).unwrap();
    // A corrupt or truncated latency.hlog of a completed run.
    let hlog = c.path().join(crate::results::files::LATENCY_HLOG);
    let text = std::fs::read_to_string(&hlog).unwrap();
    let last = text.lines().count();
    std::fs::write(&hlog, &text[..text.len() - 30]).unwrap();
    let e = err(b.path(), c.path());
    assert!(e.contains(&format!("latency.hlog:{last}: column 5")), "{e}");
    std::fs::remove_file(&hlog).unwrap();
    let e = err(b.path(), c.path());
    assert!(
        e.contains("latency.hlog") && e.contains("cannot read"),
        "{e}"
    );
}

#[test]
fn a_log_holding_fewer_latencies_than_the_summary_is_reported() {
    let (b, c) = pair(&baseline_rows(1), &baseline_rows(1));
    let summary = c.path().join(crate::results::files::SUMMARY_CSV);
    let text = std::fs::read_to_string(&summary).unwrap();
    std::fs::write(&summary, text.replacen(",500,0,", ",520,0,", 1)).unwrap();
    let opts = CompareOptions::default();
    let cmp = load(b.path(), c.path(), &opts).unwrap();
    assert_eq!(cmp.notes.len(), 1, "{:?}", cmp.notes);
    assert!(
        cmp.notes[0].contains("cas.cas1.mbx1.LOGIN (500 of 520)"),
        "{:?}",
        cmp.notes
    );
    assert!(cmp.render(&opts).contains("note: "));
}

#[test]
fn max_regression_accepts_percent_or_number() {
    assert_eq!(parse_max_regression("10%").unwrap(), 10.0);
    assert_eq!(parse_max_regression(" 12.5 ").unwrap(), 12.5);
    assert!(parse_max_regression("ten").is_err());
    assert!(parse_max_regression("-5%").is_err());
}

#[test]
fn sides_split_on_the_double_dash_and_expand_globs() {
    let d = tempfile::tempdir().unwrap();
    for n in ["base-1", "base-2", "cur-1", "cur-2", "other"] {
        std::fs::create_dir(d.path().join(n)).unwrap();
    }
    let p = |s: &str| d.path().join(s);
    let (b, c) = input::sides(&[p("base-*")], &[p("cur-?")]).unwrap();
    assert_eq!(
        (b, c),
        (vec![p("base-1"), p("base-2")], vec![p("cur-1"), p("cur-2")])
    );
    let (b, c) = input::sides(&[p("x"), p("y")], &[]).unwrap();
    assert_eq!((b, c), (vec![p("x")], vec![p("y")]));
    assert!(input::sides(&[p("x"), p("y"), p("z")], &[]).is_err());
    assert!(input::sides(&[p("base-*")], &[p("none-*")]).is_err());
}
