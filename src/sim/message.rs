//! Deterministic synthetic messages.
//!
//! Bodies are never stored: a message is regenerated from (seed, user,
//! mailbox, uid) whenever it is fetched, so 20,000 users x 50 messages cost a
//! few bytes each, yet repeated FETCHes return identical bytes (clients and
//! checksums can rely on that). Only APPENDed messages are kept as bytes.

use std::fmt::Write as _;

/// Fixed "now" of the synthetic world, so dates do not depend on the clock
/// (2024-01-15 12:00:00 UTC).
pub const EPOCH: i64 = 1_705_320_000;

/// A 64-bit mix (splitmix64 finaliser): cheap, good enough to derive
/// independent streams from (seed, user, mailbox, uid).
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a of a string, for turning user names into seeds.
pub fn hash_str(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

/// Everything that determines one synthetic message.
#[derive(Debug, Clone, Copy)]
pub struct Synth<'a> {
    /// Topology seed.
    pub seed: u64,
    /// Owner's login name (used in `To:`).
    pub user: &'a str,
    /// Index of the mailbox the message was generated in (kept across COPY).
    pub mailbox: u8,
    /// UID it was generated with (kept across COPY).
    pub uid: u32,
    /// Mean size the plan asks for.
    pub mean_size: usize,
    /// Internal date (Unix seconds); also the `Date:` header.
    pub date: i64,
}

const FIRST: [&str; 8] = [
    "Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi",
];
const LAST: [&str; 8] = [
    "Smith", "Jones", "Brown", "Klein", "Novak", "Rossi", "Silva", "Tanaka",
];
const WORDS: [&str; 24] = [
    "quarterly",
    "report",
    "meeting",
    "budget",
    "review",
    "lunch",
    "project",
    "update",
    "invoice",
    "schedule",
    "draft",
    "release",
    "notes",
    "server",
    "capacity",
    "plan",
    "follow-up",
    "agenda",
    "contract",
    "holiday",
    "ticket",
    "weekly",
    "status",
    "migration",
];

impl Synth<'_> {
    fn stream(&self) -> u64 {
        mix(self.seed
            ^ mix(hash_str(self.user) ^ mix(((self.mailbox as u64) << 32) | self.uid as u64)))
    }

    /// Target total size: mean +-50%, at least 256 bytes.
    fn target_size(&self) -> usize {
        let r = self.stream() % 1000;
        let mean = self.mean_size.max(256);
        (mean / 2 + mean * r as usize / 1000).max(256)
    }

    /// The RFC 5322 header block, ending with the empty line.
    pub fn header(&self) -> String {
        let r = self.stream();
        let first = FIRST[(r % 8) as usize];
        let last = LAST[((r >> 3) % 8) as usize];
        let mut subject = String::new();
        for i in 0..4 {
            if i > 0 {
                subject.push(' ');
            }
            subject.push_str(WORDS[((r >> (6 + i * 5)) % WORDS.len() as u64) as usize]);
        }
        let mut h = String::with_capacity(512);
        let _ = write!(
            h,
            "Return-Path: <{f}.{l}@example.net>\r\n\
             Date: {date}\r\n\
             From: \"{first} {last}\" <{f}.{l}@example.net>\r\n\
             To: {user} <{user}@imapload.test>\r\n\
             Subject: {subject} #{uid}\r\n\
             Message-ID: <{r:016x}.{uid}@imapload.test>\r\n\
             MIME-Version: 1.0\r\n\
             Content-Type: text/plain; charset=us-ascii\r\n\
             Content-Transfer-Encoding: 7bit\r\n\r\n",
            f = first.to_ascii_lowercase(),
            l = last.to_ascii_lowercase(),
            date = rfc5322_date(self.date),
            user = self.user,
            uid = self.uid,
        );
        h
    }

    /// Length of the body given the header length.
    fn body_len(&self, header_len: usize) -> usize {
        self.target_size().saturating_sub(header_len).max(64)
    }

    /// Total size in bytes (RFC822.SIZE) without building the body.
    pub fn size(&self) -> usize {
        let h = self.header().len();
        h + self.body_len(h)
    }

    /// The whole message: header then a text body of 72-column lines,
    /// exactly [`Synth::size`] bytes.
    pub fn render(&self) -> Vec<u8> {
        let header = self.header();
        let body_len = self.body_len(header.len());
        let mut out = Vec::with_capacity(header.len() + body_len);
        out.extend_from_slice(header.as_bytes());
        let mut r = self.stream();
        let mut line = 0usize;
        let end = header.len() + body_len;
        while out.len() < end {
            let left = end - out.len();
            // The last line is padded with dots so the size is exact; line
            // breaks only happen while >= 80 bytes are left, so the padding
            // line always has room for its CRLF.
            if left < 80 {
                out.extend(std::iter::repeat_n(b'.', left.saturating_sub(2)));
                out.extend_from_slice(&b"\r\n"[2usize.saturating_sub(left)..]);
                break;
            }
            r = mix(r);
            let word = WORDS[(r % WORDS.len() as u64) as usize].as_bytes();
            if line + word.len() + 1 > 72 {
                out.extend_from_slice(b"\r\n");
                line = 0;
                continue;
            }
            if line > 0 {
                out.push(b' ');
                line += 1;
            }
            out.extend_from_slice(word);
            line += word.len();
        }
        out
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month 1-12, day 1-31) of a day number since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];

/// `Mon, 15 Jan 2024 12:00:00 +0000` (RFC 5322 `Date:`).
pub fn rfc5322_date(ts: i64) -> String {
    let days = ts.div_euclid(86_400);
    let secs = ts.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{}, {d} {} {y} {:02}:{:02}:{:02} +0000",
        WEEKDAYS[days.rem_euclid(7) as usize],
        MONTHS[m as usize - 1],
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// `15-Jan-2024 12:00:00 +0000` (IMAP INTERNALDATE, without quotes).
pub fn internal_date(ts: i64) -> String {
    let (y, m, d) = civil_from_days(ts.div_euclid(86_400));
    let secs = ts.rem_euclid(86_400);
    format!(
        "{d:02}-{}-{y:04} {:02}:{:02}:{:02} +0000",
        MONTHS[m as usize - 1],
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(uid: u32, mean: usize) -> Synth<'static> {
        Synth {
            seed: 7,
            user: "user00001",
            mailbox: 0,
            uid,
            mean_size: mean,
            date: EPOCH,
        }
    }

    #[test]
    fn render_is_deterministic_and_sized() {
        for uid in 1..40 {
            for mean in [100, 4096, 20_000] {
                let s = spec(uid, mean);
                let a = s.render();
                assert_eq!(a, s.render());
                assert_eq!(a.len(), s.size(), "uid {uid} mean {mean}");
                assert!(a.ends_with(b"\r\n"));
                assert!(!a.windows(2).any(|w| w[1] == b'\n' && w[0] != b'\r'));
            }
        }
        assert_ne!(spec(1, 4096).render(), spec(2, 4096).render());
    }

    #[test]
    fn dates_round_trip() {
        assert_eq!(internal_date(EPOCH), "15-Jan-2024 12:00:00 +0000");
        assert_eq!(rfc5322_date(EPOCH), "Mon, 15 Jan 2024 12:00:00 +0000");
        for days in [-1000, 0, 19_737, 60_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
