//! report.html of a population run: a "Personas" section with one row per
//! persona, the groups and the statement of how much client time the run
//! stood for, seen in headless Chromium as a person sees it, also after
//! `imapload report DIR` re-renders the page from run.json; a run without
//! personas has no such section.

use std::path::Path;

use serde::Deserialize;

use super::support::{chromium, drive_page, imapload, run_json, text};

/// What the driver saw of the Personas section.
#[derive(Debug, Deserialize)]
struct Section {
    /// Script errors, the page's and the driver's.
    errors: Vec<String>,
    /// The section's heading is on the page and laid out (a real size).
    heading: bool,
    /// The time-scale statement's text.
    timescale: String,
    /// The facts' "Client time" entry under the title.
    fact: String,
    /// The groups listed.
    groups: Vec<String>,
    /// The table's headings.
    columns: Vec<String>,
    /// Each row's cells, as shown.
    rows: Vec<Vec<String>>,
    /// The Commands column, after one click on its heading and after two.
    sorted: Vec<Vec<f64>>,
}

/// Reads the section off the page and sorts its table by Commands, twice.
const DRIVER: &str = r#"(function () {
  var out = { errors: [], heading: false, timescale: "", fact: "", groups: [], columns: [], rows: [], sorted: [] };
  window.addEventListener("error", function (e) { out.errors.push(String(e.message)); });
  function cells(el) { return Array.prototype.map.call(el.cells, function (c) { return c.textContent; }); }
  try {
    document.querySelectorAll("dl.facts dt").forEach(function (dt) {
      if (dt.textContent === "Client time") out.fact = dt.nextElementSibling.textContent;
    });
    var h = document.getElementById("personas-section");
    if (h) {
      var b = h.getBoundingClientRect();
      out.heading = h.textContent === "Personas" && b.width > 0 && b.height > 0;
      out.timescale = document.querySelector("p.timescale").textContent;
      out.groups = Array.prototype.map.call(document.querySelectorAll("ul.groups li"), function (li) { return li.textContent; });
      var t = document.getElementById("personas");
      out.columns = cells(t.tHead.rows[0]);
      out.rows = Array.prototype.map.call(t.tBodies[0].rows, cells);
      var at = out.columns.indexOf("Commands");
      for (var k = 0; k < 2; k++) {
        t.tHead.rows[0].cells[at].click();
        out.sorted.push(Array.prototype.map.call(t.tBodies[0].rows, function (r) { return parseFloat(r.cells[at].textContent); }));
      }
    }
  } catch (e) {
    out.errors.push(String(e && e.stack || e));
  }
  var pre = document.createElement("pre");
  pre.id = "selftest-result";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();"#;

/// Runs imapload in `dir` with `args` plus a quiet results directory `out`.
fn run_into(dir: &Path, out: &Path, args: &[&str]) {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    all.extend(["--quiet", "-o", out.to_str().unwrap()]);
    let o = imapload(dir, &all);
    assert!(o.status.success(), "{}", text(&o));
}

/// The section of a population run of thunderbird and ios users, 4 s at 60x.
fn check_population(seen: &Section, out: &Path) {
    eprintln!("{seen:?}");
    assert_eq!(seen.errors, Vec::<String>::new(), "script errors");
    assert!(seen.heading, "the Personas heading is shown");
    assert!(
        seen.timescale
            .starts_with("Client time x60: 4 s of run = 4 min of client behaviour"),
        "{}",
        seen.timescale
    );
    assert_eq!(
        seen.fact, "x60: 4 s of run = 4 min of client behaviour",
        "said under the title too"
    );
    assert_eq!(seen.groups, ["50: thunderbird", "50: ios"]);
    for c in ["Users", "Connections", "Max per device / pool", "Errors"] {
        assert!(
            seen.columns.iter().any(|x| x == c),
            "{c}: {:?}",
            seen.columns
        );
    }
    for c in ["p99", "EXISTS pushed", "IDLE fetches", "Poll fetches"] {
        assert!(
            seen.columns.iter().any(|x| x == c),
            "{c}: {:?}",
            seen.columns
        );
    }
    let r = run_json(out);
    let names: Vec<&str> = seen.rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(names, ["thunderbird", "ios"]);
    let commands = seen.columns.iter().position(|c| c == "Commands").unwrap();
    for (row, p) in seen.rows.iter().zip(&r.personas) {
        assert_eq!(row[commands], p.commands.to_string(), "{row:?} vs {p:?}");
        assert_eq!(
            row[4],
            format!("{} / {}", p.max_connections_per_device, p.pool)
        );
        assert!(p.commands > 0, "{p:?}");
    }
    let [asc, desc] = &seen.sorted[..] else {
        panic!("not sorted: {:?}", seen.sorted)
    };
    assert!(asc.windows(2).all(|w| w[0] <= w[1]), "{asc:?}");
    assert!(desc.windows(2).all(|w| w[0] >= w[1]), "{desc:?}");
}

#[test]
fn a_population_run_reports_its_personas_and_its_time_scale_and_other_runs_do_not() {
    let Some(chromium) = chromium() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (pop, plain) = (dir.path().join("pop"), dir.path().join("plain"));
    let persona = ["--persona", "thunderbird=50,ios=50", "--time-scale", "60"];
    run_into(
        dir.path(),
        &pop,
        &[&persona[..], &["-d", "4s", "-s", "6"]].concat(),
    );
    run_into(dir.path(), &plain, &["-d", "1s", "-s", "2"]);
    let page = pop.join("report.html");
    check_population(&drive_page(chromium, &page, DRIVER), &pop);
    // `imapload report DIR` draws the same section from run.json alone.
    std::fs::remove_file(&page).unwrap();
    let o = imapload(dir.path(), &["report", pop.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    check_population(&drive_page(chromium, &page, DRIVER), &pop);
    let seen: Section = drive_page(chromium, &plain.join("report.html"), DRIVER);
    assert_eq!(seen.errors, Vec::<String>::new(), "script errors");
    assert!(!seen.heading, "no Personas section without personas");
    assert!(
        seen.fact.is_empty() && seen.timescale.is_empty(),
        "{seen:?}"
    );
    let html = std::fs::read_to_string(plain.join("report.html")).unwrap();
    assert!(!html.contains("Client time"), "no time-scale statement");
}
