//! End to end on the embedded topology (ephemeral loopback ports).

use std::collections::BTreeSet;

use imapload::command::CommandKind;
use imapload::plan::Overrides;
use imapload::results::run::Outcome;
use imapload::results::{ErrorReason, Path};
use imapload::sim::Topology;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_run_through_cas_and_direct_has_both_paths_and_no_errors() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan_from(
        &embedded_scenario(20, "2s", ""),
        dir.path(),
        &quiet_out(dir.path()),
    );
    let report = run(plan).await;
    assert!(report.commands > 200, "only {} commands", report.commands);
    assert_eq!(
        report.errors,
        0,
        "errors in {:#?}",
        report
            .rows
            .iter()
            .filter(|(_, r)| r.errors > 0)
            .collect::<Vec<_>>()
    );
    let paths: BTreeSet<_> = report.rows.keys().map(|k| k.path).collect();
    assert_eq!(paths, BTreeSet::from([Path::Cas, Path::Direct]));
    // Via-CAS commands count toward the CAS and toward the back end behind it.
    let servers: BTreeSet<_> = report
        .rows
        .keys()
        .filter(|k| k.path == Path::Cas)
        .map(|k| k.server.as_str())
        .collect();
    assert!(
        servers.contains("cas1") && servers.contains("mbx1") && servers.contains("mbx2"),
        "{servers:?}"
    );
    for phase in [
        CommandKind::Connect,
        CommandKind::Greeting,
        CommandKind::Login,
        CommandKind::Select,
        CommandKind::Logout,
    ] {
        assert!(
            report.rows.keys().any(|k| k.command == phase),
            "no {phase} row"
        );
    }
    // The results directory has the designed files and columns.
    let (header, rows) = read_csv(&report.dir.join("summary.csv"));
    assert_eq!(
        header[..6],
        ["path", "server", "backend", "command", "count", "errors"]
    );
    assert!(header.iter().any(|h| h == "p99_us") && header.iter().any(|h| h == "service_p99_us"));
    assert_eq!(rows.len(), report.rows.len());
    let json = run_json(&report.dir);
    assert_eq!(json.outcome, Some(Outcome::Completed));
    assert_eq!(json.seed, Some(7));
    assert_eq!(json.totals.commands, report.commands);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_and_starttls_sessions_work_and_time_the_handshake() {
    for security in ["tls", "starttls"] {
        let dir = tempfile::tempdir().unwrap();
        let extra = format!("security = \"{security}\"\nlogin = \"authenticate-plain\"");
        let plan = plan_from(
            &embedded_scenario(8, "1s", &extra),
            dir.path(),
            &quiet_out(dir.path()),
        );
        let report = run(plan).await;
        assert_eq!(
            report.errors,
            0,
            "{security}: {:#?}",
            report
                .rows
                .iter()
                .filter(|(_, r)| r.errors > 0)
                .collect::<Vec<_>>()
        );
        let tls = report
            .rows
            .iter()
            .filter(|(k, _)| k.command == CommandKind::Tls)
            .map(|(_, r)| r.ok())
            .sum::<u64>();
        assert!(tls > 0, "{security}: no TLS handshakes timed");
        assert!(
            report
                .rows
                .keys()
                .any(|k| k.command == CommandKind::Authenticate),
            "{security}: no AUTHENTICATE row"
        );
        let starttls = report
            .rows
            .keys()
            .any(|k| k.command == CommandKind::StartTls);
        assert_eq!(starttls, security == "starttls");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_is_counted_as_a_login_error() {
    // Real-topology mode against a separately started embedded topology whose
    // users have other passwords than the users file we give the run.
    let dir = tempfile::tempdir().unwrap();
    let base = plan_from(
        &embedded_scenario(1, "1s", ""),
        dir.path(),
        &quiet_out(dir.path()),
    );
    let imapload::plan::TopologyPlan::Embedded(embedded) = &base.topology else {
        panic!("embedded expected")
    };
    let topo = Topology::start(embedded, &base.users, 1, None)
        .await
        .unwrap();
    let users = dir.path().join("users.csv");
    let mut csv = String::from("user,password,backend\n");
    for u in base.users.iter().take(20) {
        csv.push_str(&format!("{},wrong-{},{}\n", u.name, u.password, u.backend));
    }
    std::fs::write(&users, csv).unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, topo.ca_pem()).unwrap();
    let overrides = Overrides {
        cas: vec![format!("cas1=imap://{}", topo.cas()[0].plain)],
        backends: topo
            .backends()
            .iter()
            .map(|b| format!("{}=imap://{}", b.name, b.plain))
            .collect(),
        users: Some(users),
        ca_file: Some(ca),
        sessions: Some(4),
        ..quiet_out(dir.path())
    };
    let plan = plan_from(&embedded_scenario(4, "1s", ""), dir.path(), &overrides);
    let report = run(plan).await;
    topo.shutdown().await;
    let logins: Vec<_> = report
        .rows
        .iter()
        .filter(|(k, _)| k.command == CommandKind::Login)
        .collect();
    assert!(!logins.is_empty());
    for (k, r) in &logins {
        assert!(r.errors_of(ErrorReason::No) > 0, "{k:?} has no NO");
        assert_eq!(r.ok(), 0, "{k:?}: a wrong password logged in");
    }
    // The server's words are the cause, without its tag.
    crate::causes::assert_cause(
        &report,
        CommandKind::Login,
        ErrorReason::No,
        "[AUTHENTICATIONFAILED] Authentication failed.",
    );
    assert!(
        !report.rows.keys().any(|k| k.command == CommandKind::Select),
        "sessions went on after a failed login"
    );
}
