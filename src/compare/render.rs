//! The comparison as text (a terminal) or GitHub-flavoured markdown (a PR
//! comment, `$GITHUB_STEP_SUMMARY`). The summary line always comes first so a
//! notification or a collapsed comment still says whether the build regressed.
//! Per row: the latencies each side has (`n`, all runs), the statistic judged,
//! both values, the change, the test's Holm-adjusted p-value, the verdict.

use super::{exit_code, CompareOptions, Comparison, Format, RowComparison, RunInfo, Side, Verdict};

/// Summary line plus the table of `rows`, in `opts.format`.
pub fn render(rows: &[RowComparison], opts: &CompareOptions) -> String {
    let mut out = first_line(rows, opts);
    out.push_str("\n\n");
    out.push_str(&table(rows, opts));
    out
}

/// [`render`] with the two runs named after the summary line and, when they
/// are not comparable (scenario, seed, partial run, unreadable `run.json`),
/// one warning line.
pub fn render_report(c: &Comparison, opts: &CompareOptions) -> String {
    let md = opts.format == Format::Markdown;
    let mut out = first_line(&c.rows, opts);
    out.push_str("\n\n");
    for (role, infos) in [("baseline", &c.baseline), ("current", &c.current)] {
        for (k, info) in infos.iter().enumerate() {
            let role = match infos.len() {
                1 => role.to_string(),
                n => format!("{role} {}/{n}", k + 1),
            };
            out.push_str(&run_line(&role, info, md));
            out.push('\n');
        }
    }
    let notes = warning(&c.baseline, &c.current)
        .into_iter()
        .map(|w| ("warning", w));
    let notes: Vec<(&str, String)> = notes
        .chain(c.notes.iter().map(|n| ("note", n.clone())))
        .collect();
    if !notes.is_empty() {
        out.push('\n');
    }
    for (kind, w) in notes {
        out.push_str(&if md {
            format!("> :warning: **{kind}:** {w}\n")
        } else {
            format!("{kind}: {w}\n")
        });
    }
    out.push('\n');
    out.push_str(&table(&c.rows, opts));
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "N regressions over 10% on p99 (M rows compared, K flagged for too few
/// samples)", plus counts of the other notable verdicts when there are any.
pub fn summary_line(rows: &[RowComparison], opts: &CompareOptions) -> String {
    let n = |v: Verdict| rows.iter().filter(|r| r.verdict == v).count();
    let judged = rows.iter().filter(|r| r.verdict.judged()).count();
    let mut s = format!(
        "{} over {}% on {} ({} compared, {} flagged for too few samples)",
        plural(n(Verdict::Regression), "regression", "regressions"),
        opts.max_regression_pct,
        opts.metric,
        plural(judged, "row", "rows"),
        n(Verdict::TooFewSamples),
    );
    let below = rows
        .iter()
        .filter(|r| r.verdict.judged() && r.p_value.is_some() && r.stat != Some(opts.metric))
        .count();
    let extras = [
        (below, "judged at a lower percentile (fewer samples)"),
        (n(Verdict::ErrorsAppeared), "with new errors"),
        (n(Verdict::Improvement), "improved"),
        (
            n(Verdict::WithinNoise),
            "changed within noise (not significant, under --min-delta or runs disagree)",
        ),
        (n(Verdict::OnlyInBaseline), "only in baseline"),
        (n(Verdict::OnlyInCurrent), "only in current"),
    ];
    for (count, what) in extras.into_iter().filter(|(c, _)| *c > 0) {
        s.push_str(&format!("; {} {what}", plural(count, "row", "rows")));
    }
    s
}

fn first_line(rows: &[RowComparison], opts: &CompareOptions) -> String {
    let s = summary_line(rows, opts);
    match (opts.format, exit_code(rows)) {
        (Format::Text | Format::Json | Format::Html, _) => s,
        (Format::Markdown, 0) => format!(":white_check_mark: {s}"),
        (Format::Markdown, _) => format!(":x: **{s}**"),
    }
}

fn run_line(role: &str, info: &RunInfo, md: bool) -> String {
    let dir = info.dir.display();
    let scenario = info.scenario.as_deref().unwrap_or("?");
    let seed = info.seed.map_or("?".to_string(), |s| s.to_string());
    let outcome = info.outcome.as_deref().unwrap_or("?");
    if md {
        format!("- {role}: `{dir}` (scenario `{scenario}`, seed {seed}, {outcome})")
    } else {
        format!("{role}: {dir} (scenario {scenario}, seed {seed}, {outcome})")
    }
}

/// Why the runs may not be comparable, as one line, or `None`: every run is
/// checked against the first baseline run.
pub fn warning(base: &[RunInfo], cur: &[RunInfo]) -> Option<String> {
    let mut issues = Vec::new();
    let first = base.first().cloned().unwrap_or_default();
    let scenario = |i: &RunInfo| i.scenario.clone().unwrap_or_else(|| "?".into());
    let seed = |i: &RunInfo| i.seed.map_or("?".to_string(), |v| v.to_string());
    let others = base.iter().chain(cur).skip(1);
    if let Some(o) = others.clone().find(|i| i.scenario != first.scenario) {
        let (b, c) = (scenario(&first), scenario(o));
        issues.push(format!("scenario names differ ({b} vs {c})"));
    }
    if let Some(o) = others.clone().find(|i| i.seed != first.seed) {
        issues.push(format!("seeds differ ({} vs {})", seed(&first), seed(o)));
    }
    let roles = base.iter().map(|i| ("baseline", i));
    for (role, info) in roles.chain(cur.iter().map(|i| ("current", i))) {
        if let Some(p) = &info.problem {
            issues.push(format!("{role}: {p}"));
        } else if let Some(o) = info.outcome.as_deref().filter(|o| *o != "completed") {
            issues.push(format!("{role} run is {o}"));
        }
    }
    (!issues.is_empty()).then(|| format!("{}; the runs may not be comparable", issues.join("; ")))
}

fn verdict_cell(v: Verdict, md: bool) -> &'static str {
    match (v, md) {
        (Verdict::Ok, _) => "ok",
        (Verdict::Regression, false) => "REGRESSION",
        (Verdict::Regression, true) => ":x: **regression**",
        (Verdict::ErrorsAppeared, false) => "ERRORS APPEARED",
        (Verdict::ErrorsAppeared, true) => ":x: **errors appeared**",
        (Verdict::Improvement, _) => "improvement",
        (Verdict::WithinNoise, _) => "within noise",
        (Verdict::TooFewSamples, false) => "too few samples",
        (Verdict::TooFewSamples, true) => ":warning: too few samples",
        (Verdict::OnlyInBaseline, _) => "only in baseline",
        (Verdict::OnlyInCurrent, _) => "only in current",
    }
}

/// A p-value as a table shows it: three decimals, or a power of ten when tiny.
pub fn p_cell(p: Option<f64>) -> String {
    match p {
        None => "-".into(),
        Some(p) if p >= 0.001 => format!("{p:.3}"),
        Some(p) if p > 0.0 => format!("{p:.0e}"),
        Some(_) => "<1e-300".into(),
    }
}

/// The verdict as a table shows it, with the reason of a "within noise".
fn verdict_text(r: &RowComparison, md: bool) -> String {
    match r.why {
        Some(why) => format!("{} ({why})", verdict_cell(r.verdict, md)),
        None => verdict_cell(r.verdict, md).to_string(),
    }
}

fn ms(s: Option<Side>) -> String {
    s.map_or("-".into(), |s| format!("{:.2}", s.value_us as f64 / 1000.0))
}

fn count(s: Option<Side>) -> String {
    s.map_or("-".into(), |s| s.samples.to_string())
}

fn errors(b: Option<Side>, c: Option<Side>) -> String {
    match (b, c) {
        (Some(b), Some(c)) if b.errors == c.errors => b.errors.to_string(),
        _ => format!(
            "{} -> {}",
            b.map_or("-".into(), |s| s.errors.to_string()),
            c.map_or("-".into(), |s| s.errors.to_string())
        ),
    }
}

/// The header and one row of cells per comparison; shared by both formats so
/// they always carry the same columns.
fn cells(rows: &[RowComparison], opts: &CompareOptions) -> (Vec<String>, Vec<Vec<String>>) {
    let md = opts.format == Format::Markdown;
    let header = [
        "path", "server", "backend", "command", "base n", "cur n", "stat", "base ms", "cur ms",
        "change", "p (Holm)", "errors", "verdict",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let body = rows
        .iter()
        .map(|r| {
            let change = r.change_pct.map_or("-".into(), |p| format!("{p:+.1}%"));
            let change = if md && r.verdict == Verdict::Regression {
                format!("**{change}**")
            } else {
                change
            };
            vec![
                r.path.clone(),
                r.server.clone(),
                r.backend.clone(),
                r.command.clone(),
                count(r.base),
                count(r.current),
                r.stat.map_or("-".into(), |s| s.to_string()),
                ms(r.base),
                ms(r.current),
                change,
                p_cell(r.p_value),
                errors(r.base, r.current),
                verdict_text(r, md),
            ]
        })
        .collect();
    (header, body)
}

/// Columns 0-3, the statistic and the verdict are text (left-aligned), the
/// rest numbers.
fn numeric(col: usize, ncols: usize) -> bool {
    col >= 4 && col != 6 && col + 1 < ncols
}

fn table(rows: &[RowComparison], opts: &CompareOptions) -> String {
    let (header, body) = cells(rows, opts);
    let n = header.len();
    let mut out = String::new();
    if opts.format == Format::Markdown {
        let line = |cells: &[String]| {
            let esc: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
            format!("| {} |\n", esc.join(" | "))
        };
        out.push_str(&line(&header));
        let sep: Vec<String> = (0..n)
            .map(|i| {
                if numeric(i, n) {
                    "---:".into()
                } else {
                    "---".into()
                }
            })
            .collect();
        out.push_str(&format!("| {} |\n", sep.join(" | ")));
        for r in &body {
            out.push_str(&line(r));
        }
        return out;
    }
    let widths: Vec<usize> = (0..n)
        .map(|i| {
            body.iter()
                .map(|r| r[i].len())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    for r in std::iter::once(&header).chain(&body) {
        let cols: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if numeric(i, n) {
                    format!("{c:>w$}", w = widths[i])
                } else {
                    format!("{c:<w$}", w = widths[i])
                }
            })
            .collect();
        out.push_str(cols.join("  ").trim_end());
        out.push('\n');
    }
    out
}
