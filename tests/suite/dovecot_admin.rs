//! The administrator's Dovecot fixture does what its configuration says:
//! COMPRESS and QUOTA after login, LMTP delivery into INBOX, special-use
//! mailboxes, and a rawlog per user.

use std::io::{BufRead, BufReader, Write};

use crate::support::DovecotAdmin;

/// One LMTP transaction by hand: LHLO, MAIL, RCPT, DATA; returns every reply line.
fn lmtp_deliver(port: u16, rcpt: &str, message: &str) -> Vec<String> {
    let stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let mut replies = Vec::new();
    let mut read_reply = |reader: &mut BufReader<std::net::TcpStream>| loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        replies.push(line.trim_end().to_string());
        if line.len() < 4 || line.as_bytes()[3] == b' ' {
            break;
        }
    };
    read_reply(&mut reader);
    for command in [
        "LHLO test",
        "MAIL FROM:<sender@example.org>",
        &format!("RCPT TO:<{rcpt}>"),
        "DATA",
    ] {
        write!(writer, "{command}\r\n").unwrap();
        read_reply(&mut reader);
    }
    write!(writer, "{message}.\r\nQUIT\r\n").unwrap();
    read_reply(&mut reader);
    replies
}

#[test]
fn the_admin_dovecot_offers_compress_quota_lmtp_special_use_and_rawlog() {
    let dir = tempfile::tempdir().unwrap();
    let Some(dovecot) = DovecotAdmin::start(dir.path()) else {
        return;
    };
    let mut imap = dovecot.login("alice");
    let before = dovecot.prelogin_rawlog();
    assert_eq!(before.sessions, 1, "{}", dovecot.log());
    assert!(before.input.contains("LOGIN alice secret"), "{before:?}");
    assert!(
        before.output.contains("* OK [CAPABILITY IMAP4rev1"),
        "{before:?}"
    );
    let caps = imap.cmd("CAPABILITY").join("\n");
    for want in [
        "COMPRESS=DEFLATE",
        "QUOTA",
        "SPECIAL-USE",
        "LITERAL+",
        "IDLE",
    ] {
        assert!(
            caps.contains(want),
            "{want} not advertised after login: {caps}"
        );
    }
    let quota = imap.cmd("GETQUOTAROOT INBOX").join("\n");
    assert!(
        quota.contains("* QUOTA \"User quota\" (STORAGE 0 1048576)"),
        "{quota}"
    );
    let list = imap
        .cmd("LIST \"\" \"*\" RETURN (SPECIAL-USE SUBSCRIBED)")
        .join("\n");
    for special in ["\\Sent", "\\Drafts", "\\Trash", "\\Junk", "\\Archive"] {
        assert!(list.contains(special), "{special} missing: {list}");
    }
    assert_eq!(imap.messages("INBOX"), 0);
    let replies = lmtp_deliver(
        dovecot.lmtp_port,
        "alice@localhost",
        "Subject: hello\r\n\r\nbody\r\n",
    );
    assert!(
        replies
            .last()
            .unwrap()
            .starts_with("250 2.0.0 <alice@localhost>"),
        "{replies:?}\n{}",
        dovecot.log()
    );
    assert_eq!(imap.messages("INBOX"), 1, "{}", dovecot.log());
    imap.cmd("LOGOUT");
    let rawlog = dovecot.rawlog("alice");
    assert_eq!(rawlog.sessions, 1, "{}", dovecot.log());
    assert!(rawlog.input.contains("GETQUOTAROOT INBOX"), "{rawlog:?}");
    assert!(rawlog.output.contains("* QUOTAROOT INBOX"), "{rawlog:?}");
    assert_eq!(dovecot.rawlog("bob").sessions, 0);
}
