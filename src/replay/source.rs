//! The replay's sources: files, directories (walked) and globs, each file's
//! format read from its content, its time span from its first and last lines
//! (so the run's length is known before anything is read in full).

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::event::Role;
use super::{exchange, protolog, rawlog};
use crate::error::InputError;

/// A log file's format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    /// Exchange IMAP4 protocol log (many sessions, streamed).
    Exchange,
    /// Dovecot rawlog `.in` file with its `.out` companion when there is one.
    RawlogPair(Option<PathBuf>),
    /// Single-file rawlog (`I:` / `O:` lines).
    RawlogSingle,
    /// imapload `--protocol-log` file.
    Protolog,
}

impl Format {
    /// Whether a file holds one session (read whole when it starts).
    pub fn per_session(&self) -> bool {
        !matches!(self, Format::Exchange)
    }

    /// The name said in messages and the run's notes.
    pub fn name(&self) -> &'static str {
        match self {
            Format::Exchange => "Exchange IMAP4 log",
            Format::RawlogPair(_) => "Dovecot rawlog (.in/.out)",
            Format::RawlogSingle => "rawlog (single file)",
            Format::Protolog => "imapload protocol log",
        }
    }
}

/// One source file, ready to be read.
#[derive(Debug, Clone)]
pub struct Source {
    /// The file.
    pub path: PathBuf,
    /// Its format.
    pub format: Format,
    /// Where its sessions replay.
    pub role: Role,
    /// The server its sessions are keyed under.
    pub server: u32,
    /// Its first and last times (µs since the epoch).
    pub first_us: i64,
    /// See `first_us`.
    pub last_us: i64,
    /// Its size in bytes (with the `.out` companion's).
    pub bytes: u64,
    /// The user its directory names (rawlog_dir = .../%u), for logs without a LOGIN.
    pub user_hint: Option<String>,
}

/// Bytes read from each end of a file to find its format and time span.
const PEEK: u64 = 64 * 1024;

/// Expands `args` (files, directories, globs) into sources, each file's
/// format told by its content; `cas_names` are the run's CAS names (a
/// protocol log of a session to one of them replays via a CAS).
pub fn discover(args: &[String], cas_names: &[String]) -> Result<Vec<Source>, InputError> {
    let mut files = Vec::new();
    for arg in args {
        expand(arg, &mut files)?;
    }
    let mut servers: HashMap<(PathBuf, bool), u32> = HashMap::new();
    let mut out = Vec::new();
    for found in files {
        let Some(mut s) = inspect(&found, cas_names)? else {
            continue;
        };
        s.server = match s.format {
            Format::Exchange => {
                let dir = found
                    .path
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default();
                let n = servers.len() as u32;
                *servers.entry((dir, s.role == Role::BackEnd)).or_insert(n)
            }
            _ => (1 << 24) + out.len() as u32,
        };
        out.push(s);
    }
    if out.is_empty() {
        let msg = "no log imapload can replay (Exchange IMAP4 logs, Dovecot rawlogs, imapload protocol logs)";
        return Err(InputError::new(
            "SOURCE",
            format!("{}: {msg}", args.join(" ")),
        ));
    }
    out.sort_by_key(|s| (s.first_us, s.path.clone()));
    Ok(out)
}

/// A file to look at: its path, and whether it was named (an unknown format
/// is then an error) or found in a directory (then it is passed over).
struct Found {
    path: PathBuf,
    named: bool,
    user_hint: Option<String>,
}

fn expand(arg: &str, files: &mut Vec<Found>) -> Result<(), InputError> {
    let path = Path::new(arg);
    if path.is_dir() {
        walk(path, path, files).map_err(|e| InputError::new("SOURCE", format!("{arg}: {e}")))?;
        return Ok(());
    }
    if path.is_file() {
        files.push(Found {
            path: path.to_path_buf(),
            named: true,
            user_hint: None,
        });
        return Ok(());
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if !name.contains(['*', '?']) {
        return Err(InputError::new(
            "SOURCE",
            format!("{arg}: no such file or directory"),
        ));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut matched: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| InputError::new("SOURCE", format!("{arg}: {e}")))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| wildcard(name, n))
        })
        .collect();
    if matched.is_empty() {
        return Err(InputError::new(
            "SOURCE",
            format!("{arg}: the pattern matches no file"),
        ));
    }
    matched.sort();
    files.extend(matched.into_iter().map(|path| Found {
        path,
        named: true,
        user_hint: None,
    }));
    Ok(())
}

/// Every file under `dir`, sorted; a file in a subdirectory takes that
/// subdirectory's name as its user hint (`rawlog_dir = /var/rawlog/%u`).
fn walk(root: &Path, dir: &Path, files: &mut Vec<Found>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(root, &p, files)?;
        } else if p.is_file() {
            let hint = (dir != root)
                .then(|| dir.file_name().map(|n| n.to_string_lossy().to_string()))
                .flatten();
            files.push(Found {
                path: p,
                named: false,
                user_hint: hint,
            });
        }
    }
    Ok(())
}

/// `*` and `?` over a file name.
pub fn wildcard(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// The head and tail of a file (at most [`PEEK`] bytes each) and its size.
fn ends(path: &Path) -> std::io::Result<(String, String, u64)> {
    let mut f = std::fs::File::open(path)?;
    let size = f.metadata()?.len();
    let mut head = Vec::new();
    (&mut f).take(PEEK).read_to_end(&mut head)?;
    let mut tail = Vec::new();
    f.seek(SeekFrom::Start(size.saturating_sub(PEEK)))?;
    f.read_to_end(&mut tail)?;
    Ok((
        String::from_utf8_lossy(&head).into(),
        String::from_utf8_lossy(&tail).into(),
        size,
    ))
}

/// A line's time in any of the formats.
fn line_time(line: &str) -> Option<i64> {
    let first = line.split([' ', ',']).next()?;
    rawlog::stamp(line)
        .map(|(t, _)| t)
        .or_else(|| exchange::parse_time(first))
}

fn inspect(found: &Found, cas_names: &[String]) -> Result<Option<Source>, InputError> {
    let path = &found.path;
    let err = |m: String| InputError::new("SOURCE", format!("{}: {m}", path.display()));
    let (head, tail, mut bytes) = ends(path).map_err(|e| err(e.to_string()))?;
    let first_line = head.lines().next().unwrap_or("").trim_end_matches('\r');
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_uppercase())
        .unwrap_or_default();
    let exchange_header = head
        .lines()
        .take(20)
        .any(|l| l.starts_with("#Fields:") || l.starts_with("#Log-type:"));
    let (format, role, first, last) = if exchange_header {
        let role = if name.starts_with("IMAP4BE") {
            Role::BackEnd
        } else {
            Role::FrontEnd
        };
        (
            Format::Exchange,
            role,
            exchange::first_time(&head),
            exchange::last_time(&tail),
        )
    } else if let Some((_, server)) = protolog::header(first_line) {
        let role = if cas_names.contains(&server) {
            Role::FrontEnd
        } else {
            Role::BackEnd
        };
        (
            Format::Protolog,
            role,
            line_time(first_line),
            tail.lines().rev().find_map(line_time),
        )
    } else if rawlog::is_single(first_line) {
        (
            Format::RawlogSingle,
            Role::BackEnd,
            line_time(first_line),
            tail.lines().rev().find_map(line_time),
        )
    } else if rawlog::stamp(first_line).is_some() && name.ends_with(".OUT") {
        return Ok(None); // read with its .in file
    } else if rawlog::stamp(first_line).is_some() || (head.is_empty() && name.ends_with(".IN")) {
        let out = path.with_extension("out");
        let out = out.is_file().then_some(out);
        let last = tail.lines().rev().find_map(line_time);
        let (last, out_bytes) =
            with_out_file(out.as_deref(), last).map_err(|e| err(e.to_string()))?;
        bytes += out_bytes;
        let first = line_time(first_line);
        (Format::RawlogPair(out), Role::BackEnd, first, last)
    } else if found.named {
        return Err(err(
            "not a log imapload can replay: expected an Exchange IMAP4 log (#Fields: header), \
             a Dovecot rawlog (<sec>.<usec> lines), or an imapload protocol log"
                .into(),
        ));
    } else {
        return Ok(None);
    };
    let Some(first_us) = first else {
        return Ok(None); // an empty log: nothing to replay
    };
    Ok(Some(Source {
        path: path.clone(),
        format,
        role,
        server: 0,
        first_us,
        last_us: last.unwrap_or(first_us).max(first_us),
        bytes,
        user_hint: found.user_hint.clone(),
    }))
}

/// A rawlog's `.out` half, when there is one: the later of the two last
/// times, and the `.out` file's size (both halves are read).
fn with_out_file(
    out: Option<&std::path::Path>,
    last: Option<i64>,
) -> std::io::Result<(Option<i64>, u64)> {
    let Some(out) = out else {
        return Ok((last, 0));
    };
    let (_, tail, bytes) = ends(out)?;
    Ok((last.max(tail.lines().rev().find_map(line_time)), bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard("IMAP4BE*.LOG", "IMAP4BE20261120-1.LOG"));
        assert!(!wildcard("IMAP4BE*.LOG", "IMAP420261120-1.LOG"));
        assert!(wildcard("a?c*", "abc"));
        assert!(!wildcard("a?c", "ac"));
    }
}
