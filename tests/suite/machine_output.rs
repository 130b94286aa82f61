//! Machine-readable results: `run --summary-json` (validated against
//! `docs/summary.schema.json`), `compare --format json`, and the
//! `first_hop` and `t_start_unix_ms` columns of `timeseries.csv` and
//! `summary.csv`.

use std::path::Path;
use std::process::Command;

use imapload::results::compare::CompareDoc;
use imapload::results::summary_json::SummaryDoc;
use imapload::results::timeseries::TimeseriesRow;
use imapload::results::SummaryRow;
use serde_json::Value;

use crate::support::{bin, embedded_scenario, exclusive, text};

fn schema() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/summary.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::draft202012::new(&schema).unwrap_or_else(|e| panic!("the schema: {e}"))
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn csv_rows<T: serde::de::DeserializeOwned>(path: &Path) -> Vec<T> {
    let mut r = csv::Reader::from_path(path).unwrap();
    r.deserialize().collect::<Result<_, _>>().unwrap()
}

/// One short run whose summary goes to stdout; every check on its output.
#[test]
fn summary_json_matches_its_schema_and_first_hop_rows_count_each_command_once() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    std::fs::write(&scenario, embedded_scenario(6, "2s", "")).unwrap();
    let out = dir.path().join("r");
    let o = {
        let _alone = exclusive();
        Command::new(bin())
            .args([
                "run",
                scenario.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
            ])
            .args(["--summary-json", "-", "--threshold", "p99(*) < 1h"])
            .output()
            .unwrap()
    };
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let doc: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {}", text(&o)));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("verdict: PASSED"),
        "tables on stderr"
    );
    let v = schema();
    assert_eq!(errors(&v, &doc), Vec::<String>::new());
    // The schema can fail: a missing key, a wrong type, an unknown key.
    for (pointer, bad) in [
        ("/totals/commands", Value::from("many")),
        ("/summary/0/surprise", Value::from(1)),
    ] {
        let mut broken = doc.clone();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        broken.pointer_mut(parent).unwrap()[key] = bad;
        assert!(!errors(&v, &broken).is_empty(), "{pointer} accepted");
    }
    let mut broken = doc.clone();
    broken.as_object_mut().unwrap().remove("verdict");
    assert!(
        !errors(&v, &broken).is_empty(),
        "a missing verdict accepted"
    );
    // The same figures as run.json, through the same types.
    let summary: SummaryDoc = serde_json::from_value(doc).unwrap();
    let run = imapload::results::read_run(&out).unwrap();
    assert_eq!(
        (summary.totals, &summary.summary),
        (run.totals, &run.summary)
    );
    assert_eq!(summary.verdict, run.verdict);
    let thresholds = &summary.verdict.as_ref().unwrap().thresholds;
    assert!(thresholds
        .iter()
        .any(|t| t.expression == "p99(*) < 1h" && t.passed));
    assert_eq!(summary.monitors.len(), run.monitors.len());
    assert!(!summary.monitors.is_empty());
    first_hop_counts_each_command_once(&out, run.totals.commands);
    rows_carry_wall_clock_time(&out, &run);
    compare_as_json(&out);
}

fn first_hop_counts_each_command_once(out: &Path, commands: u64) {
    assert!(commands > 0);
    let series: Vec<TimeseriesRow> = csv_rows(&out.join("timeseries.csv"));
    let first: u64 = (series.iter().filter(|r| r.first_hop == Some(true)))
        .map(|r| r.count)
        .sum();
    let all: u64 = series.iter().map(|r| r.count).sum();
    assert_eq!(first, commands, "timeseries.csv first_hop rows");
    assert!(
        all > commands,
        "via-CAS commands have two rows: {all} vs {commands}"
    );
    let summary: Vec<SummaryRow> = csv_rows(&out.join("summary.csv"));
    let first: u64 = (summary.iter().filter(|r| r.first_hop == Some(true)))
        .map(|r| r.count)
        .sum();
    assert_eq!(first, commands, "summary.csv first_hop rows");
    assert!(summary.iter().all(|r| r.first_hop.is_some()));
}

fn rows_carry_wall_clock_time(out: &Path, run: &imapload::results::RunRecord) {
    let start = run.started().unwrap();
    let start_ms = imapload::results::series::unix_ms(start).unwrap() as i64;
    let series: Vec<TimeseriesRow> = csv_rows(&out.join("timeseries.csv"));
    assert!(!series.is_empty());
    for r in &series {
        let at = r.t_start_unix_ms.expect("t_start_unix_ms") as i64;
        let want = start_ms + (r.t_start_s * 1000.0).round() as i64;
        assert!(
            (at - want).abs() <= 5,
            "{at} vs started_at + t_start_s = {want}"
        );
    }
}

fn compare_as_json(out: &Path) {
    let o = Command::new(bin())
        .args(["compare", out.to_str().unwrap(), out.to_str().unwrap()])
        .args(["--format", "json", "--min-samples", "1"])
        .output()
        .unwrap();
    let doc: CompareDoc = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not a compare document ({e}): {}", text(&o)));
    assert_eq!(o.status.code(), Some(doc.exit_code), "{}", text(&o));
    assert_eq!(doc.exit_code, 0, "a run compared with itself");
    let rows: Vec<SummaryRow> = csv_rows(&out.join("summary.csv"));
    assert_eq!(doc.rows.len(), rows.len());
    assert!(doc
        .rows
        .iter()
        .all(|r| r.verdict == "ok" && !r.fails && r.change_pct == Some(0.0)));
    assert_eq!(
        (doc.metric.as_str(), doc.regressions, doc.compared),
        ("p90", 0, rows.len())
    );
    assert!(doc.summary.starts_with("0 regressions"), "{}", doc.summary);
}

#[test]
fn compare_json_reads_results_from_before_the_new_columns() {
    let v1 = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/results-v1");
    let o = Command::new(bin())
        .args([
            "compare",
            v1.to_str().unwrap(),
            v1.to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let doc: CompareDoc = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not a compare document ({e}): {}", text(&o)));
    assert_eq!(o.status.code(), Some(doc.exit_code), "{}", text(&o));
    assert!(!doc.rows.is_empty());
    let summary: Vec<SummaryRow> = csv_rows(&v1.join("summary.csv"));
    assert!(
        summary.iter().all(|r| r.first_hop.is_none()),
        "no column: unknown"
    );
    let series: Vec<TimeseriesRow> = csv_rows(&v1.join("timeseries.csv"));
    assert!(series
        .iter()
        .all(|r| r.first_hop.is_none() && r.t_start_unix_ms.is_none()));
    let o = Command::new(bin())
        .args(["compare", "a", "b", "--format", "yaml"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("text, markdown, json"),
        "{}",
        text(&o)
    );
}
