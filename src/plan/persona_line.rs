//! One command line of a persona, as the client writes it: an optional
//! condition on the server's capabilities, then the command after its tag,
//! with placeholders the connection fills in when it sends it.
//!
//! - `[CAP] line`: only when the server advertises `CAP` (`[QUOTA]`,
//!   `[COMPRESS=DEFLATE]`); `[!CAP] line`: only when it does not;
//!   `[NOCAPS] line`: only when no capability list came since connecting
//!   (the greeting's counts) or, once logged in, since the login;
//!   `[MESSAGES] line`: only when the selected mailbox has messages (a
//!   client does not send sequence numbers into an empty one).
//! - Placeholders: `{mailbox}` (the connection's mailbox), `{folder}` (the
//!   line repeats for each of the connection's folders), `{user}`,
//!   `{password}` (both as quoted strings), `{sasl_plain}` (base64 of
//!   `\0user\0password`, for SASL-IR), `{next}` (highest UID seen + 1),
//!   `{last}` (highest UID seen), `{window}` (the sequence numbers of the
//!   last 100 messages), `{since}` (7 days ago, `7-Dec-2026`), `{exists}`,
//!   `{message}` (a message as an APPEND literal, last on its line),
//!   `{modseq}` (the mailbox's HIGHESTMODSEQ, for CHANGEDSINCE), `{chunk}`
//!   (`offset.size` of a chunked read's part).
//!
//! The row a line is recorded under follows from its verb (the FETCH kinds
//! from its items, by the one FETCH classifier).

use toml::Spanned;

use super::scenario::Opt;
use super::span::Ctx;
use crate::command::{fetch_items, CommandKind};
use crate::error::InputError;

/// When a line is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// Always.
    Always,
    /// When the server advertises this capability (upper case).
    Offered(String),
    /// When it does not.
    NotOffered(String),
    /// When no capability list came since connecting, or since the login.
    NoCapabilities,
    /// When the selected mailbox has messages (sequence sets are invalid in an empty one).
    Messages,
}

/// A value filled in when the line is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    /// The connection's mailbox.
    Mailbox,
    /// The folder being walked.
    Folder,
    /// The user name, quoted.
    User,
    /// The password, quoted.
    Password,
    /// SASL PLAIN initial response.
    SaslPlain,
    /// Highest UID seen + 1.
    Next,
    /// Highest UID seen.
    Last,
    /// Sequence numbers of the last 100 messages.
    Window,
    /// Seven days ago, as an IMAP date.
    Since,
    /// The message count.
    Exists,
    /// A message to APPEND, as a literal (`{n+}` with LITERAL+, else `{n}`).
    Message,
    /// The mailbox's HIGHESTMODSEQ as the server last said it (CONDSTORE).
    Modseq,
    /// The part of a chunked read, `offset.size`.
    Chunk,
}

/// A piece of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Sent as written.
    Text(String),
    /// Filled in.
    Var(Placeholder),
}

/// One line, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// As written (without its condition).
    pub text: String,
    /// When it is sent.
    pub when: Condition,
    /// The row it is recorded under.
    pub kind: CommandKind,
    /// Its pieces.
    pub segments: Vec<Segment>,
    /// It names `{folder}`: it repeats once per folder.
    pub per_folder: bool,
}

/// Parses a list of lines; `None` is an empty list.
pub fn parse_lines(
    ctx: &Ctx,
    raw: &Opt<Vec<Spanned<String>>>,
    key: &str,
) -> Result<Vec<Line>, InputError> {
    let Some(list) = raw else {
        return Ok(Vec::new());
    };
    list.get_ref()
        .iter()
        .enumerate()
        .map(|(i, l)| {
            parse(l.get_ref()).map_err(|m| ctx.at(l.span(), format!("{key}[{}]", i + 1), m))
        })
        .collect()
}

/// Parses one line.
pub fn parse(written: &str) -> Result<Line, String> {
    let (when, text) = condition(written.trim())?;
    if text.is_empty() {
        return Err("empty command line".into());
    }
    let kind = kind_of(text)?;
    let segments = segments(text)?;
    let per_folder = segments.contains(&Segment::Var(Placeholder::Folder));
    Ok(Line {
        text: text.to_string(),
        when,
        kind,
        segments,
        per_folder,
    })
}

fn condition(s: &str) -> Result<(Condition, &str), String> {
    let Some(rest) = s.strip_prefix('[') else {
        return Ok((Condition::Always, s));
    };
    let Some((cap, text)) = rest.split_once(']') else {
        return Err("a condition `[CAP]` needs its closing `]`".into());
    };
    let cap = cap.trim().to_ascii_uppercase();
    let when = match cap.strip_prefix('!') {
        _ if cap == "NOCAPS" => Condition::NoCapabilities,
        _ if cap == "MESSAGES" => Condition::Messages,
        Some(c) if !c.is_empty() => Condition::NotOffered(c.to_string()),
        None if !cap.is_empty() => Condition::Offered(cap),
        _ => return Err("empty condition; write [CAP], [!CAP], [NOCAPS] or [MESSAGES]".into()),
    };
    Ok((when, text.trim_start()))
}

fn segments(text: &str) -> Result<Vec<Segment>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            return Err(format!("unclosed placeholder in `{text}`"));
        };
        let name = &rest[open + 1..open + close];
        let var = match name {
            "mailbox" => Placeholder::Mailbox,
            "folder" => Placeholder::Folder,
            "user" => Placeholder::User,
            "password" => Placeholder::Password,
            "sasl_plain" => Placeholder::SaslPlain,
            "next" => Placeholder::Next,
            "last" => Placeholder::Last,
            "window" => Placeholder::Window,
            "since" => Placeholder::Since,
            "exists" => Placeholder::Exists,
            "message" => Placeholder::Message,
            "modseq" => Placeholder::Modseq,
            "chunk" => Placeholder::Chunk,
            other => {
                return Err(format!(
                    "unknown placeholder {{{other}}}; allowed: {{mailbox}}, {{folder}}, {{user}}, \
                     {{password}}, {{sasl_plain}}, {{next}}, {{last}}, {{window}}, {{since}}, {{exists}}, \
                     {{message}}, {{modseq}}, {{chunk}}"
                ))
            }
        };
        if open > 0 {
            out.push(Segment::Text(rest[..open].to_string()));
        }
        out.push(Segment::Var(var));
        rest = &rest[open + close + 1..];
    }
    if !rest.is_empty() {
        out.push(Segment::Text(rest.to_string()));
    }
    Ok(out)
}

/// The row of a command line, from its verb.
fn kind_of(text: &str) -> Result<CommandKind, String> {
    use CommandKind as K;
    let mut words = text.split_ascii_whitespace();
    let first = words.next().unwrap_or("").to_ascii_uppercase();
    let (uid, verb) = match first.as_str() {
        "UID" => (true, words.next().unwrap_or("").to_ascii_uppercase()),
        _ => (false, first),
    };
    let args = text
        .split_ascii_whitespace()
        .skip(if uid { 2 } else { 1 })
        .collect::<Vec<_>>()
        .join(" ");
    let kind = match (uid, verb.as_str()) {
        (_, "FETCH") => fetch_items::kind_of(fetch_items::parse(&args)),
        (false, "SEARCH") => K::Search,
        (true, "SEARCH") => K::UidSearch,
        (false, "STORE") => K::Store,
        (true, "STORE") => K::UidStore,
        (_, "COPY") => K::Copy,
        (_, "MOVE") => K::Move,
        (true, "EXPUNGE") => K::UidExpunge,
        (false, v) => match simple(v, &args) {
            Some(k) => k,
            None => return Err(unknown(text)),
        },
        (true, _) => return Err(unknown(text)),
    };
    Ok(kind)
}

fn simple(verb: &str, args: &str) -> Option<CommandKind> {
    use CommandKind as K;
    Some(match verb {
        "CAPABILITY" => K::Capability,
        "LOGIN" => K::Login,
        "AUTHENTICATE" => K::Authenticate,
        "COMPRESS" => K::Compress,
        "ID" => K::Id,
        "ENABLE" => K::Enable,
        "NAMESPACE" => K::Namespace,
        "LIST" if args.to_ascii_uppercase().contains("SPECIAL-USE") => K::ListSpecialUse,
        "LIST" => K::List,
        "LSUB" => K::Lsub,
        "SELECT" => K::Select,
        "EXAMINE" => K::Examine,
        "STATUS" => K::Status,
        "GETQUOTAROOT" => K::Getquotaroot,
        "NOOP" => K::Noop,
        "CHECK" => K::Check,
        "EXPUNGE" => K::Expunge,
        "CLOSE" => K::Close,
        "UNSELECT" => K::Unselect,
        "APPEND" => K::Append,
        "CREATE" => K::Create,
        "SUBSCRIBE" => K::Subscribe,
        "LOGOUT" => K::Logout,
        _ => return None,
    })
}

fn unknown(text: &str) -> String {
    format!(
        "`{text}`: not a command a persona can send; IDLE is the connection's mode \
         (mode = \"idle\"), the others are the IMAP verbs (select, UID fetch, ...)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_their_case_and_find_their_row() {
        let l = parse("[QUOTA] getquotaroot \"{mailbox}\"").unwrap();
        assert_eq!(l.when, Condition::Offered("QUOTA".into()));
        assert_eq!(l.kind, CommandKind::Getquotaroot);
        assert_eq!(
            l.segments,
            vec![
                Segment::Text("getquotaroot \"".into()),
                Segment::Var(Placeholder::Mailbox),
                Segment::Text("\"".into())
            ]
        );
        assert_eq!(
            parse("UID fetch 1:* (FLAGS)").unwrap().kind,
            CommandKind::FetchFlags
        );
        let h =
            parse("UID fetch {next}:* (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To)])");
        assert_eq!(h.unwrap().kind, CommandKind::FetchHeaders);
        assert_eq!(
            parse("UID fetch {last} (UID RFC822.SIZE BODY[])")
                .unwrap()
                .kind,
            CommandKind::FetchBody
        );
        assert_eq!(
            parse("[!QUOTA] noop").unwrap().when,
            Condition::NotOffered("QUOTA".into())
        );
        assert_eq!(
            parse("[NOCAPS] capability").unwrap().when,
            Condition::NoCapabilities
        );
        assert!(parse("select \"{folder}\"").unwrap().per_folder);
        assert_eq!(
            parse("LIST \"\" \"*\" RETURN (SPECIAL-USE)").unwrap().kind,
            CommandKind::ListSpecialUse
        );
    }

    #[test]
    fn bad_lines_say_what_is_allowed() {
        assert!(parse("IDLE").unwrap_err().contains("mode"));
        assert!(parse("select {mbox}").unwrap_err().contains("{mailbox}"));
        assert!(parse("[QUOTA getquotaroot x").unwrap_err().contains("]"));
        assert!(parse("   ").is_err());
    }
}
