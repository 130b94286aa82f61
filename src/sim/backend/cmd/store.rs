//! STORE and UID STORE (RFC 3501 6.4.6): flag changes, answered with the
//! new flags unless `.SILENT`.

use imap_codec::imap_types::flag::{Flag, StoreResponse, StoreType};
use imap_codec::imap_types::sequence::SequenceSet;

use crate::sim::backend::flags::{flag_bits, flag_list};
use crate::sim::backend::seqset::resolve;
use crate::sim::backend::session::{InMailbox, Next};
use crate::sim::store::flags;

/// Changes the flags (\Recent kept); NO on a read-only mailbox.
pub(super) fn handle(
    s: &mut InMailbox<'_>,
    tag: &str,
    sequence_set: &SequenceSet,
    kind: &StoreType,
    response: &StoreResponse,
    list: &[Flag<'_>],
    uid: bool,
) -> Next {
    s.sync(false);
    let sel = &*s.sel;
    if sel.read_only {
        s.line(format!("{tag} NO [READ-ONLY] Mailbox is read-only"));
        return Next::Continue;
    }
    let Ok(targets) = resolve(sequence_set, &sel.view, uid) else {
        return s.bad(tag, "Invalid message sequence number");
    };
    let bits = flag_bits(list);
    let mut lines = Vec::new();
    let known = {
        let mut mb = sel.folder.lock();
        // This session's own changes are not pushed back to it later.
        let up_to_date = mb.highest_modseq == sel.known_modseq;
        for (seq, u) in targets {
            let Some(i) = mb.position(u) else { continue };
            let old = mb.messages[i].flags;
            let new = match kind {
                StoreType::Replace => bits | (old & flags::RECENT),
                StoreType::Add => old | bits,
                StoreType::Remove => old & !bits,
            };
            mb.set_flags(i, new);
            if matches!(response, StoreResponse::Answer) {
                let uid_part = if uid {
                    format!("UID {u} ")
                } else {
                    String::new()
                };
                let m = &mb.messages[i];
                let modseq = if sel.condstore {
                    format!(" MODSEQ ({})", m.modseq)
                } else {
                    String::new()
                };
                lines.push(format!(
                    "* {seq} FETCH ({uid_part}FLAGS {}{modseq})",
                    flag_list(m.flags)
                ));
            }
        }
        up_to_date.then_some(mb.highest_modseq)
    };
    sel.folder.touch();
    s.sel.known_modseq = known.unwrap_or(s.sel.known_modseq);
    for l in lines {
        s.line(l);
    }
    s.line(format!("{tag} OK STORE completed"));
    Next::Continue
}
