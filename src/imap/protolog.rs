//! Protocol logging (`--protocol-log DIR`), the generator's counterpart of
//! Exchange's `Set-ImapSettings -ProtocolLoggingEnabled`: the raw exchange of
//! a sample of sessions, one file each, one line per protocol line with a UTC
//! timestamp and a direction (`C:` client, `S:` server).
//!
//! Credentials never reach the file: the password of LOGIN, the initial
//! response of `AUTHENTICATE`, and the SASL line that answers its `+` are
//! replaced by [`REDACTED`]. Long lines and big literals (message bodies) are
//! cut, so a sampled session costs kilobytes, not its mail.
//!
//! Off costs one `Option` check per read and write in
//! [`Connection`](super::conn::Connection); nothing is allocated then.
//! Files are written with ordinary buffered (blocking) writes: only a sample
//! of sessions log, and their lines are short.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

/// What replaces a credential in the log.
pub const REDACTED: &str = "<redacted>";
/// Share of sessions logged when `--protocol-log-sample` is not given: one in
/// a hundred, so a long run at thousands of sessions writes a readable number of files.
pub const DEFAULT_SAMPLE: f64 = 0.01;
/// Bytes of one line kept; the rest is counted, not written.
const LINE_BYTES: usize = 200;
/// Lines of one message (a literal's body) kept.
const MESSAGE_LINES: usize = 12;

/// Where protocol logs go and which share of sessions is logged.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Directory for the session files (created at the start of the run).
    pub dir: PathBuf,
    /// Share of sessions logged, in (0, 1].
    pub sample: f64,
}

/// The run-wide logger: picks the sampled sessions and opens their files.
#[derive(Debug)]
pub struct ProtoLog {
    settings: Settings,
    sessions: AtomicU64,
    logged: AtomicU64,
    failed: AtomicU64,
}

impl ProtoLog {
    /// A logger writing into `settings.dir` (which must exist).
    pub fn new(settings: Settings) -> Self {
        ProtoLog {
            settings,
            sessions: AtomicU64::new(0),
            logged: AtomicU64::new(0),
            failed: AtomicU64::new(0),
        }
    }

    /// Called once per session: `Some` (with its file open) for the first
    /// session and then every `1/sample`-th, so the share is exact and the
    /// choice does not disturb the run's seeded random streams. `label` names
    /// the session in the file name (user and server).
    pub fn session(&self, user: &str, server: &str) -> Option<SessionLog> {
        let n = self.sessions.fetch_add(1, Ordering::Relaxed);
        // Integer parts per million: float products drift (30 x 0.1 > 3).
        let ppm = (self.settings.sample * 1e6).round() as u64;
        if ((n + 1) * ppm).div_ceil(1_000_000) <= (n * ppm).div_ceil(1_000_000) {
            return None;
        }
        let name = format!("{:06}-{}-{}.log", n + 1, safe(user), safe(server));
        match SessionLog::create(self.settings.dir.join(name), user, server) {
            Ok(log) => {
                self.logged.fetch_add(1, Ordering::Relaxed);
                Some(log)
            }
            Err(e) => {
                tracing::warn!(dir = %self.settings.dir.display(), "protocol log file not created: {e}");
                if self.failed.fetch_add(1, Ordering::Relaxed) == 0 {
                    eprintln!(
                        "imapload: protocol log: cannot write in {}: {e}",
                        self.settings.dir.display()
                    );
                }
                None
            }
        }
    }

    /// Sessions logged so far.
    pub fn logged(&self) -> u64 {
        self.logged.load(Ordering::Relaxed)
    }
}

/// A file name part made of `[A-Za-z0-9._-]` only, at most 40 bytes.
fn safe(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '_' | '-' => c,
            _ => '_',
        })
        .take(40)
        .collect()
}

/// One session's log file and the redaction state between its writes.
#[derive(Debug)]
pub struct SessionLog {
    out: BufWriter<File>,
    /// The next client line carries a credential (the SASL answer after
    /// `AUTHENTICATE PLAIN`, or LOGIN's literal data).
    secret_next: bool,
}

impl SessionLog {
    /// Creates the file and writes its header line.
    pub fn create(path: PathBuf, user: &str, server: &str) -> std::io::Result<SessionLog> {
        let mut out = BufWriter::new(File::create(path)?);
        writeln!(out, "{} -- session of {user} to {server}", now())?;
        Ok(SessionLog {
            out,
            secret_next: false,
        })
    }

    /// Logs bytes the client sent (one command, a literal or a SASL answer).
    pub fn client(&mut self, bytes: &[u8]) {
        let ts = now();
        let mut lines = split(bytes);
        let mut kept = 0;
        while let Some(line) = lines.next() {
            if std::mem::take(&mut self.secret_next) {
                self.secret_next = ends_with_literal(line);
                self.put(&ts, "C:", REDACTED.as_bytes());
                continue;
            }
            if kept == MESSAGE_LINES {
                self.more(&ts, "C:", lines.count() + 1);
                break;
            }
            kept += 1;
            let (shown, secret_next) = redact(line);
            self.secret_next = secret_next;
            self.put(&ts, "C:", &shown);
        }
    }

    /// Logs one message the server sent (a response with its literals).
    pub fn server(&mut self, bytes: &[u8]) {
        let ts = now();
        let mut lines = split(bytes);
        for _ in 0..MESSAGE_LINES {
            match lines.next() {
                Some(line) => self.put(&ts, "S:", line),
                None => return,
            }
        }
        let rest = lines.count();
        if rest > 0 {
            self.more(&ts, "S:", rest);
        }
    }

    /// Logs an event that is not protocol bytes (the TLS handshake).
    pub fn note(&mut self, what: &str) {
        let _ = writeln!(self.out, "{} -- {what}", now());
    }

    fn put(&mut self, ts: &str, dir: &str, line: &[u8]) {
        let keep = line.len().min(LINE_BYTES);
        let cut = line.len() - keep;
        let text = String::from_utf8_lossy(&line[..keep]);
        let _ = if cut > 0 {
            writeln!(self.out, "{ts} {dir} {text} ... ({cut} more bytes)")
        } else {
            writeln!(self.out, "{ts} {dir} {text}")
        };
    }

    fn more(&mut self, ts: &str, dir: &str, lines: usize) {
        let _ = writeln!(self.out, "{ts} {dir} ... ({lines} more lines)");
    }
}

impl Drop for SessionLog {
    fn drop(&mut self) {
        let _ = self.out.flush();
    }
}

/// UTC wall-clock time with microseconds.
fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

/// The lines of `bytes` without their CRLF (a trailing partial line counts).
fn split(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    bytes
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(move |_| !bytes.is_empty())
}

fn ends_with_literal(line: &[u8]) -> bool {
    line.ends_with(b"}")
}

/// A client line as logged, and whether the next line is a credential.
/// `tag LOGIN user password` keeps the user; `tag AUTHENTICATE mech ir`
/// keeps the mechanism; everything after them is [`REDACTED`].
fn redact(line: &[u8]) -> (Vec<u8>, bool) {
    let mut words = line.splitn(3, |&b| b == b' ');
    let (tag, verb) = (words.next().unwrap_or_default(), words.next());
    let rest = words.next().unwrap_or_default();
    let Some(verb) = verb else {
        return (line.to_vec(), false);
    };
    let login = verb.eq_ignore_ascii_case(b"LOGIN");
    if !login && !verb.eq_ignore_ascii_case(b"AUTHENTICATE") {
        return (line.to_vec(), false);
    }
    let first = first_word(rest);
    let mut shown = [tag, b" ", verb].concat();
    if !first.is_empty() && !first.starts_with(b"{") {
        shown.extend_from_slice(b" ");
        shown.extend_from_slice(first);
    }
    let secret = &rest[first.len()..];
    if !secret.is_empty() || first.starts_with(b"{") {
        shown.extend_from_slice(b" ");
        shown.extend_from_slice(REDACTED.as_bytes());
    }
    // After AUTHENTICATE without an initial response the client's next line is
    // the SASL answer; after a literal the next line is its data.
    let next = ends_with_literal(line) || (!login && secret.trim_ascii().is_empty());
    (shown, next)
}

/// The first astring of `s`: a quoted string (with escapes) or an atom.
fn first_word(s: &[u8]) -> &[u8] {
    if s.first() == Some(&b'"') {
        let mut i = 1;
        while i < s.len() {
            match s[i] {
                b'\\' => i += 2,
                b'"' => return &s[..=i],
                _ => i += 1,
            }
        }
        return s;
    }
    let end = s.iter().position(|&b| b == b' ').unwrap_or(s.len());
    &s[..end]
}

#[cfg(test)]
mod tests;
