//! One file per command kind the engine sends (`<kind>.rs`): its doc, its
//! place among the rows (`ROW`), the capability atom it needs and what to
//! send without it, its precondition, encoding, the FETCH items its answer
//! must carry and its effect on the session's mailbox state (`SPEC`).
//!
//! `build.rs` lists the files and generates the module declarations, the
//! `CommandKind` enum (`crate::command`) and [`spec`], the one exhaustive
//! match over the kinds, so a new file is a new kind everywhere.

use super::{Spec, PHASE};
use crate::command::CommandKind;

include!(concat!(env!("OUT_DIR"), "/client_kinds.rs"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_follow_each_files_row() {
        assert!(ROWS.windows(2).all(|w| w[0] < w[1]), "{ROWS:?}");
        let phases = CommandKind::ALL.len() - ROWS.len();
        assert!(CommandKind::ALL[..phases].iter().all(|k| !k.mixable()));
        assert_eq!(CommandKind::ALL[phases], CommandKind::Select);
        assert_eq!(CommandKind::ALL.last(), Some(&CommandKind::Logout));
    }
}
