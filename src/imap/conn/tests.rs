//! Connection tests against tiny in-test servers on 127.0.0.1 (plain, TLS, STARTTLS).

use super::*;
use crate::imap::response::{Kind, Status};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, BufReader};
use tokio::net::TcpListener;

pub(super) async fn listener() -> (TcpListener, SocketAddr) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    (l, addr)
}

/// Writes `data` in deliberately odd chunk sizes, flushing each, so the client sees partial messages.
async fn write_odd<W: AsyncWrite + Unpin>(w: &mut W, data: &[u8]) {
    let sizes = [1, 3, 7, 2, 13, 5];
    let mut rest = data;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes[i % sizes.len()].min(rest.len());
        w.write_all(&rest[..n]).await.unwrap();
        w.flush().await.unwrap();
        tokio::time::sleep(Duration::from_millis(1)).await;
        rest = &rest[n..];
        i += 1;
    }
}

async fn read_line<R: AsyncRead + Unpin>(r: &mut BufReader<R>) -> String {
    let mut s = String::new();
    r.read_line(&mut s).await.unwrap();
    s
}

const GREETING: &[u8] = b"* OK [CAPABILITY IMAP4rev1 STARTTLS] test server ready\r\n";

#[tokio::test]
async fn plain_messages_arrive_whole_despite_odd_chunks() {
    let (l, addr) = listener().await;
    let fetch = b"* 1 FETCH (UID 4 BODY[] {14}\r\nhi\r\n{3}\r\nabc\r\n)\r\n";
    let server = tokio::spawn(async move {
        let (mut s, _) = l.accept().await.unwrap();
        write_odd(&mut s, GREETING).await;
        write_odd(&mut s, fetch).await;
        // Two messages in one write, then a close.
        s.write_all(b"* 2 EXISTS\r\na1 OK done\r\n").await.unwrap();
    });
    let mut c = Connection::connect(addr, Limits::default()).await.unwrap();
    assert!(!c.is_tls());
    assert_eq!(c.read_response().await.unwrap().raw(), GREETING);
    let r = c.read_response().await.unwrap();
    assert_eq!(r.raw(), fetch);
    assert_eq!(r.untagged_number(), Some((1, &b"FETCH"[..])));
    let r = c.read_response().await.unwrap();
    assert_eq!(r.raw(), b"* 2 EXISTS\r\n");
    assert_eq!(c.buffered(), b"a1 OK done\r\n".len());
    let r = c.read_response().await.unwrap();
    assert_eq!((r.kind(), r.status()), (Kind::Tagged, Some(Status::Ok)));
    assert_eq!(c.buffered(), 0);
    server.await.unwrap();
    let e = c.read_response().await.unwrap_err();
    assert!(matches!(e, ImapError::Closed), "{e:?}");
    assert_eq!(e.reason(), "closed");
    assert_eq!(e.to_string(), "server closed the connection");
}

#[tokio::test]
async fn big_literal_grows_the_buffer_and_it_shrinks_back() {
    let (l, addr) = listener().await;
    let body = vec![b'x'; 300 * 1024];
    let big = [&b"* 1 FETCH (BODY[] {307200}\r\n"[..], &body, b")\r\n"].concat();
    let expected = big.clone();
    let server = tokio::spawn(async move {
        let (s, _) = l.accept().await.unwrap();
        let mut s = BufReader::new(s);
        s.get_mut().write_all(&big).await.unwrap();
        assert_eq!(read_line(&mut s).await, "a1 NOOP\r\n");
        s.get_mut().write_all(b"a1 OK done\r\n").await.unwrap();
    });
    let mut c = Connection::connect_host(&addr.to_string(), Limits::default())
        .await
        .unwrap();
    assert_eq!(c.read_response().await.unwrap().raw(), &expected[..]);
    assert!(c.rbuf.capacity() >= 300 * 1024);
    c.send(b"a1 NOOP\r\n").await.unwrap();
    assert_eq!(c.read_response().await.unwrap().tag(), Some(&b"a1"[..]));
    assert!(
        c.rbuf.capacity() <= SHRINK_ABOVE,
        "capacity {}",
        c.rbuf.capacity()
    );
    server.await.unwrap();
}

#[tokio::test]
async fn oversize_line_is_a_protocol_error() {
    let (l, addr) = listener().await;
    let server = tokio::spawn(async move {
        let (mut s, _) = l.accept().await.unwrap();
        let _ = s.write_all(&[b'x'; 4096]).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    });
    let mut c = Connection::connect(
        addr,
        Limits {
            max_line: 1000,
            max_literal: 1000,
        },
    )
    .await
    .unwrap();
    let e = c.read_response().await.unwrap_err();
    assert!(
        matches!(e, ImapError::Frame(FrameError::LineTooLong { limit: 1000 })),
        "{e:?}"
    );
    assert_eq!(e.reason(), "protocol");
    server.await.unwrap();
}

/// A test CA and a server certificate for `localhost` and 127.0.0.1 signed by it.
pub(super) struct Pki {
    pub(super) ca_pem: String,
    chain: Vec<CertificateDer<'static>>,
    key_der: Vec<u8>,
}

pub(super) fn pki() -> Pki {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "imapload test CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params.signed_by(&key, &ca).unwrap();
    Pki {
        ca_pem: ca.pem(),
        chain: vec![cert.der().clone()],
        key_der: key.serialize_der(),
    }
}

pub(super) fn acceptor(pki: &Pki) -> tokio_rustls::TlsAcceptor {
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.key_der.clone()));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(pki.chain.clone(), key)
    .unwrap();
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

/// Serves one implicit-TLS connection: greeting, then answers one NOOP. Handshake failures are ignored.
fn spawn_tls_server(
    l: TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let (tcp, _) = l.accept().await.unwrap();
        let Ok(tls) = acceptor.accept(tcp).await else {
            return;
        };
        let mut s = BufReader::new(tls);
        write_odd(s.get_mut(), GREETING).await;
        if read_line(&mut s).await == "a1 NOOP\r\n" {
            s.get_mut().write_all(b"a1 OK NOOP done\r\n").await.unwrap();
            s.get_mut().flush().await.unwrap();
        }
    })
}

async fn tls_exchange(tls: &TlsClient, server_name: &str, pki: &Pki) -> Result<(), ImapError> {
    let (l, addr) = listener().await;
    let server = spawn_tls_server(l, acceptor(pki));
    let mut c = Connection::connect(addr, Limits::default()).await?;
    let upgraded = c.upgrade_tls(tls, server_name).await;
    if upgraded.is_err() {
        drop(c);
        server.await.unwrap();
        return upgraded;
    }
    assert!(c.is_tls());
    assert_eq!(c.read_response().await?.raw(), GREETING);
    c.send(b"a1 NOOP\r\n").await?;
    assert_eq!(c.read_response().await?.status(), Some(Status::Ok));
    c.shutdown().await;
    server.await.unwrap();
    Ok(())
}

#[tokio::test]
async fn tls_with_the_test_ca_works_for_names_and_ips() {
    let pki = pki();
    let tls = TlsClient::new(None, Some(&pki.ca_pem), false).unwrap();
    tls_exchange(&tls, "localhost", &pki).await.unwrap();
    tls_exchange(&tls, "127.0.0.1", &pki).await.unwrap();
    let e = tls_exchange(&tls, "other.example", &pki).await.unwrap_err();
    assert!(matches!(e, ImapError::Tls(_)), "{e:?}");
}

#[tokio::test]
async fn tls_without_the_ca_fails_the_handshake() {
    let pki = pki();
    let tls = TlsClient::new(None, None, false).unwrap();
    let e = tls_exchange(&tls, "localhost", &pki).await.unwrap_err();
    assert!(
        matches!(&e, ImapError::Tls(m) if m.contains("certificate")),
        "{e:?}"
    );
    assert_eq!(e.reason(), "tls");
}

#[tokio::test]
async fn insecure_accepts_any_certificate_and_name() {
    let pki = pki();
    let tls = TlsClient::new(None, None, true).unwrap();
    tls_exchange(&tls, "localhost", &pki).await.unwrap();
    tls_exchange(&tls, "wrong.example", &pki).await.unwrap();
}

#[tokio::test]
async fn bad_server_name_is_a_tls_error() {
    let (_l, addr) = listener().await;
    let tls = TlsClient::new(None, None, true).unwrap();
    let mut c = Connection::connect(addr, Limits::default()).await.unwrap();
    let e = c.upgrade_tls(&tls, "not a name!").await.unwrap_err();
    assert!(
        matches!(&e, ImapError::Tls(m) if m.contains("invalid server name")),
        "{e:?}"
    );
    assert!(!c.is_tls());
}

/// Plain greeting, `a1 STARTTLS`, then `reply` in one write; if it was a clean OK, TLS and one NOOP.
fn spawn_starttls_server(
    l: TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    reply: &'static [u8],
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let (tcp, _) = l.accept().await.unwrap();
        let mut s = BufReader::new(tcp);
        write_odd(s.get_mut(), GREETING).await;
        assert_eq!(read_line(&mut s).await, "a1 STARTTLS\r\n");
        s.get_mut().write_all(reply).await.unwrap();
        let Ok(tls) = acceptor.accept(s.into_inner()).await else {
            return;
        };
        let mut s = BufReader::new(tls);
        s.get_mut()
            .write_all(b"* OK now encrypted\r\n")
            .await
            .unwrap();
        assert_eq!(read_line(&mut s).await, "a2 NOOP\r\n");
        s.get_mut().write_all(b"a2 OK done\r\n").await.unwrap();
        s.get_mut().flush().await.unwrap();
    })
}

#[tokio::test]
async fn starttls_upgrades_in_place_after_a_plain_exchange() {
    let pki = pki();
    let (l, addr) = listener().await;
    let server = spawn_starttls_server(l, acceptor(&pki), b"a1 OK Begin TLS negotiation now\r\n");
    let tls = TlsClient::new(None, Some(&pki.ca_pem), false).unwrap();
    let mut c = Connection::connect(addr, Limits::default()).await.unwrap();
    assert_eq!(c.read_response().await.unwrap().raw(), GREETING);
    c.send(b"a1 STARTTLS\r\n").await.unwrap();
    assert_eq!(c.read_response().await.unwrap().status(), Some(Status::Ok));
    c.upgrade_tls(&tls, "localhost").await.unwrap();
    assert!(c.is_tls());
    assert_eq!(c.read_response().await.unwrap().text(), b"now encrypted");
    c.send(b"a2 NOOP\r\n").await.unwrap();
    assert_eq!(c.read_response().await.unwrap().tag(), Some(&b"a2"[..]));
    c.shutdown().await;
    server.await.unwrap();
}

#[tokio::test]
async fn starttls_refuses_bytes_injected_before_the_handshake() {
    let pki = pki();
    let (l, addr) = listener().await;
    let server = spawn_starttls_server(l, acceptor(&pki), b"a1 OK Begin TLS\r\n* OK injected\r\n");
    let tls = TlsClient::new(None, Some(&pki.ca_pem), false).unwrap();
    let mut c = Connection::connect(addr, Limits::default()).await.unwrap();
    assert_eq!(c.read_response().await.unwrap().raw(), GREETING);
    c.send(b"a1 STARTTLS\r\n").await.unwrap();
    // Let both lines land, so they are read together.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(c.read_response().await.unwrap().status(), Some(Status::Ok));
    assert_eq!(c.buffered(), b"* OK injected\r\n".len());
    let e = c.upgrade_tls(&tls, "localhost").await.unwrap_err();
    assert!(
        matches!(&e, ImapError::Tls(m) if m.contains("injection")),
        "{e:?}"
    );
    assert!(!c.is_tls());
    drop(c);
    server.await.unwrap();
}

#[tokio::test]
async fn connections_leave_from_the_source_address_asked_for() {
    let (l, addr) = listener().await;
    for src in ["127.0.0.7", "127.0.0.9"] {
        let ip: std::net::IpAddr = src.parse().unwrap();
        let (conn, accepted) = tokio::join!(
            Connection::connect_from(addr, Some(ip), Limits::default()),
            l.accept()
        );
        conn.unwrap();
        assert_eq!(accepted.unwrap().1.ip(), ip);
    }
}

#[tokio::test]
async fn a_parked_connection_takes_a_fresh_buffer_when_bytes_arrive() {
    let (l, addr) = listener().await;
    let (conn, accepted) = tokio::join!(Connection::connect(addr, Limits::default()), l.accept());
    let (mut conn, (mut server, _)) = (conn.unwrap(), accepted.unwrap());
    server.write_all(b"* OK ready\r\n").await.unwrap();
    assert_eq!(conn.read_response().await.unwrap().kind(), Kind::Untagged);
    conn.park();
    assert_eq!(
        conn.rbuf.capacity(),
        0,
        "an idle connection holds no buffer"
    );
    server.write_all(b"* 3 EXISTS\r\n").await.unwrap();
    let resp = conn.read_response().await.unwrap();
    assert_eq!(resp.raw(), b"* 3 EXISTS\r\n");
}

#[tokio::test]
async fn an_announced_literal_is_not_reserved_up_front() {
    let (l, addr) = listener().await;
    let (conn, accepted) = tokio::join!(Connection::connect(addr, Limits::default()), l.accept());
    let (mut conn, (mut server, _)) = (conn.unwrap(), accepted.unwrap());
    // 60 MB announced (under the 64 MiB limit), 10 bytes sent, then silence.
    server
        .write_all(b"* 1 FETCH (BODY[] {60000000}\r\n0123456789")
        .await
        .unwrap();
    let read = tokio::time::timeout(Duration::from_millis(300), conn.read_response()).await;
    assert!(
        read.is_err(),
        "the literal is incomplete, so no message yet"
    );
    assert!(
        conn.rbuf.capacity() <= 2 * MAX_RESERVE_STEP,
        "a hostile announcement must not cost its size: {} bytes reserved",
        conn.rbuf.capacity()
    );
}
