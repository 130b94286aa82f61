//! CREATE, DELETE and RENAME (RFC 3501 6.3.3-6.3.5) of scratch folders: the
//! load creates, renames and deletes folders of its own, never INBOX or the
//! fixed set, so every account keeps the folders the other commands need.

use super::commands::wildcard;
use super::session::Session;
use crate::sim::store::FolderError;

impl Session {
    /// CREATE `name`: a new, empty scratch folder.
    pub(super) fn create(&mut self, tag: &str, name: &str) {
        let Some(account) = self.account() else {
            return;
        };
        let done = account.create(name);
        self.folder_answer(tag, "CREATE", done);
    }

    /// DELETE `name`: removes a scratch folder.
    pub(super) fn delete(&mut self, tag: &str, name: &str) {
        let Some(account) = self.account() else {
            return;
        };
        let done = account.delete(name);
        self.folder_answer(tag, "DELETE", done);
    }

    /// RENAME `from` `to`: renames a scratch folder.
    pub(super) fn rename(&mut self, tag: &str, from: &str, to: &str) {
        let Some(account) = self.account() else {
            return;
        };
        let done = account.rename(from, to);
        self.folder_answer(tag, "RENAME", done);
    }

    /// Lists the scratch folders `pattern` (reference and pattern joined) matches.
    pub(super) fn list_scratch(&mut self, verb: &str, pattern: &[u8]) {
        let Some(account) = self.account() else {
            return;
        };
        for name in account.scratch_names() {
            if wildcard(pattern, name.as_bytes()) {
                self.line(format!("* {verb} (\\HasNoChildren) \"/\" {name}"));
            }
        }
    }

    /// The tagged answer, with the RFC 5530 response code a refusal carries.
    fn folder_answer(&mut self, tag: &str, verb: &str, done: Result<(), FolderError>) {
        let line = match done {
            Ok(()) => format!("{tag} OK {verb} completed"),
            Err(FolderError::Fixed) => {
                format!("{tag} NO [CANNOT] INBOX and the fixed folders can't be changed")
            }
            Err(FolderError::Exists) => format!("{tag} NO [ALREADYEXISTS] Mailbox exists"),
            Err(FolderError::Missing) => format!("{tag} NO [NONEXISTENT] No such mailbox"),
        };
        self.line(line);
    }
}
