//! Loader tests for command-line overrides and for files the scenario refers
//! to (users CSV, CA file), which resolve against the scenario's folder.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::*;

fn quickstart(ov: &Overrides) -> Result<RunPlan, crate::error::InputError> {
    load(None, ov)
}

fn line_in_quickstart(needle: &str) -> usize {
    line_of(QUICKSTART, QUICKSTART.find(needle).unwrap())
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn overrides_win_over_the_file() {
    let ov = Overrides {
        duration: Some("2m".into()),
        sessions: Some(7),
        seed: Some(9),
        out: Some("results/x".into()),
        insecure: true,
        force: true,
        quiet: true,
        ..Default::default()
    };
    let p = quickstart(&ov).unwrap();
    assert_eq!(
        (p.duration, p.load.sessions, p.seed),
        (Duration::from_secs(120), 7, 9)
    );
    assert_eq!(p.output.out.as_deref(), Some(Path::new("results/x")));
    assert!(p.tls.insecure && p.output.force && p.output.quiet);
}

#[test]
fn bad_overrides_name_the_flag() {
    let cases: [(Overrides, &str, &str); 7] = [
        (
            Overrides {
                duration: Some("30".into()),
                ..Default::default()
            },
            "--duration",
            "unit",
        ),
        (
            Overrides {
                duration: Some("0s".into()),
                ..Default::default()
            },
            "--duration",
            "greater than zero",
        ),
        (
            Overrides {
                sessions: Some(0),
                ..Default::default()
            },
            "--sessions",
            "at least 1",
        ),
        (
            Overrides {
                backends: vec!["imap://x".into()],
                ..Default::default()
            },
            "--backend",
            "NAME=URL",
        ),
        (
            Overrides {
                backends: vec!["m=http://x".into()],
                ..Default::default()
            },
            "--backend",
            "unknown scheme",
        ),
        (
            Overrides {
                cas: vec!["imap://:1".into()],
                backends: vec!["m=imap://x".into()],
                ..Default::default()
            },
            "--cas",
            "host",
        ),
        (
            Overrides {
                ca_file: Some("/nonexistent/ca.pem".into()),
                ..Default::default()
            },
            "--ca-file",
            "cannot read",
        ),
    ];
    for (ov, key, needle) in cases {
        let e = quickstart(&ov).unwrap_err();
        assert_eq!(
            (e.file.as_deref(), e.key.as_deref()),
            (None, Some(key)),
            "{e}"
        );
        assert!(e.message.contains(needle), "{e}");
    }
}

#[test]
fn endpoint_flags_make_the_topology_real() {
    let ov = Overrides {
        cas: vec![
            "imaps://cas.example.com".into(),
            "east=imap://c2:1143".into(),
        ],
        backends: vec!["a=imap://a:1143".into(), "b=imaps://b".into()],
        ..Default::default()
    };
    let p = quickstart(&ov).unwrap();
    let TopologyPlan::Real(r) = &p.topology else {
        panic!("real expected")
    };
    let cas: Vec<_> = r.cas.iter().map(|(n, e)| (n.as_str(), e.port)).collect();
    assert_eq!(cas, [("cas1", 993), ("east", 1143)]);
    assert_eq!(p.users[0].backend, "a");
    assert_eq!(p.users[1].backend, "b");
}

#[test]
fn backend_flags_without_cas_set_the_builtin_cas_share_aside() {
    let ov = Overrides {
        backends: vec!["a=imap://a".into()],
        ..Default::default()
    };
    // The quickstart's 0.8 is for its embedded CAS: every session goes direct.
    assert_eq!(quickstart(&ov).unwrap().load.cas_share, 0.0);
    let flag = |share: f64, cas: Vec<String>| Overrides {
        cas_share: Some(share),
        cas,
        ..ov.clone()
    };
    let e = quickstart(&flag(0.5, Vec::new())).unwrap_err();
    assert_eq!(
        (e.file.as_deref(), e.key.as_deref()),
        (None, Some("--cas-share")),
        "{e}"
    );
    assert!(e.message.contains("has none"), "{e}");
    let both = quickstart(&flag(0.5, vec!["imap://c".into()])).unwrap();
    assert_eq!(both.load.cas_share, 0.5);
    // Both kinds of server given: the quickstart's own value stands.
    let both = quickstart(&Overrides {
        cas: vec!["imap://c".into()],
        ..ov.clone()
    })
    .unwrap();
    assert_eq!(both.load.cas_share, 0.8);
    // A value the user wrote is not stepped over: file, line and key.
    let e = load_str(QUICKSTART, Path::new("mine.toml"), &ov).unwrap_err();
    assert_eq!(
        (e.file.as_deref(), e.line, e.key.as_deref()),
        (
            Some(Path::new("mine.toml")),
            Some(line_in_quickstart("cas_share =")),
            Some("load.cas_share")
        ),
        "{e}"
    );
}

#[test]
fn cas_flag_alone_is_a_cas_only_run() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "users.csv", "u1,pw,mbx1\nu2,pw,mbx2\nu3,pw,\n");
    let ov = Overrides {
        cas: vec!["imap://c".into()],
        users: Some(csv),
        ..Default::default()
    };
    let p = quickstart(&ov).unwrap();
    assert_eq!(
        p.load.cas_share, 1.0,
        "no back-end URL: every session via the CAS"
    );
    let TopologyPlan::Real(r) = &p.topology else {
        panic!("real expected")
    };
    assert!(r.backends.is_empty());
    assert_eq!(r.behind_cas, ["mbx1", "mbx2", "unknown"]);
    assert_eq!(p.users[2].backend, "unknown");
    // Pattern users name no home back end.
    let ov = Overrides {
        cas: vec!["imap://c".into()],
        ..Default::default()
    };
    let p = quickstart(&ov).unwrap();
    assert_eq!(p.topology.backend_names(), ["unknown"]);
}

#[test]
fn direct_sessions_without_backend_urls_are_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(
        dir.path(),
        "s.toml",
        "duration = \"1s\"\n[topology]\nkind = \"real\"\n[[topology.cas]]\nurl = \"imap://c\"\n[load]\ncas_share = 0.5\n",
    );
    let e = load(Some(&scenario), &Overrides::default()).unwrap_err();
    assert_eq!(
        (e.line, e.key.as_deref()),
        (Some(7), Some("load.cas_share"))
    );
    assert!(e.message.contains("no back end has a URL"), "{}", e.message);
}

#[test]
fn cas_flag_keeps_the_files_backends() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/real-servers.toml");
    let ov = Overrides {
        cas: vec!["imap://other".into()],
        ..Default::default()
    };
    let p = load(Some(&path), &ov).unwrap();
    let TopologyPlan::Real(r) = &p.topology else {
        panic!("real expected")
    };
    assert_eq!(r.cas[0].1.host, "other");
    assert_eq!(r.backends.len(), 2);
}

#[test]
fn users_flag_replaces_the_users_section() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "u.csv",
        "user,password,backend\nann,pw,mbx2\nben,pw,mbx1\n",
    );
    let p = quickstart(&Overrides {
        users: Some(csv),
        ..Default::default()
    })
    .unwrap();
    let got: Vec<_> = p
        .users
        .iter()
        .map(|u| (u.name.as_str(), u.backend.as_str()))
        .collect();
    assert_eq!(got, [("ann", "mbx2"), ("ben", "mbx1")]);

    let csv = write(dir.path(), "bad.csv", "ann,pw,mbx1\nben,pw,mbx3\n");
    let e = quickstart(&Overrides {
        users: Some(csv.clone()),
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(
        (e.file.as_deref(), e.line, e.key.as_deref()),
        (Some(csv.as_path()), Some(2), Some("backend"))
    );
    assert!(e.message.contains("mbx1, mbx2"), "{e}");
}

#[test]
fn scenario_relative_files_resolve_against_its_folder() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "users.csv", "ann,pw,m1\n");
    write(dir.path(), "ca.pem", "not checked here\n");
    let text = "duration = \"1s\"\n[topology]\nkind = \"real\"\n[[topology.backend]]\nname = \"m1\"\nurl = \"imap://m1\"\n\
                [users]\nfile = \"users.csv\"\n[load]\ncas_share = 0\n[tls]\nca_file = \"ca.pem\"\n";
    let scenario = write(dir.path(), "s.toml", text);
    let p = load(Some(&scenario), &Overrides::default()).unwrap();
    assert_eq!(p.users.len(), 1);
    assert_eq!(p.tls.ca_file, Some(dir.path().join("ca.pem")));
    assert_eq!(p.name, "s");

    write(dir.path(), "users.csv", "ann,pw,m1\nbob,pw,m2\n");
    let e = load(Some(&scenario), &Overrides::default()).unwrap_err();
    assert_eq!(
        (e.file, e.line, e.key.as_deref()),
        (Some(dir.path().join("users.csv")), Some(2), Some("backend"))
    );
}

#[test]
fn missing_scenario_file_is_an_input_error() {
    let e = load(
        Some(Path::new("/nonexistent/s.toml")),
        &Overrides::default(),
    )
    .unwrap_err();
    assert_eq!(e.file.as_deref(), Some(Path::new("/nonexistent/s.toml")));
}
