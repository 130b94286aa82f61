//! Open-file limit. Every session holds a socket (two more when the embedded
//! CAS and back end run in the same process), so a run of thousands of
//! sessions needs more than the usual soft limit of 1,024: raise it to the
//! hard limit at start, and say so plainly when even that caps the run.

/// File descriptors one session needs in the worst case: the client socket,
/// and with the embedded topology the server side plus the CAS's back-end connection.
pub const PER_SESSION_EMBEDDED: u64 = 4;
/// The same against real servers: the client socket.
pub const PER_SESSION_REAL: u64 = 1;
/// Kept free for listeners, files, TLS roots and the runtime.
pub const RESERVE: u64 = 256;

/// Raises the soft open-file limit to the hard limit; returns the limit now in force.
pub fn raise() -> std::io::Result<u64> {
    rlimit::increase_nofile_limit(u64::MAX)
}

/// A warning when `sessions` concurrent sessions may not fit under `limit`.
pub fn warning(sessions: u64, per_session: u64, limit: u64) -> Option<String> {
    let need = sessions.saturating_mul(per_session) + RESERVE;
    (need > limit).then(|| {
        let fit = limit.saturating_sub(RESERVE) / per_session.max(1);
        format!(
            "the open-file limit is {limit} (hard limit reached): {sessions} sessions need about {need}; \
             about {fit} will fit, the rest will fail to connect and be counted as connect errors. \
             Run the embedded servers in their own process (`imapload serve`, then `run --cas/--backend`)"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warns_only_when_sessions_do_not_fit() {
        assert!(warning(1000, PER_SESSION_EMBEDDED, 20_000).is_none());
        let w = warning(20_000, PER_SESSION_EMBEDDED, 20_000).unwrap();
        assert!(w.contains("about 4936 will fit"), "{w}");
        assert!(raise().unwrap() >= 256);
    }
}
