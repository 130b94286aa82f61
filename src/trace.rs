//! Diagnostic tracing on stderr, off by default: `-v` (info), `-vv` (debug),
//! `-vvv` (trace) or `RUST_LOG` turn it on. It is for finding out why a run
//! misbehaves (a session's failure with its message, rustls's handshake log
//! through the `log` bridge), never part of the results.

use tracing_subscriber::EnvFilter;

/// The filter `-v` flags ask for; `None` when neither they nor `RUST_LOG` do.
pub fn filter(verbose: u8, rust_log: Option<&str>) -> Option<EnvFilter> {
    let level = match verbose {
        0 => None,
        1 => Some("info"),
        2 => Some("debug"),
        _ => Some("trace"),
    };
    match (level, rust_log.filter(|s| !s.trim().is_empty())) {
        // Explicit flags win; RUST_LOG alone also turns tracing on.
        (Some(level), _) => Some(EnvFilter::new(level)),
        (None, Some(spec)) => Some(EnvFilter::new(spec)),
        (None, None) => None,
    }
}

/// Installs the stderr subscriber (and the `log` -> tracing bridge, so
/// rustls's records show) when [`filter`] says so. Installing twice is
/// harmless: the second attempt is ignored.
pub fn init(verbose: u8) {
    let rust_log = std::env::var("RUST_LOG").ok();
    let Some(filter) = filter(verbose, rust_log.as_deref()) else {
        return;
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_unless_asked_and_flags_pick_the_level() {
        assert!(filter(0, None).is_none());
        assert!(filter(0, Some(" ")).is_none());
        assert_eq!(filter(1, None).unwrap().to_string(), "info");
        assert_eq!(filter(2, Some("warn")).unwrap().to_string(), "debug");
        assert_eq!(filter(5, None).unwrap().to_string(), "trace");
        assert_eq!(
            filter(0, Some("rustls=debug")).unwrap().to_string(),
            "rustls=debug"
        );
    }
}
