//! Sharded runs: N shards of a scenario run as separate processes of the real
//! binary, merged, add up to exactly the sum of the shards, and the merge's
//! monitor verdicts equal those of the scenario run whole. Bad `--shard`
//! values and incomplete sets of shards are input errors (exit 2).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use imapload::results::RunRecord;

use crate::support::{bin, exclusive, imapload, read_csv, run_json};

/// mbx2 answers every command 400 ms late from the start. Its
/// AverageCommandProcessingTime (about 400 ms) and the CAS's in front of it
/// (about 100-200 ms) end Unhealthy far above the 40 ms threshold; mbx1 (a few
/// ms) and every other monitor stay Healthy. With 2 s samples, no escalation
/// delay and a 6 s run that drains by about 7.2 s, the verdict rests on the
/// complete samples [2,4) and [4,6), well away from the ragged end of a run.
/// A fixed delay (not `slow`, whose heavy tail can hold the drain for seconds)
/// and enough workers (no queueing) keep the drain short.
const SCENARIO: &str = r#"
name = "sharded"
seed = 7
duration = "6s"
[topology]
kind = "embedded"
cas = 1
backends = 2
messages_per_mailbox = 20
workers_per_backend = 64
[users]
count = 200
[load]
sessions = 30
cas_share = 0.5
[session]
commands = [3, 8]
think_time = { dist = "exponential", mean = "20ms" }
command_timeout = "10s"
idle_duration = "10ms"
[monitors]
sample_period = "2s"
escalation_delay = "0s"
[monitors.command_time]
threshold = "40ms"
[monitors.requests_queued]
threshold = 1000
[probes]
interval_scale = 0.02
[thresholds]
checks = ["commands.count(*) >= 1", "p99(*) < 1h"]
[[faults]]
server = "mbx2"
at = "0s"
delay = "400ms"
"#;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `summary.csv` as (path.server.backend.command) -> (count, errors).
fn counts(dir: &Path) -> BTreeMap<String, (u64, u64)> {
    let (header, rows) = read_csv(&dir.join("summary.csv"));
    assert_eq!(
        &header[..6],
        ["path", "server", "backend", "command", "count", "errors"]
    );
    rows.iter()
        .map(|r| {
            (
                r[..4].join("."),
                (r[4].parse().unwrap(), r[5].parse().unwrap()),
            )
        })
        .collect()
}

/// `health.csv` as (server, monitor) -> final alert value.
fn verdicts(dir: &Path) -> BTreeMap<(String, String), String> {
    let (_, rows) = read_csv(&dir.join("health.csv"));
    rows.iter()
        .map(|r| ((r[0].clone(), r[2].clone()), r[3].clone()))
        .collect()
}

fn add(into: &mut BTreeMap<String, (u64, u64)>, from: &BTreeMap<String, (u64, u64)>) {
    for (k, (c, e)) in from {
        let t = into.entry(k.clone()).or_default();
        t.0 += c;
        t.1 += e;
    }
}

#[test]
fn three_shards_merged_add_up_exactly_and_judge_like_the_whole_run() {
    let _alone = exclusive();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("s.toml"), SCENARIO).unwrap();
    run_shards_then_whole(d);
    let merged = imapload(
        d,
        &["merge", "s1", "s2", "s3", "--out", "merged", "--quiet"],
    );
    assert_eq!(merged.status.code(), Some(3), "{}", stderr(&merged));
    assert_counts_add_up(d);
    assert_causes_and_histograms_add_up(d);
    assert_merge_describes_the_whole_scenario(d);
    assert_thresholds_judged_again(d);
    assert_monitors_judged_like_the_whole_run(d);
    assert_missing_or_mixed_shards_refused(d);
}

/// Runs `s.toml` in `d` as shards s1..s3 at once, as a Job's pods would;
/// then whole, alone.
fn run_shards_then_whole(d: &Path) {
    let run = |extra: &[&str], out: &str| {
        let mut args = vec!["run", "s.toml", "--quiet", "--out", out];
        args.extend_from_slice(extra);
        Command::new(bin())
            .args(&args)
            .current_dir(d)
            .spawn()
            .unwrap()
    };
    // The shards run at once, as a Job's pods would; then the whole run alone.
    let shards: Vec<_> = (1..=3)
        .map(|k| run(&["--shard", &format!("{k}/3")], &format!("s{k}")))
        .collect();
    for mut child in shards {
        // A shard's own verdict may fall either way: it has a third of the load.
        let code = child.wait().unwrap().code();
        assert!(matches!(code, Some(0 | 3)), "a shard failed: {code:?}");
    }
    let whole = run(&[], "whole").wait_with_output().unwrap();
    assert_eq!(whole.status.code(), Some(3));
}

/// Every row of the merge is exactly the sum of the shards' rows, and so
/// are the totals.
fn assert_counts_add_up(d: &Path) {
    let mut sum = BTreeMap::new();
    for k in 1..=3 {
        add(&mut sum, &counts(&d.join(format!("s{k}"))));
    }
    assert_eq!(counts(&d.join("merged")), sum);
    assert!(sum.len() > 40, "too few rows to mean much: {}", sum.len());
    let (m, shards) = (
        run_json(&d.join("merged")),
        (1..=3).map(|k| run_json(&d.join(format!("s{k}")))),
    );
    let shards: Vec<RunRecord> = shards.collect();
    let commands: u64 = shards.iter().map(|s| s.totals.commands).sum();
    assert_eq!(m.totals.commands, commands);
    let started: u64 = shards.iter().map(|s| s.sessions.tally.started).sum();
    assert_eq!(m.sessions.tally.started, started);
}

/// The error causes and the latency histograms were added too.
fn assert_causes_and_histograms_add_up(d: &Path) {
    // The error causes were added: per row and reason, the merged counts
    // (kept messages plus `other`) are the shards' summed.
    let cause_counts = |dir: &Path| {
        let mut by: BTreeMap<String, u64> = BTreeMap::new();
        for c in crate::causes::causes_of(dir) {
            let key = [c.path, c.server, c.backend, c.command, c.reason].join(".");
            *by.entry(key).or_default() += c.count;
        }
        by
    };
    let mut cause_sum: BTreeMap<String, u64> = BTreeMap::new();
    for k in 1..=3 {
        for (key, n) in cause_counts(&d.join(format!("s{k}"))) {
            *cause_sum.entry(key).or_default() += n;
        }
    }
    assert_eq!(cause_counts(&d.join("merged")), cause_sum);
    // The histograms were added too: the merged log holds every command.
    let hlog_len = |dir: &Path| -> u64 {
        let h = imapload::results::hlog::whole::read(dir, true)
            .expect("latency.hlog")
            .by_tag;
        h.values().map(|h| h.len()).sum()
    };
    let shard_hlogs: u64 = (1..=3).map(|k| hlog_len(&d.join(format!("s{k}")))).sum();
    assert_eq!(hlog_len(&d.join("merged")), shard_hlogs);
}

/// The merge's `run.json` describes the whole scenario and its shards.
fn assert_merge_describes_the_whole_scenario(d: &Path) {
    let (m, shard_json) = (run_json(&d.join("merged")), |k| {
        run_json(&d.join(format!("s{k}")))
    });
    assert_eq!(m.plan.load.sessions, 30);
    assert_eq!(m.plan.users, 200);
    assert_eq!(m.seed, Some(7));
    let shards = m.shards.expect("a merge names its shards");
    assert_eq!(shards.count, 3);
    assert_eq!(shards.parts.len(), 3);
    let parts: usize = (1..=3).map(|k| shard_json(k).plan.users).sum();
    assert_eq!(parts, 200, "user blocks must cover the users exactly");
}

/// Thresholds are judged again on the merge: the shards' own, on the merged
/// histograms (commands in the window add up exactly), plus the merge's flags.
fn assert_thresholds_judged_again(d: &Path) {
    let (m, shard_json) = (run_json(&d.join("merged")), |k| {
        run_json(&d.join(format!("s{k}")))
    });
    let measured = |v: &RunRecord, expr: &str| -> f64 {
        let list = &v.verdict.as_ref().expect("a verdict").thresholds;
        let t = list.iter().find(|t| t.expression == expr);
        let t = t.unwrap_or_else(|| panic!("no {expr}: {list:?}"));
        t.measured.unwrap_or_else(|| panic!("{expr}: no data"))
    };
    let count = "commands.count(*) >= 1";
    let shard_counts: f64 = (1..=3).map(|k| measured(&shard_json(k), count)).sum();
    assert_eq!(measured(&m, count), shard_counts);
    assert!(measured(&m, "p99(*) < 1h") > 0.0);
    let flagged = imapload(
        d,
        &[
            "merge",
            "s1",
            "s2",
            "s3",
            "--out",
            "flagged",
            "--quiet",
            "--threshold",
            "p99(*) < 1us",
        ],
    );
    assert_eq!(flagged.status.code(), Some(5), "{}", stderr(&flagged));
}

/// Monitor verdicts: the same on the merge as on the whole run.
fn assert_monitors_judged_like_the_whole_run(d: &Path) {
    let (merged_v, whole_v) = (verdicts(&d.join("merged")), verdicts(&d.join("whole")));
    assert_eq!(merged_v, whole_v);
    let unhealthy: Vec<_> = merged_v.iter().filter(|(_, v)| *v == "Unhealthy").collect();
    assert_eq!(unhealthy.len(), 2, "{merged_v:?}");
    assert!(merged_v.len() >= 12, "probe monitors missing: {merged_v:?}");
}

/// A missing shard is named, and nothing is written; --allow-missing merges
/// the rest; the same shard twice, or a shard with a whole run, is refused.
fn assert_missing_or_mixed_shards_refused(d: &Path) {
    let partial = imapload(d, &["merge", "s1", "s3", "--out", "partial"]);
    assert_eq!(partial.status.code(), Some(2));
    let err = stderr(&partial);
    assert!(
        err.contains("2/3") && err.contains("--allow-missing"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(!d.join("partial").exists());
    let partial = imapload(
        d,
        &[
            "merge",
            "s1",
            "s3",
            "--out",
            "partial",
            "--allow-missing",
            "-q",
        ],
    );
    assert!(partial.status.code() == Some(3), "{}", stderr(&partial));
    let mut two = counts(&d.join("s1"));
    add(&mut two, &counts(&d.join("s3")));
    assert_eq!(counts(&d.join("partial")), two);
    // The same shard twice, or a shard with a whole run, is refused.
    let twice = imapload(d, &["merge", "s1", "s1", "s2", "--out", "x"]);
    assert_eq!(twice.status.code(), Some(2), "{}", stderr(&twice));
    let mixed = imapload(d, &["merge", "s1", "whole", "--out", "x"]);
    assert_eq!(mixed.status.code(), Some(2), "{}", stderr(&mixed));
    assert!(stderr(&mixed).contains("--shard K/N"), "{}", stderr(&mixed));
    assert!(!d.join("x").exists());
}

#[test]
fn bad_shard_values_exit_2_with_one_line_and_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    for bad in ["3/2", "0/2", "1/0", "abc"] {
        let out = tmp.path().join("r");
        let o = Command::new(bin())
            .args([
                "run",
                "--quiet",
                "--duration",
                "1s",
                "--shard",
                bad,
                "--out",
            ])
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "--shard {bad}");
        let err = stderr(&o);
        assert_eq!(err.trim().lines().count(), 1, "--shard {bad}: {err}");
        assert!(
            err.contains("--shard") && err.contains("1 <= K <= N"),
            "{err}"
        );
        assert!(err.contains(&format!("`{bad}`")), "{err}");
        let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert!(left.is_empty(), "--shard {bad} left {left:?}");
    }
}
