//! `imapload replay` of imapload's own `--protocol-log`: a run's logs of every
//! session, replayed at the speed they were written, reproduce the run's
//! per-command counts, and send nothing the run did not.

use std::collections::BTreeMap;
use std::path::Path;

use crate::replay::{check_counts, replay, replay_rows};
use crate::support::*;

/// The per-command counts of a run's first-hop rows (each command once): the
/// direct rows and the rows of a CAS (not those of the back end behind it).
fn first_hop_counts(results: &Path) -> BTreeMap<String, u64> {
    let cas = run_json(results).servers.cas_names();
    let bytes = std::fs::read(results.join("summary.csv")).expect("summary.csv");
    let rows = imapload::results::summary::from_csv(&bytes).unwrap();
    let mut counts = BTreeMap::new();
    for row in rows
        .iter()
        .filter(|r| r.path == "direct" || cas.contains(&r.server))
    {
        *counts.entry(row.command.clone()).or_insert(0) += row.count;
    }
    counts
}

#[test]
fn a_replayed_protocol_log_reproduces_the_runs_counts() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    std::fs::write(&scenario, embedded_scenario(20, "4s", "")).unwrap();
    let (original, replayed, logs) = (
        dir.path().join("original"),
        dir.path().join("replayed"),
        dir.path().join("plog"),
    );
    let s = scenario.to_str().unwrap();
    {
        let _alone = exclusive();
        let o = imapload(
            dir.path(),
            &[
                "run",
                s,
                "-q",
                "--out",
                original.to_str().unwrap(),
                "--protocol-log",
                logs.to_str().unwrap(),
                "--protocol-log-sample",
                "1",
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    }
    let o = replay(
        dir.path(),
        &[
            "replay",
            logs.to_str().unwrap(),
            "--scenario",
            s,
            "--speed",
            "1",
            "--out",
            replayed.to_str().unwrap(),
        ],
    );
    let (want, got) = (first_hop_counts(&original), first_hop_counts(&replayed));
    // Every command of either side: the replay sends nothing the run did not.
    for cmd in want.keys().chain(got.keys()) {
        let (n, m) = (
            &want.get(cmd).copied().unwrap_or(0),
            got.get(cmd).copied().unwrap_or(0),
        );
        assert!(
            (m as f64 - *n as f64).abs() <= (0.05 * *n as f64).max(1.0),
            "{cmd}: run {n}, replay {m}\nrun {want:?}\nreplay {got:?}\n{}",
            text(&o)
        );
    }
    let rows = replay_rows(&replayed);
    check_counts(&rows, &[], &text(&o));
}
