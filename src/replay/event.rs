//! What every log format is read into: one event per logged command or
//! session boundary, in time order per source, keyed by the session it
//! belongs to. Formats differ in what they record; an event carries what
//! its format had and leaves the rest `None`.

/// A logged session: the server whose log it is (interned) and the id that
/// server gave it (Exchange's `sessionId`; 0 for one-session-per-file logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionKey {
    /// The server (or, for per-connection files, the file) the session is from.
    pub server: u32,
    /// The session id within that server's log.
    pub id: u64,
}

/// Where a logged session's commands went, and so where they replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A front end (Exchange CAS, a proxy): replayed via a CAS.
    FrontEnd,
    /// A mailbox back end: replayed straight to the user's home back end.
    BackEnd,
}

/// One event of a log.
#[derive(Debug, Clone)]
pub struct Event {
    /// When it was logged, µs since the Unix epoch (UTC).
    pub at_us: i64,
    /// The session it belongs to.
    pub session: SessionKey,
    /// What happened.
    pub what: What,
}

/// The kinds of events.
#[derive(Debug, Clone)]
pub enum What {
    /// The connection opened (Exchange `OpenSession`, the first line of a
    /// per-connection file).
    Open,
    /// The connection closed (Exchange `CloseSession`, the end of a per-connection file).
    Close,
    /// A client command.
    Command(Logged),
    /// A line that is not a client command but counted as read: Exchange's
    /// batched `proxy` rows (its label, e.g. `proxy`).
    NotCommand(String),
}

/// One logged client command, with what the log said about it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Logged {
    /// The command as logged, upper case (`FETCH`, `UID FETCH`).
    pub verb: String,
    /// Its arguments as logged (cut to [`ARGS_KEPT`] bytes).
    pub args: String,
    /// The command's tag, when the log has it.
    pub tag: Option<String>,
    /// The user the log names for the session at this command.
    pub user: Option<String>,
    /// How long the server took, in µs (Exchange's `duration`, rawlog
    /// timestamps from the command to its tagged answer).
    pub duration_us: Option<u64>,
    /// Request size in bytes (Exchange's `rqsize`).
    pub request_bytes: Option<u64>,
}

/// Bytes of a command's arguments kept: enough to classify it and to name a
/// mailbox; a log's 2 KiB sequence sets are not kept whole.
pub const ARGS_KEPT: usize = 512;

/// `s` cut to at most `max` bytes on a character boundary.
pub fn cut(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// Splits a client line `tag VERB args` (a `UID` verb takes its sub-verb
/// along). `None` for a line with no verb (a SASL answer, `DONE`).
pub fn split_command(line: &str) -> Option<(String, String, String)> {
    let mut parts = line.splitn(3, ' ');
    let tag = parts.next()?.to_string();
    let verb = parts.next().filter(|v| !v.is_empty())?;
    let rest = parts.next().unwrap_or("");
    let (verb, args) = join_uid(verb, rest);
    Some((tag, verb, cut(&args, ARGS_KEPT)))
}

/// `UID` + `FETCH ...` -> (`UID FETCH`, `...`); other verbs upper-cased alone.
pub fn join_uid(verb: &str, rest: &str) -> (String, String) {
    let verb = verb.to_ascii_uppercase();
    if verb == "UID" {
        let mut p = rest.splitn(2, ' ');
        let sub = p.next().unwrap_or("").to_ascii_uppercase();
        return (format!("UID {sub}"), p.next().unwrap_or("").to_string());
    }
    (verb, rest.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_commands_keep_their_sub_verb() {
        let (tag, verb, args) = split_command("a5 uid fetch 1:* (FLAGS)").unwrap();
        assert_eq!(
            (tag.as_str(), verb.as_str(), args.as_str()),
            ("a5", "UID FETCH", "1:* (FLAGS)")
        );
        assert!(split_command("dGVzdA==").is_none());
        assert_eq!(cut("héllo", 2), "h");
    }
}
