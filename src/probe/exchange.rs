//! The probe's commands over the client exchange ([`crate::imap::client`]):
//! send one `z<n>` command and read until its tagged answer. Unlike the
//! engine's hot path this keeps the answer text, because a probe reports
//! what the server said.

use std::convert::Infallible;

use crate::imap::client::{self, ClientError, Expect, Tag};
use crate::imap::conn::{Connection, ImapError};
use crate::imap::encoder::CommandBuf;
use crate::imap::response::{Capabilities, Response, Status};

/// A tagged answer: its status and the text after it (response code included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Answer {
    pub status: Option<Status>,
    pub text: String,
    /// The server said `LOGINDISABLED` in a CAPABILITY answer on the way.
    pub login_disabled: bool,
}

impl Answer {
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

/// Sends a command made of `segments` (tag included, CRLF at the end of the
/// last) through the client exchange and reads until the tagged answer for
/// `tag`, skipping untagged data. Every segment but the last must end in a
/// synchronizing literal header (`{n}\r\n`): the next one is sent only after
/// the server's `+`, or the server's early tagged answer (a NO to the
/// literal) is returned.
pub(super) async fn command(
    conn: &mut Connection,
    tag: &str,
    segments: &[Vec<u8>],
) -> Result<Answer, ExchangeError> {
    if segments.is_empty() {
        return Err(ExchangeError::Unexpected("empty command".to_string()));
    }
    let slices: Vec<&[u8]> = segments.iter().map(Vec::as_slice).collect();
    let parts: Vec<&[&[u8]]> = slices.chunks(1).collect();
    let mut login_disabled = false;
    let mut watch = |resp: &Response<'_>| {
        let caps = Capabilities::from_response(resp);
        login_disabled |= caps.is_some_and(|c| c.login_disabled);
        Ok::<(), Infallible>(())
    };
    let expect = Expect::tagged(Tag::Text(tag.as_bytes()));
    client::command(conn, &parts, &expect, &mut watch)
        .await
        .map_err(|e| ExchangeError::from_client(e, tag))?;
    let resp = conn.last_response();
    Ok(Answer {
        status: resp.status(),
        text: lossy(resp.text()),
        login_disabled,
    })
}

impl ExchangeError {
    /// The client exchange's failure of command `tag`, in the probe's words.
    fn from_client(e: ClientError<Infallible>, tag: &str) -> ExchangeError {
        match e {
            ClientError::Transport(e) => ExchangeError::Io(e),
            ClientError::Bye(text) => ExchangeError::Bye(lossy(&text)),
            ClientError::WrongTag(got) => ExchangeError::Unexpected(format!(
                "answer with tag `{}` to command `{tag}`",
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

/// `tag VERB arg arg...` as segments for [`command`]: atoms or quoted
/// strings where possible, synchronizing literals for values a quoted string
/// cannot carry (8-bit, CR, LF, NUL).
pub(super) fn segments(tag: &str, verb: &str, args: &[&str]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = CommandBuf::new();
    buf.raw(tag.as_bytes()).sp().atom(verb.as_bytes());
    for arg in args {
        buf.sp();
        if CommandBuf::needs_literal(arg.as_bytes()) {
            buf.literal_header(arg.len(), false);
            out.push(buf.as_bytes().to_vec());
            buf = CommandBuf::new();
            buf.raw(arg.as_bytes());
        } else {
            buf.astring(arg.as_bytes());
        }
    }
    buf.crlf();
    out.push(buf.as_bytes().to_vec());
    out
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
    fn literals_only_where_needed() {
        let segs = segments("z2", "LOGIN", &["user01", "p ss\"w"]);
        assert_eq!(segs, vec![b"z2 LOGIN user01 \"p ss\\\"w\"\r\n".to_vec()]);
        let segs = segments("z2", "LOGIN", &["u", "pä"]);
        assert_eq!(
            segs,
            vec![b"z2 LOGIN u {3}\r\n".to_vec(), "pä\r\n".as_bytes().to_vec()]
        );
    }

    #[test]
    fn lossy_makes_one_line() {
        assert_eq!(lossy(b" a\r\nb\tc \r\n"), "a  b c");
    }
}
