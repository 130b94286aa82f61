//! Authentication on the back end, shared by LOGIN and AUTHENTICATE (see
//! `cmd/login.rs`, `cmd/authenticate.rs`): the LOGINDISABLED and
//! refuse-logins rules, the PLAIN response and the `+` continuation.

use std::sync::Arc;

use base64::Engine as _;

use super::authenticated_capabilities;
use super::session::{Session, State};
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
                let caps = authenticated_capabilities();
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
}
