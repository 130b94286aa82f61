//! What the engine knows about each IMAP command it sends, as one [`Spec`]
//! per kind: the capability it needs and what to send without it, its
//! precondition (may it be sent with the mailbox as the session knows it,
//! else what a real client would send first), its encoding, what its answer
//! must hold, and its effect on the session's mailbox state. [`spec`] is the
//! one exhaustive match over [`CommandKind`] (in `kind/mod.rs`, beside one
//! file per command that is more than its verb).

use rand::RngCore;

use crate::command::CommandKind;
use crate::imap::encoder::CommandBuf;

use super::mailbox::MailboxState;
use crate::imap::capability::Atom;

mod kind;

pub use kind::spec;

/// Everything the engine knows about one command kind.
pub struct Spec {
    /// The capability the server must advertise for it, and what to send
    /// where it does not (`None`: every server takes it).
    pub extension: Option<Extension>,
    /// The kind to send instead when this one is not valid now (`None`: send it).
    pub instead: fn(&MailboxState) -> Option<CommandKind>,
    /// Writes the whole command (CRLF included) for the mailbox as it is now.
    pub encode: fn(&mut Enc<'_>),
    /// FETCH item bits (see `validate::scan`) its answer must carry (0: not a FETCH).
    pub need: u8,
    /// State change when the command is sent (before any answer).
    pub on_send: fn(&mut MailboxState),
    /// State change once it completed OK.
    pub on_ok: fn(&mut MailboxState),
}

/// A capability atom a kind needs (RFC 4315's `UIDPLUS`, ...), and the kind
/// a real client sends instead on a server that does not advertise it.
pub struct Extension {
    /// The atom the server's CAPABILITY list must hold.
    pub atom: Atom,
    /// What to send where it is missing (its own precondition then applies).
    pub otherwise: CommandKind,
}

/// Connect, TLS, greeting, STARTTLS, LOGIN, AUTHENTICATE: the session sends
/// these itself (login.rs, open.rs); they are rows, not mix commands.
pub static PHASE: Spec = Spec {
    extension: None,
    instead: need::nothing,
    encode: phase,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

fn phase(e: &mut Enc<'_>) {
    unreachable!("{} is a session phase, not a mix command", e.kind)
}

/// What an encoder may read and where it writes.
pub struct Enc<'a> {
    /// The kind being encoded (families share encoders).
    pub kind: CommandKind,
    /// The mailbox as the session knows it.
    pub mbox: &'a MailboxState,
    /// The session's mailbox name (`INBOX`).
    pub mailbox: &'a str,
    /// The message APPEND sends.
    pub append_msg: &'a [u8],
    /// The server takes non-synchronizing literals.
    pub literal_plus: bool,
    /// Randomness for ranges and variants.
    pub rng: &'a mut dyn RngCore,
    /// The command bytes.
    pub buf: &'a mut CommandBuf,
    /// Set by an encoder that ends in a literal header: the message and
    /// its CRLF follow, sent from where the message lives.
    pub literal: Literal,
}

/// Whether a command ends in a literal (APPEND's message), and when its
/// bytes go: the encoder writes only the header, so the message is never
/// copied into the command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Literal {
    /// No literal: the command line is the whole command.
    None,
    /// A non-synchronizing literal (LITERAL+): sent in the same write.
    WithCommand,
    /// A synchronizing literal: sent after the server's continuation.
    AfterContinue,
}

impl Enc<'_> {
    /// `exists`, at least 1, for message-number ranges.
    pub fn exists(&self) -> u32 {
        self.mbox.exists.max(1)
    }
}

/// A command ready to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encoded {
    /// The kind actually sent (after substitution).
    pub kind: CommandKind,
    /// Its tag number.
    pub tag: u32,
    /// Whether APPEND's message follows, and when.
    pub literal: Literal,
}

/// The kind to send instead of `kind` given the server's capabilities and
/// the mailbox state (itself when valid). Capabilities not known yet count as
/// offered.
pub fn substitute(kind: CommandKind, mbox: &MailboxState) -> CommandKind {
    let kind = match &spec(kind).extension {
        Some(ext)
            if !mbox
                .capabilities
                .as_ref()
                .is_none_or(|c| c.offers(ext.atom)) =>
        {
            ext.otherwise
        }
        Some(_) | None => kind,
    };
    (spec(kind).instead)(mbox).unwrap_or(kind)
}

/// What one command needs to be encoded, beside the buffer and randomness.
pub struct EncodeInput<'a> {
    /// The mailbox as the session knows it.
    pub mbox: &'a MailboxState,
    /// The session's mailbox name.
    pub mailbox: &'a str,
    /// The message APPEND sends.
    pub append_msg: &'a [u8],
    /// The server takes non-synchronizing literals.
    pub literal_plus: bool,
}

/// Writes `kind` (already substituted) into `buf`. APPEND writes the literal
/// header; with LITERAL+ the literal data follows in the same buffer.
pub fn encode(
    kind: CommandKind,
    input: &EncodeInput<'_>,
    rng: &mut impl RngCore,
    buf: &mut CommandBuf,
) -> Encoded {
    let tag = buf.begin();
    let mut enc = Enc {
        kind,
        mbox: input.mbox,
        mailbox: input.mailbox,
        append_msg: input.append_msg,
        literal_plus: input.literal_plus,
        rng,
        buf,
        literal: Literal::None,
    };
    (spec(kind).encode)(&mut enc);
    Encoded {
        kind,
        tag,
        literal: enc.literal,
    }
}

/// Precondition helpers the families share.
pub(crate) mod need {
    use super::{CommandKind, MailboxState};

    /// Always valid.
    pub fn nothing(_: &MailboxState) -> Option<CommandKind> {
        None
    }
    /// A selected mailbox, else SELECT it first.
    pub fn selected(m: &MailboxState) -> Option<CommandKind> {
        (!m.selected).then_some(CommandKind::Select)
    }
    /// A read-write selected mailbox, else SELECT it first.
    pub fn writable(m: &MailboxState) -> Option<CommandKind> {
        (!m.selected || m.read_only).then_some(CommandKind::Select)
    }
    /// A selected mailbox with a message, else SELECT or APPEND first.
    pub fn message(m: &MailboxState) -> Option<CommandKind> {
        selected(m).or_else(|| (m.exists == 0).then_some(CommandKind::Append))
    }
    /// A writable selected mailbox with a message.
    pub fn writable_message(m: &MailboxState) -> Option<CommandKind> {
        writable(m).or_else(|| message(m))
    }
}

/// State effect of a command that changes nothing by itself.
pub(crate) fn keep(_: &mut MailboxState) {}

/// Writes a verb alone (`NOOP`), line end included.
pub(crate) fn verb_only(e: &mut Enc<'_>) {
    e.buf.atom(e.kind.label().as_bytes()).crlf();
}

/// A plain-text message of about `size` bytes for APPEND, made once per session seat.
pub fn synthetic_message(size: usize, seed: u64) -> Vec<u8> {
    let mut m = format!(
        "From: imapload <load@imapload.test>\r\nTo: user <user@imapload.test>\r\n\
         Subject: imapload appended message {seed}\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\n\
         Message-ID: <{seed}@imapload.test>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=us-ascii\r\n\r\n"
    )
    .into_bytes();
    let line = b"The quick brown fox jumps over the lazy dog, again and again.\r\n";
    while m.len() + line.len() <= size {
        m.extend_from_slice(line);
    }
    m.extend_from_slice(b"-- \r\n");
    m
}

#[cfg(test)]
mod tests;
