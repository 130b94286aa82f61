//! Loader tests over whole scenario texts: the shipped scenarios, one case per
//! error the loader promises to catch (asserting file, line and key), and
//! overrides. Error cases write `duration` on line 1 unless the case is about it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::*;
use crate::results::Security;

fn ok(text: &str) -> RunPlan {
    load_str(text, Path::new("s.toml"), &Overrides::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn real_servers_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/real-servers.toml")
}

#[test]
fn quickstart_loads_with_its_values() {
    let p = load(None, &Overrides::default()).unwrap();
    assert_eq!(p.scenario, None);
    assert_eq!(
        (p.name.as_str(), p.seed, p.duration),
        ("quickstart", 42, Duration::from_secs(30))
    );
    assert_eq!(p.interval, Duration::from_secs(1));
    let TopologyPlan::Embedded(e) = &p.topology else {
        panic!("embedded expected")
    };
    assert_eq!((e.cas, e.backends, e.workers_per_backend), (1, 2, 16));
    assert_eq!((e.messages_per_mailbox, e.message_size), (50, 4096));
    assert_eq!(
        e.service.of(CommandKind::FetchBody).p99,
        Duration::from_millis(12)
    );
    assert_eq!(
        e.service.of(CommandKind::Noop).median,
        Duration::from_millis(1)
    );
    assert_eq!(p.users.len(), 1000);
    assert_eq!(
        (p.users[0].name.as_str(), p.users[0].backend.as_str()),
        ("user00001", "mbx1")
    );
    assert_eq!(p.users[1].backend, "mbx2");
    assert_eq!(
        (p.load.sessions, p.load.cas_share, p.load.ramp_up),
        (500, 0.8, Duration::from_secs(3))
    );
    assert_eq!(p.session.commands_per_session, (5, 20));
    assert_eq!(
        p.session.think_time,
        ThinkTime::Exponential(Duration::from_millis(100))
    );
    assert_eq!(p.session.mix.iter().map(|(_, w)| w).sum::<u32>(), 100);
    assert!(p.session.mix.iter().all(|(k, _)| k.mixable()));
    assert_eq!(
        (p.session.security, p.session.login),
        (Security::Plain, LoginMethod::Mixed)
    );
    assert_eq!(p.session.starttls_share, 0.2);
}

#[test]
fn real_servers_template_loads() {
    let path = real_servers_path();
    let p = load(Some(&path), &Overrides::default()).unwrap();
    assert_eq!(p.scenario.as_deref(), Some(path.as_path()));
    let TopologyPlan::Real(r) = &p.topology else {
        panic!("real expected")
    };
    assert_eq!(r.cas.len(), 1);
    assert_eq!(r.cas[0].0, "cas1");
    let names: Vec<_> = r.backends.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["mbx1", "mbx2"]);
    assert_eq!(r.backends[1].1.security, Security::StartTls);
    assert_eq!(p.users.len(), 100);
    assert_eq!(
        (p.users[2].name.as_str(), p.users[2].backend.as_str()),
        ("loadtest0003", "mbx1")
    );
    assert_eq!(p.session.mix, DEFAULT_MIX.to_vec());
}

#[test]
fn minimal_scenario_gets_every_default() {
    let p = ok("duration = \"10s\"\n");
    assert_eq!((p.name.as_str(), p.seed), ("s", 1));
    assert_eq!(
        (p.load.sessions, p.load.cas_share, p.load.ramp_up),
        (100, 0.8, Duration::ZERO)
    );
    assert_eq!(p.users.len(), 1000);
    assert_eq!(p.users[999].password, "secret");
    assert_eq!(
        p.session.think_time,
        ThinkTime::Exponential(Duration::from_millis(200))
    );
    assert_eq!(
        (p.session.command_timeout, p.session.idle_duration),
        (Duration::from_secs(30), Duration::from_secs(2))
    );
    assert_eq!(p.session.mailbox, "INBOX");
    assert_eq!(p.session.reconnect_delay, Duration::from_millis(300));
    let TopologyPlan::Embedded(e) = &p.topology else {
        panic!()
    };
    assert_eq!(e.listen.to_string(), "127.0.0.1");
}

#[test]
fn think_time_forms_and_commands_scalar() {
    let p = ok("duration = \"1s\"\n[session]\ncommands = 7\nthink_time = { dist = \"uniform\", min = \"0s\", max = \"1s\" }\n");
    assert_eq!(p.session.commands_per_session, (7, 7));
    assert_eq!(
        p.session.think_time,
        ThinkTime::Uniform(Duration::ZERO, Duration::from_secs(1))
    );
    let p = ok("duration = \"1s\"\n[session]\nthink_time = { dist = \"none\" }\n[session.mix]\nnoop = 1\nIDLE = 0\n");
    assert_eq!(p.session.think_time, ThinkTime::None);
    assert_eq!(p.session.mix, vec![(CommandKind::Noop, 1)]);
}

#[test]
fn durations_take_decimals_and_microseconds() {
    let p = ok("duration = \"1.5s\"\ninterval = \"0.5s\"\n[load]\nramp_up = \"0.25s\"\n[session]\nthink_time = { dist = \"exponential\", mean = \"500\u{b5}s\" }\n");
    assert_eq!(p.duration, Duration::from_millis(1500));
    assert_eq!(p.interval, Duration::from_millis(500));
    assert_eq!(p.load.ramp_up, Duration::from_millis(250));
    assert_eq!(
        p.session.think_time,
        ThinkTime::Exponential(Duration::from_micros(500))
    );
    assert_errors(&[
        ("duration = \"1.5\"\n", 1, "duration", "no unit"),
        (
            "duration = \"8784.5h\"\n",
            1,
            "duration",
            "longest duration",
        ),
        (
            "duration = \"1s\"\ninterval = \"0.0001us\"\n",
            2,
            "interval",
            "greater than zero",
        ),
    ]);
}

/// Every error case: scenario text, expected line, key, and a word the message must contain.
const ERRORS: &[(&str, usize, &str, &str)] = &[
    ("duration = \"1s\"\nbogus = 1\n", 2, "bogus", "allowed keys"),
    ("duration = \"1s\"\n[load]\nsesions = 5\n", 3, "load.sesions", "`sessions`"),
    ("duration = \"1s\"\n[session]\nthink_time = { dist = \"none\", foo = 1 }\n", 3, "session.think_time.foo", "allowed keys"),
    ("duration = \"1s\"\n[topology]\nkind = \"real\"\n[[topology.cas]]\nurl = \"imap://a\"\nbogus = 1\n", 6, "topology.cas[1].bogus", "`url`"),
    ("duration = \"1s\"\n[session]\nmailbox = \"INBOX\"\n[session.x]\na = 1\n", 4, "session.x", "`mix`"),
    ("duration = \"1s\"\n[topology]\nkind = \"real\"\n[[topology.backend]]\nname = \"a\"\nurl = 5\n", 6, "topology.backend[1].url", "string"),
    ("duration = \"1s\"\n[load]\nsessions = \"many\"\n", 3, "load.sessions", "integer"),
    ("duration = 30\n", 1, "duration", "string"),
    ("duration = \"30\"\n", 1, "duration", "unit"),
    ("duration = \"0s\"\n", 1, "duration", "greater than zero"),
    ("duration = \"-5s\"\n", 1, "duration", "ms, s, m, h"),
    ("seed = 3\n", 1, "duration", "missing"),
    ("duration = \"1s\"\ninterval = \"0ms\"\n", 2, "interval", "greater than zero"),
    ("duration = \"1s\"\n[load]\nsessions = -5\n", 3, "load.sessions", "from 1 to"),
    ("duration = \"1s\"\n[load]\ncas_share = 1.5\n", 3, "load.cas_share", "0 to 1"),
    ("duration = \"1s\"\n[load]\nramp_up = \"soon\"\n", 3, "load.ramp_up", "unit"),
    ("duration = \"1s\"\n[users]\ncount = 0\n", 3, "users.count", "from 1 to"),
    ("duration = \"1s\"\n[users]\npattern = \"u{x}\"\n", 3, "users.pattern", "{:0N}"),
    ("duration = \"1s\"\n[users]\npattern = \"alice\"\n", 3, "users.pattern", "share one name"),
    ("duration = \"1s\"\n[users]\npattern = \"u{}\"\nfile = \"u.csv\"\n", 4, "users.file", "one or the other"),
    ("duration = \"1s\"\n[users]\nfile = \"nope.csv\"\n", 3, "users.file", "nope.csv"),
    ("duration = \"1s\"\n[session]\nsecurity = \"ssl\"\n", 3, "session.security", "\"starttls\""),
    ("duration = \"1s\"\n[session]\nlogin = \"cram-md5\"\n", 3, "session.login", "\"authenticate-plain\""),
    ("duration = \"1s\"\n[topology]\nkind = \"cloud\"\n", 3, "topology.kind", "\"real\""),
    ("duration = \"1s\"\n[topology]\nbackends = 0\n", 3, "topology.backends", "from 1 to"),
    ("duration = \"1s\"\n[topology]\nmessage_size = 100\n", 3, "topology.message_size", "200"),
    ("duration = \"1s\"\n[topology]\nlisten = \"localhost\"\n", 3, "topology.listen", "IP address"),
    ("duration = \"1s\"\n[topology.service]\nFETCH_BODY = { median = \"5ms\", p99 = \"1ms\" }\n", 3, "topology.service.FETCH_BODY.p99", ">= median"),
    ("duration = \"1s\"\n[topology.service]\nFETCH_BODDY = { median = \"5ms\", p99 = \"9ms\" }\n", 3, "topology.service.FETCH_BODDY", "FETCH_BODY"),
    ("duration = \"1s\"\n[topology.service]\ndefault = { median = \"5ms\" }\n", 3, "topology.service.default.p99", "missing"),
    ("duration = \"1s\"\n[session]\ncommands = [20, 5]\n", 3, "session.commands", "min <= max"),
    ("duration = \"1s\"\n[session]\ncommands = 0\n", 3, "session.commands", "from 1 to"),
    ("duration = \"1s\"\n[session]\ncommands = [1, 2, 3]\n", 3, "session.commands", "[min, max]"),
    ("duration = \"1s\"\n[session]\nthink_time = { dist = \"gaussian\" }\n", 3, "session.think_time.dist", "\"uniform\""),
    ("duration = \"1s\"\n[session]\nthink_time = { dist = \"exponential\" }\n", 3, "session.think_time.mean", "missing"),
    ("duration = \"1s\"\n[session]\nthink_time = { dist = \"fixed\", mean = \"1s\" }\n", 3, "session.think_time.mean", "does not apply"),
    ("duration = \"1s\"\n[session]\nidle_duration = \"0s\"\n", 3, "session.idle_duration", "greater than zero"),
    ("duration = \"1s\"\n[session]\nappend_size = 10\n", 3, "session.append_size", "64"),
    ("duration = \"1s\"\n[session]\nreconnect_delay = \"soon\"\n", 3, "session.reconnect_delay", "duration"),
    ("duration = \"1s\"\n[session]\nreconnect_delay = \"-1s\"\n", 3, "session.reconnect_delay", "not a duration"),
    ("duration = \"1s\"\n[session.mix]\nNOOP = 3\nFETCH_FLAGZ = 1\n", 4, "session.mix.FETCH_FLAGZ", "FETCH_FLAGS"),
    ("duration = \"1s\"\n[session.mix]\nLOGIN = 1\n", 3, "session.mix.LOGIN", "every session"),
    ("duration = \"1s\"\n[session.mix]\nNOOP = -1\n", 3, "session.mix.NOOP", "0 to"),
    ("duration = \"1s\"\n[session]\nmix = { NOOP = 0, IDLE = 0 }\n", 3, "session.mix", "weight > 0"),
    ("duration = \"1s\"\n[session.mix]\nNOOP = 0\n", 2, "session.mix", "weight > 0"),
    ("duration = \"1s\"\n[tls]\nca_file = \"missing.pem\"\n", 3, "tls.ca_file", "missing.pem"),
    ("duration = \"1s\"\n[topology]\nbackend = [{ name = \"m\", url = \"imap://m\" }]\n", 3, "topology.backend", "kind = \"real\""),
    ("duration = \"1s\"\n[topology]\nkind = \"real\"\nbackends = 2\n", 4, "topology.backends", "[[topology.backend]]"),
    ("duration = \"1s\"\n[topology]\nkind = \"real\"\ncas = 1\n", 4, "topology.cas", "[[topology.cas]]"),
    ("duration = \"1s\"\n[topology]\nkind = \"real\"\n", 2, "topology.backend", "at least one"),
    ("duration = \"1s\"\n[topology]\nkind = \"real\"\n[[topology.backend]]\nname = \"a\"\nurl = \"imap://a\"\n[[topology.backend]]\nname = \"b\"\nurl = \"http://b\"\n", 9, "topology.backend[2].url", "imaps://"),
    ("duration = \"1s\"\n[topology]\nkind = \"real\"\n[[topology.backend]]\nurl = \"imap://a\"\n", 4, "topology.backend[1].name", "missing"),
    ("duration = \"1s\"\n[topology]\nkind = \"real\"\n[[topology.backend]]\nname = \"a\"\nurl = \"imap://a\"\n[load]\ncas_share = 0.5\n", 8, "load.cas_share", "cas_share = 0"),
];

#[test]
fn every_error_names_file_line_and_key() {
    assert_errors(ERRORS);
}

#[test]
fn syntax_errors_have_a_line() {
    let e = load_str(
        "duration = \"1s\"\n[load\n",
        Path::new("s.toml"),
        &Overrides::default(),
    )
    .unwrap_err();
    assert_eq!(e.line, Some(2), "{e}");
    assert_eq!(e.to_string().split(':').next(), Some("s.toml"));
}

/// Loads each `(scenario text, line, key, words in the message)` case as
/// `dir/s.toml` and checks the error names that file, line and key; reports
/// every mismatch at once. Shared by the plan's error-table tests.
pub(super) fn assert_errors(cases: &[(&str, usize, &str, &str)]) {
    let mut failures = Vec::new();
    for (text, line, key, needle) in cases {
        let e = match load_str(text, Path::new("dir/s.toml"), &Overrides::default()) {
            Ok(_) => {
                failures.push(format!("{text:?} loaded"));
                continue;
            }
            Err(e) => e,
        };
        let got = (e.file.as_deref(), e.line, e.key.as_deref());
        if got != (Some(Path::new("dir/s.toml")), Some(*line), Some(*key))
            || !e.message.contains(needle)
        {
            failures.push(format!(
                "{text:?}\n  want line {line} key {key} containing `{needle}`\n  got  {e}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
