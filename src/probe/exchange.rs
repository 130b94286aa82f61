//! The probe's commands over the client exchange ([`crate::imap::client`]):
//! send one command and read until its tagged answer. Unlike the
//! engine's hot path this keeps the answer text, because a probe reports
//! what the server said.

use std::convert::Infallible;

use crate::imap::client::{self, ClientError, Expect, Tag};
use crate::imap::conn::{Connection, ImapError};
use crate::imap::encoder::CommandBuf;
use crate::imap::response::{Capabilities, Response, Status};

/// A tagged answer: its status and the text after it (response code included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TaggedAnswer {
    pub status: Option<Status>,
    pub text: String,
    /// The server said `LOGINDISABLED` in a CAPABILITY answer on the way.
    pub login_disabled: bool,
}

impl TaggedAnswer {
    /// Whether the command completed with OK.
    pub fn ok(&self) -> bool {
        self.status == Some(Status::Ok)
    }

    /// `NO text` / `BAD text` / the raw text, for error messages.
    pub fn describe(&self) -> String {
        let word = match self.status {
            Some(Status::Ok) => "OK",
            Some(Status::No) => "NO",
            Some(Status::Bad) => "BAD",
            Some(Status::Bye) => "BYE",
            Some(Status::Preauth) => "PREAUTH",
            None => "no status",
        };
        format!("{word} {}", self.text).trim().to_string()
    }
}

/// What ended a command before its tagged answer.
#[derive(Debug)]
pub(super) enum ExchangeError {
    /// The transport failed or the server closed.
    Io(ImapError),
    /// The server sent `* BYE` instead of answering.
    Bye(String),
    /// A continuation request or a tagged answer with someone else's tag.
    Unexpected(String),
}

/// A probe's connection and the buffer its commands are encoded in, so its
/// tags run `a1`, `a2`, ... as the engine's do.
pub(super) struct Wire {
    pub conn: Connection,
    cmd: CommandBuf,
}

impl Wire {
    /// A fresh connection's wire.
    pub fn new(conn: Connection) -> Wire {
        Wire {
            conn,
            cmd: CommandBuf::new(),
        }
    }

    /// Sends a command without arguments (`CAPABILITY`, `STARTTLS`, `LOGOUT`)
    /// and reads until its tagged answer.
    pub async fn verb(&mut self, verb: &[u8]) -> Result<TaggedAnswer, ExchangeError> {
        let tag = self.cmd.begin();
        self.cmd.atom(verb).crlf();
        let line = [self.cmd.as_bytes()];
        command(&mut self.conn, tag, &[&line[..]]).await
    }

    /// `LOGIN user pass` with the encoder every client of the crate uses
    /// (synchronizing literals for values a quoted string cannot carry).
    pub async fn login(&mut self, user: &str, pass: &str) -> Result<TaggedAnswer, ExchangeError> {
        let (tag, parts) =
            client::encode_login(&mut self.cmd, user.as_bytes(), pass.as_bytes(), |_| false);
        let parts: Vec<&[&[u8]]> = parts.chunks(1).collect();
        command(&mut self.conn, tag, &parts).await
    }
}

/// Sends a command's `parts` (each but the last ending in a synchronizing
/// literal header, sent after the server's `+`) and reads until the tagged
/// answer for `tag`, skipping untagged data.
async fn command(
    conn: &mut Connection,
    tag: u32,
    parts: &[&[&[u8]]],
) -> Result<TaggedAnswer, ExchangeError> {
    let mut login_disabled = false;
    let mut watch = |resp: &Response<'_>| {
        let caps = Capabilities::from_response(resp);
        login_disabled |= caps.is_some_and(|c| c.login_disabled);
        Ok::<(), Infallible>(())
    };
    let expect = Expect::tagged(Tag::Numbered(tag));
    client::command(conn, parts, &expect, &mut watch)
        .await
        .map_err(|e| ExchangeError::from_client(e, tag))?;
    let resp = conn.last_response();
    Ok(TaggedAnswer {
        status: resp.status(),
        text: lossy(resp.text()),
        login_disabled,
    })
}

impl ExchangeError {
    /// The client exchange's failure of command `tag`, in the probe's words.
    fn from_client(e: ClientError<Infallible>, tag: u32) -> ExchangeError {
        match e {
            ClientError::Transport(e) => ExchangeError::Io(e),
            ClientError::Bye(text) => ExchangeError::Bye(lossy(&text)),
            ClientError::WrongTag(got) => ExchangeError::Unexpected(format!(
                "answer with tag `{}` to command `a{tag}`",
                lossy(&got)
            )),
            ClientError::UnexpectedContinuation => {
                ExchangeError::Unexpected("unexpected continuation request".to_string())
            }
            ClientError::OutOfTurn(kind) => {
                ExchangeError::Unexpected(format!("unexpected {kind:?} response"))
            }
            ClientError::Observer(never) => match never {},
        }
    }
}

/// Bytes as one printable line (control characters become spaces).
pub(super) fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

/// The value of an Exchange-style `[Name=value]` field anywhere in `text`
/// (`[Proxy=mbx1]`, `[Error=...]`), name case-insensitive.
pub(super) fn bracket_field(text: &str, name: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let needle = format!("[{}=", name.to_ascii_lowercase());
    let start = lower.find(&needle)? + needle.len();
    let len = text[start..].find(']')?;
    let value = text[start..start + len].trim();
    (!value.is_empty()).then(|| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_exchange_fields_after_the_response_code() {
        let t = "[CAPABILITY IMAP4rev1 IDLE] LOGIN completed. [Proxy=mbx2]";
        assert_eq!(bracket_field(t, "Proxy").as_deref(), Some("mbx2"));
        assert_eq!(bracket_field(t, "Error"), None);
        let t = "[AUTHENTICATIONFAILED] Failed. [error=BadPassword] [Proxy=]";
        assert_eq!(bracket_field(t, "Error").as_deref(), Some("BadPassword"));
        assert_eq!(bracket_field(t, "Proxy"), None);
        assert_eq!(bracket_field("[Proxy=unclosed", "Proxy"), None);
    }

    #[test]
    fn lossy_makes_one_line() {
        assert_eq!(lossy(b" a\r\nb\tc \r\n"), "a  b c");
    }
}
