//! The two firing rules Exchange's IMAP monitors use: N consecutive samples
//! over a threshold (performance monitors, ImapCTP, ImapDeepTest), and N
//! failures within a window (ImapProxyTest, ImapSelfTest).

use std::time::Duration;

/// A value measured over one sample period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Sample start (from run start).
    pub start: Duration,
    /// Sample end.
    pub end: Duration,
    /// The sample's value; `None` when nothing was measured: such a sample
    /// neither fires nor clears a monitor (it holds its state), so a quiet
    /// tail at the end of a run cannot turn an alert Healthy.
    pub value: Option<f64>,
}

/// Spans during which "the last `n` samples were all over `threshold`" holds.
/// The rule is judged at each sample's end, so a span starts at the end of the
/// n-th consecutive sample over and ends at the end of the first sample under;
/// a span still holding at the last sample ends at `Duration::MAX`.
pub fn consecutive_over(samples: &[Sample], threshold: f64, n: usize) -> Vec<(Duration, Duration)> {
    let n = n.max(1);
    let mut spans = Vec::new();
    let mut run = 0usize;
    let mut open: Option<Duration> = None;
    for s in samples {
        let Some(value) = s.value else {
            continue; // no data: neither over nor under
        };
        if value > threshold {
            run += 1;
            if run >= n && open.is_none() {
                open = Some(s.end);
            }
        } else {
            run = 0;
            if let Some(from) = open.take() {
                spans.push((from, s.end));
            }
        }
    }
    if let Some(from) = open {
        // Still firing at the last sample: the span stays open (see `state::chain`).
        spans.push((from, Duration::MAX));
    }
    spans
}

/// One probe attempt's time and result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    /// When it finished, from run start.
    pub at: Duration,
    /// Whether it succeeded.
    pub ok: bool,
}

/// Spans during which "the last `n` attempts all failed" holds.
pub fn consecutive_failures(attempts: &[Attempt], n: usize) -> Vec<(Duration, Duration)> {
    let samples: Vec<Sample> = attempts
        .iter()
        .map(|a| Sample {
            start: a.at,
            end: a.at,
            value: Some(if a.ok { 0.0 } else { 1.0 }),
        })
        .collect();
    consecutive_over(&samples, 0.5, n)
}

/// Spans during which "at least `n` failures within the last `window`" holds.
pub fn failures_within(
    attempts: &[Attempt],
    n: usize,
    window: Duration,
) -> Vec<(Duration, Duration)> {
    let n = n.max(1);
    let failures: Vec<Duration> = attempts.iter().filter(|a| !a.ok).map(|a| a.at).collect();
    let mut spans: Vec<(Duration, Duration)> = Vec::new();
    // The rule holds from the n-th failure of a group until the oldest of the
    // last n failures leaves the window.
    for i in (n - 1)..failures.len() {
        let from = failures[i];
        let until = failures[i + 1 - n] + window;
        if until <= from {
            continue;
        }
        match spans.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(until),
            _ => spans.push((from, until)),
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: u64) -> Duration {
        Duration::from_secs(x)
    }

    fn samples(values: &[f64]) -> Vec<Sample> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| Sample {
                start: s(i as u64 * 10),
                end: s(i as u64 * 10 + 10),
                value: Some(*v),
            })
            .collect()
    }

    #[test]
    fn needs_n_consecutive_samples() {
        assert!(consecutive_over(&samples(&[90.0, 10.0, 90.0, 10.0]), 60.0, 2).is_empty());
        assert_eq!(
            consecutive_over(&samples(&[10.0, 90.0, 90.0, 90.0, 10.0]), 60.0, 2),
            [(s(30), s(50))]
        );
        assert_eq!(
            consecutive_over(&samples(&[90.0, 90.0]), 60.0, 2),
            [(s(20), Duration::MAX)]
        );
        // Equal to the threshold is not over it.
        assert!(consecutive_over(&samples(&[60.0, 60.0, 60.0]), 60.0, 2).is_empty());
    }

    #[test]
    fn a_sample_without_data_holds_the_state() {
        let mut v = samples(&[90.0, 90.0, 0.0, 90.0]);
        v[2].value = None; // e.g. the quiet tail of a run: no commands measured
                           // The run of "over" samples continues across the gap and stays open.
        assert_eq!(consecutive_over(&v[..3], 60.0, 2), [(s(20), Duration::MAX)]);
        // A gap does not count toward firing either.
        let mut w = samples(&[90.0, 0.0, 10.0]);
        w[1].value = None;
        assert!(consecutive_over(&w, 60.0, 2).is_empty());
    }

    #[test]
    fn failures_in_a_window() {
        let a = |t: u64, ok: bool| Attempt { at: s(t), ok };
        let four_fast = [
            a(60, false),
            a(120, false),
            a(180, false),
            a(240, false),
            a(300, true),
        ];
        assert_eq!(failures_within(&four_fast, 4, s(240)), [(s(240), s(300))]);
        let spread = [a(0, false), a(100, false), a(200, false), a(300, false)];
        assert!(failures_within(&spread, 4, s(240)).is_empty());
        let consecutive = [
            a(1, false),
            a(2, false),
            a(3, true),
            a(4, false),
            a(5, false),
            a(6, false),
        ];
        assert_eq!(
            consecutive_failures(&consecutive, 3),
            [(s(6), Duration::MAX)]
        );
    }
}
