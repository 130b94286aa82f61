//! Endpoint URLs as users write them: `imap://host:143` (plain, STARTTLS on
//! request with `?starttls`) and `imaps://host:993` (implicit TLS).

use std::fmt;

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

/// One IMAP server address plus how to secure it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// Host name or IP literal, without brackets.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Transport security.
    pub security: Security,
}

impl Endpoint {
    /// Parses `imap://host[:port][?starttls]` or `imaps://host[:port]`.
    ///
    /// The error is a sentence saying what is allowed, for an [`crate::error::InputError`].
    pub fn parse(url: &str) -> Result<Endpoint, String> {
        let allowed = "expected imap://HOST[:PORT][?starttls] or imaps://HOST[:PORT]";
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| format!("`{url}` is not a URL; {allowed}"))?;
        let (mut security, default_port) = match scheme.to_ascii_lowercase().as_str() {
            "imap" => (Security::Plain, 143),
            "imaps" => (Security::Tls, 993),
            other => return Err(format!("unknown scheme `{other}`; {allowed}")),
        };
        let (authority, query) = match rest.split_once('?') {
            Some((a, q)) => (a, Some(q)),
            None => (rest, None),
        };
        let authority = authority.trim_end_matches('/');
        match query {
            None | Some("") => {}
            Some(q) if q.eq_ignore_ascii_case("starttls") && security == Security::Plain => {
                security = Security::StartTls
            }
            Some(q) => return Err(format!("unknown query `?{q}` in `{url}`; {allowed}")),
        }
        let (host, port) = if let Some(stripped) = authority.strip_prefix('[') {
            let (h, after) = stripped
                .split_once(']')
                .ok_or_else(|| format!("unclosed `[` in `{url}`; {allowed}"))?;
            let port = match after.strip_prefix(':') {
                Some(p) => parse_port(p, url)?,
                None if after.is_empty() => default_port,
                None => return Err(format!("bad host in `{url}`; {allowed}")),
            };
            (h.to_string(), port)
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), parse_port(p, url)?),
                None => (authority.to_string(), default_port),
            }
        };
        if host.is_empty() || host.contains(['/', '@', ' ']) {
            return Err(format!("missing or bad host in `{url}`; {allowed}"));
        }
        Ok(Endpoint {
            host,
            port,
            security,
        })
    }

    /// `host:port` for connecting (IPv6 literals get brackets).
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

fn parse_port(p: &str, url: &str) -> Result<u16, String> {
    match p.parse::<u16>() {
        Ok(0) | Err(_) => Err(format!("bad port `{p}` in `{url}`; a port is 1-65535")),
        Ok(n) => Ok(n),
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.security {
            Security::Plain => write!(f, "imap://{}", self.authority()),
            Security::StartTls => write!(f, "imap://{}?starttls", self.authority()),
            Security::Tls => write!(f, "imaps://{}", self.authority()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_forms() {
        let e = Endpoint::parse("imap://127.0.0.1:1143").unwrap();
        assert_eq!(
            (e.host.as_str(), e.port, e.security),
            ("127.0.0.1", 1143, Security::Plain)
        );
        let e = Endpoint::parse("imap://mail.example.com?starttls").unwrap();
        assert_eq!((e.port, e.security), (143, Security::StartTls));
        let e = Endpoint::parse("imaps://[::1]").unwrap();
        assert_eq!(
            (e.host.as_str(), e.port, e.security),
            ("::1", 993, Security::Tls)
        );
        assert_eq!(e.to_string(), "imaps://[::1]:993");
    }

    #[test]
    fn rejects_bad_urls() {
        for bad in [
            "127.0.0.1:143",
            "http://x",
            "imap://:143",
            "imap://h:0",
            "imap://h:99999",
            "imaps://h?starttls",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}
