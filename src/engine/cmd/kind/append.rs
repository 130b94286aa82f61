//! APPEND mailbox (\Seen) {n} (RFC 3501 6.3.11): saving a sent message or draft.
//! Its new state arrives as EXISTS and `[APPENDUID]`, which the mailbox state
//! folds in itself.

use crate::engine::cmd::{keep, need, Enc, Literal, Spec};

/// Valid in any authenticated state; LITERAL+ when offered, else a
/// synchronizing literal sent after the server's continuation. Only the
/// header is encoded: the message goes out from the run's one copy.
pub static SPEC: Spec = Spec {
    extension: None,
    instead: need::nothing,
    encode: append,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

fn append(e: &mut Enc<'_>) {
    e.buf
        .atom(b"APPEND")
        .sp()
        .astring(e.mailbox.as_bytes())
        .atom(b" (\\Seen) ");
    e.buf.literal_header(e.append_msg.len(), e.literal_plus);
    e.literal = match e.literal_plus {
        true => Literal::WithCommand,
        false => Literal::AfterContinue,
    };
}
