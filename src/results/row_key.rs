//! The key of an output row: path x server x home back end x command.

use std::fmt;

use crate::command::CommandKind;

/// How a session reached its mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Path {
    /// Through a client access (CAS) proxy.
    Cas,
    /// Straight to the user's home back end.
    Direct,
}

impl Path {
    /// `cas` or `direct`, as in `summary.csv`.
    pub fn label(self) -> &'static str {
        match self {
            Path::Cas => "cas",
            Path::Direct => "direct",
        }
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One output row: path x server x home back end x command (the
/// `path,server,backend,command` of `docs/design.md`, "Results directory").
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RowKey {
    /// `cas` or `direct`.
    pub path: Path,
    /// The server the row counts toward (a CAS, or a back end).
    pub server: String,
    /// The home back end behind it (equal to `server` for back-end rows).
    pub backend: String,
    /// What was timed.
    pub command: CommandKind,
}

impl RowKey {
    /// A row key from its four parts (tests and readers of saved results).
    pub fn new(path: Path, server: &str, backend: &str, command: CommandKind) -> RowKey {
        RowKey {
            path,
            server: server.into(),
            backend: backend.into(),
            command,
        }
    }

    /// Whether this row is the first server on its path (the CAS for `cas`,
    /// the back end for `direct`): summing only these counts each command once.
    pub fn is_first_on_path(&self) -> bool {
        self.path == Path::Direct || self.server != self.backend
    }

    /// The hlog tag, `cas.cas1.mbx2.FETCH_FLAGS`.
    pub fn tag(&self) -> String {
        super::hlog::tag(
            &self.path.to_string(),
            &self.server,
            &self.backend,
            self.command.label(),
        )
    }
}

/// A row's key as the results files spell it (`path,server,backend,command`),
/// for readers that must take the rows of any release, labels they do not
/// know included (`compare`, `merge`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RowLabels {
    /// `cas` or `direct`.
    pub path: String,
    /// The server the row counts toward.
    pub server: String,
    /// The home back end behind it.
    pub backend: String,
    /// The command label.
    pub command: String,
}

impl RowLabels {
    /// The hlog tag, `cas.cas1.mbx2.FETCH_FLAGS`.
    pub fn tag(&self) -> String {
        super::hlog::tag(&self.path, &self.server, &self.backend, &self.command)
    }
}

impl fmt::Display for RowLabels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{},{},{},{}",
            self.path, self.server, self.backend, self.command
        )
    }
}
