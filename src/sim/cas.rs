//! The embedded CAS proxy (`cas1`..): authenticates the client itself, then
//! logs in to the user's home back end and relays bytes both ways.
//!
//! Nothing is forwarded, and no back-end connection is opened, before the
//! client has authenticated: that is the property real client access
//! servers have, and tests check it through
//! [`ServerControl::backend_connections`].

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use base64::Engine as _;
use imap_codec::decode::Decoder;
use imap_codec::imap_types::auth::AuthMechanism;
use imap_codec::imap_types::command::CommandBody;
use imap_codec::CommandCodec;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

use crate::plan::{embedded_token, User};
use crate::sim::backend::{capabilities, MAX_BADS};
use crate::sim::io::{tag_of, verb_of, Conn, Incoming, MAX_LINE};
use crate::sim::listen::accept_loop;
use crate::sim::oauth::{challenge_error, Bearer};
use crate::sim::service::{pause, ServerControl};
use crate::sim::upstream::{self, Upstream};

/// Shared state of one CAS.
pub struct Cas {
    /// Server name (`cas1`).
    pub name: String,
    /// user -> credentials and home back end.
    users: HashMap<String, CasUser>,
    /// Back end name -> plain listener address.
    backends: HashMap<String, SocketAddr>,
    /// Faults and gauges.
    pub control: Arc<ServerControl>,
    /// TLS for STARTTLS on the plain listener.
    pub acceptor: Option<TlsAcceptor>,
    /// Refuse LOGIN / AUTHENTICATE until STARTTLS on plain connections.
    pub login_disabled_without_tls: bool,
    /// Client TLS (trusting the topology CA) for back ends that require
    /// STARTTLS before LOGIN.
    upstream_tls: Option<Arc<rustls::ClientConfig>>,
}

impl Cas {
    /// A CAS for `users`, proxying to the back ends' plain addresses.
    pub fn new(
        name: &str,
        users: &[User],
        backends: HashMap<String, SocketAddr>,
        acceptor: Option<TlsAcceptor>,
        login_disabled_without_tls: bool,
        upstream_tls: Option<Arc<rustls::ClientConfig>>,
    ) -> Arc<Cas> {
        let users = users
            .iter()
            .map(|u| {
                let token = u.token.clone().unwrap_or_else(|| embedded_token(&u.name));
                let entry = CasUser {
                    password: u.password.clone(),
                    token,
                    home: u.backend.clone(),
                };
                (u.name.clone(), entry)
            })
            .collect();
        Arc::new(Cas {
            name: name.to_string(),
            users,
            backends,
            control: ServerControl::new(1),
            acceptor,
            login_disabled_without_tls,
            upstream_tls,
        })
    }
}

/// Accepts connections until `shutdown` is cancelled; `tls` set means an
/// implicit-TLS listener, otherwise plain with STARTTLS offered.
pub async fn run(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    state: Arc<Cas>,
    shutdown: CancellationToken,
) {
    let control = state.control.clone();
    accept_loop(listener, tls, control, shutdown, move |conn| {
        session(state.clone(), conn)
    })
    .await;
}

/// One user as the CAS knows it.
struct CasUser {
    /// Checked for LOGIN / PLAIN, and what the CAS logs in upstream with.
    password: String,
    /// Checked for XOAUTH2 / OAUTHBEARER.
    token: String,
    /// The home back end's name.
    home: String,
}

/// What the client proved itself with.
enum Credential {
    /// LOGIN or AUTHENTICATE PLAIN.
    Password(String),
    /// An OAuth 2 access token, by the mechanism that carried it.
    Token(Bearer, String),
}

/// Outcome of a login attempt.
enum Login {
    /// Authenticated at the back end: relay from here on.
    Relay(Box<dyn Upstream>, Vec<u8>),
    /// Answer already written; stay unauthenticated.
    Refused,
}

async fn session(cas: Arc<Cas>, mut conn: Conn) {
    let caps = |c: &Conn| {
        capabilities(
            c.tls,
            cas.acceptor.is_some(),
            cas.login_disabled_without_tls,
        )
    };
    let greeting = format!(
        "* OK [CAPABILITY {}] imapload CAS {} ready\r\n",
        caps(&conn),
        cas.name
    );
    if conn.send(greeting.as_bytes()).await.is_err() {
        return;
    }
    let mut bads = 0;
    loop {
        let raw = match conn.read_command().await {
            Err(_) | Ok(Incoming::Eof) => return,
            Ok(Incoming::LineTooLong) => {
                bads += 1;
                let _ = conn.send(b"* BAD Line too long\r\n").await;
                continue;
            }
            Ok(Incoming::LiteralRefused(cmd)) => {
                bads += 1;
                let _ = conn
                    .send(format!("{} BAD Literal too large\r\n", tag_of(&cmd)).as_bytes())
                    .await;
                continue;
            }
            Ok(Incoming::LiteralTooLarge(_)) => {
                let _ = conn.send(b"* BYE Literal too large\r\n").await;
                return;
            }
            Ok(Incoming::Command(c)) => c,
        };
        cas.control.count_command();
        let tag = tag_of(&raw);
        let mut reply = String::new();
        let mut login: Option<(String, Credential)> = None;
        if verb_of(&raw) == "STARTTLS" {
            match cas.acceptor.clone().filter(|_| !conn.tls) {
                Some(acceptor) => {
                    let ok = format!("{tag} OK Begin TLS negotiation now\r\n");
                    if conn.send(ok.as_bytes()).await.is_err()
                        || conn.start_tls(&acceptor).await.is_err()
                    {
                        return;
                    }
                    continue;
                }
                None => {
                    bads += 1;
                    reply = format!("{tag} BAD STARTTLS not available on this connection\r\n");
                }
            }
        } else {
            match CommandCodec::new().decode(&raw) {
                Ok((&[], cmd)) => match cmd.body {
                    CommandBody::Capability => {
                        reply = format!(
                            "* CAPABILITY {}\r\n{tag} OK CAPABILITY completed\r\n",
                            caps(&conn)
                        );
                    }
                    CommandBody::Noop => reply = format!("{tag} OK NOOP completed\r\n"),
                    CommandBody::Logout => {
                        let bye = format!(
                            "* BYE imapload CAS logging out\r\n{tag} OK LOGOUT completed\r\n"
                        );
                        let _ = conn.send(bye.as_bytes()).await;
                        return;
                    }
                    CommandBody::Login { username, password } => {
                        login = Some((
                            String::from_utf8_lossy(username.as_ref()).into_owned(),
                            Credential::Password(
                                String::from_utf8_lossy(password.declassify().as_ref())
                                    .into_owned(),
                            ),
                        ));
                    }
                    CommandBody::Authenticate {
                        mechanism: AuthMechanism::Plain,
                        initial_response,
                    } => {
                        let response = match initial_response {
                            Some(r) => Some(r.declassify().to_vec()),
                            None => match sasl_continuation(&mut conn).await {
                                Ok(r) => r,
                                Err(()) => return,
                            },
                        };
                        match response.as_deref().and_then(parse_plain) {
                            Some((user, pass)) => login = Some((user, Credential::Password(pass))),
                            None => {
                                bads += 1;
                                reply =
                                    format!("{tag} BAD AUTHENTICATE cancelled or malformed\r\n");
                            }
                        }
                    }
                    CommandBody::Authenticate {
                        mechanism,
                        initial_response,
                    } => match Bearer::of(&mechanism) {
                        Some(mech) => {
                            let response = match initial_response {
                                Some(r) => Some(r.declassify().to_vec()),
                                None => match sasl_continuation(&mut conn).await {
                                    Ok(r) => r,
                                    Err(()) => return,
                                },
                            };
                            let parsed = response.as_deref().and_then(|r| mech.parse(r));
                            let (user, token) =
                                parsed.map_or_else(Default::default, |l| (l.user, l.token));
                            login = Some((user, Credential::Token(mech, token)));
                        }
                        None => {
                            let only = "Only AUTH=PLAIN, XOAUTH2 and OAUTHBEARER are supported";
                            reply = format!("{tag} NO [CANNOT] {only}\r\n");
                        }
                    },
                    _ => {
                        bads += 1;
                        reply = format!("{tag} BAD Command received in Invalid state.\r\n");
                    }
                },
                _ => {
                    bads += 1;
                    reply = format!("{tag} BAD Invalid command\r\n");
                }
            }
        }
        if let Some((user, credential)) = login {
            match cas.login(&tag, &user, &credential, &mut conn).await {
                Login::Relay(backend, extra) => {
                    upstream::relay(conn, backend, extra).await;
                    return;
                }
                Login::Refused => continue,
            }
        }
        if bads >= MAX_BADS {
            reply.push_str("* BYE Too many invalid commands\r\n");
            let _ = conn.send(reply.as_bytes()).await;
            return;
        }
        if conn.send(reply.as_bytes()).await.is_err() {
            return;
        }
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

impl CasUser {
    /// Whether `credential` is this user's password or token.
    fn accepts(&self, credential: &Credential) -> bool {
        match credential {
            Credential::Password(p) => *p == self.password,
            Credential::Token(_, t) => *t == self.token,
        }
    }
}

impl Cas {
    async fn login(
        &self,
        tag: &str,
        user: &str,
        credential: &Credential,
        conn: &mut Conn,
    ) -> Login {
        self.control.wait_unstalled().await;
        pause(self.control.added_delay()).await;
        let refuse = |why: &str| format!("{tag} NO {why}\r\n");
        let reply = if self.control.refuse_logins() {
            refuse("[UNAVAILABLE] Logins are refused right now")
        } else if self.login_disabled_without_tls && !conn.tls {
            refuse("[PRIVACYREQUIRED] LOGIN is disabled before STARTTLS")
        } else {
            match self.users.get(user).filter(|u| u.accepts(credential)) {
                Some(CasUser { password, home, .. }) => {
                    match self.backend_login(home, user, password).await {
                        Ok((backend, extra)) => {
                            self.control.count_login(true);
                            let caps = capabilities(true, false, false);
                            // Like Exchange, name the mailbox server that took the
                            // login as plain trailing text (the response code stays
                            // first), so probes can report which back end answered.
                            let ok = format!(
                                "{tag} OK [CAPABILITY {caps}] LOGIN completed. [Proxy={home}]\r\n"
                            );
                            if conn.send(ok.as_bytes()).await.is_err() {
                                return Login::Refused;
                            }
                            return Login::Relay(backend, extra);
                        }
                        Err(why) => refuse(&format!(
                            "[UNAVAILABLE] Mailbox server {home} unavailable: {why}"
                        )),
                    }
                }
                None => {
                    if let Credential::Token(mech, _) = credential {
                        if challenge_error(conn, *mech).await.is_err() {
                            return Login::Refused;
                        }
                    }
                    refuse("[AUTHENTICATIONFAILED] Authentication failed.")
                }
            }
        };
        self.control.count_login(false);
        let _ = conn.send(reply.as_bytes()).await;
        Login::Refused
    }

    async fn backend_login(
        &self,
        home: &str,
        user: &str,
        pass: &str,
    ) -> Result<(Box<dyn Upstream>, Vec<u8>), String> {
        let addr = *self
            .backends
            .get(home)
            .ok_or_else(|| format!("unknown back end {home}"))?;
        self.control.count_backend_connection();
        upstream::login(addr, self.upstream_tls.as_ref(), user, pass).await
    }
}
