//! One user's IMAP session of `imapload populate`: log in, learn the
//! hierarchy delimiter and the folders there are, CREATE and SUBSCRIBE the
//! missing ones, count what each holds (STATUS) and APPEND the rest.

use std::convert::Infallible;

use crate::imap::capability::Capabilities;
use crate::imap::client::{self, CapabilityWatch, Expect, Reply, Tag};
use crate::imap::conn::Connection;
use crate::imap::encoder::CommandBuf;
use crate::imap::framer::Limits;
use crate::imap::response::{Kind, Response};
use crate::mailset::Flags;
use crate::results::Security;

use super::Target;

/// A logged-in IMAP connection of one user.
pub(super) struct Session {
    conn: Connection,
    cmd: CommandBuf,
    caps: Capabilities,
    /// The server's hierarchy delimiter (`/` when it has none).
    pub delimiter: char,
}

/// A failed step: what was sent and what the server or the transport said.
pub(super) type Failed = String;

/// Turns a client error into a one-line failure naming `what`.
fn failed<E: std::fmt::Debug>(what: &str, e: client::ClientError<E>) -> Failed {
    format!("{what}: {e}")
}

impl Session {
    /// Connects to `target` (TLS as its URL says), logs in and learns the delimiter.
    pub async fn open(target: &Target, user: &str, password: &str) -> Result<Session, Failed> {
        let authority = target.endpoint.authority();
        let mut conn = Connection::connect_host(&authority, Limits::default())
            .await
            .map_err(|e| format!("connect to {authority}: {e}"))?;
        if target.endpoint.security == Security::Tls {
            Self::tls(&mut conn, target).await?;
        }
        let greeting = client::greeting(&mut conn)
            .await
            .map_err(|e| failed("greeting", e))?;
        let mut session = Session {
            conn,
            cmd: CommandBuf::new(),
            caps: greeting.capabilities.unwrap_or_default(),
            delimiter: '/',
        };
        if target.endpoint.security == Security::StartTls {
            session.simple("STARTTLS", &[]).await?;
            Self::tls(&mut session.conn, target).await?;
            session.caps = Capabilities::default();
        }
        session.login(user, password).await?;
        session.delimiter = session.learn_delimiter().await?;
        Ok(session)
    }

    /// The TLS handshake with the target's server name.
    async fn tls(conn: &mut Connection, target: &Target) -> Result<(), Failed> {
        let Some(tls) = &target.tls else {
            return Err("TLS asked for but not configured".to_string());
        };
        (conn.upgrade_tls(tls, target.endpoint.server_name()).await)
            .map_err(|e| format!("TLS with {}: {e}", target.endpoint.authority()))
    }

    /// LOGIN (each value quoted or a literal), then CAPABILITY unless the OK carried them.
    async fn login(&mut self, user: &str, password: &str) -> Result<(), Failed> {
        let caps = self.caps;
        let (tag, parts) =
            client::encode_login(&mut self.cmd, user.as_bytes(), password.as_bytes(), |n| {
                caps.non_sync_literal_ok(n)
            });
        let parts: Vec<&[&[u8]]> = parts.iter().map(std::slice::from_ref).collect();
        let mut watch = CapabilityWatch::default();
        let sent = client::command(
            &mut self.conn,
            &parts,
            &Expect::tagged(Tag::Numbered(tag)),
            &mut watch,
        )
        .await
        .map_err(|e| failed("LOGIN", e))?;
        self.check("LOGIN", sent.reply)?;
        match watch.seen {
            Some(caps) => self.caps = caps,
            None => {
                let mut watch = CapabilityWatch::default();
                self.run("CAPABILITY", &[], &mut watch).await?;
                self.caps = watch.seen.unwrap_or_default();
            }
        }
        Ok(())
    }

    /// A tagged answer that is not OK is a failure with the server's text.
    fn check(&self, what: &str, reply: Reply) -> Result<(), Failed> {
        if reply == Reply::OK {
            return Ok(());
        }
        let text = String::from_utf8_lossy(self.conn.last_response().raw());
        Err(format!("{what} refused: {}", text.trim_end()))
    }

    /// Sends `verb` and its pre-encoded `args` (one command line, no
    /// literals), showing the responses to `obs`; a NO or BAD is a failure.
    async fn run<O>(&mut self, verb: &str, args: &[&[u8]], obs: &mut O) -> Result<(), Failed>
    where
        O: client::Observer,
        O::Error: std::fmt::Debug,
    {
        let tag = self.cmd.begin();
        self.cmd.atom(verb.as_bytes());
        for arg in args {
            self.cmd.sp().raw(arg);
        }
        self.cmd.crlf();
        let line = self.cmd.as_bytes();
        let sent = client::command(
            &mut self.conn,
            &[&[line]],
            &Expect::tagged(Tag::Numbered(tag)),
            obs,
        )
        .await
        .map_err(|e| failed(verb, e))?;
        self.check(verb, sent.reply)
    }

    /// [`Session::run`] ignoring the untagged data.
    async fn simple(&mut self, verb: &str, args: &[&[u8]]) -> Result<(), Failed> {
        let mut ignore = |_: &Response<'_>| Ok::<(), Infallible>(());
        self.run(verb, args, &mut ignore).await
    }

    /// `LIST "" ""`: the hierarchy delimiter (NIL: none, `/` is used).
    async fn learn_delimiter(&mut self) -> Result<char, Failed> {
        let mut delimiter = '/';
        let mut obs = |resp: &Response<'_>| {
            if let Some(entry) = list_entry(resp) {
                delimiter = entry.0.unwrap_or('/');
            }
            Ok::<(), Infallible>(())
        };
        self.run("LIST", &[b"\"\" \"\""], &mut obs).await?;
        Ok(delimiter)
    }

    /// `LIST "" "*"`: every mailbox name there is.
    pub async fn mailboxes(&mut self) -> Result<Vec<String>, Failed> {
        let mut names = Vec::new();
        let mut obs = |resp: &Response<'_>| {
            if let Some((_, name)) = list_entry(resp) {
                names.push(name);
            }
            Ok::<(), Infallible>(())
        };
        self.run("LIST", &[b"\"\" \"*\""], &mut obs).await?;
        Ok(names)
    }

    /// CREATE then SUBSCRIBE `mailbox`.
    pub async fn create(&mut self, mailbox: &str) -> Result<(), Failed> {
        let name = quoted(mailbox);
        self.simple("CREATE", &[&name]).await?;
        self.simple("SUBSCRIBE", &[&name]).await
    }

    /// `STATUS mailbox (MESSAGES)`: how many messages it holds.
    pub async fn count(&mut self, mailbox: &str) -> Result<u32, Failed> {
        let mut messages = None;
        let mut obs = |resp: &Response<'_>| {
            if resp
                .untagged_keyword()
                .is_some_and(|k| k.eq_ignore_ascii_case(b"STATUS"))
            {
                messages = status_messages(resp.raw());
            }
            Ok::<(), Infallible>(())
        };
        self.run("STATUS", &[&quoted(mailbox), b"(MESSAGES)"], &mut obs)
            .await?;
        messages.ok_or_else(|| format!("STATUS {mailbox}: no MESSAGES in the answer"))
    }

    /// APPENDs `message` to `mailbox` with `flags` and INTERNALDATE `date`
    /// (a non-synchronizing literal when the server offers LITERAL+).
    pub async fn append(
        &mut self,
        mailbox: &str,
        flags: Flags,
        date: &str,
        message: &[u8],
    ) -> Result<(), Failed> {
        let non_sync = self.caps.non_sync_literal_ok(message.len());
        let tag = self.cmd.begin();
        self.cmd
            .atom(b"APPEND")
            .sp()
            .quoted(mailbox.as_bytes())
            .sp();
        self.cmd.raw(b"(").raw(flags.names().as_bytes()).raw(b") ");
        self.cmd
            .quoted(date.as_bytes())
            .sp()
            .literal_header(message.len(), non_sync);
        let head = self.cmd.as_bytes();
        let whole: [&[u8]; 3] = [head, message, b"\r\n"];
        let (first, rest): ([&[u8]; 1], [&[u8]; 2]) = ([head], [message, b"\r\n"]);
        let parts: Vec<&[&[u8]]> = if non_sync {
            vec![&whole]
        } else {
            vec![&first, &rest]
        };
        let mut ignore = |_: &Response<'_>| Ok::<(), Infallible>(());
        let sent = client::command(
            &mut self.conn,
            &parts,
            &Expect::tagged(Tag::Numbered(tag)),
            &mut ignore,
        )
        .await
        .map_err(|e| failed("APPEND", e))?;
        self.check(&format!("APPEND to {mailbox}"), sent.reply)
    }

    /// LOGOUT (its answer is not waited for beyond the BYE) and close.
    pub async fn logout(mut self) {
        let _ = self.conn.send(b"z LOGOUT\r\n").await;
        self.conn.shutdown().await;
    }
}

/// `mailbox` as a quoted string.
fn quoted(mailbox: &str) -> Vec<u8> {
    let mut cmd = CommandBuf::new();
    cmd.begin();
    let start = cmd.as_bytes().len();
    cmd.quoted(mailbox.as_bytes());
    cmd.as_bytes()[start..].to_vec()
}

/// `* LIST (attrs) "d" name` -> (delimiter, name): quoted or atom names (no literals).
fn list_entry(resp: &Response<'_>) -> Option<(Option<char>, String)> {
    if resp.kind() != Kind::Untagged || !resp.untagged_keyword()?.eq_ignore_ascii_case(b"LIST") {
        return None;
    }
    let text = std::str::from_utf8(resp.text()).ok()?;
    let rest = &text[text.find(')')? + 1..].trim_start();
    let (delimiter, rest) = if let Some(after) = rest.strip_prefix("NIL") {
        (None, after)
    } else {
        let inner = rest.strip_prefix('"')?;
        let (d, len) = match inner.strip_prefix('\\') {
            Some(escaped) => (escaped.chars().next()?, 2),
            None => (inner.chars().next()?, 1),
        };
        (Some(d), inner.get(len + 1..)?)
    };
    let name = rest.trim();
    let name = match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
        Some(q) => q.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => name.to_string(),
    };
    Some((delimiter, name))
}

/// The MESSAGES count in a `* STATUS name (MESSAGES n)` line.
fn status_messages(raw: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(raw).ok()?;
    let at = text.rfind("MESSAGES ")? + "MESSAGES ".len();
    let digits: String = text[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_entries_and_status_counts_are_read() {
        let entry = |raw: &[u8]| list_entry(&Response::new(raw));
        assert_eq!(
            entry(b"* LIST (\\HasNoChildren) \"/\" \"Projects/2026\"\r\n"),
            Some((Some('/'), "Projects/2026".to_string()))
        );
        assert_eq!(
            entry(b"* LIST (\\Noselect) \".\" INBOX\r\n"),
            Some((Some('.'), "INBOX".into()))
        );
        assert_eq!(
            entry(b"* LIST () NIL Sent\r\n"),
            Some((None, "Sent".into()))
        );
        assert_eq!(
            entry(b"* LIST (\\Noselect) \"\\\\\" \"\"\r\n"),
            Some((Some('\\'), String::new()))
        );
        assert_eq!(entry(b"* LSUB () \"/\" x\r\n"), None);
        assert_eq!(
            status_messages(b"* STATUS \"Sent\" (MESSAGES 17)\r\n"),
            Some(17)
        );
        assert_eq!(status_messages(b"* STATUS INBOX (UIDNEXT 3)\r\n"), None);
    }
}
