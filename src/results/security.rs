//! How a connection is secured, as run.json records it (`plan.session.security`,
//! the servers' `security`) and endpoint URLs say it (`imap://`, `?starttls`, `imaps://`).

/// How a connection to an endpoint is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Cleartext IMAP; credentials go over the wire as they are.
    Plain,
    /// Cleartext connect, then `STARTTLS` before anything else.
    StartTls,
    /// TLS from the first byte (port 993 style).
    Tls,
}
