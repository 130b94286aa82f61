//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use imapload::plan::{self, Overrides, RunPlan};
use tokio_util::sync::CancellationToken;

/// A small embedded scenario: `extra` is appended (TOML) to tune it.
pub fn embedded_scenario(sessions: usize, duration: &str, extra: &str) -> String {
    format!(
        r#"
name = "test"
seed = 7
duration = "{duration}"
[topology]
kind = "embedded"
cas = 1
backends = 2
messages_per_mailbox = 20
[users]
count = 200
[load]
sessions = {sessions}
cas_share = 0.5
[session]
commands = [3, 8]
think_time = {{ dist = "exponential", mean = "20ms" }}
command_timeout = "10s"
idle_duration = "100ms"
{extra}
"#
    )
}

/// Loads a scenario text as if it were the file `dir/test.toml`.
pub fn plan_from(text: &str, dir: &Path, overrides: &Overrides) -> RunPlan {
    plan::load_str(text, &dir.join("test.toml"), overrides)
        .unwrap_or_else(|e| panic!("scenario: {e}"))
}

/// Overrides that write results under `dir` quietly.
pub fn quiet_out(dir: &Path) -> Overrides {
    Overrides {
        out: Some(dir.join("results")),
        quiet: true,
        ..Default::default()
    }
}

/// Load tests measure latency on a 2-core machine: two at once would make each
/// other slow. Every test that generates load holds this lock while it does.
static LOAD: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Takes the load lock from a test that is not async (a panicking test does
/// not poison it for the others: tokio's mutex has no poisoning).
pub fn exclusive() -> tokio::sync::MutexGuard<'static, ()> {
    LOAD.blocking_lock()
}

/// Runs a plan to the end, alone (see [`exclusive`]).
pub async fn run(plan: RunPlan) -> imapload::run::RunReport {
    let _alone = LOAD.lock().await;
    imapload::run::run(
        plan,
        CancellationToken::new(),
        imapload::error::FailOn::Unhealthy,
    )
    .await
    .unwrap_or_else(|e| panic!("run failed: {e}"))
}

/// Runs a plan to the end, alone, with `during` running next to it from the
/// moment the run starts (a fault script: kill a server, restart it).
pub async fn run_during(
    plan: RunPlan,
    during: impl std::future::Future<Output = ()>,
) -> imapload::run::RunReport {
    let _alone = LOAD.lock().await;
    let run = imapload::run::run(
        plan,
        CancellationToken::new(),
        imapload::error::FailOn::Unhealthy,
    );
    let (report, ()) = tokio::join!(run, during);
    report.unwrap_or_else(|e| panic!("run failed: {e}"))
}

/// Reads a CSV file into header + rows.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// The built binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_imapload"))
}

/// The rows of a run that have errors, with their reasons, for assertion
/// messages: a failing "no errors" check then says which and why.
pub fn error_rows(report: &imapload::run::RunReport) -> String {
    use imapload::results::ErrorReason;
    let mut out = String::new();
    for (key, row) in &report.rows {
        for reason in ErrorReason::ALL {
            let n = row.errors_of(reason);
            if n > 0 {
                out.push_str(&format!(
                    "{:?}/{}/{}/{:?}: {} {}\n",
                    key.path,
                    key.server,
                    key.backend,
                    key.command,
                    n,
                    reason.label()
                ));
            }
        }
    }
    out
}

/// Runs the binary in `dir` with `args`, waiting for its output.
pub fn imapload(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(bin())
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the binary runs")
}

/// A finished command's exit code, stdout and stderr, for failure messages.
pub fn text(o: &std::process::Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
