//! One summary row: a line of `summary.csv` and an element of `run.json`'s
//! `summary`, the same type for both so the columns and keys cannot drift.
//! Fields are declared in column order: the first six are fixed by
//! `docs/design.md` ("Results directory") and users' scripts rely on the rest.

use serde::{Deserialize, Deserializer, Serialize};

use std::collections::HashSet;
use std::path::Path;

use super::{ErrorReason, LatencyFigures, RowHistograms, RowKey, RowLabels};
use crate::error::InputError;

/// A row of `summary.csv`: one path x server x back end x command; latency in
/// microseconds, corrected (from the intended start) and service (from send).
/// A column an older or hand-made file lacks reads as 0; readers that need
/// one check the header first ([`LEADING`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SummaryRow {
    /// `cas` or `direct`.
    #[serde(deserialize_with = "text")]
    pub path: String,
    /// The server the row counts toward.
    #[serde(deserialize_with = "text")]
    pub server: String,
    /// The home back end behind it (the server itself for a back end).
    #[serde(deserialize_with = "text")]
    pub backend: String,
    /// Command label.
    #[serde(deserialize_with = "text")]
    pub command: String,
    /// Commands measured, failed ones included.
    pub count: u64,
    /// Failed commands.
    pub errors: u64,
    /// Timed-out commands.
    pub timeouts: u64,
    /// Exact mean corrected latency.
    pub mean_us: u64,
    /// Corrected p50.
    pub p50_us: u64,
    /// Corrected p90.
    pub p90_us: u64,
    /// Corrected p99.
    pub p99_us: u64,
    /// Corrected p99.9.
    pub p99_9_us: u64,
    /// Corrected maximum.
    pub max_us: u64,
    /// Mean service time.
    pub service_mean_us: u64,
    /// Service p50.
    pub service_p50_us: u64,
    /// Service p90.
    pub service_p90_us: u64,
    /// Service p99.
    pub service_p99_us: u64,
    /// Service p99.9.
    pub service_p99_9_us: u64,
    /// Service maximum.
    pub service_max_us: u64,
    /// Failed with NO.
    pub errors_no: u64,
    /// Failed with BAD.
    pub errors_bad: u64,
    /// Timed out.
    pub errors_timeout: u64,
    /// Disconnected.
    pub errors_disconnect: u64,
    /// Protocol violations.
    pub errors_protocol: u64,
    /// TLS failures.
    pub errors_tls: u64,
    /// Connect failures.
    pub errors_connect: u64,
    /// Cut short by the end of the run.
    pub errors_aborted: u64,
    /// Whether the row is the first server on its path (the CAS for `cas`,
    /// the back end for `direct`): summing `count` over these rows counts
    /// each command once. `None` in files written before the column existed
    /// (and then left out of `run.json` again, so such a file reads back as written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_hop: Option<bool>,
}

/// A text cell that an older release may have written as a JSON number (it
/// turned every numeric-looking cell into a number: a server named `123`).
pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Cell {
        Text(String),
        Number(serde_json::Number),
    }
    Ok(match Cell::deserialize(d)? {
        Cell::Text(s) => s,
        Cell::Number(n) => n.to_string(),
    })
}

impl SummaryRow {
    /// The row's labels as the file spells them.
    pub fn labels(&self) -> RowLabels {
        RowLabels {
            path: self.path.clone(),
            server: self.server.clone(),
            backend: self.backend.clone(),
            command: self.command.clone(),
        }
    }

    /// The row of `key` from its histograms. The mean is exact (from the
    /// latency sum).
    pub fn of(key: &RowKey, row: &RowHistograms) -> SummaryRow {
        let corrected = LatencyFigures::of(&row.corrected);
        let service = LatencyFigures::of(&row.service);
        let by = |r: ErrorReason| row.errors[r.index()];
        SummaryRow {
            path: key.path.to_string(),
            server: key.server.clone(),
            backend: key.backend.clone(),
            command: key.command.to_string(),
            count: row.count(),
            errors: row.error_count(),
            timeouts: by(ErrorReason::Timeout),
            mean_us: row.corrected_mean_us().round() as u64,
            p50_us: corrected.p50,
            p90_us: corrected.p90,
            p99_us: corrected.p99,
            p99_9_us: corrected.p99_9,
            max_us: corrected.max,
            service_mean_us: service.mean,
            service_p50_us: service.p50,
            service_p90_us: service.p90,
            service_p99_us: service.p99,
            service_p99_9_us: service.p99_9,
            service_max_us: service.max,
            errors_no: by(ErrorReason::No),
            errors_bad: by(ErrorReason::Bad),
            errors_timeout: by(ErrorReason::Timeout),
            errors_disconnect: by(ErrorReason::Disconnect),
            errors_protocol: by(ErrorReason::Protocol),
            errors_tls: by(ErrorReason::Tls),
            errors_connect: by(ErrorReason::Connect),
            errors_aborted: by(ErrorReason::Aborted),
            first_hop: Some(key.is_first_on_path()),
        }
    }

    /// Commands that succeeded (the ones with a latency).
    pub fn ok(&self) -> u64 {
        self.count.saturating_sub(self.errors)
    }

    /// Failed commands of one `reason`: the column that holds them, found by
    /// the compiler for every reason.
    pub fn errors_of(&self, reason: ErrorReason) -> u64 {
        match reason {
            ErrorReason::No => self.errors_no,
            ErrorReason::Bad => self.errors_bad,
            ErrorReason::Timeout => self.errors_timeout,
            ErrorReason::Disconnect => self.errors_disconnect,
            ErrorReason::Protocol => self.errors_protocol,
            ErrorReason::Tls => self.errors_tls,
            ErrorReason::Connect => self.errors_connect,
            ErrorReason::Aborted => self.errors_aborted,
        }
    }

    /// The row's tag, `path.server.backend.command` (as in `latency.hlog`).
    pub fn tag(&self) -> String {
        super::hlog::tag(&self.path, &self.server, &self.backend, &self.command)
    }
}

/// One corrected-latency statistic of a [`SummaryRow`]: a typed handle on its
/// column, so a reader that picks a statistic at run time (`compare
/// --metric`) names the column and reads the value without spelling either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LatencyStat {
    /// `mean_us`.
    Mean,
    /// `p50_us`.
    P50,
    /// `p90_us`.
    P90,
    /// `p99_us`.
    P99,
    /// `p99_9_us`.
    P99_9,
    /// `max_us`.
    Max,
}

impl LatencyStat {
    /// The `summary.csv` column (and `run.json` key) holding the statistic.
    pub fn column(self) -> &'static str {
        match self {
            LatencyStat::Mean => "mean_us",
            LatencyStat::P50 => "p50_us",
            LatencyStat::P90 => "p90_us",
            LatencyStat::P99 => "p99_us",
            LatencyStat::P99_9 => "p99_9_us",
            LatencyStat::Max => "max_us",
        }
    }

    /// The statistic's value in `row`, in microseconds.
    pub fn of(self, row: &SummaryRow) -> u64 {
        match self {
            LatencyStat::Mean => row.mean_us,
            LatencyStat::P50 => row.p50_us,
            LatencyStat::P90 => row.p90_us,
            LatencyStat::P99 => row.p99_us,
            LatencyStat::P99_9 => row.p99_9_us,
            LatencyStat::Max => row.max_us,
        }
    }
}

/// A row with every column present, for the header: `first_hop` is left
/// out of a row without it.
fn every_column() -> SummaryRow {
    SummaryRow {
        first_hop: Some(false),
        ..SummaryRow::default()
    }
}

/// `summary.csv` rendered from its rows, header included even when empty.
/// A row must carry `first_hop` (every row a run writes does).
pub fn to_csv(rows: &[SummaryRow]) -> anyhow::Result<Vec<u8>> {
    let first = rows.first().cloned().unwrap_or_else(every_column);
    super::cells::to_csv_with(&super::cells::header_of(&first), rows)
}

/// `summary.csv`'s rows.
pub fn from_csv(data: &[u8]) -> anyhow::Result<Vec<SummaryRow>> {
    super::cells::from_csv(data)
}

/// How many columns every `summary.csv` starts with, fixed by
/// `docs/design.md` ("Results directory"):
/// `path,server,backend,command,count,errors`.
pub const LEADING: usize = 6;

/// The columns of `summary.csv`, in order.
pub fn header() -> Vec<String> {
    super::cells::header_of(&every_column())
}

fn bad(file: &Path, line: Option<usize>, key: Option<&str>, msg: impl Into<String>) -> InputError {
    InputError::at(file, line, key.map(str::to_string), msg)
}

/// Reads `dir/summary.csv`: its rows in file order. A missing directory or
/// file, a header that does not start with the leading columns
/// (`docs/design.md`, "Results directory") or lacks the `needed` column (with
/// what needs it), an unreadable cell or a row that appears twice is an
/// [`InputError`] naming the file, line and column.
pub fn read(dir: &Path, needed: Option<(&str, &str)>) -> Result<Vec<SummaryRow>, InputError> {
    if !dir.is_dir() {
        return Err(bad(dir, None, None, "no such results directory"));
    }
    let file = dir.join(super::files::SUMMARY_CSV);
    let text = std::fs::read_to_string(&file).map_err(|e| {
        bad(
            &file,
            None,
            None,
            format!(
                "cannot read ({e}); is {} an imapload results directory?",
                dir.display()
            ),
        )
    })?;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| bad(&file, Some(1), None, format!("unreadable header ({e})")))?
        .clone();
    let leading: Vec<&str> = header.iter().take(LEADING).collect();
    let expected = self::header();
    if leading != expected[..LEADING] {
        return Err(bad(
            &file,
            Some(1),
            None,
            format!(
                "header must start with {}; found '{}'",
                expected[..LEADING].join(","),
                leading.join(",")
            ),
        ));
    }
    if let Some((col, by)) = needed.filter(|(col, _)| !header.iter().any(|h| h == *col)) {
        let msg = format!("column missing, needed for {by}");
        return Err(bad(&file, Some(1), Some(col), msg));
    }
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    for (i, rec) in reader.deserialize::<SummaryRow>().enumerate() {
        let line = i + 2;
        let row = rec.map_err(|e| cell_error(&file, line, &header, &e))?;
        if !seen.insert(row.labels()) {
            let msg = format!("row {} appears twice", row.labels());
            return Err(bad(&file, Some(line), None, msg));
        }
        rows.push(row);
    }
    Ok(rows)
}

/// A row that does not read: the input error names the line and the column.
fn cell_error(file: &Path, line: usize, header: &csv::StringRecord, e: &csv::Error) -> InputError {
    let column = match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => err
            .field()
            .and_then(|f| header.get(f as usize))
            .map(str::to_string),
        _ => None,
    };
    let msg = format!("unreadable row ({e})");
    bad(file, Some(line), column.as_deref(), msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::CommandKind;
    use crate::results::Path;

    #[test]
    fn header_starts_as_designed_and_rows_match_it() {
        let h = header();
        assert_eq!(
            h[..LEADING],
            ["path", "server", "backend", "command", "count", "errors"]
        );
        assert!(h.contains(&"p99_us".to_string()) && h.contains(&"service_p99_us".to_string()));
        assert!(h.ends_with(&["errors_aborted".to_string(), "first_hop".to_string()]));
        let mut row = RowHistograms::new();
        row.record_ok(1500, 700);
        row.record_error(ErrorReason::Timeout);
        let key = RowKey {
            path: Path::Cas,
            server: "123".into(),
            backend: "mbx1".into(),
            command: CommandKind::Noop,
        };
        let rows = vec![SummaryRow::of(&key, &row)];
        let text = String::from_utf8(to_csv(&rows).unwrap()).unwrap();
        let line = text.lines().nth(1).unwrap();
        let cells: Vec<_> = line.split(',').collect();
        assert_eq!(cells.len(), h.len());
        assert_eq!(
            cells[..8],
            ["cas", "123", "mbx1", "NOOP", "2", "1", "1", "1500"]
        );
        assert_eq!(cells.last(), Some(&"true"), "the CAS row is the first hop");
        assert_eq!(from_csv(text.as_bytes()).unwrap(), rows);
        let json = serde_json::to_value(&rows[0]).unwrap();
        assert_eq!(json["server"], "123", "a name stays a string");
        let old =
            serde_json::json!({"path": "cas", "server": 123, "backend": "mbx1", "command": "NOOP"});
        let back: SummaryRow = serde_json::from_value(old).unwrap();
        assert_eq!(back.server, "123", "older files wrote it as a number");
    }

    #[test]
    fn each_latency_stat_names_its_own_column() {
        let h = header();
        let mut row = SummaryRow::default();
        let stats = [
            LatencyStat::Mean,
            LatencyStat::P50,
            LatencyStat::P90,
            LatencyStat::P99,
            LatencyStat::P99_9,
            LatencyStat::Max,
        ];
        for (i, stat) in stats.into_iter().enumerate() {
            let col = h.iter().position(|c| c == stat.column());
            let col = col.unwrap_or_else(|| panic!("{} not a column", stat.column()));
            let mut json = serde_json::to_value(&row).unwrap();
            json[stat.column()] = serde_json::json!(100 + i);
            row = serde_json::from_value(json).unwrap();
            assert_eq!(stat.of(&row), 100 + i as u64, "{}", h[col]);
        }
    }
}
