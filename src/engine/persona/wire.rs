//! A persona's lines on its connection: fills in the placeholders, writes
//! the line after the persona's own tag, answers AUTHENTICATE's continuation
//! and sends an APPEND's message, reads to the tagged answer while keeping
//! what the client would keep (capabilities, message count, highest UID),
//! and records the command on its row and on its persona.

use std::time::Instant;

use base64::Engine as _;

use crate::command::CommandKind;
use crate::imap::client::{self, ClientError, Expect, OnBye, OnContinue, Reply, Tag};
use crate::imap::conn::Connection;
use crate::imap::response::{Kind, Response, Status};
use crate::plan::persona::{Condition, Line, Placeholder, Segment};
use crate::results::ErrorReason;

use super::super::failure::{CommandError, FailedCommand};
use super::super::guard::Phase;
use super::super::session::Session;
use super::tally::Tally;

/// What one connection knows of its server and mailbox.
#[derive(Debug, Default)]
pub struct Known {
    /// The capability list last seen, upper case, space-separated with a
    /// space at each end (`" IMAP4REV1 IDLE "`); empty when none.
    pub caps: String,
    /// A capability list came since connecting (the greeting's counts) or,
    /// once the login was sent, since the login.
    pub caps_since_login: bool,
    /// The selected mailbox's message count.
    pub exists: u32,
    /// The highest UID the client has fetched (FETCH answers carrying UID).
    pub highest_uid: u32,
    /// The server's UIDNEXT, when it said it (SELECT, STATUS).
    pub uidnext: u32,
    /// The mailbox's HIGHESTMODSEQ, when the server said it (CONDSTORE).
    pub highest_modseq: u64,
    /// RFC822.SIZE of the highest UID seen, when a FETCH said it.
    pub last_size: u32,
    /// The part `{chunk}` stands for.
    pub chunk: String,
    /// The next tag number.
    pub tag: u32,
    /// The mailbox `{mailbox}` stands for.
    pub mailbox: String,
    /// The folder `{folder}` stands for (while a poll walks them).
    pub folder: String,
    /// The device's first connection: the one that sends its user's mail.
    pub primary: bool,
}

impl Known {
    /// Takes the capabilities of a `* CAPABILITY` line or `[CAPABILITY ...]` code.
    pub fn observe(&mut self, resp: &Response<'_>) {
        if let Some((n, word)) = resp.untagged_number() {
            if word.eq_ignore_ascii_case(b"EXISTS") {
                self.exists = n;
            } else if word.eq_ignore_ascii_case(b"FETCH") {
                if let Some(uid) = uid_in(resp.raw()) {
                    if uid >= self.highest_uid {
                        let raw = resp.raw();
                        if let Some(at) = find(raw, b"RFC822.SIZE ") {
                            self.last_size = number(&raw[at + 12..]).unwrap_or(self.last_size);
                        }
                    }
                    self.highest_uid = self.highest_uid.max(uid);
                }
            }
            return;
        }
        if let Some((code, args)) = resp.code() {
            if code.eq_ignore_ascii_case(b"CAPABILITY") {
                self.set_caps(args);
            } else if code.eq_ignore_ascii_case(b"HIGHESTMODSEQ") {
                let digits = args.iter().take_while(|b| b.is_ascii_digit()).count();
                let text = std::str::from_utf8(&args[..digits]).unwrap_or("0");
                self.highest_modseq = text.parse().unwrap_or(self.highest_modseq);
            } else if code.eq_ignore_ascii_case(b"UIDNEXT") {
                if let Some(n) = number(args) {
                    self.uidnext = n;
                }
            }
        }
        if resp.kind() == Kind::Untagged
            && resp
                .untagged_keyword()
                .is_some_and(|k| k.eq_ignore_ascii_case(b"CAPABILITY"))
        {
            let raw = resp.raw();
            let at = find(raw, b"CAPABILITY").map_or(raw.len(), |i| i + 10);
            self.set_caps(&raw[at..]);
        }
    }

    fn set_caps(&mut self, list: &[u8]) {
        let text = String::from_utf8_lossy(list).to_ascii_uppercase();
        self.caps = format!(
            " {} ",
            text.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
        );
        self.caps_since_login = true;
    }

    /// Whether the capability list holds `cap` (upper case), without
    /// allocating (it is asked for every conditioned line).
    fn offers(&self, cap: &str) -> bool {
        self.caps.split_ascii_whitespace().any(|c| c == cap)
    }

    /// Whether `line`'s condition holds now.
    pub fn wants(&self, line: &Line) -> bool {
        match &line.when {
            Condition::Always => true,
            Condition::Offered(c) => self.offers(c),
            Condition::NotOffered(c) => !self.offers(c),
            Condition::NoCapabilities => !self.caps_since_login,
            Condition::Messages => self.exists > 0,
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

fn number(s: &[u8]) -> Option<u32> {
    let digits: Vec<u8> = s
        .iter()
        .copied()
        .skip_while(|b| !b.is_ascii_digit())
        .take_while(u8::is_ascii_digit)
        .collect();
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

fn uid_in(raw: &[u8]) -> Option<u32> {
    let at = find(raw, b"UID ")?;
    number(&raw[at + 4..])
}

impl Session<'_> {
    /// Sends `line` (filled in from `known`) and reads its answer; records
    /// it. `intended` is when it was due. Returns when it completed.
    pub(super) async fn line(
        &mut self,
        conn: &mut Connection,
        known: &mut Known,
        tally: &Tally,
        line: &Line,
        intended: Instant,
        tag_prefix: &str,
    ) -> Result<Instant, FailedCommand> {
        known.tag += 1;
        let tag = format!("{tag_prefix}{}", known.tag);
        let mut text = Vec::with_capacity(128);
        text.extend_from_slice(tag.as_bytes());
        text.push(b' ');
        let message = self.fill(&mut text, line, known);
        let kind = line.kind;
        let two_step = kind == CommandKind::Authenticate
            && !line
                .segments
                .contains(&Segment::Var(Placeholder::SaslPlain));
        let sync_literal = message && !known.offers("LITERAL+");
        let mut parts: Vec<Vec<u8>> = Vec::new();
        if message {
            let msg = &self.ctx.append_msg;
            let plus = if sync_literal { "" } else { "+" };
            text.extend_from_slice(format!("{{{}{plus}}}\r\n", msg.len()).as_bytes());
            if sync_literal {
                parts.push(std::mem::take(&mut text));
                text.extend_from_slice(msg);
            } else {
                text.extend_from_slice(msg);
            }
        }
        text.extend_from_slice(b"\r\n");
        parts.push(text);
        if two_step {
            let mut sasl = Vec::new();
            crate::imap::encoder::sasl_plain(&self.user.name, &self.user.password, &mut sasl);
            sasl.extend_from_slice(b"\r\n");
            parts.push(sasl);
        }
        if kind == CommandKind::Authenticate || kind == CommandKind::Login {
            // Capabilities the answer carries (untagged or in the OK's code) are after login.
            known.caps_since_login = false;
        }
        let _queued = self.ctx.queues.due(self.route, kind);
        let guard = self.guard();
        let phase = Phase::command();
        let work = exchange(conn, &parts, tag.as_bytes(), kind, known);
        let r = guard.run(&phase, work).await;
        match r {
            Ok(sent) => {
                let done = self.ok(kind, intended, sent);
                tally.command(done.saturating_duration_since(intended));
                Ok(done)
            }
            Err(e) => Err(self.fail(kind, e)),
        }
    }

    /// Writes the line with its placeholders filled; says whether a message
    /// literal must follow (`{message}`).
    pub(super) fn fill(&self, out: &mut Vec<u8>, line: &Line, known: &Known) -> bool {
        let mut message = false;
        for seg in &line.segments {
            match seg {
                Segment::Text(t) => out.extend_from_slice(t.as_bytes()),
                Segment::Var(p) => match p {
                    Placeholder::Mailbox => out.extend_from_slice(known.mailbox.as_bytes()),
                    Placeholder::Folder => out.extend_from_slice(known.folder.as_bytes()),
                    Placeholder::User => quoted(out, &self.user.name),
                    Placeholder::Password => quoted(out, &self.user.password),
                    Placeholder::SaslPlain => {
                        let raw = format!("\0{}\0{}", self.user.name, self.user.password);
                        out.extend_from_slice(
                            base64::engine::general_purpose::STANDARD
                                .encode(raw)
                                .as_bytes(),
                        );
                    }
                    Placeholder::Next => {
                        out.extend_from_slice((known.highest_uid + 1).to_string().as_bytes())
                    }
                    Placeholder::Last => {
                        out.extend_from_slice(known.highest_uid.max(1).to_string().as_bytes())
                    }
                    Placeholder::Window => {
                        let last = known.exists.max(1);
                        let first = last.saturating_sub(99).max(1);
                        out.extend_from_slice(format!("{first}:{last}").as_bytes());
                    }
                    Placeholder::Since => {
                        let day = chrono::Utc::now() - chrono::Duration::days(7);
                        out.extend_from_slice(day.format("%-d-%b-%Y").to_string().as_bytes());
                    }
                    Placeholder::Exists => {
                        out.extend_from_slice(known.exists.to_string().as_bytes())
                    }
                    Placeholder::Message => message = true,
                    Placeholder::Chunk => out.extend_from_slice(known.chunk.as_bytes()),
                    Placeholder::Modseq => {
                        out.extend_from_slice(known.highest_modseq.to_string().as_bytes())
                    }
                },
            }
        }
        message
    }
}

fn quoted(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for b in s.bytes() {
        if b == b'"' || b == b'\\' {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// Sends `parts` (each after the server's `+` but the first) and reads to
/// the tagged answer; returns when the last part went out.
pub async fn exchange(
    conn: &mut Connection,
    parts: &[Vec<u8>],
    tag: &[u8],
    kind: CommandKind,
    known: &mut Known,
) -> Result<Instant, CommandError> {
    let mut obs = |resp: &Response<'_>| -> Result<(), CommandError> {
        known.observe(resp);
        Ok(())
    };
    let expect = Expect {
        tag: Tag::Text(tag),
        on_continue: OnContinue::Return,
        // LOGOUT's BYE is expected; anywhere else it ends the exchange.
        on_bye: if kind == CommandKind::Logout {
            OnBye::Observe
        } else {
            OnBye::Fail
        },
    };
    let mut sent = Instant::now();
    for (i, part) in parts.iter().enumerate() {
        conn.send(part)
            .await
            .map_err(|e| CommandError::transport(&e))?;
        sent = Instant::now();
        match client::read(conn, &expect, &mut obs)
            .await
            .map_err(failure)?
        {
            Reply::Continue if i + 1 < parts.len() => continue,
            Reply::Continue => {
                return Err(CommandError::new(
                    ErrorReason::Protocol,
                    "unexpected continuation",
                ))
            }
            Reply::Tagged(status) => return answer(conn, status).map(|()| sent),
        }
    }
    Ok(sent)
}

/// A tagged answer's status as the command's outcome.
pub fn answer(conn: &Connection, status: Option<Status>) -> Result<(), CommandError> {
    match status {
        Some(Status::Ok) => Ok(()),
        Some(Status::No) => Err(CommandError::answer(
            ErrorReason::No,
            "",
            conn.last_response().text(),
        )),
        Some(Status::Bad) => Err(CommandError::answer(
            ErrorReason::Bad,
            "",
            conn.last_response().text(),
        )),
        _ => Err(CommandError::new(
            ErrorReason::Protocol,
            "tagged response without OK/NO/BAD",
        )),
    }
}

/// The client exchange's failure as the command's.
pub fn failure<E>(e: ClientError<E>) -> CommandError {
    match e {
        ClientError::Transport(e) => CommandError::transport(&e),
        ClientError::Bye(text) => CommandError::answer(ErrorReason::Disconnect, "BYE ", &text),
        ClientError::WrongTag(_) => {
            CommandError::new(ErrorReason::Protocol, "tagged response with a tag not ours")
        }
        ClientError::UnexpectedContinuation => {
            CommandError::new(ErrorReason::Protocol, "unexpected continuation")
        }
        ClientError::OutOfTurn(_) => {
            CommandError::new(ErrorReason::Protocol, "tagged or continuation during IDLE")
        }
        ClientError::Observer(_) => {
            CommandError::new(ErrorReason::Protocol, "refused by the check")
        }
    }
}
