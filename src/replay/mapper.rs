//! Logged names -> what exists in the run. A logged user becomes the run
//! user of the same name, else the one a mapping file names, else one
//! picked by a stable hash of the name (the same logged user is always the
//! same run user, across runs and machines). Passwords always come from the
//! run's users. Mailbox names map onto the folders that exist.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::error::InputError;
use crate::plan::User;

/// FNV-1a, 64 bits: stable across runs, platforms and Rust versions (std's hasher is not).
pub fn stable_hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Logged user -> index into the run's users.
#[derive(Debug, Default)]
pub struct UserMap {
    by_name: HashMap<String, usize>,
    mapped: HashMap<String, usize>,
    count: usize,
}

impl UserMap {
    /// Over the run's `users`, with an optional mapping file (`logged_user,user`).
    pub fn new(users: &[User], file: Option<&Path>) -> Result<UserMap, InputError> {
        let by_name: HashMap<String, usize> = users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.name.to_ascii_lowercase(), i))
            .collect();
        let mut map = UserMap {
            mapped: HashMap::new(),
            count: users.len().max(1),
            by_name,
        };
        if let Some(file) = file {
            map.read(file)?;
        }
        Ok(map)
    }

    fn read(&mut self, file: &Path) -> Result<(), InputError> {
        let text = std::fs::read_to_string(file).map_err(|e| {
            InputError::at(
                file,
                None,
                Some("--user-map".into()),
                format!("cannot read: {e}"),
            )
        })?;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty()
                || line.starts_with('#')
                || (n == 0 && line.starts_with("logged_user"))
            {
                continue;
            }
            let at = |m: String| InputError::at(file, Some(n + 1), Some("user".into()), m);
            let Some((logged, user)) = line.split_once(',') else {
                return Err(at("expected `logged_user,user`".into()));
            };
            let Some(i) = self.by_name.get(&user.trim().to_ascii_lowercase()) else {
                return Err(at(format!("{} is not one of the run's users", user.trim())));
            };
            self.mapped.insert(logged.trim().to_ascii_lowercase(), *i);
        }
        Ok(())
    }

    /// The run user of a logged user (`None`: a session the log names no
    /// user for, keyed by `fallback`).
    pub fn map(&self, logged: Option<&str>, fallback: u64) -> usize {
        let Some(name) = logged.map(|n| n.trim_matches('"').to_ascii_lowercase()) else {
            return (fallback % self.count as u64) as usize;
        };
        if let Some(i) = self.mapped.get(&name).or_else(|| self.by_name.get(&name)) {
            return *i;
        }
        (stable_hash(name.as_bytes()) % self.count as u64) as usize
    }
}

/// Logged mailbox names -> folders that exist.
#[derive(Debug, Clone)]
pub struct MailboxMap {
    existing: Vec<Arc<str>>,
}

impl MailboxMap {
    /// Over the folders every account has (INBOX first).
    pub fn new(existing: &[String]) -> MailboxMap {
        let mut list: Vec<Arc<str>> = vec![Arc::from("INBOX")];
        for name in existing.iter().filter(|n| !n.eq_ignore_ascii_case("INBOX")) {
            list.push(Arc::from(name.as_str()));
        }
        MailboxMap { existing: list }
    }

    /// The folder a command's first argument names, mapped.
    pub fn map(&self, args: &str) -> Arc<str> {
        let name = first_astring(args);
        if let Some(m) = self.existing.iter().find(|m| m.eq_ignore_ascii_case(name)) {
            return m.clone();
        }
        if name.is_empty() || name.starts_with('{') {
            return self.existing[0].clone();
        }
        self.existing[(stable_hash(name.as_bytes()) % self.existing.len() as u64) as usize].clone()
    }
}

/// The first argument: a quoted string's content or an atom.
fn first_astring(args: &str) -> &str {
    let a = args.trim_start();
    if let Some(rest) = a.strip_prefix('"') {
        return rest.split('"').next().unwrap_or("");
    }
    a.split(' ').next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users(n: usize) -> Vec<User> {
        (0..n)
            .map(|i| User {
                name: format!("user{i}"),
                password: "p".into(),
                backend: "mbx1".into(),
                token: None,
            })
            .collect()
    }

    #[test]
    fn users_map_by_name_by_file_else_by_a_stable_hash() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("map.csv");
        std::fs::write(&file, "logged_user,user\nalice@x.test,user7\n").unwrap();
        let m = UserMap::new(&users(10), Some(&file)).unwrap();
        assert_eq!(m.map(Some("USER3"), 0), 3);
        assert_eq!(m.map(Some("alice@x.test"), 0), 7);
        let bob = m.map(Some("bob@x.test"), 0);
        assert_eq!(
            bob,
            m.map(Some("Bob@x.test"), 99),
            "stable, case-insensitive"
        );
        assert_eq!(bob as u64, stable_hash(b"bob@x.test") % 10);
        std::fs::write(&file, "alice,nobody\n").unwrap();
        let e = UserMap::new(&users(10), Some(&file))
            .unwrap_err()
            .to_string();
        assert!(e.contains("map.csv") && e.contains("nobody"), "{e}");
    }

    #[test]
    fn mailboxes_map_onto_what_exists() {
        let m = MailboxMap::new(&["Sent".into(), "Archive".into()]);
        assert_eq!(&*m.map("inbox"), "INBOX");
        assert_eq!(&*m.map("\"sent\" (MESSAGES)"), "Sent");
        let other = m.map("\"Sent Items\"");
        assert_eq!(other, m.map("\"Sent Items\" (UNSEEN)"));
        assert!(["INBOX", "Sent", "Archive"].contains(&&*other));
    }
}
