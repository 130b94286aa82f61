//! Turning byte offsets into the `file:line: key:` part of an [`InputError`].
//!
//! The toml crate reports positions as byte ranges; users think in lines and
//! dotted keys. Everything that reports a problem in a scenario file goes
//! through [`Ctx`] so that every error carries the file, a 1-based line and,
//! where one exists, the dotted key.

use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::error::InputError;

/// 1-based line of byte `offset` in `text` (offsets past the end count as the last line).
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    1 + text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// The dotted key whose key or value covers byte `offset`, e.g. `load.sessions`
/// or `topology.cas[2].url` (array elements are numbered from 1, as a reader
/// counts `[[topology.cas]]` blocks). `None` when the offset is outside every key.
pub fn key_path_at(root: &DeTable<'_>, offset: usize) -> Option<String> {
    let mut parts = Vec::new();
    walk_table(root, offset, &mut parts);
    (!parts.is_empty()).then(|| parts.concat())
}

/// For text that does not parse: the dotted key written on the line holding
/// `offset` (`load.sessions` for `sessions = ...` under `[load]`), found by
/// reading the lines as text. `None` when that line has no `key =`.
pub fn key_on_line(text: &str, offset: usize) -> Option<String> {
    let line_no = line_of(text, offset);
    let mut table = String::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if i + 1 == line_no {
            let (key, _) = l.split_once('=')?;
            let key = key.trim();
            let bare = |c: char| c.is_ascii_alphanumeric() || "_-.".contains(c);
            if key.is_empty() || !key.chars().all(bare) {
                return None;
            }
            return Some(if table.is_empty() {
                key.to_string()
            } else {
                format!("{table}.{key}")
            });
        }
        if l.starts_with('[') {
            table = l.trim_matches(|c| c == '[' || c == ']').trim().to_string();
        }
    }
    None
}

fn contains(span: &Range<usize>, offset: usize) -> bool {
    span.start <= offset && (offset < span.end || span.is_empty() && offset == span.start)
}

fn walk_table(table: &DeTable<'_>, offset: usize, parts: &mut Vec<String>) -> bool {
    for (key, value) in table.iter() {
        let on_key = contains(&key.span(), offset);
        if on_key || contains(&value.span(), offset) || covers_inside(value, offset) {
            let sep = if parts.is_empty() { "" } else { "." };
            parts.push(format!("{sep}{}", key.get_ref()));
            if !on_key {
                walk_value(value.get_ref(), offset, parts);
            }
            return true;
        }
    }
    false
}

/// Tables opened by a `[header]` have a value span that may not enclose their
/// later keys, so look inside nested tables and arrays as well.
fn covers_inside(value: &Spanned<DeValue<'_>>, offset: usize) -> bool {
    let mut scratch = Vec::new();
    match value.get_ref() {
        DeValue::Table(t) => walk_table(t, offset, &mut scratch),
        DeValue::Array(a) => a
            .iter()
            .any(|v| contains(&v.span(), offset) || covers_inside(v, offset)),
        _ => false,
    }
}

fn walk_value(value: &DeValue<'_>, offset: usize, parts: &mut Vec<String>) {
    match value {
        DeValue::Table(t) => {
            walk_table(t, offset, parts);
        }
        DeValue::Array(a) => {
            if let Some(i) = a
                .iter()
                .position(|v| contains(&v.span(), offset) || covers_inside(v, offset))
            {
                parts.push(format!("[{}]", i + 1));
                walk_value(a[i].get_ref(), offset, parts);
            }
        }
        _ => {}
    }
}

/// Where errors in one scenario text are reported: the file name as given and
/// the text (to turn spans into lines).
pub struct Ctx<'a> {
    /// Path reported in errors.
    pub file: PathBuf,
    /// The scenario text the spans index into.
    pub text: &'a str,
}

impl<'a> Ctx<'a> {
    /// A context for `text` reported as `file`.
    pub fn new(file: &Path, text: &'a str) -> Self {
        Ctx {
            file: file.to_path_buf(),
            text,
        }
    }

    /// An error at byte range `span` for `key`.
    pub fn at(
        &self,
        span: Range<usize>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> InputError {
        InputError::at(
            self.file.clone(),
            Some(line_of(self.text, span.start)),
            Some(key.into()),
            message,
        )
    }

    /// An error about a key that is absent: reported at the line of the table
    /// it belongs in (`span` of that table, or line 1 for the top level).
    pub fn missing(
        &self,
        table: Option<Range<usize>>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> InputError {
        self.at(table.unwrap_or(0..0), key, message)
    }

    /// Converts a toml syntax or type error, locating its dotted key in `root`
    /// when the text parsed.
    pub fn toml_error(&self, err: &toml::de::Error, root: Option<&DeTable<'_>>) -> InputError {
        let span = err.span().unwrap_or(0..0);
        let Some(root) = root else {
            // The text is not TOML: name the key written on that line, if any.
            let message = format!(
                "not valid TOML: {}; each line is `key = value` or a `[table]` header (see scenarios/quickstart.toml)",
                err.message().trim_end_matches('\n')
            );
            let key = key_on_line(self.text, span.start);
            return InputError::at(
                self.file.clone(),
                Some(line_of(self.text, span.start)),
                key,
                message,
            );
        };
        InputError::at(
            self.file.clone(),
            Some(line_of(self.text, span.start)),
            key_path_at(root, span.start),
            polish(err.message()),
        )
    }
}

/// Rewords serde's messages into the scenario's vocabulary ("key", "integer")
/// so users are not shown Rust type names.
fn polish(message: &str) -> String {
    let mut m = message.trim_end_matches('\n').to_string();
    if let Some(rest) = m.strip_prefix("unknown field ") {
        m = format!(
            "unknown key {}",
            rest.replacen(", expected ", "; allowed keys: ", 1)
        );
        m = m.replace(", there are no fields", "; no keys are allowed here");
    }
    for (rust, word) in [
        ("expected i64", "expected an integer"),
        ("expected u64", "expected a non-negative integer"),
        ("expected u32", "expected a non-negative integer"),
        ("expected f64", "expected a number"),
        ("expected a boolean", "expected true or false"),
    ] {
        m = m.replace(rust, word);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_one_based() {
        let t = "a = 1\nb = 2\n\nc = 3";
        assert_eq!(line_of(t, 0), 1);
        assert_eq!(line_of(t, 6), 2);
        assert_eq!(line_of(t, t.find('c').unwrap()), 4);
        assert_eq!(line_of(t, 999), 4);
    }

    #[test]
    fn key_paths_follow_tables_and_arrays() {
        let t = "x = 1\n[load]\nsessions = 5\n[[topology.cas]]\nurl = \"a\"\n[[topology.cas]]\nurl = \"b\"\n";
        let root = DeTable::parse(t).unwrap();
        let root = root.get_ref();
        assert_eq!(
            key_path_at(root, t.find("5").unwrap()).as_deref(),
            Some("load.sessions")
        );
        assert_eq!(
            key_path_at(root, t.find("\"b\"").unwrap()).as_deref(),
            Some("topology.cas[2].url")
        );
        assert_eq!(key_path_at(root, 0).as_deref(), Some("x"));
    }

    #[test]
    fn syntax_errors_name_the_key_on_their_line() {
        let t = "a = 1\n[load]\nsessions = \"5\nx\n";
        assert_eq!(
            key_on_line(t, t.find('"').unwrap()).as_deref(),
            Some("load.sessions")
        );
        assert_eq!(key_on_line(t, t.len() - 1), None);
        assert_eq!(key_on_line(t, 0).as_deref(), Some("a"));
    }

    #[test]
    fn polish_rewords_unknown_fields() {
        let m = polish("unknown field `bogus`, expected `a` or `b`");
        assert_eq!(m, "unknown key `bogus`; allowed keys: `a` or `b`");
    }
}
