//! OAuth 2 SASL on the embedded servers: XOAUTH2 (Google's format) and
//! OAUTHBEARER (RFC 7628). Both carry a user name and a bearer token; both
//! refuse a bad token the same way real servers do: a `+` continuation with a
//! base64 JSON error, which the client answers (an empty line, or `AQ==` for
//! OAUTHBEARER) before the tagged NO.

use base64::Engine as _;
use imap_codec::imap_types::auth::AuthMechanism;

use crate::sim::io::{Conn, MAX_LINE};

/// An OAuth 2 SASL mechanism the embedded servers accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bearer {
    /// `AUTHENTICATE XOAUTH2`: `user=U ^A auth=Bearer T ^A ^A`.
    XOAuth2,
    /// `AUTHENTICATE OAUTHBEARER`: `n,a=U, ^A auth=Bearer T ^A ^A` (RFC 7628).
    OAuthBearer,
}

/// What an OAuth 2 initial response says: who, with which token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BearerLogin {
    /// The user the client logs in as.
    pub user: String,
    /// The access token (a credential: never logged).
    pub token: String,
}

impl Bearer {
    /// The OAuth 2 mechanism `m` names, if it is one.
    pub fn of(m: &AuthMechanism) -> Option<Bearer> {
        match m {
            AuthMechanism::XOAuth2 => Some(Bearer::XOAuth2),
            // imap-types' enum is non-exhaustive: any other mechanism is known by its name.
            other => other
                .to_string()
                .eq_ignore_ascii_case("OAUTHBEARER")
                .then_some(Bearer::OAuthBearer),
        }
    }

    /// Parses a decoded initial response; `None` when malformed or without a user.
    pub fn parse(self, response: &[u8]) -> Option<BearerLogin> {
        let text = std::str::from_utf8(response).ok()?;
        let mut parts = text.split('\x01');
        let first = parts.next()?;
        let user = match self {
            Bearer::XOAuth2 => first.strip_prefix("user=")?.to_string(),
            Bearer::OAuthBearer => gs2_user(first)?,
        };
        let token = parts
            .filter_map(|kv| kv.strip_prefix("auth="))
            .find_map(|v| {
                let (scheme, token) = v.split_once(' ')?;
                scheme.eq_ignore_ascii_case("Bearer").then_some(token)
            })?
            .trim()
            .to_string();
        (!user.is_empty() && !token.is_empty()).then_some(BearerLogin { user, token })
    }

    /// The JSON error a server sends for a refused token, as the mechanism spells it.
    pub fn error_json(self) -> &'static str {
        match self {
            Bearer::XOAuth2 => {
                r#"{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}"#
            }
            Bearer::OAuthBearer => r#"{"status":"invalid_token","scope":"imap"}"#,
        }
    }
}

/// The authorization identity of a GS2 header `n,a=user,` (`=2C` and `=3D` unescaped).
fn gs2_user(header: &str) -> Option<String> {
    let mut fields = header.split(',');
    let _binding = fields.next()?;
    let authzid = fields.next()?.strip_prefix("a=")?;
    Some(authzid.replace("=2C", ",").replace("=3D", "="))
}

/// Refuses a token the way XOAUTH2 and OAUTHBEARER servers do: `+ <base64
/// JSON error>`, then reads the client's one-line answer. The caller sends the
/// tagged NO. `Err` when the connection broke.
pub async fn challenge_error(conn: &mut Conn, mech: Bearer) -> Result<(), ()> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(mech.error_json());
    conn.send(format!("+ {b64}\r\n").as_bytes())
        .await
        .map_err(|_| ())?;
    match conn.read_line(MAX_LINE).await {
        Ok(Some(_)) => Ok(()),
        _ => Err(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_formats() {
        let x = Bearer::XOAuth2.parse(b"user=u1\x01auth=Bearer tok-u1\x01\x01");
        let want = BearerLogin {
            user: "u1".into(),
            token: "tok-u1".into(),
        };
        assert_eq!(x.as_ref(), Some(&want));
        let o =
            Bearer::OAuthBearer.parse(b"n,a=u1,\x01host=h\x01port=1\x01auth=Bearer tok-u1\x01\x01");
        assert_eq!(o, Some(want));
        let esc = Bearer::OAuthBearer.parse(b"n,a=a=2Cb=3D,\x01auth=Bearer t\x01\x01");
        assert_eq!(esc.unwrap().user, "a,b=");
        assert_eq!(
            Bearer::XOAuth2.parse(b"user=u1\x01auth=Basic x\x01\x01"),
            None
        );
        assert_eq!(
            Bearer::OAuthBearer.parse(b"n,,\x01auth=Bearer t\x01\x01"),
            None
        );
    }

    #[test]
    fn knows_its_mechanisms() {
        assert_eq!(Bearer::of(&AuthMechanism::XOAuth2), Some(Bearer::XOAuth2));
        let ob = AuthMechanism::try_from("oauthbearer").unwrap();
        assert_eq!(Bearer::of(&ob), Some(Bearer::OAuthBearer));
        assert_eq!(Bearer::of(&AuthMechanism::Plain), None);
    }
}
