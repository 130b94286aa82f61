//! Bad input files (scenario, users, certificates), URLs, probes, flags,
//! thresholds and addresses: cases of the same shape as `cases`.

use super::cases::{Case, RUN_S};

/// Bad files, flags and values other than a scenario's plain settings.
pub const INPUTS: &[Case] = &[
    Case {
        name: "scenario file missing",
        files: &[],
        args: &["run", "--quiet", "--out", "{out}", "missing.toml"],
        expect: &["missing.toml", "cannot read scenario file"],
    },
    Case {
        name: "users file named in the scenario is missing",
        files: scenario!("[users]\nfile = \"nope.csv\"\n"),
        args: RUN_S,
        expect: &["s.toml:3", "users.file", "nope.csv", "cannot read"],
    },
    Case {
        name: "users file given by flag is missing",
        files: &[],
        args: &["run", "--quiet", "--out", "{out}", "--users", "nope.csv"],
        expect: &["nope.csv", "--users", "cannot read users file"],
    },
    Case {
        name: "users row without a backend",
        files: &[("u.csv", "user,password,backend\nu1,p1\n")],
        args: &["run", "--quiet", "--out", "{out}", "--users", "u.csv"],
        expect: &["u.csv:2", "backend", "user,password,backend"],
    },
    Case {
        name: "users row naming an unknown back end",
        files: &[("u.csv", "user,password,backend\nu1,p1,mbx9\n")],
        args: &["run", "--quiet", "--out", "{out}", "--users", "u.csv"],
        expect: &["u.csv:2", "backend", "mbx9", "mbx1, mbx2"],
    },
    Case {
        name: "OAuth login against real servers with a user without a token",
        files: &[
            (
                "s.toml",
                "duration = \"10s\"\n[topology]\nkind = \"real\"\n[[topology.backend]]\nname = \"mbx1\"\n\
                 url = \"imap://127.0.0.1:9\"\n[users]\nfile = \"u.csv\"\n[load]\ncas_share = 0.0\n\
                 [session]\nlogin = \"xoauth2\"\n",
            ),
            ("u.csv", "user,password,backend,token\nu1,p1,mbx1,t1\nu2,p2,mbx1,\n"),
        ],
        args: RUN_S,
        expect: &["s.toml:12", "session.login", "`u2`", "token_command"],
    },
    Case {
        name: "users password with a line break",
        files: &[("u.csv", "user,password,backend\nu0,p0,mbx1\nu1,\"p\n1\",mbx1\n")],
        args: &["run", "--quiet", "--out", "{out}", "--users", "u.csv"],
        expect: &["u.csv:3", "password", "line break"],
    },
    Case {
        name: "users name with a carriage return",
        files: &[("u.csv", "user,password,backend\n\"u\r1\",p1,mbx1\n")],
        args: &["run", "--quiet", "--out", "{out}", "--users", "u.csv"],
        expect: &["u.csv:2", "user", "carriage return"],
    },
    Case {
        name: "users password with a NUL byte",
        files: &[("u.csv", "user,password,backend\nu1,p\u{0}1,mbx1\n")],
        args: &["run", "--quiet", "--out", "{out}", "--users", "u.csv"],
        expect: &["u.csv:2", "password", "NUL"],
    },
    Case {
        name: "direct sessions asked for in a CAS-only run",
        files: scenario!("[topology]\nkind = \"real\"\n[[topology.cas]]\nurl = \"imap://127.0.0.1:9\"\n[load]\ncas_share = 0.5\n"),
        args: RUN_S,
        expect: &["s.toml:7", "load.cas_share", "no back end has a URL"],
    },
    Case {
        name: "users file without users",
        files: &[("u.csv", "user,password,backend\n")],
        args: &["run", "--quiet", "--out", "{out}", "--users", "u.csv"],
        expect: &["u.csv", "no users", "user,password,backend"],
    },
    Case {
        name: "certificate file missing",
        files: &[],
        args: &["run", "--quiet", "--out", "{out}", "--ca-file", "ca.pem"],
        expect: &["ca.pem", "--ca-file", "cannot read"],
    },
    Case {
        name: "certificate file unreadable (a directory)",
        files: &[("ca.pem/x", "")],
        args: &["run", "--quiet", "--out", "{out}", "--ca-file", "ca.pem"],
        expect: &["ca.pem", "--ca-file", "PEM file"],
    },
    Case {
        name: "certificate file not PEM",
        files: &[("ca.pem", "garbage\n")],
        args: &["run", "--quiet", "--out", "{out}", "--ca-file", "ca.pem"],
        expect: &["ca.pem", "--ca-file", "CERTIFICATE"],
    },
    Case {
        name: "certificate file in the scenario missing",
        files: scenario!("[tls]\nca_file = \"ca.pem\"\n"),
        args: RUN_S,
        expect: &["s.toml:3", "tls.ca_file", "cannot read"],
    },
    Case {
        name: "bad URL scheme in the scenario",
        files: scenario!(
            "[topology]\nkind = \"real\"\n[[topology.cas]]\nname = \"cas1\"\nurl = \"ftp://x\"\n\
             [[topology.backend]]\nname = \"mbx1\"\nurl = \"imap://h:143\"\n"
        ),
        args: RUN_S,
        expect: &["s.toml:6", "topology.cas[1].url", "imaps://HOST"],
    },
    Case {
        name: "bad URL scheme by flag",
        files: &[],
        args: &[
            "run",
            "--quiet",
            "--out",
            "{out}",
            "--cas",
            "http://x:1",
            "--backend",
            "mbx1=imap://h:143",
        ],
        expect: &["--cas", "`http`", "imap://HOST"],
    },
    Case {
        name: "bad URL port by flag",
        files: &[],
        args: &[
            "run",
            "--quiet",
            "--out",
            "{out}",
            "--backend",
            "mbx1=imap://h:99999",
        ],
        expect: &["--backend", "99999", "1-65535"],
    },
    Case {
        name: "unknown probe in the scenario",
        files: scenario!("[probes.frob]\nenabled = true\n"),
        args: RUN_S,
        expect: &["s.toml:2", "probes.frob", "`ctp`", "`self_test`"],
    },
    Case {
        name: "unknown probe on the command line",
        files: &[],
        args: &["probe", "IMAP\\Frob", "--server", "imap://127.0.0.1:1"],
        expect: &["PROBE", "IMAP\\Frob", "IMAP\\ImapCTPProbe"],
    },
    Case {
        name: "probe password with a line break",
        files: &[],
        args: &[
            "probe",
            "IMAP\\ImapCTPProbe",
            "--server",
            "imap://127.0.0.1:1",
            "--user",
            "u1",
            "--password",
            "p\r\nA1 DELETE INBOX",
        ],
        expect: &["--password", "line break"],
    },
    Case {
        name: "zero sessions by flag",
        files: &[],
        args: &["run", "--quiet", "--out", "{out}", "--sessions", "0"],
        expect: &["--sessions", "at least 1"],
    },
    Case {
        name: "negative rate by flag",
        files: &[],
        args: &["run", "--quiet", "--out", "{out}", "--rate", "-1"],
        expect: &["--rate", "> 0"],
    },
    Case {
        name: "negative duration by flag",
        files: &[],
        args: &["run", "--quiet", "--out", "{out}", "--duration", "-5s"],
        expect: &["--duration", "e.g. \"250ms\""],
    },
    Case {
        name: "flag of the wrong type",
        files: &[],
        args: &["run", "--quiet", "--out", "{out}", "--sessions", "many"],
        expect: &["--sessions", "'many'"],
    },
    Case {
        name: "value outside a flag's choices",
        files: &[],
        args: &["run", "--quiet", "--out", "{out}", "--validate", "paranoid"],
        expect: &["--validate", "light", "strict"],
    },
    Case {
        name: "threshold without a unit",
        files: scenario!(
            "[thresholds]\nchecks = [\"p99(*) < 1s\",\n  \"p99(cas.*.*.LOGIN) < 500\"]\n"
        ),
        args: RUN_S,
        expect: &["s.toml:4", "thresholds.checks[1]", "us, ms, s, m or h"],
    },
    Case {
        name: "threshold on an unknown command",
        files: scenario!("[thresholds]\nchecks = [\"p99(cas.*.*.FETCH_BODDY) < 1s\"]\n"),
        args: RUN_S,
        expect: &[
            "s.toml:3",
            "thresholds.checks[0]",
            "FETCH_BODDY",
            "FETCH_BODY",
        ],
    },
    Case {
        name: "error gate over 100%",
        files: scenario!("[thresholds]\nmax_error_rate = \"150%\"\n"),
        args: RUN_S,
        expect: &["s.toml:3", "thresholds.max_error_rate", "0% to 100%"],
    },
    Case {
        name: "threshold flag with an unknown metric",
        files: &[],
        args: &[
            "run",
            "--quiet",
            "--out",
            "{out}",
            "--threshold",
            "latency < 1s",
        ],
        expect: &["--threshold", "unknown metric", "errors.rate"],
    },
    Case {
        name: "a duration the clock cannot hold",
        files: &[("s.toml", "duration = \"18446744073709551615s\"\n")],
        args: RUN_S,
        expect: &["s.toml:1", "duration", "longest duration"],
    },
    Case {
        name: "a scenario name that is a path",
        files: scenario!("name = \"../../escaped\"\n"),
        args: RUN_S,
        expect: &["s.toml:2", "name", "is a path"],
    },
    Case {
        name: "more sessions than the machine can hold",
        files: scenario!("[load]\nsessions = 10000000\n"),
        args: RUN_S,
        expect: &["load.sessions", "10000000 sessions need", "at most"],
    },
    Case {
        name: "metrics address that is no ADDR:PORT",
        files: scenario!(""),
        args: &[
            "run",
            "--quiet",
            "--out",
            "{out}",
            "s.toml",
            "--metrics-listen",
            "localhost",
        ],
        expect: &["--metrics-listen", "`localhost` is not ADDR:PORT", "127.0.0.1:9464"],
    },
    Case {
        name: "metrics address in the scenario",
        files: scenario!("[output]\nmetrics_listen = \"127.0.0.1:99999\"\n"),
        args: RUN_S,
        expect: &["s.toml:3", "output.metrics_listen", "not ADDR:PORT"],
    },
];
