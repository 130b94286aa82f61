//! `report.html` of a long run: its charts draw a bounded number of points, so the page's
//! size follows the points and not the intervals, and a point that merges intervals shows
//! the percentiles of the merged histograms, exactly. The results directories are written
//! by `examples/long_results`' generator through the crate's own writer types.

#[path = "../../examples/long_results/synth.rs"]
mod synth;

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine;
use hdrhistogram::serialization::interval_log::{IntervalLogIterator, LogEntry};
use hdrhistogram::serialization::Deserializer;
use hdrhistogram::Histogram;
use imapload::results::files;

use crate::support::{assert_every_chart_drawn, chromium, drive_report};

/// Points a chart may draw (the report's bound).
const MAX_POINTS: usize = 1000;

/// A directory of `intervals` one-second intervals at a low rate (debug builds write each
/// histogram slowly), with a slow stretch on one back end.
fn results(dir: &Path, intervals: u64) {
    let spec = synth::Spec {
        intervals,
        interval_s: 1.0,
        rate: 0.02,
        seed: 21,
        flap_every: 7,
    };
    synth::write(dir, &spec).unwrap();
}

/// Points of every data path of the page, per `<path d=...>`.
fn points_per_path(page: &str) -> Vec<usize> {
    (page.split(r#"<path class="series" d=""#).skip(1))
        .map(|rest| rest[..rest.find('"').unwrap()].matches(['M', 'L']).count())
        .collect()
}

/// Each server's histograms added per bucket `[k * width, (k + 1) * width)` of interval
/// midpoints, read with HdrHistogram's own log reader, and how many were added to each.
fn merged(dir: &Path, width: f64) -> BTreeMap<(String, u64), (Histogram<u64>, usize)> {
    let summary = std::fs::read(dir.join(files::SUMMARY_CSV)).unwrap();
    let rows = imapload::results::summary::from_csv(&summary).unwrap();
    let server: BTreeMap<String, String> =
        rows.iter().map(|r| (r.tag(), r.server.clone())).collect();
    let log = std::fs::read(dir.join(files::LATENCY_HLOG)).unwrap();
    let mut out: BTreeMap<(String, u64), (Histogram<u64>, usize)> = BTreeMap::new();
    let mut de = Deserializer::new();
    for entry in IntervalLogIterator::new(&log) {
        let LogEntry::Interval(h) = entry.unwrap() else {
            continue;
        };
        let mid = (h.start_timestamp() + h.duration() / 2).as_secs_f64();
        let bytes = (base64::engine::general_purpose::STANDARD)
            .decode(h.encoded_histogram())
            .unwrap();
        let hist: Histogram<u64> = de.deserialize(&mut bytes.as_slice()).unwrap();
        let s = server[h.tag().unwrap().as_str()].clone();
        let e = (out.entry((s, (mid / width).floor() as u64)))
            .or_insert_with(|| (Histogram::new(3).unwrap(), 0));
        e.0.add(&hist).unwrap();
        e.1 += 1;
    }
    out
}

/// The slowest-stretches rows of `server`: (from, to, commands, p50 µs, p99 µs).
fn slowest_rows(page: &str, server: &str) -> Vec<(f64, f64, u64, u64, u64)> {
    let at = page
        .find(&format!(r#"id="slowest-{server}""#))
        .unwrap_or_else(|| panic!("no slowest stretches for {server}"));
    let table = &page[at..at + page[at..].find("</details>").unwrap()];
    let attr = |s: &str, name: &str| -> String {
        let i = s.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        s[i..i + s[i..].find('"').unwrap()].to_string()
    };
    (table.split("<tr data-from=").skip(1))
        .map(|row| {
            let row = format!("data-from={row}");
            let cells: Vec<&str> = row.split("<td").collect();
            let count = cells[3]
                .split('>')
                .nth(1)
                .unwrap()
                .split('<')
                .next()
                .unwrap();
            (
                attr(&row, "data-from").parse().unwrap(),
                attr(&row, "data-to").parse().unwrap(),
                count.parse().unwrap(),
                attr(cells[4], "data-us").parse().unwrap(),
                attr(cells[5], "data-us").parse().unwrap(),
            )
        })
        .collect()
}

/// The merged buckets on the page equal HdrHistogram's own sum of the same histograms.
fn check_exact_percentiles(dir: &Path, page: &str) {
    let width = 8.0; // 5,000 one-second intervals in at most 1,000 buckets
    assert!(
        page.contains("Each point merges 8 intervals (8 s)"),
        "bucket width"
    );
    let reference = merged(dir, width);
    let (mut checked, mut multi) = (0, 0);
    for server in synth::CAS.iter().chain(&synth::BACKENDS) {
        for (from, to, count, p50, p99) in slowest_rows(page, server) {
            assert_eq!(to - from, width);
            let key = (server.to_string(), (from / width).round() as u64);
            let (h, added) = &reference[&key];
            assert_eq!(
                (count, p50, p99),
                (h.len(), h.value_at_quantile(0.5), h.value_at_quantile(0.99)),
                "{server} {from}-{to} s, {added} histograms"
            );
            checked += 1;
            multi += usize::from(*added > 1);
        }
    }
    assert_eq!(checked, 5 * 5, "five stretches on each of five servers");
    assert!(
        multi >= 10,
        "only {multi} of the stretches checked merged several histograms"
    );
}

#[test]
fn a_long_runs_report_draws_bounded_points_and_exact_merged_percentiles() {
    let (short, long) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    results(short.path(), 2_500);
    results(long.path(), 5_000);
    let size = |d: &Path, f: &str| std::fs::metadata(d.join(f)).unwrap().len() as f64;
    let ts_ratio =
        size(long.path(), files::TIMESERIES_CSV) / size(short.path(), files::TIMESERIES_CSV);
    assert!(
        ts_ratio > 1.8,
        "the long run has twice the data: {ts_ratio}"
    );
    let mut pages = Vec::new();
    for dir in [short.path(), long.path()] {
        imapload::report::html::write(dir).unwrap();
        let page = std::fs::read_to_string(dir.join(files::REPORT_HTML)).unwrap();
        let points = points_per_path(&page);
        let most = points.iter().copied().max().unwrap();
        assert!(
            (MAX_POINTS / 4..=MAX_POINTS).contains(&most),
            "points per line: {points:?}"
        );
        assert!(
            points.len() >= 5 * 3 + 4,
            "every chart has its lines: {}",
            points.len()
        );
        pages.push(page);
    }
    // Twice the intervals, the same points: the page does not grow with the run.
    let (a, b) = (pages[0].len() as f64, pages[1].len() as f64);
    assert!(b < a * 1.15 && b > a * 0.85, "page sizes {a} and {b}");
    check_exact_percentiles(long.path(), &pages[1]);
    // The monitor that flapped every 7 s is drawn in columns, not 700 spans.
    let lanes = &pages[1][pages[1].find(r#"id="monitors""#).unwrap()..];
    let rects = lanes[..lanes.find("</figure>").unwrap()]
        .matches("<rect")
        .count();
    assert!(rects < 600, "{rects} spans on the timeline");
    chromium_draws_every_chart(long.path());
}

/// The page opens in headless Chromium with every chart drawn (skipped without Chromium,
/// unless `IMAPLOAD_REQUIRE_CHROMIUM=1`).
fn chromium_draws_every_chart(dir: &Path) {
    let Some(chromium) = chromium() else {
        return;
    };
    let servers: Vec<&str> = synth::CAS.iter().chain(&synth::BACKENDS).copied().collect();
    assert_every_chart_drawn("long run", &drive_report(chromium, dir), &servers);
}
