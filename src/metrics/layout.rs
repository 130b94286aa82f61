//! Dense numbering of everything a command can be recorded under.
//!
//! A command is recorded once, at its finest grain: (CAS or direct, home back
//! end, command kind). The per-server rows of the outputs (the CAS row, and the
//! back-end row that sums everything behind every CAS) are derived from those
//! slots afterwards, so the hot path is one array index.

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

/// The servers one session's commands pass: an optional CAS (by index) and the
/// home back end (by index). Copy and tiny, so sessions keep it by value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Route {
    /// Index into [`Layout::cas_names`], `None` for a direct session.
    pub cas: Option<u16>,
    /// Index into [`Layout::backend_names`].
    pub backend: u16,
}

impl Route {
    /// The path this route takes.
    pub fn path(&self) -> Path {
        if self.cas.is_some() {
            Path::Cas
        } else {
            Path::Direct
        }
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
        crate::results::hlog::tag(
            &self.path.to_string(),
            &self.server,
            &self.backend,
            self.command.label(),
        )
    }
}

/// Server names of a run, and the numbering of recording slots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// CAS names in order (`cas1`, ...).
    pub cas_names: Vec<String>,
    /// Back-end names in order (`mbx1`, ...).
    pub backend_names: Vec<String>,
}

impl Layout {
    /// A layout over these servers.
    pub fn new(cas_names: Vec<String>, backend_names: Vec<String>) -> Self {
        Layout {
            cas_names,
            backend_names,
        }
    }

    /// Number of slots: (direct + each CAS) x back ends x command kinds.
    pub fn slots(&self) -> usize {
        (self.cas_names.len() + 1) * self.backend_names.len() * CommandKind::COUNT
    }

    /// The slot of a command on a route.
    #[inline]
    pub fn slot(&self, route: Route, kind: CommandKind) -> usize {
        let cas_slot = route.cas.map_or(0, |c| c as usize + 1);
        (cas_slot * self.backend_names.len() + route.backend as usize) * CommandKind::COUNT
            + kind.index()
    }

    /// The inverse of [`Layout::slot`].
    pub fn route_of(&self, slot: usize) -> (Route, CommandKind) {
        let kind = CommandKind::ALL[slot % CommandKind::COUNT];
        let rest = slot / CommandKind::COUNT;
        let backend = (rest % self.backend_names.len()) as u16;
        let cas_slot = rest / self.backend_names.len();
        let cas = if cas_slot == 0 {
            None
        } else {
            Some((cas_slot - 1) as u16)
        };
        (Route { cas, backend }, kind)
    }

    /// The output rows a slot counts toward. A direct command counts toward its
    /// back end. A command via a CAS counts toward the CAS and, once the CAS has
    /// opened the back-end connection (login and after), toward the home back
    /// end too: connect, TLS, greeting and STARTTLS never reach the back end.
    pub fn rows_of(&self, slot: usize) -> Vec<RowKey> {
        let (route, command) = self.route_of(slot);
        let backend = self.backend_names[route.backend as usize].clone();
        match route.cas {
            None => vec![RowKey {
                path: Path::Direct,
                server: backend.clone(),
                backend,
                command,
            }],
            Some(c) => {
                let cas = RowKey {
                    path: Path::Cas,
                    server: self.cas_names[c as usize].clone(),
                    backend: backend.clone(),
                    command,
                };
                if reaches_backend_via_cas(command) {
                    vec![
                        cas,
                        RowKey {
                            path: Path::Cas,
                            server: backend.clone(),
                            backend,
                            command,
                        },
                    ]
                } else {
                    vec![cas]
                }
            }
        }
    }
}

/// Whether a command sent to a CAS is carried to the back end behind it.
pub fn reaches_backend_via_cas(kind: CommandKind) -> bool {
    !matches!(
        kind,
        CommandKind::Connect | CommandKind::Tls | CommandKind::Greeting | CommandKind::StartTls
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> Layout {
        Layout::new(
            vec!["cas1".into(), "cas2".into()],
            vec!["mbx1".into(), "mbx2".into(), "mbx3".into()],
        )
    }

    #[test]
    fn slots_are_dense_and_invertible() {
        let l = layout();
        let mut seen = vec![false; l.slots()];
        for cas in [None, Some(0), Some(1)] {
            for backend in 0..3 {
                for kind in CommandKind::ALL {
                    let route = Route { cas, backend };
                    let s = l.slot(route, kind);
                    assert!(!seen[s], "slot {s} used twice");
                    seen[s] = true;
                    assert_eq!(l.route_of(s), (route, kind));
                }
            }
        }
        assert!(seen.iter().all(|s| *s));
    }

    #[test]
    fn cas_commands_count_toward_the_backend_behind_it() {
        let l = layout();
        let fetch = l.rows_of(l.slot(
            Route {
                cas: Some(1),
                backend: 2,
            },
            CommandKind::FetchBody,
        ));
        let tags: Vec<_> = fetch.iter().map(|r| r.tag()).collect();
        assert_eq!(
            tags,
            ["cas.cas2.mbx3.FETCH_BODY", "cas.mbx3.mbx3.FETCH_BODY"]
        );
        let connect = l.rows_of(l.slot(
            Route {
                cas: Some(0),
                backend: 0,
            },
            CommandKind::Connect,
        ));
        assert_eq!(connect.len(), 1);
        let direct = l.rows_of(l.slot(
            Route {
                cas: None,
                backend: 1,
            },
            CommandKind::Noop,
        ));
        assert_eq!(direct[0].tag(), "direct.mbx2.mbx2.NOOP");
    }
}
