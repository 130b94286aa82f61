//! "The URL says the security": `[session] security` and `starttls_share`
//! choose for the embedded servers only; `--tls-server-name` names the
//! certificate of real ones.

use std::path::Path;

use super::*;
use crate::results::Security;

const REAL: &str =
    "duration = \"1s\"\n[topology]\nkind = \"real\"\n[[topology.backend]]\nname = \"m1\"\n\
                    url = \"imap://m1\"\n[load]\ncas_share = 0\n[users]\ncount = 2\n";

#[test]
fn starttls_share_or_security_in_a_real_scenario_is_bad_input_saying_the_url_decides() {
    for (key, line) in [("starttls_share = 0.2", 12), ("security = \"tls\"", 12)] {
        let text = format!("{REAL}[session]\n{key}\n");
        let e = load_str(&text, Path::new("real.toml"), &Overrides::default()).unwrap_err();
        let name = key.split(' ').next().unwrap();
        assert_eq!(
            (e.file.as_deref(), e.line, e.key.as_deref()),
            (
                Some(Path::new("real.toml")),
                Some(line),
                Some(format!("session.{name}").as_str())
            ),
            "{e}"
        );
        assert!(e.message.contains("the URL decides"), "{e}");
        assert!(e.message.contains("?starttls"), "{e}");
    }
    load_str(REAL, Path::new("real.toml"), &Overrides::default()).unwrap();
}

#[test]
fn flags_making_a_scenario_real_refuse_its_security_keys_but_the_builtin_sets_them_aside() {
    let text = "duration = \"1s\"\n[load]\ncas_share = 0\n[session]\nstarttls_share = 0.5\n";
    let ov = Overrides {
        backends: vec!["m1=imap://127.0.0.1:1143".into()],
        ..Default::default()
    };
    let e = load_str(text, Path::new("s.toml"), &ov).unwrap_err();
    assert_eq!(e.key.as_deref(), Some("session.starttls_share"), "{e}");
    let ov = Overrides {
        cas: vec!["imap://127.0.0.1:1".into()],
        ..ov
    };
    // The quickstart says security = "plain" and starttls_share = 0.2 for its embedded servers.
    let p = load(None, &ov).unwrap();
    assert_eq!(
        (
            p.session.security,
            p.session.starttls_share,
            p.session.login
        ),
        (Security::Plain, 0.0, LoginMethod::Login)
    );
    let embedded = load(None, &Overrides::default()).unwrap();
    assert_eq!(embedded.session.starttls_share, 0.2);
    assert_eq!(embedded.session.login, LoginMethod::Mixed);
}

#[test]
fn tls_server_name_is_for_real_servers_and_must_be_a_name() {
    let ov = |name: &str| Overrides {
        tls_server_name: Some(name.to_string()),
        ..Default::default()
    };
    let p = load_str(REAL, Path::new("r.toml"), &ov("mail.example.com")).unwrap();
    assert_eq!(p.tls.server_name.as_deref(), Some("mail.example.com"));
    let e = load_str(REAL, Path::new("r.toml"), &ov("bad name")).unwrap_err();
    assert_eq!(e.key.as_deref(), Some("--tls-server-name"), "{e}");
    let e = load(None, &ov("mail.example.com")).unwrap_err();
    assert!(e.message.contains("only applies to real servers"), "{e}");
}
