//! The results schema (`imapload::results`): a run's directory round-trips
//! through the types, and a directory written by the previous release
//! (`tests/fixtures/results-v1`, no `schema_version`) still reads, re-judges,
//! compares and renders.

use std::path::Path;

use imapload::results::cells;
use imapload::results::probes::{HealthRow, ProbeRow};
use imapload::results::summary::from_csv;
use imapload::results::timeseries::{QueueRow, TimeseriesRow};
use imapload::results::ErrorCause;
use imapload::results::{read_run, RunRecord, SummaryRow, SCHEMA_VERSION};

use crate::support::{embedded_scenario, imapload, plan_from, quiet_out, run};

/// `run.json` as plain JSON, and back through [`RunRecord`]: equal except
/// for what `extra` lists (keys this release adds).
fn reserialized_equals(dir: &Path, added: &[&str]) {
    let text = std::fs::read_to_string(dir.join("run.json")).unwrap();
    let raw: serde_json::Value = serde_json::from_str(&text).unwrap();
    let typed: RunRecord = serde_json::from_str(&text).unwrap();
    let mut again = serde_json::to_value(&typed).unwrap();
    for key in added {
        again.as_object_mut().unwrap().remove(*key);
    }
    assert_eq!(again, raw, "run.json does not survive its own types");
}

/// Each CSV file read through its row type and written again is the same
/// bytes: the types spell every column, in order, as the files have them.
fn csv_files_survive_their_types(dir: &Path) {
    fn same<T: serde::Serialize + serde::de::DeserializeOwned + Default>(dir: &Path, name: &str) {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let rows: Vec<T> = cells::from_csv(&bytes).unwrap();
        let again = cells::to_csv(&rows).unwrap();
        assert_eq!(
            String::from_utf8(again).unwrap(),
            String::from_utf8(bytes).unwrap(),
            "{name}"
        );
    }
    same::<SummaryRow>(dir, "summary.csv");
    same::<TimeseriesRow>(dir, "timeseries.csv");
    same::<QueueRow>(dir, "queue.csv");
    same::<ProbeRow>(dir, "probes.csv");
    same::<HealthRow>(dir, "health.csv");
    same::<ErrorCause>(dir, "errors.csv");
}

/// `summary.csv` read through its row type matches `run.json`'s `summary`.
fn summary_matches(dir: &Path, run: &RunRecord) {
    let rows = from_csv(&std::fs::read(dir.join("summary.csv")).unwrap()).unwrap();
    assert!(!rows.is_empty());
    assert_eq!(rows, run.summary);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_round_trips_through_the_results_types() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan_from(
        &embedded_scenario(10, "2s", ""),
        dir.path(),
        &quiet_out(dir.path()),
    );
    let report = run(plan).await;
    let run = read_run(&report.dir).unwrap();
    assert_eq!(run.schema_version, SCHEMA_VERSION);
    assert_eq!(run.plan.name, "test");
    assert_eq!(run.servers.names(), ["cas1", "mbx1", "mbx2"]);
    assert_eq!(run.totals.commands, report.commands);
    assert_eq!(run.health, Some(report.health));
    reserialized_equals(&report.dir, &[]);
    summary_matches(&report.dir, &run);
    csv_files_survive_their_types(&report.dir);
}

#[test]
fn results_of_the_previous_release_still_read_rejudge_compare_and_render() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("v1");
    std::fs::create_dir(&dir).unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/results-v1");
    for f in std::fs::read_dir(&fixture).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), dir.join(f.file_name())).unwrap();
    }
    let run = read_run(&dir).unwrap();
    assert_eq!(
        run.schema_version, 1,
        "no schema_version: the previous release"
    );
    assert_eq!(run.plan.name, "ci-regression");
    assert_eq!(run.servers.names(), ["cas1", "mbx1", "mbx2"]);
    reserialized_equals(&dir, &["schema_version"]);
    summary_matches(&dir, &run);
    csv_files_survive_their_types(&dir);

    let d = dir.to_str().unwrap();
    let health = imapload(tmp.path(), &["health", d]);
    let said = String::from_utf8_lossy(&health.stdout);
    assert_eq!(
        health.status.code(),
        Some(0),
        "{said}{}",
        String::from_utf8_lossy(&health.stderr)
    );
    assert!(said.contains("AverageCommandProcessingTime"), "{said}");
    let compare = imapload(tmp.path(), &["compare", d, d]);
    assert_eq!(
        compare.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&compare.stderr)
    );
    let report = imapload(tmp.path(), &["report", d]);
    assert_eq!(
        report.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&report.stderr)
    );
    let page = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(page.contains("ci-regression") && page.contains("PASSED"));
}
