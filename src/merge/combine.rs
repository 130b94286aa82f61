//! Adding the shards up: time series on the shared clock (time since each
//! shard's start, the clock the scenario's ramps, faults and probes run on),
//! histograms added interval by interval and in total (never percentiles
//! averaged), queue readings added (the model counts commands in flight per
//! server, and the shards' commands are all in flight at once), sessions and
//! generator counts added.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, SystemTime};

use super::input::{self, ShardDir};
use super::merged::{MergedInterval, QueueSum, RowSum};
use crate::engine::EngineOutcome;
use crate::error::{Failure, InputError};
use crate::metrics::sink::IntervalSink;
use crate::metrics::{IntervalStore, Layout};
use crate::probe::ProbeAttempt;
use crate::results::hlog::read as hlog;
use crate::results::interval::IntervalRecord;
use crate::results::interval::IntervalStats;
use crate::results::run::{GeneratorDoc, Outcome, SessionsDoc};
use crate::results::series_read::SeriesReader;
use crate::results::shards::{ShardPart, ShardsDoc};
use crate::results::GeneratorReport;
use crate::results::Quantiles;
use crate::results::RowHistograms;
use crate::results::RowKey;
use crate::results::SessionTally;
use crate::results::Window;

/// The shards' interval logs being read and the merged ones being written,
/// one interval at a time.
struct Logs {
    /// Each shard's `latency.hlog`.
    lat_in: Vec<hlog::Reader>,
    /// Each shard's `service.hlog`.
    svc_in: Vec<hlog::Reader>,
    /// The merged `latency.hlog`.
    lat_out: hlog::Writer,
    /// The merged `service.hlog`.
    svc_out: hlog::Writer,
}

/// One interval's histograms by row tag, from every shard's logs.
struct IntervalHists {
    /// Corrected latency.
    lat: hlog::Tagged,
    /// Service time.
    svc: hlog::Tagged,
}

impl Logs {
    /// Opens every shard's logs and creates the merged ones in `out`
    /// (starting at `start`).
    fn open(
        shards: &[ShardDir],
        out: &Path,
        interval: Duration,
        start: SystemTime,
    ) -> Result<Logs, Failure> {
        let open = |name: &str| -> Result<Vec<hlog::Reader>, InputError> {
            shards
                .iter()
                .map(|s| hlog::Reader::open(&s.dir.join(name), interval))
                .collect()
        };
        let (lat_in, svc_in) = (
            open(crate::results::files::LATENCY_HLOG)?,
            open(crate::results::files::SERVICE_HLOG)?,
        );
        let lat_out = hlog::Writer::create(
            &out.join(crate::results::files::LATENCY_HLOG),
            "corrected latency",
            start,
        )?;
        let svc_out = hlog::Writer::create(
            &out.join(crate::results::files::SERVICE_HLOG),
            "service time",
            start,
        )?;
        Ok(Logs {
            lat_in,
            svc_in,
            lat_out,
            svc_out,
        })
    }

    /// Reads interval `k` from every shard, writes the sums as the merged
    /// interval `begin..end`, and returns them.
    fn interval(
        &mut self,
        k: u64,
        begin: Duration,
        end: Duration,
    ) -> Result<IntervalHists, InputError> {
        let (mut lat, mut svc) = (hlog::Tagged::new(), hlog::Tagged::new());
        for r in &mut self.lat_in {
            r.take(k, &mut lat)?;
        }
        for r in &mut self.svc_in {
            r.take(k, &mut svc)?;
        }
        self.lat_out.write(&lat, begin, end.saturating_sub(begin));
        self.svc_out.write(&svc, begin, end.saturating_sub(begin));
        Ok(IntervalHists { lat, svc })
    }

    /// Checks every shard's log was read to its end (but for shards `cut`
    /// short, whose logs run past their checkpoint) and closes the merged ones.
    fn finish(mut self, cut: &[bool]) -> Result<(), Failure> {
        let whole = |i: usize| !cut.get(i).copied().unwrap_or(false);
        for (_, r) in self
            .lat_in
            .iter_mut()
            .enumerate()
            .filter(|(i, _)| whole(*i))
        {
            r.finish()?;
        }
        for (_, r) in self
            .svc_in
            .iter_mut()
            .enumerate()
            .filter(|(i, _)| whole(*i))
        {
            r.finish()?;
        }
        self.lat_out.finish()?;
        self.svc_out.finish()?;
        Ok(())
    }
}

/// Each shard's time series being read, with its next interval.
struct Series {
    reader: SeriesReader<'static>,
    next: Option<IntervalRecord>,
}

impl Series {
    fn advance(&mut self) -> Result<(), InputError> {
        self.next = self.reader.next_interval()?;
        Ok(())
    }
}

/// The next merged interval: every shard's intervals of the earliest interval number
/// still to read; `None` when all are read.
fn next_interval(
    series: &mut [Series],
    interval: Duration,
    servers: usize,
) -> Result<Option<(u64, MergedInterval)>, InputError> {
    let number_of = |r: &IntervalRecord| hlog::interval_number(r.start, interval);
    let Some(k) = series
        .iter()
        .filter_map(|s| s.next.as_ref().map(number_of))
        .min()
    else {
        return Ok(None);
    };
    let mut merged = MergedInterval::default();
    for s in series.iter_mut() {
        while let Some(rec) = s.next.take_if(|r| number_of(r) == k) {
            merged.add(&rec, s.reader.row_keys(), servers);
            s.advance()?;
        }
    }
    Ok(Some((k, merged)))
}

/// Adds the shards' time series, queues and histograms into a store ready
/// for the results writer, one interval at a time: each merged interval goes
/// to the store's sinks (the merged time series in `out`, the monitors'
/// sums), and the merged `latency.hlog` and `service.hlog` are written into
/// `out` (starting at `start`, the earliest shard's). Nothing is held whole.
pub fn measurements(
    shards: &[ShardDir],
    out: &Path,
    start: SystemTime,
    sinks: Vec<Box<dyn IntervalSink>>,
) -> Result<IntervalStore, Failure> {
    let first = &shards[0];
    let interval = first.interval;
    let servers = first.cas.len() + first.backends.len();
    let names: Vec<String> = first.cas.iter().chain(&first.backends).cloned().collect();
    let mut series = (shards.iter())
        .map(|s| -> Result<Series, InputError> {
            let mut r = Series {
                reader: input::series(&s.dir, &names, s.until)?,
                next: None,
            };
            r.advance()?;
            Ok(r)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut logs = Logs::open(shards, out, interval, start)?;
    let layout = Layout::new(first.cas.clone(), first.backends.clone());
    let mut store = IntervalStore::new(layout);
    for sink in sinks {
        store.add_sink(sink);
    }
    store.set_window(window(shards));
    let index: BTreeMap<RowKey, usize> = (store.row_keys().iter().enumerate())
        .map(|(i, k)| (k.clone(), i))
        .collect();
    let mut totals: BTreeMap<RowKey, RowHistograms> = BTreeMap::new();
    while let Some((k, merged)) = next_interval(&mut series, interval, servers)? {
        let begin = merged.start.unwrap_or(interval * k as u32);
        let mut hists = logs.interval(k, begin, merged.end)?;
        let mut rows = Vec::new();
        for (key, sum) in merged.rows {
            let row = *index.get(&key).ok_or_else(|| {
                InputError::new(
                    "SHARD",
                    format!("row {} is not one of the run's servers", key.tag()),
                )
            })?;
            let measured = row_histograms(&key, sum, &mut hists, begin)?;
            rows.push(IntervalStats {
                row,
                ok: sum.ok,
                errors: sum.errors,
                corrected_sum_us: sum.corrected_sum_us,
                corrected: Quantiles::of(&measured.corrected),
                service: Quantiles::of(&measured.service),
            });
            store.add_steady(begin, merged.end, row, &measured);
            totals.entry(key).or_default().add(&measured);
        }
        if let Some(tag) = hists.lat.keys().chain(hists.svc.keys()).next() {
            let msg = format!(
                "row {tag} at {:.3} s is in an interval log but not in timeseries.csv",
                begin.as_secs_f64()
            );
            return Err(InputError::new("SHARD", msg).into());
        }
        rows.sort_by_key(|r| r.row);
        store.push(IntervalRecord {
            start: begin,
            end: merged.end,
            active_sessions: merged.active,
            rows,
            queues: merged.queues.iter().map(QueueSum::stats).collect(),
        });
    }
    let cut: Vec<bool> = shards.iter().map(|s| s.until != Duration::MAX).collect();
    logs.finish(&cut)?;
    store
        .restore(totals)
        .map_err(|m| InputError::new("SHARD", m))?;
    Ok(store)
}

/// Row `key`'s histograms in the interval starting at `begin`, taken out of
/// `hists`; the logs must hold exactly the time series' successful commands.
fn row_histograms(
    key: &RowKey,
    sum: RowSum,
    hists: &mut IntervalHists,
    begin: Duration,
) -> Result<RowHistograms, InputError> {
    let ok = sum.ok;
    let tag = key.tag();
    let corrected = hists.lat.remove(&tag).unwrap_or_else(hlog::empty);
    let service = hists.svc.remove(&tag).unwrap_or_else(hlog::empty);
    if corrected.len() != ok || service.len() != ok {
        let msg = format!(
            "row {tag} at {:.3} s: the time series has {ok} successful commands, latency.hlog {} \
             and service.hlog {}; the shards' results are incomplete",
            begin.as_secs_f64(),
            corrected.len(),
            service.len()
        );
        return Err(InputError::new("SHARD", msg));
    }
    Ok(RowHistograms {
        corrected,
        service,
        errors: sum.errors,
        corrected_sum_us: sum.corrected_sum_us,
    })
}

/// The shards' engine outcomes added: the earliest start, the latest end,
/// the longest measured time, sessions and generator counts summed (the
/// worst start lag is the largest), partial if any shard was.
pub fn outcome(shards: &[ShardDir]) -> EngineOutcome {
    let sum = |f: &dyn Fn(&SessionsDoc) -> u64| shards.iter().map(|s| f(&s.run.sessions)).sum();
    let generators: Vec<&GeneratorDoc> = shards
        .iter()
        .filter_map(|s| s.run.generator.as_ref())
        .collect();
    let gsum = |f: &dyn Fn(&GeneratorDoc) -> u64| generators.iter().map(|g| f(g)).sum::<u64>();
    let lag_us = (generators.iter())
        .map(|g| (g.max_start_lag_ms * 1000.0) as u64)
        .max()
        .unwrap_or(0);
    EngineOutcome {
        started_at: (shards.iter().map(|s| s.started_at).min()).unwrap_or(SystemTime::UNIX_EPOCH),
        ended_at: (shards.iter().map(|s| s.ended_at).max()).unwrap_or(SystemTime::UNIX_EPOCH),
        elapsed: shards.iter().map(|s| s.elapsed).max().unwrap_or_default(),
        interrupted: shards
            .iter()
            .any(|s| s.run.outcome != Some(Outcome::Completed)),
        sessions: SessionTally {
            started: sum(&|r| r.tally.started),
            completed: sum(&|r| r.tally.completed),
            failed: sum(&|r| r.tally.failed),
            aborted: sum(&|r| r.tally.aborted),
        },
        shared_users: sum(&|r| r.shared_users),
        user_waits: sum(&|r| r.user_waits),
        generator: (!generators.is_empty()).then(|| GeneratorReport {
            arrivals: gsum(&|g| g.arrivals),
            max_backlog: gsum(&|g| g.max_backlog),
            not_started: gsum(&|g| g.not_started),
            max_start_lag_us: lag_us,
        }),
        saturated: generators.iter().any(|g| g.saturated),
        window: window(shards),
        personas: Vec::new(),
    }
}

/// The merged steady window: every shard ran the same plan on the same
/// clock, so the warm-up is the same; the earliest end of the load (an
/// interrupted shard) bounds it. Shards written before windows existed judge
/// every interval.
pub fn window(shards: &[ShardDir]) -> Window {
    let windows: Vec<Window> = shards.iter().filter_map(|s| s.run.window).collect();
    match windows.first() {
        None => Window::WHOLE,
        Some(first) => Window {
            from: first.from,
            to: windows.iter().map(|w| w.to).min().unwrap_or(first.to),
        },
    }
}

/// Every shard's probe attempts (normally only shard 1 runs probes).
pub fn probes(shards: &[ShardDir]) -> Vec<ProbeAttempt> {
    let mut all: Vec<ProbeAttempt> = shards.iter().flat_map(|s| s.probes.clone()).collect();
    all.sort_by_key(|a| a.at);
    all
}

/// `run.json`'s `shards` object: the split, the parts merged and missing,
/// each part's wall-clock start and how far it lagged the earliest.
pub fn shards_doc(shards: &[ShardDir], missing: &[u32]) -> (ShardsDoc, Duration) {
    let t0 = (shards.iter().map(|s| s.started_at).min()).unwrap_or(SystemTime::UNIX_EPOCH);
    let skew = |s: &ShardDir| s.started_at.duration_since(t0).unwrap_or_default();
    let max_skew = shards.iter().map(skew).max().unwrap_or_default();
    let parts = (shards.iter())
        .map(|s| ShardPart {
            commands: s.run.totals.commands,
            dir: s.dir.display().to_string(),
            elapsed_s: s.run.elapsed_s,
            index: s.index,
            outcome: s.run.outcome,
            seed: s.run.seed.unwrap_or(s.run.plan.seed),
            start_skew_s: skew(s).as_secs_f64(),
            started_at: s.run.started_at.clone(),
        })
        .collect();
    let doc = ShardsDoc {
        clock: "time since each shard's start".into(),
        count: shards[0].count,
        max_start_skew_s: max_skew.as_secs_f64(),
        merged: shards.len(),
        missing: missing.to_vec(),
        parts,
    };
    (doc, max_skew)
}
