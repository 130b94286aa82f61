//! Round trips through [`Deflate`], checked with an independent raw inflater.

use super::*;

/// Inflates raw deflate bytes with a fresh flate2 stream, as a peer would.
fn peer_inflate(rx: &mut Decompress, input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 * 1024);
    rx.decompress_vec(input, &mut out, FlushDecompress::Sync)
        .unwrap();
    out
}

#[test]
fn every_write_is_raw_deflate_and_decodable_on_its_own() {
    let mut z = Deflate::new(b"");
    let mut peer = Decompress::new(false);
    let one = z.compress(&[b"a1 NOOP\r\n"]).unwrap().to_vec();
    // Raw deflate: no zlib header (0x78 ..), and a sync flush marker at the end.
    assert_ne!(one[0], 0x78, "{one:02x?}");
    assert!(one.ends_with(&[0, 0, 0xff, 0xff]), "{one:02x?}");
    assert_eq!(peer_inflate(&mut peer, &one), b"a1 NOOP\r\n");
    let body = b"Subject: x\r\n\r\nhello hello hello hello\r\n".repeat(500);
    let two = z
        .compress(&[b"a2 APPEND INBOX {20500+}\r\n", &body, b"\r\n"])
        .unwrap()
        .to_vec();
    assert!(two.len() < body.len() / 10, "compresses: {}", two.len());
    let mut want = b"a2 APPEND INBOX {20500+}\r\n".to_vec();
    want.extend_from_slice(&body);
    want.extend_from_slice(b"\r\n");
    assert_eq!(peer_inflate(&mut peer, &two), want);
}

#[tokio::test]
async fn fill_inflates_what_a_peer_compressed_arriving_in_odd_pieces() {
    let mut peer = Compress::new(Compression::fast(), false);
    let mut wire = Vec::with_capacity(1 << 16);
    let text = b"* 1 FETCH (FLAGS (\\Seen))\r\n".repeat(300);
    peer.compress_vec(&text, &mut wire, FlushCompress::Sync)
        .unwrap();
    // The first bytes arrived with the command that started compression.
    let mut z = Deflate::new(&wire[..5]);
    let (mut w, mut r) = tokio::io::duplex(7);
    let rest = wire[5..].to_vec();
    tokio::spawn(async move { w.write_all(&rest).await });
    let mut got = Vec::new();
    while got.len() < text.len() {
        let mut out = BytesMut::with_capacity(512);
        assert!(z.fill(&mut r, &mut out).await.unwrap() > 0);
        got.extend_from_slice(&out);
    }
    assert_eq!(got, text);
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    let mut z = Deflate::new(&[0xff; 64]);
    let mut out = BytesMut::with_capacity(1024);
    assert!(z.inflate(&mut out).is_err());
}

#[test]
fn a_parked_stream_gives_its_deflate_state_back_and_the_peer_reads_on() {
    let mut z = Deflate::new(b"");
    let mut peer = Decompress::new(false);
    let line = b"7 UID fetch 1:* (FLAGS)\r\n";
    let one = z.compress(&[line]).unwrap().to_vec();
    assert_eq!(peer_inflate(&mut peer, &one), line);
    z.park();
    assert!(z.tx.is_none(), "no deflate state while parked");
    // The next write makes a fresh state; the same peer stream inflates it,
    // and it does not refer back to what the old state sent.
    let two = z.compress(&[line]).unwrap().to_vec();
    assert!(z.tx.is_some());
    assert_eq!(peer_inflate(&mut peer, &two), line);
    let mut fresh = Decompress::new(false);
    assert_eq!(
        peer_inflate(&mut fresh, &two),
        line,
        "self-contained after a park"
    );
}
