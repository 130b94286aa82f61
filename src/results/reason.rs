//! Why a command failed. Every failure is counted under one reason on its row;
//! none is dropped and none enters the latency histograms.

/// The reason a command (or connection phase) did not succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorReason {
    /// The server answered NO.
    No,
    /// The server answered BAD.
    Bad,
    /// No complete answer within `command_timeout`.
    Timeout,
    /// The connection closed or reset, or the server said BYE unasked.
    Disconnect,
    /// The answer broke the protocol (wrong tag, malformed line, oversize).
    Protocol,
    /// The TLS handshake failed.
    Tls,
    /// The TCP connection could not be opened.
    Connect,
    /// Still in flight when the run's grace period after the end ran out.
    Aborted,
}

impl ErrorReason {
    /// Every reason, in column order.
    pub const ALL: [ErrorReason; 8] = [
        ErrorReason::No,
        ErrorReason::Bad,
        ErrorReason::Timeout,
        ErrorReason::Disconnect,
        ErrorReason::Protocol,
        ErrorReason::Tls,
        ErrorReason::Connect,
        ErrorReason::Aborted,
    ];

    /// Number of reasons, to size counters.
    pub const COUNT: usize = Self::ALL.len();

    /// Dense index for counter arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Column name in CSV outputs (`errors_no`, ...).
    pub fn label(self) -> &'static str {
        match self {
            ErrorReason::No => "no",
            ErrorReason::Bad => "bad",
            ErrorReason::Timeout => "timeout",
            ErrorReason::Disconnect => "disconnect",
            ErrorReason::Protocol => "protocol",
            ErrorReason::Tls => "tls",
            ErrorReason::Connect => "connect",
            ErrorReason::Aborted => "aborted",
        }
    }
}
