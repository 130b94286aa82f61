//! `--metrics-listen` on a population run: the `imapload_persona_*`
//! families, one series per persona (and per new-mail trigger), updated
//! while the run goes.

use std::collections::BTreeMap;
use std::time::Duration;

use super::live_metrics::{http_get, samples, start_with_metrics, Sample};
use super::support::exclusive;

/// The persona families a scrape must hold, with their labels.
const FAMILIES: &[(&str, &[&str])] = &[
    ("imapload_persona_users", &["persona"]),
    ("imapload_persona_devices", &["persona"]),
    ("imapload_persona_connections", &["persona"]),
    ("imapload_persona_connections_opened_total", &["persona"]),
    ("imapload_persona_commands_total", &["persona"]),
    ("imapload_persona_errors_total", &["persona"]),
    (
        "imapload_persona_latency_seconds_bucket",
        &["persona", "le"],
    ),
    ("imapload_persona_latency_seconds_count", &["persona"]),
    ("imapload_persona_exists_pushed_total", &["persona"]),
    (
        "imapload_persona_new_mail_fetches_total",
        &["persona", "trigger"],
    ),
    ("imapload_persona_reads_total", &["persona"]),
    ("imapload_persona_sends_total", &["persona"]),
    ("imapload_persona_deliveries_total", &["persona"]),
];

/// `name`'s value per persona (the one series each has).
fn by_persona(found: &[Sample], name: &str) -> BTreeMap<String, f64> {
    (found.iter().filter(|s| s.name == name))
        .map(|s| (s.labels["persona"].clone(), s.value))
        .collect()
}

#[test]
fn a_population_run_serves_each_personas_series_while_it_goes() {
    let _alone = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "run",
        "--persona",
        "thunderbird=50,ios=50",
        "--time-scale",
        // iOS's first session falls anywhere in its first 15 client
        // minutes: 1.5 s here, well before the scrape.
        "600",
        "-d",
        "8s",
        "-s",
        "6",
        "--quiet",
        "--out",
        "r",
        "--metrics-listen",
        "127.0.0.1:0",
    ];
    let (_child, addr) = start_with_metrics(dir.path(), &args, "live metrics at ");
    std::thread::sleep(Duration::from_secs(4));
    let (status, body) = http_get(&addr, "/metrics").unwrap();
    assert_eq!(status, "HTTP/1.1 200 OK");
    let found = samples(&body);
    for (family, labels) in FAMILIES {
        let series: Vec<&Sample> = found.iter().filter(|s| s.name == *family).collect();
        assert!(!series.is_empty(), "no {family} in the scrape");
        for l in *labels {
            assert!(
                series.iter().all(|s| s.labels.contains_key(*l)),
                "{family} without label {l}"
            );
        }
    }
    let personas = ["ios", "thunderbird"];
    let commands = by_persona(&found, "imapload_persona_commands_total");
    assert_eq!(
        commands.keys().collect::<Vec<_>>(),
        personas,
        "{commands:?}"
    );
    assert!(commands.values().all(|&v| v > 0.0), "{commands:?}");
    let users = by_persona(&found, "imapload_persona_users");
    assert_eq!(users.values().sum::<f64>(), 6.0, "every user: {users:?}");
    // Thunderbird keeps its connections open for the whole run.
    let open = by_persona(&found, "imapload_persona_connections");
    assert!(open["thunderbird"] > 0.0, "{open:?}");
    // Every command is in the latency histogram (read a moment after the
    // count, so a command done in between may be in one and not the other).
    let latency = by_persona(&found, "imapload_persona_latency_seconds_count");
    for (p, c) in &commands {
        let l = latency[p];
        assert!(
            (l - c).abs() <= 0.1 * c + 2.0,
            "{p}: {l} timed, {c} commands"
        );
    }
    let triggers: Vec<(String, String)> = (found.iter())
        .filter(|s| s.name == "imapload_persona_new_mail_fetches_total")
        .map(|s| (s.labels["persona"].clone(), s.labels["trigger"].clone()))
        .collect();
    for p in personas {
        for t in ["idle", "poll"] {
            let want = (p.to_string(), t.to_string());
            assert!(triggers.contains(&want), "{want:?} in {triggers:?}");
        }
    }
}
