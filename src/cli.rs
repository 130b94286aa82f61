//! Command-line interface: every flag of every subcommand is declared here
//! (under `cli/`), checked and turned into the library's plain options
//! ([`plan::Overrides`], [`crate::health::HealthOptions`], ...), then the
//! library runs and its result becomes the exit code. Flag groups that
//! several subcommands take are declared once, in [`flags`].

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use tokio_util::sync::CancellationToken;

use crate::error::Failure;
use crate::plan;

mod args;
pub mod capacity;
mod commands;
pub mod env;
pub mod flags;
pub mod generate;
pub mod populate;
pub mod replay;
pub mod run;

pub use args::{CompareArgs, HealthArgs, MergeArgs, ProbeArgs, ReportArgs, ServeArgs};
use commands::{compare, probe, report, serve};
pub use replay::ReplayArgs;
pub use run::{OverrideFlags, RunArgs};

/// imapload: synthetic IMAP load through CAS proxies and straight to mailbox back ends,
/// with latency histograms per server and command.
#[derive(Debug, Parser)]
#[command(name = "imapload", version = VERSION, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Diagnostic log on stderr: -v info, -vv debug (session failures, rustls), -vvv trace.
    /// RUST_LOG (e.g. `rustls=debug`) also turns it on.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
}

/// `imapload --version`: the release and the git commit it was built from
/// (`unknown` when built outside a git checkout without `IMAPLOAD_GIT_COMMIT`).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("IMAPLOAD_GIT_COMMIT"),
    ")"
);

/// The whole command line as clap sees it: the derived one plus an
/// `IMAPLOAD_<FLAG>` variable on every `run` flag ([`env`]). Completions and
/// the man page are generated from it too, so they show the variables.
pub fn command() -> clap::Command {
    env::with_run_env(Cli::command()).mut_subcommand("capacity", capacity::hide_refused)
}

/// The subcommands.
#[derive(Debug, Subcommand)]
// Parsed once at start: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Run a scenario (default: the built-in quickstart on the embedded topology) and write a results directory.
    Run(RunArgs),
    /// Run the embedded topology (CAS + back ends) in the foreground until Ctrl-C.
    Serve(ServeArgs),
    /// Run one Exchange IMAP probe once, like Invoke-MonitoringProbe (exit 0 Succeeded, 3 Failed).
    Probe(ProbeArgs),
    /// Re-evaluate the monitors of a saved results directory (exit 3 when one ends Unhealthy).
    Health(HealthArgs),
    /// (Re)write the HTML report of a results directory.
    Report(ReportArgs),
    /// Compare two results directories per path x server x command (exit 4 on a regression).
    Compare(CompareArgs),
    /// Merge the results of `run --shard K/N` (all N) into one and judge the monitors on it (exit 3 when one ends Unhealthy).
    Merge(MergeArgs),
    /// Search for the largest load the verdict holds at, with fixed trials (RFC 9971), and model beyond it (exit 5: the minimum already fails).
    Capacity(capacity::CapacityArgs),
    /// Replay production logs (Exchange IMAP4 logs, Dovecot rawlogs, imapload protocol logs) as load; exits like `run`.
    Replay(ReplayArgs),
    /// Fill a real server's mailboxes with a realistic mail set (idempotent: a rerun adds nothing).
    Populate(populate::PopulateArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(generate::CompletionsArgs),
    /// Print the man page (or write one page per subcommand into --dir).
    Man(generate::ManArgs),
    /// Print Kubernetes manifests for a sharded run: scenario ConfigMap, results volume, shards Job, merge Job.
    K8s(generate::K8sArgs),
}

/// Parses the process arguments, runs, and returns the exit code.
pub fn main() -> i32 {
    let parsed = command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            let _ = e.print(); // --help, --version
            return 0;
        }
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print(); // bare `imapload`: the help, as a usage error
            return 2;
        }
        Err(e) => {
            eprintln!("imapload: {}", one_line(&e));
            return 2;
        }
    };
    crate::trace::init(cli.verbose);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("imapload: cannot start the async runtime: {e}");
            return 1;
        }
    };
    let result = rt.block_on(dispatch(cli.command));
    match result {
        Ok(code) => code,
        Err(f) => {
            eprintln!("imapload: {f}");
            f.exit_code()
        }
    }
}

/// Clap's usage error as one line (bad input is one line everywhere): its
/// message, possible values and tip, without the usage block.
fn one_line(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let parts: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("Usage:") && !l.starts_with("For more"))
        .map(|l| l.strip_prefix("error: ").unwrap_or(l))
        .collect();
    format!("{}; see --help", parts.join("; "))
}

/// A token cancelled on Ctrl-C or SIGTERM.
fn interrupt_token() -> CancellationToken {
    let token = CancellationToken::new();
    let t = token.clone();
    tokio::spawn(async move {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let mut term = signal(SignalKind::terminate()).ok();
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = async { match term.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => {}
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        t.cancel();
    });
    token
}

async fn dispatch(command: Command) -> Result<i32, Failure> {
    match command {
        Command::Run(a) => {
            let mut plan = plan::load(a.scenario.as_deref(), &a.overrides.into())?;
            let to_stdout = a.summary_json.as_deref() == Some(std::path::Path::new("-"));
            plan.output.tables_on_stderr = to_stdout;
            let report = crate::run::run(plan, interrupt_token(), a.fail_on.fail_on).await?;
            if let Some(target) = &a.summary_json {
                crate::report::summary_json::write(&report.dir, target)?;
            }
            Ok(report.exit_code)
        }
        Command::Capacity(a) => {
            let (scenario, overrides, options) = a.into_parts()?;
            let plan = plan::load(scenario.as_deref(), &overrides)?;
            crate::capacity::command(plan, options, interrupt_token()).await
        }
        Command::Serve(a) => serve(a).await,
        Command::Replay(a) => crate::replay::command(a.into(), interrupt_token()).await,
        Command::Probe(a) => probe(a).await,
        Command::Merge(a) => {
            let (shards, options) = a.into_parts();
            crate::merge::command(&shards, &options)
        }
        Command::Compare(a) => compare(a),
        Command::Report(a) => report(a),
        Command::Populate(a) => {
            crate::populate::command(a.into_options()?, interrupt_token()).await
        }
        Command::Completions(a) => generate::completions(a),
        Command::Man(a) => generate::man(a),
        Command::K8s(a) => crate::k8s::command(a.into()),
        Command::Health(a) => {
            let (results, options) = a.into_parts();
            crate::health::command(&results, &options)
        }
    }
}

#[cfg(test)]
mod tests;
