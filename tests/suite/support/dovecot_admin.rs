//! A Dovecot configured as an administrator configures it for desktop and
//! mobile clients: IMAP and LMTP, the quota plugin with `imap_quota`,
//! `imap_zlib` (COMPRESS=DEFLATE), special-use mailboxes created and
//! subscribed for every user, `mail_max_userip_connections` at its default
//! (10), and Dovecot's own `rawlog_dir` on (and the login processes'
//! pre-login rawlog, `imap-login -R`), so a test can read what a client
//! sent and received; its log also says each AUTH and whether it carried an
//! initial response (`auth_debug`) and each ID (`imap_id_log = *`). Skips unless Dovecot is installed (or
//! IMAPLOAD_REQUIRE_DOVECOT=1, which makes a missing one a failure).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::dovecot::{dovecot_binary, stop, Accounts};

/// A Dovecot with the administrator's configuration, in its own process
/// group, owned by one test; stopped on drop. Every user's password is `secret`.
pub struct DovecotAdmin {
    child: Child,
    /// The loopback IMAP port (plain; no TLS).
    pub imap_port: u16,
    /// The loopback LMTP port; recipients are `user@localhost` (the domain is dropped).
    pub lmtp_port: u16,
    dir: PathBuf,
}

/// What Dovecot's rawlog recorded for one user: every session's client
/// stream (`*.in`) and server stream (`*.out`), sessions in file-name
/// (start time) order, concatenated.
#[derive(Debug, Default)]
pub struct Rawlog {
    /// What the client sent after login, every session.
    pub input: String,
    /// What the server answered after login, every session.
    pub output: String,
    /// How many sessions were recorded.
    pub sessions: usize,
}

impl DovecotAdmin {
    /// Starts it in `dir` on ephemeral ports and waits until IMAP and LMTP listen.
    pub fn start(dir: &Path) -> Option<DovecotAdmin> {
        let Some(binary) = dovecot_binary() else {
            if std::env::var("IMAPLOAD_REQUIRE_DOVECOT").as_deref() == Ok("1") {
                panic!("Dovecot is required (IMAPLOAD_REQUIRE_DOVECOT=1) but not installed");
            }
            eprintln!(
                "SKIPPED: Dovecot is not installed (apt-get install dovecot-imapd dovecot-lmtpd)"
            );
            return None;
        };
        let ephemeral = || {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let (imap_port, lmtp_port) = (ephemeral(), ephemeral());
        let accounts = Accounts::prepare(dir);
        prepare_rawlog(dir, &accounts);
        let conf = config(dir, imap_port, lmtp_port, &accounts);
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
        let admin = DovecotAdmin {
            child,
            imap_port,
            lmtp_port,
            dir: dir.to_path_buf(),
        };
        admin.wait_listening(imap_port);
        admin.wait_listening(lmtp_port);
        Some(admin)
    }

    /// Waits (at most 10 s) until `port` accepts connections.
    fn wait_listening(&self, port: u16) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "dovecot did not listen on {port}: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Everything Dovecot's rawlog recorded for `user` after login so far
    /// (empty when the user never logged in over IMAP), without the Unix
    /// time Dovecot starts each line with. Dovecot records a compressed
    /// connection's bytes as they travel, raw deflate after `COMPRESS
    /// DEFLATE`, so each file is inflated from there on: a client whose
    /// compression were broken shows as text that does not inflate.
    pub fn rawlog(&self, user: &str) -> Rawlog {
        read_rawlog(&self.dir.join("rawlog").join(user))
    }

    /// What every connection sent and received before login (the login
    /// process's rawlog: CAPABILITY, ID, STARTTLS, LOGIN/AUTHENTICATE), all
    /// users' sessions in start order. Not recorded once TLS is on.
    pub fn prelogin_rawlog(&self) -> Rawlog {
        read_rawlog(&self.dir.join("run/login/rawlogs"))
    }

    /// Dovecot's log, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("dovecot.log")).unwrap_or_default()
    }

    /// A plain IMAP connection to it, logged in as `user` (password `secret`).
    pub fn login(&self, user: &str) -> Imap {
        let mut imap = Imap::connect(self.imap_port);
        let reply = imap.cmd(&format!("LOGIN {user} secret"));
        assert!(
            reply.last().is_some_and(|l| l.contains("OK")),
            "login {user}: {reply:?}"
        );
        imap
    }
}

impl Drop for DovecotAdmin {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

/// A blocking IMAP connection for a test's checks: one command at a time,
/// no literals in responses.
pub struct Imap {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    tag: u32,
}

impl Imap {
    /// Connects to the loopback `port` and reads the greeting.
    pub fn connect(port: u16) -> Imap {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let writer = stream.try_clone().unwrap();
        let mut imap = Imap {
            reader: BufReader::new(stream),
            writer,
            tag: 0,
        };
        let mut greeting = String::new();
        imap.reader.read_line(&mut greeting).unwrap();
        assert!(greeting.starts_with("* OK"), "greeting: {greeting}");
        imap
    }

    /// Sends `command` with a fresh tag and returns every line of the reply,
    /// the tagged completion last (without its tag).
    pub fn cmd(&mut self, command: &str) -> Vec<String> {
        self.tag += 1;
        let tag = format!("t{}", self.tag);
        write!(self.writer, "{tag} {command}\r\n").unwrap();
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line).unwrap() == 0 {
                panic!("connection closed after {command}: {lines:?}");
            }
            let line = line.trim_end().to_string();
            if let Some(done) = line.strip_prefix(&format!("{tag} ")) {
                lines.push(done.to_string());
                return lines;
            }
            lines.push(line);
        }
    }

    /// `STATUS mailbox (MESSAGES)`: how many messages it holds.
    pub fn messages(&mut self, mailbox: &str) -> u32 {
        let reply = self.cmd(&format!("STATUS \"{mailbox}\" (MESSAGES)"));
        let line = reply
            .iter()
            .find(|l| l.starts_with("* STATUS"))
            .unwrap_or_else(|| panic!("{reply:?}"));
        let n = line.rsplit("MESSAGES ").next().unwrap_or("");
        n.trim_end_matches(')')
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{line}"))
    }
}

/// Every session's `*.in` and `*.out` file in `dir`, in name (start time)
/// order, leaving out sessions whose client sent nothing (the fixture's own
/// waits for the port to listen).
fn read_rawlog(dir: &Path) -> Rawlog {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    names.sort();
    let silent =
        |path: &Path| std::fs::metadata(path.with_extension("in")).map_or(true, |m| m.len() == 0);
    names.retain(|p| !silent(p));
    let mut log = Rawlog::default();
    for path in names {
        let bytes = without_timestamps(&std::fs::read(&path).unwrap_or_default());
        match path.extension().and_then(|e| e.to_str()) {
            Some("in") => {
                log.input
                    .push_str(&inflated_after(&bytes, b"COMPRESS DEFLATE\r\n"));
                log.sessions += 1;
            }
            Some("out") => log
                .output
                .push_str(&inflated_after(&bytes, b"OK DEFLATE active\r\n")),
            _ => {}
        }
    }
    log
}

/// The rawlog base directory, writable by the mail user: a post-login
/// script makes each user's directory there (Dovecot records only into a
/// directory that exists); and the login processes' rawlog directory.
fn prepare_rawlog(dir: &Path, accounts: &Accounts) {
    let rawlog = dir.join("rawlog");
    std::fs::create_dir_all(&rawlog).unwrap();
    let script = dir.join("postlogin.sh");
    let body = format!(
        "#!/bin/sh\nmkdir -p \"{}/$USER\" 2>/dev/null\nexec \"$@\"\n",
        rawlog.display()
    );
    std::fs::write(&script, body).unwrap();
    Command::new("chmod")
        .arg("755")
        .arg(&script)
        .status()
        .unwrap();
    // The login processes' own rawlog (before login), under base_dir.
    let prelogin = dir.join("run/login/rawlogs");
    std::fs::create_dir_all(&prelogin).unwrap();
    if crate::dovecot::id(&["-u"]) == "0" {
        let owner = format!("{}:{}", accounts.uid, accounts.gid);
        let chown = |owner: &str, path: &Path| Command::new("chown").arg(owner).arg(path).status();
        chown(&owner, &rawlog).unwrap();
        chown(&accounts.login_user, &prelogin).unwrap();
    }
}

/// `dovecot.conf` as an administrator writes it for IMAP clients, living in `dir`.
fn config(dir: &Path, imap_port: u16, lmtp_port: u16, accounts: &Accounts) -> String {
    let Accounts {
        login_user,
        internal_user,
        uid,
        gid,
    } = accounts;
    let d = dir.display();
    let mut special = String::new();
    for (name, flag) in [
        ("Drafts", "Drafts"),
        ("Sent", "Sent"),
        ("Trash", "Trash"),
        ("Junk", "Junk"),
        ("Archive", "Archive"),
    ] {
        special.push_str(&format!(
            "  mailbox {name} {{\n    special_use = \\{flag}\n    auto = subscribe\n  }}\n"
        ));
    }
    format!(
        "base_dir = {d}/run\nstate_dir = {d}/state\nlog_path = {d}/dovecot.log\n\
         protocols = imap lmtp\nlisten = 127.0.0.1\nssl = no\n\
         disable_plaintext_auth = no\nauth_mechanisms = plain login\nauth_username_format = %Ln\n\
         mail_location = maildir:~/Maildir\nmail_plugins = $mail_plugins quota\nfirst_valid_uid = 0\n\
         default_internal_user = {internal_user}\ndefault_login_user = {login_user}\n\
         auth_debug = yes\nimap_id_log = *\n\
         protocol imap {{\n  mail_plugins = $mail_plugins imap_quota imap_zlib\n  rawlog_dir = {d}/rawlog/%u\n}}\n\
         plugin {{\n  quota = count:User quota\n  quota_rule = *:storage=1G\n  quota_vsizes = yes\n}}\n\
         service imap-login {{\n  chroot =\n  executable = imap-login -R rawlogs\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {imap_port}\n  }}\n  inet_listener imaps {{\n    port = 0\n  }}\n}}\n\
         service imap {{\n  executable = imap imap-postlogin\n}}\n\
         service imap-postlogin {{\n  executable = script-login {d}/postlogin.sh\n  user = $default_internal_user\n  unix_listener imap-postlogin {{\n  }}\n}}\n\
         service lmtp {{\n  inet_listener lmtp {{\n    address = 127.0.0.1\n    port = {lmtp_port}\n  }}\n}}\n\
         service anvil {{\n  chroot =\n}}\n\
         namespace inbox {{\n  inbox = yes\n  separator = /\n{special}}}\n\
         passdb {{\n  driver = static\n  args = password=secret\n}}\n\
         userdb {{\n  driver = static\n  args = uid={uid} gid={gid} home={d}/mail/%u\n}}\n"
    )
}

/// A rawlog file without the `SECONDS.MICROS ` Dovecot writes at the start
/// of every line it records.
fn without_timestamps(bytes: &[u8]) -> Vec<u8> {
    let stamp = |b: &[u8]| -> usize {
        let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let rest = &b[digits..];
        let ok = digits >= 9
            && rest.len() >= 8
            && rest[0] == b'.'
            && rest[1..7].iter().all(u8::is_ascii_digit)
            && rest[7] == b' ';
        if ok {
            digits + 8
        } else {
            0
        }
    };
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = stamp(bytes);
    while i < bytes.len() {
        out.push(bytes[i]);
        i += 1;
        if bytes[i - 1] == b'\n' {
            i += stamp(&bytes[i..]);
        }
    }
    out
}

/// `bytes` as text, inflated (raw deflate, RFC 4978) after `marker`'s line.
fn inflated_after(bytes: &[u8], marker: &[u8]) -> String {
    let Some(at) = bytes.windows(marker.len()).position(|w| w == marker) else {
        return String::from_utf8_lossy(bytes).into_owned();
    };
    let (plain, packed) = bytes.split_at(at + marker.len());
    let mut text = String::from_utf8_lossy(plain).into_owned();
    let mut inflate = flate2::Decompress::new(false);
    let mut out = Vec::with_capacity(packed.len() * 4 + 1024);
    loop {
        let before = (inflate.total_in(), inflate.total_out());
        if out.capacity() - out.len() < 4096 {
            out.reserve(64 * 1024);
        }
        let input = &packed[inflate.total_in() as usize..];
        let status = inflate.decompress_vec(input, &mut out, flate2::FlushDecompress::Sync);
        match status {
            Ok(_) if (inflate.total_in(), inflate.total_out()) != before => continue,
            Ok(_) => break,
            Err(e) => {
                text.push_str(&format!("[not deflate: {e}]"));
                break;
            }
        }
    }
    text.push_str(&String::from_utf8_lossy(&out));
    text
}
