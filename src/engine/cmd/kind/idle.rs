//! IDLE until DONE (RFC 2177): waiting for new mail (push).

use crate::command::CommandKind;
use crate::engine::cmd::{keep, need, verb_only, Extension, Spec};
use crate::imap::capability::Atom;

/// Valid in any authenticated state; a NOOP poll where the server does not offer IDLE.
pub static SPEC: Spec = Spec {
    extension: Some(Extension {
        atom: Atom::named("IDLE"),
        otherwise: CommandKind::Noop,
    }),
    instead: need::nothing,
    encode: verb_only,
    need: 0,
    on_send: keep,
    on_ok: keep,
};
