//! FETCH and UID FETCH: item selection, body sections and partials,
//! ENVELOPE / BODYSTRUCTURE built from the (generated or stored) header.

use imap_codec::imap_types::fetch::{
    Macro, MacroOrMessageDataItemNames, MessageDataItemName, Section,
};
use imap_codec::imap_types::sequence::SequenceSet;

use std::io::Write as _;

use super::commands::write_flags;
use super::envelope::{body_structure, envelope, header_fields, literal};
use super::seqset::resolve;
use super::session::{Session, State};
use crate::command::CommandKind;
use crate::sim::message::internal_date;
use crate::sim::store::{flags, header_len, Message};

/// The timing row of a (non-UID) FETCH: whole bodies, partials, headers, or flags.
pub(super) fn kind_of_items(items: &MacroOrMessageDataItemNames) -> CommandKind {
    let items = match items {
        MacroOrMessageDataItemNames::Macro(Macro::Fast) => return CommandKind::FetchFlags,
        MacroOrMessageDataItemNames::Macro(_) => return CommandKind::FetchHeaders,
        MacroOrMessageDataItemNames::MessageDataItemNames(v) => v,
    };
    let mut kind = CommandKind::FetchFlags;
    for item in items {
        let k = match item {
            MessageDataItemName::BodyExt {
                partial: Some(_), ..
            } => CommandKind::FetchPartial,
            MessageDataItemName::BodyExt {
                section: None | Some(Section::Text(_) | Section::Part(_)),
                ..
            }
            | MessageDataItemName::Rfc822
            | MessageDataItemName::Rfc822Text => CommandKind::FetchBody,
            MessageDataItemName::BodyExt { .. }
            | MessageDataItemName::Rfc822Header
            | MessageDataItemName::Envelope
            | MessageDataItemName::Body
            | MessageDataItemName::BodyStructure => CommandKind::FetchHeaders,
            _ => CommandKind::FetchFlags,
        };
        kind = match (kind, k) {
            (CommandKind::FetchPartial, _) | (_, CommandKind::FetchPartial) => {
                CommandKind::FetchPartial
            }
            (CommandKind::FetchBody, _) | (_, CommandKind::FetchBody) => CommandKind::FetchBody,
            (CommandKind::FetchHeaders, _) | (_, CommandKind::FetchHeaders) => {
                CommandKind::FetchHeaders
            }
            _ => CommandKind::FetchFlags,
        };
    }
    kind
}

fn expand(items: MacroOrMessageDataItemNames) -> Vec<MessageDataItemName> {
    use MessageDataItemName as I;
    match items {
        MacroOrMessageDataItemNames::Macro(Macro::Fast) => {
            vec![I::Flags, I::InternalDate, I::Rfc822Size]
        }
        MacroOrMessageDataItemNames::Macro(Macro::All) => {
            vec![I::Flags, I::InternalDate, I::Rfc822Size, I::Envelope]
        }
        MacroOrMessageDataItemNames::Macro(Macro::Full) => {
            vec![
                I::Flags,
                I::InternalDate,
                I::Rfc822Size,
                I::Envelope,
                I::Body,
            ]
        }
        MacroOrMessageDataItemNames::MessageDataItemNames(v) => v,
        #[allow(unreachable_patterns)]
        _ => vec![I::Flags],
    }
}

impl Session {
    pub(super) fn fetch(
        &mut self,
        tag: &str,
        set: &SequenceSet,
        items: MacroOrMessageDataItemNames,
        uid: bool,
    ) {
        self.sync(false);
        let mut items = expand(items);
        if uid && !items.iter().any(|i| matches!(i, MessageDataItemName::Uid)) {
            items.insert(0, MessageDataItemName::Uid);
        }
        let State::Selected(sel) = &self.state else {
            return;
        };
        let Ok(targets) = resolve(set, &sel.view, uid) else {
            self.bad(tag, "Invalid message sequence number");
            return;
        };
        let sets_seen = !sel.read_only
            && items.iter().any(|i| {
                matches!(
                    i,
                    MessageDataItemName::BodyExt { peek: false, .. }
                        | MessageDataItemName::Rfc822
                        | MessageDataItemName::Rfc822Text
                )
            });
        let needs_bytes = items.iter().any(|i| {
            matches!(
                i,
                MessageDataItemName::BodyExt {
                    section: None | Some(Section::Text(_) | Section::Part(_)),
                    ..
                } | MessageDataItemName::Rfc822
                    | MessageDataItemName::Rfc822Text
                    | MessageDataItemName::Body
                    | MessageDataItemName::BodyStructure
            )
        });
        let folder = sel.folder.clone();
        let user = sel.account.user.clone();
        // (sequence number, message, whether this FETCH just set \Seen)
        let msgs: Vec<(u32, Message, bool)> = {
            let mut mb = folder.lock();
            targets
                .iter()
                .filter_map(|(seq, u)| {
                    let i = mb.position(*u)?;
                    let m = &mut mb.messages[i];
                    let before = m.flags;
                    if sets_seen {
                        m.flags |= flags::SEEN;
                    }
                    Some((*seq, m.clone(), before != m.flags))
                })
                .collect()
        };
        if sets_seen {
            folder.touch();
        }
        // Flags, UIDs, sizes and dates need no header: the message list's
        // FETCH (the most frequent command) must not synthesize one per message.
        let needs_header = items.iter().any(|i| {
            !matches!(
                i,
                MessageDataItemName::Uid
                    | MessageDataItemName::Flags
                    | MessageDataItemName::Rfc822Size
                    | MessageDataItemName::InternalDate
            )
        });
        let store = &self.be.store;
        let mut out = std::mem::take(&mut self.out);
        for (seq, m, seen_changed) in msgs {
            let bytes = needs_bytes.then(|| store.bytes(&user, &m));
            let header: Vec<u8> = match &bytes {
                _ if !needs_header => Vec::new(),
                Some(b) => b[..header_len(b)].to_vec(),
                None => store.header(&user, &m),
            };
            let _ = write!(out, "* {seq} FETCH (");
            let mut first = true;
            let mut flags_sent = false;
            for item in &items {
                if !first {
                    out.push(b' ');
                }
                first = false;
                render_item(
                    &mut out,
                    item,
                    &m,
                    &header,
                    bytes.as_deref(),
                    &mut flags_sent,
                );
            }
            if seen_changed && !flags_sent {
                out.extend_from_slice(b" FLAGS ");
                write_flags(&mut out, m.flags);
            }
            out.extend_from_slice(b")\r\n");
        }
        self.out = out;
        self.line(format!(
            "{tag} OK {}FETCH completed",
            if uid { "UID " } else { "" }
        ));
    }
}

fn render_item(
    out: &mut Vec<u8>,
    item: &MessageDataItemName,
    m: &Message,
    header: &[u8],
    bytes: Option<&[u8]>,
    flags_sent: &mut bool,
) {
    use MessageDataItemName as I;
    let all = || bytes.unwrap_or_default();
    match item {
        I::Uid => {
            let _ = write!(out, "UID {}", m.uid);
        }
        I::Flags => {
            *flags_sent = true;
            out.extend_from_slice(b"FLAGS ");
            write_flags(out, m.flags);
        }
        I::Rfc822Size => {
            let _ = write!(out, "RFC822.SIZE {}", m.size);
        }
        I::InternalDate => {
            let _ = write!(out, "INTERNALDATE \"{}\"", internal_date(m.date));
        }
        I::Envelope => envelope(out, header),
        I::Body => {
            out.extend_from_slice(b"BODY ");
            body_structure(out, all(), false);
        }
        I::BodyStructure => {
            out.extend_from_slice(b"BODYSTRUCTURE ");
            body_structure(out, all(), true);
        }
        I::Rfc822 => {
            out.extend_from_slice(b"RFC822 ");
            literal(out, all());
        }
        I::Rfc822Header => {
            out.extend_from_slice(b"RFC822.HEADER ");
            literal(out, header);
        }
        I::Rfc822Text => {
            out.extend_from_slice(b"RFC822.TEXT ");
            literal(out, &all()[header.len().min(all().len())..]);
        }
        I::BodyExt {
            section, partial, ..
        } => {
            let (name, data): (String, Vec<u8>) = match section {
                None => (String::new(), all().to_vec()),
                Some(Section::Header(None)) => ("HEADER".into(), header.to_vec()),
                Some(Section::Text(None)) => (
                    "TEXT".into(),
                    all()[header.len().min(all().len())..].to_vec(),
                ),
                Some(Section::Part(p)) if p.0.as_ref().len() == 1 && p.0.as_ref()[0].get() == 1 => {
                    ("1".into(), all()[header.len().min(all().len())..].to_vec())
                }
                Some(Section::HeaderFields(None, names))
                | Some(Section::HeaderFieldsNot(None, names)) => {
                    let names: Vec<Vec<u8>> =
                        names.as_ref().iter().map(|n| n.as_ref().to_vec()).collect();
                    let not = matches!(section, Some(Section::HeaderFieldsNot(..)));
                    let label = names
                        .iter()
                        .map(|n| String::from_utf8_lossy(n).to_uppercase())
                        .collect::<Vec<_>>();
                    let name = format!(
                        "HEADER.FIELDS{} ({})",
                        if not { ".NOT" } else { "" },
                        label.join(" ")
                    );
                    (name, header_fields(header, &names, not))
                }
                Some(other) => (section_label(other), Vec::new()),
            };
            match partial {
                Some((origin, len)) => {
                    let start = (*origin as usize).min(data.len());
                    let end = start.saturating_add(len.get() as usize).min(data.len());
                    out.extend_from_slice(format!("BODY[{name}]<{origin}> ").as_bytes());
                    literal(out, &data[start..end]);
                }
                None => {
                    out.extend_from_slice(format!("BODY[{name}] ").as_bytes());
                    literal(out, &data);
                }
            }
        }
    }
}

/// A best-effort label for sections of parts we do not have (we only have
/// one text part); the data returned for them is empty.
fn section_label(s: &Section) -> String {
    let part = |p: &imap_codec::imap_types::fetch::Part| {
        p.0.as_ref()
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(".")
    };
    match s {
        Section::Part(p) => part(p),
        Section::Header(Some(p)) => format!("{}.HEADER", part(p)),
        Section::Text(Some(p)) => format!("{}.TEXT", part(p)),
        Section::Mime(p) => format!("{}.MIME", part(p)),
        _ => String::new(),
    }
}
