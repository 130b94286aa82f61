//! The server capabilities the client core acts on.

use super::response::{Kind, Response};

/// The capability atoms some command kind looks for (its spec names one with
/// [`Atom::named`]); an [`Atom`] is an index into it.
pub const COMMAND_ATOMS: [&str; 6] = ["ENABLE", "IDLE", "MOVE", "QUOTA", "SPECIAL-USE", "UIDPLUS"];

/// A capability atom some command kind needs (`IDLE`, `UIDPLUS`, `MOVE`...):
/// the kind's spec names it with [`Atom::named`], which must be one of
/// [`COMMAND_ATOMS`], and [`Capabilities`] keeps one bit
/// per atom, so a new command needs no new field here and checking it costs
/// one bit test per command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Atom(u8);

const _: () = assert!(
    COMMAND_ATOMS.len() <= 64,
    "Capabilities keeps command atoms in a u64"
);

impl Atom {
    /// The atom called `name` (exact case as in [`COMMAND_ATOMS`]). Evaluated
    /// at compile time in a kind's `SPEC`; a name not in the list stops the
    /// build.
    pub const fn named(name: &str) -> Atom {
        let mut i = 0;
        while i < COMMAND_ATOMS.len() {
            if bytes_eq(COMMAND_ATOMS[i].as_bytes(), name.as_bytes()) {
                return Atom(i as u8);
            }
            i += 1;
        }
        panic!("a capability atom not in COMMAND_ATOMS")
    }

    /// The atom as the server spells it in CAPABILITY.
    pub fn name(self) -> &'static str {
        COMMAND_ATOMS[self.0 as usize]
    }
}

const fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Server capabilities parsed from a `* CAPABILITY ...` line or an
/// `[CAPABILITY ...]` response code: the ones that change how the client
/// connects (literal style, login method, STARTTLS) as plain flags, and the
/// atoms command kinds look for as one bit each, so checking one costs
/// nothing per command.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// `IMAP4rev1`: the baseline every command here assumes.
    pub imap4rev1: bool,
    /// `STARTTLS`: an `imap://...?starttls` endpoint needs it.
    pub starttls: bool,
    /// `LOGINDISABLED`: LOGIN must not be sent (typically before TLS).
    pub login_disabled: bool,
    /// `LITERAL+` (RFC 7888): non-synchronizing literals of any size, saving a round trip.
    pub literal_plus: bool,
    /// `LITERAL-` (RFC 7888): non-synchronizing literals only up to 4096 bytes.
    pub literal_minus: bool,
    /// `SASL-IR` (RFC 4959): AUTHENTICATE may carry the initial response inline.
    pub sasl_ir: bool,
    /// `AUTH=PLAIN`: AUTHENTICATE PLAIN is offered.
    pub auth_plain: bool,
    /// Bit `i`: the server offers `COMMAND_ATOMS[i]`.
    commands: u64,
}

impl Capabilities {
    /// Largest literal `LITERAL-` lets a client send without waiting (RFC 7888 section 5).
    pub const LITERAL_MINUS_MAX: usize = 4096;

    /// Parses space-separated capability atoms, case-insensitively; unknown
    /// atoms (and a leading `CAPABILITY` word, if the caller left it in) are ignored.
    pub fn parse(list: &[u8]) -> Capabilities {
        let mut caps = Capabilities::default();
        for atom in list
            .split(|b| b.is_ascii_whitespace())
            .filter(|a| !a.is_empty())
        {
            let is = |name: &[u8]| atom.eq_ignore_ascii_case(name);
            if is(b"IMAP4rev1") {
                caps.imap4rev1 = true;
            } else if is(b"STARTTLS") {
                caps.starttls = true;
            } else if is(b"LOGINDISABLED") {
                caps.login_disabled = true;
            } else if is(b"LITERAL+") {
                caps.literal_plus = true;
            } else if is(b"LITERAL-") {
                caps.literal_minus = true;
            } else if is(b"SASL-IR") {
                caps.sasl_ir = true;
            } else if is(b"AUTH=PLAIN") {
                caps.auth_plain = true;
            } else if let Some(i) = COMMAND_ATOMS
                .iter()
                .position(|a| atom.eq_ignore_ascii_case(a.as_bytes()))
            {
                caps.commands |= 1 << i;
            }
        }
        caps
    }

    /// Finds capabilities in a response, wherever the server put them: the
    /// `* CAPABILITY` data line, or a `[CAPABILITY ...]` code on a greeting or
    /// tagged OK (which saves the client a CAPABILITY round trip).
    pub fn from_response(resp: &Response<'_>) -> Option<Capabilities> {
        if resp.kind() == Kind::Untagged
            && resp
                .untagged_keyword()
                .is_some_and(|k| k.eq_ignore_ascii_case(b"CAPABILITY"))
        {
            let text = resp.text();
            let list = text.get(b"CAPABILITY".len()..).unwrap_or(&[]);
            return Some(Capabilities::parse(list));
        }
        match resp.code() {
            Some((name, list)) if name.eq_ignore_ascii_case(b"CAPABILITY") => {
                Some(Capabilities::parse(list))
            }
            _ => None,
        }
    }

    /// Whether the server advertises `atom`.
    pub fn offers(&self, atom: Atom) -> bool {
        self.commands & (1 << atom.0) != 0
    }

    /// Whether a literal of `len` bytes may be sent non-synchronizing (`{len+}`),
    /// i.e. without waiting for the server's `+` continuation.
    pub fn non_sync_literal_ok(&self, len: usize) -> bool {
        self.literal_plus || (self.literal_minus && len <= Self::LITERAL_MINUS_MAX)
    }
}

/// Says once per process, on stderr, why logins to a server advertising
/// `LOGINDISABLED` over a plain connection fail: imapload does not send the
/// password, and counts the login as a `tls` error instead.
pub fn warn_login_disabled() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        eprintln!(
            "imapload: warning: a server advertises LOGINDISABLED on a plain connection; \
             those logins are not sent (no password in the clear) and count as tls errors; \
             give real servers an imap://...?starttls or imaps:// URL (embedded servers: \
             security = \"starttls\" or \"tls\", or starttls_share = 1)"
        )
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_known_atoms_case_insensitively() {
        let c = Capabilities::parse(
            b"imap4REV1 StartTLS LOGINDISABLED literal+ SASL-IR auth=plain AUTH=LOGIN IDLE UIDPLUS ENABLE MOVE X-FOO",
        );
        assert_eq!(
            c,
            Capabilities {
                imap4rev1: true,
                starttls: true,
                login_disabled: true,
                literal_plus: true,
                literal_minus: false,
                sasl_ir: true,
                auth_plain: true,
                commands: c.commands,
            }
        );
        for atom in ["IDLE", "UIDPLUS", "ENABLE", "MOVE"] {
            assert!(c.offers(Atom::named(atom)), "{atom}");
        }
        assert!(!Capabilities::parse(b"IDLE2 XMOVE").offers(Atom::named("IDLE")));
        assert_eq!(Capabilities::parse(b""), Capabilities::default());
        assert!(!Capabilities::parse(b"AUTH=PLAINX IDLE2 LITERAL").auth_plain);
    }

    #[test]
    fn literal_minus_is_limited_to_4096() {
        let minus = Capabilities::parse(b"IMAP4rev1 LITERAL-");
        assert!(minus.literal_minus && !minus.literal_plus);
        assert!(minus.non_sync_literal_ok(4096));
        assert!(!minus.non_sync_literal_ok(4097));
        assert!(Capabilities::parse(b"LITERAL+").non_sync_literal_ok(1 << 30));
        assert!(!Capabilities::default().non_sync_literal_ok(1));
    }

    #[test]
    fn found_in_data_line_and_in_codes() {
        let line = Response::new(b"* CAPABILITY IMAP4rev1 IDLE\r\n");
        let c = Capabilities::from_response(&line).unwrap();
        assert!(c.imap4rev1 && c.offers(Atom::named("IDLE")) && !c.starttls);
        let greet = Response::new(b"* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n");
        let c = Capabilities::from_response(&greet).unwrap();
        assert!(c.starttls && c.login_disabled && !c.offers(Atom::named("IDLE")));
        let tagged = Response::new(b"a1 OK [CAPABILITY IMAP4rev1 SASL-IR] Logged in\r\n");
        assert!(Capabilities::from_response(&tagged).unwrap().sasl_ir);
        assert_eq!(
            Capabilities::from_response(&Response::new(b"* OK [UIDNEXT 4] x\r\n")),
            None
        );
        assert_eq!(
            Capabilities::from_response(&Response::new(b"* 5 EXISTS\r\n")),
            None
        );
    }
}
