//! The commands answered with a line or two: CAPABILITY, NOOP, CHECK,
//! LOGOUT, LOGIN (checked by `backend::auth`), SUBSCRIBE and UNSUBSCRIBE,
//! UNSELECT, ENABLE, ID, NAMESPACE, and what imap-codec decodes but the
//! simulator does not model.

use imap_codec::imap_types::core::AString;
use imap_codec::imap_types::extensions::enable::CapabilityEnable;
use imap_codec::imap_types::secret::Secret;

use crate::sim::backend::session::{InMailbox, Next, Session, State};

/// CAPABILITY (RFC 3501 6.1.1): the list the greeting also carries, for the
/// connection as it is now (STARTTLS until used).
pub(super) fn capability(s: &mut Session, tag: &str) -> Next {
    let caps = s.caps();
    s.line(format!("* CAPABILITY {caps}"));
    s.line(format!("{tag} OK CAPABILITY completed"));
    Next::Continue
}

/// NOOP (RFC 3501 6.1.2): a poll; what other sessions changed, then OK.
pub(super) fn noop(s: &mut Session, tag: &str) -> Next {
    s.sync(true);
    s.line(format!("{tag} OK NOOP completed"));
    Next::Continue
}

/// CHECK (RFC 3501 6.4.1): a checkpoint; the in-memory store has nothing to
/// flush, so it is answered like NOOP, timed on its own row.
pub(super) fn check(m: &mut InMailbox<'_>, tag: &str) -> Next {
    m.sync(true);
    m.line(format!("{tag} OK CHECK completed"));
    Next::Continue
}

/// LOGOUT (RFC 3501 6.1.3): BYE and OK; the session loop then closes the
/// connection.
pub(super) fn logout(s: &mut Session, tag: &str) -> Next {
    s.line("* BYE imapload mailbox server logging out");
    s.line(format!("{tag} OK LOGOUT completed"));
    Next::Close
}

/// LOGIN user password (RFC 3501 6.2.3): the credentials checked against
/// the store, with the LOGINDISABLED and refuse-logins rules.
pub(super) fn login(
    s: &mut Session,
    tag: &str,
    username: &AString<'_>,
    password: &Secret<AString<'_>>,
) -> Next {
    let user = String::from_utf8_lossy(username.as_ref()).into_owned();
    let pass = String::from_utf8_lossy(password.declassify().as_ref()).into_owned();
    s.login(tag, &user, &pass);
    Next::Continue
}

/// SUBSCRIBE and UNSUBSCRIBE (RFC 3501 6.3.6, 6.3.7): the embedded folders
/// count as subscribed whatever the client asks, so they are acknowledged
/// and change nothing.
pub(super) fn subscriptions_fixed(s: &mut Session, tag: &str) -> Next {
    s.line(format!("{tag} OK Subscriptions are fixed"));
    Next::Continue
}

/// UNSELECT (RFC 3691), once the mailbox is left: OK, nothing expunged.
pub(super) fn unselect(s: &mut Session, tag: &str) -> Next {
    s.line(format!("{tag} OK UNSELECT completed"));
    Next::Continue
}

/// ENABLE (RFC 5161): `* ENABLED` with those of the asked extensions the
/// simulator supports (CONDSTORE, QRESYNC, which implies CONDSTORE, and
/// UTF8=ACCEPT, which changes nothing here: names are taken as sent), then
/// OK; BAD after SELECT (RFC 5161 3.1).
pub(super) fn enable(s: &mut Session, tag: &str, asked: &[CapabilityEnable<'_>]) -> Next {
    if matches!(s.state, State::Selected(_)) {
        return s.bad(tag, "ENABLE is valid only before SELECT");
    }
    let mut enabled = String::from("* ENABLED");
    for cap in asked {
        let name = cap.to_string().to_ascii_uppercase();
        if matches!(name.as_str(), "CONDSTORE" | "QRESYNC" | "UTF8=ACCEPT") {
            s.condstore |= name != "UTF8=ACCEPT";
            enabled.push(' ');
            enabled.push_str(&name);
        }
    }
    s.line(enabled);
    s.line(format!("{tag} OK ENABLE completed"));
    Next::Continue
}

/// ID (RFC 2971): the server's own identification, then OK; the client's
/// parameters are not kept.
pub(super) fn id(s: &mut Session, tag: &str) -> Next {
    s.line("* ID (\"name\" \"imapload\" \"vendor\" \"imapload simulator\")");
    s.line(format!("{tag} OK ID completed"));
    Next::Continue
}

/// NAMESPACE (RFC 2342): one personal namespace (`""`, separator `/`), no
/// others.
pub(super) fn namespace(s: &mut Session, tag: &str) -> Next {
    s.line("* NAMESPACE ((\"\" \"/\")) NIL NIL");
    s.line(format!("{tag} OK NAMESPACE completed"));
    Next::Continue
}

/// GETQUOTA and SETQUOTA (RFC 9208): decoded by
/// imap-codec but not modelled by the simulator, which does not advertise
/// them; BAD.
pub(super) fn unsupported(s: &mut Session, tag: &str) -> Next {
    s.bad(tag, "Command not supported by the simulator")
}
