//! AUTHENTICATE PLAIN, XOAUTH2 and OAUTHBEARER (RFC 4959 SASL-IR, or the
//! response after a `+` continuation).

use imap_codec::imap_types::auth::AuthMechanism;
use imap_codec::imap_types::secret::Secret;

use std::borrow::Cow;

use crate::command::CommandKind;
use crate::sim::backend::session::{Next, Session};
use crate::sim::oauth::Bearer;

/// Reads the response (inline or after `+`), then checks it. It takes a
/// worker (on AUTHENTICATE's row) only once the response is in, so a client
/// thinking over its continuation holds none.
pub(super) async fn handle(
    s: &mut Session,
    tag: &str,
    mechanism: &AuthMechanism<'_>,
    initial_response: Option<&Secret<Cow<'_, [u8]>>>,
) -> Next {
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
