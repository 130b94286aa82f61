//! Every command the quickstart's mix documents (its `[session.mix]` keys,
//! the commented-out ones included) runs with zero errors, each on its own
//! row of `summary.csv` with a count above zero, against the embedded
//! topology and against a real Dovecot, and sent on the wire as its own
//! command (read back from imapload's protocol log); and every mixable kind
//! is documented there. A new command is covered by adding its mix line.

use std::collections::BTreeMap;
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

/// The kind a command line of imapload's protocol log is (`a12 UID FETCH 1:*
/// (UID FLAGS)` is `UID_FETCH`): its verb, for FETCH the items asked for,
/// and for LIST its return options.
fn kind_of(line: &str) -> Option<String> {
    let (tag, command) = line.split_once(' ')?;
    let digits = tag.strip_prefix('a')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None; // a literal's line or a SASL answer, not a command
    }
    let mut words = command.split(' ');
    let verb = words.next()?.to_ascii_uppercase();
    let items = command.to_ascii_uppercase();
    Some(match verb.as_str() {
        "UID" => format!("UID_{}", words.next()?.to_ascii_uppercase()),
        "FETCH" if items.contains("BODY.PEEK[]<") => "FETCH_PARTIAL".into(),
        "FETCH" if items.contains("BODY.PEEK[HEADER]") => "FETCH_HEADERS".into(),
        "FETCH" if items.contains("BODY[]") => "FETCH_BODY".into(),
        "FETCH" if items.contains("FLAGS") => "FETCH_FLAGS".into(),
        "LIST" if items.contains("RETURN (SPECIAL-USE)") => "LIST_SPECIAL_USE".into(),
        _ => verb,
    })
}

/// Commands sent per kind, read from the wire: every client command line of
/// every session's protocol log in `logs`.
fn sent_per_kind(logs: &Path) -> BTreeMap<String, u64> {
    let mut sent = BTreeMap::new();
    for file in std::fs::read_dir(logs).unwrap() {
        let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
        for line in text
            .lines()
            .filter_map(|l| l.split_once(" C: ").map(|(_, c)| c))
        {
            if let Some(kind) = kind_of(line) {
                *sent.entry(kind).or_insert(0) += 1;
            }
        }
    }
    sent
}

/// Each mix kind went on the wire as its own command: the commands of each
/// kind in the protocol logs are those `summary.csv` counts for it on the
/// first hop (direct rows and CAS rows, each command once).
fn each_kind_sent_as_itself(out: &Path, logs: &Path) {
    let cas = run_json(out).servers.cas_names();
    let bytes = std::fs::read(out.join("summary.csv")).unwrap();
    let mut counted: BTreeMap<String, u64> = BTreeMap::new();
    let rows = imapload::results::summary::from_csv(&bytes).unwrap();
    for row in rows
        .iter()
        .filter(|r| r.path == "direct" || cas.contains(&r.server))
    {
        *counted.entry(row.command.clone()).or_insert(0) += row.count;
    }
    let sent = sent_per_kind(logs);
    for kind in quickstart_mix() {
        let (n, m) = (
            counted.get(&kind).copied().unwrap_or(0),
            sent.get(&kind).copied().unwrap_or(0),
        );
        assert!(
            n > 0 && n.abs_diff(m) <= (n / 50).max(2),
            "{kind}: {n} counted, {m} sent as {kind}\ncounted {counted:?}\nsent {sent:?}"
        );
    }
}

/// Runs `text` and checks that every mix key has commands and no errors in
/// `summary.csv`, that no row has errors, and that each went on the wire as
/// its own command.
async fn every_command_counted_without_errors(
    text: &str,
    overrides: Overrides,
    log: impl Fn() -> String,
) {
    let out = overrides.out.clone().unwrap();
    let logs = out.with_file_name("protocol-log");
    std::fs::create_dir_all(&logs).unwrap();
    let overrides = Overrides {
        protocol_log: Some(logs.clone()),
        protocol_log_sample: Some(1.0),
        ..overrides
    };
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
    each_kind_sent_as_itself(&report.dir, &logs);
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
