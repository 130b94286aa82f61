//! Helpers shared by the integration tests.

pub mod dovecot_admin;
mod served;

pub use dovecot_admin::DovecotAdmin;
pub use served::Served;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use imapload::results::RunRecord;

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

/// Runs the binary in `dir` with `args`, waiting for its output. It sees no
/// `IMAPLOAD_` variable of the test's own environment (see [`imapload_env`]).
pub fn imapload(dir: &Path, args: &[&str]) -> Output {
    imapload_env(dir, args, &[])
}

/// Runs the binary in `dir` with `args` and the environment variables `vars`
/// (and no other `IMAPLOAD_` variable), waiting for its output.
pub fn imapload_env(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut cmd = std::process::Command::new(bin());
    cmd.current_dir(dir).args(args);
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("IMAPLOAD_")) {
        cmd.env_remove(k);
    }
    cmd.envs(vars.iter().copied())
        .output()
        .expect("the binary runs")
}

/// `dir/run.json` read through the crate's own type, as every reader of results does.
pub fn run_json(dir: &Path) -> RunRecord {
    imapload::results::read_run(dir).unwrap_or_else(|e| panic!("{e}"))
}

/// A finished command's exit code, stdout and stderr, for failure messages.
pub fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Where the browser tests find Chromium (Debian's `chromium`).
const CHROMIUM: &str = "/usr/bin/chromium";

/// Chromium, or `None` when it is not installed: the browser test then skips,
/// unless `IMAPLOAD_REQUIRE_CHROMIUM=1` makes that a failure.
pub fn chromium() -> Option<&'static Path> {
    let path = Path::new(CHROMIUM);
    if path.exists() {
        return Some(path);
    }
    if std::env::var("IMAPLOAD_REQUIRE_CHROMIUM").as_deref() == Ok("1") {
        panic!("Chromium is required (IMAPLOAD_REQUIRE_CHROMIUM=1) but {CHROMIUM} is missing");
    }
    eprintln!("SKIPPED: Chromium is not installed (apt-get install chromium)");
    None
}

/// What the driver script (`report_browser.js`) saw on a report page; a part
/// is `None` when a script error stopped the driver before it.
#[derive(Debug, serde::Deserialize)]
pub struct Seen {
    /// Script errors, the page's and the driver's.
    pub errors: Vec<String>,
    /// Data shapes with a real size in the laid-out page, per chart id.
    pub charts: BTreeMap<String, u64>,
    /// The tooltip of the first latency chart, hovered in its middle.
    pub hover: String,
    /// Each latency chart's p99 as the tooltip shows it at 90% of the run.
    pub late_p99: BTreeMap<String, Option<f64>>,
    /// A legend entry clicked twice.
    pub toggle: Option<Toggle>,
    /// The summary sorted by count, twice.
    pub sort: Option<Sort>,
    /// The summary filtered on `mbx2`.
    pub filter: Option<Filter>,
    /// A drag over the throughput chart, then a double click.
    pub zoom: Option<Zoom>,
    /// The second command of the command menu picked.
    pub menu: Option<Menu>,
}

/// A legend entry clicked, then clicked again.
#[derive(Debug, serde::Deserialize)]
pub struct Toggle {
    /// Its line was hidden by the first click.
    pub hidden: bool,
    /// The chart's other lines still shown meanwhile.
    pub others_shown: u64,
    /// Its line was shown again by the second click.
    pub shown_again: bool,
}

/// The summary table sorted by its Count column, ascending then descending.
#[derive(Debug, serde::Deserialize)]
pub struct Sort {
    /// First and last count after the first click.
    pub asc_first: Option<f64>,
    /// See `asc_first`.
    pub asc_last: Option<f64>,
    /// Rows in order after the first click.
    pub ascending: bool,
    /// Rows in reverse order after the second.
    pub descending: bool,
}

/// The summary table filtered.
#[derive(Debug, serde::Deserialize)]
pub struct Filter {
    /// Rows left shown.
    pub shown: u64,
    /// Rows in all.
    pub rows: u64,
    /// Every row shown names the filter's text.
    pub all_match: bool,
}

/// A zoom by dragging, and its reset.
#[derive(Debug, serde::Deserialize)]
pub struct Zoom {
    /// Time charts that followed the zoom.
    pub zoomed: u64,
    /// Time charts on the page.
    pub charts: u64,
    /// The dragged chart's view (its `data-view`).
    pub view: String,
    /// The dragged chart's x tick labels, zoomed.
    pub ticks: Vec<String>,
    /// A double click took the zoom away.
    pub reset: bool,
}

/// A command picked in a command menu.
#[derive(Debug, serde::Deserialize)]
pub struct Menu {
    /// The command picked.
    pub picked: String,
    /// The commands whose charts are shown after it.
    pub visible: Vec<String>,
}

/// Opens a copy of `dir/report.html` in headless Chromium with the driver
/// script appended, which uses the page as a person would (real DOM events on
/// the page's own handlers), and returns what the driver saw.
pub fn drive_report(chromium: &Path, dir: &Path) -> Seen {
    let driver = include_str!("report_browser.js");
    drive_page(chromium, &dir.join("report.html"), driver)
}

/// Opens a copy of `page` in headless Chromium with `driver` (a script that
/// ends by writing its findings as JSON into `<pre id="selftest-result">`)
/// appended, and returns those findings: the one way every browser test
/// drives a page.
pub fn drive_page<T: serde::de::DeserializeOwned>(chromium: &Path, page: &Path, driver: &str) -> T {
    let html = std::fs::read_to_string(page).unwrap();
    let copy = page.with_extension("driven.html");
    let html = html.replacen("</body>", &format!("<script>{driver}</script></body>"), 1);
    std::fs::write(&copy, html).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
        ])
        .args([
            "--disable-background-networking",
            "--disable-component-update",
        ])
        .args(["--disable-sync", "--window-size=1400,1000"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", copy.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    // The last one: the driver's own text (in the dumped <script>) names the element too.
    let marker = r#"<pre id="selftest-result">"#;
    let start = dom.rfind(marker).unwrap_or_else(|| {
        let stderr = String::from_utf8_lossy(&out.stderr);
        panic!("the driver wrote nothing; stderr: {stderr}")
    });
    let json = &dom[start + marker.len()..];
    let json = json[..json.find("</pre>").unwrap()]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

/// Every chart a report of a run on `servers` must have is drawn (shapes with
/// a real size), no chart is empty, and no script failed.
pub fn assert_every_chart_drawn(name: &str, seen: &Seen, servers: &[&str]) {
    assert_eq!(seen.errors, Vec::<String>::new(), "{name}: script errors");
    let mut expected: Vec<String> = ["monitors", "spectrum", "throughput"]
        .into_iter()
        .chain(["errors", "queue", "sessions"])
        .map(String::from)
        .collect();
    for s in servers {
        expected.extend([format!("latency-{s}"), format!("commands-{s}")]);
    }
    let charts = &seen.charts;
    for id in &expected {
        let drawn = charts.get(id).copied().unwrap_or(0);
        assert!(drawn > 0, "{name}: chart {id} is not drawn ({charts:?})");
    }
    assert!(
        charts.values().all(|&v| v > 0),
        "{name}: an empty chart: {charts:?}"
    );
}
