//! `imapload replay`: production IMAP logs become load. Logs of several
//! servers and formats (Exchange IMAP4 logs, Dovecot rawlogs, imapload's own
//! protocol logs; told apart by content) are merged by time and read as a
//! stream; each logged session becomes a scripted session of the engine
//! (`engine::scripted`) that starts at its logged time / speed and sends its
//! logged commands at their logged offsets / speed, re-made for the run's
//! users and mailboxes. The run is an ordinary run (results directory,
//! monitors, thresholds, report) plus `replay.csv`: per command, the log
//! beside the replay.

pub mod classify;
pub mod conversation;
pub mod csvline;
pub mod dispatch;
pub mod event;
pub mod exchange;
pub mod mapper;
pub mod merge;
pub mod options;
pub mod plan;
pub mod protolog;
pub mod rawlog;
pub mod sessions;
pub mod source;
pub mod tally;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::error::{Failure, InputError};
use crate::plan::{LoadModel, LoginMethod, RunPlan, TopologyPlan};
use crate::results::Security;

use event::Role;
use options::ReplayOptions;
use plan::ReplayPlan;

/// Time given after the last logged command for the sessions to finish.
const TAIL: Duration = Duration::from_secs(5);

/// Runs `imapload replay` and returns the exit code (as `run`'s).
pub async fn command(a: ReplayOptions, interrupt: CancellationToken) -> Result<i32, Failure> {
    let o = &a.overrides;
    for (set, flag) in [
        (o.duration.is_some(), "--duration"),
        (o.sessions.is_some(), "--sessions"),
        (o.rate.is_some(), "--rate"),
        (o.shard.is_some(), "--shard"),
    ] {
        if set {
            return Err(InputError::new(flag, "is not for replay: the logs set the sessions and the length (see --speed, --from, --to)").into());
        }
    }
    let rp = plan::build(&a)?;
    let mut run_plan = crate::plan::load(a.scenario.as_deref(), o)?;
    let sources = source::discover(&rp.sources, &cas_names(&run_plan))?;
    let Span {
        window,
        first_us,
        last_us,
    } = span(&rp, &sources)?;
    let length = Duration::from_micros((last_us - first_us).max(0) as u64).div_f64(rp.speed);
    adjust(&mut run_plan, &rp, length);
    if !run_plan.output.quiet {
        announce(&sources, (first_us, last_us), &rp, length);
    }
    let tally = tally::Shared::default();
    let rules = rules(&run_plan, &rp, &sources, first_us)?;
    let merge = merge::Merge::new(sources, window);
    let report = Arc::new(dispatch::ReadReport {
        read: merge.read.clone(),
        ..Default::default()
    });
    let (quiet, seed, read_report) = (run_plan.output.quiet, run_plan.seed, report.clone());
    let start_tally = tally.clone();
    let external = crate::engine::scripted::External {
        start: Box::new(move |start| {
            let sessions = sessions::Sessions::new(sessions::Rules { start, ..rules }, seed);
            dispatch::start(merge, sessions, start_tally, quiet, read_report)
        }),
        sink: Arc::new(tally.clone()),
    };
    let written = tally.clone();
    let extra = crate::run::Extra {
        external: Some(external),
        before_write: Some(Box::new(move |dir| {
            let rows = written.0.lock().map(|t| t.rows()).unwrap_or_default();
            dir.write(
                crate::results::files::REPLAY_CSV,
                &crate::results::replay::to_csv(&rows)?,
            )?;
            Ok(())
        })),
    };
    let fail_on = a.fail_on;
    let run = crate::run::run_with(run_plan, interrupt, fail_on, extra).await?;
    let t = tally
        .0
        .lock()
        .map_err(|_| Failure::Run(anyhow::anyhow!("internal error: replay tally poisoned")))?;
    if !quiet {
        print!("{}", table(&t.rows()));
        let unreadable = report.unreadable.load(std::sync::atomic::Ordering::Relaxed);
        println!(
            "replay: {} sessions ({} began before the log: login added), {} unreadable lines left out; replay.csv in {}",
            t.sessions,
            t.fragments,
            unreadable,
            run.dir.display()
        );
    }
    Ok(run.exit_code)
}

/// The run's CAS names (a protocol log of a session to one replays via a CAS).
fn cas_names(p: &RunPlan) -> Vec<String> {
    match &p.topology {
        TopologyPlan::Embedded(e) => (1..=e.cas).map(|i| format!("cas{i}")).collect(),
        TopologyPlan::Real(r) => r.cas.iter().map(|(n, _)| n.clone()).collect(),
    }
}

/// The part of the logs replayed: `--from` / `--to` within the logs' own
/// span (the span sets the run's length; without a bound, rows a little out
/// of order before the first time or after the last are replayed too).
struct Span {
    window: merge::Window,
    first_us: i64,
    last_us: i64,
}

fn span(rp: &ReplayPlan, sources: &[source::Source]) -> Result<Span, InputError> {
    let first = sources.iter().map(|s| s.first_us).min().unwrap_or(0);
    let last = sources.iter().map(|s| s.last_us).max().unwrap_or(0);
    let from = rp
        .from
        .as_deref()
        .map(|t| plan::parse_bound("--from", t, first))
        .transpose()?;
    let to = rp
        .to
        .as_deref()
        .map(|t| plan::parse_bound("--to", t, first))
        .transpose()?;
    let (first_us, last_us) = (
        from.map_or(first, |f| f.max(first)),
        to.map_or(last, |t| t.min(last)),
    );
    if last_us < first_us || to.is_some_and(|t| t <= first_us) {
        return Err(InputError::new(
            "--from/--to",
            "the window holds no part of the logs",
        ));
    }
    let window = merge::Window {
        from_us: from.unwrap_or(i64::MIN),
        to_us: to.unwrap_or(i64::MAX),
    };
    Ok(Span {
        window,
        first_us,
        last_us,
    })
}

/// The run plan of a replay: open model (the log sets the arrivals), as long
/// as the logs' span / speed plus a tail, no warm-up.
fn adjust(p: &mut RunPlan, rp: &ReplayPlan, length: Duration) {
    p.name = "replay".into();
    p.load.model = LoadModel::Open;
    p.load.stages.clear();
    p.load.rate = 0.0;
    p.load.max_sessions = rp.max_sessions;
    p.load.warmup = Duration::ZERO;
    p.load.cooldown = None;
    p.duration = length + TAIL;
}

fn rules(
    p: &RunPlan,
    rp: &ReplayPlan,
    sources: &[source::Source],
    t0_us: i64,
) -> Result<sessions::Rules, InputError> {
    let (embedded, plain) = match &p.topology {
        TopologyPlan::Embedded(_) => (true, p.session.security != Security::Tls),
        TopologyPlan::Real(r) => (
            false,
            r.cas
                .iter()
                .chain(&r.backends)
                .any(|(_, e)| e.security != Security::Tls),
        ),
    };
    let mailboxes = match (&rp.mailboxes, embedded) {
        (Some(m), _) => m.clone(),
        (None, true) => crate::sim::store::FOLDERS
            .iter()
            .map(|(n, _)| n.to_string())
            .collect(),
        (None, false) => vec!["INBOX".to_string()],
    };
    let roles: HashMap<u32, Role> = sources.iter().map(|s| (s.server, s.role)).collect();
    Ok(sessions::Rules {
        start: std::time::Instant::now(),
        t0_us,
        speed: rp.speed,
        sample: rp.sample,
        filter_probes: !rp.include_probes,
        destructive_ok: embedded || rp.allow_destructive,
        starttls_ok: plain,
        via: rp.via,
        roles,
        users: mapper::UserMap::new(&p.users, rp.user_map.as_deref())?,
        mailboxes: mapper::MailboxMap::new(&mailboxes),
        login: match p.session.login {
            LoginMethod::Mixed => LoginMethod::Login,
            m => m,
        },
        append_size: p.session.append_size,
        idle: p.session.idle_duration,
    })
}

/// The first line: what is replayed, and for how long.
fn announce(sources: &[source::Source], (from, to): (i64, i64), rp: &ReplayPlan, length: Duration) {
    let mut formats: Vec<&str> = sources.iter().map(|s| s.format.name()).collect();
    formats.sort();
    formats.dedup();
    let time = |us| {
        chrono::DateTime::from_timestamp_micros(us)
            .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default()
    };
    let mb = sources.iter().map(|s| s.bytes).sum::<u64>() as f64 / 1e6;
    eprintln!(
        "imapload: replay of {} file(s), {mb:.1} MB ({}), {} to {} at {}x: about {:.1} s",
        sources.len(),
        formats.join(", "),
        time(from),
        time(to),
        rp.speed,
        length.as_secs_f64()
    );
}

/// `replay.csv` as a table on the terminal.
pub fn table(rows: &[crate::results::replay::ReplayRow]) -> String {
    use crate::results::replay::SHOWN;
    let line = |cells: &[&str]| {
        let mut l = format!("{:<15}", cells[0]);
        for c in &cells[1..12] {
            l.push_str(&format!(" {c:>9}"));
        }
        format!("{l}  {}\n", cells[12])
    };
    let mut out = String::from("\nreplay: the log beside the replay (ms)\n");
    out.push_str(&line(&SHOWN));
    for r in rows {
        let cells = r.shown();
        out.push_str(&line(&cells.each_ref().map(String::as_str)));
    }
    out
}
