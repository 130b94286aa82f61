//! Reads a CSV file of the results directory row by row, by header, into its `results` row
//! type: the report never holds a whole `timeseries.csv` (hundreds of MB for a working day).

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use anyhow::Context;
use serde::de::DeserializeOwned;

/// Calls `f` with each row of `path`. A missing file is no rows (a run cut short may lack
/// some). A row that does not read is an error naming the file and line, unless it is the
/// last: a process killed while appending leaves half a row, and everything before it is
/// still worth drawing; then the returned note says so.
pub fn each<T: DeserializeOwned>(
    path: &Path,
    mut f: impl FnMut(T),
) -> anyhow::Result<Option<String>> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("{}", path.display())),
    };
    let mut csv = csv::Reader::from_reader(BufReader::with_capacity(1 << 16, file));
    let headers = (csv.headers())
        .with_context(|| format!("{}", path.display()))?
        .clone();
    let mut record = csv::StringRecord::new();
    let mut pending: Option<String> = None;
    loop {
        let line = csv.position().line();
        let read = csv.read_record(&mut record);
        if let (Some(e), Ok(true) | Err(_)) = (&pending, &read) {
            anyhow::bail!("{}: {e}", path.display());
        }
        match read {
            Ok(false) => break,
            Ok(true) => match record.deserialize::<T>(Some(&headers)) {
                Ok(row) => f(row),
                Err(e) => pending = Some(format!("line {line}: {e}")),
            },
            Err(e) => pending = Some(format!("line {line}: {e}")),
        }
    }
    Ok(pending.map(|e| {
        format!(
            "{}: the last row does not read ({e}) and is left out; a run cut short can leave one half-written",
            path.file_name().map_or(path.display().to_string(), |n| n.to_string_lossy().into())
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::probes::ProbeRow;

    fn read(text: &str) -> (anyhow::Result<Option<String>>, usize) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(crate::results::files::PROBES_CSV);
        std::fs::write(&path, text).unwrap();
        let mut n = 0;
        let r = each::<ProbeRow>(&path, |_| n += 1);
        (r, n)
    }

    #[test]
    fn a_half_written_last_row_is_left_out_with_a_note_and_a_bad_row_inside_is_an_error() {
        let good = "t_s,probe,latency_ms\n1.0,SelfTestProbe,3.5\n2.0,SelfTestProbe,4.0\n";
        let (r, n) = read(good);
        assert!(r.unwrap().is_none());
        assert_eq!(n, 2);
        let (r, n) = read(&format!("{good}3.0,Self"));
        assert!(r.unwrap().unwrap().contains("last row"));
        assert_eq!(n, 2);
        let (r, _) = read("t_s,probe,latency_ms\nx,SelfTestProbe,3.5\n2.0,SelfTestProbe,4.0\n");
        assert!(r.unwrap_err().to_string().contains("line 2"));
        let missing = each::<ProbeRow>(Path::new("/nonexistent/probes.csv"), |_| {});
        assert!(missing.unwrap().is_none());
    }
}
