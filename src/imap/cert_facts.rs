//! What a server certificate says about itself (subject, validity dates,
//! names), read with x509-parser, so that a refusal can tell the user which
//! certificate was wrong and how, and so that a certificate trusted as its
//! own anchor is still checked for dates and name.

use std::net::{Ipv4Addr, Ipv6Addr};

use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use x509_parser::extensions::GeneralName;

/// The parts of a certificate a user recognises it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertFacts {
    /// Subject distinguished name, e.g. `CN=localhost`.
    pub subject: String,
    /// notBefore, seconds since the Unix epoch.
    pub not_before: i64,
    /// notAfter, seconds since the Unix epoch.
    pub not_after: i64,
    /// Subject alternative names as `DNS:name` / `IP:address`.
    pub names: Vec<String>,
}

impl CertFacts {
    /// Reads a DER certificate; the error says why it could not be read.
    pub fn parse(der: &CertificateDer<'_>) -> Result<CertFacts, String> {
        let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref())
            .map_err(|e| format!("the server's certificate cannot be parsed ({e})"))?;
        let names = match cert.subject_alternative_name() {
            Ok(Some(san)) => san.value.general_names.iter().filter_map(name).collect(),
            Ok(None) => Vec::new(),
            Err(e) => {
                return Err(format!(
                    "bad subjectAltName in the server's certificate ({e})"
                ))
            }
        };
        let subject = cert.subject().to_string();
        Ok(CertFacts {
            subject: if subject.is_empty() {
                "(empty subject)".to_string()
            } else {
                subject
            },
            not_before: cert.validity().not_before.timestamp(),
            not_after: cert.validity().not_after.timestamp(),
            names,
        })
    }

    /// What is wrong with this certificate for `server_name` at `now`
    /// (dates, then name), or `None` when nothing is.
    pub fn problem(
        &self,
        der: &CertificateDer<'_>,
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Option<String> {
        let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
        if now < self.not_before {
            return Some(format!("not valid before {}", date(self.not_before)));
        }
        if now > self.not_after {
            return Some(format!("expired on {}", date(self.not_after)));
        }
        let matches = webpki::EndEntityCert::try_from(der)
            .and_then(|c| c.verify_is_valid_for_subject_name(server_name));
        match matches {
            Ok(()) => None,
            Err(_) => Some(format!(
                "not valid for name {} (names: {})",
                server_name.to_str(),
                self.names_list()
            )),
        }
    }

    /// `certificate SUBJECT for NAME: PROBLEM`, the form every refusal takes.
    pub fn sentence(&self, server_name: &ServerName<'_>, problem: &str) -> String {
        format!(
            "certificate {} for {}: {problem}",
            self.subject,
            server_name.to_str()
        )
    }

    fn names_list(&self) -> String {
        if self.names.is_empty() {
            "none; the certificate has no subjectAltName".to_string()
        } else {
            self.names.join(", ")
        }
    }
}

/// `DNS:name` or `IP:address` for the name kinds a server is checked against.
fn name(general: &GeneralName<'_>) -> Option<String> {
    match general {
        GeneralName::DNSName(d) => Some(format!("DNS:{d}")),
        GeneralName::IPAddress(bytes) => Some(match bytes.len() {
            4 => format!("IP:{}", Ipv4Addr::from(<[u8; 4]>::try_from(*bytes).ok()?)),
            16 => format!("IP:{}", Ipv6Addr::from(<[u8; 16]>::try_from(*bytes).ok()?)),
            _ => format!("IP:(bad length {})", bytes.len()),
        }),
        // Other name kinds (email, URI, directory names) never match a server name.
        _ => None,
    }
}

/// A UTC date as people read it.
fn date(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| format!("{secs} (Unix time)"))
}
