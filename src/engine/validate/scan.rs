//! Which items a `* n FETCH (...)` response carries, found by walking its
//! attribute list once: names at the top level, values skipped (nested
//! lists, quoted strings, literals whose bytes may contain anything).

/// `UID n`.
pub const UID: u8 = 1;
/// `FLAGS (...)`.
pub const FLAGS: u8 = 1 << 1;
/// `BODY[]` with any value.
pub const BODY: u8 = 1 << 2;
/// `BODY[]` whose value is a literal.
pub const BODY_LITERAL: u8 = 1 << 3;
/// `BODY[HEADER]`.
pub const HEADER: u8 = 1 << 4;
/// `ENVELOPE (...)`.
pub const ENVELOPE: u8 = 1 << 5;
/// `BODY[]<0>` (a partial from offset 0).
pub const PARTIAL0: u8 = 1 << 6;

/// The item bits of one framed FETCH response, `None` when it is malformed
/// (no attribute list, a name without a value, unbalanced parentheses, bad
/// literal, or bytes after the closing parenthesis).
pub fn fetch_items(raw: &[u8]) -> Option<u8> {
    // "* " number " FETCH" SP "("
    let open = memchr::memchr(b'(', raw)?;
    if !is_fetch_head(&raw[..open]) {
        return None;
    }
    let mut items = 0u8;
    let mut i = open + 1;
    loop {
        match *raw.get(i)? {
            b')' => break,
            b' ' if i > open + 1 => i += 1,
            _ => {}
        }
        let start = i;
        loop {
            i += plain_run(&raw[i..], NAME_STOP);
            match *raw.get(i)? {
                b'[' => i += memchr::memchr(b']', &raw[i..])? + 1,
                b' ' => break,
                _ => return None,
            }
        }
        let name = &raw[start..i];
        let (end, literal) = skip_value(raw, i + 1)?;
        if name.is_empty() || end == i + 1 {
            return None;
        }
        items |= classify(name, literal);
        i = end;
    }
    (&raw[i + 1..] == b"\r\n").then_some(items)
}

/// Bytes that end a run of plain bytes in an item name: `[` opens a section,
/// a space ends the name, the rest make the response malformed.
const NAME_STOP: u8 = 1;
/// Bytes that end a run of plain bytes in a value (lists, quoted strings,
/// literals, the space or `)` after it, and line ends).
const VALUE_STOP: u8 = 2;

/// Which runs each byte ends, as [`NAME_STOP`] / [`VALUE_STOP`] bits, so
/// the walk jumps over plain bytes with one table look-up each instead of
/// a match per byte.
static STOPS: [u8; 256] = {
    let mut t = [0u8; 256];
    let both = [b'(', b')', b' ', b'"', b'{', b'\r', b'\n'];
    let mut k = 0;
    while k < both.len() {
        t[both[k] as usize] = NAME_STOP | VALUE_STOP;
        k += 1;
    }
    t[b'[' as usize] = NAME_STOP;
    t[b'~' as usize] = VALUE_STOP;
    t
};

/// How many bytes at the start of `b` end no run of `kind`.
#[inline]
fn plain_run(b: &[u8], kind: u8) -> usize {
    b.iter()
        .position(|&c| STOPS[c as usize] & kind != 0)
        .unwrap_or(b.len())
}

/// The text before `(` is `* n FETCH ` (case-insensitive keyword).
fn is_fetch_head(head: &[u8]) -> bool {
    let Some(rest) = head.strip_prefix(b"* ") else {
        return false;
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    digits > 0 && rest[digits..].eq_ignore_ascii_case(b" FETCH ")
}

fn classify(name: &[u8], literal: bool) -> u8 {
    // Servers send upper case; the exact comparisons answer them at once.
    match name {
        b"UID" => return UID,
        b"FLAGS" => return FLAGS,
        _ => {}
    }
    let is = |s: &[u8]| name.eq_ignore_ascii_case(s);
    if is(b"UID") {
        UID
    } else if is(b"FLAGS") {
        FLAGS
    } else if is(b"ENVELOPE") {
        ENVELOPE
    } else if is(b"BODY[]") {
        if literal {
            BODY | BODY_LITERAL
        } else {
            BODY
        }
    } else if is(b"BODY[HEADER]") {
        HEADER
    } else if is(b"BODY[]<0>") {
        PARTIAL0
    } else {
        0
    }
}

/// Skips one value starting at `i`; returns where it ends (at the space or
/// `)` after it) and whether it was a literal.
fn skip_value(b: &[u8], mut i: usize) -> Option<(usize, bool)> {
    let literal = matches!(b.get(i), Some(b'{')) || b.get(i..i + 2) == Some(b"~{");
    let mut depth = 0u32;
    loop {
        i += plain_run(&b[i.min(b.len())..], VALUE_STOP);
        match *b.get(i)? {
            b'(' => {
                depth += 1;
                i += 1;
            }
            b')' if depth == 0 => return Some((i, literal)),
            b')' => {
                depth -= 1;
                i += 1;
            }
            b' ' if depth == 0 => return Some((i, literal)),
            b'"' => i = skip_quoted(b, i)?,
            b'{' => i = skip_literal(b, i)?,
            b'~' if b.get(i + 1) == Some(&b'{') => i = skip_literal(b, i + 1)?,
            b'\r' | b'\n' => return None,
            _ => i += 1,
        }
    }
}

/// Skips `"..."` (with backslash escapes) starting at the opening quote.
fn skip_quoted(b: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    loop {
        match *b.get(i)? {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            b'\r' | b'\n' => return None,
            _ => i += 1,
        }
    }
}

/// Skips `{n}` (or `{n+}`), its CRLF and its `n` bytes, starting at `{`.
fn skip_literal(b: &[u8], i: usize) -> Option<usize> {
    let close = i + memchr::memchr(b'}', &b[i..])?;
    let digits = &b[i + 1..close];
    let digits = digits.strip_suffix(b"+").unwrap_or(digits);
    let n = crate::imap::response::parse_u32(digits)? as usize;
    if b.get(close + 1..close + 3)? != b"\r\n" {
        return None;
    }
    let end = close + 3 + n;
    (end <= b.len()).then_some(end)
}
