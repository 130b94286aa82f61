//! Connection phases (timed, never drawn from the mix) and the commands valid
//! in any state: CAPABILITY, NOOP, IDLE, LOGOUT.

use super::{keep, need, verb_only, CommandKind, Enc, MailboxState, Spec};

/// Connect, TLS, greeting, STARTTLS, LOGIN, AUTHENTICATE: the session sends
/// these itself (login.rs, open.rs); they are rows, not mix commands.
pub static PHASE: Spec = Spec {
    instead: need::nothing,
    encode: phase,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

fn phase(e: &mut Enc<'_>) {
    unreachable!("{} is a session phase, not a mix command", e.kind)
}

/// CAPABILITY (RFC 3501 6.1.1).
pub static CAPABILITY: Spec = Spec {
    instead: need::nothing,
    encode: verb_only,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

/// NOOP (RFC 3501 6.1.2): a poll.
pub static NOOP: Spec = Spec {
    instead: need::nothing,
    encode: verb_only,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

/// IDLE (RFC 2177); a NOOP poll where the server does not offer it.
pub static IDLE: Spec = Spec {
    instead: idle_offered,
    encode: verb_only,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

fn idle_offered(m: &MailboxState) -> Option<CommandKind> {
    let idle = m.capabilities.as_ref().is_none_or(|c| c.idle);
    (!idle).then_some(CommandKind::Noop)
}

/// LOGOUT (RFC 3501 6.1.3).
pub static LOGOUT: Spec = Spec {
    instead: need::nothing,
    encode: verb_only,
    need: 0,
    on_send: keep,
    on_ok: keep,
};
