//! STORE n +FLAGS.SILENT (...): marking messages seen / flagged / deleted.

use rand::Rng;

use crate::engine::cmd::{keep, need, Enc, Spec};

/// Needs a writable selected mailbox with a message.
pub static SPEC: Spec = Spec {
    extension: None,
    instead: need::writable_message,
    encode: store,
    need: 0,
    on_send: keep,
    on_ok: keep,
};

/// The flag changes STORE picks from; UID STORE uses the first three (never \Deleted).
pub(crate) const CHANGES: [&[u8]; 4] = [
    b"+FLAGS.SILENT (\\Flagged)",
    b"-FLAGS.SILENT (\\Flagged)",
    b"+FLAGS.SILENT (\\Seen)",
    b"+FLAGS.SILENT (\\Deleted)",
];

fn store(e: &mut Enc<'_>) {
    let n = e.rng.random_range(1..=e.exists());
    e.buf.atom(b"STORE").sp().number(n as u64).sp();
    let flags = CHANGES[e.rng.random_range(0..CHANGES.len())];
    e.buf.atom(flags).crlf();
}
