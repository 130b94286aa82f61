//! Authentication on the back end: LOGIN, AUTHENTICATE PLAIN (with SASL-IR
//! or a `+` continuation) and STARTTLS, with the LOGINDISABLED and
//! refuse-logins rules.

use std::sync::Arc;

use base64::Engine as _;

use super::capabilities;
use super::session::{Next, Session, State};
use crate::command::CommandKind;
use crate::sim::io::MAX_LINE;
use crate::sim::store::Account;

impl Session {
    pub(super) fn login(&mut self, tag: &str, user: &str, pass: &str) {
        if self.login_refused(tag) {
            return;
        }
        let r = self.be.store.login(user, pass);
        self.login_result(tag, r.ok());
    }

    /// Writes the NO of a login that may not happen now (already
    /// authenticated, LOGINDISABLED, refused logins); `true` if it did.
    pub(super) fn login_refused(&mut self, tag: &str) -> bool {
        if !matches!(self.state, State::NotAuth) {
            self.bad(tag, "Already authenticated");
            return true;
        }
        if self.login_disabled() {
            self.be.control.count_login(false);
            self.line(format!(
                "{tag} NO [PRIVACYREQUIRED] LOGIN is disabled before STARTTLS"
            ));
            return true;
        }
        if self.be.control.refuse_logins() {
            self.be.control.count_login(false);
            self.line(format!(
                "{tag} NO [UNAVAILABLE] Logins are refused right now"
            ));
            return true;
        }
        false
    }

    /// Answers a checked login: OK and authenticated with the account, else NO.
    pub(super) fn login_result(&mut self, tag: &str, account: Option<Arc<Account>>) {
        match account {
            Some(account) => {
                self.be.control.count_login(true);
                self.state = State::Auth(account);
                let caps = capabilities(self.conn.tls, false, false);
                self.line(format!("{tag} OK [CAPABILITY {caps}] LOGIN completed."));
            }
            None => {
                self.be.control.count_login(false);
                self.line(format!(
                    "{tag} NO [AUTHENTICATIONFAILED] Authentication failed."
                ));
            }
        }
    }

    /// Sends `+ ` and reads the client's base64 line. `Ok(None)` when the
    /// exchange ended with an answer already queued (cancel, bad base64).
    pub(super) async fn sasl_continuation(&mut self, tag: &str) -> Result<Option<Vec<u8>>, ()> {
        if !matches!(self.state, State::NotAuth) {
            self.bad(tag, "Already authenticated");
            return Ok(None);
        }
        self.line("+ ");
        self.flush().await.map_err(|_| ())?;
        let line = match self.conn.read_line(MAX_LINE).await {
            Ok(Some(Ok(l))) => l,
            Ok(Some(Err(()))) => {
                self.bad(tag, "Line too long");
                return Ok(None);
            }
            _ => return Err(()),
        };
        let text = line.trim_ascii();
        if text == b"*" {
            self.bad(tag, "AUTHENTICATE cancelled");
            return Ok(None);
        }
        match base64::engine::general_purpose::STANDARD.decode(text) {
            Ok(b) => Ok(Some(b)),
            Err(_) => {
                self.bad(tag, "Invalid base64");
                Ok(None)
            }
        }
    }

    pub(super) fn authenticate(&mut self, tag: &str, response: Vec<u8>) {
        if !matches!(self.state, State::NotAuth) {
            self.bad(tag, "Already authenticated");
            return;
        }
        let mut parts = response.split(|b| *b == 0);
        let (_authz, user, pass) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(z), Some(u), Some(p), None) => (z, u, p),
            _ => {
                self.be.control.count_login(false);
                self.line(format!(
                    "{tag} NO [AUTHENTICATIONFAILED] Malformed PLAIN response."
                ));
                return;
            }
        };
        let (user, pass) = (
            String::from_utf8_lossy(user).into_owned(),
            String::from_utf8_lossy(pass).into_owned(),
        );
        self.login(tag, &user, &pass);
    }

    pub(super) async fn starttls(&mut self, tag: &str, raw: &[u8]) -> Next {
        let _worker = self.admit(CommandKind::StartTls).await;
        let line_end = raw
            .iter()
            .position(|b| *b == b'\r' || *b == b'\n')
            .unwrap_or(raw.len());
        if raw[..line_end].split(|b| *b == b' ').count() != 2 {
            return self.bad(tag, "STARTTLS takes no arguments");
        }
        let Some(acceptor) = self.be.acceptor.clone().filter(|_| !self.conn.tls) else {
            return self.bad(tag, "STARTTLS not available on this connection");
        };
        if !matches!(self.state, State::NotAuth) {
            return self.bad(tag, "STARTTLS only before authentication");
        }
        self.line(format!("{tag} OK Begin TLS negotiation now"));
        if self.flush().await.is_err() || self.conn.start_tls(&acceptor).await.is_err() {
            return Next::Close;
        }
        Next::Continue
    }
}
