//! Every command the quickstart's mix documents (its `[session.mix]` keys,
//! the commented-out ones included) runs with zero errors, each on its own
//! row of `summary.csv` with a count above zero, against the embedded
//! topology and against a real Dovecot; and every mixable kind is
//! documented there. A new command is covered by adding its mix line.

use std::path::Path;

use imapload::command::CommandKind;
use imapload::plan::Overrides;
use imapload::results::summary::SummaryRow;

use crate::dovecot::Dovecot;
use crate::support::*;

/// The mix keys of `scenarios/quickstart.toml`, commented out or not.
fn quickstart_mix() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/quickstart.toml");
    let text = std::fs::read_to_string(path).unwrap();
    let section = text.split("[session.mix]").nth(1).unwrap();
    let section = section.split("\n[").next().unwrap();
    section
        .lines()
        .map(|l| l.trim_start_matches('#').trim_start())
        .filter_map(|l| l.split_once('='))
        .map(|(key, _)| key.trim())
        .filter(|key| !key.is_empty() && key.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .map(String::from)
        .collect()
}

#[test]
fn every_mixable_kind_is_in_the_quickstart_mix() {
    let mix = quickstart_mix();
    let missing: Vec<_> = CommandKind::ALL
        .into_iter()
        .filter(|k| k.mixable() && !mix.iter().any(|m| m == k.label()))
        .collect();
    assert!(missing.is_empty(), "not in quickstart's mix: {missing:?}");
    assert!(mix.iter().all(|m| CommandKind::from_label(m).is_some()));
}

/// A scenario whose mix is every quickstart mix key at the same weight,
/// short and with no think time.
fn scenario(topology: &str, cas_share: f64) -> String {
    let mix: String = quickstart_mix()
        .iter()
        .map(|k| format!("{k} = 1\n"))
        .collect();
    format!(
        "duration = \"5s\"\n{topology}\n[users]\ncount = 20\n[load]\nsessions = 12\ncas_share = {cas_share}\n\
         [session]\ncommands = [10, 20]\nidle_duration = \"100ms\"\nthink_time = {{ dist = \"none\" }}\n\
         [session.mix]\n{mix}"
    )
}

/// Commands and errors of one command over every row of `summary.csv`.
#[derive(Default, Debug)]
struct Tally {
    count: u64,
    errors: u64,
}

fn tally(summary: &Path, label: &str) -> Tally {
    let mut reader = csv::Reader::from_path(summary).unwrap();
    let mut t = Tally::default();
    for row in reader.deserialize::<SummaryRow>() {
        let row = row.unwrap();
        if row.command == label {
            t.count += row.count;
            t.errors += row.errors;
        }
    }
    t
}

/// Runs `text` and checks that every mix key has commands and no errors in
/// `summary.csv`, and that no row has errors.
async fn every_command_counted_without_errors(
    text: &str,
    overrides: Overrides,
    log: impl Fn() -> String,
) {
    let out = overrides.out.clone().unwrap();
    let path = Path::new("commands.toml");
    let plan = imapload::plan::load_str(text, path, &overrides).unwrap();
    let report = run(plan).await;
    assert!(
        report.rows.values().all(|r| r.errors == 0),
        "{}\n{}",
        error_rows(&report),
        log()
    );
    let summary = out.join("summary.csv");
    let tallies: Vec<_> = quickstart_mix()
        .into_iter()
        .map(|k| {
            let t = tally(&summary, &k);
            (k, t)
        })
        .collect();
    eprintln!("{tallies:?}");
    let wrong: Vec<_> = tallies
        .iter()
        .filter(|(_, t)| t.count == 0 || t.errors > 0)
        .collect();
    assert!(
        wrong.is_empty(),
        "commands without a count or with errors: {wrong:?}\n{}",
        log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_quickstart_commands_run_against_the_embedded_topology_with_zero_errors() {
    let dir = tempfile::tempdir().unwrap();
    let text = scenario(
        "[topology]\nkind = \"embedded\"\ncas = 1\nbackends = 2",
        0.8,
    );
    every_command_counted_without_errors(&text, quiet_out(dir.path()), String::new).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_quickstart_commands_run_against_dovecot_with_zero_errors() {
    let dir = tempfile::tempdir().unwrap();
    // Quota (RFC 9208) for the quota commands: a count quota every user is far from.
    let quota = "mail_plugins = $mail_plugins quota\nprotocol imap {\n  mail_plugins = $mail_plugins imap_quota\n}\n\
                 plugin {\n  quota = count:User quota\n  quota_rule = *:messages=100000\n  quota_vsizes = yes\n}\n";
    std::fs::write(dir.path().join("extra.conf"), quota).unwrap();
    let Some(dovecot) = Dovecot::start_with(dir.path(), None) else {
        return;
    };
    let users = dir.path().join("users.csv");
    let mut csv = String::from("user,password,backend\n");
    for i in 1..=20 {
        csv.push_str(&format!("cmd{i:02},secret,mbx1\n"));
    }
    std::fs::write(&users, csv).unwrap();
    let overrides = Overrides {
        backends: vec![format!("mbx1=imap://127.0.0.1:{}", dovecot.port)],
        users: Some(users),
        ..quiet_out(dir.path())
    };
    let text = scenario("", 0.0);
    every_command_counted_without_errors(&text, overrides, || dovecot.log()).await;
}
