//! The bad-input cases: each names its files, its arguments and the words
//! its one line on stderr must contain.

/// One bad input: files written into the case's directory, the arguments
/// (`{out}` is replaced by the results path), and words stderr must contain.
pub struct Case {
    /// What the case is, in a failure message.
    pub name: &'static str,
    /// Files written into the case's directory: path, text.
    pub files: &'static [(&'static str, &'static str)],
    /// The arguments.
    pub args: &'static [&'static str],
    /// Words stderr must contain.
    pub expect: &'static [&'static str],
}

/// A scenario `s.toml` with `body` after the duration line (line 1).
macro_rules! scenario {
    ($body:expr) => {
        &[("s.toml", concat!("duration = \"10s\"\n", $body))]
    };
}

/// `run` on the scenario `s.toml`, results into `{out}`.
const RUN_S: &[&str] = &["run", "--quiet", "--out", "{out}", "s.toml"];

/// Every bad input the binary must refuse.
pub const CASES: &[Case] = &[
    Case {
        name: "malformed TOML",
        files: scenario!("[load]\nsessions = \"5\n"),
        args: RUN_S,
        expect: &["s.toml:3", "load.sessions", "not valid TOML", "key = value"],
    },
    Case {
        name: "unknown key",
        files: scenario!("[load]\nsesions = 5\n"),
        args: RUN_S,
        expect: &["s.toml:3", "load.sesions", "allowed keys", "`sessions`"],
    },
    Case {
        name: "unknown table",
        files: scenario!("[frob]\nx = 1\n"),
        args: RUN_S,
        expect: &["s.toml:2", "frob", "allowed keys", "`load`"],
    },
    Case {
        name: "wrong type: string for an integer",
        files: scenario!("[load]\nsessions = \"many\"\n"),
        args: RUN_S,
        expect: &["s.toml:3", "load.sessions", "expected an integer"],
    },
    Case {
        name: "wrong type: integer for a duration",
        files: &[("s.toml", "duration = 30\n")],
        args: RUN_S,
        expect: &["s.toml:1", "duration", "expected a string"],
    },
    Case {
        name: "wrong type: string for a boolean",
        files: scenario!("[tls]\ninsecure = \"yes\"\n"),
        args: RUN_S,
        expect: &["s.toml:3", "tls.insecure", "true or false"],
    },
    Case {
        name: "negative duration",
        files: &[("s.toml", "duration = \"-5s\"\n")],
        args: RUN_S,
        expect: &["s.toml:1", "duration", "e.g. \"250ms\""],
    },
    Case {
        name: "zero duration",
        files: &[("s.toml", "duration = \"0s\"\n")],
        args: RUN_S,
        expect: &["s.toml:1", "duration", "greater than zero"],
    },
    Case {
        name: "zero command timeout",
        files: scenario!("[session]\ncommand_timeout = \"0s\"\n"),
        args: RUN_S,
        expect: &["s.toml:3", "session.command_timeout", "greater than zero"],
    },
    Case {
        name: "negative think time",
        files: scenario!("[session]\nthink_time = { dist = \"fixed\", value = \"-1s\" }\n"),
        args: RUN_S,
        expect: &["s.toml:3", "session.think_time.value", "e.g. \"250ms\""],
    },
    Case {
        name: "zero-length ramp stage",
        files: scenario!("[load]\nstages = [{ duration = \"0s\", target = 5 }]\n"),
        args: RUN_S,
        expect: &["s.toml:3", "load.stages[1].duration", "greater than zero"],
    },
    Case {
        name: "zero sessions",
        files: scenario!("[load]\nsessions = 0\n"),
        args: RUN_S,
        expect: &["s.toml:3", "load.sessions", "from 1 to"],
    },
    Case {
        name: "negative sessions",
        files: scenario!("[load]\nsessions = -3\n"),
        args: RUN_S,
        expect: &["s.toml:3", "load.sessions", "from 1 to"],
    },
    Case {
        name: "warmup that is not a duration",
        files: scenario!("[load]\nwarmup = \"soon\"\n"),
        args: RUN_S,
        expect: &["s.toml:3", "load.warmup", "e.g. \"250ms\""],
    },
    Case {
        name: "warmup and cooldown as long as the duration",
        files: scenario!("[load]\nwarmup = \"5s\"\ncooldown = \"5s\"\n"),
        args: RUN_S,
        expect: &[
            "s.toml:4",
            "load.cooldown",
            "shorter together than the duration",
        ],
    },
    Case {
        name: "warmup longer than the duration",
        files: scenario!("[load]\nwarmup = \"1m\"\n"),
        args: RUN_S,
        expect: &["s.toml:3", "load.warmup", "nothing of the 10s duration"],
    },
    Case {
        name: "zero rate",
        files: scenario!("[load]\nmodel = \"open\"\nrate = 0\n"),
        args: RUN_S,
        expect: &["s.toml:4", "load.rate", "> 0"],
    },
    Case {
        name: "negative rate",
        files: scenario!("[load]\nmodel = \"open\"\nrate = -1.5\n"),
        args: RUN_S,
        expect: &["s.toml:4", "load.rate", "> 0"],
    },
    Case {
        name: "zero users",
        files: scenario!("[users]\ncount = 0\n"),
        args: RUN_S,
        expect: &["s.toml:3", "users.count", "from 1 to"],
    },
    Case {
        name: "share above 1",
        files: scenario!("[load]\ncas_share = 1.5\n"),
        args: RUN_S,
        expect: &["s.toml:3", "load.cas_share", "from 0 to 1"],
    },
    Case {
        name: "commands min above max",
        files: scenario!("[session]\ncommands = [5, 2]\n"),
        args: RUN_S,
        expect: &["s.toml:3", "session.commands", "min <= max"],
    },
    Case {
        name: "every mix weight 0",
        files: scenario!("[session.mix]\nNOOP = 0\nFETCH_BODY = 0\n"),
        args: RUN_S,
        expect: &["s.toml:2", "session.mix", "weight > 0"],
    },
    Case {
        name: "every weight 0 in a profile's mix",
        files: scenario!(
            "[[session.profile]]\nname = \"a\"\nweight = 1\n[session.profile.mix]\nNOOP = 0\n"
        ),
        args: RUN_S,
        expect: &["s.toml:5", "session.profile[1].mix", "weight > 0"],
    },
    Case {
        name: "every ramp target 0",
        files: scenario!(
            "[load]\nmodel = \"open\"\nstages = [{ duration = \"5s\", target = 0 }]\n"
        ),
        args: RUN_S,
        expect: &["s.toml:4", "load.stages", "target > 0"],
    },
    Case {
        name: "no CAS while sessions go via one",
        files: scenario!("[topology]\nkind = \"embedded\"\ncas = 0\n"),
        args: RUN_S,
        expect: &["s.toml:4", "topology.cas", "from 1 to"],
    },
    Case {
        name: "protocol log sample out of range",
        files: &[],
        args: &[
            "run",
            "--quiet",
            "--out",
            "{out}",
            "--protocol-log",
            "logs",
            "--protocol-log-sample",
            "2",
        ],
        expect: &["--protocol-log-sample", "> 0 and <= 1"],
    },
    Case {
        name: "negative mix weight",
        files: scenario!("[session.mix]\nNOOP = -1\n"),
        args: RUN_S,
        expect: &["s.toml:3", "session.mix.NOOP", "from 0 to"],
    },
    Case {
        name: "unknown command in the mix",
        files: scenario!("[session.mix]\nFROB = 1\n"),
        args: RUN_S,
        expect: &["s.toml:3", "session.mix.FROB", "allowed", "FETCH_BODY"],
    },
    Case {
        name: "profile weight 0",
        files: scenario!("[[session.profile]]\nname = \"a\"\nweight = 0\n"),
        args: RUN_S,
        expect: &["s.toml:4", "session.profile[1].weight", "from 1 to"],
    },
    Case {
        name: "unknown enum value",
        files: scenario!("[session]\nlogin = \"kerberos\"\n"),
        args: RUN_S,
        expect: &["s.toml:3", "session.login", "\"authenticate-plain\""],
    },
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
