//! `imapload serve` as a test starts it: its own process on loopback ports.

use super::bin;

/// `imapload serve` in its own process, started by a test on loopback
/// ephemeral ports, read from its machine-readable stdout; killed on drop.
pub struct Served {
    child: std::process::Child,
    /// Every plain (`imap://`) endpoint: role (`cas`, `backend`), name, URL.
    pub endpoints: Vec<(String, String, String)>,
    /// The users file it wrote (`user,password,backend,token`).
    pub users: String,
    /// The CA certificate its TLS endpoints are signed with.
    pub ca: String,
}

impl Served {
    /// Starts `imapload serve ARGS` and waits for its endpoints, users and CA lines.
    pub fn start(args: &[&str]) -> Served {
        use std::io::{BufRead, BufReader};
        let mut child = std::process::Command::new(bin())
            .arg("serve")
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let (mut endpoints, mut users) = (Vec::new(), None);
        for line in BufReader::new(child.stdout.take().unwrap()).lines() {
            let line = line.unwrap();
            if let Some(path) = line.strip_prefix("USERS ") {
                users = Some(path.to_string());
            } else if let Some(ca) = line.strip_prefix("CA ") {
                return Served {
                    child,
                    endpoints,
                    users: users.expect("serve printed no USERS line"),
                    ca: ca.to_string(),
                };
            } else if let Some(rest) = line.strip_prefix("ENDPOINT ") {
                let field = |k: &str| {
                    let v = rest.split(' ').find_map(|f| f.strip_prefix(k));
                    v.unwrap_or_default().to_string()
                };
                let (role, name, url) = (field("role="), field("name="), field("url="));
                if url.starts_with("imap://") {
                    endpoints.push((role, name, url));
                }
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("serve ended before printing its CA line");
    }

    /// The plain URL of the first server of `role` (`cas`, `backend`).
    pub fn url(&self, role: &str) -> String {
        let found = self.endpoints.iter().find(|(r, _, _)| r == role);
        found.expect("no such endpoint").2.clone()
    }

    /// The names of its CAS servers.
    pub fn cas_names(&self) -> Vec<String> {
        let cas = self.endpoints.iter().filter(|(r, _, _)| r == "cas");
        cas.map(|(_, n, _)| n.clone()).collect()
    }

    /// `--cas NAME=URL` / `--backend NAME=URL` for every plain endpoint (no
    /// CAS with `only_backends`), and `--users FILE`.
    pub fn flags(&self, only_backends: bool) -> Vec<String> {
        let mut out = Vec::new();
        for (role, name, url) in &self.endpoints {
            let flag = match role.as_str() {
                "cas" if only_backends => continue,
                "cas" => "--cas",
                _ => "--backend",
            };
            out.extend([flag.to_string(), format!("{name}={url}")]);
        }
        out.extend(["--users".to_string(), self.users.clone()]);
        out
    }

    /// The first user of its users file: name and password.
    pub fn first_user(&self) -> (String, String) {
        let text = std::fs::read_to_string(&self.users).unwrap();
        let line = text.lines().nth(1).expect("a user");
        let mut cells = line.split(',');
        let mut cell = || cells.next().unwrap_or_default().to_string();
        (cell(), cell())
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
