//! Parking over TLS: an idle TLS connection waits on its socket without a
//! receive buffer, but never past plaintext rustls already holds.

use super::tests::{acceptor, listener, pki};
use super::*;
use tokio::io::AsyncReadExt;

#[tokio::test]
async fn a_parked_tls_connection_waits_without_a_buffer_but_not_on_plaintext_rustls_holds() {
    let pki = pki();
    let tls = TlsClient::new(None, Some(&pki.ca_pem), false).unwrap();
    let (l, addr) = listener().await;
    let acceptor = acceptor(&pki);
    // A greeting that fills the first receive buffer exactly, so the next
    // message stays inside rustls, already decrypted, when the client parks.
    let mut first = b"* OK ".to_vec();
    first.resize(INITIAL_CAPACITY - 2, b'x');
    first.extend_from_slice(b"\r\n");
    let greeting = first.clone();
    let server = tokio::spawn(async move {
        let (tcp, _) = l.accept().await.unwrap();
        let mut s = acceptor.accept(tcp).await.unwrap();
        s.write_all(&[greeting, b"* 2 EXISTS\r\n".to_vec()].concat())
            .await
            .unwrap();
        s.flush().await.unwrap();
        // The third message only once the client read the second: a client
        // waiting on the socket for it would wait forever.
        let mut go = [0u8; 4];
        s.read_exact(&mut go).await.unwrap();
        s.write_all(b"* 3 EXISTS\r\n").await.unwrap();
        s.flush().await.unwrap();
        let mut rest = Vec::new();
        let _ = s.read_to_end(&mut rest).await;
    });
    let mut c = Connection::connect(addr, Limits::default()).await.unwrap();
    c.upgrade_tls(&tls, "127.0.0.1").await.unwrap();
    assert_eq!(c.read_response().await.unwrap().raw(), &first[..]);
    c.park();
    assert_eq!(c.rbuf.capacity(), 0, "an idle connection holds no buffer");
    let next = tokio::time::timeout(Duration::from_secs(5), c.read_response()).await;
    assert_eq!(next.expect("not stuck").unwrap().raw(), b"* 2 EXISTS\r\n");
    c.park();
    assert_eq!(c.rbuf.capacity(), 0);
    c.send(b"go\r\n").await.unwrap();
    let next = tokio::time::timeout(Duration::from_secs(5), c.read_response()).await;
    assert_eq!(next.expect("not stuck").unwrap().raw(), b"* 3 EXISTS\r\n");
    c.shutdown().await;
    server.await.unwrap();
}
