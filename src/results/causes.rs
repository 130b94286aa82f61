//! Failure causes: the first few distinct error messages per row and reason,
//! with counts, so a run that shows `TLS 1805 errors` also says why
//! (`invalid peer certificate: UnknownIssuer`).
//!
//! Memory is bounded whatever the run's length: a table keeps at most
//! [`KEPT`] distinct messages and counts every further one under `other`.
//! Adding a message already kept does not allocate.

use serde::{Deserialize, Serialize};

use super::ErrorReason;
use super::{Path, RowKey};
use crate::command::CommandKind;

/// Distinct messages kept per row and reason.
pub const KEPT: usize = 5;

/// The `message` of an [`ErrorCause`] that counts the messages beyond the
/// first [`KEPT`] distinct ones of its row and reason.
pub const OTHER_MESSAGES: &str = "(other messages)";

/// One distinct message and how often it was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageCount {
    /// The error's message.
    pub message: String,
    /// Failures with this message.
    pub count: u64,
}

/// The first [`KEPT`] distinct messages of one row and reason, with counts,
/// plus the count of failures whose message was not kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageTable {
    /// Distinct messages in the order they were first seen.
    pub messages: Vec<MessageCount>,
    /// Failures with a message beyond the kept ones.
    pub other: u64,
}

impl MessageTable {
    /// Counts `count` failures with `message`: onto its entry, a new entry
    /// while fewer than [`KEPT`] are kept, or `other`.
    pub fn add(&mut self, message: &str, count: u64) {
        if let Some(m) = self.messages.iter_mut().find(|m| m.message == message) {
            m.count += count;
        } else if self.messages.len() < KEPT {
            self.messages.push(MessageCount {
                message: message.to_string(),
                count,
            });
        } else {
            self.other += count;
        }
    }

    /// Adds another table's counts (its `other` stays `other`).
    pub fn merge(&mut self, from: &MessageTable) {
        for m in &from.messages {
            self.add(&m.message, m.count);
        }
        self.other += from.other;
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty() && self.other == 0
    }
}

/// The message tables of one recorder slot or row, one per reason.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Causes {
    /// Indexed by [`ErrorReason::index`].
    pub by_reason: [MessageTable; ErrorReason::COUNT],
}

impl Causes {
    /// Counts one failure of `reason` with `message`.
    #[inline]
    pub fn record(&mut self, reason: ErrorReason, message: &str) {
        self.by_reason[reason.index()].add(message, 1);
    }

    /// Adds another recorder slot's or row's tables.
    pub fn merge(&mut self, from: &Causes) {
        for (a, b) in self.by_reason.iter_mut().zip(from.by_reason.iter()) {
            a.merge(b);
        }
    }

    /// Clears every table, keeping nothing.
    pub fn reset(&mut self) {
        *self = Causes::default();
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.by_reason.iter().all(MessageTable::is_empty)
    }

    /// The tables as [`ErrorCause`] records of row `key`, reason by reason
    /// (the `other` count last, as [`OTHER_MESSAGES`]).
    pub fn to_records(&self, key: &RowKey, out: &mut Vec<ErrorCause>) {
        for (reason, table) in ErrorReason::ALL.iter().zip(self.by_reason.iter()) {
            let other = (table.other > 0).then(|| MessageCount {
                message: OTHER_MESSAGES.to_string(),
                count: table.other,
            });
            for m in table.messages.iter().chain(other.iter()) {
                out.push(ErrorCause {
                    path: key.path.label().to_string(),
                    server: key.server.clone(),
                    backend: key.backend.clone(),
                    command: key.command.label().to_string(),
                    reason: reason.label().to_string(),
                    message: m.message.clone(),
                    count: m.count,
                });
            }
        }
    }
}

/// One row of `errors.csv` and of `run.json`'s `error_causes`: a distinct
/// error message of a row and reason and how many failures carried it. The
/// one type the writer and every reader (merge, report) use.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorCause {
    /// `cas` or `direct`.
    pub path: String,
    /// The server the row counts toward.
    pub server: String,
    /// The home back end behind it.
    pub backend: String,
    /// The command label (`LOGIN`, `CONNECT`, ...).
    pub command: String,
    /// The error reason label (`no`, `connect`, ...).
    pub reason: String,
    /// Failures with this message.
    pub count: u64,
    /// The message, or [`OTHER_MESSAGES`] for the ones not kept.
    pub message: String,
}

impl ErrorCause {
    /// The row and reason this record belongs to, when its labels are known.
    pub fn key(&self) -> Option<(RowKey, ErrorReason)> {
        let path = match self.path.as_str() {
            "cas" => Path::Cas,
            "direct" => Path::Direct,
            _ => return None,
        };
        let reason = ErrorReason::ALL
            .into_iter()
            .find(|r| r.label() == self.reason)?;
        let key = RowKey {
            path,
            server: self.server.clone(),
            backend: self.backend.clone(),
            command: CommandKind::from_label(&self.command)?,
        };
        Some((key, reason))
    }

    /// Whether this record counts the messages beyond the kept ones.
    pub fn is_other(&self) -> bool {
        self.message == OTHER_MESSAGES
    }
}

/// Adds a record into `causes` (an `other` record onto `other`).
pub fn add_record(causes: &mut Causes, reason: ErrorReason, record: &ErrorCause) {
    let table = &mut causes.by_reason[reason.index()];
    if record.is_other() {
        table.other += record.count;
    } else {
        table.add(&record.message, record.count);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_distinct_message_goes_to_other_and_counts_add() {
        let mut t = MessageTable::default();
        for i in 0..KEPT {
            t.add(&format!("m{i}"), 1);
        }
        t.add("m0", 2);
        t.add("m5", 1);
        t.add("m6", 4);
        assert_eq!(t.messages.len(), KEPT);
        assert_eq!(t.messages[0].count, 3);
        assert_eq!(t.other, 5);
        let mut sum = MessageTable::default();
        sum.add("new", 7);
        sum.merge(&t);
        // "new" came first, so m4 no longer fits: it joins other.
        assert_eq!(sum.messages.len(), KEPT);
        assert_eq!(sum.messages[0].message, "new");
        assert_eq!(sum.other, 5 + 1);
        let total: u64 = sum.messages.iter().map(|m| m.count).sum::<u64>() + sum.other;
        assert_eq!(total, 7 + 3 + 1 + 1 + 1 + 1 + 5);
    }

    #[test]
    fn records_round_trip_through_their_key() {
        let key = RowKey {
            path: Path::Cas,
            server: "cas1".into(),
            backend: "mbx1".into(),
            command: CommandKind::Login,
        };
        let mut c = Causes::default();
        c.record(ErrorReason::No, "[AUTHENTICATIONFAILED] bad");
        c.by_reason[ErrorReason::No.index()].other = 2;
        let mut out = Vec::new();
        c.to_records(&key, &mut out);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].key(), Some((key.clone(), ErrorReason::No)));
        assert!(out[1].is_other());
        let mut back = Causes::default();
        for r in &out {
            add_record(&mut back, ErrorReason::No, r);
        }
        assert_eq!(back, c);
    }
}
