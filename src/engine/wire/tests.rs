//! The engine's side of the client exchange: how each way an answer can go
//! wrong becomes one command error, against scripted servers.

use crate::imap::client::tests::{connect, scripted, Step};
use crate::results::ErrorReason;

use super::*;

/// Runs one command of `kind` (its parts sent as given, tag 1) against a
/// server playing `script`; the error's reason and message, or `Ok` with the answer.
async fn run(
    kind: CommandKind,
    script: Vec<Step>,
    parts: &[&[u8]],
    allow_continue: bool,
) -> Result<Reply, (ErrorReason, String)> {
    let (addr, _server) = scripted(script).await;
    let mut conn = connect(addr).await;
    let mut mbox = MailboxState::default();
    let mut check = Check::new(kind, &mbox);
    let phase = Phase::command();
    let mut on = OnWire {
        tag: 1,
        check: &mut check,
        mbox: &mut mbox,
        phase: &phase,
    };
    let parts: Vec<&[&[u8]]> = parts.chunks(1).collect();
    let r = exchange(&mut conn, &parts, allow_continue, &mut on).await;
    r.map(|done| done.reply)
        .map_err(|e| (e.reason, e.message.into_owned()))
}

#[tokio::test]
async fn answers_become_the_commands_outcome() {
    let noop: &[&[u8]] = &[b"a1 NOOP\r\n"];
    let reply = |text| vec![Step::Read("a1 NOOP\r\n"), Step::Write(text)];
    let ok = run(
        CommandKind::Noop,
        reply("* 2 EXISTS\r\na1 OK done\r\n"),
        noop,
        false,
    );
    assert_eq!(ok.await, Ok(Reply::OK));
    let no = run(
        CommandKind::Noop,
        reply("a1 NO [ALERT] busy\r\n"),
        noop,
        false,
    );
    assert_eq!(no.await, Err((ErrorReason::No, "[ALERT] busy".into())));
    let bad = run(CommandKind::Noop, reply("a1 BAD what\r\n"), noop, false);
    assert_eq!(bad.await, Err((ErrorReason::Bad, "what".into())));
    let bye = run(CommandKind::Noop, reply("* BYE going\r\n"), noop, false);
    assert_eq!(
        bye.await,
        Err((ErrorReason::Disconnect, "BYE going".into()))
    );
    let other = run(CommandKind::Noop, reply("a7 OK x\r\n"), noop, false);
    let ours = "tagged response with a tag not ours";
    assert_eq!(other.await, Err((ErrorReason::Protocol, ours.into())));
    let plus = run(CommandKind::Noop, reply("+ more\r\n"), noop, false);
    let unexpected = "unexpected continuation";
    assert_eq!(plus.await, Err((ErrorReason::Protocol, unexpected.into())));
    let plus = run(CommandKind::Noop, reply("+ more\r\n"), noop, true);
    assert_eq!(plus.await, Ok(Reply::Continue));
    let unknown = run(
        CommandKind::Noop,
        reply("* WHATEVER 1\r\na1 OK\r\n"),
        noop,
        false,
    );
    let check = "unknown untagged response";
    assert_eq!(unknown.await, Err((ErrorReason::Protocol, check.into())));
}

#[tokio::test]
async fn logout_expects_its_bye() {
    let logout: &[&[u8]] = &[b"a1 LOGOUT\r\n"];
    let script = vec![
        Step::Read("a1 LOGOUT\r\n"),
        Step::Write("* BYE bye\r\na1 OK done\r\n"),
    ];
    let r = run(CommandKind::Logout, script, logout, false).await;
    assert_eq!(r, Ok(Reply::OK));
}

#[tokio::test]
async fn a_literal_needs_its_continuation() {
    let parts: &[&[u8]] = &[b"a1 APPEND INBOX {3}\r\n", b"abc\r\n"];
    let first = || Step::Read("a1 APPEND INBOX {3}\r\n");
    let script = vec![
        first(),
        Step::Write("+ go\r\n"),
        Step::Read("abc\r\n"),
        Step::Write("a1 OK [APPENDUID 1 4] done\r\n"),
    ];
    assert_eq!(
        run(CommandKind::Append, script, parts, false).await,
        Ok(Reply::OK)
    );
    let refused = vec![first(), Step::Write("a1 NO [TOOBIG] no\r\n")];
    let r = run(CommandKind::Append, refused, parts, false).await;
    assert_eq!(r, Err((ErrorReason::No, "[TOOBIG] no".into())));
    let skipped = vec![first(), Step::Write("a1 OK odd\r\n")];
    let r = run(CommandKind::Append, skipped, parts, false).await;
    let why = "no continuation for the literal";
    assert_eq!(r, Err((ErrorReason::Protocol, why.into())));
}

#[tokio::test]
async fn a_hold_ends_at_its_time_or_on_a_bye() {
    let (addr, _server) = scripted(vec![Step::Write("* 3 EXISTS\r\n")]).await;
    let mut conn = connect(addr).await;
    let mut mbox = MailboxState::default();
    let mut check = Check::new(CommandKind::Idle, &mbox);
    let stop = CancellationToken::new();
    let until = Instant::now() + std::time::Duration::from_millis(50);
    hold(&mut conn, &mut mbox, &mut check, until, &stop)
        .await
        .unwrap();
    assert_eq!(mbox.exists, 3, "untagged data folded into the mailbox");

    let (addr, _server) = scripted(vec![Step::Write("* BYE idle\r\n")]).await;
    let mut conn = connect(addr).await;
    let until = Instant::now() + std::time::Duration::from_secs(60);
    let e = hold(&mut conn, &mut mbox, &mut check, until, &stop).await;
    assert_eq!(e.unwrap_err().message, "BYE idle");
}
