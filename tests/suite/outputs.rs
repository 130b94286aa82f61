//! The results directory as other tools read it: the HdrHistogram interval
//! log, the tidy time series, and partial results after an interrupt.

use std::collections::BTreeMap;

use base64::Engine;
use hdrhistogram::serialization::interval_log::{IntervalLogIterator, LogEntry};
use hdrhistogram::serialization::Deserializer;
use hdrhistogram::Histogram;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hlog_reads_back_with_hdrhistograms_own_reader_to_the_same_counts_and_percentiles() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan_from(
        &embedded_scenario(20, "2s", ""),
        dir.path(),
        &quiet_out(dir.path()),
    );
    let report = run(plan).await;
    let log = std::fs::read(report.dir.join("latency.hlog")).unwrap();
    let text = String::from_utf8_lossy(&log);
    assert!(
        text.starts_with("#[Histogram log format version 1.3]"),
        "{}",
        &text[..100]
    );
    assert!(
        text.contains("#[StartTime: ")
            && text.contains("#[BaseTime: ")
            && text.contains("\"StartTimestamp\"")
    );
    let mut merged: BTreeMap<String, Histogram<u64>> = BTreeMap::new();
    let mut deserializer = Deserializer::new();
    let mut intervals = 0;
    for entry in IntervalLogIterator::new(&log) {
        let LogEntry::Interval(h) = entry.expect("a valid interval log") else {
            continue;
        };
        let tag = h
            .tag()
            .expect("every interval is tagged")
            .as_str()
            .to_string();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(h.encoded_histogram())
            .unwrap();
        let hist: Histogram<u64> = deserializer.deserialize(&mut bytes.as_slice()).unwrap();
        merged
            .entry(tag)
            .or_insert_with(|| Histogram::new(3).unwrap())
            .add(&hist)
            .unwrap();
        intervals += 1;
    }
    assert!(intervals > 10, "only {intervals} interval histograms");
    let (header, rows) = read_csv(&report.dir.join("summary.csv"));
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let mut compared = 0;
    for r in &rows {
        let tag = format!(
            "{}.{}.{}.{}",
            r[col("path")],
            r[col("server")],
            r[col("backend")],
            r[col("command")]
        );
        let ok = r[col("count")].parse::<u64>().unwrap() - r[col("errors")].parse::<u64>().unwrap();
        let Some(h) = merged.get(&tag) else {
            assert_eq!(ok, 0, "{tag} has {ok} commands but no hlog histogram");
            continue;
        };
        assert_eq!(h.len(), ok, "{tag}: count");
        for (q, c) in [
            (0.5, "p50_us"),
            (0.9, "p90_us"),
            (0.99, "p99_us"),
            (0.999, "p99_9_us"),
        ] {
            assert_eq!(h.value_at_quantile(q).to_string(), r[col(c)], "{tag}: {c}");
        }
        assert_eq!(h.max().to_string(), r[col("max_us")], "{tag}: max");
        compared += 1;
    }
    assert_eq!(
        compared,
        merged.len(),
        "hlog has tags that summary.csv lacks"
    );
    assert!(compared > 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeseries_and_queue_csv_are_tidy() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan_from(
        &embedded_scenario(10, "2s", ""),
        dir.path(),
        &quiet_out(dir.path()),
    );
    let report = run(plan).await;
    let (h, rows) = read_csv(&report.dir.join("timeseries.csv"));
    for c in [
        "t_start_s",
        "path",
        "server",
        "backend",
        "command",
        "count",
        "errors",
        "p99_us",
        "service_p99_us",
    ] {
        assert!(h.iter().any(|x| x == c), "timeseries.csv lacks {c}");
    }
    assert!(rows.iter().all(|r| r.len() == h.len()));
    // Summing the time series gives the totals, each command counted once per row.
    let count = h.iter().position(|x| x == "count").unwrap();
    let ts_total: u64 = rows.iter().map(|r| r[count].parse::<u64>().unwrap()).sum();
    let summary_total: u64 = report.rows.values().map(|r| r.count).sum();
    assert_eq!(ts_total, summary_total);
    let (qh, q) = read_csv(&report.dir.join("queue.csv"));
    assert_eq!(qh[..2], ["t_s", "server"]);
    assert!(q.len() >= 2 * 3, "queue rows for 3 servers x 2 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_html_renders_in_headless_chromium_with_every_chart() {
    let Some(chromium) = chromium() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let extra = "[monitors]\nsample_period = \"1s\"\n[[faults]]\nserver = \"mbx2\"\nat = \"1s\"\nslow = 50.0\n";
    let plan = plan_from(
        &(embedded_scenario(10, "3s", "") + extra),
        dir.path(),
        &quiet_out(dir.path()),
    );
    let report = run(plan).await;
    let html = std::fs::read_to_string(report.dir.join("report.html")).unwrap();
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http"),
        "the report fetches from the network"
    );
    let seen = tokio::task::spawn_blocking(move || drive_report(chromium, &report.dir))
        .await
        .unwrap();
    assert_every_chart_drawn("3 s run", &seen, &["cas1", "mbx1", "mbx2"]);
}
