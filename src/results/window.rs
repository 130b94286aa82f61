//! The steady-state window of a run: the part that thresholds and monitors
//! judge. Warm-up (connections opening, caches filling) and cool-down (the
//! drain after the load stops, when sessions log out together) are measured
//! and written like every other interval, but a verdict on them would judge
//! the generator's start and stop instead of the servers.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// `[from, to]` since the run's start; an interval belongs to it when its
/// midpoint does, so an interval that straddles an edge is judged with the
/// side where most of it lies.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Window {
    /// End of the warm-up (`[load] warmup`, default 0).
    #[serde(with = "secs")]
    pub from: Duration,
    /// Start of the cool-down: `duration - cooldown` when `[load] cooldown`
    /// is given, else the moment the load stopped (the deadline, or the
    /// interrupt), so the drain after it is excluded.
    #[serde(with = "secs")]
    pub to: Duration,
}

impl Window {
    /// Every interval (results written before windows existed).
    pub const WHOLE: Window = Window {
        from: Duration::ZERO,
        to: Duration::MAX,
    };

    /// The steady window of a run whose load stopped at `load_end` (the
    /// deadline, or earlier on an interrupt).
    pub fn steady(warmup: Duration, cooldown: Option<Duration>, load_end: Duration) -> Window {
        let to = match cooldown {
            Some(c) => load_end.saturating_sub(c),
            None => load_end,
        };
        Window {
            from: warmup.min(to),
            to,
        }
    }

    /// Whether the interval `[start, end)` is judged.
    pub fn contains(&self, start: Duration, end: Duration) -> bool {
        let mid = start + end.saturating_sub(start) / 2;
        mid >= self.from && mid <= self.to
    }

    /// Length of the window, clipped to `[0, elapsed]`.
    pub fn length(&self, elapsed: Duration) -> Duration {
        self.to.min(elapsed).saturating_sub(self.from)
    }
}

/// Durations as seconds (f64) in JSON, like every other time in `run.json`;
/// `Duration::MAX` is written as `null`.
mod secs {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        if *d == Duration::MAX {
            s.serialize_none()
        } else {
            s.serialize_f64(d.as_secs_f64())
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let v: Option<f64> = Option::deserialize(d)?;
        Ok(match v {
            Some(x) if x.is_finite() && x >= 0.0 => Duration::from_secs_f64(x),
            _ => Duration::MAX,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: f64) -> Duration {
        Duration::from_secs_f64(x)
    }

    #[test]
    fn the_drain_and_the_warmup_are_outside() {
        let w = Window::steady(s(5.0), None, s(30.0));
        assert!(!w.contains(s(4.0), s(5.0)));
        assert!(w.contains(s(5.0), s(6.0)));
        assert!(w.contains(s(29.0), s(30.0)));
        assert!(
            !w.contains(s(30.0), s(30.4)),
            "the drain after the deadline"
        );
        let w = Window::steady(Duration::ZERO, Some(s(10.0)), s(30.0));
        assert!(w.contains(s(19.0), s(20.0)));
        assert!(!w.contains(s(20.0), s(21.0)));
        assert_eq!(w.length(s(40.0)), s(20.0));
    }

    #[test]
    fn a_warmup_longer_than_the_run_leaves_an_empty_window() {
        let w = Window::steady(s(60.0), None, s(30.0));
        assert_eq!(w.length(s(31.0)), Duration::ZERO);
        assert!(!w.contains(s(10.0), s(11.0)));
    }

    #[test]
    fn round_trips_through_json() {
        let w = Window::steady(s(2.0), None, s(9.5));
        let back: Window = serde_json::from_str(&serde_json::to_string(&w).unwrap()).unwrap();
        assert_eq!(back, w);
        let whole: Window =
            serde_json::from_str(&serde_json::to_string(&Window::WHOLE).unwrap()).unwrap();
        assert_eq!(whole, Window::WHOLE);
    }
}
