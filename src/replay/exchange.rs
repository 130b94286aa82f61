//! Exchange 2013+ IMAP4 protocol logs (`IMAP4*.LOG` on the CAS, `IMAP4BE*.LOG`
//! on the mailbox server), read as a stream: `#` header lines (the columns
//! come from `#Fields:`, so builds with fewer or more columns read alike),
//! then one CSV row per command. `OpenSession` / `CloseSession` rows bound a
//! session; `proxy` rows are the front end's batched relay records, not
//! commands. A row that cannot be read is counted, never fatal.

use std::io::BufRead;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::csvline::split_into;
use super::event::{cut, join_uid, Event, Logged, SessionKey, What, ARGS_KEPT};

/// The columns of Exchange's default `#Fields:` line (used until a file says otherwise).
const DEFAULT_FIELDS: &str =
    "dateTime,sessionId,seqNumber,sIp,cIp,user,duration,rqsize,rpsize,command,parameters,context";

/// Where the columns replay reads are, from `#Fields:`.
#[derive(Debug, Clone, Default)]
struct Columns {
    time: Option<usize>,
    session: Option<usize>,
    user: Option<usize>,
    duration: Option<usize>,
    rqsize: Option<usize>,
    command: Option<usize>,
    parameters: Option<usize>,
    context: Option<usize>,
}

impl Columns {
    fn parse(fields: &str) -> Columns {
        let names: Vec<String> = fields
            .split(',')
            .map(|f| f.trim().to_ascii_lowercase())
            .collect();
        let at = |n: &str| names.iter().position(|f| f == n);
        Columns {
            time: at("datetime").or_else(|| at("date-time")),
            session: at("sessionid"),
            user: at("user"),
            duration: at("duration"),
            rqsize: at("rqsize"),
            command: at("command"),
            parameters: at("parameters"),
            context: at("context"),
        }
    }
}

/// A streaming reader of one Exchange log file.
pub struct ExchangeReader<R: BufRead> {
    input: R,
    server: u32,
    columns: Columns,
    line: Vec<u8>,
    fields: Vec<String>,
    /// Rows that could not be read (bad CSV, time or session id).
    pub unreadable: u64,
    read: Arc<AtomicU64>,
}

impl<R: BufRead> ExchangeReader<R> {
    /// Reads `input`; sessions are keyed under `server`; bytes read are
    /// added to `read` (progress).
    pub fn new(input: R, server: u32, read: Arc<AtomicU64>) -> Self {
        ExchangeReader {
            input,
            server,
            columns: Columns::parse(DEFAULT_FIELDS),
            line: Vec::new(),
            fields: Vec::new(),
            unreadable: 0,
            read,
        }
    }

    /// One row as an event (`None` for an unreadable one).
    fn row(&mut self, text: &str) -> Option<Event> {
        if !split_into(text, &mut self.fields) {
            return None;
        }
        let c = &self.columns;
        let get = |i: Option<usize>| i.and_then(|i| self.fields.get(i)).map(String::as_str);
        let at_us = parse_time(get(c.time)?)?;
        let id = u64::from_str_radix(get(c.session)?.trim(), 16).ok()?;
        let session = SessionKey {
            server: self.server,
            id,
        };
        let command = get(c.command).unwrap_or("").trim();
        let what = match command.to_ascii_lowercase().as_str() {
            "opensession" => What::Open,
            "closesession" => What::Close,
            "proxy" => What::NotCommand("proxy".into()),
            "" => return None,
            _ => {
                let (verb, args) = join_uid(command, get(c.parameters).unwrap_or(""));
                let number = |i| get(i).and_then(|v| v.trim().parse::<u64>().ok());
                What::Command(Logged {
                    verb,
                    args: cut(&args, ARGS_KEPT),
                    tag: get(c.context).and_then(tag_of),
                    user: get(c.user)
                        .map(str::trim)
                        .filter(|u| !u.is_empty())
                        .map(String::from),
                    duration_us: number(c.duration).map(|ms| ms * 1000),
                    request_bytes: number(c.rqsize),
                })
            }
        };
        Some(Event {
            at_us,
            session,
            what,
        })
    }
}

impl<R: BufRead> Iterator for ExchangeReader<R> {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        loop {
            self.line.clear();
            let n = self.input.read_until(b'\n', &mut self.line).ok()?;
            if n == 0 {
                return None;
            }
            self.read.fetch_add(n as u64, Ordering::Relaxed);
            let text = String::from_utf8_lossy(&self.line);
            let text = text.trim_end_matches(['\r', '\n']).to_string();
            if let Some(header) = text.strip_prefix('#') {
                if let Some(fields) = header.strip_prefix("Fields:") {
                    self.columns = Columns::parse(fields.trim());
                }
                continue;
            }
            if text.trim().is_empty() {
                continue;
            }
            match self.row(&text) {
                Some(e) => return Some(e),
                None => self.unreadable += 1,
            }
        }
    }
}

/// `2026-11-20T09:00:00.123Z` (ISO 8601 UTC) -> µs since the epoch.
pub fn parse_time(s: &str) -> Option<i64> {
    let t = chrono::DateTime::parse_from_rfc3339(s.trim()).ok()?;
    Some(t.timestamp_micros())
}

/// The tag in a failure's context: `R="a1 NO text"` -> `a1`.
fn tag_of(context: &str) -> Option<String> {
    let r = context
        .split(';')
        .find_map(|kv| kv.trim().strip_prefix("R="))?;
    let r = r.trim_matches('"');
    let mut words = r.split(' ');
    let tag = words.next()?;
    let status = words.next()?;
    matches!(status.to_ascii_uppercase().as_str(), "OK" | "NO" | "BAD").then(|| tag.to_string())
}

/// The time of the first row of a file's `head` text (its header lines skipped).
pub fn first_time(text: &str) -> Option<i64> {
    text.lines().find_map(row_time)
}

/// The time of the last complete row of a file's `tail` text.
pub fn last_time(text: &str) -> Option<i64> {
    text.lines().rev().find_map(row_time)
}

/// A data row's time: Exchange writes `dateTime` first.
fn row_time(line: &str) -> Option<i64> {
    if line.starts_with('#') {
        return None;
    }
    parse_time(line.split(',').next()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "#Software: Microsoft Exchange Server\r\n#Version: 15.1.2507.6\r\n#Log-type: IMAP4 Log\r\n\
#Date: 2026-11-20T09:00:00.000Z\r\n\
#Fields: dateTime,sessionId,seqNumber,sIp,cIp,user,duration,command,parameters,context,puid\r\n\
2026-11-20T09:00:00.000Z,08D9A1B2C3D4E5F6,0,10.0.0.1:993,10.0.0.9:50000,,0,OpenSession,,,\r\n\
2026-11-20T09:00:00.100Z,08D9A1B2C3D4E5F6,1,10.0.0.1:993,10.0.0.9:50000,user1@x.test,12,login,user1@x.test ****,R=OK,\r\n\
2026-11-20T09:00:00.200Z,08D9A1B2C3D4E5F6,2,10.0.0.1:993,10.0.0.9:50000,user1@x.test,3,select,\"Sent Items\",\"R=\"\"a2 NO no, such\"\"\",\r\n\
garbage\"\r\n\
2026-11-20T09:00:30.000Z,08D9A1B2C3D4E5F6,3,10.0.0.1:993,10.0.0.9:50000,user1@x.test,0,proxy,mbx1.x.test,,\r\n";

    #[test]
    fn reads_the_columns_its_fields_line_names() {
        let read = Arc::new(AtomicU64::new(0));
        let mut r = ExchangeReader::new(LOG.as_bytes(), 7, read.clone());
        let events: Vec<Event> = r.by_ref().collect();
        assert_eq!(r.unreadable, 1);
        assert_eq!(read.load(Ordering::Relaxed), LOG.len() as u64);
        assert_eq!(events.len(), 4);
        assert!(matches!(events[0].what, What::Open));
        assert_eq!(
            events[0].session,
            SessionKey {
                server: 7,
                id: 0x08D9A1B2C3D4E5F6
            }
        );
        let What::Command(select) = &events[2].what else {
            panic!()
        };
        assert_eq!(select.verb, "SELECT");
        assert_eq!(select.args, "Sent Items");
        assert_eq!(select.tag.as_deref(), Some("a2"));
        assert_eq!(select.duration_us, Some(3000));
        assert_eq!(select.user.as_deref(), Some("user1@x.test"));
        assert!(matches!(&events[3].what, What::NotCommand(p) if p == "proxy"));
        assert_eq!(events[1].at_us - events[0].at_us, 100_000);
        assert_eq!(first_time(LOG), Some(events[0].at_us));
        assert_eq!(last_time(LOG), Some(events[3].at_us));
    }
}
