//! Synthetic results directories in temp dirs, checked against the rules in
//! the module doc.

use std::path::Path;

use super::*;

const HEADER: &str = "path,server,backend,command,count,errors,timeouts,mean_us,p50_us,p90_us,p99_us,p99_9_us,max_us,service_mean_us,service_p50_us,service_p90_us,service_p99_us,service_p99_9_us,service_max_us";

/// (path, server, backend, command, count, errors, p99_us)
type Row<'a> = (&'a str, &'a str, &'a str, &'a str, u64, u64, u64);

fn baseline_rows() -> Vec<Row<'static>> {
    vec![
        ("cas", "cas1", "mbx1", "LOGIN", 500, 0, 8000),
        ("cas", "cas1", "mbx1", "FETCH_BODY", 900, 0, 14000),
        ("cas", "mbx1", "mbx1", "FETCH_BODY", 900, 0, 12000),
        ("direct", "mbx2", "mbx2", "SEARCH", 300, 0, 20000),
    ]
}

fn write_dir(dir: &Path, rows: &[Row], scenario: &str, seed: u64) {
    let mut csv = format!("{HEADER}\n");
    for (path, server, backend, cmd, count, errors, p99) in rows {
        let (p50, mean) = (p99 / 4, p99 / 3);
        csv.push_str(&format!(
            "{path},{server},{backend},{cmd},{count},{errors},0,{mean},{p50},{},{p99},{},{},{mean},{p50},{},{p99},{},{}\n",
            p99 / 2,
            p99 * 2,
            p99 * 3,
            p99 / 2,
            p99 * 2,
            p99 * 3
        ));
    }
    std::fs::write(dir.join(crate::results::files::SUMMARY_CSV), csv).unwrap();
    let run = serde_json::json!({"plan": {"name": scenario}, "seed": seed, "outcome": "completed"});
    std::fs::write(dir.join(crate::results::files::RUN_JSON), run.to_string()).unwrap();
}

fn pair(base: &[Row], cur: &[Row]) -> (tempfile::TempDir, tempfile::TempDir) {
    let (b, c) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    write_dir(b.path(), base, "ci-regression", 7);
    write_dir(c.path(), cur, "ci-regression", 7);
    (b, c)
}

#[test]
fn identical_runs_pass() {
    let (b, c) = pair(&baseline_rows(), &baseline_rows());
    let opts = opts100();
    let rows = compare(b.path(), c.path(), &opts).unwrap();
    assert_eq!(rows.len(), 4);
    assert!(rows
        .iter()
        .all(|r| r.verdict == Verdict::Ok && r.change_pct == Some(0.0)));
    assert_eq!(exit_code(&rows), 0);
    let out = render(&rows, &opts);
    assert!(out.starts_with(
        "0 regressions over 10% on p99 (4 rows compared, 0 flagged for too few samples)"
    ));
    assert!(!out.contains("REGRESSION"));
}

#[test]
fn thirty_percent_slower_row_fails_and_is_marked() {
    let mut cur = baseline_rows();
    cur[1].6 = 18200; // 14000 -> 18200 = +30%
    let (b, c) = pair(&baseline_rows(), &cur);
    let opts = opts100();
    let rows = compare(b.path(), c.path(), &opts).unwrap();
    assert_eq!(exit_code(&rows), EXIT_REGRESSION);
    let bad: Vec<_> = rows
        .iter()
        .filter(|r| r.verdict == Verdict::Regression)
        .collect();
    assert_eq!(bad.len(), 1);
    assert_eq!(
        (bad[0].server.as_str(), bad[0].command.as_str()),
        ("cas1", "FETCH_BODY")
    );
    assert!((bad[0].change_pct.unwrap() - 30.0).abs() < 1e-9);
    let out = render(&rows, &opts);
    assert!(out.starts_with("1 regression over 10% on p99"), "{out}");
    let marked: Vec<&str> = out.lines().filter(|l| l.contains("REGRESSION")).collect();
    assert_eq!(marked.len(), 1);
    assert!(
        marked[0].contains("cas1")
            && marked[0].contains("FETCH_BODY")
            && marked[0].contains("+30.0%")
    );
    // The same change is fine under a looser gate.
    let loose = CompareOptions {
        max_regression_pct: parse_max_regression("35%").unwrap(),
        ..opts
    };
    assert_eq!(exit_code(&compare(b.path(), c.path(), &loose).unwrap()), 0);
}

#[test]
fn faster_row_is_an_improvement_not_a_failure() {
    let mut cur = baseline_rows();
    cur[0].6 = 4000;
    let (b, c) = pair(&baseline_rows(), &cur);
    let rows = compare(b.path(), c.path(), &opts100()).unwrap();
    assert_eq!(rows[0].verdict, Verdict::Improvement);
    assert_eq!(exit_code(&rows), 0);
}

#[test]
fn too_few_samples_are_flagged_not_judged() {
    let mut base = baseline_rows();
    base[3].4 = 40; // SEARCH: 40 samples in the baseline
    let mut cur = baseline_rows();
    cur[3].4 = 45;
    cur[3].6 = 60000; // 3x slower: not judged on so few
    let (b, c) = pair(&base, &cur);
    let opts = opts100();
    let rows = compare(b.path(), c.path(), &opts).unwrap();
    assert_eq!(rows[3].verdict, Verdict::TooFewSamples);
    assert!((rows[3].change_pct.unwrap() - 200.0).abs() < 1e-9);
    assert_eq!(exit_code(&rows), 0);
    let out = render(&rows, &opts);
    assert!(
        out.starts_with(
            "0 regressions over 10% on p99 (3 rows compared, 1 flagged for too few samples)"
        ),
        "{out}"
    );
    assert!(out
        .lines()
        .any(|l| l.contains("SEARCH") && l.contains("too few samples")));
    // Lowering the bar judges it.
    let low = CompareOptions {
        min_samples: Some(10),
        ..opts
    };
    let rows = compare(b.path(), c.path(), &low).unwrap();
    assert_eq!(rows[3].verdict, Verdict::Regression);
    assert_eq!(exit_code(&rows), EXIT_REGRESSION);
}

#[test]
fn errors_are_judged_first_whatever_the_row_size() {
    let mut base = baseline_rows();
    base[3].4 = 40; // SEARCH: 40 commands, 0 errors
    let mut cur = baseline_rows();
    cur[3].4 = 45;
    cur[3].5 = 2; // too few for p99, but 0 -> 2 errors is judged
    cur.push(("direct", "mbx2", "mbx2", "CONNECT", 83, 83, 0)); // a new row, all failed
    let (b, c) = pair(&base, &cur);
    let rows = compare(b.path(), c.path(), &opts100()).unwrap();
    assert_eq!(rows[3].verdict, Verdict::ErrorsAppeared);
    let connect = rows.iter().find(|r| r.command == "CONNECT").unwrap();
    assert_eq!(connect.verdict, Verdict::ErrorsAppeared);
    assert_eq!(exit_code(&rows), EXIT_REGRESSION);
}

#[test]
fn errors_appearing_fail_even_without_slowdown() {
    let mut cur = baseline_rows();
    cur[0].5 = 3;
    let (b, c) = pair(&baseline_rows(), &cur);
    let rows = compare(b.path(), c.path(), &opts100()).unwrap();
    assert_eq!(rows[0].verdict, Verdict::ErrorsAppeared);
    assert_eq!(exit_code(&rows), EXIT_REGRESSION);
}

#[test]
fn one_sided_rows_are_reported_not_judged() {
    let base = baseline_rows();
    let mut cur = baseline_rows();
    cur.remove(2);
    cur.push(("direct", "mbx2", "mbx2", "APPEND", 300, 0, 9000));
    let (b, c) = pair(&base, &cur);
    let rows = compare(b.path(), c.path(), &opts100()).unwrap();
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[2].verdict, Verdict::OnlyInBaseline);
    assert_eq!(rows[4].verdict, Verdict::OnlyInCurrent);
    assert_eq!(exit_code(&rows), 0);
}

#[test]
fn metric_picks_its_column() {
    let mut cur = baseline_rows();
    cur[1].6 = 18200; // p99 +30%, and p50 = p99/4 moves with it
    let (b, c) = pair(&baseline_rows(), &cur);
    let opts = CompareOptions {
        metric: "p50".parse().unwrap(),
        ..opts100()
    };
    let rows = compare(b.path(), c.path(), &opts).unwrap();
    assert_eq!(rows[1].base.unwrap().value_us, 3500);
    assert_eq!(rows[1].current.unwrap().value_us, 4550);
    assert_eq!("p99.9".parse::<Metric>().unwrap(), Metric::P999);
    assert_eq!("p999".parse::<Metric>().unwrap().column(), "p99_9_us");
    assert!("p42".parse::<Metric>().is_err());
}

#[test]
fn markdown_is_a_valid_table() {
    let mut cur = baseline_rows();
    cur[1].6 = 18200;
    let (b, c) = pair(&baseline_rows(), &cur);
    let opts = CompareOptions {
        format: Format::Markdown,
        ..opts100()
    };
    let report = load(b.path(), c.path(), &opts).unwrap().render(&opts);
    let first = report.lines().next().unwrap();
    assert!(
        first.starts_with(":x: **1 regression over 10% on p99"),
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
    assert!(table[1]
        .split('|')
        .filter(|c| !c.trim().is_empty())
        .all(|c| c.trim().trim_end_matches(':') == "---"));
    // A table needs a blank line before it to render on GitHub.
    let at = report.find(table[0]).unwrap();
    assert!(report[..at].ends_with("\n\n"));
    let bad: Vec<&&str> = table
        .iter()
        .filter(|l| l.contains(":x: **regression**"))
        .collect();
    assert_eq!(bad.len(), 1);
    assert!(bad[0].contains("**+30.0%**"));
}

#[test]
fn header_names_runs_and_warns_on_different_seed() {
    let (b, c) = pair(&baseline_rows(), &baseline_rows());
    let opts = opts100();
    let same = load(b.path(), c.path(), &opts).unwrap();
    assert_eq!(same.baseline.scenario.as_deref(), Some("ci-regression"));
    assert_eq!(same.current.seed, Some(7));
    assert!(!same.render(&opts).contains("warning"));
    write_dir(c.path(), &baseline_rows(), "quickstart", 42);
    let out = load(b.path(), c.path(), &opts).unwrap().render(&opts);
    let warnings: Vec<&str> = out.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(warnings.len(), 1, "{out}");
    assert!(warnings[0].contains("ci-regression vs quickstart") && warnings[0].contains("7 vs 42"));
    assert!(out.contains("scenario ci-regression, seed 7"));
}

#[test]
fn bad_inputs_are_exit_2_errors_naming_the_file() {
    let (b, c) = pair(&baseline_rows(), &baseline_rows());
    let opts = opts100();
    let missing = b.path().join("nope");
    let e = compare(&missing, c.path(), &opts).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert!(e.to_string().contains("nope"), "{e}");

    std::fs::remove_file(c.path().join(crate::results::files::SUMMARY_CSV)).unwrap();
    let e = compare(b.path(), c.path(), &opts).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert!(
        e.to_string().contains(crate::results::files::SUMMARY_CSV),
        "{e}"
    );

    std::fs::write(
        c.path().join(crate::results::files::SUMMARY_CSV),
        "server,path,count\ncas1,cas,3\n",
    )
    .unwrap();
    let e = compare(b.path(), c.path(), &opts).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert!(
        e.to_string().contains("summary.csv:1") && e.to_string().contains("header"),
        "{e}"
    );

    std::fs::write(
        c.path().join(crate::results::files::SUMMARY_CSV),
        format!("{HEADER}\ncas,cas1,mbx1,LOGIN,x,0,0,1,1,1,1,1,1,1,1,1,1,1,1\n"),
    )
    .unwrap();
    let e = compare(b.path(), c.path(), &opts).unwrap_err();
    assert!(
        e.to_string().contains("summary.csv:2") && e.to_string().contains("count"),
        "{e}"
    );
}

#[test]
fn max_regression_accepts_percent_or_number() {
    assert_eq!(parse_max_regression("10%").unwrap(), 10.0);
    assert_eq!(parse_max_regression(" 12.5 ").unwrap(), 12.5);
    assert!(parse_max_regression("ten").is_err());
    assert!(parse_max_regression("-5%").is_err());
}

/// The defaults with a floor of 100 commands: these synthetic rows have a few
/// hundred, and the tests are about the verdict rules, not the sample floor.
fn opts100() -> CompareOptions {
    CompareOptions {
        min_samples: Some(100),
        ..CompareOptions::default()
    }
}

#[test]
fn a_p99_needs_ten_commands_beyond_it_by_default() {
    assert_eq!(Metric::P99.default_min_samples(), 1000);
    assert_eq!(Metric::P90.default_min_samples(), 100);
    assert_eq!(Metric::P999.default_min_samples(), 10000);
}
