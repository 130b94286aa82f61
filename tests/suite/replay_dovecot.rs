//! A rawlog captured from a real Dovecot (`rawlog_dir`) while a scripted
//! client (imapload's quickstart mix) runs against it, replayed at 20x
//! against the embedded topology. Skips when Dovecot is not installed,
//! unless IMAPLOAD_REQUIRE_DOVECOT=1.

use std::path::Path;

use crate::dovecot::Dovecot;
use crate::replay::{check_counts, check_length, replay_rows};
use crate::support::*;

/// The first and last timestamps of every rawlog file under `dir`.
fn rawlog_span(dir: &Path) -> (f64, usize) {
    let (mut first, mut last, mut files) = (f64::MAX, 0f64, 0);
    for user in std::fs::read_dir(dir).unwrap() {
        for f in std::fs::read_dir(user.unwrap().path()).unwrap() {
            let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
            files += 1;
            for line in text.lines() {
                if let Some(t) = line.split(' ').next().and_then(|t| t.parse::<f64>().ok()) {
                    first = first.min(t);
                    last = last.max(t);
                }
            }
        }
    }
    (last - first, files)
}

#[test]
fn a_dovecot_rawlog_captured_here_replays_at_20x_with_its_counts() {
    let dir = tempfile::tempdir().unwrap();
    let rawlog = dir.path().join("rawlog");
    for i in 1..=10 {
        std::fs::create_dir_all(rawlog.join(format!("rl{i:02}"))).unwrap();
    }
    // Dovecot's mail processes (possibly another user) write into it.
    std::process::Command::new("chmod")
        .args(["-R", "777"])
        .arg(&rawlog)
        .status()
        .unwrap();
    let extra = format!(
        "protocol imap {{\n  rawlog_dir = {}/%u\n}}\n",
        rawlog.display()
    );
    std::fs::write(dir.path().join("extra.conf"), extra).unwrap();
    let Some(dovecot) = Dovecot::start_with(dir.path(), None) else {
        return;
    };
    let users = dir.path().join("users.csv");
    let mut csv = String::from("user,password,backend\n");
    for i in 1..=10 {
        csv.push_str(&format!("rl{i:02},secret,dovecot\n"));
    }
    std::fs::write(&users, csv).unwrap();
    let scenario = dir.path().join("s.toml");
    let toml = embedded_scenario(5, "6s", "")
        .replace(
            "kind = \"embedded\"\ncas = 1\nbackends = 2\nmessages_per_mailbox = 20\n",
            "kind = \"real\"\n",
        )
        .replace("[users]\ncount = 200\n", "")
        .replace("cas_share = 0.5", "cas_share = 0.0")
        .replace(
            "think_time = { dist = \"exponential\", mean = \"20ms\" }",
            "think_time = { dist = \"exponential\", mean = \"300ms\" }",
        );
    std::fs::write(&scenario, toml).unwrap();
    let url = format!("dovecot=imap://127.0.0.1:{}", dovecot.port);
    {
        let _alone = exclusive();
        let out = dir.path().join("captured");
        let o = imapload(
            dir.path(),
            &[
                "run",
                scenario.to_str().unwrap(),
                "-q",
                "--backend",
                &url,
                "--users",
                users.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}\n{}", text(&o), dovecot.log());
    }
    drop(dovecot);
    let (span, files) = rawlog_span(&rawlog);
    assert!(
        files >= 10,
        "only {files} rawlog files in {}",
        rawlog.display()
    );
    let (o, out) = crate::replay::replay_at_20x(dir.path(), rawlog.to_str().unwrap());
    let rows = replay_rows(&out);
    check_counts(&rows, &["unknown-command"], &text(&o));
    check_length(&out, span, 20.0);
    assert!(
        rows.get("SELECT").is_some_and(|r| r.replayed > 0),
        "{rows:#?}"
    );
}
