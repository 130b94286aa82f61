//! The verifier against certificates made the way users make them.

use super::*;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject;

/// A self-signed `CA:TRUE` certificate for `CN=localhost`, `DNS:localhost` and
/// `IP:127.0.0.1`, like `openssl req -x509` makes; `expired` puts notAfter in 2021.
fn snakeoil(expired: bool) -> CertificateDer<'static> {
    let key = KeyPair::generate().unwrap();
    let mut params =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    if expired {
        params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        params.not_after = rcgen::date_time_ymd(2021, 1, 1);
    }
    params.self_signed(&key).unwrap().der().clone()
}

fn verifier(anchors: &[CertificateDer<'static>]) -> AnchorVerifier {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    for a in anchors {
        roots.add(a.clone()).unwrap();
    }
    let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .unwrap();
    AnchorVerifier::new(webpki, anchors.to_vec(), provider)
}

fn verify(v: &AnchorVerifier, cert: &CertificateDer<'_>, name: &str) -> Result<(), String> {
    let name = ServerName::try_from(name.to_string()).unwrap();
    v.verify_server_cert(cert, &[], &name, &[], UnixTime::now())
        .map(|_| ())
        .map_err(|e| {
            let io = std::io::Error::new(std::io::ErrorKind::InvalidData, e);
            describe_tls_error(&io)
        })
}

#[test]
fn the_servers_own_self_signed_ca_certificate_is_trusted_as_its_anchor() {
    let cert = snakeoil(false);
    let v = verifier(std::slice::from_ref(&cert));
    verify(&v, &cert, "127.0.0.1").unwrap();
    verify(&v, &cert, "localhost").unwrap();
}

#[test]
fn an_unrelated_anchor_refuses_naming_subject_and_issuer_problem() {
    let (cert, other) = (snakeoil(false), snakeoil(false));
    let e = verify(&verifier(&[other]), &cert, "127.0.0.1").unwrap_err();
    assert!(
        e.starts_with(
            "certificate CN=localhost for 127.0.0.1: UnknownIssuer: not signed by any trusted CA"
        ),
        "{e}"
    );
    assert!(e.contains("--ca-file"), "{e}");
}

#[test]
fn an_expired_anchor_is_refused_naming_expired_and_the_date() {
    let cert = snakeoil(true);
    let e = verify(&verifier(std::slice::from_ref(&cert)), &cert, "127.0.0.1").unwrap_err();
    assert_eq!(
        e,
        "certificate CN=localhost for 127.0.0.1: expired on 2021-01-01 00:00:00 UTC"
    );
}

#[test]
fn a_wrong_name_is_refused_listing_the_certificates_names() {
    let cert = snakeoil(false);
    let v = verifier(std::slice::from_ref(&cert));
    let e = verify(&v, &cert, "10.0.0.5").unwrap_err();
    assert_eq!(
        e,
        "certificate CN=localhost for 10.0.0.5: not valid for name 10.0.0.5 \
         (names: DNS:localhost, IP:127.0.0.1)"
    );
    let e = verify(&v, &cert, "mail.example.com").unwrap_err();
    assert!(e.contains("not valid for name mail.example.com"), "{e}");
}

#[test]
fn a_leaf_from_a_trusted_ca_with_a_wrong_name_says_so_too() {
    let certs = crate::sim::certs::generate("127.0.0.1".parse().unwrap()).unwrap();
    let leaf = CertificateDer::pem_slice_iter(certs.server_chain_pem.as_bytes())
        .next()
        .unwrap()
        .unwrap();
    let v = verifier(std::slice::from_ref(&certs.ca_der));
    verify(&v, &leaf, "127.0.0.1").unwrap();
    let e = verify(&v, &leaf, "10.0.0.5").unwrap_err();
    assert!(e.contains("not valid for name 10.0.0.5 (names: "), "{e}");
    assert!(e.contains("IP:127.0.0.1"), "{e}");
}

#[test]
fn other_tls_errors_keep_rustls_text() {
    let io = std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        rustls::Error::InvalidCertificate(CertificateError::BadEncoding),
    );
    assert!(describe_tls_error(&io).contains("BadEncoding"));
}
