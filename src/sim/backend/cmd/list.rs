//! LIST reference pattern (RFC 3501 6.3.8): the fixed folders, with their
//! special-use attributes, and the account's scratch folders; LSUB (6.3.9)
//! answers the same, since every folder counts as subscribed, and so does
//! LIST-EXTENDED (RFC 5258) with its selection and return options, e.g.
//! `LIST (SUBSCRIBED) "" "*" RETURN (SPECIAL-USE)` (RFC 6154), since the
//! answer always carries the special-use attributes (and `\Subscribed` when
//! SUBSCRIBED is asked for).

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

/// A LIST-EXTENDED (RFC 5258) command as imap-codec 1.0 cannot decode it:
/// the plain LIST it stands for and what its options ask for.
pub(super) struct Extended {
    /// The command line without selection and return options.
    pub plain: Vec<u8>,
    /// `SUBSCRIBED` was a selection or return option: `\Subscribed` is
    /// added (every folder is subscribed here).
    pub subscribed: bool,
    /// `RETURN (SPECIAL-USE)` (RFC 6154), timed on its own row.
    pub special_use: bool,
}

/// `raw` as a LIST-EXTENDED command: `LIST [(selection)] reference pattern
/// [RETURN (options)]`, `None` when it has neither option list.
pub(super) fn extended(raw: &[u8]) -> Option<Extended> {
    let end = memchr::memchr2(b'\r', b'\n', raw).unwrap_or(raw.len());
    let line = std::str::from_utf8(&raw[..end]).ok()?;
    let (tag, rest) = line.split_once(' ')?;
    let (verb, mut args) = rest.split_once(' ')?;
    let mut options = String::new();
    if let Some(sel) = args.strip_prefix('(') {
        let (inside, after) = sel.split_once(") ")?;
        options.push_str(inside);
        args = after;
    }
    let upper = args.to_ascii_uppercase();
    if let Some(at) = upper.rfind(" RETURN (") {
        let inside = upper[at + " RETURN (".len()..].strip_suffix(')')?;
        options.push(' ');
        options.push_str(inside);
        args = &args[..at];
    } else if options.is_empty() {
        return None;
    }
    let options = options.to_ascii_uppercase();
    let has = |o: &str| options.split([' ', '(', ')']).any(|w| w == o);
    Some(Extended {
        plain: format!("{tag} {verb} {args}\r\n").into_bytes(),
        subscribed: has("SUBSCRIBED"),
        special_use: has("SPECIAL-USE"),
    })
}

/// A LIST-EXTENDED command, given as [`extended`] took it apart: the LIST
/// answer, with `\Subscribed` when asked for.
pub(super) fn list_extended(s: &mut Session, tag: &str, list: &Extended) -> Next {
    match CommandCodec::new().decode(&list.plain) {
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
        )) => {
            let verb = if list.subscribed { "LIST+" } else { "LIST" };
            handle(s, tag, verb, &reference, &mailbox_wildcard)
        }
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

/// The `* LIST` / `* LSUB` lines for `reference` + `pattern`, then OK
/// (`LIST+`: LIST with `\Subscribed` on every folder).
fn answer(s: &mut Session, tag: &str, verb: &str, reference: &str, pattern: &[u8]) {
    let (verb, sub) = match verb {
        "LIST+" => ("LIST", " \\Subscribed"),
        _ => (verb, ""),
    };
    if pattern.is_empty() {
        s.line(format!("* {verb} (\\Noselect) \"/\" \"\""));
    } else {
        let mut full = reference.as_bytes().to_vec();
        full.extend_from_slice(pattern);
        // The account's own folders (a mail set's tree, or the fixed set).
        let folders: Vec<(String, String)> = match s.account() {
            Some(account) => (account.folders.iter())
                .map(|f| {
                    (
                        f.name.clone(),
                        f.special_use
                            .clone()
                            .unwrap_or_else(|| role(&f.name).to_string()),
                    )
                })
                .collect(),
            None => FOLDERS
                .iter()
                .map(|(n, _)| (n.to_string(), role(n).to_string()))
                .collect(),
        };
        for (name, special) in &folders {
            let matched = if name == "INBOX" {
                wildcard(&full.to_ascii_uppercase(), b"INBOX")
            } else {
                wildcard(&full, name.as_bytes())
            };
            if matched {
                let prefix = format!("{name}/");
                let children = match folders.iter().any(|(n, _)| n.starts_with(&prefix)) {
                    true => "\\HasChildren",
                    false => "\\HasNoChildren",
                };
                let special = if special.is_empty() {
                    String::new()
                } else {
                    format!(" {special}")
                };
                s.line(format!("* {verb} ({children}{sub}{special}) \"/\" {name}"));
            }
        }
        scratch(s, verb, sub, &full);
    }
    s.line(format!("{tag} OK {verb} completed"));
}

/// Lists the scratch folders `pattern` (reference and pattern joined) matches.
fn scratch(s: &mut Session, verb: &str, sub: &str, pattern: &[u8]) {
    let Some(account) = s.account() else {
        return;
    };
    for name in account.scratch_names() {
        if wildcard(pattern, name.as_bytes()) {
            s.line(format!("* {verb} (\\HasNoChildren{sub}) \"/\" {name}"));
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

/// The special-use attribute of a folder of the fixed set, by its name.
fn role(name: &str) -> &'static str {
    match name {
        "Sent" => "\\Sent",
        "Drafts" => "\\Drafts",
        "Archive" => "\\Archive",
        "Trash" => "\\Trash",
        "Junk" => "\\Junk",
        _ => "",
    }
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
    fn list_extended_options_are_cut_off_for_decoding() {
        let ext = |raw: &[u8]| extended(raw).map(|e| (e.plain, e.subscribed, e.special_use));
        assert_eq!(
            ext(b"a1 LIST \"\" \"*\" RETURN (SPECIAL-USE)\r\n"),
            Some((b"a1 LIST \"\" \"*\"\r\n".to_vec(), false, true))
        );
        assert_eq!(
            ext(b"a1 list (subscribed) \"\" * return (special-use)\r\n"),
            Some((b"a1 list \"\" *\r\n".to_vec(), true, true))
        );
        assert_eq!(
            ext(b"a1 LIST \"\" \"*\" RETURN (CHILDREN)\r\n"),
            Some((b"a1 LIST \"\" \"*\"\r\n".to_vec(), false, false))
        );
        assert_eq!(ext(b"a1 LIST \"\" \"*\"\r\n"), None);
        assert_eq!(ext(b"LIST"), None);
    }
}
