//! Which row a (non-UID) FETCH is timed on, by what it asks for: a part of
//! a body (`<partial>`), a whole body or body part, headers or envelopes,
//! else flags. The one rule the embedded server (items decoded by
//! imap-codec) and the replay (items as a client logged them) both apply,
//! over a plain description of the items each side builds from its own form.

use super::CommandKind;

/// The section of a `BODY[...]` / `BODY.PEEK[...]` item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// `BODY[]`: the whole message.
    Whole,
    /// `BODY[TEXT]`, `BODY[1.TEXT]`: a text without its header.
    Text,
    /// `BODY[1]`, `BODY[2.1]`: a MIME part by number.
    Part,
    /// `BODY[HEADER]`, `BODY[HEADER.FIELDS (...)]`, `BODY[1.MIME]`: headers.
    Header,
}

/// One FETCH item, as far as the row is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchItem {
    /// `BODY[section]` or `BODY.PEEK[section]`, with `<o.n>` when `partial`.
    Section {
        /// What the brackets name.
        section: Section,
        /// A `<offset.length>` follows.
        partial: bool,
    },
    /// `RFC822`: the whole message.
    Rfc822,
    /// `RFC822.TEXT`.
    Rfc822Text,
    /// `RFC822.HEADER`.
    Rfc822Header,
    /// `ENVELOPE`.
    Envelope,
    /// `BODY` (the structure without extensions).
    Body,
    /// `BODYSTRUCTURE`.
    BodyStructure,
    /// Anything else: UID, FLAGS, sizes, dates, vendor items.
    Other,
}

/// A FETCH macro (RFC 3501 6.4.5), which stands for a list of items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Macro {
    /// `FAST`: FLAGS INTERNALDATE RFC822.SIZE.
    Fast,
    /// `ALL`: FAST plus ENVELOPE.
    All,
    /// `FULL`: ALL plus BODY.
    Full,
}

impl Macro {
    /// The items the macro stands for, as far as the row is concerned.
    pub fn items(self) -> &'static [FetchItem] {
        match self {
            Macro::Fast => &[FetchItem::Other],
            Macro::All => &[FetchItem::Other, FetchItem::Envelope],
            Macro::Full => &[FetchItem::Other, FetchItem::Envelope, FetchItem::Body],
        }
    }
}

/// The row of a FETCH asking for `items`: FETCH_PARTIAL if any item is a
/// partial body, else FETCH_BODY if any is a body or body part, else
/// FETCH_HEADERS if any is header data, else FETCH_FLAGS.
pub fn kind_of(items: impl IntoIterator<Item = FetchItem>) -> CommandKind {
    use CommandKind as K;
    let rank = |k: CommandKind| match k {
        K::FetchPartial => 3,
        K::FetchBody => 2,
        K::FetchHeaders => 1,
        _ => 0,
    };
    items
        .into_iter()
        .map(|item| match item {
            FetchItem::Section { partial: true, .. } => K::FetchPartial,
            FetchItem::Section {
                section: Section::Whole | Section::Text | Section::Part,
                ..
            }
            | FetchItem::Rfc822
            | FetchItem::Rfc822Text => K::FetchBody,
            FetchItem::Section { .. }
            | FetchItem::Rfc822Header
            | FetchItem::Envelope
            | FetchItem::Body
            | FetchItem::BodyStructure => K::FetchHeaders,
            FetchItem::Other => K::FetchFlags,
        })
        .max_by_key(|k| rank(*k))
        .unwrap_or(K::FetchFlags)
}

/// The items of FETCH arguments as a client sent them (`1:5 (UID
/// BODY.PEEK[HEADER.FIELDS (FROM)])`, `7 RFC822`, `1:* ALL`), any case;
/// modifiers after the item list (`(CHANGEDSINCE 5)`) are not items.
pub fn parse(args: &str) -> Vec<FetchItem> {
    let args = args.trim_start();
    let after_set = args.split_once(' ').map_or("", |(_, rest)| rest);
    let first = top_level(after_set.trim_start()).next().unwrap_or("");
    let list = match first.strip_prefix('(') {
        Some(inner) => inner.strip_suffix(')').unwrap_or(inner),
        None => first,
    };
    let mut items = Vec::new();
    for word in top_level(list) {
        let upper = word.to_ascii_uppercase();
        match upper.as_str() {
            "FAST" => items.extend_from_slice(Macro::Fast.items()),
            "ALL" => items.extend_from_slice(Macro::All.items()),
            "FULL" => items.extend_from_slice(Macro::Full.items()),
            _ => items.push(item(&upper)),
        }
    }
    items
}

/// The words of `text` split at spaces outside brackets and parentheses.
fn top_level(text: &str) -> impl Iterator<Item = &str> {
    let mut depth = 0i32;
    text.split(move |c: char| {
        match c {
            '(' | '[' | '<' => depth += 1,
            ')' | ']' | '>' => depth -= 1,
            _ => {}
        }
        c == ' ' && depth <= 0
    })
    .filter(|w| !w.is_empty())
}

/// One upper-cased item word.
fn item(word: &str) -> FetchItem {
    let section = word
        .strip_prefix("BODY.PEEK[")
        .or_else(|| word.strip_prefix("BODY["));
    if let Some(rest) = section {
        let (inside, after) = rest.split_once(']').unwrap_or((rest, ""));
        return FetchItem::Section {
            section: section_of(inside),
            partial: after.starts_with('<'),
        };
    }
    match word {
        "RFC822" => FetchItem::Rfc822,
        "RFC822.TEXT" => FetchItem::Rfc822Text,
        "RFC822.HEADER" => FetchItem::Rfc822Header,
        "ENVELOPE" => FetchItem::Envelope,
        "BODY" => FetchItem::Body,
        "BODYSTRUCTURE" => FetchItem::BodyStructure,
        _ => FetchItem::Other,
    }
}

/// What is between the brackets: a part number, then TEXT, HEADER... or nothing.
fn section_of(inside: &str) -> Section {
    let name = inside.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    match name {
        "" if inside.is_empty() => Section::Whole,
        "" => Section::Part,
        "TEXT" => Section::Text,
        _ => Section::Header,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CommandKind as K;

    fn kind(args: &str) -> CommandKind {
        kind_of(parse(args))
    }

    #[test]
    fn items_as_clients_send_them() {
        assert_eq!(kind("1:* (FLAGS)"), K::FetchFlags);
        assert_eq!(kind("1:* (UID RFC822.SIZE FLAGS)"), K::FetchFlags);
        assert_eq!(kind("1:* FAST"), K::FetchFlags);
        assert_eq!(kind("1:* all"), K::FetchHeaders);
        assert_eq!(
            kind("5 (BODY.PEEK[HEADER.FIELDS (FROM TO)])"),
            K::FetchHeaders
        );
        assert_eq!(kind("5 (UID ENVELOPE)"), K::FetchHeaders);
        assert_eq!(kind("5 RFC822"), K::FetchBody);
        assert_eq!(kind("5 (BODY.PEEK[2])"), K::FetchBody);
        assert_eq!(kind("5 body[1.text]"), K::FetchBody);
        assert_eq!(kind("5 BODY[]"), K::FetchBody);
        assert_eq!(kind("5 BODY.PEEK[]<0.1024>"), K::FetchPartial);
        assert_eq!(
            kind("5 (BODY.PEEK[HEADER.FIELDS (A B)] BODY.PEEK[TEXT]<0.200>)"),
            K::FetchPartial
        );
        assert_eq!(kind("1:* (FLAGS) (CHANGEDSINCE 5)"), K::FetchFlags);
        // The strongest item decides, wherever it stands in the list.
        assert_eq!(
            kind("5 (BODY.PEEK[]<0.100> BODY[1] ENVELOPE)"),
            K::FetchPartial
        );
        assert_eq!(kind("5 (BODY[1] ENVELOPE FLAGS)"), K::FetchBody);
        assert_eq!(kind("5 (ENVELOPE FLAGS)"), K::FetchHeaders);
    }

    #[test]
    fn bad_input_is_flags() {
        for args in ["", "5", "5 (", "5 BODY[", "é (BODY[)", "5 ((((]]"] {
            let _ = kind(args);
        }
        assert_eq!(kind("5"), K::FetchFlags);
    }
}
