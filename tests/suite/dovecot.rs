//! Interop with a real Dovecot, started by the test on loopback with its own
//! configuration in a temporary directory (static passdb). Skips when Dovecot
//! is not installed, unless IMAPLOAD_REQUIRE_DOVECOT=1 (set by .ci/run).

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use imapload::plan::Overrides;

use crate::support::*;

/// A Dovecot instance owned by one test; killed on drop. It runs in a
/// process group of its own, so [`Dovecot::crash`] can kill all of it.
pub struct Dovecot {
    child: Child,
    /// The loopback port it listens on (plain, STARTTLS when it has a certificate).
    pub port: u16,
    /// The implicit-TLS (imaps) port when it has a certificate, else 0.
    pub imaps_port: u16,
    dir: PathBuf,
    tls: Option<(PathBuf, PathBuf)>,
}

/// Where Dovecot is installed, if it is (other Dovecot test modules start their own).
pub fn dovecot_binary() -> Option<PathBuf> {
    ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// `id ARGS`: the user and group names and ids a test's Dovecot runs as.
pub fn id(args: &[&str]) -> String {
    let out = Command::new("id").args(args).output().expect("id");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

impl Dovecot {
    /// Starts Dovecot; with `tls` = (certificate chain PEM path, key PEM path) it offers STARTTLS.
    /// A test may write `extra.conf` into `dir` first: it is included last
    /// (later settings win; passdbs are tried after the static one).
    pub fn start_with(dir: &Path, tls: Option<(PathBuf, PathBuf)>) -> Option<Dovecot> {
        Self::start_on(dir, tls, None, None)
    }

    /// Starts Dovecot on `port` (an ephemeral one when `None`).
    fn start_on(
        dir: &Path,
        tls: Option<(PathBuf, PathBuf)>,
        port: Option<u16>,
        imaps_port: Option<u16>,
    ) -> Option<Dovecot> {
        let Some(binary) = dovecot_binary() else {
            if std::env::var("IMAPLOAD_REQUIRE_DOVECOT").as_deref() == Ok("1") {
                panic!("Dovecot is required (IMAPLOAD_REQUIRE_DOVECOT=1) but not installed");
            }
            eprintln!("SKIPPED: Dovecot is not installed (apt-get install dovecot-imapd)");
            return None;
        };
        let ephemeral = || {
            TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port()
        };
        let port = port.unwrap_or_else(ephemeral);
        let imaps_port = match &tls {
            Some(_) => imaps_port.unwrap_or_else(ephemeral),
            None => 0,
        };
        let accounts = Accounts::prepare(dir);
        let conf = config(dir, tls.as_ref(), port, imaps_port, &accounts);
        let conf_path = dir.join("dovecot.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let child = Command::new(binary)
            .process_group(0)
            .arg("-F")
            .arg("-c")
            .arg(&conf_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dovecot");
        let dovecot = Dovecot {
            child,
            port,
            imaps_port,
            dir: dir.to_path_buf(),
            tls,
        };
        dovecot.wait_listening();
        Some(dovecot)
    }

    /// Waits (at most 10 s) until the plain port accepts connections.
    fn wait_listening(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "dovecot did not listen: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills the master and every Dovecot process with SIGKILL at once, like
    /// a crashed host: connections reset, the port stops listening.
    pub fn crash(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }

    /// Starts Dovecot again on the same port with the same configuration
    /// (after [`Dovecot::crash`]); waits until it listens.
    pub fn restart(&mut self) {
        let again = Self::start_on(
            &self.dir,
            self.tls.clone(),
            Some(self.port),
            Some(self.imaps_port),
        )
        .expect("dovecot was running before");
        let old = std::mem::replace(self, again);
        std::mem::forget(old); // already dead and reaped
    }

    /// Dovecot's log, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("dovecot.log")).unwrap_or_default()
    }
}

/// Who a test's Dovecot runs as: Dovecot refuses to run its login processes
/// as root, and mail as uid 0, so a root test uses Dovecot's own users.
pub struct Accounts {
    /// `default_login_user`.
    pub login_user: String,
    /// `default_internal_user`.
    pub internal_user: String,
    /// Numeric uid the mail is stored as.
    pub uid: String,
    /// Numeric gid the mail is stored as.
    pub gid: String,
}

impl Accounts {
    /// Picks the users and makes `dir`'s run, state and mail directories
    /// usable by them.
    pub fn prepare(dir: &Path) -> Accounts {
        let root = id(&["-u"]) == "0";
        let (login_user, internal_user, mail_user) = if root {
            (
                "dovenull".to_string(),
                "dovecot".to_string(),
                "dovecot".to_string(),
            )
        } else {
            (id(&["-un"]), id(&["-un"]), id(&["-un"]))
        };
        let (uid, gid) = (id(&["-u", &mail_user]), id(&["-g", &mail_user]));
        for sub in ["run", "state", "mail"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        if root {
            Command::new("chown")
                .arg(format!("{mail_user}:"))
                .arg(dir.join("mail"))
                .status()
                .unwrap();
            // The base dir must be reachable by the unprivileged login user.
            Command::new("chmod")
                .args(["755"])
                .arg(dir)
                .status()
                .unwrap();
        }
        Accounts {
            login_user,
            internal_user,
            uid,
            gid,
        }
    }
}

/// `dovecot.conf` for a test instance living in `dir`: IMAP only on
/// loopback, static passdb (password `secret`), TLS when `tls` is given.
fn config(
    dir: &Path,
    tls: Option<&(PathBuf, PathBuf)>,
    port: u16,
    imaps_port: u16,
    accounts: &Accounts,
) -> String {
    let Accounts {
        login_user,
        internal_user,
        uid,
        gid,
    } = accounts;
    let d = dir.display();
    // Archive exists for every user, as on most servers: MOVE files there.
    let ssl = match tls {
        Some((cert, key)) => format!(
            "ssl = yes\nssl_cert = <{}\nssl_key = <{}\n",
            cert.display(),
            key.display()
        ),
        None => "ssl = no\n".to_string(),
    };
    format!(
        "base_dir = {d}/run\nstate_dir = {d}/state\nlog_path = {d}/dovecot.log\nprotocols = imap\n\
         listen = 127.0.0.1\n{ssl}disable_plaintext_auth = no\nauth_mechanisms = plain login\n\
         mail_location = maildir:{d}/mail/%u\nfirst_valid_uid = 0\nmail_max_userip_connections = 100\n\
         default_internal_user = {internal_user}\ndefault_login_user = {login_user}\n\
         service imap-login {{\n  chroot =\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n  inet_listener imaps {{\n    address = 127.0.0.1\n    port = {imaps_port}\n  }}\n}}\n\
         service anvil {{\n  chroot =\n}}\n\
         namespace inbox {{\n  inbox = yes\n  mailbox Archive {{\n    auto = create\n  }}\n}}\n\
         passdb {{\n  driver = static\n  args = password=secret\n}}\n\
         userdb {{\n  driver = static\n  args = uid={uid} gid={gid} home={d}/mail/%u\n}}\n\
         !include_try {d}/extra.conf\n"
    )
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

/// Stops a Dovecot master (this test's, or another module's): SIGTERM lets
/// it stop its children, then it is reaped, killed after 5 s if need be.
pub fn stop(child: &mut Child) {
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_quickstart_mix_runs_against_dovecot_with_every_command_and_zero_errors() {
    let dir = tempfile::tempdir().unwrap();
    let certs = imapload::sim::certs::generate("127.0.0.1".parse().unwrap()).unwrap();
    let (cert, key, ca) = (
        dir.path().join("cert.pem"),
        dir.path().join("key.pem"),
        dir.path().join("ca.pem"),
    );
    std::fs::write(&cert, &certs.server_chain_pem).unwrap();
    std::fs::write(&key, &certs.server_key_pem).unwrap();
    std::fs::write(&ca, &certs.ca_pem).unwrap();
    let Some(dovecot) = Dovecot::start_with(dir.path(), Some((cert, key))) else {
        return;
    };
    let users = dir.path().join("users.csv");
    let mut csv = String::from("user,password,backend\n");
    for i in 1..=40 {
        csv.push_str(&format!("qs{i:02},secret,dovecot\n"));
    }
    std::fs::write(&users, csv).unwrap();
    let quickstart = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/quickstart.toml"
    ));
    // Real servers: the URL says the security, so the quickstart's
    // embedded-only `security` / `starttls_share` go and the URL asks for STARTTLS.
    let text: String = std::fs::read_to_string(quickstart)
        .unwrap()
        .replace("cas_share = 0.8", "cas_share = 0.0")
        .lines()
        .filter(|l| !l.starts_with("security =") && !l.starts_with("starttls_share ="))
        .map(|l| format!("{l}\n"))
        .collect();
    let overrides = Overrides {
        backends: vec![format!(
            "dovecot=imap://127.0.0.1:{}?starttls",
            dovecot.port
        )],
        users: Some(users),
        ca_file: Some(ca),
        duration: Some("8s".into()),
        sessions: Some(30),
        ..quiet_out(dir.path())
    };
    let plan = imapload::plan::load_str(&text, quickstart, &overrides).unwrap();
    let report = run(plan).await;
    let bad: Vec<_> = report.rows.iter().filter(|(_, r)| r.errors > 0).collect();
    assert!(
        bad.is_empty(),
        "errors against Dovecot: {bad:#?}\n{}",
        dovecot.log()
    );
    assert!(
        report.commands > 50,
        "only {} commands against Dovecot",
        report.commands
    );
    assert!(report.rows.keys().all(|k| k.server == "dovecot"));
    let want = "CAPABILITY LOGIN AUTHENTICATE STARTTLS TLS SELECT EXAMINE LIST LSUB STATUS FETCH_FLAGS FETCH_HEADERS \
                FETCH_BODY FETCH_PARTIAL UID_FETCH SEARCH UID_SEARCH STORE UID_STORE COPY APPEND EXPUNGE CLOSE IDLE NOOP LOGOUT";
    let missing: Vec<_> = want
        .split_whitespace()
        .filter(|c| !report.rows.keys().any(|k| k.command.label() == *c))
        .collect();
    assert!(
        missing.is_empty(),
        "commands without a row against Dovecot: {missing:?}"
    );
}
