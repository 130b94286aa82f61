//! Open-file limit. Every session holds a socket (two more when the embedded
//! CAS and back end run in the same process), so a run of thousands of
//! sessions needs more than the usual soft limit of 1,024: raise it to the
//! hard limit at start (`capacity` refuses a run that even that cannot hold).

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raises_to_a_usable_limit() {
        assert!(raise().unwrap() >= 256);
    }
}
