//! The CAS's answers to a client that has not logged in yet: CAPABILITY,
//! NOOP, ID, LOGOUT, STARTTLS, and LOGIN / AUTHENTICATE turned into a
//! credential for [`Cas::login`] to check.

use base64::Engine as _;
use imap_codec::decode::Decoder;
use imap_codec::imap_types::auth::AuthMechanism;
use imap_codec::imap_types::command::CommandBody;
use imap_codec::CommandCodec;

use super::{Cas, Credential};
use crate::sim::backend::capabilities;
use crate::sim::io::{tag_of, Conn, Incoming, MAX_LINE};
use crate::sim::oauth::Bearer;

/// What one client command comes to.
pub(super) enum Step {
    /// Write this answer; `bad` counts toward [`MAX_BADS`].
    Reply { text: String, bad: bool },
    /// Log the client in with this credential.
    Login {
        user: String,
        credential: Credential,
    },
    /// Already answered (STARTTLS done): read the next command.
    Next,
    /// The connection is over.
    End,
}

impl Step {
    pub(super) fn reply(text: String) -> Step {
        Step::Reply { text, bad: false }
    }

    pub(super) fn bad(text: String) -> Step {
        Step::Reply { text, bad: true }
    }
}

/// What reading the client's next command gave.
pub(super) enum Read {
    /// A whole command.
    Command(Vec<u8>),
    /// Something refused and already answered (too long a line or literal).
    Refused,
    /// The connection is over.
    Over,
}

/// Reads the client's next command, answering what cannot be one; `bads`
/// counts the refusals toward the limit.
pub(super) async fn next_command(conn: &mut Conn, bads: &mut u32) -> Read {
    match conn.read_command().await {
        Err(_) | Ok(Incoming::Eof) => Read::Over,
        Ok(Incoming::LineTooLong) => {
            *bads += 1;
            let _ = conn.send(b"* BAD Line too long\r\n").await;
            Read::Refused
        }
        Ok(Incoming::LiteralRefused(cmd)) => {
            *bads += 1;
            let _ = conn
                .send(format!("{} BAD Literal too large\r\n", tag_of(&cmd)).as_bytes())
                .await;
            Read::Refused
        }
        Ok(Incoming::LiteralTooLarge(_)) => {
            let _ = conn.send(b"* BYE Literal too large\r\n").await;
            Read::Over
        }
        Ok(Incoming::Command(c)) => Read::Command(c),
    }
}

impl Cas {
    /// What this CAS advertises on `conn` (STARTTLS and LOGINDISABLED before TLS).
    pub(super) fn capabilities(&self, conn: &Conn) -> String {
        capabilities(
            conn.tls,
            self.acceptor.is_some(),
            self.login_disabled_without_tls,
        )
    }

    /// STARTTLS: the handshake at once when this listener offers it.
    pub(super) async fn starttls(&self, conn: &mut Conn, tag: &str) -> Step {
        let Some(acceptor) = self.acceptor.clone().filter(|_| !conn.tls) else {
            return Step::bad(format!(
                "{tag} BAD STARTTLS not available on this connection\r\n"
            ));
        };
        let ok = format!("{tag} OK Begin TLS negotiation now\r\n");
        if conn.send(ok.as_bytes()).await.is_err() || conn.start_tls(&acceptor).await.is_err() {
            return Step::End;
        }
        Step::Next
    }

    /// Any other command of a client not yet authenticated.
    pub(super) async fn command(&self, conn: &mut Conn, tag: &str, raw: &[u8]) -> Step {
        if crate::sim::io::verb_of(raw).eq_ignore_ascii_case("ID") {
            // RFC 2971 allows ID in any state; Outlook's current build sends it before logging in.
            return Step::reply(format!(
                "* ID (\"name\" \"imapload CAS\" \"vendor\" \"imapload simulator\")\r\n{tag} OK ID completed\r\n"
            ));
        }
        let Ok((&[], cmd)) = CommandCodec::new().decode(raw) else {
            return Step::bad(format!("{tag} BAD Invalid command\r\n"));
        };
        match cmd.body {
            CommandBody::Capability => Step::reply(format!(
                "* CAPABILITY {}\r\n{tag} OK CAPABILITY completed\r\n",
                self.capabilities(conn)
            )),
            CommandBody::Noop => Step::reply(format!("{tag} OK NOOP completed\r\n")),
            CommandBody::Logout => {
                let bye =
                    format!("* BYE imapload CAS logging out\r\n{tag} OK LOGOUT completed\r\n");
                let _ = conn.send(bye.as_bytes()).await;
                Step::End
            }
            CommandBody::Login { username, password } => Step::Login {
                user: String::from_utf8_lossy(username.as_ref()).into_owned(),
                credential: Credential::Password(
                    String::from_utf8_lossy(password.declassify().as_ref()).into_owned(),
                ),
            },
            CommandBody::Authenticate {
                mechanism,
                initial_response,
            } => {
                let initial = initial_response.map(|r| r.declassify().to_vec());
                authenticate(conn, tag, &mechanism, initial).await
            }
            _ => Step::bad(format!("{tag} BAD Command received in Invalid state.\r\n")),
        }
    }
}

/// AUTHENTICATE PLAIN, XOAUTH2 or OAUTHBEARER: the client's response (asked
/// for with `+` when it sent none inline) as a credential to check.
async fn authenticate(
    conn: &mut Conn,
    tag: &str,
    mechanism: &AuthMechanism<'_>,
    initial: Option<Vec<u8>>,
) -> Step {
    let bearer = Bearer::of(mechanism);
    if *mechanism != AuthMechanism::Plain && bearer.is_none() {
        let only = "Only AUTH=PLAIN, XOAUTH2 and OAUTHBEARER are supported";
        return Step::reply(format!("{tag} NO [CANNOT] {only}\r\n"));
    }
    let response = match initial {
        Some(r) => Some(r),
        None => match sasl_continuation(conn).await {
            Ok(r) => r,
            Err(()) => return Step::End,
        },
    };
    let Some(mech) = bearer else {
        return match response.as_deref().and_then(parse_plain) {
            Some((user, pass)) => Step::Login {
                user,
                credential: Credential::Password(pass),
            },
            None => Step::bad(format!("{tag} BAD AUTHENTICATE cancelled or malformed\r\n")),
        };
    };
    let parsed = response.as_deref().and_then(|r| mech.parse(r));
    let (user, token) = parsed.map_or_else(Default::default, |l| (l.user, l.token));
    Step::Login {
        user,
        credential: Credential::Token(mech, token),
    }
}

/// `+ ` then one base64 line; `Ok(None)` when cancelled (`*`) or undecodable.
async fn sasl_continuation(conn: &mut Conn) -> Result<Option<Vec<u8>>, ()> {
    conn.send(b"+ \r\n").await.map_err(|_| ())?;
    match conn.read_line(MAX_LINE).await {
        Ok(Some(Ok(line))) => {
            let text = line.trim_ascii();
            if text == b"*" {
                return Ok(None);
            }
            Ok(base64::engine::general_purpose::STANDARD.decode(text).ok())
        }
        Ok(Some(Err(()))) => Ok(None),
        _ => Err(()),
    }
}

/// `authzid NUL authcid NUL password` -> (authcid, password).
fn parse_plain(b: &[u8]) -> Option<(String, String)> {
    let mut parts = b.split(|c| *c == 0);
    let (_z, u, p) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    Some((
        String::from_utf8_lossy(u).into_owned(),
        String::from_utf8_lossy(p).into_owned(),
    ))
}
