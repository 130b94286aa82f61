//! The command specs keep every command valid for the mailbox state.

use super::*;
use crate::imap::capability::Capabilities;
use rand::SeedableRng;

#[test]
fn commands_stay_valid_for_the_mailbox() {
    let empty = MailboxState {
        selected: true,
        ..Default::default()
    };
    assert_eq!(
        substitute(CommandKind::FetchBody, &empty),
        CommandKind::Append
    );
    let ro = MailboxState {
        selected: true,
        read_only: true,
        exists: 5,
        uid_next: 6,
        ..Default::default()
    };
    assert_eq!(substitute(CommandKind::Expunge, &ro), CommandKind::Select);
    let closed = MailboxState::default();
    assert_eq!(
        substitute(CommandKind::Search, &closed),
        CommandKind::Select
    );
    assert_eq!(substitute(CommandKind::Idle, &ro), CommandKind::Idle);
    let no_idle = MailboxState {
        capabilities: Some(Capabilities::default()),
        ..ro.clone()
    };
    assert_eq!(substitute(CommandKind::Idle, &no_idle), CommandKind::Noop);
    let mut rng = rand::rngs::SmallRng::seed_from_u64(1);
    let mut buf = CommandBuf::new();
    let mbox = MailboxState {
        selected: true,
        read_only: false,
        exists: 3,
        uid_next: 10,
        ..Default::default()
    };
    for _ in 0..100 {
        let e = encode(
            CommandKind::FetchFlags,
            &input(&mbox, b""),
            &mut rng,
            &mut buf,
        );
        let s = String::from_utf8(buf.as_bytes().to_vec()).unwrap();
        let range = s.split(' ').nth(2).unwrap();
        let (lo, hi) = range.split_once(':').unwrap();
        assert!(
            lo.parse::<u32>().unwrap() >= 1 && hi.parse::<u32>().unwrap() <= 3,
            "{s}"
        );
        assert_eq!(e.kind, CommandKind::FetchFlags);
    }
    let e = encode(
        CommandKind::Append,
        &input(&mbox, b"hello"),
        &mut rng,
        &mut buf,
    );
    assert_eq!(e.literal, super::Literal::AfterContinue);
    assert!(buf.as_bytes().ends_with(b"APPEND INBOX (\\Seen) {5}\r\n"));
}

fn input<'a>(mbox: &'a MailboxState, msg: &'a [u8]) -> EncodeInput<'a> {
    EncodeInput {
        mbox,
        mailbox: "INBOX",
        append_msg: msg,
        literal_plus: false,
    }
}

#[test]
fn uid_expunge_needs_uidplus_and_a_writable_mailbox() {
    let ro = MailboxState {
        selected: true,
        read_only: true,
        uid_next: 10,
        ..Default::default()
    };
    assert_eq!(
        substitute(CommandKind::UidExpunge, &ro),
        CommandKind::Select
    );
    let rw = MailboxState {
        read_only: false,
        ..ro.clone()
    };
    assert_eq!(
        substitute(CommandKind::UidExpunge, &rw),
        CommandKind::UidExpunge
    );
    let no_uidplus = MailboxState {
        capabilities: Some(Capabilities::default()),
        ..rw.clone()
    };
    assert_eq!(
        substitute(CommandKind::UidExpunge, &no_uidplus),
        CommandKind::Expunge
    );
    let mut rng = rand::rngs::SmallRng::seed_from_u64(2);
    let mut buf = CommandBuf::new();
    encode(
        CommandKind::UidExpunge,
        &input(&rw, b""),
        &mut rng,
        &mut buf,
    );
    let s = String::from_utf8(buf.as_bytes().to_vec()).unwrap();
    assert!(s.contains(" UID EXPUNGE ") && s.ends_with(":9\r\n"), "{s}");
}

#[test]
fn enable_only_before_select_and_when_offered() {
    let auth = MailboxState::default();
    assert_eq!(substitute(CommandKind::Enable, &auth), CommandKind::Enable);
    let selected = MailboxState {
        selected: true,
        ..Default::default()
    };
    assert_eq!(
        substitute(CommandKind::Enable, &selected),
        CommandKind::Noop
    );
    let not_offered = MailboxState {
        capabilities: Some(Capabilities::default()),
        ..Default::default()
    };
    assert_eq!(
        substitute(CommandKind::Enable, &not_offered),
        CommandKind::Noop
    );
}

#[test]
fn move_needs_a_message_and_the_extension() {
    let rw = MailboxState {
        selected: true,
        exists: 2,
        uid_next: 3,
        ..Default::default()
    };
    assert_eq!(substitute(CommandKind::Move, &rw), CommandKind::Move);
    let empty = MailboxState {
        exists: 0,
        ..rw.clone()
    };
    assert_eq!(substitute(CommandKind::Move, &empty), CommandKind::Append);
    let no_move = MailboxState {
        capabilities: Some(Capabilities::default()),
        ..rw.clone()
    };
    assert_eq!(substitute(CommandKind::Move, &no_move), CommandKind::Copy);
    let mut rng = rand::rngs::SmallRng::seed_from_u64(3);
    let mut buf = CommandBuf::new();
    encode(CommandKind::Move, &input(&rw, b""), &mut rng, &mut buf);
    assert!(buf.as_bytes().ends_with(b" Archive\r\n"));
}

#[test]
fn scratch_folder_is_created_renamed_and_deleted() {
    let mut m = MailboxState::with_scratch_seed(7);
    assert_eq!(substitute(CommandKind::Rename, &m), CommandKind::Create);
    assert_eq!(substitute(CommandKind::Delete, &m), CommandKind::Create);
    assert_eq!(substitute(CommandKind::Create, &m), CommandKind::Create);
    let mut rng = rand::rngs::SmallRng::seed_from_u64(3);
    let mut buf = CommandBuf::new();
    encode(CommandKind::Create, &input(&m, b""), &mut rng, &mut buf);
    assert!(buf.as_bytes().ends_with(b" CREATE imapload-7\r\n"));
    (spec(CommandKind::Create).on_ok)(&mut m);
    assert_eq!(m.scratch, Some(7));
    assert_eq!(substitute(CommandKind::Create, &m), CommandKind::Delete);
    assert_eq!(substitute(CommandKind::Rename, &m), CommandKind::Rename);
    let next = m.scratch_next;
    assert_ne!(next, 7);
    let mut buf = CommandBuf::new();
    encode(CommandKind::Rename, &input(&m, b""), &mut rng, &mut buf);
    let want = format!(" RENAME imapload-7 imapload-{next}\r\n");
    assert!(buf.as_bytes().ends_with(want.as_bytes()));
    (spec(CommandKind::Rename).on_ok)(&mut m);
    assert_eq!(m.scratch, Some(next));
    let mut buf = CommandBuf::new();
    encode(CommandKind::Delete, &input(&m, b""), &mut rng, &mut buf);
    let want = format!(" DELETE imapload-{next}\r\n");
    assert!(buf.as_bytes().ends_with(want.as_bytes()));
    (spec(CommandKind::Delete).on_ok)(&mut m);
    assert_eq!(m.scratch, None);
}
