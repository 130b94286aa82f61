//! LIST reference pattern (RFC 3501 6.3.8): the fixed folders, with their
//! special-use attributes, and the account's scratch folders; LSUB (6.3.9)
//! answers the same, since every folder counts as subscribed, and so does
//! LIST ... RETURN (SPECIAL-USE) (RFC 6154), since the answer always carries
//! the special-use attributes.

use imap_codec::decode::Decoder;
use imap_codec::imap_types::command::{Command, CommandBody};
use imap_codec::imap_types::mailbox::{ListMailbox, Mailbox};
use imap_codec::CommandCodec;

use crate::sim::backend::session::{mailbox_name, Next, Session};
use crate::sim::store::FOLDERS;

/// LIST or LSUB (`verb`): the folders the pattern matches.
pub(super) fn handle(
    s: &mut Session,
    tag: &str,
    verb: &str,
    reference: &Mailbox<'_>,
    wildcard: &ListMailbox<'_>,
) -> Next {
    let pattern = list_pattern(wildcard);
    answer(s, tag, verb, &mailbox_name(reference), &pattern);
    Next::Continue
}

/// The return options [`special_use`] answers, as the command line ends.
const SPECIAL_USE_RETURN: &[u8] = b" RETURN (SPECIAL-USE)";

/// `raw`'s command line without a final `RETURN (SPECIAL-USE)`, for
/// imap-codec 1.0 to decode (it does not know RFC 5258's return options);
/// `None` when the line does not end so.
pub(super) fn without_special_use_return(raw: &[u8]) -> Option<Vec<u8>> {
    let end = memchr::memchr2(b'\r', b'\n', raw).unwrap_or(raw.len());
    let cut = end.checked_sub(SPECIAL_USE_RETURN.len())?;
    let line = &raw[..end];
    if !line[cut..].eq_ignore_ascii_case(SPECIAL_USE_RETURN) {
        return None;
    }
    let mut plain = line[..cut].to_vec();
    plain.extend_from_slice(b"\r\n");
    Some(plain)
}

/// LIST reference pattern RETURN (SPECIAL-USE), given the line without its
/// return options: the LIST answer.
pub(super) fn special_use(s: &mut Session, tag: &str, plain: &[u8]) -> Next {
    match CommandCodec::new().decode(plain) {
        Ok((
            &[],
            Command {
                body:
                    CommandBody::List {
                        reference,
                        mailbox_wildcard,
                    },
                ..
            },
        )) => handle(s, tag, "LIST", &reference, &mailbox_wildcard),
        _ => s.bad(tag, "Invalid LIST command"),
    }
}

/// A LIST pattern as bytes.
fn list_pattern(p: &ListMailbox) -> Vec<u8> {
    match p {
        ListMailbox::Token(t) => t.as_ref().to_vec(),
        ListMailbox::String(s) => s.as_ref().to_vec(),
    }
}

/// The `* LIST` / `* LSUB` lines for `reference` + `pattern`, then OK.
fn answer(s: &mut Session, tag: &str, verb: &str, reference: &str, pattern: &[u8]) {
    if pattern.is_empty() {
        s.line(format!("* {verb} (\\Noselect) \"/\" \"\""));
    } else {
        let mut full = reference.as_bytes().to_vec();
        full.extend_from_slice(pattern);
        for (name, _) in FOLDERS {
            let matched = if name == "INBOX" {
                wildcard(&full.to_ascii_uppercase(), b"INBOX")
            } else {
                wildcard(&full, name.as_bytes())
            };
            if matched {
                let special = match name {
                    "Sent" => " \\Sent",
                    "Drafts" => " \\Drafts",
                    "Archive" => " \\Archive",
                    "Trash" => " \\Trash",
                    _ => "",
                };
                s.line(format!("* {verb} (\\HasNoChildren{special}) \"/\" {name}"));
            }
        }
        scratch(s, verb, &full);
    }
    s.line(format!("{tag} OK {verb} completed"));
}

/// Lists the scratch folders `pattern` (reference and pattern joined) matches.
fn scratch(s: &mut Session, verb: &str, pattern: &[u8]) {
    let Some(account) = s.account() else {
        return;
    };
    for name in account.scratch_names() {
        if wildcard(pattern, name.as_bytes()) {
            s.line(format!("* {verb} (\\HasNoChildren) \"/\" {name}"));
        }
    }
}

/// LIST pattern match: `*` and `%` match any run of characters (the folder
/// set is flat, so the two only differ in hierarchy we do not have).
fn wildcard(pattern: &[u8], name: &[u8]) -> bool {
    // Dynamic programming over name prefixes: linear in the pattern, so a
    // hostile pattern of thousands of `*` costs nothing.
    let mut reach = vec![false; name.len() + 1];
    reach[0] = true;
    for &p in pattern {
        if p == b'*' || p == b'%' {
            for i in 1..=name.len() {
                reach[i] |= reach[i - 1];
            }
        } else {
            for i in (1..=name.len()).rev() {
                reach[i] = reach[i - 1] && name[i - 1] == p;
            }
            reach[0] = false;
        }
    }
    reach[name.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard(b"*", b"Sent"));
        assert!(wildcard(b"%", b"INBOX"));
        assert!(wildcard(b"S*t", b"Sent"));
        assert!(!wildcard(b"Dr", b"Drafts"));
    }

    #[test]
    fn special_use_return_is_cut_off_for_decoding() {
        let plain = |raw: &[u8]| without_special_use_return(raw).map(|p| p.to_vec());
        assert_eq!(
            plain(b"a1 LIST \"\" \"*\" RETURN (SPECIAL-USE)\r\n").as_deref(),
            Some(&b"a1 LIST \"\" \"*\"\r\n"[..])
        );
        assert!(plain(b"a1 list \"\" * return (special-use)\r\n").is_some());
        assert_eq!(plain(b"a1 LIST \"\" \"*\"\r\n"), None);
        assert_eq!(plain(b"a1 LIST \"\" \"*\" RETURN (CHILDREN)\r\n"), None);
        assert_eq!(plain(b"LIST"), None);
    }
}
