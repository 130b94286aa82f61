use super::*;

fn shown(line: &str) -> (String, bool) {
    let (b, next) = redact(line.as_bytes());
    (String::from_utf8(b).unwrap(), next)
}

#[test]
fn login_keeps_the_user_and_hides_the_password() {
    assert_eq!(
        shown("a1 LOGIN user00001 secret"),
        ("a1 LOGIN user00001 <redacted>".into(), false)
    );
    assert_eq!(
        shown("a1 login \"us er\" \"p a\\\"ss\""),
        ("a1 login \"us er\" <redacted>".into(), false)
    );
    // A literal: the user is not shown and the next line (its data) is secret.
    assert_eq!(shown("a1 LOGIN {5}"), ("a1 LOGIN <redacted>".into(), true));
}

#[test]
fn authenticate_keeps_the_mechanism_only() {
    assert_eq!(
        shown("a2 AUTHENTICATE PLAIN AHVzZXIAc2VjcmV0"),
        ("a2 AUTHENTICATE PLAIN <redacted>".into(), false)
    );
    // Without an initial response the next client line is the SASL answer.
    assert_eq!(
        shown("a2 AUTHENTICATE PLAIN"),
        ("a2 AUTHENTICATE PLAIN".into(), true)
    );
}

#[test]
fn oauth_initial_responses_and_answers_are_hidden() {
    for mech in ["XOAUTH2", "OAUTHBEARER"] {
        assert_eq!(
            shown(&format!(
                "a2 AUTHENTICATE {mech} dXNlcj11AWF1dGg9QmVhcmVyIHRvawEB"
            )),
            (format!("a2 AUTHENTICATE {mech} <redacted>"), false)
        );
        assert_eq!(
            shown(&format!("a2 authenticate {mech}")),
            (format!("a2 authenticate {mech}"), true)
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.log");
    let mut log = SessionLog::create(path.clone(), "u", "mbx1").unwrap();
    log.client(b"a1 AUTHENTICATE XOAUTH2\r\n");
    log.server(b"+ \r\n");
    log.client(b"dXNlcj11AWF1dGg9QmVhcmVyIHRvawEB\r\n");
    log.server(b"+ eyJzdGF0dXMiOiI0MDEifQ==\r\n");
    log.client(b"\r\n");
    log.server(b"a1 NO [AUTHENTICATIONFAILED] no\r\n");
    drop(log);
    let text = std::fs::read_to_string(path).unwrap();
    assert!(!text.contains("dXNlcj11AWF1dGg9QmVhcmVyIHRvawEB"), "{text}");
    assert!(
        text.contains("<redacted>") && text.contains("a1 NO"),
        "{text}"
    );
}

#[test]
fn other_commands_pass_unchanged() {
    assert_eq!(shown("a3 SELECT INBOX"), ("a3 SELECT INBOX".into(), false));
    assert_eq!(shown("DONE"), ("DONE".into(), false));
}

#[test]
fn a_session_file_has_timestamps_directions_and_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.log");
    let mut log = SessionLog::create(path.clone(), "u", "mbx1").unwrap();
    log.server(b"* OK ready\r\n");
    log.client(b"a1 AUTHENTICATE PLAIN\r\n");
    log.server(b"+ \r\n");
    log.client(b"AHUAc2VjcmV0\r\n");
    log.client(b"a2 LOGIN u secret\r\n");
    let body = format!(
        "* 1 FETCH (BODY[] {{9000}}\r\n{})\r\n",
        "x".repeat(300) + "\r\n"
    );
    log.server(body.repeat(5).as_bytes());
    log.note("TLS established");
    drop(log);
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        !text.contains("secret") && !text.contains("AHUAc2VjcmV0"),
        "{text}"
    );
    assert!(text.contains(" C: a2 LOGIN u <redacted>"), "{text}");
    assert!(text.contains(" C: <redacted>"), "{text}");
    assert!(text.contains(" S: * OK ready"), "{text}");
    assert!(
        text.contains("(100 more bytes)"),
        "long lines are cut: {text}"
    );
    assert!(
        text.contains("more lines)"),
        "long messages are cut: {text}"
    );
    for line in text.lines() {
        assert!(
            line.starts_with("20") && line.as_bytes()[26] == b'Z',
            "{line}"
        );
    }
}

#[test]
fn the_first_session_and_then_every_nth_is_logged() {
    let dir = tempfile::tempdir().unwrap();
    let p = ProtoLog::new(Settings {
        dir: dir.path().into(),
        sample: 0.1,
    });
    let picked: Vec<usize> = (0..35)
        .filter(|_| p.session("u/../x", "cas1").is_some())
        .collect();
    assert_eq!(picked, [0, 10, 20, 30]);
    assert_eq!(p.logged(), 4);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.contains(&"000001-u_.._x-cas1.log".to_string()),
        "{names:?}"
    );
}
