//! report.html driven in headless Chromium like a person would: hovering a chart shows
//! values, a legend click hides a line, the summary sorts and filters, a drag zooms every
//! time chart, the command menu switches charts, and every chart is drawn, on the
//! quickstart and on slow-backend (shortened). Skipped without Chromium unless
//! IMAPLOAD_REQUIRE_CHROMIUM=1.

use std::path::Path;

use super::support::{plan_from, quiet_out, run};

const CHROMIUM: &str = "/usr/bin/chromium";

/// Runs `scenario` (a file of scenarios/, edited by `edit`) with `overrides`' sessions and
/// duration, and returns its results directory.
async fn results(
    dir: &Path,
    scenario: &str,
    edit: &[(&str, &str)],
    sessions: usize,
    duration: &str,
) -> std::path::PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(scenario);
    let mut text = std::fs::read_to_string(path).unwrap();
    for (from, to) in edit {
        assert!(text.contains(from), "{scenario} has no `{from}`");
        text = text.replace(from, to);
    }
    let mut ov = quiet_out(dir);
    ov.sessions = Some(sessions);
    ov.duration = Some(duration.into());
    run(plan_from(&text, dir, &ov)).await.dir
}

/// Loads a copy of `dir`'s report with the driver script in Chromium and returns what
/// the script saw.
fn drive(dir: &Path) -> serde_json::Value {
    let page = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let driver = include_str!("report_browser.js");
    let copy = dir.join("report-driven.html");
    let page = page.replacen("</body>", &format!("<script>{driver}</script></body>"), 1);
    std::fs::write(&copy, page).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
        ])
        .args([
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg("--window-size=1400,1000")
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", copy.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    // The last one: the driver's own text (in the dumped <script>) names the element too.
    let start = dom
        .rfind(r#"<pre id="selftest-result">"#)
        .unwrap_or_else(|| {
            panic!(
                "the driver wrote nothing; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let json = &dom[start + 26..];
    let json = &json[..json.find("</pre>").unwrap()];
    let json = json
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

/// What a person must find on the page, checked on what the driver saw.
fn check(name: &str, seen: &serde_json::Value, servers: &[&str]) {
    eprintln!("{name}: {seen}");
    assert_eq!(
        seen["errors"],
        serde_json::json!([]),
        "{name}: script errors"
    );
    let charts = seen["charts"].as_object().unwrap();
    let mut expected = vec![
        "monitors".to_string(),
        "spectrum".into(),
        "throughput".into(),
        "errors".into(),
        "queue".into(),
        "sessions".into(),
    ];
    for s in servers {
        expected.push(format!("latency-{s}"));
        expected.push(format!("commands-{s}"));
    }
    for id in &expected {
        let drawn = charts.get(id).and_then(|v| v.as_u64()).unwrap_or(0);
        assert!(drawn > 0, "{name}: chart {id} is not drawn ({charts:?})");
    }
    assert!(
        charts.values().all(|v| v.as_u64() > Some(0)),
        "{name}: an empty chart: {charts:?}"
    );
    let hover = seen["hover"].as_str().unwrap();
    assert!(
        hover.contains("UTC") && hover.contains("p99: "),
        "{name}: hover shows {hover:?}"
    );
    let p99: f64 = hover
        .split("p99: ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(p99 > 0.0, "{name}: hover p99 {p99}");
    let t = &seen["toggle"];
    assert_eq!(
        (t["hidden"].as_bool(), t["shown_again"].as_bool()),
        (Some(true), Some(true)),
        "{name}: {t}"
    );
    assert!(
        t["others_shown"].as_u64() >= Some(2),
        "{name}: the other lines stay: {t}"
    );
    let s = &seen["sort"];
    assert_eq!(
        (s["ascending"].as_bool(), s["descending"].as_bool()),
        (Some(true), Some(true)),
        "{name}: {s}"
    );
    assert!(
        s["asc_first"].as_f64() < s["asc_last"].as_f64(),
        "{name}: {s}"
    );
    let f = &seen["filter"];
    assert!(
        f["all_match"].as_bool() == Some(true)
            && f["shown"].as_u64() > Some(0)
            && f["shown"].as_u64() < f["rows"].as_u64(),
        "{name}: {f}"
    );
    let z = &seen["zoom"];
    assert!(
        z["zoomed"].as_u64() >= Some(6) && z["zoomed"] == z["charts"],
        "{name}: every time chart zooms: {z}"
    );
    assert!(
        z["reset"].as_bool() == Some(true) && !z["view"].as_str().unwrap().is_empty(),
        "{name}: {z}"
    );
    assert!(
        z["ticks"].as_array().unwrap().len() >= 2,
        "{name}: zoomed ticks {z}"
    );
    let m = &seen["menu"];
    assert_eq!(
        m["visible"],
        serde_json::json!([m["picked"]]),
        "{name}: {m}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_works_in_chromium_on_quickstart_and_slow_backend() {
    if !Path::new(CHROMIUM).exists() {
        if std::env::var("IMAPLOAD_REQUIRE_CHROMIUM").as_deref() == Ok("1") {
            panic!("Chromium is required (IMAPLOAD_REQUIRE_CHROMIUM=1) but {CHROMIUM} is missing");
        }
        eprintln!("SKIPPED: Chromium is not installed (apt-get install chromium)");
        return;
    }
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let quick = results(a.path(), "quickstart.toml", &[], 40, "5s").await;
    let slow_edit = [
        ("at = \"15s\"", "at = \"3s\""),
        ("sample_period = \"5s\"", "sample_period = \"2s\""),
    ];
    let slow = results(b.path(), "slow-backend.toml", &slow_edit, 40, "8s").await;
    let servers = ["cas1", "mbx1", "mbx2"];
    let seen = tokio::task::spawn_blocking(move || (drive(&quick), drive(&slow)))
        .await
        .unwrap();
    check("quickstart", &seen.0, &servers);
    check("slow-backend", &seen.1, &servers);
}
