//! LIST "" "*" (RFC 3501 6.3.8): the folder tree; LSUB "" "*" (6.3.9), the
//! subscribed folders older clients ask for, is the same with its own verb.

use crate::engine::cmd::{keep, need, Enc, Spec};

/// Valid in any authenticated state; leaves the selection alone.
pub static SPEC: Spec = Spec {
    extension: None,
    instead: need::nothing,
    encode: every_folder,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

/// `LIST "" "*"` / `LSUB "" "*"`: the verb is the kind's label.
pub(crate) fn every_folder(e: &mut Enc<'_>) {
    e.buf
        .atom(e.kind.label().as_bytes())
        .atom(b" \"\" \"*\"")
        .crlf();
}
