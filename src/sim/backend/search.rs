//! SEARCH and UID SEARCH over the selected mailbox.
//!
//! Header keys (FROM, TO, SUBJECT, HEADER) look at the header block only,
//! which for synthetic messages is regenerated cheaply without the body;
//! TEXT and BODY render the whole message.

use imap_codec::imap_types::datetime::NaiveDate;
use imap_codec::imap_types::search::SearchKey;

use super::seqset::{contains, ranges};
use super::session::{InMailbox, Next};
use crate::sim::message::days_from_civil;
use crate::sim::store::{flags, header_len, Message, Store};

/// Day number since 1970-01-01 of an IMAP date. chrono is not a direct
/// dependency, so the date is read through its ISO `Display` form.
fn day(d: &NaiveDate) -> i64 {
    let s = d.as_ref().to_string();
    let mut it = s.splitn(3, '-');
    let y = it.next().and_then(|v| v.parse().ok()).unwrap_or(1970);
    let m = it.next().and_then(|v| v.parse().ok()).unwrap_or(1);
    let d = it.next().and_then(|v| v.parse().ok()).unwrap_or(1);
    days_from_civil(y, m, d)
}

fn has(hay: &[u8], needle: &[u8]) -> bool {
    let hay = hay.to_ascii_lowercase();
    memchr::memmem::find(&hay, &needle.to_ascii_lowercase()).is_some()
}

struct Ctx<'a> {
    store: &'a Store,
    user: &'a str,
    seq: u32,
    m: &'a Message,
    largest_seq: u32,
    largest_uid: u32,
    header: Option<Vec<u8>>,
    bytes: Option<std::sync::Arc<[u8]>>,
}

impl Ctx<'_> {
    fn header(&mut self) -> &[u8] {
        if self.header.is_none() {
            self.header = Some(self.store.header(self.user, self.m));
        }
        self.header.as_deref().unwrap_or_default()
    }
    fn bytes(&mut self) -> &[u8] {
        if self.bytes.is_none() {
            self.bytes = Some(self.store.bytes(self.user, self.m));
        }
        self.bytes.as_deref().unwrap_or_default()
    }
    /// Header field value match: `name:` lines containing `needle`.
    fn field_has(&mut self, name: &[u8], needle: &[u8]) -> bool {
        let header = self.header().to_vec();
        header.split(|b| *b == b'\n').any(|line| {
            line.len() > name.len()
                && line[..name.len()].eq_ignore_ascii_case(name)
                && line[name.len()] == b':'
                && has(&line[name.len() + 1..], needle)
        })
    }

    fn eval(&mut self, key: &SearchKey) -> bool {
        let f = self.m.flags;
        match key {
            SearchKey::And(keys) => keys.as_ref().iter().all(|k| self.eval(k)),
            SearchKey::Or(a, b) => self.eval(a) || self.eval(b),
            SearchKey::Not(k) => !self.eval(k),
            SearchKey::All => true,
            SearchKey::SequenceSet(s) => contains(&ranges(s, self.largest_seq), self.seq),
            SearchKey::Uid(s) => contains(&ranges(s, self.largest_uid), self.m.uid),
            SearchKey::Answered => f & flags::ANSWERED != 0,
            SearchKey::Unanswered => f & flags::ANSWERED == 0,
            SearchKey::Deleted => f & flags::DELETED != 0,
            SearchKey::Undeleted => f & flags::DELETED == 0,
            SearchKey::Draft => f & flags::DRAFT != 0,
            SearchKey::Undraft => f & flags::DRAFT == 0,
            SearchKey::Flagged => f & flags::FLAGGED != 0,
            SearchKey::Unflagged => f & flags::FLAGGED == 0,
            SearchKey::Seen => f & flags::SEEN != 0,
            SearchKey::Unseen => f & flags::SEEN == 0,
            SearchKey::Recent => f & flags::RECENT != 0,
            SearchKey::Old => f & flags::RECENT == 0,
            SearchKey::New => f & flags::RECENT != 0 && f & flags::SEEN == 0,
            SearchKey::Keyword(_) => false,
            SearchKey::Unkeyword(_) => true,
            SearchKey::Larger(n) => self.m.size > *n,
            SearchKey::Smaller(n) => self.m.size < *n,
            // Sent dates are approximated by the internal date (they are
            // equal for synthetic messages).
            SearchKey::Since(d) | SearchKey::SentSince(d) => {
                self.m.date.div_euclid(86_400) >= day(d)
            }
            SearchKey::Before(d) | SearchKey::SentBefore(d) => {
                self.m.date.div_euclid(86_400) < day(d)
            }
            SearchKey::On(d) | SearchKey::SentOn(d) => self.m.date.div_euclid(86_400) == day(d),
            SearchKey::From(s) => self.field_has(b"from", s.as_ref()),
            SearchKey::To(s) => self.field_has(b"to", s.as_ref()),
            SearchKey::Cc(s) => self.field_has(b"cc", s.as_ref()),
            SearchKey::Bcc(s) => self.field_has(b"bcc", s.as_ref()),
            SearchKey::Subject(s) => self.field_has(b"subject", s.as_ref()),
            SearchKey::Header(name, s) => self.field_has(name.as_ref(), s.as_ref()),
            SearchKey::Text(s) => has(self.bytes(), s.as_ref()),
            SearchKey::Body(s) => {
                let b = self.bytes();
                let body = b[header_len(b)..].to_vec();
                has(&body, s.as_ref())
            }
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }
}

impl InMailbox<'_> {
    /// SEARCH / UID SEARCH: `* SEARCH n...`, then OK.
    pub(super) fn search(&mut self, tag: &str, key: &SearchKey, uid: bool) -> Next {
        self.sync(false);
        let sel = &*self.sel;
        let msgs: Vec<(u32, Message)> = {
            let mb = sel.folder.lock();
            sel.view
                .iter()
                .enumerate()
                .filter_map(|(i, u)| {
                    mb.position(*u)
                        .map(|p| (i as u32 + 1, mb.messages[p].clone()))
                })
                .collect()
        };
        let largest_uid = sel.view.last().copied().unwrap_or(0);
        let largest_seq = sel.view.len() as u32;
        let user = sel.account.user.clone();
        let mut hits = String::from("* SEARCH");
        for (seq, m) in &msgs {
            let mut ctx = Ctx {
                store: &self.be.store,
                user: &user,
                seq: *seq,
                m,
                largest_seq,
                largest_uid,
                header: None,
                bytes: None,
            };
            if ctx.eval(key) {
                hits.push(' ');
                hits.push_str(&if uid { m.uid } else { *seq }.to_string());
            }
        }
        self.line(hits);
        self.line(format!(
            "{tag} OK {}SEARCH completed",
            if uid { "UID " } else { "" }
        ));
        Next::Continue
    }
}
