//! One meaning per colour, on every chart of the page: a colour says what a line is
//! (a percentile, the mean, a server, an error reason), never two things. Green, amber
//! and red are kept for the monitors' states; red shades are errors; the fault markers
//! are brown and dashed. The page lists this key above the charts.

/// Percentile lines.
pub const P50: &str = "#4c78a8";
/// The 90th percentile.
pub const P90: &str = "#9467bd";
/// The 99th percentile.
pub const P99: &str = "#b5179e";
/// The exact mean.
pub const MEAN: &str = "#555555";
/// Commands completed per second.
pub const COMMANDS: &str = "#222222";
/// Active sessions.
pub const SESSIONS: &str = "#8c6d31";
/// Fault markers (the page's style draws them, dashed).
pub const FAULTS: &str = "#8c564b";
/// Errors, all reasons together.
pub const ERRORS: &str = "#d62728";

/// Servers, where one chart has a line per server (queue depth, the latency spectrum):
/// none of them green, amber or red, a percentile's colour or the faults' brown.
pub const SERVERS: &[&str] = &[
    "#17becf", "#bcbd22", "#393b79", "#e377c2", "#637939", "#6baed6", "#e7ba52", "#5254a3",
];

/// The colour of the `i`-th server.
pub fn server(i: usize) -> &'static str {
    SERVERS[i % SERVERS.len()]
}

/// Error reasons, in [`crate::results::ErrorReason::ALL`] order: shades of red, and grey
/// for `aborted` (cut by the end of the run, not by a server).
pub const REASONS: [&str; 8] = [
    "#d62728", "#67000d", "#fb6a4a", "#a50f15", "#fc9272", "#cb181d", "#ef3b2c", "#969696",
];

/// The key printed above the charts.
pub fn key() -> String {
    let swatch =
        |c: &str, t: &str| format!(r#"<span class="key"><i style="background:{c}"></i>{t}</span>"#);
    [
        swatch(P50, "p50"),
        swatch(P90, "p90"),
        swatch(P99, "p99"),
        swatch(MEAN, "mean"),
        swatch(COMMANDS, "commands/s"),
        swatch(SESSIONS, "sessions"),
        swatch(ERRORS, "errors (shades of red: by reason)"),
        swatch(FAULTS, "faults (dashed)"),
        swatch("#66bb6a", "Healthy"),
        swatch("#ffa726", "Degraded"),
        swatch("#e53935", "Unhealthy"),
    ]
    .join(" ")
        + " · solid: corrected latency, dashed: service time · servers have colours of their own where a chart has a line per server"
}
