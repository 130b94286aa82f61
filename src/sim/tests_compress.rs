//! COMPRESS=DEFLATE (RFC 4978) against the embedded servers, with the
//! client's own [`Connection`]: direct and through the CAS, plain and TLS.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::testclient::Mode;
use super::tests::{addr, start, text};
use super::Topology;
use crate::imap::{Connection, Limits, TlsClient};

/// Connects with the client connection, TLS when `mode` says so, and
/// returns it with the greeting's text.
async fn client(t: &Topology, cas: bool, mode: Mode) -> (Connection, String) {
    let mut c = Connection::connect(addr(t, cas, mode), Limits::default())
        .await
        .unwrap();
    if mode == Mode::Tls {
        let der = CertificateDer::from_pem_slice(t.ca_pem().as_bytes()).unwrap();
        let tls = TlsClient::from_config(crate::sim::certs::client_config(&der).unwrap());
        c.upgrade_tls(&tls, "localhost").await.unwrap();
    }
    let greeting = text(c.read_response().await.unwrap().raw());
    (c, greeting)
}

/// Sends `tag cmd` (plus `extra` parts) and reads up to the tagged answer.
async fn exchange(c: &mut Connection, tag: &str, parts: &[&[u8]]) -> (Vec<String>, String) {
    c.send_gather(parts).await.unwrap();
    let mut untagged = Vec::new();
    loop {
        let r = text(c.read_response().await.unwrap().raw());
        if r.starts_with(&format!("{tag} ")) {
            return (untagged, r.trim_end().to_string());
        }
        untagged.push(r);
    }
}

#[tokio::test]
async fn compressed_sessions_work_direct_and_through_the_cas() {
    let t = start().await;
    for cas in [false, true] {
        for mode in [Mode::Plain, Mode::Tls] {
            let (mut c, greeting) = client(&t, cas, mode).await;
            assert!(
                !greeting.contains("COMPRESS"),
                "not before login: {greeting}"
            );
            let (_, ok) = exchange(&mut c, "a", &[b"a LOGIN user00001 pass00001\r\n"]).await;
            assert!(ok.contains("COMPRESS=DEFLATE"), "cas={cas}: {ok}");
            let (_, ok) = exchange(&mut c, "b", &[b"b COMPRESS DEFLATE\r\n"]).await;
            assert_eq!(ok, "b OK DEFLATE active");
            c.start_compress();
            let (caps, ok) = exchange(&mut c, "c", &[b"c CAPABILITY\r\n"]).await;
            assert!(ok.starts_with("c OK"), "{ok}");
            assert!(caps[0].contains(" COMPRESS=DEFLATE"), "{caps:?}");
            assert!(!caps[0].contains("STARTTLS"), "{caps:?}");
            let (_, ok) = exchange(&mut c, "d", &[b"d SELECT INBOX\r\n"]).await;
            assert!(ok.contains("OK [READ-WRITE]"), "{ok}");
            let (bodies, ok) = exchange(&mut c, "e", &[b"e FETCH 1:20 BODY.PEEK[]\r\n"]).await;
            assert!(ok.starts_with("e OK"), "{ok}");
            assert_eq!(bodies.len(), 20, "cas={cas} {mode:?}");
            let body = b"Subject: compressed\r\n\r\nhello\r\n";
            let line = format!("f APPEND INBOX {{{}+}}\r\n", body.len());
            let (_, ok) = exchange(&mut c, "f", &[line.as_bytes(), body, b"\r\n"]).await;
            assert!(ok.contains("OK [APPENDUID"), "{ok}");
            let (_, no) = exchange(&mut c, "g", &[b"g COMPRESS DEFLATE\r\n"]).await;
            assert!(no.starts_with("g NO [COMPRESSIONACTIVE]"), "{no}");
            let (_, ok) = exchange(&mut c, "h", &[b"h LOGOUT\r\n"]).await;
            assert!(ok.starts_with("h OK"), "{ok}");
        }
    }
    t.shutdown().await;
}

#[tokio::test]
async fn compress_needs_login_and_a_known_mechanism() {
    let t = start().await;
    let (mut c, _) = client(&t, false, Mode::Plain).await;
    let (_, bad) = exchange(&mut c, "a", &[b"a COMPRESS DEFLATE\r\n"]).await;
    assert!(bad.starts_with("a BAD"), "{bad}");
    let (_, ok) = exchange(&mut c, "b", &[b"b LOGIN user00001 pass00001\r\n"]).await;
    assert!(ok.starts_with("b OK"), "{ok}");
    let (_, bad) = exchange(&mut c, "c", &[b"c COMPRESS LZ4\r\n"]).await;
    assert!(bad.starts_with("c BAD"), "{bad}");
    let (_, ok) = exchange(&mut c, "d", &[b"d NOOP\r\n"]).await;
    assert!(ok.starts_with("d OK"), "still uncompressed: {ok}");
    t.shutdown().await;
}

/// A client pipelining a compressed command right behind COMPRESS (in the
/// same segment): the back end must inflate it, and its answers must be
/// raw deflate an independent inflater reads.
#[tokio::test]
async fn bytes_pipelined_after_compress_are_inflated() {
    let t = start().await;
    let mut s = tokio::net::TcpStream::connect(t.backends()[0].plain)
        .await
        .unwrap();
    let mut seen = Vec::new();
    let mut chunk = [0u8; 4096];
    s.write_all(b"a LOGIN user00001 pass00001\r\n")
        .await
        .unwrap();
    while !text(&seen).contains("a OK") {
        let n = s.read(&mut chunk).await.unwrap();
        assert!(n > 0);
        seen.extend_from_slice(&chunk[..n]);
    }
    let mut tx = Compress::new(Compression::default(), false);
    let mut wire = Vec::with_capacity(256);
    wire.extend_from_slice(b"b COMPRESS DEFLATE\r\n");
    tx.compress_vec(b"c NOOP\r\n", &mut wire, FlushCompress::Sync)
        .unwrap();
    s.write_all(&wire).await.unwrap();
    let mut raw = Vec::new();
    let ok = b"b OK DEFLATE active\r\n";
    let mut plain = Vec::with_capacity(4096);
    let wait = std::time::Duration::from_secs(10);
    while !text(&plain).contains("c OK") {
        let read = tokio::time::timeout(wait, s.read(&mut chunk)).await;
        let n = read.expect("no answer to the pipelined NOOP").unwrap();
        assert!(n > 0, "closed; got {}", text(&raw));
        raw.extend_from_slice(&chunk[..n]);
        if raw.len() > ok.len() {
            assert_eq!(&raw[..ok.len()], ok);
            // Inflated from the start each time: all of it must be raw deflate.
            plain.clear();
            Decompress::new(false)
                .decompress_vec(&raw[ok.len()..], &mut plain, FlushDecompress::Sync)
                .unwrap();
        }
    }
    assert_eq!(text(&plain), "c OK NOOP completed\r\n");
    t.shutdown().await;
}
