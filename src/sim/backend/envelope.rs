//! Building blocks of FETCH responses: IMAP strings and literals, header
//! field extraction, ENVELOPE and a single-part BODYSTRUCTURE.

use crate::sim::store::header_len;

/// Appends `s` as a quoted string, or as a literal when it cannot be quoted.
fn string(out: &mut Vec<u8>, s: &[u8]) {
    if s.iter().all(|b| (0x20..0x7f).contains(b)) && s.len() < 1024 {
        out.push(b'"');
        for &b in s {
            if b == b'"' || b == b'\\' {
                out.push(b'\\');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        literal(out, s);
    }
}

fn nstring(out: &mut Vec<u8>, s: Option<&[u8]>) {
    match s {
        Some(s) => string(out, s),
        None => out.extend_from_slice(b"NIL"),
    }
}

pub(super) fn literal(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(format!("{{{}}}\r\n", s.len()).as_bytes());
    out.extend_from_slice(s);
}

/// The unfolded value of header field `name` (first occurrence).
fn field(header: &[u8], name: &str) -> Option<Vec<u8>> {
    let mut lines = header
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .peekable();
    while let Some(line) = lines.next() {
        let Some(colon) = memchr::memchr(b':', line) else {
            continue;
        };
        if !line[..colon].eq_ignore_ascii_case(name.as_bytes()) {
            continue;
        }
        let mut v = line[colon + 1..].trim_ascii().to_vec();
        while let Some(next) = lines.peek() {
            if next.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
                v.push(b' ');
                v.extend_from_slice(next.trim_ascii());
                lines.next();
            } else {
                break;
            }
        }
        return Some(v);
    }
    None
}

/// Header lines whose names are (or, with `not`, are not) in `names`.
pub(super) fn header_fields(header: &[u8], names: &[Vec<u8>], not: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut keep = false;
    for line in header.split_inclusive(|b| *b == b'\n') {
        if line == b"\r\n" || line == b"\n" {
            break;
        }
        if !line.starts_with(b" ") && !line.starts_with(b"\t") {
            let name = line.split(|b| *b == b':').next().unwrap_or_default();
            keep = names
                .iter()
                .any(|n| n.eq_ignore_ascii_case(name.trim_ascii()))
                != not;
        }
        if keep {
            out.extend_from_slice(line);
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

fn address_list(out: &mut Vec<u8>, value: Option<Vec<u8>>) {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        out.extend_from_slice(b"NIL");
        return;
    };
    out.push(b'(');
    for part in value.split(|b| *b == b',') {
        let part = part.trim_ascii();
        let (name, addr) = match (memchr::memchr(b'<', part), memchr::memrchr(b'>', part)) {
            (Some(a), Some(b)) if a < b => {
                let n = part[..a].trim_ascii();
                let n = n
                    .strip_prefix(b"\"")
                    .and_then(|n| n.strip_suffix(b"\""))
                    .unwrap_or(n);
                (if n.is_empty() { None } else { Some(n) }, &part[a + 1..b])
            }
            _ => (None, part),
        };
        let (mbox, host) = match memchr::memrchr(b'@', addr) {
            Some(i) => (&addr[..i], Some(&addr[i + 1..])),
            None => (addr, None),
        };
        out.push(b'(');
        nstring(out, name);
        out.extend_from_slice(b" NIL ");
        string(out, mbox);
        out.push(b' ');
        nstring(out, host);
        out.push(b')');
    }
    out.push(b')');
}

pub(super) fn envelope(out: &mut Vec<u8>, header: &[u8]) {
    out.extend_from_slice(b"ENVELOPE (");
    nstring(out, field(header, "Date").as_deref());
    out.push(b' ');
    nstring(out, field(header, "Subject").as_deref());
    let from = field(header, "From");
    for (i, name) in ["From", "Sender", "Reply-To", "To", "Cc", "Bcc"]
        .iter()
        .enumerate()
    {
        out.push(b' ');
        let v = if i < 3 {
            field(header, name).or_else(|| from.clone())
        } else {
            field(header, name)
        };
        address_list(out, v);
    }
    out.push(b' ');
    nstring(out, field(header, "In-Reply-To").as_deref());
    out.push(b' ');
    nstring(out, field(header, "Message-ID").as_deref());
    out.push(b')');
}

pub(super) fn body_structure(out: &mut Vec<u8>, bytes: &[u8], extended: bool) {
    let text = &bytes[header_len(bytes)..];
    let lines = memchr::memchr_iter(b'\n', text).count();
    out.extend_from_slice(
        format!(
            "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" {} {lines}",
            text.len()
        )
        .as_bytes(),
    );
    if extended {
        out.extend_from_slice(b" NIL NIL NIL NIL");
    }
    out.push(b')');
}
