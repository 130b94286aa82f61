//! What every CSV file of the results directory shares: rows written with
//! `csv::Writer::serialize` under a header taken from the row type's field
//! order, read by header name, and numbers with a fixed count of decimals.

use serde::{Deserialize, Serialize};

/// Writes rows as CSV, header included even when there are none. The
/// header is the first row's columns: a column added later is left out of
/// rows read from a file written before it (`skip_serializing_if`), so
/// such a file is written back as it was.
pub fn to_csv<T: Serialize + Default>(rows: &[T]) -> anyhow::Result<Vec<u8>> {
    match rows.first() {
        Some(first) => to_csv_with(&header_of(first), rows),
        None => to_csv_with(&header::<T>(), rows),
    }
}

/// [`to_csv`] under a given header (of a type whose default row leaves a
/// column out, see [`header_of`]).
pub fn to_csv_with<T: Serialize>(header: &[String], rows: &[T]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record(header)?;
    for r in rows {
        w.serialize(r)?;
    }
    Ok(w.into_inner()?)
}

/// Reads CSV rows by header name.
pub fn from_csv<T: for<'de> Deserialize<'de>>(data: &[u8]) -> anyhow::Result<Vec<T>> {
    let mut r = csv::Reader::from_reader(data);
    Ok(r.deserialize().collect::<Result<Vec<T>, _>>()?)
}

/// The columns of a row type, in order: its field names, read back from
/// serde so they are never spelt out twice.
pub fn header<T: Serialize + Default>() -> Vec<String> {
    header_of(&T::default())
}

/// The columns `sample` is written with.
pub fn header_of<T: Serialize>(sample: &T) -> Vec<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.serialize(sample);
    let text = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
    let first = text.lines().next().unwrap_or_default();
    first.split(',').map(str::to_string).collect()
}

/// Seconds and means with three decimals, as the files always had them.
pub mod fixed3 {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `v` with three decimals.
    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{v:.3}"))
    }

    /// Reads a number.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        f64::deserialize(d)
    }
}

/// [`fixed3`] for a cell that is empty when there is no value.
pub mod fixed3_opt {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `v` with three decimals, or an empty cell.
    pub fn serialize<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_str(&format!("{v:.3}")),
            None => s.serialize_str(""),
        }
    }

    /// Reads a number, or nothing from an empty cell.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        Option::<f64>::deserialize(d)
    }
}

/// Seconds with six decimals (`probes.csv`'s `t_s`: to the microsecond, so
/// that reading it back gives what was measured).
pub mod fixed6 {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `v` with six decimals.
    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{v:.6}"))
    }

    /// Reads a number.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        f64::deserialize(d)
    }
}
