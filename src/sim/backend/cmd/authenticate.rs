//! AUTHENTICATE PLAIN, XOAUTH2 and OAUTHBEARER (RFC 4959 SASL-IR, or the
//! response after a `+` continuation).

use imap_codec::imap_types::auth::AuthMechanism;
use imap_codec::imap_types::command::CommandBody;

use super::Needs;
use crate::command::CommandKind;
use crate::sim::backend::session::{Next, Session};
use crate::sim::oauth::Bearer;

/// Decoded by imap-codec.
pub(super) const DECODED: &str = "CommandBody::Authenticate { .. }";
/// The mechanisms, and the initial response inline.
pub(super) const ADVERTISE: &[&str] = &["SASL-IR", "AUTH=PLAIN", "AUTH=XOAUTH2", "AUTH=OAUTHBEARER"];
/// Any state: a second login is answered BAD by the login rules.
pub(super) const STATE: Needs = Needs::Any;

/// No row here: the worker is taken once the client's response is in, so a
/// client thinking over its continuation holds none.
pub(super) fn row(_: &CommandBody) -> Option<CommandKind> {
    None
}

/// Reads the response (inline or after `+`), then checks it.
pub(super) async fn handle(s: &mut Session, tag: &str, body: &CommandBody<'_>) -> Next {
    let CommandBody::Authenticate {
        mechanism,
        initial_response,
    } = body
    else {
        return s.misrouted(tag);
    };
    let bearer = Bearer::of(mechanism);
    if bearer.is_none() && !matches!(mechanism, AuthMechanism::Plain) {
        let only = "Only AUTH=PLAIN, XOAUTH2 and OAUTHBEARER are supported";
        s.line(format!("{tag} NO [CANNOT] {only}"));
        return Next::Continue;
    }
    let response = match initial_response {
        Some(r) => r.declassify().to_vec(),
        None => match s.sasl_continuation(tag).await {
            Ok(Some(r)) => r,
            Ok(None) => return Next::Continue,
            Err(()) => return Next::Close,
        },
    };
    let _worker = s.admit(CommandKind::Authenticate).await;
    match bearer {
        Some(mech) => s.authenticate_bearer(tag, mech, &response).await,
        None => {
            s.authenticate(tag, response);
            Next::Continue
        }
    }
}
