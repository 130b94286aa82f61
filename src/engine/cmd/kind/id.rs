//! ID (RFC 2971): client and server identify themselves.

use crate::engine::cmd::{keep, need, Enc, Spec};

/// `ID ("name" "imapload")`: valid in any state.
pub static SPEC: Spec = Spec {
    extension: None,
    instead: need::nothing,
    encode: id,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

fn id(e: &mut Enc<'_>) {
    e.buf.atom(b"ID (\"name\" \"imapload\")").crlf();
}
