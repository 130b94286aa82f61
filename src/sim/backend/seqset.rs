//! Sequence sets (`1:*`, `3,5:7`, `*`) resolved against a session's view.
//!
//! Membership is tested per message instead of expanding ranges, so a
//! `1:4294967295` costs no more than `1:*`.

use imap_codec::imap_types::sequence::{SeqOrUid, Sequence, SequenceSet};

/// Inclusive ranges with `*` replaced by `largest`.
pub fn ranges(set: &SequenceSet, largest: u32) -> Vec<(u32, u32)> {
    let val = |s: &SeqOrUid| match s {
        SeqOrUid::Value(v) => v.get(),
        SeqOrUid::Asterisk => largest,
    };
    set.0
        .as_ref()
        .iter()
        .map(|s| match s {
            Sequence::Single(a) => (val(a), val(a)),
            Sequence::Range(a, b) => {
                let (a, b) = (val(a), val(b));
                (a.min(b), a.max(b))
            }
        })
        .collect()
}

/// Whether `n` is in any of `ranges`.
pub fn contains(ranges: &[(u32, u32)], n: u32) -> bool {
    ranges.iter().any(|(a, b)| (*a..=*b).contains(&n))
}

/// The (sequence number, uid) pairs a set names in `view` (the session's
/// UIDs in sequence order). `Err` for a sequence number beyond the view,
/// which RFC 3501 treats as an error (UID sets never are).
pub fn resolve(set: &SequenceSet, view: &[u32], uid: bool) -> Result<Vec<(u32, u32)>, ()> {
    if uid {
        let largest = view.last().copied().unwrap_or(0);
        let r = ranges(set, largest);
        return Ok(view
            .iter()
            .enumerate()
            .filter(|(_, u)| contains(&r, **u))
            .map(|(i, u)| (i as u32 + 1, *u))
            .collect());
    }
    let r = ranges(set, view.len() as u32);
    if r.iter().any(|(_, b)| *b as usize > view.len()) || view.is_empty() {
        return Err(());
    }
    Ok(view
        .iter()
        .enumerate()
        .filter(|(i, _)| contains(&r, *i as u32 + 1))
        .map(|(i, u)| (i as u32 + 1, *u))
        .collect())
}

/// Formats UIDs compactly as a set (`1:3,7`), for COPYUID.
pub fn format_uids(uids: &[u32]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < uids.len() {
        let start = uids[i];
        let mut end = start;
        while i + 1 < uids.len() && uids[i + 1] == end + 1 {
            i += 1;
            end += 1;
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use imap_codec::imap_types::sequence::SequenceSet;

    fn set(s: &str) -> SequenceSet {
        SequenceSet::try_from(s).unwrap()
    }

    #[test]
    fn resolves_sets() {
        let view = [10, 11, 12, 15, 20, 21, 22];
        let seqs = |s, uid| {
            resolve(&set(s), &view, uid)
                .unwrap()
                .iter()
                .map(|x| x.0)
                .collect::<Vec<_>>()
        };
        assert_eq!(seqs("1:*", false), vec![1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(seqs("3,5:6", false), vec![3, 5, 6]);
        assert_eq!(seqs("*", false), vec![7]);
        assert_eq!(seqs("12:15", true), vec![3, 4]);
        assert_eq!(seqs("*:21", true), vec![6, 7]);
        assert!(resolve(&set("9"), &view, false).is_err());
        assert_eq!(format_uids(&[1, 2, 3, 7, 9, 10]), "1:3,7,9:10");
    }
}
