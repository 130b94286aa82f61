//! Failure causes in the outputs: `errors.csv`, `run.json`'s `error_causes`
//! and the "errors by cause" block printed after the summary table, all from
//! the same [`ErrorCause`] records.

use std::fmt::Write;

use crate::results::ErrorCause;

/// Lines of the terminal block before it points at `errors.csv`.
const TERMINAL_LINES: usize = 20;

/// The block printed after the summary table: each distinct message of the
/// first-hop rows once (a via-CAS failure also has a back-end row; showing
/// it twice is noise), at most [`TERMINAL_LINES`] lines, then a pointer to
/// `errors.csv`. Empty when there were no errors.
pub fn render(causes: &[ErrorCause]) -> String {
    let first: Vec<&ErrorCause> = causes
        .iter()
        .filter(|c| c.key().is_none_or(|(k, _)| k.is_first_on_path()))
        .collect();
    if first.is_empty() {
        return String::new();
    }
    let mut out = String::from("errors by cause (first messages per row and reason):\n");
    for c in first.iter().take(TERMINAL_LINES) {
        let _ = writeln!(
            out,
            "  {:<7} {:<8} {:<8} {:<14} {:<10} {:>9}  {}",
            c.path,
            c.server,
            c.backend,
            c.command,
            c.reason,
            thousands(c.count),
            c.message
        );
    }
    if first.len() > TERMINAL_LINES {
        let more = first.len() - TERMINAL_LINES;
        let _ = writeln!(out, "  ... {more} more in errors.csv");
    }
    out
}

/// `1805` -> `1,805`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cause(path: &str, server: &str, message: &str, count: u64) -> ErrorCause {
        ErrorCause {
            path: path.into(),
            server: server.into(),
            backend: "mbx1".into(),
            command: "CONNECT".into(),
            reason: "connect".into(),
            count,
            message: message.into(),
        }
    }

    #[test]
    fn csv_has_its_header_even_when_empty_and_round_trips() {
        let empty =
            String::from_utf8(crate::results::cells::to_csv::<ErrorCause>(&[]).unwrap()).unwrap();
        assert_eq!(empty, "path,server,backend,command,reason,count,message\n");
        let list = vec![cause("direct", "mbx1", "refused, \"really\"", 1805)];
        let csv = crate::results::cells::to_csv(&list).unwrap();
        let mut r = csv::Reader::from_reader(csv.as_slice());
        let back: Vec<ErrorCause> = r.deserialize().collect::<Result<_, _>>().unwrap();
        assert_eq!(back, list);
    }

    #[test]
    fn the_terminal_block_shows_first_hop_rows_once_and_is_capped() {
        let mut list = vec![
            cause("cas", "cas1", "Connection refused (os error 111)", 1805),
            cause("cas", "mbx1", "Connection refused (os error 111)", 1805),
        ];
        let text = render(&list);
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(text.contains("1,805  Connection refused"), "{text}");
        for i in 0..25 {
            list.push(cause("direct", "mbx1", &format!("m{i}"), 1));
        }
        let text = render(&list);
        assert_eq!(text.lines().count(), 1 + TERMINAL_LINES + 1);
        assert!(text.ends_with("  ... 6 more in errors.csv\n"), "{text}");
        assert_eq!(render(&[]), "");
    }
}
