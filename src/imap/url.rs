//! Endpoint URLs as users write them: `imap://host:143` (plain, STARTTLS on
//! request with `?starttls`) and `imaps://host:993` (implicit TLS); `sni=NAME`
//! (`?sni=mail.example.com`, `?starttls&sni=...`) names the host the
//! certificate must be valid for when the server is reached by IP.

use std::fmt;

use crate::results::Security;

/// One IMAP server address plus how to secure it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// Host name or IP literal, without brackets.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Transport security.
    pub security: Security,
    /// `?sni=NAME`: the name sent in the handshake and checked against the
    /// certificate instead of `host` (a server reached by IP whose
    /// certificate names a host).
    pub sni: Option<String>,
}

impl Endpoint {
    /// Parses `imap://host[:port][?starttls][&sni=NAME]` or `imaps://host[:port][?sni=NAME]`.
    ///
    /// The error is a sentence saying what is allowed, for an [`crate::error::InputError`].
    pub fn parse(url: &str) -> Result<Endpoint, String> {
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| format!("`{url}` is not a URL; {ALLOWED}"))?;
        let (security, default_port) = match scheme.to_ascii_lowercase().as_str() {
            "imap" => (Security::Plain, 143),
            "imaps" => (Security::Tls, 993),
            other => return Err(format!("unknown scheme `{other}`; {ALLOWED}")),
        };
        let (authority, query) = match rest.split_once('?') {
            Some((a, q)) => (a, q),
            None => (rest, ""),
        };
        let authority = authority.trim_end_matches('/');
        let query = Query::parse(query, security, url)?;
        let (host, port) = if let Some(stripped) = authority.strip_prefix('[') {
            let (h, after) = stripped
                .split_once(']')
                .ok_or_else(|| format!("unclosed `[` in `{url}`; {ALLOWED}"))?;
            let port = match after.strip_prefix(':') {
                Some(p) => parse_port(p, url)?,
                None if after.is_empty() => default_port,
                None => return Err(format!("bad host in `{url}`; {ALLOWED}")),
            };
            (h.to_string(), port)
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), parse_port(p, url)?),
                None => (authority.to_string(), default_port),
            }
        };
        if host.is_empty() || host.contains(['/', '@', ' ']) {
            return Err(format!("missing or bad host in `{url}`; {ALLOWED}"));
        }
        Ok(Endpoint {
            host,
            port,
            security: query.security,
            sni: query.sni,
        })
    }

    /// The name the certificate is checked against: `?sni=` when given, else the host.
    pub fn server_name(&self) -> &str {
        self.sni.as_deref().unwrap_or(&self.host)
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

/// What every URL error says is allowed.
const ALLOWED: &str =
    "expected imap://HOST[:PORT][?starttls][&sni=NAME] or imaps://HOST[:PORT][?sni=NAME]";

/// The query part of an endpoint URL: `starttls` and `sni=NAME`, `&`-separated.
struct Query {
    security: Security,
    sni: Option<String>,
}

impl Query {
    fn parse(query: &str, scheme: Security, url: &str) -> Result<Query, String> {
        let mut q = Query {
            security: scheme,
            sni: None,
        };
        for part in query.split('&').filter(|p| !p.is_empty()) {
            if part.eq_ignore_ascii_case("starttls") && q.security == Security::Plain {
                q.security = Security::StartTls;
            } else if let Some(name) = part.strip_prefix("sni=").filter(|_| q.sni.is_none()) {
                check_sni(name, url)?;
                q.sni = Some(name.to_string());
            } else {
                return Err(format!(
                    "unknown or repeated `{part}` in `{url}`; {ALLOWED}"
                ));
            }
        }
        Ok(q)
    }
}

/// A name usable as a TLS server name (a DNS name or an IP address).
pub fn check_sni(name: &str, url: &str) -> Result<(), String> {
    match rustls::pki_types::ServerName::try_from(name) {
        Ok(_) => Ok(()),
        Err(_) => Err(format!(
            "`{name}` in `{url}` is not a host name or IP address the certificate could be checked against"
        )),
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
            Security::Plain => write!(f, "imap://{}", self.authority())?,
            Security::StartTls => write!(f, "imap://{}?starttls", self.authority())?,
            Security::Tls => write!(f, "imaps://{}", self.authority())?,
        }
        match (&self.sni, self.security) {
            (None, _) => Ok(()),
            (Some(n), Security::StartTls) => write!(f, "&sni={n}"),
            (Some(n), Security::Plain | Security::Tls) => write!(f, "?sni={n}"),
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
    fn sni_names_the_host_the_certificate_is_checked_for() {
        let e = Endpoint::parse("imaps://10.0.0.5:993?sni=mail.example.com").unwrap();
        assert_eq!(
            (e.host.as_str(), e.security, e.server_name()),
            ("10.0.0.5", Security::Tls, "mail.example.com")
        );
        assert_eq!(e.to_string(), "imaps://10.0.0.5:993?sni=mail.example.com");
        let e = Endpoint::parse("imap://10.0.0.5?starttls&sni=mx.example.com").unwrap();
        assert_eq!(
            (e.port, e.security, e.server_name()),
            (143, Security::StartTls, "mx.example.com")
        );
        assert_eq!(
            e.to_string(),
            "imap://10.0.0.5:143?starttls&sni=mx.example.com"
        );
        let e = Endpoint::parse("imap://10.0.0.5?sni=mx.example.com&starttls").unwrap();
        assert_eq!(e.security, Security::StartTls);
        let e = Endpoint::parse("imap://mx.example.com").unwrap();
        assert_eq!(
            (e.sni.as_deref(), e.server_name()),
            (None, "mx.example.com")
        );
        let err = Endpoint::parse("imaps://h?sni=bad name").unwrap_err();
        assert!(err.contains("`bad name`"), "{err}");
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
            "imap://h?starttls&starttls",
            "imap://h?sni=",
            "imap://h?sni=a&sni=b",
            "imap://h?sni=bad name",
            "imaps://h?server=x",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}
