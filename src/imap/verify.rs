//! Server certificate verification as users expect it.
//!
//! WebPKI refuses a server whose certificate is itself a CA (`CA:TRUE`), even
//! when that very certificate is the trust anchor the user gave: that is what
//! `openssl req -x509` and Debian's snakeoil make, and what Python's imaplib,
//! openssl s_client, Thunderbird and curl accept. [`AnchorVerifier`] runs the
//! normal WebPKI verification first and, only when it fails for want of an
//! issuer, accepts a certificate that is byte-for-byte one of the `--ca-file`
//! certificates, after still checking its dates and the server name (the
//! handshake signatures are checked as always, proving the server holds its key).
//! Every refusal names the certificate's subject, the server name and what was wrong.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, OtherError, SignatureScheme};

use super::cert_facts::CertFacts;

/// A certificate refusal worded for the user: `certificate SUBJECT for NAME: PROBLEM`.
///
/// Carried through rustls as [`CertificateError::Other`] so that the
/// connection can report this text instead of rustls' debug rendering
/// (see [`describe_tls_error`]).
#[derive(Clone)]
pub struct CertProblem {
    /// The full sentence.
    pub message: String,
}

impl std::fmt::Display for CertProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::fmt::Debug for CertProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CertProblem {}

/// The text of a failed handshake: the [`CertProblem`] sentence when our
/// verifier refused the certificate, rustls' own message otherwise.
pub fn describe_tls_error(e: &std::io::Error) -> String {
    let problem = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        .and_then(|r| match r {
            rustls::Error::InvalidCertificate(CertificateError::Other(o)) => {
                o.0.downcast_ref::<CertProblem>()
            }
            _ => None, // rustls::Error is non-exhaustive: every other error keeps its text
        });
    match problem {
        Some(p) => p.message.clone(),
        None => e.to_string(),
    }
}

/// Why WebPKI refused a certificate, as far as the wording to the user goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    /// The server's certificate is a CA certificate.
    CaUsedAsEndEntity,
    /// No chain to a trusted anchor.
    UnknownIssuer,
    /// After notAfter.
    Expired,
    /// Before notBefore.
    NotYetValid,
    /// The server name is not among the certificate's names.
    WrongName,
    /// Anything else: rustls' own text is kept.
    Other,
}

impl Refusal {
    fn of(e: &rustls::Error) -> Refusal {
        let rustls::Error::InvalidCertificate(c) = e else {
            return Refusal::Other;
        };
        // CertificateError is non-exhaustive, hence the fallback.
        match c {
            CertificateError::UnknownIssuer => Refusal::UnknownIssuer,
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => Refusal::Expired,
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                Refusal::NotYetValid
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                Refusal::WrongName
            }
            CertificateError::Other(o) => match o.0.downcast_ref::<webpki::Error>() {
                Some(webpki::Error::CaUsedAsEndEntity) => Refusal::CaUsedAsEndEntity,
                _ => Refusal::Other,
            },
            _ => Refusal::Other,
        }
    }
}

/// WebPKI, plus the user's own certificates trusted as what they are.
#[derive(Debug)]
pub struct AnchorVerifier {
    webpki: Arc<WebPkiServerVerifier>,
    anchors: Vec<CertificateDer<'static>>,
    provider: Arc<CryptoProvider>,
}

impl AnchorVerifier {
    /// `webpki` verifies against every trusted root; `anchors` are the
    /// `--ca-file` certificates, which are also accepted as the server's own.
    pub fn new(
        webpki: Arc<WebPkiServerVerifier>,
        anchors: Vec<CertificateDer<'static>>,
        provider: Arc<CryptoProvider>,
    ) -> AnchorVerifier {
        AnchorVerifier {
            webpki,
            anchors,
            provider,
        }
    }

    /// The sentence for a certificate WebPKI refused (and that is not a
    /// usable anchor), or `Ok` when it is one of the anchors and still valid.
    fn judge(
        &self,
        end_entity: &CertificateDer<'_>,
        server_name: &ServerName<'_>,
        now: UnixTime,
        refused: &rustls::Error,
    ) -> Result<(), String> {
        let facts = CertFacts::parse(end_entity)?;
        let pinned = self
            .anchors
            .iter()
            .any(|a| a.as_ref() == end_entity.as_ref());
        let problem = match Refusal::of(refused) {
            Refusal::CaUsedAsEndEntity | Refusal::UnknownIssuer if pinned => {
                match facts.problem(end_entity, server_name, now) {
                    None => return Ok(()),
                    Some(p) => p,
                }
            }
            Refusal::CaUsedAsEndEntity => {
                "UnknownIssuer: not signed by any trusted CA, and this CA certificate (CA:TRUE) \
                 is not one of the --ca-file certificates (give it or its CA with --ca-file)"
                    .to_string()
            }
            Refusal::UnknownIssuer => {
                "UnknownIssuer: not signed by any trusted CA (give its CA with --ca-file)"
                    .to_string()
            }
            Refusal::Expired | Refusal::NotYetValid | Refusal::WrongName => facts
                .problem(end_entity, server_name, now)
                .unwrap_or_else(|| refused.to_string()),
            Refusal::Other => refused.to_string(),
        };
        Err(facts.sentence(server_name, &problem))
    }
}

impl ServerCertVerifier for AnchorVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let refused = match self.webpki.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        match self.judge(end_entity, server_name, now, &refused) {
            Ok(()) => Ok(ServerCertVerified::assertion()),
            Err(message) => Err(rustls::Error::InvalidCertificate(CertificateError::Other(
                OtherError(Arc::new(CertProblem { message })),
            ))),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests;
