//! One probe execution: Exchange's sequence over the shared IMAP client core,
//! with every way it can fail mapped to the step that broke.

use std::time::{Duration, Instant, SystemTime};

use super::exchange::{bracket_field, lossy, ExchangeError, Wire};
use super::{FailureClass, ProbeKind, ProbeResult};
use crate::imap::client::{self, ClientError};
use crate::imap::conn::{Connection, ImapError};
use crate::imap::framer::Limits;
use crate::imap::tls::TlsClient;
use crate::imap::url::Endpoint;
use crate::results::Security;

/// How long LOGOUT may take at most; it is a courtesy, not part of the verdict.
const LOGOUT_GRACE: Duration = Duration::from_secs(2);

/// Runs the Exchange sequence once: connect (+TLS for `imaps`, STARTTLS for
/// `?starttls`), greeting (untagged OK), `z1 CAPABILITY` -> OK, unless the
/// probe is light `z2 LOGIN user pass` -> OK, then `z3 LOGOUT` and close.
///
/// Each attempt is bounded by `timeout` (a LOGOUT that does not finish in
/// time is abandoned, not counted against the probe). Exchange retries a
/// probe that is not local once before counting it failed: with `retry`, a
/// failed attempt is followed by one more, and the result (latency included)
/// is the final attempt's. The password never appears in the result.
#[allow(clippy::too_many_arguments)]
pub async fn run_probe(
    kind: ProbeKind,
    server_name: &str,
    endpoint: &Endpoint,
    tls: &TlsClient,
    user: &str,
    password: &str,
    timeout: Duration,
    retry: bool,
) -> ProbeResult {
    let started_at = SystemTime::now();
    let creds = (user, password);
    let mut outcome = attempt(kind, endpoint, tls, creds, timeout).await;
    if retry && outcome.result.is_err() {
        outcome = attempt(kind, endpoint, tls, creds, timeout).await;
    }
    let (ok, failure, error, proxied) = match outcome.result {
        Ok(proxied) => (true, None, None, proxied),
        Err(f) => (
            false,
            Some(f.class),
            Some(scrub(&f.error, password)),
            f.proxied,
        ),
    };
    // A back end is its own mailbox server; through a CAS only the login
    // answer's `[Proxy=...]` can tell.
    let mailbox_server = if kind.targets_cas() {
        proxied
    } else {
        Some(server_name.to_string())
    };
    ProbeResult {
        kind,
        server: server_name.to_string(),
        ok,
        latency: outcome.latency,
        failure,
        error,
        mailbox_server,
        started_at,
    }
}

/// The step the sequence is in, so a timeout or a dropped connection can
/// say where it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Connect,
    Tls,
    Greeting,
    StartTls,
    Capability,
    Login,
}

impl Stage {
    fn what(self) -> &'static str {
        match self {
            Stage::Connect => "connect",
            Stage::Tls => "TLS handshake",
            Stage::Greeting => "greeting",
            Stage::StartTls => "STARTTLS",
            Stage::Capability => "CAPABILITY",
            Stage::Login => "LOGIN",
        }
    }

    /// The class of a protocol violation (not a timeout or disconnect) here.
    fn class(self) -> FailureClass {
        match self {
            Stage::Connect => FailureClass::Connect,
            Stage::Tls | Stage::StartTls => FailureClass::Tls,
            Stage::Greeting => FailureClass::Greeting,
            Stage::Capability => FailureClass::Capability,
            Stage::Login => FailureClass::Auth,
        }
    }
}

/// A failed attempt.
#[derive(Debug)]
struct Failure {
    class: FailureClass,
    error: String,
    /// `[Proxy=...]` of a refused login, when the server named one.
    proxied: Option<String>,
}

impl Failure {
    fn new(class: FailureClass, error: String) -> Failure {
        Failure {
            class,
            error,
            proxied: None,
        }
    }

    /// A transport error while in `stage`.
    fn io(stage: Stage, e: ImapError) -> Failure {
        let class = match e {
            ImapError::Closed | ImapError::Io(_) => FailureClass::Disconnect,
            ImapError::Tls(_) => FailureClass::Tls,
            ImapError::Frame(_) => stage.class(),
        };
        Failure::new(class, format!("{}: {e}", stage.what()))
    }

    fn exchange(stage: Stage, e: ExchangeError) -> Failure {
        match e {
            ExchangeError::Io(e) => Failure::io(stage, e),
            ExchangeError::Bye(text) => Failure::new(
                FailureClass::Disconnect,
                format!("{}: server said BYE {text}", stage.what()),
            ),
            ExchangeError::Unexpected(why) => {
                Failure::new(stage.class(), format!("{}: {why}", stage.what()))
            }
        }
    }
}

/// One attempt's latency and outcome (`Ok` carries `[Proxy=...]`).
struct Attempt {
    latency: Duration,
    result: Result<Option<String>, Failure>,
}

async fn attempt(
    kind: ProbeKind,
    endpoint: &Endpoint,
    tls: &TlsClient,
    creds: (&str, &str),
    timeout: Duration,
) -> Attempt {
    let t0 = Instant::now();
    let deadline = t0 + timeout;
    let mut stage = Stage::Connect;
    let run = sequence(kind, endpoint, tls, creds, &mut stage);
    let result = match tokio::time::timeout_at(deadline.into(), run).await {
        Err(_) => Err(Failure::new(
            FailureClass::Timeout,
            format!(
                "timed out after {} ms in {}",
                timeout.as_millis(),
                stage.what()
            ),
        )),
        Ok(Err(f)) => Err(f),
        Ok(Ok((mut wire, proxied))) => {
            let grace = deadline.min(Instant::now() + LOGOUT_GRACE);
            let _ = tokio::time::timeout_at(grace.into(), async {
                let _ = wire.verb(b"LOGOUT").await;
                wire.conn.shutdown().await;
            })
            .await;
            Ok(proxied)
        }
    };
    Attempt {
        latency: t0.elapsed(),
        result,
    }
}

/// Connect to LOGIN; returns the open connection and `[Proxy=...]`.
async fn sequence(
    kind: ProbeKind,
    endpoint: &Endpoint,
    tls: &TlsClient,
    (user, password): (&str, &str),
    stage: &mut Stage,
) -> Result<(Wire, Option<String>), Failure> {
    let authority = endpoint.authority();
    let conn = Connection::connect_host(&authority, Limits::default())
        .await
        .map_err(|e| {
            Failure::new(
                FailureClass::Connect,
                format!("cannot connect to {authority}: {e}"),
            )
        })?;
    let mut wire = Wire::new(conn);
    if endpoint.security == Security::Tls {
        *stage = Stage::Tls;
        upgrade(&mut wire.conn, tls, endpoint).await?;
    }
    *stage = Stage::Greeting;
    greeting(&mut wire.conn).await?;
    if endpoint.security == Security::StartTls {
        *stage = Stage::StartTls;
        let answer =
            (wire.verb(b"STARTTLS").await).map_err(|e| Failure::exchange(Stage::StartTls, e))?;
        if !answer.ok() {
            return Err(Failure::new(
                FailureClass::Tls,
                format!("STARTTLS refused: {}", answer.describe()),
            ));
        }
        upgrade(&mut wire.conn, tls, endpoint).await?;
    }
    *stage = Stage::Capability;
    let answer =
        (wire.verb(b"CAPABILITY").await).map_err(|e| Failure::exchange(Stage::Capability, e))?;
    if !answer.ok() {
        return Err(Failure::new(
            FailureClass::Capability,
            format!("CAPABILITY failed: {}", answer.describe()),
        ));
    }
    if kind.light() {
        return Ok((wire, None));
    }
    *stage = Stage::Login;
    if answer.login_disabled && !wire.conn.is_tls() {
        let why = "the server advertises LOGINDISABLED on this plain connection; the password \
                   was not sent (use imaps:// or ?starttls)";
        return Err(Failure::new(FailureClass::Auth, why.to_string()));
    }
    let answer =
        (wire.login(user, password).await).map_err(|e| Failure::exchange(Stage::Login, e))?;
    let proxied = bracket_field(&answer.text, "Proxy");
    if !answer.ok() {
        let error = match bracket_field(&answer.text, "Error") {
            Some(why) => format!("LOGIN failed: {why} ({})", answer.describe()),
            None => format!("LOGIN failed: {}", answer.describe()),
        };
        return Err(Failure {
            class: FailureClass::Auth,
            error,
            proxied,
        });
    }
    Ok((wire, proxied))
}

async fn upgrade(conn: &mut Connection, tls: &TlsClient, ep: &Endpoint) -> Result<(), Failure> {
    conn.upgrade_tls(tls, ep.server_name()).await.map_err(|e| {
        Failure::new(
            FailureClass::Tls,
            format!("TLS with {}: {e}", ep.server_name()),
        )
    })
}

/// Reads the greeting; only an untagged OK lets the probe go on.
async fn greeting(conn: &mut Connection) -> Result<(), Failure> {
    match client::greeting(conn).await {
        Ok(g) if !g.preauth => Ok(()),
        Err(ClientError::Transport(e)) => Err(Failure::io(Stage::Greeting, e)),
        Ok(_) | Err(_) => Err(Failure::new(
            FailureClass::Greeting,
            format!(
                "unexpected greeting `{}`",
                lossy(conn.last_response().raw())
            ),
        )),
    }
}

/// Longest error kept: a probe error is read on a terminal and in a CSV cell.
const MAX_ERROR_CHARS: usize = 300;

/// One line of bounded length, with the password masked in case a server
/// echoed it back (masked before cutting, so no prefix of it survives).
fn scrub(error: &str, password: &str) -> String {
    let mut line = lossy(error.as_bytes());
    if !password.is_empty() {
        line = line.replace(password, "********");
    }
    if line.chars().count() > MAX_ERROR_CHARS {
        line = line.chars().take(MAX_ERROR_CHARS).collect::<String>() + "...";
    }
    line
}

#[cfg(test)]
mod tests {
    use super::scrub;

    #[test]
    fn scrub_masks_the_password_and_joins_lines() {
        assert_eq!(
            scrub("LOGIN failed: NO bad pass s3cret\r\nmore", "s3cret"),
            "LOGIN failed: NO bad pass ********  more"
        );
        assert_eq!(scrub("x", ""), "x");
        assert_eq!(scrub(&"y".repeat(1000), "p").len(), 303);
    }
}
