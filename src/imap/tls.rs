//! Client TLS configuration, built once per run and shared by every connection.
//!
//! Building a rustls config parses every root certificate, which is far too
//! slow to do per connection at load-test rates, so [`TlsClient`] holds it in
//! an `Arc` and hands out cheap connectors.

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use rustls_pki_types::pem::PemObject;

use super::verify::AnchorVerifier;
use crate::error::InputError;

/// Printed on stderr (even with `--quiet`) whenever a run or probe has
/// certificate verification turned off, so that nobody mistakes such a run
/// for an authenticated one.
pub const INSECURE_WARNING: &str = "imapload: WARNING: --insecure: server certificates are NOT \
     verified; anyone in the path can read the passwords. Use --ca-file to trust a test certificate instead.";

/// A shared, immutable client TLS configuration (cloning is an `Arc` bump).
#[derive(Clone)]
pub struct TlsClient {
    config: Arc<ClientConfig>,
}

impl std::fmt::Debug for TlsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsClient").finish_non_exhaustive()
    }
}

impl TlsClient {
    /// Builds the configuration every connection of the run uses.
    ///
    /// Trusted roots are the system roots (load errors ignored, so a machine
    /// without a CA bundle still works with `--ca-file`), every certificate in
    /// `ca_file` (PEM), and every certificate in `extra_ca_pem` (PEM text: the
    /// embedded topology's own CA). A `ca_file` certificate is also accepted
    /// as the server's own certificate, even a self-signed `CA:TRUE` one, after
    /// its dates and name are checked ([`super::verify::AnchorVerifier`]). The crypto provider is ring, named
    /// explicitly so that the choice does not depend on crate features.
    ///
    /// **`insecure = true` turns certificate verification off entirely**: any
    /// certificate for any name is accepted, so the connection is encrypted
    /// but not authenticated and anyone in the path can read the credentials.
    /// It exists for load-testing servers with throwaway certificates and must
    /// only ever be enabled by an explicit user flag.
    pub fn new(
        ca_file: Option<&Path>,
        extra_ca_pem: Option<&str>,
        insecure: bool,
    ) -> Result<TlsClient, InputError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = RootCertStore::empty();
        let mut anchors = Vec::new();
        if let Some(path) = ca_file {
            for cert in read_ca_file(path)? {
                roots
                    .add(cert.clone())
                    .map_err(|e| ca_file_error(path, &format!("a certificate is invalid ({e})")))?;
                anchors.push(cert);
            }
        }
        if let Some(pem) = extra_ca_pem {
            add_embedded_ca(&mut roots, pem)?;
        }
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| InputError::new("tls", format!("no usable TLS protocol version: {e}")))?;
        let verifier: Arc<dyn ServerCertVerifier> = if insecure {
            Arc::new(AcceptAnyCert {
                provider: provider.clone(),
            })
        } else {
            roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
            let webpki =
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                    .build()
                    .map_err(|e| InputError::new("tls", format!("no usable trust anchor: {e}")))?;
            Arc::new(AnchorVerifier::new(webpki, anchors, provider))
        };
        let config = builder
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(TlsClient {
            config: Arc::new(config),
        })
    }

    /// Wraps a configuration built elsewhere (the embedded CAS's client
    /// configuration trusting the topology's own CA).
    pub fn from_config(config: Arc<ClientConfig>) -> TlsClient {
        TlsClient { config }
    }

    /// A connector sharing this configuration, for one handshake.
    pub fn connector(&self) -> tokio_rustls::TlsConnector {
        tokio_rustls::TlsConnector::from(self.config.clone())
    }
}

/// Adds the embedded topology's own CA (PEM text) to `roots`.
fn add_embedded_ca(roots: &mut RootCertStore, pem: &str) -> Result<(), InputError> {
    let certs = parse_pem_certs(pem.as_bytes()).map_err(|why| {
        InputError::new(
            "embedded CA",
            format!("{why}; expected PEM text with at least one CERTIFICATE"),
        )
    })?;
    for cert in certs {
        roots
            .add(cert)
            .map_err(|e| InputError::new("embedded CA", format!("invalid certificate: {e}")))?;
    }
    Ok(())
}

/// Reads `--ca-file`, turning every way it can be wrong into one clear message.
fn read_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, InputError> {
    let bytes =
        std::fs::read(path).map_err(|e| ca_file_error(path, &format!("cannot be read ({e})")))?;
    parse_pem_certs(&bytes).map_err(|why| ca_file_error(path, why))
}

fn ca_file_error(path: &Path, why: &str) -> InputError {
    InputError::at(
        path,
        None,
        Some("--ca-file".to_string()),
        format!("{why}; expected a PEM file with at least one CERTIFICATE"),
    )
}

/// Every CERTIFICATE block in `pem`; an error if the PEM is broken or has none.
fn parse_pem_certs(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, &'static str> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| "the PEM data is malformed")?;
    if certs.is_empty() {
        return Err("no CERTIFICATE block found");
    }
    Ok(certs)
}

/// The `insecure` verifier: trusts every certificate chain and name, but still
/// checks handshake signatures so the peer at least holds the key of the
/// certificate it presented (this costs nothing and keeps TLS itself sound).
#[derive(Debug)]
struct AcceptAnyCert {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for AcceptAnyCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
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
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn ca_file_problems_are_input_errors_naming_the_file() {
        let missing = Path::new("/nonexistent/ca.pem");
        let e = TlsClient::new(Some(missing), None, false).unwrap_err();
        assert_eq!(e.file.as_deref(), Some(missing));
        assert_eq!(e.key.as_deref(), Some("--ca-file"));
        assert!(e.message.contains("cannot be read"), "{e}");
        assert!(
            e.message.contains("PEM file with at least one CERTIFICATE"),
            "{e}"
        );

        let mut not_pem = tempfile::NamedTempFile::new().unwrap();
        not_pem.write_all(b"just some text\n").unwrap();
        let e = TlsClient::new(Some(not_pem.path()), None, false).unwrap_err();
        assert!(e.message.contains("no CERTIFICATE block"), "{e}");

        let mut key_only = tempfile::NamedTempFile::new().unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        key_only.write_all(key.serialize_pem().as_bytes()).unwrap();
        let e = TlsClient::new(Some(key_only.path()), None, false).unwrap_err();
        assert!(e.message.contains("no CERTIFICATE block"), "{e}");
        assert!(e
            .to_string()
            .starts_with(&key_only.path().display().to_string()));
    }

    #[test]
    fn a_ca_file_with_a_certificate_is_accepted() {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["ca.test".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(cert.pem().as_bytes()).unwrap();
        TlsClient::new(Some(f.path()), Some(&cert.pem()), false).unwrap();
        let e = TlsClient::new(None, Some("garbage"), false).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("embedded CA"));
    }
}
