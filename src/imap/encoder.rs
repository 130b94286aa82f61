//! Command encoder writing into one reusable buffer.
//!
//! Each session sends thousands of commands; reusing one `Vec` and writing
//! numbers digit by digit means no allocation per command once the buffer has
//! grown to the largest command the session sends.

use base64::prelude::{Engine as _, BASE64_STANDARD};

/// One command under construction plus the session's tag counter, so tags
/// are unique per connection and cheap to match against tagged responses.
#[derive(Debug, Clone)]
pub struct CommandBuf {
    buf: Vec<u8>,
    next_tag: u32,
}

impl Default for CommandBuf {
    fn default() -> Self {
        Self::new()
    }
}

impl CommandBuf {
    /// An empty buffer whose first tag is `a1`.
    pub fn new() -> Self {
        CommandBuf {
            buf: Vec::with_capacity(256),
            next_tag: 1,
        }
    }

    /// Starts a new command: clears the buffer, writes `a<n> ` and returns `n`
    /// (1, 2, 3, ... per buffer; wraps to 1 after `u32::MAX`), which the
    /// caller keeps to recognise the tagged response with [`CommandBuf::tag_matches`].
    pub fn begin(&mut self) -> u32 {
        let n = self.next_tag;
        self.next_tag = n.checked_add(1).unwrap_or(1);
        self.buf.clear();
        self.buf.push(b'a');
        self.number(u64::from(n));
        self.buf.push(b' ');
        n
    }

    /// Whether a response tag (`a17`) is the one [`CommandBuf::begin`]
    /// returned as `tag_no` (17); compares without formatting the number.
    pub fn tag_matches(tag_no: u32, tag: &[u8]) -> bool {
        match tag {
            [b'a', digits @ ..] if !digits.starts_with(b"0") => {
                super::response::parse_u32(digits) == Some(tag_no)
            }
            _ => false,
        }
    }

    /// Appends a command name or other atom verbatim; the caller guarantees
    /// it contains only ATOM-CHARs (no check, to keep the hot path cheap).
    pub fn atom(&mut self, s: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(s);
        self
    }

    /// Appends one space.
    pub fn sp(&mut self) -> &mut Self {
        self.buf.push(b' ');
        self
    }

    /// Appends a decimal number without going through `fmt` (no allocation).
    pub fn number(&mut self, n: u64) -> &mut Self {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        let mut n = n;
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.buf.extend_from_slice(&digits[i..]);
        self
    }

    /// Appends an astring (user names, passwords, mailbox names) in the
    /// cheapest form the server must accept: a bare atom when `s` is non-empty
    /// and all ASTRING-CHARs, otherwise a quoted string.
    ///
    /// Bytes a quoted string cannot carry (NUL, CR, LF, 8-bit) are written
    /// quoted anyway and the server will answer BAD; a literal cannot be
    /// produced here because a synchronizing literal needs a round trip.
    /// Check [`CommandBuf::needs_literal`] first and use
    /// [`CommandBuf::literal_header`] + [`CommandBuf::raw`] for such values.
    pub fn astring(&mut self, s: &[u8]) -> &mut Self {
        if !s.is_empty() && s.iter().all(|&b| is_astring_char(b)) {
            self.atom(s)
        } else {
            self.quoted(s)
        }
    }

    /// Whether `s` cannot be sent as an atom or quoted string and so must go
    /// as a literal (it holds NUL, CR, LF or bytes >= 0x80).
    pub fn needs_literal(s: &[u8]) -> bool {
        s.iter()
            .any(|&b| b == 0 || b == b'\r' || b == b'\n' || b >= 0x80)
    }

    /// Appends `s` as an atom or quoted string when it can be one, else as a
    /// literal (`{N}` or, with `non_sync`, `{N+}`) followed by its bytes, so
    /// that no byte of `s` (CR, LF, 8-bit) can change the command stream.
    /// Returns where the bytes of a synchronizing literal start: the caller
    /// sends the command up to there and waits for the server's `+` first.
    pub fn astring_or_literal(&mut self, s: &[u8], non_sync: bool) -> Option<usize> {
        if !Self::needs_literal(s) {
            self.astring(s);
            return None;
        }
        self.literal_header(s.len(), non_sync);
        let data_at = self.buf.len();
        self.buf.extend_from_slice(s);
        (!non_sync).then_some(data_at)
    }

    /// Appends `s` as a quoted string, escaping `\` and `"`.
    pub fn quoted(&mut self, s: &[u8]) -> &mut Self {
        self.buf.push(b'"');
        for &b in s {
            if b == b'"' || b == b'\\' {
                self.buf.push(b'\\');
            }
            self.buf.push(b);
        }
        self.buf.push(b'"');
        self
    }

    /// Appends a literal header `{len}` or, when the server allows it
    /// (LITERAL+/LITERAL-), the non-synchronizing `{len+}`, then CRLF. With a
    /// synchronizing header the caller must send and wait for `+` before the data.
    pub fn literal_header(&mut self, len: usize, non_sync: bool) -> &mut Self {
        self.buf.push(b'{');
        self.number(len as u64);
        if non_sync {
            self.buf.push(b'+');
        }
        self.buf.extend_from_slice(b"}\r\n");
        self
    }

    /// Appends the CRLF that ends a command (or a line segment before literal data).
    pub fn crlf(&mut self) -> &mut Self {
        self.buf.extend_from_slice(b"\r\n");
        self
    }

    /// Appends bytes verbatim: literal data, or pre-encoded arguments.
    pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(bytes);
        self
    }

    /// The command so far, ready for [`crate::imap::conn::Connection::send`].
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }
}

/// ASTRING-CHAR from RFC 3501: ATOM-CHAR or `]`.
fn is_astring_char(b: u8) -> bool {
    matches!(b, 0x21..=0x7e) && !matches!(b, b'(' | b')' | b'{' | b'%' | b'*' | b'"' | b'\\')
}

/// Writes the SASL PLAIN initial response, base64 of `\0user\0pass`
/// (RFC 4616, empty authorization identity), appending to `out` so the
/// caller can reuse its buffer.
pub fn sasl_plain(user: &str, pass: &str, out: &mut Vec<u8>) {
    let mut raw = Vec::with_capacity(user.len() + pass.len() + 2);
    raw.push(0);
    raw.extend_from_slice(user.as_bytes());
    raw.push(0);
    raw.extend_from_slice(pass.as_bytes());
    append_base64(&raw, out);
}

/// Writes the XOAUTH2 initial response (Google's format), base64 of
/// `user=U ^A auth=Bearer T ^A ^A`, appending to `out`.
pub fn sasl_xoauth2(user: &str, token: &str, out: &mut Vec<u8>) {
    let raw = format!("user={user}\x01auth=Bearer {token}\x01\x01");
    append_base64(raw.as_bytes(), out);
}

/// Writes the OAUTHBEARER initial response (RFC 7628 section 3.1), base64 of
/// the GS2 header `n,a=U,` (`,` and `=` escaped as `=2C`, `=3D`) then
/// `^A auth=Bearer T ^A ^A`, appending to `out`.
pub fn sasl_oauthbearer(user: &str, token: &str, out: &mut Vec<u8>) {
    let authzid = user.replace('=', "=3D").replace(',', "=2C");
    let raw = format!("n,a={authzid},\x01auth=Bearer {token}\x01\x01");
    append_base64(raw.as_bytes(), out);
}

fn append_base64(raw: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + base64::encoded_len(raw.len(), true).unwrap_or(0), 0);
    let written = BASE64_STANDARD
        .encode_slice(raw, &mut out[start..])
        .unwrap_or(0);
    out.truncate(start + written);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oauth_initial_responses_match_the_formats() {
        let mut out = b"x".to_vec();
        sasl_xoauth2("u@x", "tok", &mut out);
        let raw = BASE64_STANDARD.decode(&out[1..]).unwrap();
        assert_eq!(raw, b"user=u@x\x01auth=Bearer tok\x01\x01");
        out.clear();
        sasl_oauthbearer("a,b=c", "tok", &mut out);
        let raw = BASE64_STANDARD.decode(&out).unwrap();
        assert_eq!(raw, b"n,a=a=2Cb=3Dc,\x01auth=Bearer tok\x01\x01");
    }

    #[test]
    fn tags_start_at_one_and_increment() {
        let mut c = CommandBuf::new();
        assert_eq!(c.begin(), 1);
        c.atom(b"NOOP").crlf();
        assert_eq!(c.as_bytes(), b"a1 NOOP\r\n");
        assert_eq!(c.begin(), 2);
        assert_eq!(c.as_bytes(), b"a2 ", "begin clears the previous command");
        for _ in 0..8 {
            c.begin();
        }
        assert_eq!(c.as_bytes(), b"a10 ");
    }

    #[test]
    fn tag_wraps_instead_of_overflowing() {
        let mut c = CommandBuf::new();
        c.next_tag = u32::MAX;
        assert_eq!(c.begin(), u32::MAX);
        assert_eq!(c.as_bytes(), b"a4294967295 ");
        assert_eq!(c.begin(), 1);
    }

    #[test]
    fn tag_matching() {
        assert!(CommandBuf::tag_matches(17, b"a17"));
        assert!(!CommandBuf::tag_matches(17, b"a170"));
        assert!(!CommandBuf::tag_matches(17, b"a017"));
        assert!(!CommandBuf::tag_matches(17, b"b17"));
        assert!(!CommandBuf::tag_matches(17, b"a"));
        assert!(!CommandBuf::tag_matches(17, b"*"));
        assert!(CommandBuf::tag_matches(u32::MAX, b"a4294967295"));
    }

    #[test]
    fn numbers() {
        let mut c = CommandBuf::new();
        c.number(0).sp().number(42).sp().number(u64::MAX);
        assert_eq!(c.as_bytes(), b"0 42 18446744073709551615");
    }

    #[test]
    fn astring_picks_atom_or_quoted() {
        let mut c = CommandBuf::new();
        c.begin();
        c.atom(b"LOGIN")
            .sp()
            .astring(b"user@example.org")
            .sp()
            .astring(b"p]w")
            .crlf();
        assert_eq!(c.as_bytes(), b"a1 LOGIN user@example.org p]w\r\n");
        c.begin();
        c.astring(b"")
            .sp()
            .astring(b"two words")
            .sp()
            .astring(b"a\"b\\c")
            .sp()
            .astring(b"50%");
        assert_eq!(
            c.as_bytes(),
            b"a2 \"\" \"two words\" \"a\\\"b\\\\c\" \"50%\""
        );
        c.begin();
        c.astring(b"{5}").sp().astring(b"(x)").sp().astring(b"*");
        assert_eq!(c.as_bytes(), b"a3 \"{5}\" \"(x)\" \"*\"");
    }

    #[test]
    fn quoted_escapes_only_backslash_and_dquote() {
        let mut c = CommandBuf::new();
        c.quoted(br#"a\b"c d"#);
        assert_eq!(c.as_bytes(), br#""a\\b\"c d""#);
    }

    #[test]
    fn literal_detection() {
        assert!(CommandBuf::needs_literal(b"a\r\nb"));
        assert!(CommandBuf::needs_literal("päss".as_bytes()));
        assert!(CommandBuf::needs_literal(b"\0"));
        assert!(!CommandBuf::needs_literal(b"plain \"quoted\" \\ ok"));
    }

    #[test]
    fn eight_bit_and_line_breaks_go_as_literals() {
        let mut c = CommandBuf::new();
        c.begin();
        c.atom(b"LOGIN").sp();
        let user = c.astring_or_literal("jürgen".as_bytes(), false);
        c.sp();
        let pass = c.astring_or_literal(b"p\r\n1", true);
        c.crlf();
        let text = c.as_bytes();
        let user_at = user.expect("8-bit user name needs a synchronizing literal");
        assert_eq!(&text[..user_at], b"a1 LOGIN {7}\r\n");
        assert_eq!(pass, None, "LITERAL+ needs no round trip");
        assert_eq!(&text[user_at..], "jürgen {4+}\r\np\r\n1\r\n".as_bytes());
        let mut c = CommandBuf::new();
        assert_eq!(c.astring_or_literal(b"plain\"pw", false), None);
        assert_eq!(c.as_bytes(), b"\"plain\\\"pw\"");
    }

    #[test]
    fn literal_headers() {
        let mut c = CommandBuf::new();
        c.begin();
        c.atom(b"APPEND")
            .sp()
            .astring(b"INBOX")
            .sp()
            .literal_header(5, false);
        assert_eq!(c.as_bytes(), b"a1 APPEND INBOX {5}\r\n");
        c.raw(b"hello").literal_header(0, true).crlf();
        assert_eq!(c.as_bytes(), b"a1 APPEND INBOX {5}\r\nhello{0+}\r\n\r\n");
    }

    #[test]
    fn sasl_plain_is_base64_of_nul_separated_credentials() {
        let mut out = b"prefix ".to_vec();
        sasl_plain("tim", "tanstaaftanstaaf", &mut out);
        assert_eq!(out, b"prefix AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
        let decoded = BASE64_STANDARD.decode(&out[7..]).unwrap();
        assert_eq!(decoded, b"\0tim\0tanstaaftanstaaf");
        let mut empty = Vec::new();
        sasl_plain("", "", &mut empty);
        assert_eq!(empty, b"AAA=");
    }

    #[test]
    fn warm_buffer_does_not_reallocate() {
        let mut c = CommandBuf::new();
        c.begin();
        c.atom(b"UID FETCH")
            .sp()
            .number(1234)
            .sp()
            .atom(b"(BODY.PEEK[])")
            .crlf();
        let ptr = c.as_bytes().as_ptr();
        for uid in 0..1000 {
            c.begin();
            c.atom(b"UID FETCH")
                .sp()
                .number(uid)
                .sp()
                .atom(b"(BODY.PEEK[])")
                .crlf();
        }
        assert_eq!(c.as_bytes().as_ptr(), ptr);
    }
}
