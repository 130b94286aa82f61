//! What a session knows about its selected mailbox, kept from the server's
//! untagged responses, so that every command it sends is valid for the mailbox
//! as it is now (no FETCH of message 40 after an EXPUNGE left 39).

use crate::imap::response::{Capabilities, Kind, Response};

/// The session's view of the selected mailbox.
#[derive(Debug, Clone, Default)]
pub struct MailboxState {
    /// A mailbox is selected (after SELECT/EXAMINE, until CLOSE).
    pub selected: bool,
    /// Selected with EXAMINE (or the server said READ-ONLY): no STORE/EXPUNGE.
    pub read_only: bool,
    /// Messages in the mailbox (`* N EXISTS`, minus each `* N EXPUNGE`).
    pub exists: u32,
    /// Next UID the server will assign (`[UIDNEXT n]`, `[APPENDUID v uid]`).
    pub uid_next: u32,
    /// An EXPUNGE (or VANISHED) arrived since the last EXISTS: only then may
    /// the next EXISTS be lower than the count before it.
    pub expunged_since_exists: bool,
    /// The server's capabilities as last announced (greeting, `[CAPABILITY]`
    /// code or `* CAPABILITY` line); cleared by the session after STARTTLS.
    pub capabilities: Option<Capabilities>,
    /// Set before a login whose home back end is unknown (a CAS-only run
    /// whose users file names none): the next tagged answer's
    /// `[Proxy=NAME]` is kept in [`MailboxState::home_hint`].
    pub want_home_hint: bool,
    /// The back end a CAS named in its login answer (`[Proxy=mbx2]`).
    pub home_hint: Option<String>,
    /// The session's scratch folder (`imapload-<n>`), once CREATE or RENAME
    /// made it: folder management is load-tested on a folder of the session's
    /// own, so INBOX and the other sessions' folders are never touched.
    pub scratch: Option<u32>,
    /// The number the next CREATE or RENAME names its folder with; random per
    /// session (see [`MailboxState::with_scratch_seed`]) so that sessions of one
    /// user don't collide.
    pub scratch_next: u32,
}

impl MailboxState {
    /// Folds one untagged or tagged response into the state.
    pub fn observe(&mut self, resp: &Response<'_>) {
        if self.want_home_hint && resp.kind() == Kind::Tagged {
            self.want_home_hint = false;
            self.home_hint = proxy_hint(resp.text());
        }
        if resp.kind() == Kind::Untagged {
            if let Some((n, what)) = resp.untagged_number() {
                if what.eq_ignore_ascii_case(b"EXISTS") {
                    self.exists = n;
                    self.expunged_since_exists = false;
                } else if what.eq_ignore_ascii_case(b"EXPUNGE") {
                    self.exists = self.exists.saturating_sub(1);
                    self.expunged_since_exists = true;
                }
                return;
            }
            if resp
                .untagged_keyword()
                .is_some_and(|k| k.eq_ignore_ascii_case(b"VANISHED"))
            {
                self.expunged_since_exists = true;
                return;
            }
            if resp
                .untagged_keyword()
                .is_some_and(|k| k.eq_ignore_ascii_case(b"CAPABILITY"))
            {
                let line = resp
                    .raw()
                    .split(|b| *b == b'\r' || *b == b'\n')
                    .next()
                    .unwrap_or_default();
                let list = line.get(b"* CAPABILITY ".len()..).unwrap_or_default();
                self.capabilities = Some(Capabilities::parse(list));
                return;
            }
        }
        if let Some((code, arg)) = resp.code() {
            if code.eq_ignore_ascii_case(b"CAPABILITY") {
                self.capabilities = Some(Capabilities::parse(arg));
            } else if code.eq_ignore_ascii_case(b"UIDNEXT") {
                if let Some(n) = parse_u32(arg) {
                    self.uid_next = n;
                }
            } else if code.eq_ignore_ascii_case(b"APPENDUID") {
                // "[APPENDUID <validity> <uid>]"
                if let Some(uid) = arg.split(|b| *b == b' ').nth(1).and_then(parse_u32) {
                    self.uid_next = self.uid_next.max(uid.saturating_add(1));
                }
            } else if code.eq_ignore_ascii_case(b"READ-ONLY") {
                self.read_only = true;
            } else if code.eq_ignore_ascii_case(b"READ-WRITE") {
                self.read_only = false;
            }
        }
    }

    /// A fresh state whose scratch folder names start at `seed` (random).
    pub fn with_scratch_seed(seed: u32) -> MailboxState {
        MailboxState {
            scratch_next: seed | 1,
            ..MailboxState::default()
        }
    }

    /// The scratch folder's name for number `n`.
    pub fn scratch_name(n: u32) -> String {
        format!("imapload-{n}")
    }

    /// After a CREATE or RENAME completed: the folder now has the name it
    /// sent, and the next one gets a new pseudo-random number (xorshift32,
    /// never 0, so names don't repeat soon).
    pub fn scratch_made(&mut self) {
        self.scratch = Some(self.scratch_next);
        let mut x = self.scratch_next.max(1);
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.scratch_next = x;
    }

    /// The lowest UID that may still exist, for UID windows.
    pub fn uid_floor(&self) -> u32 {
        self.uid_next.saturating_sub(self.exists.max(1)).max(1)
    }
}

/// The back end an Exchange-style `[Proxy=NAME]` field names anywhere in a
/// login answer's text (name case-insensitive), as Exchange's and imapload's
/// CAS add it.
pub fn proxy_hint(text: &[u8]) -> Option<String> {
    const NEEDLE: &[u8] = b"[proxy=";
    let start = text
        .windows(NEEDLE.len())
        .position(|w| w.eq_ignore_ascii_case(NEEDLE))?
        + NEEDLE.len();
    let len = text[start..].iter().position(|&b| b == b']')?;
    let name = std::str::from_utf8(&text[start..start + len]).ok()?.trim();
    (!name.is_empty()).then(|| name.to_string())
}

fn parse_u32(s: &[u8]) -> Option<u32> {
    std::str::from_utf8(s).ok()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imap::capability::Atom;

    #[test]
    fn proxy_hints_are_read_from_login_answers() {
        let t = b"[CAPABILITY IMAP4rev1] LOGIN completed. [Proxy=mbx2]";
        assert_eq!(proxy_hint(t).as_deref(), Some("mbx2"));
        assert_eq!(
            proxy_hint(b"Logged in [PROXY= mbx1 ]").as_deref(),
            Some("mbx1")
        );
        assert_eq!(proxy_hint(b"Logged in [Proxy=]"), None);
        assert_eq!(proxy_hint(b"Logged in [Proxy=mbx1"), None);
        assert_eq!(proxy_hint(b"Logged in"), None);
    }

    #[test]
    fn follows_exists_expunge_and_codes() {
        let mut m = MailboxState::default();
        for line in [
            &b"* 12 EXISTS\r\n"[..],
            b"* OK [UIDNEXT 40] Predicted next UID\r\n",
            b"* 3 EXPUNGE\r\n",
            b"a3 OK [READ-ONLY] EXAMINE completed\r\n",
            b"a4 OK [APPENDUID 7 55] APPEND completed\r\n",
            b"* CAPABILITY IMAP4rev1 LITERAL+ IDLE\r\n",
        ] {
            m.observe(&Response::new(line));
        }
        assert_eq!((m.exists, m.uid_next, m.read_only), (11, 56, true));
        let caps = m.capabilities.unwrap();
        assert!(caps.literal_plus && caps.offers(Atom::named("IDLE")) && !caps.sasl_ir);
    }
}
