//! report.html driven in headless Chromium like a person would: hovering a chart shows
//! values, a legend click hides a line, the summary sorts and filters, a drag zooms every
//! time chart, the command menu switches charts, and every chart is drawn, on the
//! quickstart and on slow-backend (shortened). Skipped without Chromium unless
//! IMAPLOAD_REQUIRE_CHROMIUM=1.

use std::path::Path;

use super::support::{
    assert_every_chart_drawn, chromium, drive_report, plan_from, quiet_out, run, Seen,
};

/// Runs `scenario` (a file of scenarios/, edited by `edit`) with `overrides`' sessions and
/// duration, and returns its results directory.
async fn results(
    dir: &Path,
    scenario: &str,
    edit: &[(&str, &str)],
    sessions: usize,
    duration: &str,
) -> std::path::PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(scenario);
    let mut text = std::fs::read_to_string(path).unwrap();
    for (from, to) in edit {
        assert!(text.contains(from), "{scenario} has no `{from}`");
        text = text.replace(from, to);
    }
    let mut ov = quiet_out(dir);
    ov.sessions = Some(sessions);
    ov.duration = Some(duration.into());
    run(plan_from(&text, dir, &ov)).await.dir
}

/// What a person must find on the page, checked on what the driver saw.
fn check(name: &str, seen: &Seen, servers: &[&str]) {
    eprintln!("{name}: {seen:?}");
    assert_every_chart_drawn(name, seen, servers);
    let hover = &seen.hover;
    assert!(
        hover.contains("UTC") && hover.contains("p99: "),
        "{name}: hover shows {hover:?}"
    );
    let p99: f64 = hover
        .split("p99: ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(p99 > 0.0, "{name}: hover p99 {p99}");
    let t = seen.toggle.as_ref().expect("toggle");
    assert!(t.hidden && t.shown_again, "{name}: {t:?}");
    assert!(t.others_shown >= 2, "{name}: the other lines stay: {t:?}");
    let s = seen.sort.as_ref().expect("sort");
    assert!(s.ascending && s.descending, "{name}: {s:?}");
    assert!(s.asc_first < s.asc_last, "{name}: {s:?}");
    let f = seen.filter.as_ref().expect("filter");
    assert!(
        f.all_match && f.shown > 0 && f.shown < f.rows,
        "{name}: {f:?}"
    );
    let z = seen.zoom.as_ref().expect("zoom");
    assert!(
        z.zoomed >= 6 && z.zoomed == z.charts,
        "{name}: every time chart zooms: {z:?}"
    );
    assert!(z.reset && !z.view.is_empty(), "{name}: {z:?}");
    assert!(z.ticks.len() >= 2, "{name}: zoomed ticks {z:?}");
    let m = seen.menu.as_ref().expect("menu");
    assert_eq!(m.visible, std::slice::from_ref(&m.picked), "{name}: {m:?}");
}

/// The slowed back end is the slow line: late in the run, its p99 as the
/// page's tooltip shows it is many times the other back end's.
fn check_slow_is_mbx2(seen: &Seen) {
    let p99 = |id: &str| {
        (seen.late_p99.get(id).copied().flatten())
            .unwrap_or_else(|| panic!("no p99 on {id}: {:?}", seen.late_p99))
    };
    let (slow, other) = (p99("latency-mbx2"), p99("latency-mbx1"));
    assert!(
        slow > 10.0 * other,
        "mbx2 was slowed x400 but its p99 is {slow} ms against mbx1's {other} ms: {:?}",
        seen.late_p99
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_works_in_chromium_on_quickstart_and_slow_backend() {
    let Some(chromium) = chromium() else {
        return;
    };
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let quick = results(a.path(), "quickstart.toml", &[], 40, "5s").await;
    let slow_edit = [
        ("at = \"15s\"", "at = \"3s\""),
        ("sample_period = \"5s\"", "sample_period = \"2s\""),
    ];
    let slow = results(b.path(), "slow-backend.toml", &slow_edit, 40, "8s").await;
    let servers = ["cas1", "mbx1", "mbx2"];
    let seen = tokio::task::spawn_blocking(move || {
        (
            drive_report(chromium, &quick),
            drive_report(chromium, &slow),
        )
    })
    .await
    .unwrap();
    check("quickstart", &seen.0, &servers);
    check("slow-backend", &seen.1, &servers);
    check_slow_is_mbx2(&seen.1);
}
