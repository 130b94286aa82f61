//! Flags on the wire: the flag lists FETCH, STORE and SELECT answers carry,
//! and the store's flag bits of a client's list (APPEND, STORE).

use imap_codec::imap_types::flag::Flag;

use crate::sim::store::flags;

/// `(\Seen \Answered ...)` for a flag byte.
pub(super) fn flag_list(f: u8) -> String {
    let mut out = Vec::with_capacity(32);
    write_flags(&mut out, f);
    String::from_utf8(out).unwrap_or_default()
}

/// Appends a flag list `(\Seen \Flagged)` to `out` without allocating:
/// FETCH answers write one per message.
pub(super) fn write_flags(out: &mut Vec<u8>, f: u8) {
    out.push(b'(');
    let mut first = true;
    for (bit, name) in flags::NAMES {
        if f & bit != 0 {
            if !first {
                out.push(b' ');
            }
            first = false;
            out.extend_from_slice(name.as_bytes());
        }
    }
    if f & flags::RECENT != 0 {
        if !first {
            out.push(b' ');
        }
        out.extend_from_slice(b"\\Recent");
    }
    out.push(b')');
}

/// The bits of the system flags in `list` (keywords are not kept).
pub(super) fn flag_bits(list: &[Flag]) -> u8 {
    list.iter()
        .map(|f| match f {
            Flag::Seen => flags::SEEN,
            Flag::Answered => flags::ANSWERED,
            Flag::Flagged => flags::FLAGGED,
            Flag::Deleted => flags::DELETED,
            Flag::Draft => flags::DRAFT,
            _ => 0,
        })
        .fold(0, |a, b| a | b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_lists() {
        assert_eq!(flag_list(flags::SEEN | flags::DRAFT), "(\\Seen \\Draft)");
        assert_eq!(flag_list(0), "()");
    }
}
