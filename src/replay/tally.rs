//! The replay's account per command row: what the log had (counts, its own
//! durations) and what became of it (replayed with latency, skipped by
//! reason, added). The dispatcher adds the log's side as it reads; each
//! scripted session adds its results once, when it ends.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use hdrhistogram::Histogram;

use crate::engine::scripted::{ScriptSink, Skip, StepOutcome, StepResult};
use crate::results::replay::ReplayRow;

/// Why a logged command was not replayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// A session of Exchange's own probes (tag `z`, HealthMailbox users).
    Probe,
    /// The session was left out by `--sample`.
    SampledOut,
    /// Not a client command (Exchange's batched `proxy` rows).
    NotACommand,
    /// A command the engine has no kind for.
    Unknown,
    /// Folder DELETE / RENAME against real servers without `--allow-destructive`.
    Destructive,
    /// STARTTLS on a connection whose URL says TLS from the start or no TLS.
    SecurityByUrl,
    /// The server does not offer the extension the command needs.
    NotOffered,
    /// The session had failed before it.
    SessionFailed,
    /// The session had logged out before it.
    AfterLogout,
    /// The run stopped (deadline, interrupt) before it.
    Stopped,
    /// The replayed session had ended (failed or logged out) when it came.
    SessionEnded,
}

impl Reason {
    /// Every reason, in the order `replay.csv` lists them.
    pub const ALL: [Reason; 11] = [
        Reason::Probe,
        Reason::SampledOut,
        Reason::NotACommand,
        Reason::Unknown,
        Reason::Destructive,
        Reason::SecurityByUrl,
        Reason::NotOffered,
        Reason::SessionFailed,
        Reason::AfterLogout,
        Reason::Stopped,
        Reason::SessionEnded,
    ];

    /// Its name in `replay.csv`.
    pub fn label(self) -> &'static str {
        match self {
            Reason::Probe => "probe",
            Reason::SampledOut => "sampled-out",
            Reason::NotACommand => "not-a-command",
            Reason::Unknown => "unknown-command",
            Reason::Destructive => "destructive",
            Reason::SecurityByUrl => "security-by-url",
            Reason::NotOffered => "not-offered",
            Reason::SessionFailed => "session-failed",
            Reason::AfterLogout => "after-logout",
            Reason::Stopped => "stopped",
            Reason::SessionEnded => "session-ended",
        }
    }

    fn of(skip: Skip) -> Reason {
        match skip {
            Skip::NotOffered => Reason::NotOffered,
            Skip::SessionFailed => Reason::SessionFailed,
            Skip::AfterLogout => Reason::AfterLogout,
            Skip::Stopped => Reason::Stopped,
        }
    }
}

/// Marks a step's label as a command the replay added (not in the log).
pub const ADDED: u32 = 1 << 31;

/// Distinct rows kept; further unknown verbs count on `OTHER`.
const MAX_ROWS: usize = 200;

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 24 * 3_600_000_000, 2).expect("histogram bounds")
}

/// One row's figures.
struct Row {
    logged: u64,
    log_us: Histogram<u64>,
    replayed: u64,
    errors: u64,
    added: u64,
    replay_us: Histogram<u64>,
    skipped: [u64; Reason::ALL.len()],
}

/// Every row's figures, by label.
#[derive(Default)]
pub struct Tally {
    names: Vec<String>,
    index: HashMap<String, u32>,
    rows: Vec<Row>,
    /// Sessions started from the log.
    pub sessions: u64,
    /// Sessions that began before the log (no OpenSession, no login: rotated files, `--from`).
    pub fragments: u64,
}

impl Tally {
    /// The label of a row name, made on first use.
    pub fn label(&mut self, name: &str) -> u32 {
        if let Some(i) = self.index.get(name) {
            return *i;
        }
        if self.rows.len() >= MAX_ROWS && name != "OTHER" {
            return self.label("OTHER");
        }
        let i = self.rows.len() as u32;
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), i);
        self.rows.push(Row {
            logged: 0,
            log_us: histogram(),
            replayed: 0,
            errors: 0,
            added: 0,
            replay_us: histogram(),
            skipped: [0; Reason::ALL.len()],
        });
        i
    }

    /// A command the log had, with its logged duration.
    pub fn logged(&mut self, label: u32, duration_us: Option<u64>) {
        let row = &mut self.rows[label as usize];
        row.logged += 1;
        if let Some(d) = duration_us {
            let _ = row.log_us.record(d.max(1));
        }
    }

    /// A logged command not replayed.
    pub fn skip(&mut self, label: u32, why: Reason) {
        self.rows[label as usize].skipped[why as usize] += 1;
    }

    /// A logged command replayed by the session's opening (STARTTLS).
    pub fn replayed_by_opening(&mut self, label: u32) {
        self.rows[label as usize].replayed += 1;
    }

    /// A session's results.
    pub fn apply(&mut self, results: &[StepResult]) {
        for r in results {
            match r.outcome {
                StepOutcome::Sent { .. } if r.label & ADDED != 0 => {
                    self.rows[(r.label & !ADDED) as usize].added += 1;
                }
                StepOutcome::Sent { latency, ok } => {
                    let row = &mut self.rows[r.label as usize];
                    row.replayed += 1;
                    if ok {
                        let _ = row.replay_us.record((latency.as_micros() as u64).max(1));
                    } else {
                        row.errors += 1;
                    }
                }
                StepOutcome::Skipped(_) if r.label & ADDED != 0 => {}
                StepOutcome::Skipped(s) => self.skip(r.label, Reason::of(s)),
                StepOutcome::Added(kind) => {
                    let label = self.label(kind.label());
                    self.rows[label as usize].added += 1;
                }
            }
        }
    }

    /// The rows of `replay.csv`, by name.
    pub fn rows(&self) -> Vec<ReplayRow> {
        let q = |h: &Histogram<u64>, p: f64| (!h.is_empty()).then(|| h.value_at_quantile(p));
        let max = |h: &Histogram<u64>| (!h.is_empty()).then(|| h.max());
        let mut out: Vec<ReplayRow> = (self.names.iter().zip(&self.rows))
            .map(|(name, r)| ReplayRow {
                command: name.clone(),
                logged: r.logged,
                replayed: r.replayed,
                errors: r.errors,
                skipped: r.skipped.iter().sum(),
                skipped_by_reason: (Reason::ALL.iter().zip(&r.skipped))
                    .filter(|(_, n)| **n > 0)
                    .map(|(why, n)| format!("{}={n}", why.label()))
                    .collect::<Vec<_>>()
                    .join(";"),
                added: r.added,
                log_p50_us: q(&r.log_us, 0.5),
                log_p99_us: q(&r.log_us, 0.99),
                log_max_us: max(&r.log_us),
                replayed_p50_us: q(&r.replay_us, 0.5),
                replayed_p99_us: q(&r.replay_us, 0.99),
                replayed_max_us: max(&r.replay_us),
            })
            .collect();
        out.sort_by(|a, b| a.command.cmp(&b.command));
        out
    }
}

/// The tally shared by the dispatcher and the sessions.
#[derive(Clone, Default)]
pub struct Shared(pub Arc<Mutex<Tally>>);

impl ScriptSink for Shared {
    fn finished(&self, results: Vec<StepResult>) {
        if let Ok(mut t) = self.0.lock() {
            t.apply(&results);
        }
    }
}
