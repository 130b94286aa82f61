//! GETQUOTAROOT mailbox (RFC 9208 4.3.2): a client showing how full the
//! account is (the quota roots of its mailbox and their usage).

use crate::command::CommandKind;
use crate::engine::cmd::{keep, need, Enc, Extension, Spec};
use crate::imap::capability::Atom;

/// Of the session's mailbox, in any authenticated state; a NOOP where the
/// server does not advertise QUOTA.
pub static SPEC: Spec = Spec {
    extension: Some(Extension {
        atom: Atom::named("QUOTA"),
        otherwise: CommandKind::Noop,
    }),
    instead: need::nothing,
    encode: getquotaroot,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

fn getquotaroot(e: &mut Enc<'_>) {
    e.buf
        .atom(b"GETQUOTAROOT")
        .sp()
        .astring(e.mailbox.as_bytes())
        .crlf();
}
