//! Dovecot rawlogs: per connection `<stamp>.<pid>.<n>.in` (what the server
//! read) and `.out` (what it wrote), every line prefixed `<sec>.<usec> `; or
//! one file with `<sec>.<usec> I: ` / `O: ` lines (also imaptest's rawlog),
//! `>` instead of `:` marking a line continued past 8 KiB. Lines without a
//! timestamp cannot be placed in time: counted, left out.

use super::conversation::Line;

/// `1700000000.123456 rest` -> (µs, rest).
pub fn stamp(line: &str) -> Option<(i64, &str)> {
    let (ts, rest) = line.split_once(' ')?;
    let (sec, usec) = ts.split_once('.')?;
    if usec.len() != 6 || sec.is_empty() {
        return None;
    }
    let sec: i64 = sec.parse().ok()?;
    let usec: i64 = usec.parse().ok()?;
    Some((sec * 1_000_000 + usec, rest))
}

/// Whether a file's first line looks like the single-file form.
pub fn is_single(first_line: &str) -> bool {
    stamp(first_line).is_some_and(|(_, rest)| {
        ["I: ", "O: ", "I> ", "O> "]
            .iter()
            .any(|p| rest.starts_with(p))
            || rest == "I:"
            || rest == "O:"
    })
}

/// The lines of one direction's file (`client`: the `.in` file).
pub fn one_direction(text: &str, client: bool, unreadable: &mut u64) -> Vec<Line> {
    let mut out = Vec::new();
    for raw in text.lines() {
        let raw = raw.trim_end_matches('\r');
        match stamp(raw) {
            Some((at_us, rest)) => out.push(Line {
                at_us,
                client,
                text: rest.to_string(),
                cut: 0,
                continued: false,
            }),
            None if raw.is_empty() => {}
            None => *unreadable += 1,
        }
    }
    out
}

/// The lines of a single-file rawlog.
pub fn single(text: &str, unreadable: &mut u64) -> Vec<Line> {
    let mut out = Vec::new();
    for raw in text.lines() {
        let raw = raw.trim_end_matches('\r');
        let Some((at_us, rest)) = stamp(raw) else {
            if !raw.is_empty() {
                *unreadable += 1;
            }
            continue;
        };
        let mut chars = rest.chars();
        let (dir, mark) = (chars.next(), chars.next());
        let client = match dir {
            Some('I') => true,
            Some('O') => false,
            _ => {
                *unreadable += 1;
                continue;
            }
        };
        let text = rest.get(3..).unwrap_or("").to_string();
        out.push(Line {
            at_us,
            client,
            text,
            cut: 0,
            continued: mark == Some('>'),
        });
    }
    out
}

/// Both directions of a per-connection pair, in time order (client first on a tie).
pub fn pair(input: &str, output: Option<&str>, unreadable: &mut u64) -> Vec<Line> {
    let mut lines = one_direction(input, true, unreadable);
    if let Some(o) = output {
        lines.extend(one_direction(o, false, unreadable));
    }
    lines.sort_by_key(|l| (l.at_us, !l.client));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_read_with_their_timestamps() {
        let mut bad = 0;
        let single = single(
            "1700000000.000100 I: a1 LOGIN bob x\n1700000000.000300 O: a1 OK\n1700000001.000000 I> a2 SEARCH \nnot a line\n",
            &mut bad,
        );
        assert_eq!(bad, 1);
        assert_eq!(single.len(), 3);
        assert_eq!(single[0].at_us, 1_700_000_000_000_100);
        assert!(single[0].client && !single[1].client && single[2].continued);
        assert!(is_single("1700000000.000100 I: a1 LOGIN bob x"));
        assert!(!is_single("1700000000.000100 a1 LOGIN bob x"));
        let p = pair(
            "1700000000.000200 a1 NOOP\n",
            Some("1700000000.000100 * OK hi\n1700000000.000300 a1 OK\n"),
            &mut bad,
        );
        assert_eq!(
            p.iter().map(|l| l.client).collect::<Vec<_>>(),
            [false, true, false]
        );
    }
}
