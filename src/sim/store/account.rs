//! One user's folders: the fixed set every account starts with, plus the
//! scratch folders sessions CREATE, RENAME and DELETE (issue 13), so folder
//! management can be load-tested without ever touching INBOX or the fixed set.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use super::Folder;

/// One user's folders.
#[derive(Debug)]
pub struct Account {
    /// Login name.
    pub user: String,
    /// The folders, in [`super::FOLDERS`] order (or the mail set's, INBOX first).
    pub folders: Vec<Arc<Folder>>,
    /// Names of the folders created at run time, sorted for LIST. They hold
    /// no messages: the load only creates, renames and deletes them.
    pub scratch: Mutex<BTreeSet<String>>,
}

/// Why a CREATE, RENAME or DELETE was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderError {
    /// INBOX or another folder of the fixed set (they can't be changed).
    Fixed,
    /// The target name already exists.
    Exists,
    /// The source folder does not exist.
    Missing,
}

impl Account {
    /// Finds a folder by name (INBOX case-insensitively, the rest exactly).
    pub fn folder(&self, name: &str) -> Option<&Arc<Folder>> {
        self.folders.iter().find(|f| {
            if f.name.eq_ignore_ascii_case("INBOX") {
                name.eq_ignore_ascii_case("INBOX")
            } else {
                f.name == name
            }
        })
    }

    /// The scratch folder names, sorted (for LIST).
    pub fn scratch_names(&self) -> Vec<String> {
        self.scratch_set().iter().cloned().collect()
    }

    /// Creates the scratch folder `name` (RFC 3501 6.3.3).
    pub fn create(&self, name: &str) -> Result<(), FolderError> {
        self.fixed(name)?;
        if !self.scratch_set().insert(name.to_string()) {
            return Err(FolderError::Exists);
        }
        Ok(())
    }

    /// Deletes the scratch folder `name` (RFC 3501 6.3.4).
    pub fn delete(&self, name: &str) -> Result<(), FolderError> {
        self.fixed(name)?;
        if !self.scratch_set().remove(name) {
            return Err(FolderError::Missing);
        }
        Ok(())
    }

    /// Renames the scratch folder `from` to `to` (RFC 3501 6.3.5).
    pub fn rename(&self, from: &str, to: &str) -> Result<(), FolderError> {
        self.fixed(from)?;
        self.fixed(to)?;
        let mut set = self.scratch_set();
        if set.contains(to) {
            return Err(FolderError::Exists);
        }
        if !set.remove(from) {
            return Err(FolderError::Missing);
        }
        set.insert(to.to_string());
        Ok(())
    }

    /// Refuses the names of the fixed set (INBOX in any case).
    fn fixed(&self, name: &str) -> Result<(), FolderError> {
        match self.folder(name) {
            Some(_) => Err(FolderError::Fixed),
            None => Ok(()),
        }
    }

    /// Locks the scratch set (a poisoned lock is recovered: a set of names is
    /// consistent between statements).
    fn scratch_set(&self) -> std::sync::MutexGuard<'_, BTreeSet<String>> {
        self.scratch.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> Account {
        Account {
            user: "u".into(),
            folders: Vec::new(),
            scratch: Mutex::default(),
        }
    }

    #[test]
    fn scratch_folders_are_created_renamed_and_deleted() {
        let a = account();
        assert_eq!(a.create("imapload-1"), Ok(()));
        assert_eq!(a.create("imapload-1"), Err(FolderError::Exists));
        assert_eq!(a.rename("imapload-1", "imapload-2"), Ok(()));
        assert_eq!(
            a.rename("imapload-1", "imapload-3"),
            Err(FolderError::Missing)
        );
        assert_eq!(a.scratch_names(), vec!["imapload-2".to_string()]);
        assert_eq!(a.delete("imapload-2"), Ok(()));
        assert_eq!(a.delete("imapload-2"), Err(FolderError::Missing));
    }
}
