//! Why a command failed, in words: every failure carries its [`ErrorReason`]
//! and a short message (the server's NO text, the OS's or rustls's error, what
//! a timeout waited for), so the results can show the cause and not only a
//! count. Successes never build one; a failure's message is usually a static
//! string and allocates only when it quotes the server or the OS.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use crate::command::CommandKind;
use crate::imap::conn::ImapError;
use crate::plan::format_duration;
use crate::results::ErrorReason;

/// Characters of a server's text kept in a message.
const MESSAGE_CHARS: usize = 200;

/// What `aborted` failures say.
pub const ABORTED: &str = "still in flight at the end of the grace period";

/// What the LOGINDISABLED refusal says: the password was never sent.
pub const LOGIN_DISABLED: &str = "server advertises LOGINDISABLED on a plain connection; \
     password not sent (use imap://...?starttls or imaps://)";

/// One command's failure: the reason it is counted under and a short message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandError {
    /// The counter it goes to.
    pub reason: ErrorReason,
    /// What went wrong, in words (never a command line, so never a password).
    pub message: Cow<'static, str>,
}

impl CommandError {
    /// A failure with a fixed or built message.
    pub fn new(reason: ErrorReason, message: impl Into<Cow<'static, str>>) -> Self {
        CommandError {
            reason,
            message: message.into(),
        }
    }

    /// The run's hard stop came while the command was in flight.
    pub fn aborted() -> Self {
        Self::new(ErrorReason::Aborted, ABORTED)
    }

    /// Nothing within `limit`; `what` says what was waited for ("no answer").
    pub fn timeout(what: &str, limit: Duration) -> Self {
        let message = format!("{what} within {}", format_duration(limit));
        Self::new(ErrorReason::Timeout, message)
    }

    /// A transport failure: its reason and the OS's, framer's or rustls's words.
    pub fn transport(e: &ImapError) -> Self {
        match e {
            ImapError::Frame(f) => Self::new(ErrorReason::Protocol, f.to_string()),
            ImapError::Tls(m) => Self::new(ErrorReason::Tls, m.clone()),
            ImapError::Io(io) => Self::new(ErrorReason::Disconnect, io.to_string()),
            ImapError::Closed => Self::new(ErrorReason::Disconnect, "server closed the connection"),
        }
    }

    /// A server's answer (NO, BAD, BYE): its text after the status word,
    /// trimmed and cut, prefixed with `prefix` (for BYE, which is otherwise
    /// indistinguishable from a closed connection).
    pub fn answer(reason: ErrorReason, prefix: &str, text: &[u8]) -> Self {
        let text = String::from_utf8_lossy(text);
        let text = text.trim();
        let mut message = String::with_capacity(prefix.len() + text.len().min(MESSAGE_CHARS + 4));
        message.push_str(prefix);
        match text.char_indices().nth(MESSAGE_CHARS) {
            Some((cut, _)) => {
                message.push_str(&text[..cut]);
                message.push_str("...");
            }
            None if text.is_empty() => message.push_str("(no text)"),
            None => message.push_str(text),
        }
        Self::new(reason, message)
    }
}

/// A failed command of a session: which command, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedCommand {
    /// The command (or connection phase) that failed.
    pub kind: CommandKind,
    /// Its reason and message.
    pub error: CommandError,
}

impl fmt::Display for FailedCommand {
    /// `CONNECT connect: Connection refused (os error 111)`, as protocol logs show it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.kind,
            self.error.reason.label(),
            self.error.message
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_trimmed_cut_and_never_empty() {
        let e = CommandError::answer(ErrorReason::No, "", b" [AUTHENTICATIONFAILED] no \r");
        assert_eq!(e.message, "[AUTHENTICATIONFAILED] no");
        let long = "é".repeat(300);
        let e = CommandError::answer(ErrorReason::Bad, "", long.as_bytes());
        assert_eq!(e.message.chars().count(), MESSAGE_CHARS + 3);
        let e = CommandError::answer(ErrorReason::Disconnect, "BYE ", b"");
        assert_eq!(e.message, "BYE (no text)");
        let t = CommandError::timeout("no answer", Duration::from_secs(30));
        assert_eq!(t.message, "no answer within 30s");
        let f = FailedCommand {
            kind: CommandKind::Connect,
            error: CommandError::new(ErrorReason::Connect, "Connection refused (os error 111)"),
        };
        assert_eq!(
            f.to_string(),
            "CONNECT connect: Connection refused (os error 111)"
        );
    }
}
