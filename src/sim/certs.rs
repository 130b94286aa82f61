//! The embedded topology's own PKI: a throw-away CA and one server
//! certificate signed by it, made fresh at every start.
//!
//! A CA (rather than a lone self-signed leaf) lets clients trust one PEM file
//! (`ca.pem`) the way they would trust a corporate CA, and lets the same file
//! work for every listener, including after STARTTLS.

use std::net::IpAddr;
use std::sync::Arc;

use anyhow::Context;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

/// The CA (as PEM, for clients) and a TLS acceptor presenting the server
/// certificate (for every embedded listener).
#[derive(Clone)]
pub struct Certs {
    /// PEM of the CA certificate; what `ca.pem` contains.
    pub ca_pem: String,
    /// DER of the CA certificate, for building client trust stores in-process.
    pub ca_der: CertificateDer<'static>,
    /// Server side of TLS, shared by all listeners (implicit TLS and STARTTLS).
    pub acceptor: TlsAcceptor,
    /// The server certificate chain (server, then CA) as PEM, for other servers
    /// a test starts with the same trust (e.g. the interop Dovecot).
    pub server_chain_pem: String,
    /// The server's private key as PEM (PKCS#8).
    pub server_key_pem: String,
}

/// Makes a new CA and a server certificate valid for `localhost`,
/// `127.0.0.1`, `::1` and `listen`, and a rustls server config around it.
pub fn generate(listen: IpAddr) -> anyhow::Result<Certs> {
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "imapload embedded CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate()?)
        .context("creating the embedded CA")?;

    let mut sans = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    let listen = listen.to_string();
    if !sans.contains(&listen) && !listen.starts_with("0.0.0.0") && listen != "::" {
        sans.push(listen);
    }
    let mut params = CertificateParams::new(sans)?;
    params
        .distinguished_name
        .push(DnType::CommonName, "imapload embedded server");
    let key = KeyPair::generate()?;
    let cert = params
        .signed_by(&key, &ca)
        .context("signing the server certificate")?;

    let chain = vec![cert.der().clone(), ca.der().clone()];
    let server_key_pem = key.serialize_pem();
    let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .context("loading the server certificate")?;
    Ok(Certs {
        ca_pem: ca.pem(),
        ca_der: ca.der().clone(),
        acceptor: TlsAcceptor::from(Arc::new(config)),
        server_chain_pem: format!("{}{}", cert.pem(), ca.pem()),
        server_key_pem,
    })
}

/// A client config trusting only `ca_der`: what tests and the CAS use to talk
/// TLS to embedded servers.
pub fn client_config(
    ca_der: &CertificateDer<'static>,
) -> anyhow::Result<Arc<rustls::ClientConfig>> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca_der.clone())?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}
