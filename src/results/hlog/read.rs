//! The shards' interval logs (`latency.hlog`, `service.hlog`), read as a
//! stream, one interval at a time. A long run holds a histogram per row per
//! interval (an hour at 1 s x 600 rows is two million of them, tens of KB
//! each), so a merge never holds more than the interval it is adding.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Lines};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use hdrhistogram::Histogram;

use crate::error::InputError;
use crate::results::hdr::Decoder;
use crate::results::histograms::SIGFIG;
use crate::results::hlog::write::Hlog;

/// One interval's histograms by row tag (`cas.cas1.mbx2.FETCH_BODY`).
pub type Tagged = BTreeMap<String, Histogram<u64>>;

/// An empty histogram like the ones a run records.
pub fn empty() -> Histogram<u64> {
    Histogram::new(SIGFIG).expect("3 significant figures is valid")
}

/// The number of the interval starting at `start`: shards are lined up on
/// time since their own start, the clock their schedule runs on.
pub fn interval_number(start: Duration, interval: Duration) -> u64 {
    (start.as_secs_f64() / interval.as_secs_f64().max(1e-9)).round() as u64
}

/// One interval line: its interval number, row tag and histogram.
struct Entry {
    number: u64,
    tag: String,
    /// The histogram as the log has it (base64 of the V2 encoding), decoded
    /// only when it is added: decoding straight into the sum is what makes
    /// reading a day's log take seconds instead of minutes.
    encoded: String,
}

/// A shard's log being read in time order.
pub struct Reader {
    file: PathBuf,
    lines: Lines<BufReader<File>>,
    line: usize,
    interval: Duration,
    decoder: Decoder,
    peeked: Option<Entry>,
}

impl Reader {
    /// Opens `file`; a missing file is an input error naming it.
    pub fn open(file: &Path, interval: Duration) -> Result<Reader, InputError> {
        let f = File::open(file).map_err(|e| {
            let msg = format!("cannot read ({e}); shards must be written by `imapload run --shard K/N` of this version");
            InputError::at(file, None, None, msg)
        })?;
        Ok(Reader {
            file: file.to_path_buf(),
            lines: BufReader::new(f).lines(),
            line: 0,
            interval,
            decoder: Decoder::default(),
            peeked: None,
        })
    }

    fn bad(&self, msg: impl Into<String>) -> InputError {
        InputError::at(&self.file, Some(self.line), None, msg)
    }

    /// The next interval line (`Tag=T,start,length,max,HISTF...`), skipping
    /// the header's comment and legend lines.
    fn next_entry(&mut self) -> Result<Option<Entry>, InputError> {
        for line in self.lines.by_ref() {
            self.line += 1;
            let line = line.map_err(|e| InputError::at(&self.file, None, None, e.to_string()))?;
            if line.is_empty() || line.starts_with('#') || line.starts_with('"') {
                continue;
            }
            let mut fields = line.split(',');
            let tag = match fields.next().and_then(|f| f.strip_prefix("Tag=")) {
                Some(t) => t.to_string(),
                None => return Err(self.bad("an interval without Tag=path.server.backend.command")),
            };
            let start = fields.next().and_then(|s| s.parse::<f64>().ok());
            let encoded = fields.nth(2);
            let (Some(start), Some(encoded)) = (start, encoded) else {
                return Err(self.bad("expected Tag=...,start,length,max,histogram"));
            };
            let encoded = encoded.to_string();
            let number = interval_number(Duration::from_secs_f64(start.max(0.0)), self.interval);
            return Ok(Some(Entry {
                number,
                tag,
                encoded,
            }));
        }
        Ok(None)
    }

    /// Adds every histogram of interval `number` into `into`. Intervals must be
    /// asked for in order; one the caller skipped (an interval the time series
    /// lacks) is an error, so no command is dropped silently.
    pub fn take(&mut self, number: u64, into: &mut Tagged) -> Result<(), InputError> {
        self.each(number, Some(into))
    }

    /// Passes over every histogram of interval `number` without decoding it
    /// (an interval outside the judged window), keeping the order checks.
    pub fn skip(&mut self, number: u64) -> Result<(), InputError> {
        self.each(number, None)
    }

    fn each(&mut self, number: u64, mut into: Option<&mut Tagged>) -> Result<(), InputError> {
        loop {
            if self.peeked.is_none() {
                self.peeked = self.next_entry()?;
            }
            let Some(e) = self.peeked.take_if(|e| e.number <= number) else {
                return Ok(());
            };
            if e.number < number {
                return Err(self.bad(format!(
                    "an interval at {:.3} s that timeseries.csv does not have",
                    e.number as f64 * self.interval.as_secs_f64()
                )));
            }
            let Some(into) = into.as_deref_mut() else {
                continue;
            };
            let at = e.number as f64 * self.interval.as_secs_f64();
            let sum = into.entry(e.tag.clone()).or_insert_with(empty);
            if let Err(err) = self.decoder.add_base64(&e.encoded, sum) {
                let msg = format!(
                    "bad histogram ({err}) of row {} in the interval at {at:.3} s; the file is damaged or was cut short",
                    e.tag
                );
                return Err(self.bad(msg));
            }
        }
    }

    /// Checks nothing is left after the last interval.
    pub fn finish(&mut self) -> Result<(), InputError> {
        match self
            .peeked
            .take()
            .map_or_else(|| self.next_entry(), |e| Ok(Some(e)))?
        {
            Some(e) => Err(self.bad(format!(
                "an interval at {:.3} s after the end of timeseries.csv",
                e.number as f64 * self.interval.as_secs_f64()
            ))),
            None => Ok(()),
        }
    }
}

/// The merged log being written, as a run writes it.
pub struct Writer {
    hlog: Hlog,
}

impl Writer {
    /// Creates `file` for `what` (`corrected latency`) starting at `start`.
    pub fn create(file: &Path, what: &str, start: SystemTime) -> std::io::Result<Writer> {
        Ok(Writer {
            hlog: Hlog::create_of(file, start, what)?,
        })
    }

    /// Appends one interval's histograms.
    pub fn write(&mut self, hists: &Tagged, start: Duration, length: Duration) {
        for (tag, h) in hists.iter().filter(|(_, h)| !h.is_empty()) {
            self.hlog.write(tag, h, start, length);
        }
    }

    /// Flushes; the first write error, if any.
    pub fn finish(mut self) -> anyhow::Result<()> {
        self.hlog.flush();
        match self.hlog.error {
            // The message names the file already.
            Some(e) => anyhow::bail!("{e}"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hist(values: &[u64]) -> Histogram<u64> {
        let mut h = empty();
        for v in values {
            h.record(*v).unwrap();
        }
        h
    }

    #[test]
    fn a_log_is_read_back_interval_by_interval_and_a_skipped_interval_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(crate::results::files::LATENCY_HLOG);
        let s = Duration::from_secs;
        let mut w = Writer::create(&file, "corrected latency", SystemTime::now()).unwrap();
        for k in 0..3u64 {
            let mut t = Tagged::new();
            t.insert("cas.cas1.mbx1.SELECT".into(), hist(&[100 * (k + 1), 7]));
            t.insert("direct.mbx1.mbx1.NOOP".into(), hist(&[5]));
            w.write(&t, s(k), s(1));
        }
        w.finish().unwrap();
        let mut r = Reader::open(&file, s(1)).unwrap();
        let mut got = Tagged::new();
        r.take(0, &mut got).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got["cas.cas1.mbx1.SELECT"].max(), 100);
        r.take(1, &mut got).unwrap();
        assert_eq!(got["cas.cas1.mbx1.SELECT"].len(), 4, "histograms add");
        assert!(r.finish().unwrap_err().message.contains("2.000 s"));
        let mut r = Reader::open(&file, s(1)).unwrap();
        let e = r.take(1, &mut Tagged::new()).unwrap_err();
        assert!(e.message.contains("0.000 s"), "{}", e.message);
        assert!(Reader::open(&dir.path().join("none"), s(1)).is_err());
    }
}
