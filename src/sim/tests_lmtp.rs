//! The back ends' LMTP listeners (RFC 2033): delivery into INBOX as APPEND
//! does, seen by an idling IMAP session.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use super::testclient::Mode;
use super::tests::{addr, connect, start, text};

struct Lmtp {
    r: BufReader<tokio::net::tcp::OwnedReadHalf>,
    w: tokio::net::tcp::OwnedWriteHalf,
}

impl Lmtp {
    async fn line(&mut self) -> String {
        let mut s = String::new();
        let read = tokio::time::timeout(Duration::from_secs(10), self.r.read_line(&mut s));
        read.await.expect("LMTP reply").unwrap();
        s.trim_end().to_string()
    }
    /// The lines of one (possibly multi-line) reply.
    async fn reply(&mut self) -> Vec<String> {
        let mut lines = vec![self.line().await];
        while lines.last().unwrap().as_bytes().get(3) == Some(&b'-') {
            lines.push(self.line().await);
        }
        lines
    }
    async fn send(&mut self, s: &str) {
        self.w.write_all(s.as_bytes()).await.unwrap();
    }
}

#[tokio::test]
async fn lmtp_delivers_to_homed_users_and_idlers_see_it() {
    let t = start().await;
    let lmtp = t.backends()[0]
        .lmtp
        .expect("a back end has an LMTP listener");
    assert_eq!(t.cas()[0].lmtp, None);
    let mut idler = connect(&t, addr(&t, false, Mode::Plain), Mode::Plain).await;
    idler.login("user00001", "pass00001").await;
    idler.cmd("SELECT INBOX").await;
    idler.send(b"i IDLE\r\n").await;
    assert!(text(&idler.read().await.unwrap()).starts_with("+ "));

    let (r, w) = TcpStream::connect(lmtp).await.unwrap().into_split();
    let mut l = Lmtp {
        r: BufReader::new(r),
        w,
    };
    assert!(l.line().await.starts_with("220 mbx1 "));
    l.send("MAIL FROM:<a@b.example>\r\n").await;
    assert!(l.line().await.starts_with("503 "), "LHLO first");
    l.send("LHLO client.example\r\n").await;
    let caps = l.reply().await;
    assert!(caps.contains(&"250-PIPELINING".to_string()), "{caps:?}");
    assert!(
        caps.iter().any(|c| c.ends_with("ENHANCEDSTATUSCODES")),
        "{caps:?}"
    );
    // Pipelined: user00002 lives on mbx2, user00003 here.
    l.send("MAIL FROM:<a@b.example>\r\nRCPT TO:<user00001@imapload.test>\r\n")
        .await;
    l.send("RCPT TO:<user00002@imapload.test>\r\nRCPT TO:<user00003>\r\nDATA\r\n")
        .await;
    let mut replies = Vec::new();
    for _ in 0..5 {
        replies.push(l.line().await);
    }
    let codes: Vec<&str> = replies.iter().map(|r| &r[..3]).collect();
    assert_eq!(codes, ["250", "250", "550", "250", "354"], "{replies:?}");
    l.send("Subject: via LMTP\r\n\r\n..a stuffed dot\r\nbody\r\n.\r\n")
        .await;
    let delivered = [l.line().await, l.line().await];
    assert!(
        delivered[0].starts_with("250 2.0.0 <user00001>"),
        "{delivered:?}"
    );
    assert!(
        delivered[1].starts_with("250 2.0.0 <user00003>"),
        "{delivered:?}"
    );
    let pushed = tokio::time::timeout(Duration::from_secs(10), idler.read()).await;
    assert_eq!(
        text(&pushed.expect("no EXISTS").unwrap()).trim_end(),
        "* 21 EXISTS"
    );
    idler.send(b"DONE\r\n").await;
    idler.until("i").await;
    let (body, _) = idler.cmd("UID FETCH 21 (BODY.PEEK[] FLAGS)").await;
    let body = text(&body[0]);
    assert!(
        body.contains(
            "{43}\r\nSubject: via LMTP\r\n\r\n.a stuffed dot\r\nbody\r\n FLAGS (\\Recent)"
        ),
        "{body}"
    );
    for (cmd, code) in [
        ("RSET", "250"),
        ("NOOP", "250"),
        ("DATA", "503"),
        ("QUIT", "221"),
    ] {
        l.send(&format!("{cmd}\r\n")).await;
        assert!(l.line().await.starts_with(code), "{cmd}");
    }
    t.shutdown().await;
}
