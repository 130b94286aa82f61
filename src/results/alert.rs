//! A monitor's AlertValue, spelled as Exchange's Get-ServerHealth does.

use std::fmt;

/// A monitor's AlertValue, spelled as Exchange's Get-ServerHealth does.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum AlertValue {
    /// Not firing.
    Healthy,
    /// Fired; the first responder stage.
    Degraded,
    /// Still firing after the escalation delay.
    Unhealthy,
}

impl fmt::Display for AlertValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AlertValue::Healthy => "Healthy",
            AlertValue::Degraded => "Degraded",
            AlertValue::Unhealthy => "Unhealthy",
        })
    }
}
