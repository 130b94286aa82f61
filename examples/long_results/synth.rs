//! A synthetic results directory of N intervals x 96 rows, written through imapload's own
//! writer types (the `imapload::results` row types, `metrics::hlog::Hlog`, `RowHistograms`),
//! so `report` can be measured on a working day's worth of results without running for a
//! working day. Shared by `examples/long_results` and the report's scaling test.
//!
//! The topology is 2 CAS x 3 back ends, 8 commands: 48 rows through a CAS, the 24 rows those
//! commands add to their back ends, and 24 direct rows. Each recording row sees a Poisson
//! number of commands per interval with log-normal corrected latency (median per command,
//! sigma 0.5); one back end is ten times slower from 40% to 55% of the run, so monitors fire
//! and the charts have a shape. Rows without commands in an interval are left out of
//! `timeseries.csv` and the logs, as a run leaves them out.

#[path = "records.rs"]
mod records;

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::time::{Duration, SystemTime};

use imapload::command::CommandKind;
use imapload::results::cells::header;
use imapload::results::files;
use imapload::results::hlog::write::Hlog;
use imapload::results::timeseries::{QueueRow, TimeseriesRow};
use imapload::results::ErrorReason;
use imapload::results::Path as RowPath;
use imapload::results::QueueStats;
use imapload::results::RowHistograms;
use imapload::results::RowKey;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, LogNormal, Poisson};

/// What to write.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Intervals in the run.
    pub intervals: u64,
    /// Interval length, seconds.
    pub interval_s: f64,
    /// Mean commands per second on each recording row.
    pub rate: f64,
    /// Seed of the latencies.
    pub seed: u64,
    /// A RequestsQueued monitor on the last back end changes state every this many
    /// intervals over the whole run (0: never), as a flapping monitor would in `run.json`.
    pub flap_every: u64,
}

/// CAS servers.
pub const CAS: [&str; 2] = ["cas1", "cas2"];
/// Back ends.
pub const BACKENDS: [&str; 3] = ["mbx1", "mbx2", "mbx3"];
/// The back end slowed in the middle of the run.
pub const SLOW: &str = "mbx2";
/// Commands with their median corrected latency, ms.
const COMMANDS: [(CommandKind, f64); 8] = [
    (CommandKind::Login, 8.0),
    (CommandKind::Select, 3.0),
    (CommandKind::FetchHeaders, 4.0),
    (CommandKind::FetchBody, 12.0),
    (CommandKind::Search, 6.0),
    (CommandKind::Store, 2.5),
    (CommandKind::Append, 15.0),
    (CommandKind::Noop, 0.8),
];

/// Whether interval `k` of `spec` is in the slow stretch.
pub fn slow_at(spec: &Spec, k: u64) -> bool {
    let f = k as f64 / spec.intervals.max(1) as f64;
    (0.40..0.55).contains(&f)
}

/// The rows: recording rows first (through a CAS, then direct), then the rows a CAS row adds
/// to its back end. Returns the keys and, per derived row, the recording rows it sums.
fn layout() -> (Vec<RowKey>, Vec<Vec<usize>>) {
    let mut keys = Vec::new();
    for (cmd, _) in COMMANDS {
        for cas in CAS {
            for b in BACKENDS {
                keys.push(RowKey::new(RowPath::Cas, cas, b, cmd));
            }
        }
        for b in BACKENDS {
            keys.push(RowKey::new(RowPath::Direct, b, b, cmd));
        }
    }
    let recording = keys.len();
    let mut sources = Vec::new();
    for (cmd, _) in COMMANDS {
        for b in BACKENDS {
            let from = (0..recording)
                .filter(|&i| {
                    let k = &keys[i];
                    k.path == RowPath::Cas && k.backend == b && k.command == cmd
                })
                .collect();
            keys.push(RowKey::new(RowPath::Cas, b, b, cmd));
            sources.push(from);
        }
    }
    (keys, sources)
}

fn median_ms(cmd: CommandKind) -> f64 {
    (COMMANDS.iter().find(|c| c.0 == cmd)).map_or(5.0, |c| c.1)
}

/// Fills one recording row's interval: Poisson commands, 0.2% of them failing.
fn draw(row: &mut RowHistograms, key: &RowKey, slow: bool, spec: &Spec, rng: &mut StdRng) {
    let lambda = (spec.rate * spec.interval_s).max(1e-9);
    let n = Poisson::new(lambda).map_or(0.0, |p| p.sample(rng)) as u64;
    let factor = if slow && key.backend == SLOW {
        10.0
    } else {
        1.0
    };
    let median_us = median_ms(key.command) * 1000.0 * factor;
    let Ok(lat) = LogNormal::new(median_us.ln(), 0.5) else {
        return;
    };
    for _ in 0..n {
        if rng.random::<f64>() < 0.002 {
            row.record_error(ErrorReason::No);
            continue;
        }
        let corrected = lat.sample(rng).max(1.0) as u64;
        let service = (corrected as f64 * rng.random_range(0.6..0.95)) as u64;
        row.record_ok(corrected, service.max(1));
    }
}

/// The `timeseries.csv` row of `row` in `[start, end]`.
fn ts_row(key: &RowKey, row: &RowHistograms, start: f64, end: f64, sessions: u64) -> TimeseriesRow {
    let q = |h: &hdrhistogram::Histogram<u64>, p: f64| match h.is_empty() {
        true => 0,
        false => h.value_at_quantile(p),
    };
    let mut out = TimeseriesRow {
        t_start_s: start,
        t_end_s: end,
        path: key.path.to_string(),
        server: key.server.clone(),
        backend: key.backend.clone(),
        command: key.command.to_string(),
        count: row.count(),
        ok: row.ok(),
        errors: row.error_count(),
        timeouts: row.errors[ErrorReason::Timeout.index()],
        corrected_sum_us: row.corrected_sum_us,
        mean_us: row.corrected_sum_us.checked_div(row.ok()).unwrap_or(0),
        active_sessions: sessions,
        p50_us: q(&row.corrected, 0.5),
        p90_us: q(&row.corrected, 0.9),
        p99_us: q(&row.corrected, 0.99),
        max_us: row.corrected.max(),
        service_p50_us: q(&row.service, 0.5),
        service_p90_us: q(&row.service, 0.9),
        service_p99_us: q(&row.service, 0.99),
        service_max_us: row.service.max(),
        partial: Some(false),
        ..TimeseriesRow::default()
    };
    out.set_errors_by_reason(&row.errors);
    out
}

type CsvOut = csv::Writer<BufWriter<File>>;

/// A CSV file of rows `T`, its header from the row type.
fn csv_file<T: serde::Serialize + Default>(dir: &Path, name: &str) -> anyhow::Result<CsvOut> {
    let f = BufWriter::new(File::create(dir.join(name))?);
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(f);
    w.write_record(header::<T>())?;
    Ok(w)
}

/// The files written interval by interval.
struct Streams {
    ts: CsvOut,
    queue: CsvOut,
    latency: Hlog,
    service: Hlog,
}

/// Writes interval `k`: its rows, their histograms and the servers' queues. `rows` are the
/// interval's histograms (reset here), `totals` the whole run's.
fn interval(
    k: u64,
    spec: &Spec,
    layout: &(Vec<RowKey>, Vec<Vec<usize>>),
    rows: &mut [RowHistograms],
    totals: &mut [RowHistograms],
    out: &mut Streams,
    rng: &mut StdRng,
) -> anyhow::Result<()> {
    let (keys, sources) = layout;
    let recording = keys.len() - sources.len();
    let slow = slow_at(spec, k);
    // Only rows that saw something are reset or added: at a low rate most are empty.
    for row in rows.iter_mut().filter(|r| !r.is_empty()) {
        row.reset();
    }
    for i in 0..recording {
        draw(&mut rows[i], &keys[i], slow, spec, rng);
    }
    for (j, from) in sources.iter().enumerate() {
        let (recorded, derived) = rows.split_at_mut(recording);
        for &i in from.iter().filter(|&&i| !recorded[i].is_empty()) {
            derived[j].add(&recorded[i]);
        }
    }
    let (start, len) = (k as f64 * spec.interval_s, spec.interval_s);
    let sessions = 30u64.min(k + 1);
    for (i, row) in rows.iter().enumerate().filter(|(_, r)| !r.is_empty()) {
        out.ts
            .serialize(ts_row(&keys[i], row, start, start + len, sessions))?;
        if !row.corrected.is_empty() {
            let tag = imapload::results::hlog::tag(
                &keys[i].path.to_string(),
                &keys[i].server,
                &keys[i].backend,
                &keys[i].command.to_string(),
            );
            let (s, l) = (Duration::from_secs_f64(start), Duration::from_secs_f64(len));
            out.latency.write(&tag, &row.corrected, s, l);
            out.service.write(&tag, &row.service, s, l);
        }
        totals[i].add(row);
    }
    for server in CAS.iter().chain(&BACKENDS) {
        let depth = if slow && *server == SLOW { 40 } else { 2 } + rng.random_range(0..3u64);
        let q = QueueStats {
            samples: 10,
            sum: depth * 10,
            max: depth + 2,
            own_sum: None,
            own_max: None,
            own_busy_sum: None,
        };
        out.queue
            .serialize(QueueRow::of(start, start + len, server, &q))?;
    }
    Ok(())
}

/// Writes the whole directory (created if missing) and returns how many `timeseries.csv`
/// rows it holds.
pub fn write(dir: &Path, spec: &Spec) -> anyhow::Result<u64> {
    std::fs::create_dir_all(dir)?;
    let layout = layout();
    let started = SystemTime::now();
    let mut out = Streams {
        ts: csv_file::<TimeseriesRow>(dir, files::TIMESERIES_CSV)?,
        queue: csv_file::<QueueRow>(dir, files::QUEUE_CSV)?,
        latency: Hlog::create(&dir.join(files::LATENCY_HLOG), started)?,
        service: Hlog::create_of(&dir.join(files::SERVICE_HLOG), started, "service time")?,
    };
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let n = layout.0.len();
    let mut rows = vec![RowHistograms::new(); n];
    let mut totals = vec![RowHistograms::new(); n];
    let mut written = 0u64;
    for k in 0..spec.intervals {
        interval(k, spec, &layout, &mut rows, &mut totals, &mut out, &mut rng)?;
        written += rows.iter().filter(|r| !r.is_empty()).count() as u64;
    }
    out.ts.flush()?;
    out.queue.flush()?;
    for h in [&mut out.latency, &mut out.service] {
        h.flush();
        if let Some(e) = &h.error {
            anyhow::bail!("writing a histogram log: {e}");
        }
    }
    records::write(dir, spec, &layout.0, &totals, started)?;
    Ok(written)
}
