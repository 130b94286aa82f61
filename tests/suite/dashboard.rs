//! `deploy/grafana/imapload.json` is a Grafana dashboard (the shape Grafana's
//! dashboard schema asks for) and every panel's query names only metrics the
//! live endpoint exports, so no panel stays empty for a misspelt name.

use std::collections::BTreeSet;

/// The dashboard as shipped.
pub fn dashboard() -> serde_json::Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/grafana/imapload.json");
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every panel's queries, with Grafana's variables replaced by what they
/// stand for (all servers and commands, a 10 s rate window).
pub fn queries(d: &serde_json::Value) -> Vec<String> {
    let panels = d["panels"].as_array().unwrap();
    (panels.iter())
        .flat_map(|p| p["targets"].as_array().unwrap().iter())
        .map(|t| {
            (t["expr"].as_str().unwrap())
                .replace("$__rate_interval", "10s")
                .replace("$server", ".*")
                .replace("$command", ".*")
        })
        .collect()
}

/// The `imapload_...` names in a query.
fn metric_names(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = expr;
    while let Some(at) = rest.find("imapload_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        out.push(tail[..end].to_string());
        rest = &tail[end..];
    }
    out
}

#[test]
fn the_grafana_dashboard_has_grafanas_shape_and_queries_only_exported_metrics() {
    let d = dashboard();
    assert_eq!(d["title"], "imapload");
    assert!(d["schemaVersion"].as_u64().unwrap() >= 30, "schemaVersion");
    assert!(d["uid"].is_string() && d["templating"]["list"].is_array());
    let exported: BTreeSet<String> = imapload::live::families::every_name().into_iter().collect();
    let panels = d["panels"].as_array().unwrap();
    assert!(panels.len() >= 8, "{} panels", panels.len());
    let mut ids = BTreeSet::new();
    let mut used = BTreeSet::new();
    for p in panels {
        let title = p["title"].as_str().expect("every panel has a title");
        assert!(
            ids.insert(p["id"].as_u64().unwrap()),
            "{title}: duplicate id"
        );
        assert!(
            ["timeseries", "state-timeline", "table", "stat"]
                .contains(&p["type"].as_str().unwrap()),
            "{title}: type {}",
            p["type"]
        );
        for k in ["x", "y", "w", "h"] {
            let v = p["gridPos"][k]
                .as_u64()
                .unwrap_or_else(|| panic!("{title}: gridPos.{k}"));
            assert!(
                k != "w" || (1..=24).contains(&v),
                "{title}: width {v} of 24"
            );
        }
        let targets = p["targets"].as_array().expect("targets");
        assert!(!targets.is_empty(), "{title}: no query");
        for t in targets {
            let expr = t["expr"].as_str().expect("expr");
            let names = metric_names(expr);
            assert!(
                !names.is_empty(),
                "{title}: `{expr}` names no imapload metric"
            );
            for n in names {
                assert!(
                    exported.contains(&n),
                    "{title}: `{n}` is not exported (exported: {exported:?})"
                );
                used.insert(n);
            }
        }
    }
    // What the issue asks to see: latency from the histograms (both kinds), throughput,
    // errors by reason, queue depth, monitor states and sessions.
    for n in [
        "imapload_latency_seconds_bucket",
        "imapload_service_seconds_bucket",
        "imapload_commands_total",
        "imapload_errors_total",
        "imapload_queue_depth",
        "imapload_monitor_state",
        "imapload_sessions_active",
    ] {
        assert!(used.contains(n), "no panel shows {n}");
    }
    assert!(queries(&d)
        .iter()
        .any(|q| q.contains("histogram_quantile(0.99")));
}

#[test]
fn the_prometheus_example_scrapes_the_default_port() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/deploy/prometheus/prometheus.yml"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let docs = yaml_rust2::YamlLoader::load_from_str(&text).unwrap();
    let jobs = docs[0]["scrape_configs"].as_vec().unwrap();
    let imapload = &jobs[0];
    assert_eq!(imapload["job_name"].as_str(), Some("imapload"));
    let target = imapload["static_configs"][0]["targets"][0]
        .as_str()
        .unwrap();
    let addr = imapload::plan::parse_listen(target).unwrap();
    assert_eq!(addr.port(), 9464);
}
