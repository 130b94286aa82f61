//! LIST "" "*" RETURN (SPECIAL-USE) (RFC 6154 5.1, in RFC 5258's extended
//! LIST syntax): the folder tree with each folder's role, which iOS Mail
//! sends after login and Thunderbird sends for folder discovery.

use crate::command::CommandKind;
use crate::engine::cmd::{keep, need, Enc, Extension, Spec};
use crate::imap::capability::Atom;

/// Valid in any authenticated state and leaves the selection alone; a plain
/// LIST where the server does not advertise SPECIAL-USE.
pub static SPEC: Spec = Spec {
    extension: Some(Extension {
        atom: Atom::named("SPECIAL-USE"),
        otherwise: CommandKind::List,
    }),
    instead: need::nothing,
    encode: list_special_use,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

fn list_special_use(e: &mut Enc<'_>) {
    e.buf.atom(b"LIST \"\" \"*\" RETURN (SPECIAL-USE)").crlf();
}
