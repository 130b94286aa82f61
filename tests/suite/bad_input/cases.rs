//! The bad-input cases, each naming its files, its arguments and the words its
//! one line on stderr must contain: here what a case is, and the bad values in
//! a scenario; bad files, flags, addresses and thresholds are in `inputs`.

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
pub const RUN_S: &[&str] = &["run", "--quiet", "--out", "{out}", "s.toml"];

/// Bad values in a scenario file.
pub const SCENARIO_VALUES: &[Case] = &[
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
];
