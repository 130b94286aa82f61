//! Renders a small synthetic results directory and checks the page's promises: every chart,
//! nothing fetched from the network, names escaped.

use std::path::Path;

use super::{render, write};

const EVIL: &str = "<script>alert(1)</script>";

fn results_dir(dir: &Path, name: &str) {
    let run = serde_json::json!({
        "plan": {"name": name, "scenario": "scenarios/x.toml"},
        "outcome": "completed",
        "health": "Unhealthy",
        "elapsed_s": 4.0,
        "started_at": "2026-01-01T00:00:00Z",
        "seed": 7,
        "imapload_version": "0.1.0",
        "totals": {"commands": 12, "commands_per_s": 3.0, "errors": 1},
        "sessions": {"started": 2, "completed": 2, "failed": 0},
        "servers": {"cas": [{"name": "cas1", "addr": "127.0.0.1:1", "security": "plain"}],
                    "backends": [{"name": "mbx1", "addr": "127.0.0.1:2", "security": "plain"}]},
        "monitor_settings": {"command_time_ms": {"threshold": 200.0}, "requests_queued": {"threshold": 500.0},
                             "sample_period_s": 5.0, "escalation_delay_s": 120.0,
                             "probes": {"timeout_light_s": 55.0, "timeout_full_s": 110.0}},
        "faults": [{"at_s": 1.5, "server": "mbx1", "what": "slow x400", "applied": true}],
        "monitors": [
            {"server": "cas1", "monitor": "AverageCommandProcessingTimeGt60sMonitor",
             "health_set": "IMAP", "target_resource": "MSExchangeImap4", "rule": "r",
             "alert_value": "Unhealthy", "worst_alert_value": "Unhealthy",
             "transitions": [{"at_s": 2.0, "to": "Degraded"}, {"at_s": 3.0, "to": "Unhealthy"}]},
            {"server": "mbx1", "monitor": "RequestsQueuedGt500Monitor", "health_set": "IMAP",
             "target_resource": "MSExchangeImap4BE", "rule": "r", "alert_value": "Healthy",
             "worst_alert_value": "Healthy", "transitions": []}
        ]
    });
    std::fs::write(dir.join(crate::results::files::RUN_JSON), run.to_string()).unwrap();
    std::fs::write(
        dir.join(crate::results::files::SUMMARY_CSV),
        "path,server,backend,command,count,errors,timeouts,mean_us,p50_us,p90_us,p99_us,p99_9_us,max_us\n\
         cas,cas1,mbx1,NOOP,6,1,0,1000,900,1500,2000,2500,3000\n\
         direct,mbx1,mbx1,NOOP,6,0,0,1000,900,1500,2000,2500,3000\n",
    )
    .unwrap();
    let mut ts = String::from("t_start_s,t_end_s,path,server,backend,command,count,ok,errors,corrected_sum_us,active_sessions,p50_us,p99_us,max_us\n");
    for i in 0..4 {
        let slow = if i >= 2 { 300 } else { 1 };
        for (path, server) in [("cas", "cas1"), ("cas", "mbx1"), ("direct", "mbx1")] {
            ts.push_str(&format!(
                "{i}.000,{}.000,{path},{server},mbx1,NOOP,2,2,{},{},2,{},{},{}\n",
                i + 1,
                (i == 3) as u8,
                2000 * slow,
                900 * slow,
                2000 * slow,
                3000 * slow
            ));
        }
    }
    std::fs::write(dir.join(crate::results::files::TIMESERIES_CSV), ts).unwrap();
    let mut q = String::from("t_s,server,t_end_s,depth_mean,depth_max,server_queued_mean\n");
    for i in 0..4 {
        q.push_str(&format!("{i}.000,cas1,{}.000,{i}.5,3,0\n", i + 1));
        q.push_str(&format!("{i}.000,mbx1,{}.000,{i}.0,2,1.0\n", i + 1));
    }
    std::fs::write(dir.join(crate::results::files::QUEUE_CSV), q).unwrap();
    std::fs::write(
        dir.join(crate::results::files::HEALTH_CSV),
        format!(
            "server,health_set,monitor,alert_value,target_resource,first_transition_s,worst_alert_value,transitions,rule,behind,sample_values\n\
             cas1,IMAP,AverageCommandProcessingTimeGt60sMonitor,Unhealthy,MSExchangeImap4,2.000,Unhealthy,2.0s Degraded; 3.0s Unhealthy,rule,\"mbx1 {EVIL}\",\n\
             mbx1,IMAP,RequestsQueuedGt500Monitor,Healthy,MSExchangeImap4BE,,Healthy,,rule,,\n"
        ),
    )
    .unwrap();
}

/// The points of the longest data line (`<path class="series">`) in `fig`.
fn longest_line(fig: &str) -> usize {
    (fig.split(r#"<path class="series" d=""#).skip(1))
        .map(|p| p[..p.find('"').unwrap_or(0)].matches(['M', 'L']).count())
        .max()
        .unwrap_or(0)
}

#[test]
fn page_has_every_chart_and_fetches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    results_dir(dir.path(), "quick");
    let page = render(dir.path()).unwrap();
    for id in [
        "latency-cas1",
        "latency-mbx1",
        "throughput",
        "queue",
        "sessions",
        "monitors",
    ] {
        let at = page
            .find(&format!(r#"<figure class="chart" id="{id}">"#))
            .unwrap_or_else(|| panic!("no chart {id}"));
        let fig = &page[at..at + page[at..].find("</figure>").unwrap()];
        assert!(fig.contains("<svg") && fig.contains("<figcaption>"), "{id}");
        // Data, not a frame or a shaded stretch: a lane of the timeline, or a line of
        // every interval (4 in the fixture: one move and three draws).
        let drawn = match id {
            "monitors" => fig.matches(r#"<rect class="state""#).count(),
            _ => longest_line(fig),
        };
        let want = if id == "monitors" { 2 } else { 4 };
        assert!(drawn >= want, "{id} draws {drawn} of {want}");
    }
    // Faults are drawn on the latency charts.
    let lat = &page[page.find(r#"id="latency-mbx1""#).unwrap()..];
    assert!(lat[..lat.find("</figure>").unwrap()].contains(r#"class="fault""#));
    // Nothing is loaded from anywhere: no src/href pointing off the page, and the one
    // script is the page's own, inline.
    let lower = page.to_ascii_lowercase();
    for bad in [
        "src=",
        "href=",
        "<link",
        "@import",
        "url(",
        "fetch(",
        "xmlhttprequest",
    ] {
        assert!(!lower.contains(bad), "page contains {bad}");
    }
    assert_eq!(lower.matches("<script").count(), 1, "one script");
    assert!(page.contains(&format!("<script>{}</script>", super::SCRIPT)));
    assert!(
        page.contains("Get-ServerHealth")
            && page.contains("AverageCommandProcessingTimeGt60sMonitor")
    );
    assert!(page.contains("worst command p99"));
}

#[test]
fn names_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    results_dir(dir.path(), EVIL);
    let page = render(dir.path()).unwrap();
    assert!(!page.contains(EVIL), "unescaped markup in page");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[test]
fn write_is_atomic_and_replaces_the_page() {
    let dir = tempfile::tempdir().unwrap();
    results_dir(dir.path(), "quick");
    std::fs::write(dir.path().join(crate::results::files::REPORT_HTML), "old").unwrap();
    let path = write(dir.path()).unwrap();
    assert_eq!(path, dir.path().join(crate::results::files::REPORT_HTML));
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .starts_with("<!DOCTYPE html>"));
    // Only the page is added: no temp file is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 6, "{names:?}");
}

#[test]
fn missing_csvs_still_render_and_missing_run_json_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    assert!(render(dir.path()).is_err());
    std::fs::write(dir.path().join(crate::results::files::RUN_JSON), "{}").unwrap();
    let page = render(dir.path()).unwrap();
    for id in ["monitors", "throughput", "errors", "queue", "sessions"] {
        assert!(
            page.contains(&format!(r#"<figure class="chart" id="{id}">"#)),
            "no chart {id} without the CSVs"
        );
    }
    assert!(page.trim_end().ends_with("</html>"), "a whole page");
    // A run.json that names servers, still without any CSV: each server has its chart.
    results_dir(dir.path(), "quick");
    use crate::results::files::{HEALTH_CSV, QUEUE_CSV, SUMMARY_CSV, TIMESERIES_CSV};
    for name in [SUMMARY_CSV, TIMESERIES_CSV, QUEUE_CSV, HEALTH_CSV] {
        std::fs::remove_file(dir.path().join(name)).unwrap();
    }
    let page = render(dir.path()).unwrap();
    for id in ["latency-cas1", "latency-mbx1", "queue", "monitors"] {
        assert!(page.contains(&format!(r#"id="{id}""#)), "no chart {id}");
    }
    assert!(page.contains("quick") && page.trim_end().ends_with("</html>"));
}

#[test]
fn errors_by_cause_come_from_run_json_and_older_results_have_none() {
    let dir = tempfile::tempdir().unwrap();
    results_dir(dir.path(), "quick");
    let page = render(dir.path()).unwrap();
    assert!(
        !page.contains("Errors by cause"),
        "no error_causes key, no table"
    );
    let path = dir.path().join(crate::results::files::RUN_JSON);
    let mut run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    run["error_causes"] = serde_json::json!([{"path": "cas", "server": "cas1", "backend": "mbx1",
        "command": "NOOP", "reason": "no", "count": 1, "message": format!("denied {EVIL}")}]);
    std::fs::write(&path, run.to_string()).unwrap();
    let page = render(dir.path()).unwrap();
    assert!(page.contains("<h2>Errors by cause</h2>"));
    assert!(page.contains("denied &lt;script&gt;"), "message escaped");
    assert!(!page.contains(EVIL));
}

#[test]
fn warmup_cooldown_and_a_partial_interval_are_shaded_and_said() {
    let dir = tempfile::tempdir().unwrap();
    results_dir(dir.path(), "quick");
    let path = dir.path().join(crate::results::files::RUN_JSON);
    let mut run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    run["window"] = serde_json::json!({"from": 1.0, "to": 3.0});
    run["plan"]["interval_s"] = serde_json::json!(1.0);
    std::fs::write(&path, run.to_string()).unwrap();
    // A drain interval of 0.3 s in a file written before the `partial` column.
    let ts = dir.path().join(crate::results::files::TIMESERIES_CSV);
    let mut text = std::fs::read_to_string(&ts).unwrap();
    text.push_str("4.000,4.300,direct,mbx1,mbx1,NOOP,2,2,0,2000,0,900,2000,3000\n");
    std::fs::write(&ts, text).unwrap();
    let page = render(dir.path()).unwrap();
    let at = page.find(r#"id="throughput""#).unwrap();
    let fig = &page[at..at + page[at..].find("</figure>").unwrap()];
    assert_eq!(fig.matches(r#"<rect class="excluded""#).count(), 2, "{fig}");
    assert!(fig.contains("warm-up: excluded from the verdict"), "{fig}");
    assert!(fig.contains("cool-down and drain: excluded from the verdict"));
    assert!(fig.contains(r#"<rect class="partial""#) && fig.contains("partial interval (0.30 s)"));
    // Without a window (older results) nothing is shaded as excluded.
    results_dir(dir.path(), "quick");
    assert!(!render(dir.path()).unwrap().contains(r#"class="excluded""#));
}

#[test]
fn percentiles_come_from_the_hlog_and_unusable_lines_are_said_not_fatal() {
    use crate::results::hlog::write::Hlog;
    use std::time::Duration;
    let dir = tempfile::tempdir().unwrap();
    results_dir(dir.path(), "quick");
    let file = dir.path().join(crate::results::files::LATENCY_HLOG);
    let mut log = Hlog::create(&file, std::time::SystemTime::now()).unwrap();
    let mut slowest = crate::results::hlog::read::empty();
    for i in 0..4u64 {
        let mut h = crate::results::hlog::read::empty();
        for v in [900 * (i + 1), 1000, 40_000 * i] {
            h.record(v).unwrap();
        }
        if i == 3 {
            slowest = h.clone();
        }
        let at = Duration::from_secs(i);
        log.write("cas.cas1.mbx1.NOOP", &h, at, Duration::from_secs(1));
    }
    log.flush();
    let mut text = std::fs::read_to_string(&file).unwrap();
    let good = text.lines().last().unwrap().to_string();
    text.push_str("Tag=cas.cas1.mbx1.NOOP,3.000,1.000,1.0,not-base64!\n");
    text.push_str(&good.replace("cas.cas1.mbx1.NOOP", "cas.elsewhere.mbx9.NOOP"));
    text.push('\n');
    text.push_str(&good.replace(",3.000,", ",0.000,"));
    text.push('\n');
    std::fs::write(&file, text).unwrap();
    let page = render(dir.path()).unwrap();
    let fig = &page[page.find(r#"id="latency-cas1""#).unwrap()..];
    assert!(fig[..fig.find("</figure>").unwrap()].contains("<title>p99</title>"));
    assert!(
        !page.contains("worst command p99"),
        "exact, not the upper bound"
    );
    let table = &page[page.find(r#"id="slowest-cas1""#).unwrap()..];
    let first = &table[table
        .find("<tr data-from=\"3.000\"")
        .expect("3-4 s is slowest")..];
    let p99 = format!(r#"data-us="{}""#, slowest.value_at_quantile(0.99));
    assert!(
        first[..first.find("</tr>").unwrap()].contains(&p99),
        "{first}"
    );
    for said in [
        "left out of the percentiles: 1 histogram unreadable (the first at line 10: ",
        " of the interval at ",
        ": bad base64",
        "left out of the percentiles: 1 histogram out of time order",
        "left out of the percentiles: 1 histogram of rows that neither",
    ] {
        assert!(page.contains(said), "no note: {said}");
    }
}
