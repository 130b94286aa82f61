//! Client exchange tests against scripted servers on 127.0.0.1.

use std::convert::Infallible;
use std::net::SocketAddr;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::*;
use crate::imap::framer::Limits;

/// One step of a scripted server (also used by the engine's wire tests).
pub(crate) enum Step {
    /// Reads one line and checks it is this.
    Read(&'static str),
    /// Writes these bytes.
    Write(&'static str),
}

/// A server that plays `script` on its first connection, then reports any
/// bytes the client sent after it (until the client closes).
pub(crate) async fn scripted(script: Vec<Step>) -> (SocketAddr, JoinHandle<String>) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (s, _) = l.accept().await.unwrap();
        let mut s = BufReader::new(s);
        for step in script {
            match step {
                Step::Read(want) => {
                    let mut line = String::new();
                    s.read_line(&mut line).await.unwrap();
                    assert_eq!(line, want);
                }
                Step::Write(bytes) => s.get_mut().write_all(bytes.as_bytes()).await.unwrap(),
            }
        }
        let mut rest = String::new();
        let _ = tokio::io::AsyncReadExt::read_to_string(&mut s, &mut rest).await;
        rest
    });
    (addr, server)
}

pub(crate) async fn connect(addr: SocketAddr) -> Connection {
    Connection::connect(addr, Limits::default()).await.unwrap()
}

/// An observer keeping every response it saw, refusing none.
fn keep(seen: &mut Vec<Vec<u8>>) -> impl FnMut(&Response<'_>) -> Result<(), Infallible> + '_ {
    |r| {
        seen.push(r.raw().to_vec());
        Ok(())
    }
}

#[tokio::test]
async fn untagged_data_goes_to_the_observer_before_the_tagged_answer() {
    let (addr, server) = scripted(vec![
        Step::Read("a1 NOOP\r\n"),
        Step::Write("* 3 EXISTS\r\n* OK [UIDNEXT 4] x\r\na1 OK [READ-WRITE] done\r\n"),
    ])
    .await;
    let mut conn = connect(addr).await;
    let mut seen = Vec::new();
    let expect = Expect::tagged(Tag::Numbered(1));
    let sent = command(
        &mut conn,
        &[&[b"a1 NOOP\r\n"]],
        &expect,
        &mut keep(&mut seen),
    )
    .await
    .unwrap();
    assert_eq!(sent.reply, Reply::Tagged(Some(Status::Ok)));
    assert_eq!(sent.parts, 1);
    assert_eq!(seen.len(), 3, "two untagged and the tagged answer");
    assert_eq!(seen[0], b"* 3 EXISTS\r\n");
    assert_eq!(conn.last_response().text(), b"[READ-WRITE] done");
    drop(conn);
    assert_eq!(server.await.unwrap(), "");
}

#[tokio::test]
async fn an_untagged_bye_ends_the_read_unless_expected() {
    let (addr, _server) = scripted(vec![Step::Write("* BYE shutting down\r\n")]).await;
    let mut conn = connect(addr).await;
    let mut seen = Vec::new();
    let e = read(
        &mut conn,
        &Expect::tagged(Tag::Numbered(1)),
        &mut keep(&mut seen),
    )
    .await;
    assert!(
        matches!(e, Err(ClientError::Bye(ref t)) if t == b"shutting down"),
        "{e:?}"
    );
    assert!(seen.is_empty(), "the observer never saw the BYE");

    let (addr, _server) = scripted(vec![Step::Write("* BYE logging out\r\na4 OK bye\r\n")]).await;
    let mut conn = connect(addr).await;
    let logout = Expect {
        on_bye: OnBye::Observe,
        ..Expect::tagged(Tag::Numbered(4))
    };
    let r = read(&mut conn, &logout, &mut keep(&mut seen))
        .await
        .unwrap();
    assert_eq!(r, Reply::Tagged(Some(Status::Ok)));
    assert_eq!(seen.len(), 2);
}

#[tokio::test]
async fn a_continuation_is_an_error_or_an_answer_as_the_caller_says() {
    let (addr, _server) = scripted(vec![Step::Write("+ go on\r\n+ again\r\n")]).await;
    let mut conn = connect(addr).await;
    let mut none = |_: &Response<'_>| Ok::<(), Infallible>(());
    let e = read(&mut conn, &Expect::tagged(Tag::Numbered(1)), &mut none).await;
    assert!(
        matches!(e, Err(ClientError::UnexpectedContinuation)),
        "{e:?}"
    );
    let allow = Expect {
        on_continue: OnContinue::Return,
        ..Expect::tagged(Tag::Numbered(1))
    };
    assert_eq!(
        read(&mut conn, &allow, &mut none).await.unwrap(),
        Reply::Continue
    );
    assert_eq!(conn.last_response().text(), b"again");
}

#[tokio::test]
async fn a_tagged_answer_with_another_tag_is_an_error() {
    let (addr, _server) = scripted(vec![Step::Write("a2 OK not yours\r\nZ1 NO no\r\n")]).await;
    let mut conn = connect(addr).await;
    let mut seen = Vec::new();
    let e = read(
        &mut conn,
        &Expect::tagged(Tag::Numbered(1)),
        &mut keep(&mut seen),
    )
    .await;
    assert!(
        matches!(e, Err(ClientError::WrongTag(ref t)) if t == b"a2"),
        "{e:?}"
    );
    // Text tags match whatever the case.
    let r = read(
        &mut conn,
        &Expect::tagged(Tag::Text(b"z1")),
        &mut keep(&mut seen),
    )
    .await;
    assert_eq!(r.unwrap(), Reply::Tagged(Some(Status::No)));
    assert_eq!(seen.len(), 1, "only the matching answer was observed");
}

#[tokio::test]
async fn a_synchronizing_literal_waits_for_the_continuation() {
    let (addr, server) = scripted(vec![
        Step::Read("a1 LOGIN {3}\r\n"),
        Step::Write("+ ready\r\n"),
        Step::Read("abc pw\r\n"),
        Step::Write("* CAPABILITY IMAP4rev1 IDLE\r\na1 OK in\r\n"),
    ])
    .await;
    let mut conn = connect(addr).await;
    let mut watch = CapabilityWatch::default();
    let parts: [&[&[u8]]; 2] = [&[b"a1 LOGIN {3}\r\n"], &[b"abc pw\r\n"]];
    let sent = command(
        &mut conn,
        &parts,
        &Expect::tagged(Tag::Numbered(1)),
        &mut watch,
    )
    .await
    .unwrap();
    assert_eq!(
        (sent.reply, sent.parts),
        (Reply::Tagged(Some(Status::Ok)), 2)
    );
    assert!(watch.seen.is_some_and(
        |c| c.offers(crate::imap::capability::Atom::named("IDLE")) && !c.login_disabled
    ));
    drop(conn);
    assert_eq!(server.await.unwrap(), "");
}

#[tokio::test]
async fn a_no_to_a_literal_ends_the_command_before_the_literal_is_sent() {
    let (addr, server) = scripted(vec![
        Step::Read("a1 APPEND INBOX {999999}\r\n"),
        Step::Write("a1 NO [TOOBIG] too big\r\n"),
    ])
    .await;
    let mut conn = connect(addr).await;
    let mut none = |_: &Response<'_>| Ok::<(), Infallible>(());
    let parts: [&[&[u8]]; 2] = [&[b"a1 APPEND INBOX {999999}\r\n"], &[b"never sent\r\n"]];
    let sent = command(
        &mut conn,
        &parts,
        &Expect::tagged(Tag::Numbered(1)),
        &mut none,
    )
    .await
    .unwrap();
    assert_eq!(
        (sent.reply, sent.parts),
        (Reply::Tagged(Some(Status::No)), 1)
    );
    assert_eq!(conn.last_response().text(), b"[TOOBIG] too big");
    drop(conn);
    assert_eq!(server.await.unwrap(), "", "the literal never went out");
}

/// Counts writes and refuses `* 9 EXISTS`.
#[derive(Default)]
struct Strict {
    writes: Vec<bool>,
}

impl Observer for Strict {
    type Error = &'static str;

    fn observe(&mut self, resp: &Response<'_>) -> Result<(), &'static str> {
        match resp.untagged_number() {
            Some((9, _)) => Err("nine"),
            _ => Ok(()),
        }
    }

    fn writing(&mut self, busy: bool) {
        self.writes.push(busy);
    }
}

#[tokio::test]
async fn an_observer_refusal_ends_the_exchange_and_sees_the_writes() {
    let (addr, _server) = scripted(vec![
        Step::Read("a1 NOOP\r\n"),
        Step::Write("* 2 EXISTS\r\n* 9 EXISTS\r\na1 OK\r\n"),
    ])
    .await;
    let mut conn = connect(addr).await;
    let mut strict = Strict::default();
    let e = command(
        &mut conn,
        &[&[b"a1 NOOP\r\n"]],
        &Expect::tagged(Tag::Numbered(1)),
        &mut strict,
    )
    .await;
    assert!(matches!(e, Err(ClientError::Observer("nine"))), "{e:?}");
    assert_eq!(strict.writes, [true, false]);
}

#[tokio::test]
async fn watch_takes_untagged_data_until_something_else_comes() {
    let (addr, _server) =
        scripted(vec![Step::Write("* 4 EXISTS\r\n* 1 RECENT\r\na9 OK\r\n")]).await;
    let mut conn = connect(addr).await;
    let mut seen = Vec::new();
    let e = watch(&mut conn, &mut keep(&mut seen)).await;
    assert!(matches!(e, ClientError::OutOfTurn(Kind::Tagged)), "{e:?}");
    assert_eq!(seen.len(), 2);

    let (addr, _server) = scripted(vec![Step::Write("* BYE idle too long\r\n")]).await;
    let mut conn = connect(addr).await;
    let e = watch(&mut conn, &mut keep(&mut seen)).await;
    assert!(
        matches!(e, ClientError::Bye(ref t) if t == b"idle too long"),
        "{e:?}"
    );
}

#[tokio::test]
async fn greetings_ok_preauth_bye_and_garbage() {
    let cases = [
        "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hi\r\n",
        "* PREAUTH welcome\r\n",
        "* BYE full\r\n",
        "a1 OK what\r\n",
    ];
    let mut got = Vec::new();
    for case in cases {
        let (addr, _server) = scripted(vec![Step::Write(case)]).await;
        let mut conn = connect(addr).await;
        got.push(greeting(&mut conn).await);
    }
    let ok = got[0].as_ref().unwrap();
    assert!(!ok.preauth && ok.capabilities.is_some_and(|c| c.login_disabled));
    let pre = got[1].as_ref().unwrap();
    assert!(pre.preauth && pre.capabilities.is_none());
    assert!(matches!(got[2], Err(ClientError::Bye(ref t)) if t == b"full"));
    assert!(matches!(got[3], Err(ClientError::OutOfTurn(Kind::Tagged))));
}

#[test]
fn login_is_cut_before_each_synchronizing_literal() {
    let mut cmd = CommandBuf::new();
    let (tag, parts) = encode_login(&mut cmd, b"user01", "pä".as_bytes(), |_| false);
    assert_eq!(tag, 1);
    let want: [&[u8]; 2] = [b"a1 LOGIN user01 {3}\r\n", "pä\r\n".as_bytes()];
    assert_eq!(parts, want);
    let (tag, parts) = encode_login(&mut cmd, "ü".as_bytes(), b"p w", |_| true);
    assert_eq!(tag, 2);
    assert_eq!(parts, ["a2 LOGIN {2+}\r\nü \"p w\"\r\n".as_bytes()]);
}

#[tokio::test]
async fn into_parts_hands_over_the_stream_and_the_bytes_past_the_last_message() {
    let (addr, server) = scripted(vec![
        Step::Write("* OK hi\r\n* partial"),
        Step::Read("relayed\r\n"),
    ])
    .await;
    let mut conn = connect(addr).await;
    assert!(greeting(&mut conn).await.is_ok());
    let parts = conn.into_parts().unwrap();
    assert_eq!(parts.leftover, b"* partial");
    let mut stream = parts.stream;
    stream.write_all(b"relayed\r\n").await.unwrap();
    drop(stream);
    assert_eq!(server.await.unwrap(), "");
}

#[tokio::test]
async fn a_gathered_part_goes_out_as_one_command() {
    let (addr, server) = scripted(vec![
        Step::Read("a1 APPEND INBOX {5+}\r\n"),
        Step::Read("hello\r\n"),
        Step::Write("a1 OK appended\r\n"),
    ])
    .await;
    let mut conn = connect(addr).await;
    let mut none = |_: &Response<'_>| Ok::<(), Infallible>(());
    let message: &[u8] = b"hello";
    let gathered: &[&[u8]] = &[b"a1 APPEND INBOX {5+}\r\n", message, b"\r\n"];
    let sent = command(
        &mut conn,
        &[gathered],
        &Expect::tagged(Tag::Numbered(1)),
        &mut none,
    )
    .await
    .unwrap();
    assert_eq!(
        (sent.reply, sent.parts),
        (Reply::Tagged(Some(Status::Ok)), 1)
    );
    drop(conn);
    assert_eq!(server.await.unwrap(), "");
}
