//! OAuth 2 logins on the back end (XOAUTH2, OAUTHBEARER): the token is
//! checked against the user's token in the store; a refused one gets the
//! mechanism's `+ <base64 JSON error>` challenge before the tagged NO, as
//! Gmail, Exchange Online and Dovecot answer.

use super::session::{Next, Session};
use crate::sim::oauth::{challenge_error, Bearer};

impl Session {
    /// Answers `AUTHENTICATE XOAUTH2 / OAUTHBEARER` with the decoded `response`.
    pub(super) async fn authenticate_bearer(
        &mut self,
        tag: &str,
        mech: Bearer,
        response: &[u8],
    ) -> Next {
        if self.login_refused(tag) {
            return Next::Continue;
        }
        let account = mech
            .parse(response)
            .and_then(|l| self.be.store.login_token(&l.user, &l.token).ok());
        let refused = account.is_none();
        if refused
            && (self.flush().await.is_err() || challenge_error(&mut self.conn, mech).await.is_err())
        {
            return Next::Close;
        }
        self.login_result(tag, account);
        Next::Continue
    }
}
