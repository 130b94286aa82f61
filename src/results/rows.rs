//! Reads a CSV file of the results directory row by row, by header, into its `results` row
//! type: the report never holds a whole `timeseries.csv` (hundreds of MB for a working day),
//! nor do `health` and `merge`.
//!
//! What damage is what: a missing file is no rows (a run cut short may lack some); a missing
//! column the reader needs, or a row inside the file that does not read (a cell that is not a
//! number, a row with too few cells), is bad input naming the file, the line and the column.
//! Only the last row may not read: a process killed while appending leaves half a row, and
//! everything before it is still worth reading; it is left out with a note saying so.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use csv::{DeserializeErrorKind, ErrorKind, StringRecord};
use serde::de::DeserializeOwned;

use crate::error::InputError;

/// The columns a reader cannot do without, per file: a file without one is bad
/// input (columns added later may be absent and read as 0).
pub mod required {
    /// `timeseries.csv`.
    pub const TIMESERIES: &[&str] = &[
        "t_start_s",
        "t_end_s",
        "path",
        "server",
        "backend",
        "command",
        "count",
        "errors",
        "p50_us",
        "p99_us",
        "max_us",
    ];
    /// `queue.csv`.
    pub const QUEUE: &[&str] = &["t_s", "server", "depth_mean", "depth_max"];
    /// `summary.csv`.
    pub const SUMMARY: &[&str] = &["path", "server", "backend", "command", "count", "errors"];
    /// `probes.csv`.
    pub const PROBES: &[&str] = &["t_s", "probe", "server", "result", "latency_ms"];
}

/// A CSV file being read row by row, by header name.
pub struct CsvRows<R: Read> {
    file: PathBuf,
    csv: csv::Reader<R>,
    headers: StringRecord,
    record: StringRecord,
    note: Option<String>,
}

impl CsvRows<BufReader<File>> {
    /// Opens `path`; `None` when it does not exist.
    pub fn open(path: &Path, required: &[&str]) -> Result<Option<Self>, InputError> {
        match File::open(path) {
            Ok(f) => CsvRows::new(path, BufReader::with_capacity(1 << 16, f), required).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(InputError::at(
                path,
                None,
                None,
                format!("cannot read ({e})"),
            )),
        }
    }
}

impl<R: Read> CsvRows<R> {
    /// Reads `reader` (the file `file`, named in errors); every column of `required` must be
    /// in its header.
    pub fn new(file: &Path, reader: R, required: &[&str]) -> Result<Self, InputError> {
        let mut rows = CsvRows {
            file: file.to_path_buf(),
            csv: csv::Reader::from_reader(reader),
            headers: StringRecord::new(),
            record: StringRecord::new(),
            note: None,
        };
        rows.headers = match rows.csv.headers() {
            Ok(h) => h.clone(),
            Err(e) => return Err(rows.error(&e, 1)),
        };
        if let Some(c) = (required.iter()).find(|c| !rows.headers.iter().any(|h| h == **c)) {
            let msg =
                "missing column; the header must have it (is this file an imapload results file?)";
            return Err(InputError::at(file, Some(1), Some(c.to_string()), msg));
        }
        Ok(rows)
    }

    /// The next row and its line; `None` at the end. A row that does not read is an error,
    /// unless it is the last: then it is left out and [`CsvRows::note`] says so.
    pub fn next_row<T: DeserializeOwned>(&mut self) -> Result<Option<(T, usize)>, InputError> {
        let line = self.csv.position().line() as usize;
        let failed = match self.csv.read_record(&mut self.record) {
            Ok(false) => return Ok(None),
            Ok(true) => match self.record.deserialize::<T>(Some(&self.headers)) {
                Ok(row) => return Ok(Some((row, line))),
                Err(e) => self.error(&e, line),
            },
            Err(e) => self.error(&e, line),
        };
        match self.csv.read_record(&mut self.record) {
            Ok(false) => {
                self.note = Some(format!(
                    "{}: the last row does not read ({failed}) and is left out; a run cut short can leave one half-written",
                    self.name()
                ));
                Ok(None)
            }
            Ok(true) | Err(_) => Err(failed),
        }
    }

    /// What was left out (a half-written last row), once the end is reached.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    /// The header.
    pub fn headers(&self) -> &StringRecord {
        &self.headers
    }

    /// The file's name, without its directory.
    pub fn name(&self) -> String {
        (self.file.file_name()).map_or(self.file.display().to_string(), |n| {
            n.to_string_lossy().into()
        })
    }

    /// An error about the row at `line`: the file, the line and the column when there is one.
    pub fn bad(&self, line: usize, column: &str, msg: impl Into<String>) -> InputError {
        InputError::at(&self.file, Some(line), Some(column.to_string()), msg)
    }

    /// A CSV error of the row at `line` (the last one read).
    fn error(&self, e: &csv::Error, line: usize) -> InputError {
        let line = e.position().map_or(line, |p| p.line() as usize);
        let (column, msg) = match e.kind() {
            ErrorKind::Deserialize { err, .. } => {
                let i = err.field().map(|i| i as usize);
                let value = i.and_then(|i| self.record.get(i));
                let msg = match (err.kind(), value) {
                    (
                        DeserializeErrorKind::ParseInt(_) | DeserializeErrorKind::ParseFloat(_),
                        Some(v),
                    ) => {
                        format!("`{v}` is not a number")
                    }
                    (DeserializeErrorKind::ParseBool(_), Some(v)) => {
                        format!("`{v}` is not true or false")
                    }
                    (kind, _) => kind.to_string(),
                };
                (i.and_then(|i| self.headers.get(i)).map(str::to_string), msg)
            }
            ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => (
                None,
                format!("{len} cells where the header has {expected_len}"),
            ),
            ErrorKind::Utf8 { .. } => (None, "not UTF-8 text".to_string()),
            _ => (None, e.to_string()),
        };
        InputError::at(&self.file, Some(line), column, msg)
    }
}

/// Calls `f` with each row of `path` (see [`CsvRows`]); `required` are the columns it needs.
/// A missing file is no rows; the note says what was left out.
pub fn each<T: DeserializeOwned>(
    path: &Path,
    required: &[&str],
    mut f: impl FnMut(T),
) -> Result<Option<String>, InputError> {
    let Some(mut rows) = CsvRows::open(path, required)? else {
        return Ok(None);
    };
    while let Some((row, _)) = rows.next_row()? {
        f(row);
    }
    Ok(rows.note().map(str::to_string))
}

/// `dir`'s `probes.csv` read row by row (see [`CsvRows`]) and written back without a
/// half-written last row, for the readers that take its bytes; the note says what was left
/// out. A missing file is bad input: every run writes one.
pub fn probes_csv(dir: &Path) -> Result<(Vec<u8>, Option<String>), InputError> {
    let path = dir.join(crate::results::files::PROBES_CSV);
    let mut rows = Vec::new();
    let Some(mut csv) = CsvRows::open(&path, required::PROBES)? else {
        let msg = format!(
            "missing; is {} an imapload results directory?",
            dir.display()
        );
        return Err(InputError::at(path, None, None, msg));
    };
    while let Some((row, _)) = csv.next_row::<crate::results::probes::ProbeRow>()? {
        rows.push(row);
    }
    let bytes = crate::results::cells::to_csv(&rows)
        .map_err(|e| InputError::at(&path, None, None, format!("{e:#}")))?;
    Ok((bytes, csv.note().map(str::to_string)))
}

#[cfg(test)]
mod tests;
