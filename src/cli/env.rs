//! `IMAPLOAD_<FLAG>` for every flag of `imapload run`, as k6 and most
//! container-friendly tools take their settings: given to the run's
//! arguments when the command is built, so a flag added later gets its
//! variable without anyone remembering to declare one.
//!
//! Precedence is clap's plus the plan's: a flag on the command line beats
//! its variable, which beats the scenario file, which beats the default.

use clap::builder::BoolishValueParser;
use clap::{Arg, ArgAction, Command};

/// The prefix of every variable.
pub const PREFIX: &str = "IMAPLOAD_";

/// The variable of a flag: `--protocol-log-sample` -> `IMAPLOAD_PROTOCOL_LOG_SAMPLE`.
pub fn var_name(long: &str) -> String {
    format!("{PREFIX}{}", long.to_ascii_uppercase().replace('-', "_"))
}

/// `cmd` with a variable on every argument of its `run` subcommand.
pub fn with_run_env(cmd: Command) -> Command {
    cmd.mut_subcommand("run", |run| run.mut_args(with_env))
}

/// One argument with its variable: its long name, or for the positional
/// scenario file its id (`IMAPLOAD_SCENARIO`). Global flags (`-v`) and
/// arguments that already name a variable keep what they have. An on/off
/// flag reads `1`/`0`, `true`/`false`, `yes`/`no`, `on`/`off` from its
/// variable.
fn with_env(arg: Arg) -> Arg {
    if arg.is_global_set() || arg.get_env().is_some() {
        return arg;
    }
    let name = match arg.get_long() {
        Some(long) => long.to_string(),
        None if arg.is_positional() => arg.get_id().to_string(),
        None => return arg,
    };
    let arg = arg.env(var_name(&name));
    match arg.get_action() {
        ArgAction::SetTrue => arg.value_parser(BoolishValueParser::new()),
        _ => arg,
    }
}
