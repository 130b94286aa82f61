//! The x axis of a chart: seconds since the start, wall-clock times, or
//! ticks given by the chart (the percentile spectrum's 90%, 99%, ...).
//! The page's script draws the same wall-clock ticks for a zoomed range.

/// How a chart's x axis is labelled.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum XAxis {
    /// Seconds since the start of the run.
    #[default]
    Seconds,
    /// Wall-clock time (UTC): the run started at this many seconds since the Unix epoch.
    Clock(f64),
    /// Ticks at these positions with these labels (not a time axis: no zoom).
    Ticks(Vec<(f64, String)>),
}

/// Tick steps of a clock axis, seconds: round minutes and hours.
const CLOCK_STEPS: [f64; 18] = [
    1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0,
    10800.0, 21600.0, 43200.0, 86400.0,
];

/// `HH:MM:SS` (or `HH:MM` for steps of a minute or more) of `epoch` seconds, UTC.
pub fn clock_text(epoch: f64, step: f64) -> String {
    let secs = epoch.round() as i64;
    let Some(t) = chrono::DateTime::from_timestamp(secs, 0) else {
        return format!("{epoch:.0}");
    };
    match step >= 60.0 {
        true => t.format("%H:%M").to_string(),
        false => t.format("%H:%M:%S").to_string(),
    }
}

/// Ticks of a clock axis over `[from, to]` seconds since `start`: at round
/// wall-clock times, about 8 of them.
pub fn clock_ticks(start: f64, from: f64, to: f64) -> Vec<(f64, String)> {
    let span = (to - from).max(1e-9);
    let step = (CLOCK_STEPS.iter().copied())
        .find(|s| span / s <= 8.0)
        .unwrap_or(86400.0);
    let first = ((start + from) / step).ceil() * step;
    let mut out = Vec::new();
    let mut t = first;
    while t <= start + to + 1e-6 && out.len() < 100 {
        out.push((t - start, clock_text(t, step)));
        t += step;
    }
    out
}

/// The run's start (RFC 3339, as `run.json` says it) in seconds since the epoch.
pub fn epoch_of(rfc3339: &str) -> Option<f64> {
    let t = chrono::DateTime::parse_from_rfc3339(rfc3339).ok()?;
    Some(t.timestamp() as f64 + f64::from(t.timestamp_subsec_micros()) / 1e6)
}

/// The axis title of a clock axis.
pub fn clock_label(start: f64) -> String {
    let date = chrono::DateTime::from_timestamp(start.floor() as i64, 0)
        .map_or(String::new(), |t| t.format("%Y-%m-%d %H:%M:%S").to_string());
    format!("time (UTC; the run started {date})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_ticks_fall_on_round_times() {
        let start = epoch_of("2026-11-23T22:40:07.5Z").unwrap();
        let ticks = clock_ticks(start, 0.0, 60.0);
        assert_eq!(ticks[0].1, "22:40:10");
        assert!((ticks[0].0 - 2.5).abs() < 1e-9);
        assert!(ticks.len() <= 9 && ticks.len() >= 5, "{ticks:?}");
        let long = clock_ticks(start, 0.0, 8.0 * 3600.0);
        assert_eq!(long[0].1, "23:00");
        assert!(clock_label(start).contains("2026-11-23 22:40:07"));
    }
}
