//! FETCH and UID FETCH: item selection, body sections and partials,
//! ENVELOPE / BODYSTRUCTURE built from the (generated or stored) header.

use imap_codec::imap_types::fetch::{
    Macro, MacroOrMessageDataItemNames, MessageDataItemName, Section,
};
use imap_codec::imap_types::sequence::SequenceSet;

use std::io::Write as _;

use super::envelope::{body_structure, envelope, header_fields, literal};
use super::flags::write_flags;
use super::seqset::resolve;
use super::session::{InMailbox, Next};
use crate::command::fetch_items::{self, FetchItem};
use crate::command::CommandKind;
use crate::sim::message::internal_date;
use crate::sim::store::{flags, header_len, Message, Store};

/// The timing row of a FETCH: UID FETCH, else by its items (see
/// [`fetch_items::kind_of`]).
pub(super) fn row(items: &MacroOrMessageDataItemNames, uid: bool) -> CommandKind {
    if uid {
        return CommandKind::UidFetch;
    }
    match items {
        MacroOrMessageDataItemNames::Macro(m) => {
            fetch_items::kind_of(plain_macro(m).items().iter().copied())
        }
        MacroOrMessageDataItemNames::MessageDataItemNames(v) => {
            fetch_items::kind_of(v.iter().map(plain))
        }
    }
}

fn plain_macro(m: &Macro) -> fetch_items::Macro {
    match m {
        Macro::Fast => fetch_items::Macro::Fast,
        Macro::All => fetch_items::Macro::All,
        Macro::Full => fetch_items::Macro::Full,
        // A macro imap-codec learns later stands for more than FAST.
        _ => fetch_items::Macro::All,
    }
}

/// One decoded item as the row rule describes items.
fn plain(item: &MessageDataItemName) -> FetchItem {
    use fetch_items::Section as S;
    use MessageDataItemName as I;
    match item {
        I::BodyExt {
            section, partial, ..
        } => FetchItem::Section {
            section: match section {
                None => S::Whole,
                Some(Section::Text(_)) => S::Text,
                Some(Section::Part(_)) => S::Part,
                Some(_) => S::Header,
            },
            partial: partial.is_some(),
        },
        I::Rfc822 => FetchItem::Rfc822,
        I::Rfc822Text => FetchItem::Rfc822Text,
        I::Rfc822Header => FetchItem::Rfc822Header,
        I::Envelope => FetchItem::Envelope,
        I::Body => FetchItem::Body,
        I::BodyStructure => FetchItem::BodyStructure,
        _ => FetchItem::Other,
    }
}

/// The items a FETCH asks for, macros expanded, UID first for UID FETCH.
fn wanted<'a>(items: &MacroOrMessageDataItemNames<'a>, uid: bool) -> Vec<MessageDataItemName<'a>> {
    use MessageDataItemName as I;
    let mut items = match items {
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
        MacroOrMessageDataItemNames::MessageDataItemNames(v) => v.clone(),
        #[allow(unreachable_patterns)]
        _ => vec![I::Flags],
    };
    if uid && !items.iter().any(|i| matches!(i, I::Uid)) {
        items.insert(0, I::Uid);
    }
    items
}

/// What answering the items takes, decided once per FETCH.
struct Work {
    /// A non-PEEK body item on a writable mailbox sets \Seen.
    sets_seen: bool,
    /// Some item needs the message's bytes, not only its header.
    needs_bytes: bool,
    /// Some item needs the header: flags, UIDs, sizes and dates do not, so
    /// the message list's FETCH (the most frequent command) synthesizes none.
    needs_header: bool,
    /// `MODSEQ` was asked for (RFC 7162; imap-codec does not decode it, so
    /// it is not among the items).
    modseq: bool,
    /// `BODY.PEEK[]` stands for `RFC822.PEEK`, answered as `RFC822`.
    rfc822_peek: bool,
}

impl Work {
    fn of(items: &[MessageDataItemName], read_only: bool) -> Work {
        use MessageDataItemName as I;
        Work {
            sets_seen: !read_only
                && items.iter().any(|i| {
                    matches!(
                        i,
                        I::BodyExt { peek: false, .. } | I::Rfc822 | I::Rfc822Text
                    )
                }),
            needs_bytes: items.iter().any(|i| {
                matches!(
                    i,
                    I::BodyExt {
                        section: None | Some(Section::Text(_) | Section::Part(_)),
                        ..
                    } | I::Rfc822
                        | I::Rfc822Text
                        | I::Body
                        | I::BodyStructure
                )
            }),
            needs_header: items
                .iter()
                .any(|i| !matches!(i, I::Uid | I::Flags | I::Rfc822Size | I::InternalDate)),
            modseq: false,
            rfc822_peek: false,
        }
    }
}

/// One message to answer for.
struct Fetched {
    seq: u32,
    message: Message,
    /// This FETCH just set \Seen (so FLAGS go with the answer).
    seen_changed: bool,
}

impl InMailbox<'_> {
    /// FETCH / UID FETCH of `set`: one `* n FETCH (...)` line per message.
    pub(super) fn fetch(
        &mut self,
        tag: &str,
        set: &SequenceSet,
        items: &MacroOrMessageDataItemNames,
        uid: bool,
    ) -> Next {
        self.sync(false);
        let items = wanted(items, uid);
        let Ok(targets) = resolve(set, &self.sel.view, uid) else {
            return self.bad(tag, "Invalid message sequence number");
        };
        let mut work = Work::of(&items, self.sel.read_only);
        work.modseq = self.modifiers.fetch_modseq;
        work.rfc822_peek = self.modifiers.rfc822_peek;
        let changed_since = self.modifiers.changed_since.unwrap_or(0);
        let folder = self.sel.folder.clone();
        let user = self.sel.account.user.clone();
        let (fetched, known): (Vec<Fetched>, _) = {
            let mut mb = folder.lock();
            let up_to_date = mb.highest_modseq == self.sel.known_modseq;
            let fetched = targets
                .iter()
                .filter_map(|(seq, u)| {
                    let i = mb.position(*u)?;
                    if mb.messages[i].modseq <= changed_since {
                        return None;
                    }
                    let seen = mb.messages[i].flags | flags::SEEN;
                    let seen_changed = work.sets_seen && mb.set_flags(i, seen);
                    Some(Fetched {
                        seq: *seq,
                        message: mb.messages[i].clone(),
                        seen_changed,
                    })
                })
                .collect();
            (fetched, up_to_date.then_some(mb.highest_modseq))
        };
        self.sel.known_modseq = known.unwrap_or(self.sel.known_modseq);
        if work.sets_seen {
            folder.touch();
        }
        for f in fetched {
            message_line(self.out, &self.be.store, &user, &items, &work, f);
        }
        let verb = if uid { "UID FETCH" } else { "FETCH" };
        self.line(format!("{tag} OK {verb} completed"));
        Next::Continue
    }
}

/// `* n FETCH (...)` for one message.
fn message_line(
    out: &mut Vec<u8>,
    store: &Store,
    user: &str,
    items: &[MessageDataItemName],
    work: &Work,
    f: Fetched,
) {
    let m = &f.message;
    let bytes = work.needs_bytes.then(|| store.bytes(user, m));
    let header: Vec<u8> = match &bytes {
        _ if !work.needs_header => Vec::new(),
        Some(b) => b[..header_len(b)].to_vec(),
        None => store.header(user, m),
    };
    let _ = write!(out, "* {} FETCH (", f.seq);
    let mut flags_sent = false;
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        let data = MessageData {
            m,
            header: &header,
            bytes: bytes.as_deref(),
        };
        if work.rfc822_peek && is_whole_peek(item) {
            out.extend_from_slice(b"RFC822 ");
            literal(out, data.all());
            continue;
        }
        flags_sent |= render_item(out, item, &data);
    }
    if f.seen_changed && !flags_sent {
        out.extend_from_slice(b" FLAGS ");
        write_flags(out, m.flags);
    }
    if work.modseq {
        let _ = write!(out, " MODSEQ ({})", m.modseq);
    }
    out.extend_from_slice(b")\r\n");
}

/// `BODY.PEEK[]` (no section, no partial).
fn is_whole_peek(item: &MessageDataItemName) -> bool {
    matches!(
        item,
        MessageDataItemName::BodyExt {
            section: None,
            partial: None,
            peek: true
        }
    )
}

/// What an item is rendered from.
struct MessageData<'a> {
    m: &'a Message,
    header: &'a [u8],
    /// The whole message, when some item needs it.
    bytes: Option<&'a [u8]>,
}

impl MessageData<'_> {
    fn all(&self) -> &[u8] {
        self.bytes.unwrap_or_default()
    }

    fn text(&self) -> &[u8] {
        let all = self.all();
        &all[self.header.len().min(all.len())..]
    }
}

/// Writes one item; `true` if it was FLAGS.
fn render_item(out: &mut Vec<u8>, item: &MessageDataItemName, d: &MessageData) -> bool {
    use MessageDataItemName as I;
    match item {
        I::Uid => {
            let _ = write!(out, "UID {}", d.m.uid);
        }
        I::Flags => {
            out.extend_from_slice(b"FLAGS ");
            write_flags(out, d.m.flags);
            return true;
        }
        I::Rfc822Size => {
            let _ = write!(out, "RFC822.SIZE {}", d.m.size);
        }
        I::InternalDate => {
            let _ = write!(out, "INTERNALDATE \"{}\"", internal_date(d.m.date));
        }
        I::Envelope => envelope(out, d.header),
        I::Body => {
            out.extend_from_slice(b"BODY ");
            body_structure(out, d.all(), false);
        }
        I::BodyStructure => {
            out.extend_from_slice(b"BODYSTRUCTURE ");
            body_structure(out, d.all(), true);
        }
        I::Rfc822 => {
            out.extend_from_slice(b"RFC822 ");
            literal(out, d.all());
        }
        I::Rfc822Header => {
            out.extend_from_slice(b"RFC822.HEADER ");
            literal(out, d.header);
        }
        I::Rfc822Text => {
            out.extend_from_slice(b"RFC822.TEXT ");
            literal(out, d.text());
        }
        I::BodyExt {
            section, partial, ..
        } => {
            let part = section_data(section.as_ref(), d);
            match partial {
                Some((origin, len)) => {
                    let start = (*origin as usize).min(part.data.len());
                    let end = start
                        .saturating_add(len.get() as usize)
                        .min(part.data.len());
                    out.extend_from_slice(format!("BODY[{}]<{origin}> ", part.name).as_bytes());
                    literal(out, &part.data[start..end]);
                }
                None => {
                    out.extend_from_slice(format!("BODY[{}] ", part.name).as_bytes());
                    literal(out, &part.data);
                }
            }
        }
    }
    false
}

/// A body section's name in the answer and its bytes.
struct SectionData {
    name: String,
    data: Vec<u8>,
}

fn section_data(section: Option<&Section>, d: &MessageData) -> SectionData {
    let (name, data): (String, Vec<u8>) = match section {
        None => (String::new(), d.all().to_vec()),
        Some(Section::Header(None)) => ("HEADER".into(), d.header.to_vec()),
        Some(Section::Text(None)) => ("TEXT".into(), d.text().to_vec()),
        Some(Section::Part(p)) if p.0.as_ref().len() == 1 && p.0.as_ref()[0].get() == 1 => {
            ("1".into(), d.text().to_vec())
        }
        Some(Section::HeaderFields(None, names)) | Some(Section::HeaderFieldsNot(None, names)) => {
            let names: Vec<Vec<u8>> = names.as_ref().iter().map(|n| n.as_ref().to_vec()).collect();
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
            (name, header_fields(d.header, &names, not))
        }
        Some(other) => (section_label(other), Vec::new()),
    };
    SectionData { name, data }
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
