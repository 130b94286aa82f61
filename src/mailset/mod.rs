//! A realistic mail set, the same bytes every time: the folder tree with
//! its special-use folders, how many messages each folder holds, their sizes
//! (a lognormal with a stated median, spread and cap), threads (a share of
//! replies carrying `In-Reply-To` and `References`) and flags. Everything is
//! derived from (seed, user, folder, n), so `imapload populate` on a real
//! server and the embedded back ends hold the same messages, and a rerun
//! knows which messages are already there by counting them.
//!
//! Message `n` of a folder (0-based) is its `n`-th oldest; a folder holding
//! `k` messages holds messages `0..k`.
//!
//! The default figures and their sources:
//! - **Sizes**: lognormal, median 24 KiB, sigma 1.5, capped at 4 MiB, at
//!   least 1 KiB. With sigma 1.5 the mean is the median times e^(1.5²/2) ≈ 3.08,
//!   about 75 KB: the average message size Microsoft's Exchange Server
//!   sizing guidance assumes ("Exchange Server role requirements
//!   calculator", average message size 75 KB). A lognormal is the shape
//!   measured for e-mail sizes (heavy right tail, most messages small).
//! - **Counts**: 60 messages per user (half in INBOX), so 500 users are
//!   30,000 messages, about 2 GB: enough to be realistic in shape, small
//!   enough to populate in minutes on a test machine. Real mailboxes hold
//!   thousands; raise the counts for capacity work.
//! - **Threads**: 30% of the messages after the first of a folder reply to
//!   an earlier one of the same folder.
//! - **Flags**: 80% \Seen (the newest three INBOX messages stay unseen),
//!   5% \Flagged, 15% of the seen ones \Answered; Sent is all \Seen, Drafts
//!   all \Draft.

mod render;

pub mod lmtp;

#[cfg(test)]
mod tests;

/// One folder of the set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderSpec {
    /// Its name, `/` between levels (`Projects/2026`); INBOX is `INBOX`.
    pub name: String,
    /// Its RFC 6154 special-use attribute (`\Sent`), if it has one.
    pub special_use: Option<String>,
    /// How many messages it holds.
    pub messages: u32,
}

impl FolderSpec {
    /// A folder of `messages` messages, with `special_use` if not empty.
    pub fn new(name: &str, special_use: &str, messages: u32) -> FolderSpec {
        FolderSpec {
            name: name.to_string(),
            special_use: (!special_use.is_empty()).then(|| special_use.to_string()),
            messages,
        }
    }

    /// Whether this is INBOX.
    pub fn is_inbox(&self) -> bool {
        self.name.eq_ignore_ascii_case("INBOX")
    }
}

/// The system flags a message is stored with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags {
    /// `\Seen`.
    pub seen: bool,
    /// `\Answered`.
    pub answered: bool,
    /// `\Flagged`.
    pub flagged: bool,
    /// `\Draft`.
    pub draft: bool,
}

impl Flags {
    /// The IMAP flag names, space-separated (`\Seen \Flagged`), in this order:
    /// \Seen \Answered \Flagged \Draft.
    pub fn names(&self) -> String {
        let all = [
            (self.seen, "\\Seen"),
            (self.answered, "\\Answered"),
            (self.flagged, "\\Flagged"),
            (self.draft, "\\Draft"),
        ];
        let set: Vec<&str> = all.iter().filter(|(on, _)| *on).map(|(_, n)| *n).collect();
        set.join(" ")
    }
}

/// The mail set: what every user's mailbox holds. Fill the fields or take
/// [`MailSet::default`] (its figures and their sources are in the module doc).
#[derive(Debug, Clone, PartialEq)]
pub struct MailSet {
    /// Seed every draw derives from; another seed is another (equally shaped) set.
    pub seed: u64,
    /// The folders, parents before their children.
    pub folders: Vec<FolderSpec>,
    /// Median message size, bytes.
    pub size_median: u32,
    /// Sigma of the size's natural logarithm.
    pub size_sigma: f64,
    /// No message is larger than this, bytes.
    pub size_cap: u32,
    /// No message is smaller than this, bytes (nor than its header).
    pub size_min: u32,
    /// Share (0..1) of a folder's messages (after its first) that reply to an earlier one.
    pub reply_share: f64,
    /// Share (0..1) of messages that are \Seen.
    pub seen_share: f64,
    /// Share (0..1) of messages that are \Flagged.
    pub flagged_share: f64,
    /// Share (0..1) of seen messages that are \Answered.
    pub answered_share: f64,
    /// Mail domain of the users and of the Message-IDs.
    pub domain: String,
    /// Date of the newest message of each folder (Unix seconds); older ones
    /// are spread out before it.
    pub newest: i64,
}

impl Default for MailSet {
    fn default() -> Self {
        MailSet {
            seed: 1,
            folders: vec![
                FolderSpec::new("INBOX", "", 30),
                FolderSpec::new("Sent", "\\Sent", 10),
                FolderSpec::new("Drafts", "\\Drafts", 2),
                FolderSpec::new("Trash", "\\Trash", 3),
                FolderSpec::new("Junk", "\\Junk", 3),
                FolderSpec::new("Archive", "\\Archive", 6),
                FolderSpec::new("Projects", "", 0),
                FolderSpec::new("Projects/2026", "", 4),
                FolderSpec::new("Projects/Clients", "", 2),
            ],
            size_median: 24 * 1024,
            size_sigma: 1.5,
            size_cap: 4 * 1024 * 1024,
            size_min: 1024,
            reply_share: 0.3,
            seen_share: 0.8,
            flagged_share: 0.05,
            answered_share: 0.15,
            domain: "imapload.test".to_string(),
            // 2026-01-05 09:00:00 UTC.
            newest: 1_767_603_600,
        }
    }
}

/// A 64-bit mix (splitmix64's finaliser): independent streams from a key.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a of a string.
fn hash_str(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

/// A uniform draw in (0, 1] from 53 bits of `r`.
fn unit(r: u64) -> f64 {
    ((r >> 11) + 1) as f64 / (1u64 << 53) as f64
}

/// Which independent draw of a message a stream is for.
#[derive(Clone, Copy)]
enum Draw {
    Size = 1,
    SizeAngle,
    Reply,
    Parent,
    Seen,
    Flagged,
    Answered,
    Date,
    Text,
}

impl MailSet {
    /// The random stream of one draw of message `n` of `folder` for `user`.
    fn stream(&self, user: &str, folder: usize, n: u32, draw: Draw) -> u64 {
        let key = mix(self.seed ^ mix(hash_str(user)));
        mix(key ^ mix(((folder as u64) << 40) ^ ((draw as u64) << 32) ^ n as u64))
    }

    /// Whether the settings make a mail set: at most 255 folders with
    /// distinct, non-empty names of printable ASCII other than `"` and `\\`
    /// (parents before children), shares within 0..=1, a positive median, a
    /// finite non-negative sigma and `size_min <= size_cap`. The error is a
    /// sentence for an input error (the caller names the file and key).
    pub fn check(&self) -> Result<(), String> {
        if self.folders.is_empty() || self.folders.len() > 255 {
            return Err(format!("{} folders; give 1 to 255", self.folders.len()));
        }
        let mut seen = std::collections::HashSet::new();
        for f in &self.folders {
            let printable = f
                .name
                .bytes()
                .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\');
            if f.name.is_empty() || !printable || f.name.starts_with('/') || f.name.ends_with('/') {
                return Err(format!("folder name {:?}: use printable ASCII without quotes or backslashes, levels split by /", f.name));
            }
            if !seen.insert(f.name.to_ascii_uppercase()) {
                return Err(format!("folder {:?} is listed twice", f.name));
            }
        }
        let shares = [
            ("reply_share", self.reply_share),
            ("seen_share", self.seen_share),
            ("flagged_share", self.flagged_share),
            ("answered_share", self.answered_share),
        ];
        if let Some((name, v)) = shares.iter().find(|(_, v)| !(0.0..=1.0).contains(v)) {
            return Err(format!("{name} = {v}; a share is 0 to 1"));
        }
        if self.size_median == 0 || !self.size_sigma.is_finite() || self.size_sigma < 0.0 {
            return Err("sizes need a median over 0 and a finite sigma of 0 or more".to_string());
        }
        if self.size_min > self.size_cap {
            return Err(format!(
                "size_min {} is over size_cap {}",
                self.size_min, self.size_cap
            ));
        }
        Ok(())
    }

    /// How many messages every user holds, all folders.
    pub fn messages_per_user(&self) -> u64 {
        self.folders.iter().map(|f| f.messages as u64).sum()
    }

    /// The size message `n` of `folder` is drawn to have, before the floor
    /// its header sets: lognormal (Box-Muller), clamped to `size_min..=size_cap`.
    pub fn drawn_size(&self, user: &str, folder: usize, n: u32) -> usize {
        let u1 = unit(self.stream(user, folder, n, Draw::Size));
        let u2 = unit(self.stream(user, folder, n, Draw::SizeAngle));
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        let size = self.size_median as f64 * (self.size_sigma * z).exp();
        let (min, cap) = (self.size_min.min(self.size_cap), self.size_cap);
        size.clamp(min as f64, cap as f64) as usize
    }

    /// The earlier message of the same folder that message `n` replies to, if it is a reply.
    pub fn parent(&self, user: &str, folder: usize, n: u32) -> Option<u32> {
        if n == 0 || unit(self.stream(user, folder, n, Draw::Reply)) > self.reply_share {
            return None;
        }
        // Replies mostly follow recent messages: the parent is one of the last 8.
        let back = 1 + (self.stream(user, folder, n, Draw::Parent) % 8) as u32;
        Some(n.saturating_sub(back))
    }

    /// The flags message `n` of `folder` is stored with.
    pub fn flags(&self, user: &str, folder: usize, n: u32) -> Flags {
        let spec = &self.folders[folder];
        let special = spec.special_use.as_deref().unwrap_or("");
        let newest_inbox = spec.is_inbox() && n + 3 >= spec.messages;
        let share = |draw, p: f64| unit(self.stream(user, folder, n, draw)) <= p;
        let seen = special == "\\Sent" || (!newest_inbox && share(Draw::Seen, self.seen_share));
        Flags {
            seen,
            answered: seen && special != "\\Sent" && share(Draw::Answered, self.answered_share),
            flagged: share(Draw::Flagged, self.flagged_share),
            draft: special == "\\Drafts",
        }
    }

    /// The date of message `n` of `folder` (Unix seconds): the folder's
    /// newest is `newest`, older ones about 6 hours apart.
    pub fn date(&self, user: &str, folder: usize, n: u32) -> i64 {
        let count = self.folders[folder].messages.max(n + 1);
        let jitter = (self.stream(user, folder, n, Draw::Date) % 7_200) as i64;
        self.newest - (count - 1 - n) as i64 * 21_600 - jitter
    }

    /// The INTERNALDATE to APPEND message `n` with (`05-Jan-2026 09:00:00 +0000`).
    pub fn internal_date(&self, user: &str, folder: usize, n: u32) -> String {
        render::format_date(self.date(user, folder, n), "%d-%b-%Y %H:%M:%S +0000")
    }

    /// The Message-ID of message `n` of `folder` for `user`, with its angle
    /// brackets; unique per (seed, user, folder, n).
    pub fn message_id(&self, user: &str, folder: usize, n: u32) -> String {
        let local: String = user
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        format!(
            "<{n}.{folder}.{local}.{:08x}.{:x}@{}>",
            hash_str(user) as u32,
            self.seed,
            self.domain
        )
    }

    /// The whole RFC 5322 message `n` of `folder` for `user` (CRLF line ends).
    pub fn message(&self, user: &str, folder: usize, n: u32) -> Vec<u8> {
        render::message(self, user, folder, n)
    }

    /// The header block of [`MailSet::message`], ending with the empty line.
    pub fn header(&self, user: &str, folder: usize, n: u32) -> String {
        render::header(self, user, folder, n)
    }

    /// The size of [`MailSet::message`] in bytes (RFC822.SIZE), without the body.
    pub fn size(&self, user: &str, folder: usize, n: u32) -> usize {
        render::size(self, user, folder, n)
    }
}
