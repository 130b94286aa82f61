//! `latency.hlog`: a standard HdrHistogram interval log (format 1.3), one
//! `Tag=path.server.backend.command` line per row and interval with the
//! corrected-latency histogram (microseconds), V2-deflate encoded. Written as
//! the run goes (flushed every tick), so an interrupted run keeps its log.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::{Duration, SystemTime};

use hdrhistogram::serialization::interval_log::{IntervalLogWriterBuilder, Tag};
use hdrhistogram::serialization::V2DeflateSerializer;
use hdrhistogram::Histogram;

/// An interval log being written.
pub struct Hlog {
    out: BufWriter<File>,
    file: std::path::PathBuf,
    serializer: V2DeflateSerializer,
    /// First write error (`writing FILE: OS error`); later writes are
    /// skipped and the run stops on it.
    pub error: Option<String>,
}

impl std::fmt::Debug for Hlog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hlog").field("error", &self.error).finish()
    }
}

impl Hlog {
    /// Creates the file and writes the header: version, start and base time
    /// (the run start) and the legend line. Values and the max column are in µs.
    pub fn create(path: &Path, start: SystemTime) -> std::io::Result<Hlog> {
        Hlog::create_of(path, start, "corrected latency")
    }

    /// Same for a log of `what` (`service time` for `service.hlog`).
    pub fn create_of(path: &Path, start: SystemTime, what: &str) -> std::io::Result<Hlog> {
        let mut out = BufWriter::new(File::create(path)?);
        let mut serializer = V2DeflateSerializer::new();
        let legend =
            format!("[imapload {what} per path.server.backend.command, values in microseconds]");
        IntervalLogWriterBuilder::new()
            .add_comment("[Histogram log format version 1.3]")
            .add_comment(&legend)
            .with_start_time(start)
            .with_base_time(start)
            .begin_log_with(&mut out, &mut serializer)?;
        writeln!(out, "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"")?;
        Ok(Hlog {
            out,
            file: path.to_path_buf(),
            serializer,
            error: None,
        })
    }

    /// Appends one interval histogram of the row tagged `tag`.
    pub fn write(&mut self, tag: &str, h: &Histogram<u64>, start: Duration, length: Duration) {
        if self.error.is_some() {
            return;
        }
        // A bare builder writes no header lines, so a writer per tick adds
        // only the interval line.
        let mut writer = match IntervalLogWriterBuilder::new()
            .begin_log_with(&mut self.out, &mut self.serializer)
        {
            Ok(w) => w,
            Err(e) => {
                self.error = Some(self.failed(e));
                return;
            }
        };
        if let Err(e) = writer.write_histogram(h, start, length, Tag::new(tag)) {
            self.error = Some(format!("writing {}: {e}", self.file.display()));
        }
    }

    /// Flushes what was written (every tick).
    pub fn flush(&mut self) {
        if let Err(e) = self.out.flush() {
            let msg = self.failed(e);
            self.error.get_or_insert(msg);
        }
    }

    /// The error message of a failed write: the file and the OS error.
    fn failed(&self, e: impl std::fmt::Display) -> String {
        format!("writing {}: {e}", self.file.display())
    }
}
