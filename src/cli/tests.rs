//! The command line reaches the library's options as given: every flag of
//! `run` lands in its own field of [`plan::Overrides`], and the shared flag
//! groups read the same on every subcommand that takes them.

use std::path::PathBuf;

use clap::{CommandFactory, Parser};

use super::{Cli, Command};
use crate::plan::{Overrides, Validate};
use crate::replay::options::{ReplayOptions, Via};

fn parse(args: &[&str]) -> Command {
    let argv = std::iter::once("imapload").chain(args.iter().copied());
    Cli::try_parse_from(argv)
        .unwrap_or_else(|e| panic!("{args:?}: {e}"))
        .command
}

fn run_overrides(args: &[&str]) -> Overrides {
    let argv: Vec<&str> = std::iter::once("run").chain(args.iter().copied()).collect();
    match parse(&argv) {
        Command::Run(a) => a.overrides.into(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_run_flag_lands_in_its_own_override() {
    let ov = run_overrides(&[
        "--out=o",
        "--force",
        "--duration=5s",
        "--sessions=7",
        "--seed=9",
        "--users=u.csv",
        "--cas=c=imap://h:1",
        "--backend=b=imap://h:2",
        "--ca-file=ca.pem",
        "--insecure",
        "--tls-server-name=n",
        "--quiet",
        "--rate=3",
        "--validate=strict",
        "--source-address=127.0.0.2",
        "--shard=1/2",
        "--protocol-log=pl",
        "--protocol-log-sample=0.5",
        "--threshold=p99(*) < 1s",
        "--abort-on-fail",
        "--metrics-listen=:0",
    ]);
    assert_eq!(ov.out, Some(PathBuf::from("o")));
    assert!(ov.force && ov.insecure && ov.quiet && ov.abort_on_fail);
    assert_eq!(ov.duration.as_deref(), Some("5s"));
    assert_eq!(
        (ov.sessions, ov.seed, ov.rate),
        (Some(7), Some(9), Some(3.0))
    );
    assert_eq!(ov.users, Some(PathBuf::from("u.csv")));
    assert_eq!(
        (ov.cas, ov.backends),
        (
            vec!["c=imap://h:1".to_string()],
            vec!["b=imap://h:2".to_string()]
        )
    );
    assert_eq!(ov.ca_file, Some(PathBuf::from("ca.pem")));
    assert_eq!(ov.tls_server_name.as_deref(), Some("n"));
    assert_eq!(ov.validate, Some(Validate::Strict));
    assert_eq!(ov.source_addresses, ["127.0.0.2"]);
    assert_eq!(ov.shard.as_deref(), Some("1/2"));
    assert_eq!(ov.protocol_log, Some(PathBuf::from("pl")));
    assert_eq!(ov.protocol_log_sample, Some(0.5));
    assert_eq!(ov.thresholds, ["p99(*) < 1s"]);
    assert_eq!(ov.metrics_listen.as_deref(), Some(":0"));
    // Nothing given keeps every scenario value.
    let none = run_overrides(&[]);
    assert!(!none.force && !none.insecure && none.ca_file.is_none() && none.thresholds.is_empty());
    assert_eq!(
        run_overrides(&["--validate=light"]).validate,
        Some(Validate::Light)
    );
}

#[test]
fn replay_takes_runs_flags_and_its_own() {
    let opts: ReplayOptions = match parse(&[
        "replay",
        "a.log",
        "--via=cas",
        "--insecure",
        "--threshold=x",
    ]) {
        Command::Replay(a) => a.into(),
        other => panic!("{other:?}"),
    };
    assert_eq!(opts.sources, ["a.log"]);
    assert_eq!(opts.via, Some(Via::Cas));
    assert!(opts.overrides.insecure);
    assert_eq!(opts.overrides.thresholds, ["x"]);
    let direct: ReplayOptions = match parse(&["replay", "--via", "direct"]) {
        Command::Replay(a) => a.into(),
        other => panic!("{other:?}"),
    };
    assert_eq!(direct.via, Some(Via::Direct));
    assert!(Cli::try_parse_from(["imapload", "replay", "--via", "both"]).is_err());
}

/// A shared flag is one declaration: on every subcommand that takes it, it
/// has the same help, value name and variable-free definition.
#[test]
fn shared_flags_read_the_same_on_every_subcommand() {
    let cmd = Cli::command();
    let groups: [(&[&str], &[&str]); 3] = [
        (
            &["ca-file", "insecure", "tls-server-name"],
            &["run", "replay", "probe"],
        ),
        (&["threshold"], &["run", "replay", "merge", "health"]),
        (&["fail-on"], &["run", "replay"]),
    ];
    for (flags, subcommands) in groups {
        for flag in flags {
            let shown: Vec<String> = subcommands
                .iter()
                .map(|sub| {
                    let sub = cmd.find_subcommand(sub).unwrap();
                    let arg = sub.get_arguments().find(|a| a.get_long() == Some(flag));
                    let arg = arg.unwrap_or_else(|| panic!("{} has no --{flag}", sub.get_name()));
                    format!("{:?} {:?}", arg.get_help(), arg.get_value_names())
                })
                .collect();
            assert!(
                shown.windows(2).all(|w| w[0] == w[1]),
                "--{flag}: {shown:?}"
            );
        }
    }
}
