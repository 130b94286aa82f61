//! A run's `latency.hlog` read whole: per row tag, the sum of all its
//! interval histograms (every latency the run measured), for `compare`.
//!
//! [`super::read`] streams a log interval by interval against the run's time
//! series (what `merge` and `health` need); this sums each row over the whole
//! run and says exactly where a log is damaged, on the same decoder
//! ([`crate::results::hdr::Decoder`]). A line that
//! does not read is an input error naming the file, the line and the column
//! (1 tag, 2 start, 3 length, 4 max, 5 histogram). The one exception is the
//! last line of a run that did not complete: a process killed mid-write
//! leaves half a line, which is left out and reported, never dropped silently.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

use hdrhistogram::Histogram;

use super::read::empty;
use crate::error::InputError;
use crate::results::hdr::Decoder;

/// The whole-run histograms of one run, by row tag, and what was left out.
#[derive(Debug, Default)]
pub struct RunHistograms {
    /// Per tag (`cas.cas1.mbx2.FETCH_BODY`), every interval added.
    pub by_tag: HashMap<String, Histogram<u64>>,
    /// Problems that did not stop the reading (a cut-short last line), as
    /// sentences naming the file.
    pub notes: Vec<String>,
}

fn bad(file: &Path, line: usize, column: Option<&str>, msg: impl Into<String>) -> InputError {
    InputError::at(file, Some(line), column.map(str::to_string), msg)
}

/// Reads `dir/latency.hlog`. `complete`: whether the run ended normally (a
/// damaged last line is then an error too).
pub fn read(dir: &Path, complete: bool) -> Result<RunHistograms, InputError> {
    let file = dir.join(crate::results::files::LATENCY_HLOG);
    let f = std::fs::File::open(&file).map_err(|e| {
        let msg = format!("cannot read ({e}); compare tests each row on the run's histograms");
        InputError::at(&file, None, None, msg)
    })?;
    let mut reader = std::io::BufReader::new(f);
    let mut out = RunHistograms::default();
    let mut decoder = Decoder::default();
    let mut buf = Vec::new();
    let mut number = 0;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| bad(&file, number + 1, None, format!("cannot read ({e})")))?;
        if n == 0 {
            return Ok(out);
        }
        number += 1;
        let ended = buf.last() == Some(&b'\n');
        match line(&buf, &mut decoder, &mut out.by_tag) {
            Ok(()) => {}
            Err((column, msg)) if !ended && !complete => {
                out.notes.push(format!(
                    "{}:{number}: the last line is cut short ({msg} in column {column}; \
                     the run did not complete); its histogram is left out",
                    file.display()
                ));
            }
            Err((column, msg)) => {
                let col = format!("column {column}");
                return Err(bad(&file, number, Some(&col), msg));
            }
        }
    }
}

/// Adds one line's histogram; an error is (column, what is wrong).
fn line(
    raw: &[u8],
    decoder: &mut Decoder,
    into: &mut HashMap<String, Histogram<u64>>,
) -> Result<(), (usize, String)> {
    let text = std::str::from_utf8(raw).map_err(|_| (1, "not UTF-8 text".to_string()))?;
    let text = text.trim_end_matches(['\n', '\r']);
    if text.is_empty() || text.starts_with('#') || text.starts_with('"') {
        return Ok(());
    }
    let fields: Vec<&str> = text.split(',').collect();
    let tag = fields
        .first()
        .and_then(|f| f.strip_prefix("Tag="))
        .filter(|t| !t.is_empty())
        .ok_or((1, "expected Tag=path.server.backend.command".to_string()))?;
    for (i, what) in [(1, "start"), (2, "length"), (3, "max")] {
        let cell = fields.get(i).copied().unwrap_or("");
        if !cell.parse::<f64>().is_ok_and(f64::is_finite) {
            let msg = format!("'{cell}' is not a number ({what} of the interval, seconds)");
            return Err((i + 1, msg));
        }
    }
    let encoded = match fields.get(4) {
        Some(e) if fields.len() == 5 && !e.is_empty() => e,
        _ => return Err((5, "expected Tag=...,start,length,max,histogram".into())),
    };
    // Decode into a fresh histogram first, so a bad one adds nothing.
    let mut h = empty();
    decoder
        .add_base64(encoded, &mut h)
        .map_err(|e| (5, format!("bad histogram ({e})")))?;
    let sum = into.entry(tag.to_string()).or_insert_with(empty);
    sum.add(&h)
        .map_err(|e| (5, format!("histogram cannot be added ({e:?})")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::hlog::read::{Tagged, Writer};
    use std::time::{Duration, SystemTime};

    fn write_log(dir: &Path) {
        let file = dir.join(crate::results::files::LATENCY_HLOG);
        let mut w = Writer::create(&file, "corrected latency", SystemTime::now()).unwrap();
        for k in 0..3u64 {
            let mut t = Tagged::new();
            let mut h = empty();
            h.record(100 * (k + 1)).unwrap();
            t.insert("cas.cas1.mbx1.NOOP".into(), h);
            w.write(&t, Duration::from_secs(k), Duration::from_secs(1));
        }
        w.finish().unwrap();
    }

    #[test]
    fn a_log_sums_its_intervals_and_a_damaged_line_names_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        write_log(dir.path());
        let got = read(dir.path(), true).unwrap();
        assert_eq!(got.by_tag["cas.cas1.mbx1.NOOP"].len(), 3);
        assert!(got.notes.is_empty());
        let file = dir.path().join(crate::results::files::LATENCY_HLOG);
        let text = std::fs::read_to_string(&file).unwrap();
        let last = text.lines().count();
        // A corrupt histogram in the middle: line and column 5.
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let mid = last - 2;
        lines[mid] = lines[mid].replace(",HIST", ",XIST");
        std::fs::write(&file, lines.join("\n") + "\n").unwrap();
        let e = read(dir.path(), true).unwrap_err().to_string();
        assert!(
            e.contains(&format!("latency.hlog:{}: column 5", mid + 1)),
            "{e}"
        );
        // A number that is not one: column 2.
        let mut cells: Vec<&str> = text.lines().nth(mid).unwrap().split(',').collect();
        cells[1] = "x";
        lines[mid] = cells.join(",");
        let broken = lines.join("\n") + "\n";
        std::fs::write(&file, &broken).unwrap();
        let e = read(dir.path(), false).unwrap_err().to_string();
        assert!(e.contains("column 2") && e.contains("not a number"), "{e}");
        // Cut mid-line: an error for a completed run, a note otherwise.
        let cut = &text[..text.len() - 20];
        std::fs::write(&file, cut).unwrap();
        let e = read(dir.path(), true).unwrap_err().to_string();
        assert!(e.contains(&format!("latency.hlog:{last}")), "{e}");
        let got = read(dir.path(), false).unwrap();
        assert_eq!(got.by_tag["cas.cas1.mbx1.NOOP"].len(), 2);
        assert!(got.notes[0].contains("cut short"), "{:?}", got.notes);
    }
}
