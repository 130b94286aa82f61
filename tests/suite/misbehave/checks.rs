//! What every misbehaving-server test checks of its run: complete results,
//! the failure counted on its row with its reason only (in the report and in
//! `summary.csv`), its cause kept, and the slot reconnected.

use imapload::command::CommandKind;
use imapload::results::ErrorReason;
use imapload::results::SummaryRow;
use imapload::run::RunReport;

use crate::fake_server::FakeServer;
use crate::support::*;

/// Checks the run finished with complete results and `reason` (and only
/// it, besides commands aborted at the end) on the `command` row, in the
/// report and in summary.csv, with a message containing `message` among its
/// causes, and that the slot reconnected.
pub fn assert_counted(
    report: &RunReport,
    server: &FakeServer,
    command: CommandKind,
    reason: ErrorReason,
    message: &str,
) {
    assert!(!report.partial, "the run did not finish");
    assert_files_written(report);
    let row = counted_row(report, command, reason);
    assert_summary_agrees(report, command, reason, row.errors_of(reason));
    crate::causes::assert_cause(report, command, reason, message);
    assert_sessions_reconnected(report);
    assert!(
        server.accepted() >= 2,
        "the fake server saw {} connections",
        server.accepted()
    );
}

/// Every file of a results directory is there.
fn assert_files_written(report: &RunReport) {
    for f in [
        "run.json",
        "summary.csv",
        "timeseries.csv",
        "latency.hlog",
        "health.csv",
        "report.html",
    ] {
        assert!(
            report.dir.join(f).exists(),
            "{f} missing in {}",
            report.dir.display()
        );
    }
}

/// The row of `command` on the fake server, whose errors are all `reason`
/// (or cut short by the end of the run).
fn counted_row(report: &RunReport, command: CommandKind, reason: ErrorReason) -> &SummaryRow {
    let (key, row) = report
        .rows
        .iter()
        .find(|(k, _)| k.command == command)
        .unwrap_or_else(|| {
            panic!(
                "no {command} row: {:?}",
                report.rows.keys().collect::<Vec<_>>()
            )
        });
    assert_eq!(key.server, "fake");
    let by_reason: Vec<_> = ErrorReason::ALL
        .iter()
        .filter(|r| row.errors_of(**r) > 0)
        .map(|r| (r.label(), row.errors_of(*r)))
        .collect();
    assert!(
        row.errors_of(reason) > 0,
        "{command}: want {} errors, got {by_reason:?}",
        reason.label()
    );
    assert!(
        by_reason
            .iter()
            .all(|(l, _)| *l == reason.label() || *l == "aborted"),
        "{command}: want only {} errors, got {by_reason:?}",
        reason.label()
    );
    row
}

/// `summary.csv`'s `errors_<reason>` cell of `command` says `count`.
fn assert_summary_agrees(
    report: &RunReport,
    command: CommandKind,
    reason: ErrorReason,
    count: u64,
) {
    let (header, rows) = read_csv(&report.dir.join("summary.csv"));
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no {name} column"))
    };
    let (c, e) = (col("command"), col(&format!("errors_{}", reason.label())));
    let csv_row = rows
        .iter()
        .find(|r| r[c] == command.label())
        .expect("summary.csv row");
    assert_eq!(csv_row[e], count.to_string(), "summary.csv disagrees");
}

/// `run.json` says the run completed and a failed session was followed by another.
fn assert_sessions_reconnected(report: &RunReport) {
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report.dir.join("run.json")).unwrap())
            .unwrap();
    assert_eq!(run["outcome"], "completed");
    assert!(
        run["sessions"]["started"].as_u64().unwrap() >= 2,
        "no reconnect: {}",
        run["sessions"]
    );
    assert!(
        run["sessions"]["failed"].as_u64().unwrap() >= 1,
        "{}",
        run["sessions"]
    );
}
