//! Response checks: each command gets a small [`Check`] at send time, is fed
//! every response up to its tagged answer, and is finished there. A failed
//! check is one [`ErrorReason::Protocol`] on the command's row, with a short
//! detail ("fetch without BODY[]") as its message.
//!
//! Light checks (always on) slice the raw bytes and never allocate: tagged
//! status words, known untagged keywords, FETCH responses carrying what was
//! asked, FETCH numbers within the mailbox, EXISTS never going backwards
//! without EXPUNGE. Strict checks also decode every response with imap-codec.

use imap_codec::decode::Decoder;
use imap_codec::{GreetingCodec, ResponseCodec};

use crate::command::CommandKind;
use crate::imap::response::{Kind, Response, Status};
use crate::plan::Validate;
use crate::results::ErrorReason;

use super::failure::CommandError;
use super::mailbox::MailboxState;

pub mod scan;

use super::cmd::spec;
use scan::{fetch_items, BODY, BODY_LITERAL, HEADER, PARTIAL0, UID};

/// Untagged data keywords that do not start with a number (status words aside).
const KEYWORDS: [&[u8]; 26] = [
    b"CAPABILITY",
    b"LIST",
    b"LSUB",
    b"XLIST",
    b"STATUS",
    b"SEARCH",
    b"ESEARCH",
    b"FLAGS",
    b"ENABLED",
    b"ID",
    b"NAMESPACE",
    b"VANISHED",
    b"SORT",
    b"THREAD",
    b"QUOTA",
    b"QUOTAROOT",
    b"ACL",
    b"LISTRIGHTS",
    b"MYRIGHTS",
    b"METADATA",
    b"LANGUAGE",
    b"COMPARATOR",
    b"CONVERTED",
    b"GENURLAUTH",
    b"URLFETCH",
    b"NOTIFY",
];

/// Untagged data keywords after a message number.
const NUMBERED: [&[u8]; 4] = [b"EXISTS", b"RECENT", b"EXPUNGE", b"FETCH"];

/// The checker of one command's responses.
#[derive(Debug, Clone)]
pub struct Check {
    kind: CommandKind,
    /// Item bits a FETCH response must carry to answer the command (0: not a FETCH).
    need: u8,
    /// Messages in the mailbox when the command was sent.
    exists_at_send: u32,
    /// Also decode every response with imap-codec.
    strict: bool,
    /// `* n FETCH` responses seen.
    fetches: u32,
    /// Of those, the ones carrying every item in `need`.
    matched: u32,
    /// An EXPUNGE or VANISHED arrived during the command.
    expunged: bool,
    /// Why the check failed, for a protocol log.
    detail: Option<&'static str>,
}

impl Check {
    /// A light check for a command of `kind` sent with the mailbox as it is now.
    pub fn new(kind: CommandKind, mailbox: &MailboxState) -> Check {
        Check {
            kind,
            need: spec(kind).need,
            exists_at_send: mailbox.exists,
            strict: false,
            fetches: 0,
            matched: 0,
            expunged: false,
            detail: None,
        }
    }

    /// The same check, strict (imap-codec decoding) when `validate` says so.
    pub fn with(mut self, validate: Validate) -> Check {
        self.strict = validate == Validate::Strict;
        self
    }

    /// Why the check failed, once it has.
    pub fn detail(&self) -> Option<&'static str> {
        self.detail
    }

    /// Records a protocol failure found by the caller (wrong tag, unexpected
    /// continuation) and returns it, the detail as its message (no allocation).
    pub fn fail(&mut self, detail: &'static str) -> CommandError {
        self.detail = Some(detail);
        CommandError::new(ErrorReason::Protocol, detail)
    }

    /// Checks one response, before it is folded into `mailbox`.
    pub fn observe(
        &mut self,
        resp: &Response<'_>,
        mailbox: &MailboxState,
    ) -> Result<(), CommandError> {
        match self.light(resp, mailbox) {
            Err(detail) => return Err(self.fail(detail)),
            Ok(()) if self.strict => {
                if let Err(detail) = decode_response(resp.raw()) {
                    return Err(self.fail(detail));
                }
            }
            Ok(()) => {}
        }
        Ok(())
    }

    /// The command this check is for.
    pub fn kind(&self) -> CommandKind {
        self.kind
    }

    /// Checks what can only be judged at the tagged OK.
    pub fn finish(&mut self) -> Result<(), CommandError> {
        if self.need == 0 || self.expunged {
            return Ok(());
        }
        if self.fetches > 0 && self.matched == 0 {
            return Err(self.fail(missing(self.need)));
        }
        // A UID FETCH of UIDs that no longer exist answers nothing, legitimately.
        if self.fetches == 0 && self.exists_at_send > 0 && self.kind != CommandKind::UidFetch {
            return Err(self.fail("fetch OK without FETCH data"));
        }
        Ok(())
    }

    fn light(&mut self, resp: &Response<'_>, mailbox: &MailboxState) -> Result<(), &'static str> {
        match resp.kind() {
            Kind::Continuation => Ok(()),
            Kind::Tagged => match resp.status() {
                Some(Status::Ok | Status::No | Status::Bad) => Ok(()),
                _ => Err("tagged response without OK/NO/BAD"),
            },
            Kind::Untagged => {
                if let Some((n, what)) = resp.untagged_number() {
                    return self.numbered(resp, n, what, mailbox);
                }
                if resp.status().is_some() {
                    return Ok(());
                }
                let word = resp.untagged_keyword().unwrap_or_default();
                if !KEYWORDS.iter().any(|k| word.eq_ignore_ascii_case(k)) {
                    return Err("unknown untagged response");
                }
                if word.eq_ignore_ascii_case(b"VANISHED") {
                    self.expunged = true;
                }
                Ok(())
            }
        }
    }

    fn numbered(
        &mut self,
        resp: &Response<'_>,
        n: u32,
        what: &[u8],
        mailbox: &MailboxState,
    ) -> Result<(), &'static str> {
        let is = |k: &[u8]| what.eq_ignore_ascii_case(k);
        if !NUMBERED.iter().any(|k| is(k)) {
            return Err("unknown untagged response");
        }
        if is(b"EXPUNGE") {
            self.expunged = true;
        } else if is(b"EXISTS") {
            if n < mailbox.exists && !mailbox.expunged_since_exists {
                return Err("EXISTS went down without EXPUNGE");
            }
        } else if is(b"FETCH") {
            let items = fetch_items(resp.raw()).ok_or("malformed FETCH response")?;
            let selecting = matches!(self.kind, CommandKind::Select | CommandKind::Examine);
            if n == 0 || (mailbox.selected && !selecting && n > mailbox.exists) {
                return Err("FETCH of a message number beyond EXISTS");
            }
            if self.kind == CommandKind::UidFetch && items & UID == 0 {
                return Err("UID FETCH response without UID");
            }
            if self.need & BODY != 0 && items & BODY != 0 && items & BODY_LITERAL == 0 {
                return Err("BODY[] without a literal");
            }
            self.fetches += 1;
            if items & self.need == self.need {
                self.matched += 1;
            }
        }
        Ok(())
    }
}

/// What a FETCH answer lacked, by the items the command needed.
fn missing(need: u8) -> &'static str {
    if need & BODY != 0 {
        "fetch without BODY[]"
    } else if need & HEADER != 0 {
        "fetch without BODY[HEADER] and ENVELOPE"
    } else if need & PARTIAL0 != 0 {
        "fetch without BODY[]<0>"
    } else {
        "fetch without UID and FLAGS"
    }
}

/// Strict: the whole message must decode as one IMAP response.
fn decode_response(raw: &[u8]) -> Result<(), &'static str> {
    match ResponseCodec::default().decode(raw) {
        Ok(([], _)) => Ok(()),
        Ok(_) => Err("imap-codec: trailing bytes after response"),
        Err(_) => Err("imap-codec: response does not decode"),
    }
}

/// Checks a server greeting: light accepts what the session already accepts;
/// strict also decodes it with imap-codec. The detail says why it failed.
pub fn check_greeting(raw: &[u8], validate: Validate) -> Result<(), &'static str> {
    if validate != Validate::Strict {
        return Ok(());
    }
    match GreetingCodec::default().decode(raw) {
        Ok(([], _)) => Ok(()),
        Ok(_) => Err("imap-codec: trailing bytes after greeting"),
        Err(_) => Err("imap-codec: greeting does not decode"),
    }
}

#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod tests;
