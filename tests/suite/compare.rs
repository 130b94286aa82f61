//! The regression gate end to end, small: two short twin runs of
//! `ci-regression.toml` pass `compare`; a run of the same scenario with mbx2
//! twice as slow (`ci-regression-slow-mbx2.toml`) fails it, naming the rows
//! behind mbx2, also with the baseline given as two runs (`b1 b2 -- cur`);
//! the html page marks exactly the failed rows.

use std::path::Path;

use imapload::results::compare::{CompareDoc, CompareRowDoc};

use crate::support::*;

/// Runs `scenario` (a file of `scenarios/`) for 4 s into `dir/out`.
fn run_short(dir: &Path, scenario: &str, out: &str) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(scenario);
    let args = [
        "run",
        file.to_str().unwrap(),
        "--out",
        out,
        "--duration",
        "4s",
        "--sessions",
        "40", // a load the debug build carries without saturating both cores
        "--quiet",
        "--fail-on",
        "never",
    ];
    let o = imapload(dir, &args);
    assert_eq!(o.status.code(), Some(0), "{scenario}: {}", text(&o));
}

fn compare_json(dir: &Path, args: &[&str]) -> (i32, CompareDoc) {
    // Flags go before `--`: everything after it is a current run.
    let mut all = vec!["compare", "--format", "json"];
    all.extend_from_slice(args);
    let o = imapload(dir, &all);
    let doc: CompareDoc = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not a compare document ({e}): {}", text(&o)));
    (o.status.code().unwrap_or(-1), doc)
}

fn failed(doc: &CompareDoc) -> Vec<&CompareRowDoc> {
    doc.rows.iter().filter(|r| r.fails).collect()
}

#[test]
fn twin_runs_pass_the_gate_and_a_slowed_mbx2_fails_it_on_its_rows() {
    let _alone = exclusive();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    run_short(dir, "ci-regression.toml", "base");
    run_short(dir, "ci-regression.toml", "twin");
    run_short(dir, "ci-regression-slow-mbx2.toml", "slow");
    let (code, same) = compare_json(dir, &["base", "twin"]);
    let names = |rows: Vec<&CompareRowDoc>| -> Vec<String> {
        rows.iter()
            .map(|r| {
                format!(
                    "{}.{}.{}@{:?} {:?}",
                    r.server, r.backend, r.command, r.stat, r.change_pct
                )
            })
            .collect()
    };
    assert_eq!(code, 0, "twins: {:?}", names(failed(&same)));
    assert!(
        same.compared >= 40,
        "only {} rows judged: {}",
        same.compared,
        same.summary
    );
    assert!(same
        .rows
        .iter()
        .all(|r| r.verdict == "too_few_samples" || r.p_value.is_some()));
    for (args, what) in [
        (&["base", "slow"][..], "one run a side"),
        (
            &["base", "twin", "--", "slow"][..],
            "the baseline as two runs",
        ),
    ] {
        let (code, doc) = compare_json(dir, args);
        assert_eq!(code, 4, "{what}: {}", doc.summary);
        let (behind, elsewhere): (Vec<_>, Vec<_>) =
            failed(&doc).into_iter().partition(|r| r.backend == "mbx2");
        assert!(
            behind.len() >= 5,
            "{what}: only {} rows behind mbx2 failed",
            behind.len()
        );
        // A slow back end shifts the whole 2-core machine a little; the failed
        // rows must still be, overwhelmingly, the ones behind it.
        assert!(
            behind.len() >= 4 * elsewhere.len(),
            "{what}: rows not behind mbx2 failed: {:?}",
            names(elsewhere)
        );
        assert!(behind
            .iter()
            .all(|r| r.verdict == "regression" && r.p_value.unwrap() <= 0.05));
    }
    let (_, doc) = compare_json(dir, &["base", "twin", "--", "slow"]);
    assert_eq!((doc.baseline_runs.len(), doc.current_runs.len()), (2, 1));
    html_marks_the_failed_rows(dir, &failed(&doc));
}

/// `compare --format html` marks exactly the rows the comparison failed,
/// failed rows first, and says the runs regressed.
fn html_marks_the_failed_rows(dir: &Path, rows: &[&CompareRowDoc]) {
    let o = imapload(
        dir,
        &["compare", "--format", "html", "base", "twin", "--", "slow"],
    );
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    let page = String::from_utf8(o.stdout).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("REGRESSED"));
    let marked: Vec<&str> = page.split(r#"<tr class="regressed">"#).skip(1).collect();
    assert_eq!(
        marked.len(),
        rows.len(),
        "every failed row is marked, no other"
    );
    for r in rows {
        let cells = format!(
            "<td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            r.path, r.server, r.backend, r.command
        );
        assert!(
            marked.iter().any(|m| m.starts_with(&cells)),
            "{cells} not marked"
        );
    }
    let first_plain = page.find("<tr class=\"\">").unwrap_or(page.len());
    assert!(
        page.rfind(r#"<tr class="regressed">"#).unwrap() < first_plain,
        "failed rows first"
    );
}
