//! The commands added beside RFC 3501's base set (UNSELECT, ID, ...) run with
//! zero errors, each on its own row, against the embedded topology and
//! against a real Dovecot.

use imapload::plan::Overrides;

use crate::dovecot::Dovecot;
use crate::support::*;

/// The mix keys of the added commands; each must get a row.
const NEW: [&str; 9] = [
    "UNSELECT",
    "ID",
    "NAMESPACE",
    "UID_EXPUNGE",
    "ENABLE",
    "MOVE",
    "CREATE",
    "RENAME",
    "DELETE",
];

/// The folder-management commands among [`NEW`]: weight 1, as on a real client.
const LIGHT: [&str; 3] = ["CREATE", "RENAME", "DELETE"];

/// A scenario whose mix is only the added commands (plus the reads they
/// need a selected mailbox for), short and with no think time.
fn scenario(topology: &str, cas_share: f64) -> String {
    let weight = |k: &str| if LIGHT.contains(&k) { 1 } else { 3 };
    let mix: String = NEW
        .iter()
        .map(|k| format!("{k} = {}\n", weight(k)))
        .collect();
    format!(
        "duration = \"4s\"\n{topology}\n[users]\ncount = 20\n[load]\nsessions = 10\ncas_share = {cas_share}\n\
         [session]\ncommands = [10, 20]\nthink_time = {{ dist = \"none\" }}\n\
         [session.mix]\n{mix}FETCH_FLAGS = 2\nSELECT = 2\n"
    )
}

/// Runs `text` and checks zero errors and a row for every added command.
async fn zero_errors_every_row(text: &str, overrides: Overrides, log: impl Fn() -> String) {
    let path = std::path::Path::new("commands.toml");
    let plan = imapload::plan::load_str(text, path, &overrides).unwrap();
    let report = run(plan).await;
    let bad: Vec<_> = report
        .rows
        .iter()
        .filter(|(_, r)| r.error_count() > 0)
        .collect();
    assert!(bad.is_empty(), "errors: {bad:#?}\n{}", log());
    let missing: Vec<_> = NEW
        .iter()
        .filter(|c| !report.rows.keys().any(|k| k.command.label() == **c))
        .collect();
    assert!(missing.is_empty(), "commands without a row: {missing:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_added_commands_run_against_the_embedded_topology_with_zero_errors() {
    let dir = tempfile::tempdir().unwrap();
    let text = scenario(
        "[topology]\nkind = \"embedded\"\ncas = 1\nbackends = 2",
        0.8,
    );
    zero_errors_every_row(&text, quiet_out(dir.path()), String::new).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_added_commands_run_against_dovecot_with_zero_errors() {
    let dir = tempfile::tempdir().unwrap();
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
    zero_errors_every_row(&text, overrides, || dovecot.log()).await;
}
