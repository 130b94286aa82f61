//! The whole run's latency distribution per server, as HdrHistogram's plotter draws it:
//! latency by percentile, the percentile axis logarithmic in `1 / (1 - q)`, so the tail
//! (99%, 99.9%, 99.99%) gets as much room as the body. Corrected latency solid, service
//! time dashed, one colour per server; from every interval histogram of the run added up.

use hdrhistogram::Histogram;

use super::charts::figure;
use super::colors;
use super::data::Results;
use crate::report::svg::{LineChart, Series, XAxis};

/// Steps per decade of the percentile axis.
const PER_DECADE: u32 = 10;

/// Points of the spectrum of `h`: (log10(1 / (1 - q)), ms), up to the resolution its count
/// allows, then the maximum.
fn spectrum(h: &Histogram<u64>) -> Vec<(f64, f64)> {
    let n = h.len() as f64;
    if n == 0.0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    for k in 0..=(6 * PER_DECADE) {
        let x = f64::from(k) / f64::from(PER_DECADE);
        // Beyond 1/n, a percentile is just the maximum.
        if 10f64.powf(x) > n {
            break;
        }
        let q = 1.0 - 10f64.powf(-x);
        out.push((x, h.value_at_quantile(q) as f64 / 1000.0));
    }
    out.push((n.log10().min(6.0), h.max() as f64 / 1000.0));
    out
}

/// The percentile axis' ticks.
fn ticks(x_max: f64) -> Vec<(f64, String)> {
    let names = ["0%", "90%", "99%", "99.9%", "99.99%", "99.999%", "99.9999%"];
    (names.iter().enumerate())
        .filter(|(i, _)| *i as f64 <= x_max + 1e-9)
        .map(|(i, n)| (i as f64, n.to_string()))
        .collect()
}

/// The chart, when the results have histograms.
pub(super) fn chart(out: &mut String, r: &Results) {
    let Some(corrected) = r.percentiles.as_ref() else {
        return;
    };
    let service = r.service.as_ref();
    let mut series = Vec::new();
    for (i, server) in r.servers().iter().enumerate() {
        let color = colors::server(i);
        if let Some(h) = corrected.totals.get(server) {
            let points = spectrum(h);
            series.push(Series {
                name: format!("{server} corrected"),
                color: color.into(),
                dashed: false,
                points,
            });
        }
        if let Some(h) = service.and_then(|s| s.totals.get(server)) {
            series.push(Series {
                name: format!("{server} service"),
                color: color.into(),
                dashed: true,
                points: spectrum(h),
            });
        }
    }
    let x_max = (series.iter().flat_map(|s| s.points.iter().map(|p| p.0)))
        .fold(2.0, f64::max)
        .ceil();
    let chart = LineChart {
        x_label: "percentile (log scale of 1 / (1 - q))".into(),
        y_label: "latency (ms, log scale)".into(),
        x_max,
        log_y: true,
        series,
        markers: vec![],
        thresholds: vec![],
        shades: vec![],
        x_axis: XAxis::Ticks(ticks(x_max)),
    };
    figure(out, "spectrum", "Latency distribution (whole run)", "Latency at each percentile over the whole run, per server, as HdrHistogram's plotter draws it: the percentile axis is logarithmic, so 99%, 99.9% and 99.99% get as much room as the median. Solid: corrected latency (from the intended start); dashed: service time (from the last byte sent). Every interval histogram of the run added up; a line ends at the maximum, where the commands measured no longer resolve a finer percentile.", &chart.to_svg());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spectrum_reads_percentiles_and_ends_at_the_maximum() {
        let mut h = Histogram::<u64>::new(3).unwrap();
        for v in 1..=1000u64 {
            h.record(v * 1000).unwrap();
        }
        let s = spectrum(&h);
        assert_eq!(s[0].0, 0.0);
        let at_90 = s.iter().find(|p| (p.0 - 1.0).abs() < 1e-9).unwrap();
        assert!((at_90.1 - 900.0).abs() < 2.0, "{at_90:?}");
        let last = s.last().unwrap();
        assert_eq!(last.0, 3.0);
        assert!((last.1 - 1000.0).abs() < 1.0);
        assert!(spectrum(&Histogram::<u64>::new(3).unwrap()).is_empty());
    }
}
