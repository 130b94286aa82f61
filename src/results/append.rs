//! A results CSV file written as the run goes: the header at creation, rows
//! appended as they are produced and flushed every tick, so the file on disk
//! is whole up to the last tick whatever happens to the process.

use std::fs::File;
use std::io::BufWriter;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::cells::header;

/// A CSV file of `T` rows being appended to.
pub struct Appender<T> {
    out: csv::Writer<BufWriter<File>>,
    file: PathBuf,
    /// The first write error (`writing FILE: OS error`); later rows are
    /// skipped, and the run stops on it.
    error: Option<String>,
    rows: PhantomData<fn(&T)>,
}

impl<T: Serialize + Default> Appender<T> {
    /// Creates `file` (replacing one there) and writes the header.
    pub fn create(file: &Path) -> std::io::Result<Appender<T>> {
        Self::create_with(file, &header::<T>())
    }

    /// [`Appender::create`] with the header of rows like `sample` (for a
    /// type whose default row leaves a column out).
    pub fn create_like(file: &Path, sample: &T) -> std::io::Result<Appender<T>> {
        Self::create_with(file, &super::cells::header_of(sample))
    }

    fn create_with(file: &Path, header: &[String]) -> std::io::Result<Appender<T>> {
        let mut out = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(BufWriter::new(File::create(file)?));
        out.write_record(header)?;
        out.flush()?;
        Ok(Appender {
            out,
            file: file.to_path_buf(),
            error: None,
            rows: PhantomData,
        })
    }

    /// Appends one row (buffered until [`Appender::flush`]).
    pub fn push(&mut self, row: &T) {
        if self.error.is_some() {
            return;
        }
        if let Err(e) = self.out.serialize(row) {
            self.fail(e);
        }
    }

    /// Writes what is buffered to the file.
    pub fn flush(&mut self) {
        if self.error.is_some() {
            return;
        }
        if let Err(e) = self.out.flush() {
            self.fail(e);
        }
    }

    fn fail(&mut self, e: impl std::fmt::Display) {
        self.error = Some(format!("writing {}: {e}", self.file.display()));
    }

    /// The first write error, naming the file and the OS error.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }
}

/// Reads `file`'s rows one at a time (never the whole file), each with its
/// line number; the header is `reader.headers()`.
pub fn open(file: &Path) -> std::io::Result<csv::Reader<std::io::BufReader<File>>> {
    Ok(csv::Reader::from_reader(std::io::BufReader::with_capacity(
        1 << 16,
        File::open(file)?,
    )))
}
