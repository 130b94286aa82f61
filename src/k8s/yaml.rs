//! A small YAML writer for the manifests `imapload k8s` prints: block
//! mappings and sequences (the style `kubectl get -o yaml` uses), literal
//! blocks for multi-line text (the scenario in the ConfigMap stays
//! readable), and JSON-style double quotes for every other string that a
//! YAML reader could take for something else. Input is a `serde_json::Value`,
//! whose strings, numbers, booleans and nulls all have a YAML spelling.

use serde_json::Value;

/// The documents as one YAML stream, each started by `---`.
pub fn stream(docs: &[Value]) -> String {
    let mut out = String::new();
    for doc in docs {
        out.push_str("---\n");
        node(doc, 0, &mut out);
    }
    out
}

/// Writes `v` as a block node whose lines start `indent` spaces in.
fn node(v: &Value, indent: usize, out: &mut String) {
    match v {
        Value::Object(map) if !map.is_empty() => {
            for (key, value) in map {
                pad(indent, out);
                out.push_str(&string(key));
                out.push(':');
                value_after_key(value, indent, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                // The item written two spaces in, its first indent turned into "- ".
                let mut inner = String::new();
                node(item, indent + 2, &mut inner);
                pad(indent, out);
                out.push_str("- ");
                out.push_str(&inner[indent + 2..]);
            }
        }
        scalar => {
            pad(indent, out);
            out.push_str(&inline(scalar));
            out.push('\n');
        }
    }
}

/// What follows `key:`: a scalar on the same line, a literal block, or a
/// nested mapping or sequence on the next lines.
fn value_after_key(value: &Value, indent: usize, out: &mut String) {
    match value {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            node(value, indent + 2, out);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            node(value, indent + 2, out);
        }
        Value::String(s) if literal_block_fits(s) => {
            out.push_str(" |");
            out.push_str(chomping(s));
            out.push('\n');
            for line in s.trim_end_matches('\n').split('\n') {
                if !line.is_empty() {
                    pad(indent + 2, out);
                    out.push_str(line);
                }
                out.push('\n');
            }
            // Kept trailing line breaks beyond the first (`|+`).
            let extra = s.len() - s.trim_end_matches('\n').len();
            for _ in 1..extra {
                out.push('\n');
            }
        }
        scalar => {
            out.push(' ');
            out.push_str(&inline(scalar));
            out.push('\n');
        }
    }
}

/// Multi-line text YAML can carry as a literal block unchanged: no carriage
/// returns or other control characters, and a first line that does not
/// start with a space (that would need an indentation indicator).
fn literal_block_fits(s: &str) -> bool {
    s.contains('\n')
        && !s.starts_with([' ', '\n'])
        && !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t')
        && !s.trim_end_matches('\n').is_empty()
}

/// The chomping indicator that keeps `s`'s trailing line breaks exactly.
fn chomping(s: &str) -> &'static str {
    match s.len() - s.trim_end_matches('\n').len() {
        0 => "-",
        1 => "",
        _ => "+",
    }
}

/// A scalar, or an empty mapping or sequence, on one line.
fn inline(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
    }
}

/// A string plain when no YAML reader can mistake it (letters, digits and
/// `-._/` starting with a letter, and not a word YAML 1.1 reads as a
/// boolean or null), else double-quoted with JSON's escapes, which YAML's
/// double-quoted style shares.
fn string(s: &str) -> String {
    const WORDS: [&str; 11] = [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf",
    ];
    let plain = s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._/".contains(c))
        && !WORDS.contains(&s.to_ascii_lowercase().as_str());
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_default()
    }
}

fn pad(indent: usize, out: &mut String) {
    out.extend(std::iter::repeat_n(' ', indent));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_block_style_with_literal_text_and_quoted_ambiguities() {
        let doc = json!({
            "kind": "Job",
            "data": {"scenario.toml": "name = \"x\"\n\n[load]\n  sessions = 2\n"},
            "list": [{"a": 1, "b": [true, "yes", "1", ""]}, "plain", []],
            "empty": {},
        });
        let text = stream(&[doc]);
        let want = "---\n\
data:\n  scenario.toml: |\n    name = \"x\"\n\n    [load]\n      sessions = 2\n\
empty: {}\n\
kind: Job\n\
list:\n  - a: 1\n    b:\n      - true\n      - \"yes\"\n      - \"1\"\n      - \"\"\n  - plain\n  - []\n";
        assert_eq!(text, want);
    }

    #[test]
    fn chomping_keeps_trailing_line_breaks() {
        assert_eq!(chomping("a\nb"), "-");
        assert_eq!(chomping("a\nb\n"), "");
        assert_eq!(chomping("a\nb\n\n"), "+");
        assert!(!literal_block_fits(" leading\nspace"));
        assert!(!literal_block_fits("carriage\r\nreturn"));
        assert!(!literal_block_fits("one line"));
    }
}
