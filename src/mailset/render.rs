//! A mail set's messages as bytes: the RFC 5322 header (a reply carries its
//! thread's `In-Reply-To` and `References`) and a plain-text body of words
//! in lines of at most 72 columns, padded so the message has its drawn size.

use std::fmt::Write as _;

use super::{mix, Draw, MailSet};

const FIRST: [&str; 8] = [
    "Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi",
];
const LAST: [&str; 8] = [
    "Smith", "Jones", "Brown", "Klein", "Novak", "Rossi", "Silva", "Tanaka",
];
const WORDS: [&str; 24] = [
    "quarterly",
    "report",
    "meeting",
    "budget",
    "review",
    "lunch",
    "project",
    "update",
    "invoice",
    "schedule",
    "draft",
    "release",
    "notes",
    "server",
    "capacity",
    "plan",
    "follow-up",
    "agenda",
    "contract",
    "holiday",
    "ticket",
    "weekly",
    "status",
    "migration",
];

/// How many ancestors `References` lists at most (the nearest ones).
const MAX_REFERENCES: usize = 10;

/// A body never has fewer bytes than this.
const MIN_BODY: usize = 64;

/// `ts` (Unix seconds, UTC) formatted with a chrono `pattern`.
pub(super) fn format_date(ts: i64, pattern: &str) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .unwrap_or_default()
        .format(pattern)
        .to_string()
}

/// The subject of the thread message `n` starts, or belongs to.
fn subject(set: &MailSet, user: &str, folder: usize, n: u32) -> String {
    let mut root = n;
    while let Some(parent) = set.parent(user, folder, root) {
        root = parent;
    }
    let r = set.stream(user, folder, root, Draw::Text);
    let words: Vec<&str> = (0..4)
        .map(|i| WORDS[((r >> (6 + i * 5)) % WORDS.len() as u64) as usize])
        .collect();
    let base = format!("{} #{root}", words.join(" "));
    if root == n {
        base
    } else {
        format!("Re: {base}")
    }
}

/// The header block of message `n`, ending with the empty line.
pub(super) fn header(set: &MailSet, user: &str, folder: usize, n: u32) -> String {
    let r = set.stream(user, folder, n, Draw::Text);
    let (first, last) = (FIRST[(r % 8) as usize], LAST[((r >> 3) % 8) as usize]);
    let peer = format!(
        "\"{first} {last}\" <{}.{}@example.net>",
        first.to_ascii_lowercase(),
        last.to_ascii_lowercase()
    );
    let me = format!("{user} <{}>", address(user, &set.domain));
    let sent = set.folders[folder].special_use.as_deref() == Some("\\Sent");
    let (from, to) = if sent { (&me, &peer) } else { (&peer, &me) };
    let mut h = String::with_capacity(640);
    let _ = write!(
        h,
        "Date: {}\r\nFrom: {from}\r\nTo: {to}\r\nSubject: {}\r\nMessage-ID: {}\r\n",
        format_date(set.date(user, folder, n), "%a, %d %b %Y %H:%M:%S +0000"),
        subject(set, user, folder, n),
        set.message_id(user, folder, n),
    );
    if let Some(parent) = set.parent(user, folder, n) {
        let mut chain = vec![parent];
        while let Some(up) = set.parent(user, folder, chain[chain.len() - 1]) {
            if chain.len() == MAX_REFERENCES {
                break;
            }
            chain.push(up);
        }
        let refs: Vec<String> = chain
            .iter()
            .rev()
            .map(|&m| set.message_id(user, folder, m))
            .collect();
        let _ = write!(
            h,
            "In-Reply-To: {}\r\nReferences: {}\r\n",
            set.message_id(user, folder, parent),
            refs.join("\r\n ")
        );
    }
    h.push_str(
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\
         Content-Transfer-Encoding: 7bit\r\n\r\n",
    );
    h
}

/// `user` as a mail address: itself when it has a domain, else `user@domain`.
fn address(user: &str, domain: &str) -> String {
    if user.contains('@') {
        user.to_string()
    } else {
        format!("{user}@{domain}")
    }
}

/// The total size given the header's length: the drawn size, at least the
/// header plus a short body.
fn total(set: &MailSet, user: &str, folder: usize, n: u32, header_len: usize) -> usize {
    set.drawn_size(user, folder, n).max(header_len + MIN_BODY)
}

/// See [`MailSet::size`].
pub(super) fn size(set: &MailSet, user: &str, folder: usize, n: u32) -> usize {
    total(set, user, folder, n, header(set, user, folder, n).len())
}

/// See [`MailSet::message`].
pub(super) fn message(set: &MailSet, user: &str, folder: usize, n: u32) -> Vec<u8> {
    let header = header(set, user, folder, n);
    let end = total(set, user, folder, n, header.len());
    let mut out = Vec::with_capacity(end);
    out.extend_from_slice(header.as_bytes());
    let mut r = set.stream(user, folder, n, Draw::Text);
    let mut column = 0usize;
    while out.len() < end {
        let left = end - out.len();
        // The last line is padded with dashes so the size is exact; lines
        // break only while >= 80 bytes are left, so it has room for its CRLF.
        if left < 80 {
            out.extend(std::iter::repeat_n(b'-', left.saturating_sub(2)));
            out.extend_from_slice(&b"\r\n"[2usize.saturating_sub(left)..]);
            break;
        }
        r = mix(r);
        let word = WORDS[(r % WORDS.len() as u64) as usize].as_bytes();
        if column + word.len() + 1 > 72 {
            out.extend_from_slice(b"\r\n");
            column = 0;
            continue;
        }
        if column > 0 {
            out.push(b' ');
            column += 1;
        }
        out.extend_from_slice(word);
        column += word.len();
    }
    out
}
