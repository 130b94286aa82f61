//! Results readable at every moment and write errors that stop a run: a
//! run killed with SIGKILL leaves a directory every reader takes as it
//! stands, and a run whose disk fills stops within an interval, prints what
//! it measured and exits 1 naming the file and the OS error.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use imapload::results::compare::CompareDoc;
use imapload::results::run::Outcome;

use crate::support::*;

/// Starts `imapload run` in `dir` on `scenario` (a file there), writing to `out`.
fn start_run(dir: &Path, scenario: &str, out: &Path) -> Child {
    Command::new(bin())
        .current_dir(dir)
        .args(["run", scenario, "--quiet", "--out"])
        .arg(out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts")
}

/// The last interval end in `timeseries.csv`, seconds.
fn series_end(out: &Path) -> f64 {
    let (header, rows) = read_csv(&out.join("timeseries.csv"));
    let col = header.iter().position(|h| h == "t_end_s").unwrap();
    rows.iter()
        .map(|r| r[col].parse::<f64>().unwrap())
        .fold(0.0, f64::max)
}

#[test]
fn a_run_killed_with_sigkill_leaves_a_directory_every_reader_takes_as_it_stands() {
    let _alone = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let scenario = embedded_scenario(20, "60s", "");
    std::fs::write(dir.path().join("s.toml"), scenario).unwrap();
    let out = dir.path().join("killed");
    let mut child = start_run(dir.path(), "s.toml", &out);
    std::thread::sleep(Duration::from_secs(25));
    child.kill().unwrap(); // SIGKILL
    let _ = child.wait();
    assert!(out.is_dir(), "the directory is at --out from the start");
    let end = series_end(&out);
    assert!(end >= 12.0, "timeseries.csv reaches only {end} s");
    let run = run_json(&out);
    assert_eq!(run.outcome, Some(Outcome::Running), "{run:#?}");
    let out_s = out.to_str().unwrap();
    let health = imapload(dir.path(), &["health", out_s]);
    assert!(
        matches!(health.status.code(), Some(0 | 3)),
        "{}",
        text(&health)
    );
    assert!(
        String::from_utf8_lossy(&health.stdout).contains("cut short"),
        "{}",
        text(&health)
    );
    compares_with_itself(dir.path(), out_s);
    let report = imapload(dir.path(), &["report", out_s]);
    assert_eq!(report.status.code(), Some(0), "{}", text(&report));
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    for id in ["throughput", "latency-cas1", "latency-mbx1", "latency-mbx2"] {
        let points = longest_line(&page, id);
        assert!(
            points >= 10,
            "chart {id} of the killed run has {points} points"
        );
    }
}

/// A killed run compared with itself: rows are judged (the histograms were
/// written as the run went), none regressed, exit 0 (1 would be "nothing compared").
fn compares_with_itself(dir: &Path, out: &str) {
    let args = ["compare", out, out, "--metric", "p50", "--format", "json"];
    let compare = imapload(dir, &args);
    assert_eq!(compare.status.code(), Some(0), "{}", text(&compare));
    let doc: CompareDoc = serde_json::from_slice(&compare.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", text(&compare)));
    assert!(
        doc.compared >= 3 && doc.regressions == 0 && doc.errors_appeared == 0,
        "compared {}, regressions {}, errors appeared {}",
        doc.compared,
        doc.regressions,
        doc.errors_appeared
    );
}

/// The points of the longest line of chart `id` on a report page.
fn longest_line(page: &str, id: &str) -> usize {
    let at = page
        .find(&format!(r#"<figure class="chart" id="{id}">"#))
        .unwrap_or_else(|| panic!("no chart {id}"));
    let fig = &page[at..at + page[at..].find("</figure>").unwrap()];
    (fig.split(r#"<path class="series" d=""#).skip(1))
        .map(|p| p[..p.find('"').unwrap()].matches(['M', 'L']).count())
        .max()
        .unwrap_or(0)
}

/// Mounts a tmpfs of `size` on `at`; false when not allowed (not root).
fn mount_tmpfs(at: &Path, size: &str) -> bool {
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    is_root
        && Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .status()
            .is_ok_and(|s| s.success())
}

/// Unmounts the tmpfs when the test ends, however it ends.
struct Unmount<'a>(&'a Path);

impl Drop for Unmount<'_> {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.0).status();
    }
}

#[test]
fn a_full_disk_stops_the_run_within_seconds_with_the_summary_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("small");
    std::fs::create_dir(&small).unwrap();
    if !mount_tmpfs(&small, "256k") {
        println!("SKIPPED: mounting a 256 KiB tmpfs needs root");
        return;
    }
    let _unmount = Unmount(&small);
    let _alone = exclusive();
    // `interval` is a top-level key: before the first table.
    let scenario =
        embedded_scenario(20, "45s", "").replacen("duration", "interval = \"100ms\"\nduration", 1);
    std::fs::write(dir.path().join("s.toml"), scenario).unwrap();
    let started = Instant::now();
    let child = Command::new(bin())
        .current_dir(dir.path())
        .args(["run", "s.toml", "--out"])
        .arg(small.join("results"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let took = started.elapsed();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        took < Duration::from_secs(30),
        "took {took:?}: {}",
        text(&o)
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("No space left on device") && stderr.contains("disk is full"),
        "{}",
        text(&o)
    );
    assert!(
        stderr.contains("small/results/"),
        "names the file: {}",
        text(&o)
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("commands in"), "the summary: {}", text(&o));
}
