//! CONDSTORE and QRESYNC (RFC 7162) syntax that imap-codec 1.0 does not
//! decode, taken out of a command before it is decoded: the `(CONDSTORE)` /
//! `(QRESYNC (...))` parameter of SELECT and EXAMINE, FETCH's
//! `(CHANGEDSINCE n)` modifier and `MODSEQ` item, and STATUS's
//! `HIGHESTMODSEQ`; also FETCH's obsolete `RFC822.PEEK`. What was taken out is kept in [`Modifiers`] for the
//! handlers; the rest decodes as the plain command.

/// The RFC 7162 parts of one command.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Modifiers {
    /// SELECT / EXAMINE with `(CONDSTORE)` or `(QRESYNC ...)`.
    pub select_condstore: bool,
    /// `QRESYNC (uidvalidity modseq ...)`: the client's known state.
    pub qresync: Option<(u32, u64)>,
    /// FETCH `(CHANGEDSINCE n)`.
    pub changed_since: Option<u64>,
    /// FETCH asked for `MODSEQ` (or CHANGEDSINCE implies it).
    pub fetch_modseq: bool,
    /// STATUS asked for `HIGHESTMODSEQ`.
    pub status_highestmodseq: bool,
    /// STATUS asked for nothing else: the decoded item list is a stand-in.
    pub status_only_highestmodseq: bool,
    /// FETCH asked for the obsolete `RFC822.PEEK` (classic Outlook), taken
    /// as `BODY.PEEK[]` and answered as `RFC822`.
    pub rfc822_peek: bool,
}

impl Modifiers {
    /// Whether the command uses CONDSTORE (RFC 7162 3.1: a "CONDSTORE
    /// enabling command").
    pub fn enables_condstore(&self) -> bool {
        self.select_condstore
            || self.changed_since.is_some()
            || self.fetch_modseq
            || self.status_highestmodseq
    }
}

/// `raw` without its RFC 7162 parts, and those parts; `None` when it has
/// none (or carries a literal, which these commands never need).
pub(super) fn strip(raw: &[u8]) -> Option<(Vec<u8>, Modifiers)> {
    let line = raw.strip_suffix(b"\r\n")?;
    if line.contains(&b'\n') || line.ends_with(b"}") {
        return None;
    }
    let text = std::str::from_utf8(line).ok()?;
    let mut words = text.split(' ');
    let (_tag, first) = (words.next()?, words.next()?.to_ascii_uppercase());
    let verb = if first == "UID" {
        words.next()?.to_ascii_uppercase()
    } else {
        first
    };
    let mut m = Modifiers::default();
    let rest = match verb.as_str() {
        "SELECT" | "EXAMINE" => select(text, &mut m)?,
        "FETCH" => fetch(text, &mut m)?,
        "STATUS" => status(text, &mut m)?,
        _ => return None,
    };
    let mut out = rest.into_bytes();
    out.extend_from_slice(b"\r\n");
    Some((out, m))
}

fn select(text: &str, m: &mut Modifiers) -> Option<String> {
    let (rest, group) = trailing_group(text)?;
    let upper = group.to_ascii_uppercase();
    if upper == "CONDSTORE" {
        m.select_condstore = true;
    } else if let Some(params) = upper.strip_prefix("QRESYNC (") {
        let mut nums = params
            .split([' ', ')', '('])
            .filter(|w| !w.is_empty())
            .map(str::parse::<u64>);
        let validity = u32::try_from(nums.next()?.ok()?).ok()?;
        let modseq = nums.next()?.ok()?;
        m.select_condstore = true;
        m.qresync = Some((validity, modseq));
    } else {
        return None;
    }
    Some(rest.to_string())
}

fn fetch(text: &str, m: &mut Modifiers) -> Option<String> {
    let mut text = text.to_string();
    if let Some((rest, group)) = trailing_group(&text) {
        let upper = group.to_ascii_uppercase();
        if let Some(n) = upper.strip_prefix("CHANGEDSINCE ") {
            let n = n.split(' ').next()?.parse().ok()?;
            m.changed_since = Some(n);
            m.fetch_modseq = true;
            text = rest.to_string();
        }
    }
    if let Some(without) = remove_word(&text, "MODSEQ", "UID") {
        m.fetch_modseq = true;
        text = without;
    }
    let upper = text.to_ascii_uppercase();
    if let Some(at) = upper
        .find(" RFC822.PEEK")
        .or_else(|| upper.find("(RFC822.PEEK"))
    {
        let at = at + 1;
        text.replace_range(at..at + "RFC822.PEEK".len(), "BODY.PEEK[]");
        m.rfc822_peek = true;
    }
    (m.enables_condstore() || m.rfc822_peek).then_some(text)
}

fn status(text: &str, m: &mut Modifiers) -> Option<String> {
    let without = remove_word(text, "HIGHESTMODSEQ", "MESSAGES")?;
    m.status_highestmodseq = true;
    m.status_only_highestmodseq = without.to_ascii_uppercase().ends_with("(MESSAGES)")
        && !text.to_ascii_uppercase().contains("MESSAGES");
    Some(without)
}

/// The text before a final ` (...)` group, and the group's inside.
fn trailing_group(text: &str) -> Option<(&str, &str)> {
    let body = text.strip_suffix(')')?;
    let mut depth = 1;
    for (i, c) in body.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' => {
                depth -= 1;
                if depth == 0 {
                    let rest = body[..i].strip_suffix(' ')?;
                    return Some((rest, &body[i + 1..]));
                }
            }
            _ => {}
        }
    }
    None
}

/// `text` with the item `word` (case-insensitive, a whole item of a list
/// after the command word) taken out; an item list it leaves empty gets
/// `stand_in` instead. `None` when the word is not there.
fn remove_word(text: &str, word: &str, stand_in: &str) -> Option<String> {
    let upper = text.to_ascii_uppercase();
    let bytes = upper.as_bytes();
    let at = upper.match_indices(word).map(|(i, _)| i).find(|&i| {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let after = bytes.get(i + word.len()).copied();
        matches!(before, Some(b' ' | b'('))
            && matches!(after, None | Some(b' ' | b')'))
            && i > upper.find(' ').unwrap_or(0) + 1
    })?;
    let end = at + word.len();
    let depth: i32 = bytes[..at]
        .iter()
        .map(|b| match b {
            b'(' => 1,
            b')' => -1,
            _ => 0,
        })
        .sum();
    if depth == 0 {
        // A bare item, not in a list: the stand-in takes its place.
        return Some(format!("{}{stand_in}{}", &text[..at], &text[end..]));
    }
    let (mut start, mut stop) = (at, end);
    if bytes.get(end) == Some(&b' ') {
        stop += 1;
    } else if at > 0 && bytes[at - 1] == b' ' && bytes[at - 2] != b'(' {
        start -= 1;
    }
    let mut out = format!("{}{}", &text[..start], &text[stop..]);
    if out.ends_with("()") || out.contains("() ") {
        out = out.replacen("()", &format!("({stand_in})"), 1);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(raw: &str) -> Option<(String, Modifiers)> {
        strip(raw.as_bytes()).map(|(b, m)| (String::from_utf8(b).unwrap(), m))
    }

    #[test]
    fn rfc7162_parts_come_out_and_the_rest_decodes_as_before() {
        let (rest, m) = s("a select INBOX (CONDSTORE)\r\n").unwrap();
        assert_eq!(
            (rest.as_str(), m.select_condstore),
            ("a select INBOX\r\n", true)
        );
        let (rest, m) =
            s("a SELECT \"x y\" (QRESYNC (67890007 20050715194045000 41,43:211))\r\n").unwrap();
        assert_eq!(rest, "a SELECT \"x y\"\r\n");
        assert_eq!(m.qresync, Some((67890007, 20050715194045000)));
        let (rest, m) = s("a UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)\r\n").unwrap();
        assert_eq!(rest, "a UID FETCH 1:* (FLAGS)\r\n");
        assert_eq!((m.changed_since, m.fetch_modseq), (Some(12345), true));
        let (rest, _) = s("a FETCH 1:50 (FLAGS MODSEQ UID)\r\n").unwrap();
        assert_eq!(rest, "a FETCH 1:50 (FLAGS UID)\r\n");
        let (rest, _) = s("a FETCH 1 (UID MODSEQ)\r\n").unwrap();
        assert_eq!(rest, "a FETCH 1 (UID)\r\n");
        let (rest, _) = s("a FETCH 1 (MODSEQ)\r\n").unwrap();
        assert_eq!(rest, "a FETCH 1 (UID)\r\n");
        let (rest, _) = s("a FETCH 1 modseq\r\n").unwrap();
        assert_eq!(rest, "a FETCH 1 UID\r\n");
        let (rest, m) = s("a STATUS INBOX (UIDNEXT HIGHESTMODSEQ)\r\n").unwrap();
        assert_eq!(rest, "a STATUS INBOX (UIDNEXT)\r\n");
        assert!(m.status_highestmodseq && !m.status_only_highestmodseq);
        let (rest, m) = s("a STATUS INBOX (HIGHESTMODSEQ)\r\n").unwrap();
        assert_eq!(rest, "a STATUS INBOX (MESSAGES)\r\n");
        assert!(m.status_only_highestmodseq);
        let (rest, m) = s("1 UID fetch 39 (UID RFC822.SIZE RFC822.peek)\r\n").unwrap();
        assert_eq!(rest, "1 UID fetch 39 (UID RFC822.SIZE BODY.PEEK[])\r\n");
        assert!(m.rfc822_peek && !m.enables_condstore());
        assert_eq!(s("a FETCH 1 (FLAGS)\r\n"), None);
        assert_eq!(s("a SELECT INBOX\r\n"), None);
        assert_eq!(s("a SELECT INBOX (BOGUS)\r\n"), None);
        assert_eq!(s("a APPEND INBOX {3}\r\nabc\r\n"), None);
    }
}
