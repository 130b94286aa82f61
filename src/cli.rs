//! Command-line interface: flags -> plan -> the library, and the exit code.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use tokio_util::sync::CancellationToken;

use crate::error::Failure;
use crate::plan::{self, Overrides};

/// imapload: synthetic IMAP load through CAS proxies and straight to mailbox back ends,
/// with latency histograms per server and command.
#[derive(Debug, Parser)]
#[command(name = "imapload", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Diagnostic log on stderr: -v info, -vv debug (session failures, rustls), -vvv trace.
    /// RUST_LOG (e.g. `rustls=debug`) also turns it on.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
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
}

/// Flags of `imapload merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The shards' results directories (one per K of `--shard K/N`).
    #[arg(required = true, value_name = "SHARD")]
    pub shards: Vec<PathBuf>,
    /// The merged results directory.
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the merged directory if it exists.
    #[arg(long)]
    pub force: bool,
    /// Merge even if some shards are missing (the merge then covers less than the scenario).
    #[arg(long)]
    pub allow_missing: bool,
    /// No summary table.
    #[arg(long, short)]
    pub quiet: bool,
    /// A threshold judged on the merged results, besides the shards' own (repeatable).
    #[arg(long = "threshold", value_name = "EXPR", allow_hyphen_values = true)]
    pub thresholds: Vec<String>,
}

/// Flags of `imapload compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// The baseline results directory.
    pub baseline: PathBuf,
    /// The results directory to judge.
    pub current: PathBuf,
    /// Largest allowed growth of the metric, e.g. 10%.
    #[arg(long, default_value = "10%")]
    pub max_regression: String,
    /// p50, p90, p99, p99.9, max or mean (corrected latency).
    #[arg(long, default_value = "p99")]
    pub metric: crate::compare::Metric,
    /// text or markdown (for a pull-request comment).
    #[arg(long, default_value = "text")]
    pub format: crate::compare::Format,
    /// Rows with fewer commands on either side are shown, not judged
    /// (default: 10 beyond the percentile, e.g. 1,000 for p99).
    #[arg(long)]
    pub min_samples: Option<u64>,
    /// Changes smaller than this are never regressions (e.g. 1ms; 0s to judge everything).
    #[arg(long, default_value = "1ms")]
    pub min_delta: String,
}

/// Flags of `imapload report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// A results directory written by `imapload run`.
    pub results: PathBuf,
}

/// Flags of `imapload probe`.
#[derive(Debug, clap::Args)]
pub struct ProbeArgs {
    /// `IMAP\ImapCTPProbe`, `IMAP.Proxy\ImapProxyTestProbe`, `IMAP.Protocol\ImapDeepTestProbe` or `IMAP.Protocol\ImapSelfTestProbe`.
    pub probe: String,
    /// Server URL: imap://host:143[?starttls] or imaps://host:993.
    #[arg(long)]
    pub server: String,
    /// Probe account (full probes log in).
    #[arg(long, default_value = "")]
    pub user: String,
    /// Its password (never printed).
    #[arg(long, default_value = "")]
    pub password: String,
    /// Extra trust anchors (PEM).
    #[arg(long)]
    pub ca_file: Option<PathBuf>,
    /// Do not verify the server certificate.
    #[arg(long)]
    pub insecure: bool,
    /// The name the certificate is checked against (and sent as SNI) instead
    /// of the URL's host; same as `?sni=NAME` in the URL.
    #[arg(long, value_name = "NAME")]
    pub tls_server_name: Option<String>,
    /// Timeout (default: Exchange's, 55 s light / 110 s full).
    #[arg(long)]
    pub timeout: Option<String>,
}

/// Flags of `imapload health`.
#[derive(Debug, clap::Args)]
pub struct HealthArgs {
    /// A results directory written by `imapload run`.
    pub results: PathBuf,
    /// Take the monitor and probe settings from this scenario instead of the run's.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// AverageCommandProcessingTime threshold, e.g. 60s or 500ms.
    #[arg(long)]
    pub command_time_threshold: Option<String>,
    /// RequestsQueued threshold (queued commands).
    #[arg(long)]
    pub queue_threshold: Option<f64>,
    /// Sample period, e.g. 300s.
    #[arg(long)]
    pub sample_period: Option<String>,
    /// Degraded -> Unhealthy delay, e.g. 2m.
    #[arg(long)]
    pub escalation_delay: Option<String>,
    /// A threshold judged besides the run's own, e.g. 'p99(*) < 1s' (repeatable).
    #[arg(long = "threshold", value_name = "EXPR", allow_hyphen_values = true)]
    pub thresholds: Vec<String>,
}

/// Flags of `imapload run`. Each overrides the scenario file.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario file (TOML). Without it, the built-in scenarios/quickstart.toml.
    pub scenario: Option<PathBuf>,
    /// Flags that override the scenario.
    #[command(flatten)]
    pub overrides: Overrides,
    /// Exit 3 when a monitor ended Unhealthy (`unhealthy`, the default) or never.
    #[arg(long, value_enum, default_value_t = crate::run::FailOn::Unhealthy)]
    pub fail_on: crate::run::FailOn,
}

/// Flags of `imapload serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Number of mailbox back ends (mbx1..).
    #[arg(long, default_value_t = 2)]
    pub backends: usize,
    /// Number of CAS proxies (cas1..).
    #[arg(long, default_value_t = 1)]
    pub cas: usize,
    /// Address to listen on (loopback unless you say otherwise).
    #[arg(long, default_value = "127.0.0.1")]
    pub listen: IpAddr,
    /// First port; servers take consecutive ports (plain, TLS) from here. Default: ephemeral.
    #[arg(long)]
    pub port_base: Option<u16>,
    /// Number of users in the users file.
    #[arg(long, default_value_t = 1000)]
    pub users: usize,
    /// Seed for the synthetic mailboxes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Commands a back end serves at once.
    #[arg(long, default_value_t = 16)]
    pub workers: usize,
    /// Where to write users.csv and ca.pem (default: a new temporary directory).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Back-end service time per command, log-normal: MEDIAN/P99, e.g.
    /// `1ms/5ms` (the default) or `0` for none (to measure the generator).
    #[arg(long, default_value = "1ms/5ms", value_name = "MEDIAN/P99")]
    pub service_time: String,
    /// Run only these servers (comma-separated, e.g. `mbx2`), keeping the
    /// whole topology's port numbering: one topology over several processes,
    /// each with its own open-file limit. Needs --port-base.
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub only: Option<Vec<String>>,
    /// Advertise LOGINDISABLED and refuse LOGIN / AUTHENTICATE on plain connections until STARTTLS.
    #[arg(long)]
    pub login_disabled_without_tls: bool,
}

/// Parses the process arguments, runs, and returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
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
            let plan = plan::load(a.scenario.as_deref(), &a.overrides)?;
            let report = crate::run::run(plan, interrupt_token(), a.fail_on).await?;
            Ok(report.exit_code)
        }
        Command::Serve(a) => serve(a).await,
        Command::Probe(a) => probe(a).await,
        Command::Merge(a) => crate::merge::command(
            &a.shards,
            &crate::merge::MergeOptions {
                out: a.out,
                force: a.force,
                allow_missing: a.allow_missing,
                quiet: a.quiet,
                thresholds: a.thresholds,
            },
        ),
        Command::Compare(a) => compare(a),
        Command::Report(a) => report(a),
        Command::Health(a) => crate::rejudge::command(
            &a.results,
            &crate::rejudge::Rejudge {
                scenario: a.scenario,
                command_time_threshold: a.command_time_threshold,
                queue_threshold: a.queue_threshold,
                sample_period: a.sample_period,
                escalation_delay: a.escalation_delay,
                thresholds: a.thresholds,
            },
        ),
    }
}

/// `imapload serve`: the embedded topology in the foreground until Ctrl-C.
async fn serve(a: ServeArgs) -> Result<i32, Failure> {
    if a.backends == 0 || a.cas == 0 || a.users == 0 || a.workers == 0 {
        return Err(crate::error::InputError::new(
            "--backends/--cas/--users/--workers",
            "must be at least 1",
        )
        .into());
    }
    // The embedded servers hold two sockets per client session.
    let _ = crate::fdlimit::raise();
    let opts = crate::sim::serve::ServeOptions {
        cas: a.cas,
        backends: a.backends,
        listen: a.listen,
        port_base: a.port_base,
        users: a.users,
        seed: a.seed,
        workers_per_backend: a.workers,
        dir: a.dir,
        service: crate::sim::serve::parse_service_time(&a.service_time)
            .map_err(|m| crate::error::InputError::new("--service-time", m))?,
        only: match a.only {
            Some(list) => {
                crate::sim::serve::check_only(&list, a.cas, a.backends)
                    .map_err(|m| crate::error::InputError::new("--only", m))?;
                if a.port_base.is_none() {
                    return Err(crate::error::InputError::new(
                        "--only",
                        "needs --port-base, so that the processes of one topology agree on its ports",
                    )
                    .into());
                }
                Some(list)
            }
            None => None,
        },
        login_disabled_without_tls: a.login_disabled_without_tls,
    };
    crate::sim::serve::serve(opts, interrupt_token())
        .await
        .map_err(Failure::Run)?;
    Ok(0)
}

/// `imapload compare`: two results directories, row by row.
fn compare(a: CompareArgs) -> Result<i32, Failure> {
    let min_delta = plan::parse_duration(&a.min_delta)
        .or_else(|e| {
            if a.min_delta.trim() == "0" {
                Ok(std::time::Duration::ZERO)
            } else {
                Err(e)
            }
        })
        .map_err(|e| crate::error::InputError::new("--min-delta", e))?;
    let opts = crate::compare::CompareOptions {
        max_regression_pct: crate::compare::parse_max_regression(&a.max_regression)?,
        metric: a.metric,
        min_samples: a.min_samples,
        min_delta_us: min_delta.as_micros() as u64,
        format: a.format,
    };
    crate::compare::command(&a.baseline, &a.current, &opts)
}

/// `imapload report`: (re)writes `report.html` from the files.
fn report(a: ReportArgs) -> Result<i32, Failure> {
    if !a.results.join(crate::results::files::RUN_JSON).is_file() {
        let msg = format!(
            "{} is not an imapload results directory (no run.json)",
            a.results.display()
        );
        return Err(crate::error::InputError::new("RESULTS", msg).into());
    }
    let path = crate::report::html::write(&a.results).map_err(Failure::Run)?;
    println!("{}", path.display());
    Ok(0)
}

async fn probe(a: ProbeArgs) -> Result<i32, Failure> {
    use crate::error::InputError;
    use crate::probe::{format_list, run_probe, ProbeKind};
    let kind = ProbeKind::parse(&a.probe).map_err(|e| InputError::new("PROBE", e))?;
    let mut endpoint =
        crate::imap::url::Endpoint::parse(&a.server).map_err(|e| InputError::new("--server", e))?;
    if let Some(name) = a.tls_server_name {
        let flag = "--tls-server-name";
        crate::imap::url::check_sni(&name, flag).map_err(|m| InputError::new(flag, m))?;
        endpoint.sni = Some(name);
    }
    if !kind.light() && (a.user.is_empty() || a.password.is_empty()) {
        let msg = format!("{} logs in: give --user and --password", kind.name());
        return Err(InputError::new("--user/--password", msg).into());
    }
    // As in users files: a credential must not be able to change the command stream.
    for (key, value) in [("--user", &a.user), ("--password", &a.password)] {
        if value.contains(['\r', '\n', '\0']) {
            let msg = "contains a line break or NUL, which IMAP cannot carry in a login";
            return Err(InputError::new(key, msg).into());
        }
    }
    let timeout = match a.timeout.as_deref() {
        Some(t) => match plan::parse_duration(t) {
            Ok(d) if !d.is_zero() => d,
            Ok(_) => return Err(InputError::new("--timeout", "must be more than zero").into()),
            Err(e) => return Err(InputError::new("--timeout", e).into()),
        },
        None if kind.light() => plan::ProbePlan::default().timeout_light,
        None => plan::ProbePlan::default().timeout_full,
    };
    let tls = crate::imap::tls::TlsClient::new(a.ca_file.as_deref(), None, a.insecure)?;
    if a.insecure {
        eprintln!("{}", crate::imap::tls::INSECURE_WARNING);
    }
    let result = run_probe(
        kind,
        &a.server,
        &endpoint,
        &tls,
        &a.user,
        &a.password,
        timeout,
        false,
    )
    .await;
    print!("{}", format_list(&result));
    Ok(if result.ok { 0 } else { 3 })
}
