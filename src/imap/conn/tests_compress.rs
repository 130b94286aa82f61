//! COMPRESS=DEFLATE on the client connection, against an in-test server
//! that speaks raw deflate with flate2 directly.

use std::time::Duration;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::Connection;
use crate::imap::framer::Limits;
use crate::imap::protolog::SessionLog;

fn deflate(tx: &mut Compress, text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 64);
    tx.compress_vec(text, &mut out, FlushCompress::Sync)
        .unwrap();
    out
}

/// The server answers COMPRESS with its OK and, in the same write, a
/// compressed untagged response: the client must inflate the bytes that
/// were already buffered when it switched; its commands must arrive as raw
/// deflate; the protocol log must show the plain text.
#[tokio::test]
async fn bytes_behind_the_ok_are_inflated_and_commands_deflated() {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (mut s, _) = l.accept().await.unwrap();
        s.write_all(b"* OK hi\r\n").await.unwrap();
        let mut buf = vec![0u8; 4096];
        let n = s.read(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"a COMPRESS DEFLATE\r\n");
        let mut tx = Compress::new(Compression::default(), false);
        let mut reply = b"a OK DEFLATE active\r\n".to_vec();
        reply.extend(deflate(&mut tx, b"* 3 EXISTS\r\n"));
        s.write_all(&reply).await.unwrap();
        let mut plain = Vec::with_capacity(4096);
        let mut wire = Vec::new();
        while !plain.ends_with(b"\r\n") {
            let n = s.read(&mut buf).await.unwrap();
            assert!(n > 0);
            wire.extend_from_slice(&buf[..n]);
            plain.clear();
            Decompress::new(false)
                .decompress_vec(&wire, &mut plain, FlushDecompress::Sync)
                .unwrap();
        }
        assert_eq!(plain, b"b NOOP\r\n");
        let big = b"* 1 FETCH (BODY[] {12}\r\nhello world!)\r\n".repeat(2000);
        let mut out = deflate(&mut tx, &big);
        out.extend(deflate(&mut tx, b"b OK done\r\n"));
        s.write_all(&out).await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
    });
    let mut c = Connection::connect(addr, Limits::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log");
    let log = SessionLog::create(path.clone(), "u", "s").unwrap();
    c.set_protocol_log(log);
    c.read_response().await.unwrap();
    c.send(b"a COMPRESS DEFLATE\r\n").await.unwrap();
    assert_eq!(
        c.read_response().await.unwrap().raw(),
        b"a OK DEFLATE active\r\n"
    );
    c.start_compress();
    assert!(c.is_compressed());
    let exists = tokio::time::timeout(Duration::from_secs(10), c.read_response()).await;
    let exists = exists.expect("the buffered response was not inflated");
    assert_eq!(exists.unwrap().raw(), b"* 3 EXISTS\r\n");
    c.send(b"b NOOP\r\n").await.unwrap();
    for _ in 0..2000 {
        let r = c.read_response().await.unwrap();
        assert_eq!(r.raw(), b"* 1 FETCH (BODY[] {12}\r\nhello world!)\r\n");
    }
    assert_eq!(c.read_response().await.unwrap().raw(), b"b OK done\r\n");
    server.await.unwrap();
    drop(c);
    let logged = std::fs::read_to_string(&path).unwrap();
    assert!(logged.contains("b NOOP"), "{logged}");
    assert!(logged.contains("b OK done"), "{logged}");
}
