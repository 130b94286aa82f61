//! Builds monitor samples from interval records: per server, per sample
//! period, the mean corrected latency of every command that counted toward
//! the server (connection phases excluded: they are not IMAP commands).

use std::collections::BTreeMap;
use std::time::Duration;

use crate::command::CommandKind;
use crate::metrics::store::IntervalRecord;
use crate::metrics::Layout;

use super::rules::Sample;

/// Whether a kind counts toward "command processing time".
pub fn is_processed_command(kind: CommandKind) -> bool {
    !matches!(
        kind,
        CommandKind::Connect | CommandKind::Tls | CommandKind::Greeting
    )
}

/// Sample `[k*period, (k+1)*period)` for every complete period before `end`.
pub fn periods(period: Duration, end: Duration) -> Vec<(Duration, Duration)> {
    let mut out = Vec::new();
    if period.is_zero() {
        return out;
    }
    let mut start = Duration::ZERO;
    // A sample counts once it is complete (1% slack for the last tick's jitter).
    while start + period <= end + period / 100 {
        out.push((start, start + period));
        start += period;
    }
    out
}

/// Per server (CAS and back ends), the mean corrected latency in milliseconds
/// of each sample period. A sample without commands has no value.
pub fn latency_samples(
    intervals: &[IntervalRecord],
    layout: &Layout,
    period: Duration,
    end: Duration,
) -> BTreeMap<String, Vec<Sample>> {
    let servers_of: Vec<Vec<String>> = (0..layout.slots())
        .map(|slot| {
            let (_, kind) = layout.route_of(slot);
            if !is_processed_command(kind) {
                return Vec::new();
            }
            layout.rows_of(slot).into_iter().map(|k| k.server).collect()
        })
        .collect();
    let mut out = BTreeMap::new();
    let names = layout.cas_names.iter().chain(layout.backend_names.iter());
    let ps = periods(period, end);
    for name in names {
        let mut sums = vec![(0u64, 0u64); ps.len()];
        for rec in intervals {
            let Some(k) = ps
                .iter()
                .position(|(s, e)| rec.start >= *s && rec.start < *e)
            else {
                continue;
            };
            for row in &rec.rows {
                if servers_of[row.slot].iter().any(|s| s == name) {
                    sums[k].0 += row.corrected_sum_us;
                    sums[k].1 += row.ok;
                }
            }
        }
        let samples = ps
            .iter()
            .zip(sums)
            .map(|(&(start, end), (sum, n))| Sample {
                start,
                end,
                value: (n > 0).then(|| sum as f64 / n as f64 / 1000.0),
            })
            .collect();
        out.insert(name.clone(), samples);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::store::IntervalStats;
    use crate::metrics::{ErrorReason, Route};

    #[test]
    fn per_server_means_over_sample_periods() {
        let layout = Layout::new(vec!["cas1".into()], vec!["mbx1".into(), "mbx2".into()]);
        let s = Duration::from_secs;
        let stat = |route, kind, ok, sum_ms: u64| IntervalStats {
            slot: layout.slot(route, kind),
            ok,
            errors: [0; ErrorReason::COUNT],
            corrected_sum_us: sum_ms * 1000,
            corrected: [0; 4],
            service: [0; 4],
        };
        let via1 = Route {
            cas: Some(0),
            backend: 0,
        };
        let direct2 = Route {
            cas: None,
            backend: 1,
        };
        let intervals: Vec<IntervalRecord> = (0..4)
            .map(|i| IntervalRecord {
                start: s(i),
                end: s(i + 1),
                active_sessions: 1,
                rows: vec![
                    stat(via1, CommandKind::Noop, 10, 100 * (i + 1)), // mean 10, 20, 30, 40 ms
                    stat(via1, CommandKind::Connect, 1, 5000),        // not a command
                    stat(direct2, CommandKind::FetchBody, 2, 4),      // 2 ms
                ],
            })
            .collect();
        let m = latency_samples(&intervals, &layout, s(2), s(4));
        let v = |name: &str| m[name].iter().map(|x| x.value).collect::<Vec<_>>();
        assert_eq!(v("cas1"), [Some(15.0), Some(35.0)]);
        assert_eq!(v("mbx1"), [Some(15.0), Some(35.0)]);
        assert_eq!(v("mbx2"), [Some(2.0), Some(2.0)]);
        assert_eq!(
            periods(s(2), s(5)).len(),
            2,
            "incomplete samples are not judged"
        );
    }
}
