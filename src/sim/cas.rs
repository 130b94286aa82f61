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

use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

use crate::imap::conn::Parts;
use crate::plan::{embedded_token, User};
use crate::sim::backend::{authenticated_capabilities, MAX_BADS};
use crate::sim::io::{tag_of, verb_of, Conn};
use crate::sim::listen::accept_loop;
use crate::sim::oauth::{challenge_error, Bearer};

mod unauthenticated;
use crate::sim::service::{pause, ServerControl};
use crate::sim::upstream;
use unauthenticated::{next_command, Read, Step};

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
    Relay(Parts),
    /// Answer already written; stay unauthenticated.
    Refused,
}

/// One client connection: greeting, commands until a login succeeds, then
/// the relay to the user's home back end.
async fn session(cas: Arc<Cas>, mut conn: Conn) {
    let greeting = format!(
        "* OK [CAPABILITY {}] imapload CAS {} ready\r\n",
        cas.capabilities(&conn),
        cas.name
    );
    if conn.send(greeting.as_bytes()).await.is_err() {
        return;
    }
    let mut bads = 0;
    loop {
        let raw = match next_command(&mut conn, &mut bads).await {
            Read::Command(raw) => raw,
            Read::Refused => continue,
            Read::Over => return,
        };
        cas.control.count_command();
        let tag = tag_of(&raw);
        let step = if verb_of(&raw) == "STARTTLS" {
            cas.starttls(&mut conn, &tag).await
        } else {
            cas.command(&mut conn, &tag, &raw).await
        };
        let mut reply = match step {
            Step::Reply { text, bad } => {
                bads += u32::from(bad);
                text
            }
            Step::Login { user, credential } => {
                match cas.login(&tag, &user, &credential, &mut conn).await {
                    Login::Relay(backend) => return upstream::relay(conn, backend).await,
                    Login::Refused => continue,
                }
            }
            Step::Next => continue,
            Step::End => return,
        };
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
                        Ok(backend) => {
                            self.control.count_login(true);
                            let caps = authenticated_capabilities();
                            // Like Exchange, name the mailbox server that took the
                            // login as plain trailing text (the response code stays
                            // first), so probes can report which back end answered.
                            let ok = format!(
                                "{tag} OK [CAPABILITY {caps}] LOGIN completed. [Proxy={home}]\r\n"
                            );
                            if conn.send(ok.as_bytes()).await.is_err() {
                                return Login::Refused;
                            }
                            return Login::Relay(backend);
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

    async fn backend_login(&self, home: &str, user: &str, pass: &str) -> Result<Parts, String> {
        let addr = *self
            .backends
            .get(home)
            .ok_or_else(|| format!("unknown back end {home}"))?;
        self.control.count_backend_connection();
        upstream::login(addr, self.upstream_tls.as_ref(), user, pass).await
    }
}
