//! The LMTP listener of an embedded back end (RFC 2033): minimal but
//! correct mail injection for the users homed there. LHLO (PIPELINING,
//! ENHANCEDSTATUSCODES, 8BITMIME), MAIL FROM, RCPT TO (`<user>` or
//! `<user@any.domain>`, a `+detail` ignored; 550 for a user not homed
//! here), DATA with dot-unstuffing and one reply per accepted recipient,
//! RSET, NOOP, QUIT. Each message lands in the recipient's INBOX as APPEND
//! stores it, so sessions idling there see `EXISTS`.

use std::sync::Arc;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::backend::Backend;
use super::io::{Conn, MAX_LINE, MAX_LITERAL};
use super::listen::accept_loop;
use super::service::ServerControl;

/// Recipients one transaction takes before `452 4.5.3`.
const MAX_RECIPIENTS: usize = 1000;

/// Accepts LMTP connections for `backend` until `shutdown` is cancelled.
/// The listener has its own gauges: LMTP traffic does not count as IMAP
/// connections of the back end.
pub async fn run(listener: TcpListener, backend: Arc<Backend>, shutdown: CancellationToken) {
    let control = ServerControl::new(1);
    accept_loop(listener, None, control, shutdown, move |conn| {
        session(backend.clone(), conn)
    })
    .await;
}

/// One LMTP transaction's state.
#[derive(Default)]
struct Transaction {
    /// LHLO was sent.
    greeted: bool,
    /// MAIL FROM was accepted.
    from: bool,
    /// The accepted recipients (user names), in RCPT order.
    rcpts: Vec<String>,
}

async fn session(be: Arc<Backend>, mut conn: Conn) {
    let hello = format!("220 {} LMTP imapload ready\r\n", be.name);
    if conn.send(hello.as_bytes()).await.is_err() {
        return;
    }
    let mut t = Transaction::default();
    loop {
        let line = match conn.read_line(MAX_LINE).await {
            Ok(Some(Ok(l))) => l,
            Ok(Some(Err(()))) => {
                if conn.send(b"500 5.5.2 Line too long\r\n").await.is_err() {
                    return;
                }
                continue;
            }
            _ => return,
        };
        let text = String::from_utf8_lossy(line.trim_ascii_end()).into_owned();
        let (verb, arg) = text.split_once(' ').unwrap_or((&text, ""));
        let reply = match verb.to_ascii_uppercase().as_str() {
            "LHLO" => {
                t = Transaction {
                    greeted: true,
                    ..Transaction::default()
                };
                format!(
                    "250-{}\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250 8BITMIME\r\n",
                    be.name
                )
            }
            "MAIL" => mail(&mut t, arg),
            "RCPT" => rcpt(&be, &mut t, arg),
            "DATA" => match data(&be, &mut t, &mut conn).await {
                Some(reply) => reply,
                None => return,
            },
            "RSET" => {
                t.from = false;
                t.rcpts.clear();
                "250 2.0.0 Ok\r\n".to_string()
            }
            "NOOP" => "250 2.0.0 Ok\r\n".to_string(),
            "QUIT" => {
                let _ = conn.send(b"221 2.0.0 Bye\r\n").await;
                return;
            }
            "HELO" | "EHLO" => "500 5.5.1 This is LMTP: say LHLO\r\n".to_string(),
            _ => "500 5.5.2 Command not recognized\r\n".to_string(),
        };
        if conn.send(reply.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// MAIL FROM:<path>: starts a transaction (after LHLO, not inside another).
fn mail(t: &mut Transaction, arg: &str) -> String {
    let reply = if !t.greeted {
        "503 5.5.1 Say LHLO first"
    } else if t.from {
        "503 5.5.1 Nested MAIL command"
    } else if address(arg, "FROM:").is_none() {
        "501 5.5.4 Syntax: MAIL FROM:<address>"
    } else {
        t.from = true;
        "250 2.1.0 Ok"
    };
    format!("{reply}\r\n")
}

/// RCPT TO:<user[@domain]>: a user homed on this back end, else 550.
fn rcpt(be: &Backend, t: &mut Transaction, arg: &str) -> String {
    if !t.from {
        return "503 5.5.1 MAIL first\r\n".to_string();
    }
    let Some(path) = address(arg, "TO:") else {
        return "501 5.5.4 Syntax: RCPT TO:<address>\r\n".to_string();
    };
    if t.rcpts.len() >= MAX_RECIPIENTS {
        return "452 4.5.3 Too many recipients\r\n".to_string();
    }
    let local = path.split('@').next().unwrap_or_default();
    let user = local.split('+').next().unwrap_or_default();
    if be.store.homed(user).is_none() {
        return format!("550 5.1.1 <{path}> User unknown on {}\r\n", be.name);
    }
    t.rcpts.push(user.to_string());
    "250 2.1.5 Ok\r\n".to_string()
}

/// DATA: `354`, the message up to its lone dot (dot-unstuffed), then one
/// reply per accepted recipient. `None` when the connection ended.
async fn data(be: &Backend, t: &mut Transaction, conn: &mut Conn) -> Option<String> {
    if t.rcpts.is_empty() {
        return Some("503 5.5.1 No valid recipients\r\n".to_string());
    }
    conn.send(b"354 Start mail input; end with <CRLF>.<CRLF>\r\n")
        .await
        .ok()?;
    let mut message = Vec::new();
    let mut too_big = false;
    loop {
        let line = match conn.read_line(MAX_LINE).await.ok()?? {
            Ok(l) => l,
            Err(()) => {
                too_big = true;
                continue;
            }
        };
        if line == b".\r\n" || line == b".\n" {
            break;
        }
        let line = line.strip_prefix(b".").unwrap_or(&line);
        if message.len() + line.len() > MAX_LITERAL as usize {
            too_big = true;
        }
        if !too_big {
            message.extend_from_slice(line);
        }
    }
    let mut reply = String::new();
    for user in std::mem::take(&mut t.rcpts) {
        reply.push_str(&match (too_big, be.deliver(&user, &message)) {
            (true, _) => "552 5.3.4 Message too big\r\n".to_string(),
            (false, Some(uid)) => format!("250 2.0.0 <{user}> delivered as UID {uid}\r\n"),
            (false, None) => format!("450 4.2.0 <{user}> mailbox unavailable\r\n"),
        });
    }
    t.from = false;
    Some(reply)
}

/// The address of `FROM:<a>` / `TO:<a>` (prefix case-insensitive,
/// parameters after `>` ignored); `None` when malformed.
fn address<'a>(arg: &'a str, prefix: &str) -> Option<&'a str> {
    let head = arg.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = arg[prefix.len()..].trim_start();
    let inner = rest.strip_prefix('<')?;
    let end = inner.find('>')?;
    Some(&inner[..end])
}
