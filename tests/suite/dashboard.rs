//! `deploy/grafana/imapload.json` is a Grafana dashboard (the shape Grafana's
//! dashboard schema asks for) and every panel's query names only metrics the
//! live endpoint exports, so no panel stays empty for a misspelt name.

use std::collections::{BTreeMap, BTreeSet};

/// The dashboard as shipped.
pub fn dashboard() -> serde_json::Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/grafana/imapload.json");
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The server the dashboard's `$server` variable is set to in these tests.
pub const SERVER: &str = "mbx1";
/// The command its `$command` variable is set to (every session logs in).
pub const COMMAND: &str = "LOGIN";

/// Every panel's queries, with Grafana's variables set as a person would set
/// them: one server ([`SERVER`]), one command ([`COMMAND`]), a 10 s rate window.
pub fn queries(d: &serde_json::Value) -> Vec<String> {
    let panels = d["panels"].as_array().unwrap();
    (panels.iter())
        .flat_map(|p| p["targets"].as_array().unwrap().iter())
        .map(|t| {
            (t["expr"].as_str().unwrap())
                .replace("$__rate_interval", "10s")
                .replace("$server", SERVER)
                .replace("$command", COMMAND)
        })
        .collect()
}

/// The label names in a query: those its selectors match on (`{server=~"mbx1"}`)
/// and those it groups by (`by (le, server)`).
pub fn label_names(expr: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (open, close) in [("{", "}"), ("by (", ")")] {
        for part in expr.split(open).skip(1) {
            let inside = &part[..part.find(close).unwrap_or(part.len())];
            for matcher in inside.split(',') {
                let name = matcher.split(['=', '!', '~']).next().unwrap_or("").trim();
                if !name.is_empty() {
                    out.insert(name.to_string());
                }
            }
        }
    }
    out
}

/// The label names of each exported series, read from a scrape of a registry
/// in which every family holds one series with real label values.
fn exported_labels() -> BTreeMap<String, BTreeSet<String>> {
    use imapload::live::families::*;
    let f = Families::default();
    let row = RowLabels {
        path: "cas".into(),
        server: "cas1".into(),
        backend: SERVER.into(),
        command: COMMAND.into(),
    };
    f.commands.get_or_create(&row).inc();
    let _ = f.errors.get_or_create(&ErrorLabels {
        path: row.path.clone(),
        server: row.server.clone(),
        backend: row.backend.clone(),
        command: row.command.clone(),
        reason: "no".into(),
    });
    let _ = f.latency.get_or_create(&row);
    let _ = f.service.get_or_create(&row);
    let server = ServerLabels {
        server: SERVER.into(),
    };
    for g in [&f.queue, &f.server_queued, &f.server_busy] {
        let _ = g.get_or_create(&server);
    }
    for g in [&f.queue_max, &f.server_workers, &f.server_connections] {
        let _ = g.get_or_create(&server);
    }
    let _ = f.server_commands.get_or_create(&server);
    let monitor = MonitorLabels {
        server: SERVER.into(),
        monitor: "RequestsQueuedGt500Monitor".into(),
    };
    for g in [&f.monitor_value, &f.monitor_threshold] {
        let _ = g.get_or_create(&monitor);
    }
    for g in [&f.monitor_state, &f.monitor_over] {
        let _ = g.get_or_create(&monitor);
    }
    let threshold = ThresholdLabels {
        threshold: "errors.rate <= 1%".into(),
    };
    let _ = f.threshold_passing.get_or_create(&threshold);
    let _ = f.threshold_measured.get_or_create(&threshold);
    f.personas.placeholders();
    let run = RunLabels {
        scenario: "s".into(),
        seed: "1".into(),
        shard: "1/1".into(),
    };
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &f.register(Some(run))).unwrap();
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for s in super::live_metrics::samples(&text) {
        out.entry(s.name).or_default().extend(s.labels.into_keys());
    }
    out
}

/// Every label a query names is a label of a metric it names (`le` of a
/// histogram's buckets included), so no selector or grouping is on nothing.
fn check_label_names(title: &str, expr: &str, exported: &BTreeMap<String, BTreeSet<String>>) {
    let names = metric_names(expr);
    let labels: BTreeSet<&String> = names.iter().flat_map(|n| &exported[n]).collect();
    for l in label_names(expr) {
        assert!(
            labels.contains(&l),
            "{title}: `{expr}` names label {l}, which none of {names:?} has ({labels:?})"
        );
    }
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
    let labels = exported_labels();
    assert_eq!(
        labels.keys().collect::<BTreeSet<_>>(),
        exported.iter().collect(),
        "every family has its series"
    );
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
            check_label_names(title, expr, &labels);
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
