//! Reading the two sides' results directories: `summary.csv` and
//! `latency.hlog` strictly (they decide the exit code, so anything odd is an
//! input error naming the file, line and column), `run.json` leniently (it
//! only labels the output and feeds a warning). A side may be several runs of
//! one scenario: their rows are pooled, and each run's histogram is kept for
//! the run-to-run spread.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use hdrhistogram::Histogram;

use super::Metric;
use crate::error::{Failure, InputError};
use crate::results::hlog::read::empty;
use crate::results::summary;
use crate::results::{RowLabels, RunRecord};

/// What `run.json` says about a run, for the header and the "not comparable"
/// warning. Every field is optional: a hand-made or older results directory
/// may lack `run.json`, and that should not block a comparison.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunInfo {
    /// The results directory, as given on the command line.
    pub dir: PathBuf,
    /// `plan.name` (the scenario's `name`).
    pub scenario: Option<String>,
    /// The run's seed.
    pub seed: Option<u64>,
    /// `completed`, `partial`, ...
    pub outcome: Option<String>,
    /// Why the fields are missing, when `run.json` could not be read.
    pub problem: Option<String>,
}

/// One row of one side: its `summary.csv` figures summed over the side's
/// runs, and its latencies pooled and per run.
#[derive(Debug, Clone)]
pub struct RowSide {
    /// Commands (`count`, summed over the runs).
    pub count: u64,
    /// Failed commands (`errors`, summed).
    pub errors: u64,
    /// Every run's histogram added together.
    pub pooled: Histogram<u64>,
    /// Each run's histogram (empty where a run lacks the row), in run order.
    pub runs: Vec<Histogram<u64>>,
}

/// One side of a comparison: one or more runs of the same scenario, pooled.
#[derive(Debug, Default)]
pub struct SideData {
    /// What each run's `run.json` says, in the order given.
    pub infos: Vec<RunInfo>,
    /// The rows, in the first run's order, then rows new in later runs.
    pub rows: Vec<(RowLabels, RowSide)>,
    /// What was read with a problem but not refused (a cut-short last line,
    /// a log holding fewer latencies than `summary.csv` counts).
    pub notes: Vec<String>,
}

/// Reads every run of a side: `summary.csv` strictly ([`summary::read`]:
/// a bad cell is an input error naming file, line and column), `latency.hlog`
/// strictly ([`crate::results::hlog::whole::read`]) and `run.json` leniently.
pub fn read_side(dirs: &[PathBuf], metric: Metric) -> Result<SideData, Failure> {
    let mut side = SideData::default();
    let mut index: HashMap<RowLabels, usize> = HashMap::new();
    let needed = format!("--metric {metric}");
    for (k, dir) in dirs.iter().enumerate() {
        let rows = summary::read(dir, Some((metric.column(), &needed)))?;
        let info = read_run_info(dir);
        // Only a run that stopped without closing its files may end mid-line.
        let stopped = info
            .outcome
            .as_deref()
            .is_some_and(|o| o == "running" || o == "failed" || o.starts_with("cut short"));
        let complete = !stopped;
        let mut hists = crate::results::hlog::whole::read(dir, complete)?;
        side.notes.append(&mut hists.notes);
        let mut short = Vec::new();
        for row in rows {
            let labels = row.labels();
            let h = hists.by_tag.remove(&labels.tag()).unwrap_or_else(empty);
            if h.len() != row.ok() {
                short.push(format!("{} ({} of {})", labels.tag(), h.len(), row.ok()));
            }
            let at = *index.entry(labels.clone()).or_insert_with(|| {
                let fresh = RowSide {
                    count: 0,
                    errors: 0,
                    pooled: empty(),
                    runs: vec![empty(); dirs.len()],
                };
                side.rows.push((labels, fresh));
                side.rows.len() - 1
            });
            let r = &mut side.rows[at].1;
            r.count += row.count;
            r.errors += row.errors;
            r.pooled.add(&h).map_err(|e| hist_error(dir, &e))?;
            r.runs[k] = h;
        }
        if !short.is_empty() {
            side.notes.push(format!(
                "{}: latency.hlog and summary.csv disagree on {} row(s), e.g. {} latencies \
                 in the log of the successful commands summary.csv counts (intervals \
                 missing or a checkpoint); those rows are judged on the log",
                dir.display(),
                short.len(),
                short[0]
            ));
        }
        if !hists.by_tag.is_empty() {
            let mut extra: Vec<&String> = hists.by_tag.keys().collect();
            extra.sort();
            side.notes.push(format!(
                "{}: latency.hlog has {} tag(s) summary.csv lacks (e.g. {}), not compared",
                dir.display(),
                extra.len(),
                extra[0]
            ));
        }
        side.infos.push(info);
    }
    Ok(side)
}

fn hist_error(dir: &Path, e: &impl std::fmt::Debug) -> Failure {
    let file = dir.join(crate::results::files::LATENCY_HLOG);
    InputError::at(
        file,
        None,
        None,
        format!("histograms cannot be added ({e:?})"),
    )
    .into()
}

/// Reads the scenario name, seed and outcome from `dir/run.json`; a missing or
/// unparseable file is recorded in [`RunInfo::problem`], not an error.
pub fn read_run_info(dir: &Path) -> RunInfo {
    let file = dir.join(crate::results::files::RUN_JSON);
    let parsed = std::fs::read_to_string(&file)
        .map_err(|e| format!("cannot read {} ({e})", file.display()))
        .and_then(|t| {
            serde_json::from_str::<RunRecord>(&t)
                .map_err(|e| format!("{} is not a run.json ({e})", file.display()))
        });
    match parsed {
        Ok(v) => {
            // A checkpoint whose process is gone reads as cut short.
            let outcome = v.outcome.map(|_| v.outcome_text());
            RunInfo {
                dir: dir.to_path_buf(),
                scenario: Some(v.plan.name).filter(|n| !n.is_empty()),
                seed: v.seed.or(Some(v.plan.seed).filter(|s| *s != 0)),
                outcome,
                problem: None,
            }
        }
        Err(problem) => RunInfo {
            dir: dir.to_path_buf(),
            problem: Some(problem),
            ..RunInfo::default()
        },
    }
}

/// The two sides from the command line: `BASELINE CURRENT`, or the baseline
/// runs and, after `--`, the current ones; each glob (`*`, `?` in the last
/// component) replaced by the directories it matches, sorted.
pub fn sides(
    before: &[PathBuf],
    after: &[PathBuf],
) -> Result<(Vec<PathBuf>, Vec<PathBuf>), InputError> {
    if let Some(flag) = after.iter().find(|p| p.to_string_lossy().starts_with("--")) {
        let msg = format!(
            "'{}' after `--`: flags go before it, everything after it is a current run",
            flag.display()
        );
        return Err(InputError::new("CURRENT", msg));
    }
    let (base, cur) = match (before, after) {
        (b, []) if b.len() == 2 => (expand(&b[..1])?, expand(&b[1..])?),
        (b, []) if b.len() == 1 && b[0].to_string_lossy().contains(['*', '?']) => {
            let msg = "a glob for the baseline needs `--` and the current runs after it";
            return Err(InputError::new("CURRENT", msg));
        }
        (_, []) => {
            let msg = "give BASELINE CURRENT, or BASELINE... -- CURRENT... for several runs a side";
            return Err(InputError::new("CURRENT", msg));
        }
        (b, c) => (expand(b)?, expand(c)?),
    };
    Ok((base, cur))
}

/// Whether `name` matches `pattern` (`*` any run of characters, `?` one).
fn matches(pattern: &[char], name: &[char]) -> bool {
    match (pattern.first(), name.first()) {
        (None, None) => true,
        (Some('*'), _) => {
            matches(&pattern[1..], name) || (!name.is_empty() && matches(pattern, &name[1..]))
        }
        (Some('?'), Some(_)) => matches(&pattern[1..], &name[1..]),
        (Some(p), Some(n)) if p == n => matches(&pattern[1..], &name[1..]),
        _ => false,
    }
}

fn expand(args: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
    let mut out = Vec::new();
    for arg in args {
        let name = arg.file_name().map(|n| n.to_string_lossy().to_string());
        let Some(name) = name.filter(|n| n.contains(['*', '?'])) else {
            out.push(arg.clone());
            continue;
        };
        let parent = arg.parent().filter(|p| !p.as_os_str().is_empty());
        let dir = parent.unwrap_or(Path::new("."));
        let pattern: Vec<char> = name.chars().collect();
        let entries = std::fs::read_dir(dir).map_err(|e| {
            InputError::at(
                dir,
                None,
                None,
                format!("cannot list for {} ({e})", arg.display()),
            )
        })?;
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir())
            .filter(|e| {
                matches(
                    &pattern,
                    &e.file_name().to_string_lossy().chars().collect::<Vec<_>>(),
                )
            })
            .map(|e| parent.map_or_else(|| PathBuf::from(e.file_name()), |p| p.join(e.file_name())))
            .collect();
        if found.is_empty() {
            return Err(InputError::new(
                arg.display().to_string(),
                "matches no directory",
            ));
        }
        found.sort();
        out.append(&mut found);
    }
    Ok(out)
}
