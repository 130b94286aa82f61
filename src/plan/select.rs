//! Row selectors of threshold expressions: `path.server.backend.command`
//! with `*` and `?` globs (the hlog tag's shape, `cas.cas1.mbx2.FETCH_BODY`);
//! missing trailing parts match anything, so `cas.cas1` is every row of cas1.
//!
//! A command sent through a CAS is counted on two rows (the CAS row and the
//! back-end row behind it). [`Selector::rows`] keeps each command once: a
//! back-end-behind-CAS row is dropped when the selection also holds a CAS row
//! of the same back end and command.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::command::CommandKind;
use crate::results::Path;
use crate::results::RowHistograms;
use crate::results::RowKey;

/// Globs for the four parts of a row key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selector {
    /// `cas`, `direct` or a glob.
    pub path: String,
    /// Server name glob.
    pub server: String,
    /// Home back-end glob.
    pub backend: String,
    /// Command label glob (`FETCH_BODY`, `FETCH_*`).
    pub command: String,
}

fn has_glob(s: &str) -> bool {
    s.contains(['*', '?'])
}

impl Selector {
    /// Every row.
    pub fn all() -> Selector {
        Selector::parse("*").expect("`*` is a selector")
    }

    /// Parses `path.server.backend.command` (1 to 4 parts).
    pub fn parse(text: &str) -> Result<Selector, String> {
        let parts: Vec<&str> = text.trim().split('.').map(str::trim).collect();
        if parts.len() > 4 || parts.iter().any(|p| p.is_empty()) {
            return Err(format!(
                "rows `{text}` are not PATH.SERVER.BACKEND.COMMAND (globs * and ?; e.g. cas.*.mbx2.FETCH_BODY)"
            ));
        }
        let part = |i: usize| parts.get(i).copied().unwrap_or("*").to_string();
        let path = part(0);
        if !has_glob(&path) && !["cas", "direct"].contains(&path.to_ascii_lowercase().as_str()) {
            return Err(format!(
                "rows `{text}`: the path `{path}` is not cas or direct (or a glob)"
            ));
        }
        let command = part(3);
        let known = CommandKind::ALL
            .iter()
            .any(|k| k.label().eq_ignore_ascii_case(&command));
        if !has_glob(&command) && !known {
            let labels: Vec<&str> = CommandKind::ALL.iter().map(|k| k.label()).collect();
            return Err(format!(
                "rows `{text}`: no command `{command}`; one of {} (or a glob)",
                labels.join(", ")
            ));
        }
        Ok(Selector {
            path,
            server: part(1),
            backend: part(2),
            command,
        })
    }

    /// Whether `key` is selected.
    pub fn matches(&self, key: &RowKey) -> bool {
        glob(&self.path, key.path.label())
            && glob(&self.server, &key.server)
            && glob(&self.backend, &key.backend)
            && glob(&self.command, key.command.label())
    }

    /// The selected rows of `rows`, each command once (see the module doc).
    pub fn rows<'a>(
        &self,
        rows: &'a BTreeMap<RowKey, std::sync::Arc<RowHistograms>>,
    ) -> Vec<(&'a RowKey, &'a RowHistograms)> {
        let picked: Vec<(&RowKey, &RowHistograms)> = rows
            .iter()
            .filter(|(k, _)| self.matches(k))
            .map(|(k, r)| (k, &**r))
            .collect();
        let counted_at_cas = |k: &RowKey| {
            picked.iter().any(|(c, _)| {
                c.path == Path::Cas
                    && c.is_first_on_path()
                    && c.backend == k.backend
                    && c.command == k.command
            })
        };
        picked
            .iter()
            .filter(|(k, _)| k.is_first_on_path() || !counted_at_cas(k))
            .copied()
            .collect()
    }
}

impl std::fmt::Display for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}.{}.{}.{}",
            self.path, self.server, self.backend, self.command
        )
    }
}

/// Case-insensitive glob with `*` (any run) and `?` (one character).
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_a_shell() {
        assert!(glob("*", ""));
        assert!(glob("mbx?", "MBX2"));
        assert!(glob("fetch_*", "FETCH_BODY"));
        assert!(glob("*_body", "FETCH_BODY"));
        assert!(!glob("mbx?", "mbx10"));
        assert!(glob("m*x*0", "mbx10"));
    }

    #[test]
    fn each_command_is_counted_once() {
        let mut rows = BTreeMap::new();
        let one = |n: u64| {
            let mut r = RowHistograms::new();
            for _ in 0..n {
                r.record_ok(1000, 500);
            }
            std::sync::Arc::new(r)
        };
        let cmd = CommandKind::FetchBody;
        rows.insert(RowKey::new(Path::Cas, "cas1", "mbx2", cmd), one(3));
        rows.insert(RowKey::new(Path::Cas, "mbx2", "mbx2", cmd), one(3));
        rows.insert(RowKey::new(Path::Direct, "mbx2", "mbx2", cmd), one(5));
        let count = |sel: &str| -> u64 {
            Selector::parse(sel)
                .unwrap()
                .rows(&rows)
                .iter()
                .map(|(_, r)| r.count())
                .sum()
        };
        assert_eq!(
            count("*"),
            8,
            "the back-end row behind the CAS is the same 3 commands"
        );
        assert_eq!(count("cas"), 3);
        assert_eq!(
            count("cas.mbx2"),
            3,
            "selected alone, the back-end row counts"
        );
        assert_eq!(count("*.mbx2"), 8);
        assert_eq!(count("direct.*.*.LOGIN"), 0);
    }
}
