//! Builds monitor samples from interval records: per server and sample
//! period, the mean corrected latency of every command that counted toward
//! the server (connection phases excluded: they are not IMAP commands), and
//! the queue depth (mean of the 10 Hz readings, or their maximum).

use std::collections::BTreeMap;
use std::time::Duration;

use crate::command::CommandKind;
use crate::plan::QueueRule;
use crate::results::interval::IntervalRecord;
use crate::results::RowKey;
use crate::results::Window;

use super::feed::{Feed, SampleTable};
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

/// The sums of `intervals` over the complete sample periods at `end`, from
/// the intervals inside `window` (`cas` first: the rows behind a CAS are
/// only followed for them).
pub fn table_of(
    intervals: &[IntervalRecord],
    row_keys: &[RowKey],
    (cas, backends): (&[String], &[String]),
    period: Duration,
    end: Duration,
    window: &Window,
) -> SampleTable {
    let mut feed = Feed::new(cas, backends, period, Duration::ZERO);
    for rec in intervals {
        feed.add(rec, row_keys);
    }
    feed.settle(window, Duration::MAX);
    feed.table(window, end)
}

/// Per server, the mean corrected latency in milliseconds of each sample
/// period. A sample without commands has no value.
pub fn latency_of(t: &SampleTable) -> BTreeMap<String, Vec<Sample>> {
    (t.latency.iter())
        .map(|(name, sums)| {
            let samples = (t.periods.iter().zip(sums))
                .map(|(&(start, end), &(sum, n))| Sample {
                    start,
                    end,
                    value: (n > 0).then(|| sum as f64 / n as f64 / 1000.0),
                })
                .collect();
            (name.clone(), samples)
        })
        .collect()
}

/// Per server, the queue depth of each sample period under `rule` (mean of
/// the 10 Hz readings, or their maximum).
pub fn queue_of(t: &SampleTable, rule: QueueRule) -> BTreeMap<String, Vec<Sample>> {
    (t.queue.iter())
        .map(|(name, accs)| {
            let samples = (t.periods.iter().zip(accs))
                .map(|(&(start, end), q)| Sample {
                    start,
                    end,
                    value: (q.readings > 0).then(|| match rule {
                        QueueRule::Mean => q.sum as f64 / q.readings as f64,
                        QueueRule::Max => q.max as f64,
                    }),
                })
                .collect();
            (name.clone(), samples)
        })
        .collect()
}

/// Per server, the mean corrected latency in milliseconds of each sample
/// period, from the intervals inside `window`.
pub fn latency_samples(
    intervals: &[IntervalRecord],
    row_keys: &[RowKey],
    servers: &[String],
    period: Duration,
    end: Duration,
    window: &Window,
) -> BTreeMap<String, Vec<Sample>> {
    let t = table_of(intervals, row_keys, (servers, &[]), period, end, window);
    latency_of(&t)
}

/// Per CAS, per back end behind it: (corrected sum µs, successful commands)
/// per sample period, from the CAS's rows (whose `backend` names the home back end).
pub fn behind_cas(
    intervals: &[IntervalRecord],
    row_keys: &[RowKey],
    cas: &[String],
    period: Duration,
    end: Duration,
    window: &Window,
) -> BTreeMap<String, BTreeMap<String, Vec<(u64, u64)>>> {
    table_of(intervals, row_keys, (cas, &[]), period, end, window).behind
}

/// Per server (`servers` in the records' queue order), the queue depth of
/// each sample period under `rule`, from the intervals inside `window`.
pub fn queue_samples(
    intervals: &[IntervalRecord],
    servers: &[String],
    rule: QueueRule,
    period: Duration,
    end: Duration,
    window: &Window,
) -> BTreeMap<String, Vec<Sample>> {
    let t = table_of(intervals, &[], (servers, &[]), period, end, window);
    queue_of(&t, rule)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::interval::IntervalStats;
    use crate::results::ErrorReason;
    use crate::results::Path;
    use crate::results::QueueStats;

    #[test]
    fn per_server_means_and_queues_over_sample_periods() {
        let keys = vec![
            RowKey::new(Path::Cas, "cas1", "mbx1", CommandKind::Noop),
            RowKey::new(Path::Cas, "cas1", "mbx1", CommandKind::Connect),
            RowKey::new(Path::Cas, "mbx1", "mbx1", CommandKind::Noop),
            RowKey::new(Path::Direct, "mbx2", "mbx2", CommandKind::FetchBody),
        ];
        let s = Duration::from_secs;
        let stat = |row, ok, sum_ms: u64| IntervalStats {
            row,
            ok,
            errors: [0; ErrorReason::COUNT],
            corrected_sum_us: sum_ms * 1000,
            corrected: crate::results::Quantiles::default(),
            service: crate::results::Quantiles::default(),
        };
        let q = |sum, samples, max| QueueStats {
            samples,
            sum,
            max,
            ..Default::default()
        };
        let intervals: Vec<IntervalRecord> = (0..4)
            .map(|i| IntervalRecord {
                start: s(i),
                end: s(i + 1),
                active_sessions: 1,
                rows: vec![
                    stat(0, 10, 100 * (i + 1)),
                    stat(1, 1, 5000),
                    stat(2, 10, 100 * (i + 1)),
                    stat(3, 2, 4),
                ],
                queues: vec![q(10 * i, 10, i + 3), q(0, 10, 0), q(20, 10, 2)],
            })
            .collect();
        let servers: Vec<String> = ["cas1", "mbx1", "mbx2"].map(String::from).to_vec();
        let m = latency_samples(&intervals, &keys, &servers, s(2), s(4), &Window::WHOLE);
        let v = |name: &str| m[name].iter().map(|x| x.value).collect::<Vec<_>>();
        assert_eq!(
            v("cas1"),
            [Some(15.0), Some(35.0)],
            "connect is not a command"
        );
        assert_eq!(v("mbx1"), [Some(15.0), Some(35.0)]);
        assert_eq!(v("mbx2"), [Some(2.0), Some(2.0)]);
        let mean = queue_samples(
            &intervals,
            &servers,
            QueueRule::Mean,
            s(2),
            s(4),
            &Window::WHOLE,
        );
        assert_eq!(
            mean["cas1"].iter().map(|x| x.value).collect::<Vec<_>>(),
            [Some(0.5), Some(2.5)]
        );
        let max = queue_samples(
            &intervals,
            &servers,
            QueueRule::Max,
            s(2),
            s(4),
            &Window::WHOLE,
        );
        assert_eq!(
            max["cas1"].iter().map(|x| x.value).collect::<Vec<_>>(),
            [Some(4.0), Some(6.0)]
        );
        assert_eq!(
            periods(s(2), s(5)).len(),
            2,
            "incomplete samples are not judged"
        );
    }

    #[test]
    fn intervals_outside_the_window_are_not_judged() {
        let keys = vec![RowKey::new(Path::Direct, "mbx1", "mbx1", CommandKind::Noop)];
        let s = Duration::from_secs;
        // 1 s intervals: a slow warm-up (0-2 s), steady 10 ms, a slow drain (6-7 s).
        let intervals: Vec<IntervalRecord> = (0..7)
            .map(|i| IntervalRecord {
                start: s(i),
                end: s(i + 1),
                active_sessions: 1,
                rows: vec![IntervalStats {
                    row: 0,
                    ok: 10,
                    errors: [0; ErrorReason::COUNT],
                    corrected_sum_us: if (2..6).contains(&i) {
                        100_000
                    } else {
                        10_000_000
                    },
                    corrected: crate::results::Quantiles::default(),
                    service: crate::results::Quantiles::default(),
                }],
                queues: vec![QueueStats {
                    samples: 10,
                    sum: if (2..6).contains(&i) { 10 } else { 9000 },
                    max: if (2..6).contains(&i) { 1 } else { 900 },
                    ..Default::default()
                }],
            })
            .collect();
        let servers = vec!["mbx1".to_string()];
        let window = Window::steady(s(2), None, s(6));
        let lat = latency_samples(&intervals, &keys, &servers, s(2), s(7), &window);
        let values: Vec<_> = lat["mbx1"].iter().map(|x| x.value).collect();
        assert_eq!(values, [None, Some(10.0), Some(10.0)], "warm-up left out");
        let q = queue_samples(&intervals, &servers, QueueRule::Max, s(1), s(7), &window);
        let values: Vec<_> = q["mbx1"].iter().map(|x| x.value).collect();
        assert_eq!(
            values,
            [None, None, Some(1.0), Some(1.0), Some(1.0), Some(1.0), None],
            "warm-up and drain left out"
        );
        let all = latency_samples(&intervals, &keys, &servers, s(2), s(7), &Window::WHOLE);
        assert_eq!(
            all["mbx1"][0].value,
            Some(1000.0),
            "the whole run judges everything"
        );
    }
}
