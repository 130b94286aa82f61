//! The flags of `imapload populate`, checked and turned into
//! [`crate::populate::PopulateOptions`].

use std::path::PathBuf;

use crate::error::{Failure, InputError};
use crate::imap::tls::TlsClient;
use crate::imap::url::Endpoint;
use crate::mailset::MailSet;
use crate::populate::PopulateOptions;
use crate::results::Security;

use super::flags::TlsFlags;

/// Flags of `imapload populate`.
#[derive(Debug, clap::Args)]
pub struct PopulateArgs {
    /// The IMAP server to fill: imap://HOST[:PORT][?starttls] or imaps://HOST[:PORT].
    #[arg(long, value_name = "URL")]
    pub server: String,
    /// Fill N generated users, user00001 to userNNNNN (the embedded topology's names), with --password.
    #[arg(long, value_name = "N", conflicts_with = "users_file")]
    pub users: Option<usize>,
    /// The generated users' password.
    #[arg(long, default_value = "secret")]
    pub password: String,
    /// Fill the users of a users file (user,password,backend[,token]), as `run --users` reads it.
    #[arg(long, value_name = "FILE")]
    pub users_file: Option<PathBuf>,
    /// Deliver INBOX's messages through this LMTP server (HOST:PORT) instead of APPEND.
    #[arg(long, value_name = "HOST:PORT")]
    pub lmtp: Option<String>,
    /// How many users are filled at once (one IMAP connection each).
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// The mail set's seed: another seed gives other (equally shaped) messages.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// TLS trust for imaps:// and ?starttls.
    #[command(flatten)]
    pub tls: TlsFlags,
}

impl PopulateArgs {
    /// The options `populate` runs with; bad input is an [`InputError`] (exit 2).
    pub fn into_options(self) -> Result<PopulateOptions, Failure> {
        let endpoint = Endpoint::parse(&self.server).map_err(|m| InputError::new("--server", m))?;
        if self.concurrency == 0 {
            return Err(InputError::new("--concurrency", "must be at least 1").into());
        }
        if let Some(lmtp) = &self.lmtp {
            let port = lmtp
                .rsplit_once(':')
                .and_then(|(_, p)| p.parse::<u16>().ok());
            if port.is_none_or(|p| p == 0) {
                let msg = format!("`{lmtp}` is not HOST:PORT (e.g. 127.0.0.1:24)");
                return Err(InputError::new("--lmtp", msg).into());
            }
        }
        let users = match (self.users, &self.users_file) {
            (Some(0), _) => return Err(InputError::new("--users", "must be at least 1").into()),
            (Some(n), _) => (1..=n)
                .map(|i| (format!("user{i:05}"), self.password.clone()))
                .collect(),
            (None, Some(file)) => crate::plan::load_users_csv(file)?
                .into_iter()
                .map(|u| (u.name, u.password))
                .collect(),
            (None, None) => {
                let msg = "give the users to fill: --users N or --users-file FILE";
                return Err(InputError::new("--users", msg).into());
            }
        };
        let tls = match endpoint.security {
            Security::Plain => None,
            Security::Tls | Security::StartTls => Some(TlsClient::new(
                self.tls.ca_file.as_deref(),
                None,
                self.tls.insecure,
            )?),
        };
        let endpoint = match self.tls.tls_server_name {
            Some(name) => Endpoint {
                sni: Some(name),
                ..endpoint
            },
            None => endpoint,
        };
        Ok(PopulateOptions {
            endpoint,
            tls,
            users,
            lmtp: self.lmtp,
            concurrency: self.concurrency,
            mailset: MailSet {
                seed: self.seed,
                ..MailSet::default()
            },
        })
    }
}
