//! `compare --format json`: the [`Comparison`] as a
//! [`CompareDoc`](crate::results::compare::CompareDoc).

use super::render::{summary_line, warning};
use super::{CompareOptions, Comparison, RowComparison, RunInfo, Side, Verdict};
use crate::results::compare::{CompareDoc, CompareRowDoc, CompareRunDoc, CompareSideDoc};

/// The document, pretty-printed; `exit_code` is what `compare` exits with.
pub fn render(c: &Comparison, opts: &CompareOptions, exit_code: i32) -> String {
    let doc = document(c, opts, exit_code);
    // A document of strings and numbers always serializes.
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// The document of a comparison.
pub fn document(c: &Comparison, opts: &CompareOptions, exit_code: i32) -> CompareDoc {
    let count = |v: Verdict| c.rows.iter().filter(|r| r.verdict == v).count();
    CompareDoc {
        exit_code,
        summary: summary_line(&c.rows, opts),
        metric: opts.metric.to_string(),
        alpha: opts.alpha,
        correction: "holm".into(),
        max_regression_pct: opts.max_regression_pct,
        min_delta_us: opts.min_delta_us,
        min_samples: opts.min_samples.unwrap_or(super::judge::FLOOR),
        regressions: count(Verdict::Regression),
        errors_appeared: count(Verdict::ErrorsAppeared),
        compared: c.rows.iter().filter(|r| r.verdict.judged()).count(),
        baseline: c.baseline.first().map(run).unwrap_or_default(),
        current: c.current.first().map(run).unwrap_or_default(),
        baseline_runs: c.baseline.iter().map(run).collect(),
        current_runs: c.current.iter().map(run).collect(),
        warning: warning(&c.baseline, &c.current),
        notes: c.notes.clone(),
        rows: c.rows.iter().map(row).collect(),
    }
}

fn run(info: &RunInfo) -> CompareRunDoc {
    CompareRunDoc {
        dir: info.dir.display().to_string(),
        scenario: info.scenario.clone(),
        seed: info.seed,
        outcome: info.outcome.clone(),
        problem: info.problem.clone(),
    }
}

fn side(s: Side, runs: &[u64]) -> CompareSideDoc {
    CompareSideDoc {
        count: s.count,
        value_us: s.value_us,
        errors: s.errors,
        samples: s.samples,
        runs_value_us: runs.to_vec(),
    }
}

fn row(r: &RowComparison) -> CompareRowDoc {
    CompareRowDoc {
        path: r.path.clone(),
        server: r.server.clone(),
        backend: r.backend.clone(),
        command: r.command.clone(),
        baseline: r.base.map(|s| side(s, &r.base_runs_us)),
        current: r.current.map(|s| side(s, &r.current_runs_us)),
        stat: r.stat.map(|s| s.to_string()),
        change_pct: r.change_pct,
        p_value: r.p_value,
        p_raw: r.p_raw,
        runs_p_value: r.runs_p,
        why: r.why.map(str::to_string),
        verdict: r.verdict.label().to_string(),
        fails: r.verdict.fails(),
    }
}
