//! The kinds of IMAP work imapload times, one row each in every output.
//!
//! Connection phases (connect, TLS, greeting, login, select) are timed as
//! "commands" of their own so that a slow handshake or a slow authentication
//! back end shows up on its own row instead of inflating FETCH.

use std::fmt;

// The enum, `ALL`, `label` and `mixable`: one variant per file of
// `src/engine/cmd/kind/` after the connection phases (see build.rs).
include!(concat!(env!("OUT_DIR"), "/command_kind.rs"));

impl CommandKind {
    /// Number of kinds; sizes dense per-kind tables.
    pub const COUNT: usize = Self::ALL.len();

    /// Dense index in `0..COUNT`, for table lookups on the hot path.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Parses a label, case-insensitively.
    pub fn from_label(s: &str) -> Option<CommandKind> {
        Self::ALL
            .into_iter()
            .find(|k| k.label().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for CommandKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_is_dense_and_labels_round_trip() {
        for (i, k) in CommandKind::ALL.into_iter().enumerate() {
            assert_eq!(k.index(), i);
            assert_eq!(CommandKind::from_label(&k.label().to_lowercase()), Some(k));
        }
    }
}
