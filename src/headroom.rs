//! What this machine can hold, checked before a run starts: a run asking
//! for more concurrent sessions than the open-file limit or the memory can
//! take would spend its whole length failing to connect, or grow until the
//! kernel kills it and everything it measured. Refusing at start, with the
//! figures, is the kinder answer.

use crate::error::InputError;

/// Memory one concurrent session needs at least, in bytes, when the
/// embedded servers run in the same process (client, CAS and back-end
/// sides with their buffers and tasks).
pub const SESSION_BYTES_EMBEDDED: u64 = 48 * 1024;
/// The same against real servers (the client side only).
pub const SESSION_BYTES_REAL: u64 = 16 * 1024;

/// How many resources one session takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PerSession {
    /// Open files (sockets).
    pub files: u64,
    /// Bytes of memory, at least.
    pub bytes: u64,
}

/// What the machine offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Machine {
    /// The open-file limit in force (0: unknown).
    pub file_limit: u64,
    /// Memory available to a new process, in bytes (`None`: unknown).
    pub available: Option<u64>,
}

impl Machine {
    /// This machine now: raises the open-file limit to the hard limit
    /// first, and reads `MemAvailable` from /proc/meminfo where there is one.
    pub fn now() -> Machine {
        Machine {
            file_limit: crate::fdlimit::raise().unwrap_or(0),
            available: mem_available(),
        }
    }
}

/// `MemAvailable` in bytes, on Linux.
fn mem_available() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// Refuses `sessions` concurrent sessions (named by `key`) that the
/// machine cannot hold: more than fit under the open-file limit, or more
/// memory than is available. The message gives the figures and what to do.
pub fn check(key: &str, sessions: u64, per: PerSession, m: Machine) -> Result<(), InputError> {
    let files = sessions
        .saturating_mul(per.files)
        .saturating_add(crate::fdlimit::RESERVE);
    if m.file_limit > 0 && files > m.file_limit {
        let fit = m.file_limit.saturating_sub(crate::fdlimit::RESERVE) / per.files.max(1);
        return Err(InputError::new(
            key,
            format!(
                "{sessions} sessions need about {files} open files, but the open-file limit is \
                 {} (hard limit): at most {fit} fit. Lower it, raise the hard limit (`ulimit -Hn`, \
                 systemd LimitNOFILE), or run the embedded servers in their own process \
                 (`imapload serve`, then `run --cas/--backend`)",
                m.file_limit
            ),
        ));
    }
    let bytes = sessions.saturating_mul(per.bytes);
    match m.available {
        Some(avail) if bytes > avail => {
            let fit = avail / per.bytes.max(1);
            Err(InputError::new(
                key,
                format!(
                    "{sessions} sessions need at least {} MiB of memory, but {} MiB is available: \
                     at most {fit} fit. Lower it or spread the load over shards (`--shard`)",
                    bytes >> 20,
                    avail >> 20
                ),
            ))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMBEDDED: PerSession = PerSession {
        files: crate::fdlimit::PER_SESSION_EMBEDDED,
        bytes: SESSION_BYTES_EMBEDDED,
    };

    #[test]
    fn refuses_what_the_file_limit_or_memory_cannot_hold() {
        let m = Machine {
            file_limit: 20_000,
            available: Some(8 << 30),
        };
        assert!(check("load.sessions", 1_000, EMBEDDED, m).is_ok());
        let e = check("load.sessions", 10_000_000, EMBEDDED, m).unwrap_err();
        assert!(e.message.contains("at most 4936 fit"), "{}", e.message);
        let roomy = Machine {
            file_limit: u64::MAX,
            available: Some(1 << 30),
        };
        let e = check("load.sessions", 100_000, EMBEDDED, roomy).unwrap_err();
        assert!(e.message.contains("1024 MiB is available"), "{}", e.message);
        let unknown = Machine {
            file_limit: 0,
            available: None,
        };
        assert!(check("load.sessions", u64::MAX, EMBEDDED, unknown).is_ok());
    }
}
