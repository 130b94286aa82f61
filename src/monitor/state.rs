//! The responder chain as states over time: Healthy -> Degraded when a monitor
//! fires -> Unhealthy after the escalation delay if it is still firing -> back
//! to Healthy when it stops firing.

use std::time::Duration;

use crate::results::AlertValue;

/// One change of state.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Transition {
    /// When, from the run start.
    pub at: Duration,
    /// The new state.
    pub to: AlertValue,
}

/// Turns "firing" intervals into state transitions. `firing` is a list of
/// `(from, to)` spans (from run start) during which the monitor's rule holds,
/// sorted and not overlapping; `end` is the end of the run. A span reaching
/// `end` (or beyond) is still firing when the run ends: no recovery.
pub fn chain(
    firing: &[(Duration, Duration)],
    escalation: Duration,
    end: Duration,
) -> Vec<Transition> {
    let mut out = Vec::new();
    for &(from, to) in firing {
        if from >= end {
            break;
        }
        let to = to.min(end);
        out.push(Transition {
            at: from,
            to: AlertValue::Degraded,
        });
        let escalate = from + escalation;
        if escalate < to || (escalate == to && to == end) {
            out.push(Transition {
                at: escalate,
                to: AlertValue::Unhealthy,
            });
        }
        if to < end {
            out.push(Transition {
                at: to,
                to: AlertValue::Healthy,
            });
        }
    }
    out
}

/// The state at the end: the last transition's, or Healthy.
pub fn final_state(transitions: &[Transition]) -> AlertValue {
    transitions.last().map_or(AlertValue::Healthy, |t| t.to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: u64) -> Duration {
        Duration::from_secs(x)
    }

    #[test]
    fn degrades_escalates_and_recovers() {
        let t = chain(&[(s(10), s(200))], s(120), s(300));
        let states: Vec<_> = t.iter().map(|t| (t.at.as_secs(), t.to)).collect();
        assert_eq!(
            states,
            [
                (10, AlertValue::Degraded),
                (130, AlertValue::Unhealthy),
                (200, AlertValue::Healthy)
            ]
        );
        assert_eq!(final_state(&t), AlertValue::Healthy);
    }

    #[test]
    fn short_firing_never_escalates_and_firing_at_the_end_stays() {
        let t = chain(&[(s(10), s(60))], s(120), s(300));
        assert_eq!(
            t.iter().map(|t| t.to).collect::<Vec<_>>(),
            [AlertValue::Degraded, AlertValue::Healthy]
        );
        let t = chain(&[(s(100), s(300))], s(120), s(300));
        assert_eq!(final_state(&t), AlertValue::Unhealthy);
        let t = chain(&[(s(250), s(300))], s(120), s(300));
        assert_eq!(final_state(&t), AlertValue::Degraded);
        let open = chain(&[(s(100), Duration::MAX)], s(120), s(300));
        assert_eq!(
            open.iter().map(|t| t.to).collect::<Vec<_>>(),
            [AlertValue::Degraded, AlertValue::Unhealthy]
        );
        assert_eq!(final_state(&[]), AlertValue::Healthy);
    }
}
