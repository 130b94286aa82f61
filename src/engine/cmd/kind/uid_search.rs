//! UID SEARCH: the same searches, answered with UIDs.

use super::search::criteria;
use crate::engine::cmd::{keep, need, Enc, Spec};

/// Needs a selected mailbox.
pub static SPEC: Spec = Spec {
    extension: None,
    instead: need::selected,
    encode: uid_search,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

fn uid_search(e: &mut Enc<'_>) {
    e.buf.atom(b"UID SEARCH");
    criteria(e);
}
