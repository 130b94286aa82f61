//! Session-level information a client asks for once it is connected: ID,
//! NAMESPACE.

use super::{keep, need, verb_only, Enc, Spec};

/// ID ("name" "imapload") (RFC 2971): valid in any state.
pub static ID: Spec = Spec {
    instead: need::nothing,
    encode: id,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

fn id(e: &mut Enc<'_>) {
    e.buf.atom(b"ID (\"name\" \"imapload\")").crlf();
}

/// NAMESPACE (RFC 2342): the session is always authenticated when it draws it.
pub static NAMESPACE: Spec = Spec {
    instead: need::nothing,
    encode: verb_only,
    need: 0,
    on_send: keep,
    on_ok: keep,
};
