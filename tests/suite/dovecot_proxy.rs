//! A CAS-only run through a real Dovecot proxy (issue 12): a Dovecot director-
//! less proxy on loopback whose passdb sends each user to one of two Dovecot
//! back ends (`proxy=y host=... port=...`), as administrators configure it;
//! imapload is given only `--cas` and a users file that names the back ends.
//! Skips when Dovecot is not installed, unless IMAPLOAD_REQUIRE_DOVECOT=1.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::dovecot::{dovecot_binary, id, Dovecot};
use crate::support::*;

/// A Dovecot proxy owned by one test; stopped on drop.
struct Proxy {
    child: Child,
    port: u16,
    dir: std::path::PathBuf,
}

impl Proxy {
    /// Starts a proxy in `dir` with STARTTLS (`cert`, `key`) sending user
    /// `uI` to `backends[(I-1) % n]` (ports), all with password `secret`.
    fn start(dir: &Path, cert: &Path, key: &Path, users: usize, backends: &[u16]) -> Proxy {
        let binary = dovecot_binary().expect("checked by the caller");
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let root = id(&["-u"]) == "0";
        let (login_user, internal_user) = if root {
            ("dovenull".to_string(), "dovecot".to_string())
        } else {
            (id(&["-un"]), id(&["-un"]))
        };
        let (uid, gid) = (id(&["-u"]), id(&["-g"]));
        for sub in ["run", "state"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        if root {
            Command::new("chmod").arg("755").arg(dir).status().unwrap();
        }
        let mut passwd = String::new();
        for i in 1..=users {
            let backend = backends[(i - 1) % backends.len()];
            passwd.push_str(&format!(
                "u{i}:{{PLAIN}}secret::::::proxy=y host=127.0.0.1 port={backend} pass=secret\n"
            ));
        }
        std::fs::write(dir.join("passwd"), passwd).unwrap();
        let d = dir.display();
        let conf = format!(
            "base_dir = {d}/run\nstate_dir = {d}/state\nlog_path = {d}/dovecot.log\nprotocols = imap\n\
             listen = 127.0.0.1\nssl = yes\nssl_cert = <{cert}\nssl_key = <{key}\n\
             disable_plaintext_auth = no\nauth_mechanisms = plain login\nfirst_valid_uid = 0\n\
             mail_max_userip_connections = 1000\n\
             default_internal_user = {internal_user}\ndefault_login_user = {login_user}\n\
             service imap-login {{\n  chroot =\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n  inet_listener imaps {{\n    port = 0\n  }}\n}}\n\
             service anvil {{\n  chroot =\n}}\n\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {d}/passwd\n}}\n\
             userdb {{\n  driver = static\n  args = uid={uid} gid={gid} home={d}/home/%u\n}}\n",
            cert = cert.display(),
            key = key.display(),
        );
        let conf_path = dir.join("dovecot.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let child = Command::new(binary)
            .process_group(0)
            .args(["-F", "-c"])
            .arg(&conf_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the dovecot proxy");
        let proxy = Proxy {
            child,
            port,
            dir: dir.to_path_buf(),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "proxy did not listen: {}",
                proxy.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        proxy
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("dovecot.log")).unwrap_or_default()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        crate::dovecot::stop(&mut self.child);
    }
}

#[test]
fn a_cas_only_run_through_a_dovecot_proxy_attributes_rows_to_its_two_backends() {
    let top = tempfile::tempdir().unwrap();
    let sub = |name: &str| {
        let p = top.path().join(name);
        std::fs::create_dir_all(&p).unwrap();
        p
    };
    let Some(mbx1) = Dovecot::start_with(&sub("mbx1"), None) else {
        return;
    };
    let mbx2 = Dovecot::start_with(&sub("mbx2"), None).expect("installed");
    let certs = imapload::sim::certs::generate("127.0.0.1".parse().unwrap()).unwrap();
    let (cert, key, ca) = (
        top.path().join("cert.pem"),
        top.path().join("key.pem"),
        top.path().join("ca.pem"),
    );
    std::fs::write(&cert, &certs.server_chain_pem).unwrap();
    std::fs::write(&key, &certs.server_key_pem).unwrap();
    std::fs::write(&ca, &certs.ca_pem).unwrap();
    let users = 20;
    let proxy = Proxy::start(&sub("proxy"), &cert, &key, users, &[mbx1.port, mbx2.port]);
    let mut csv = String::from("user,password,backend\n");
    for i in 1..=users {
        csv.push_str(&format!("u{i},secret,mbx{}\n", 1 + (i - 1) % 2));
    }
    let users_csv = top.path().join("users.csv");
    std::fs::write(&users_csv, csv).unwrap();
    let out = top.path().join("r");
    let _alone = exclusive();
    let status = Command::new(bin())
        .args(["run", "--quiet", "--duration", "5s", "--sessions", "10"])
        .arg("--cas")
        .arg(format!("imap://127.0.0.1:{}", proxy.port))
        .arg("--users")
        .arg(&users_csv)
        .arg("--ca-file")
        .arg(&ca)
        .arg("--out")
        .arg(&out)
        .status()
        .unwrap();
    let (_, rows) = read_csv(&out.join("summary.csv"));
    let errors: Vec<_> = rows.iter().filter(|r| r[5] != "0").collect();
    assert!(
        errors.is_empty(),
        "errors through the Dovecot proxy: {errors:?}\nproxy log:\n{}\nmbx1 log:\n{}",
        proxy.log(),
        mbx1.log()
    );
    assert_eq!(status.code(), Some(0));
    assert!(rows.iter().all(|r| r[0] == "cas"), "a direct session ran");
    for mbx in ["mbx1", "mbx2"] {
        for command in ["SELECT", "LOGOUT"] {
            assert!(
                rows.iter()
                    .any(|r| r[1] == mbx && r[2] == mbx && r[3] == command && r[4] != "0"),
                "no cas,{mbx},{mbx},{command} row: {rows:?}"
            );
        }
        assert!(
            rows.iter().any(|r| r[1] == "cas1" && r[2] == mbx),
            "no cas,cas1,{mbx} rows"
        );
    }
}
