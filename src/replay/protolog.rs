//! imapload's own `--protocol-log` files (see `crate::imap::protolog`): one
//! session per file, a header `<time> -- session of USER to SERVER`, then
//! `<time> C: line` (sent), `S: line` (received) and `--` notes. Long lines
//! were cut (`... (N more bytes)`) and long messages kept to their first
//! lines (`... (N more lines)`); credentials read `<redacted>`.

use super::conversation::Line;
use super::exchange::parse_time;

/// The header's user and server, when the first line is a protocol log's header.
pub fn header(first_line: &str) -> Option<(String, String)> {
    let (ts, rest) = first_line.split_once(' ')?;
    parse_time(ts)?;
    let rest = rest.strip_prefix("-- session of ")?;
    let (user, server) = rest.rsplit_once(" to ")?;
    Some((user.to_string(), server.trim().to_string()))
}

/// The protocol lines of a file (notes left out).
pub fn lines(text: &str, unreadable: &mut u64) -> Vec<Line> {
    let mut out = Vec::new();
    for raw in text.lines() {
        let Some((ts, rest)) = raw.split_once(' ') else {
            if !raw.is_empty() {
                *unreadable += 1;
            }
            continue;
        };
        let Some(at_us) = parse_time(ts) else {
            *unreadable += 1;
            continue;
        };
        let (client, text) = match rest.split_at_checked(3) {
            Some(("C: ", t)) => (true, t),
            Some(("S: ", t)) => (false, t),
            _ => continue, // `-- note`
        };
        let (text, cut) = uncut(text);
        out.push(Line {
            at_us,
            client,
            text: text.to_string(),
            cut,
            continued: false,
        });
    }
    out
}

/// A line without imapload's `... (N more bytes)` mark, and N.
fn uncut(text: &str) -> (&str, u64) {
    if let Some(head) = text.strip_suffix(" more bytes)") {
        if let Some((kept, n)) = head.rsplit_once(" ... (") {
            if let Ok(n) = n.parse() {
                return (kept, n);
            }
        }
    }
    (text, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_imaplods_protocol_log_writes() {
        let text = "2026-11-23T22:40:07.580000Z -- session of user00937 to cas1\n\
2026-11-23T22:40:07.580101Z S: * OK ready\n\
2026-11-23T22:40:07.580167Z C: a1 LOGIN user00937 <redacted>\n\
2026-11-23T22:40:07.581009Z S: a1 OK done\n\
2026-11-23T22:40:07.582000Z -- TLS established\n\
2026-11-23T22:40:07.583000Z C: aaaa ... (300 more bytes)\n";
        assert_eq!(
            header(text.lines().next().unwrap()),
            Some(("user00937".into(), "cas1".into()))
        );
        let mut bad = 0;
        let l = lines(text, &mut bad);
        assert_eq!(bad, 0);
        assert_eq!(l.len(), 4);
        assert!(l[1].client && l[1].text == "a1 LOGIN user00937 <redacted>");
        assert_eq!((l[3].text.as_str(), l[3].cut), ("aaaa", 300));
    }
}
