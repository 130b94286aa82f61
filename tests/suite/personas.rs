//! A population of client personas against the embedded topology: the
//! issue's own invocation (one hour of client behaviour in a minute), and
//! the population's input errors.

use crate::support::*;

/// Commands on `label`'s rows, each once: a command via a CAS is on the
/// CAS's row and on its back end's (`cas,mbx1,mbx1`); the latter is left out.
fn count(r: &imapload::results::RunRecord, label: &str) -> u64 {
    r.summary
        .iter()
        .filter(|s| s.command == label && !(s.path == "cas" && s.server == s.backend))
        .map(|s| s.count)
        .sum()
}

#[test]
fn an_hour_of_a_client_mix_in_a_minute_has_no_errors_and_idlers_fetch_the_mail_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = imapload(
        dir.path(),
        &[
            "run",
            "--persona",
            "thunderbird=40,ios=30,outlook=20,k9=10",
            "--time-scale",
            "60",
            "-d",
            "60s",
            "-s",
            "40",
            "--quiet",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let r = run_json(&out);
    assert_eq!(r.totals.errors, 0, "{:?}", r.error_causes);
    let doc = r
        .plan
        .population
        .as_ref()
        .expect("run.json says it was a population run");
    assert_eq!(doc.time_scale, 60.0);
    let names: Vec<&str> = r.personas.iter().map(|p| p.persona.as_str()).collect();
    assert_eq!(names, ["thunderbird", "ios", "outlook", "k9"]);
    assert_eq!(
        r.personas.iter().map(|p| p.users).sum::<u64>(),
        40,
        "sessions count users"
    );
    for p in &r.personas {
        assert!(p.users > 0 && p.connections > 0 && p.commands > 0, "{p:?}");
        // One device per user here: a user holds no more than the persona's pool.
        assert!(p.max_connections_per_device <= p.pool as u64, "{p:?}");
        assert!(p.max_connections_per_user <= p.pool as u64, "{p:?}");
        assert_eq!(p.errors, 0, "{p:?}");
    }
    let tb = r
        .personas
        .iter()
        .find(|p| p.persona == "thunderbird")
        .unwrap();
    assert_eq!(tb.pool, 2, "INBOX and autosync connections");
    assert!(
        tb.exists_pushed > 0,
        "mail delivered while Thunderbird idles is pushed: {tb:?}"
    );
    assert!(
        tb.idle_fetches > 0 && tb.idle_fetches <= tb.exists_pushed,
        "{tb:?}"
    );
    let ios = r.personas.iter().find(|p| p.persona == "ios").unwrap();
    assert_eq!(ios.exists_pushed, 0, "iOS never idles: {ios:?}");
    assert!(
        ios.poll_fetches > 0,
        "iOS finds new mail at its next session: {ios:?}"
    );
    // The new-mail fetches are real commands: Thunderbird's is a header
    // fetch, on the FETCH_HEADERS rows with the others'.
    assert!(
        count(&r, "FETCH_HEADERS") >= tb.idle_fetches + ios.poll_fetches,
        "{:?}",
        r.personas
    );
    assert!(count(&r, "IDLE") > 0, "IDLE is recorded on its rows");
    // Deliveries at the user-day rate: 40 users x 120 a day, an hour of
    // client time -> 200 expected (Poisson; a wide band, not a speed).
    let delivered = count(&r, "DELIVER");
    assert!((100..=300).contains(&delivered), "{delivered} deliveries");
    assert_eq!(
        r.personas.iter().map(|p| p.deliveries).sum::<u64>(),
        delivered
    );
    assert!(
        r.personas.iter().map(|p| p.sends).sum::<u64>() > 0,
        "users send mail too"
    );
    let csv = std::fs::read_to_string(out.join("personas.csv")).unwrap();
    assert_eq!(csv.lines().count(), 5, "{csv}");
}

#[test]
fn population_mistakes_name_the_key_and_what_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let bad = |args: &[&str], want: &str| {
        let o = imapload(dir.path(), args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(want), "{args:?}: {err}");
    };
    bad(
        &["run", "--persona", "nokia"],
        "unknown persona \"nokia\"; known: thunderbird, ios",
    );
    bad(&["run", "--persona", "ios=x"], "--persona");
    bad(&["run", "--time-scale", "60"], "needs a population");
    bad(
        &["run", "--persona", "ios", "--time-scale", "0"],
        "--time-scale",
    );
    let scenario = dir.path().join("s.toml");
    std::fs::write(
        &scenario,
        "duration = \"5s\"\n[population]\npersonas = { ios = 1 }\n\n[persona.ios]\nsource = \"mine\"\n\n[[persona.ios.connection]]\nmode = \"sometimes\"\n",
    )
    .unwrap();
    bad(
        &["run", scenario.to_str().unwrap()],
        "persona.ios.connection[1].mode",
    );
    std::fs::write(
        &scenario,
        "duration = \"5s\"\n[population]\npersonas = { mine = 1 }\n\n[persona.mine]\nconnect = [\"LOGIN {user} {pass}\"]\n\n[[persona.mine.connection]]\nmode = \"session\"\n",
    )
    .unwrap();
    bad(
        &["run", scenario.to_str().unwrap()],
        "persona.mine.connect[1]",
    );
    std::fs::write(
        &scenario,
        "duration = \"5s\"\n[population]\npersonas = { ios = 1 }\n[population.day]\ncurve = [1, 2]\n",
    )
    .unwrap();
    bad(&["run", scenario.to_str().unwrap()], "population.day.curve");
}

#[test]
fn a_persona_of_the_scenario_runs_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("mine.toml");
    std::fs::write(
        &scenario,
        "duration = \"4s\"\n\n[load]\nsessions = 3\ntime_scale = 300\n\n[population]\npersonas = { poller = 1 }\n\
         [population.day]\nreceived = 0\nsent = 0\n\n\
         [persona.poller]\nsource = \"a test\"\nconnect = [\"LOGIN {user} {password}\"]\nlogout = [\"LOGOUT\"]\n\n\
         [[persona.poller.connection]]\nmode = \"poll\"\nevery = \"1m\"\nopen = ['EXAMINE \"INBOX\"']\npoll = [\"NOOP\", 'STATUS \"INBOX\" (MESSAGES)']\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = imapload(
        dir.path(),
        &[
            "run",
            scenario.to_str().unwrap(),
            "--quiet",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let r = run_json(&out);
    assert_eq!(r.personas.len(), 1);
    // 4 s at 300x = 20 client minutes: about 20 polls per user, each a NOOP and a STATUS.
    let (noops, statuses) = (count(&r, "NOOP"), count(&r, "STATUS"));
    assert!(
        noops >= 30 && noops == statuses,
        "{noops} NOOP, {statuses} STATUS"
    );
    assert_eq!(count(&r, "EXAMINE"), 3, "one EXAMINE per connection");
    assert_eq!(count(&r, "DELIVER"), 0, "no mail with received = 0");
}

#[test]
fn a_condstore_client_resyncs_by_changedsince() {
    // Thunderbird with use_condstore = true (docs/clients.md 1.4): ENABLE
    // CONDSTORE, SELECT (CONDSTORE), then flag resyncs by CHANGEDSINCE.
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("condstore.toml");
    std::fs::write(
        &scenario,
        r#"duration = "3s"
[load]
sessions = 2
time_scale = 600
[population]
personas = { tbcs = 1 }
[persona.tbcs]
source = "Thunderbird with use_condstore = true"
connect = ["authenticate PLAIN", "[CONDSTORE] ENABLE CONDSTORE"]
logout = ["logout"]
[[persona.tbcs.connection]]
mode = "idle"
every = "10m"
open = ['select "{mailbox}" (CONDSTORE)', "UID fetch 1:* (FLAGS)"]
poll = ["noop", "UID fetch 1:* (FLAGS) (CHANGEDSINCE {modseq})"]
"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    let log = dir.path().join("log");
    let o = imapload(
        dir.path(),
        &[
            "run",
            scenario.to_str().unwrap(),
            "--quiet",
            "-o",
            out.to_str().unwrap(),
            "--protocol-log",
            log.to_str().unwrap(),
            "--protocol-log-sample",
            "1",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let r = run_json(&out);
    assert_eq!(r.totals.errors, 0, "{:?}", r.error_causes);
    let mut wire = String::new();
    for f in std::fs::read_dir(&log).unwrap() {
        wire.push_str(&std::fs::read_to_string(f.unwrap().path()).unwrap());
    }
    let changedsince: Vec<&str> = wire
        .lines()
        .filter(|l| l.contains("(CHANGEDSINCE "))
        .collect();
    assert!(!changedsince.is_empty(), "{wire}");
    assert!(
        changedsince.iter().all(|l| !l.contains("(CHANGEDSINCE 0)")),
        "the modseq comes from the server's HIGHESTMODSEQ: {changedsince:?}"
    );
}

#[test]
fn users_log_out_when_the_days_curve_falls_and_stay_out() {
    // An hour of client time per wall second from 09:00: everyone is online
    // in the 09:00 hour, nobody from 10:00, so connections log out at their
    // next poll after 10:00 and nobody logs in again before the run ends.
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("day.toml");
    let mut curve = vec!["0"; 24];
    curve[9] = "1";
    std::fs::write(
        &scenario,
        format!(
            "duration = \"3s\"\n[load]\nsessions = 6\ntime_scale = 3600\n[population]\npersonas = {{ thunderbird = 1 }}\n\
             [population.day]\nreceived = 0\nsent = 0\nstart = \"09:00\"\ncurve = [{}]\n",
            curve.join(", ")
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = imapload(
        dir.path(),
        &[
            "run",
            scenario.to_str().unwrap(),
            "--quiet",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let series = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let starts = |command: &str| -> Vec<f64> {
        (series.lines().skip(1))
            .map(|l| l.split(',').collect::<Vec<_>>())
            .filter(|c| c[5] == command && c[6] != "0")
            .map(|c| c[0].parse().unwrap())
            .collect()
    };
    let logins = starts("AUTHENTICATE");
    assert!(
        !logins.is_empty() && logins.iter().all(|&t| t < 1.5),
        "logins only in the 09:00 hour: {logins:?}"
    );
    let logouts = starts("LOGOUT");
    assert!(
        logouts.iter().any(|&t| (1.0..2.0).contains(&t)),
        "logouts once the curve falls: {logouts:?}"
    );
}

#[test]
fn thunderbird_reads_big_mail_in_64k_chunks_and_files_some_of_what_it_reads() {
    // Mail arrives often (1,200 a day per user at x600); about a fifth of
    // the mail set's sizes are over Thunderbird's 96 KiB threshold.
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("tb.toml");
    std::fs::write(
        &scenario,
        "duration = \"8s\"\n[load]\nsessions = 8\ntime_scale = 600\n[population]\npersonas = { thunderbird = 1 }\n\
         [population.day]\nreceived = 1200\nsent = 0\n",
    )
    .unwrap();
    let (out, log) = (dir.path().join("out"), dir.path().join("log"));
    let o = imapload(
        dir.path(),
        &[
            "run",
            scenario.to_str().unwrap(),
            "--quiet",
            "-o",
            out.to_str().unwrap(),
            "--protocol-log",
            log.to_str().unwrap(),
            "--protocol-log-sample",
            "1",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(run_json(&out).totals.errors, 0);
    let mut sent = String::new();
    for f in std::fs::read_dir(&log).unwrap() {
        let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
        sent.extend(
            text.lines()
                .filter(|l| l.contains(" C: "))
                .map(|l| format!("{l}\n")),
        );
    }
    assert!(
        sent.contains("BODY[]<0.65536>)") && sent.contains("BODY[]<65536.65536>)"),
        "chunked reads:\n{sent}"
    );
    assert!(
        sent.contains(" (UID RFC822.SIZE BODY[])"),
        "small mail read whole"
    );
    assert!(
        sent.contains(" uid move ") && sent.contains(" uid store "),
        "moves and flags after reading"
    );
}
