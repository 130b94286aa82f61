//! Verdicts that never lie: a run that failed never passes, thresholds are
//! judged the same way by `run` and `health`, `abort_on_fail` stops a run,
//! and `compare` judges errors before sample sizes.

use imapload::results::RunRecord;
use imapload::results::Verdict;

use crate::support::*;

/// A run's verdict (every run of these tests is judged).
fn verdict(run: &RunRecord) -> &Verdict {
    run.verdict.as_ref().expect("run.json has a verdict")
}

/// The measured value of threshold `expr` in a verdict.
fn measured(verdict: &Verdict, expr: &str) -> Option<f64> {
    (verdict.thresholds.iter())
        .find(|t| t.expression == expr)
        .unwrap_or_else(|| panic!("no threshold {expr} in {verdict:#?}"))
        .measured
}

#[test]
fn servers_that_are_not_there_fail_the_run_and_never_say_healthy_as_its_verdict() {
    let _alone = exclusive();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("u.csv"), "u1,p1,mbx1\nu2,p2,mbx1\n").unwrap();
    let o = imapload(
        dir.path(),
        &[
            "run",
            "--cas",
            "imap://127.0.0.1:1",
            "--backend",
            "mbx1=imap://127.0.0.1:2",
            "--users",
            "u.csv",
            "--duration",
            "3s",
            "--out",
            "r",
        ],
    );
    let all = text(&o);
    assert_eq!(o.status.code(), Some(5), "{all}");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("verdict: FAILED"), "{all}");
    assert!(stdout.contains("every session failed"), "{all}");
    assert!(stdout.contains("✗ errors.rate <= 1%"), "{all}");
    assert!(!stdout.contains("verdict: PASSED"), "{all}");
    let run = run_json(&dir.path().join("r"));
    assert!(!verdict(&run).passed);
    assert_eq!(measured(verdict(&run), "errors.rate <= 1%"), Some(1.0));
    let page = std::fs::read_to_string(dir.path().join("r/report.html")).unwrap();
    assert!(page.contains(r#"<span class="badge fail">FAILED</span>"#));
    assert!(!page.contains("badge pass"));
    // `health` re-judges the same verdict from the files.
    let h = imapload(dir.path(), &["health", "r"]);
    assert_eq!(h.status.code(), Some(5), "{}", text(&h));
    assert!(String::from_utf8_lossy(&h.stdout).contains("verdict: FAILED"));
}

#[test]
fn login_disabled_on_plain_connections_fails_the_default_gate() {
    let _alone = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let scenario = embedded_scenario(10, "3s", "starttls_share = 0\n").replace(
        "kind = \"embedded\"",
        "kind = \"embedded\"\nlogin_disabled_without_tls = true",
    );
    std::fs::write(dir.path().join("s.toml"), scenario).unwrap();
    let o = imapload(dir.path(), &["run", "s.toml", "--out", "r"]);
    let all = text(&o);
    assert_eq!(o.status.code(), Some(5), "{all}");
    let run = run_json(&dir.path().join("r"));
    let rate = measured(verdict(&run), "errors.rate <= 1%");
    assert!(rate > Some(0.01), "{all}");
}

/// A short embedded run with thresholds that must pass and must fail.
const THRESHOLDS: &str = r#"
[thresholds]
checks = ["p99(*) < 1h", "p99(cas.*.*.LOGIN) < 1us", "service.p50(direct) < 10m",
          "commands.rate > 1000000000/s", "errors.count(cas.*.*.LOGIN) < 1"]
"#;

#[test]
fn thresholds_are_judged_on_the_run_and_rejudged_identically_from_its_files() {
    let _alone = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let scenario = embedded_scenario(10, "3s", THRESHOLDS);
    std::fs::write(dir.path().join("s.toml"), scenario).unwrap();
    let o = imapload(
        dir.path(),
        &["run", "s.toml", "--out", "r", "--threshold", "mean(*) < 1h"],
    );
    let all = text(&o);
    assert_eq!(o.status.code(), Some(5), "{all}");
    let run = run_json(&dir.path().join("r"));
    let passed: Vec<(String, bool)> = (verdict(&run).thresholds.iter())
        .map(|t| (t.expression.clone(), t.passed))
        .collect();
    let expect = [
        ("errors.rate <= 1%", true),
        ("sessions.failed.rate <= 1%", true),
        ("p99(*) < 1h", true),
        ("p99(cas.*.*.LOGIN) < 1us", false),
        ("service.p50(direct) < 10m", true),
        ("commands.rate > 1000000000/s", false),
        ("errors.count(cas.*.*.LOGIN) < 1", true),
        ("mean(*) < 1h", true),
    ];
    let expect: Vec<(String, bool)> = expect.iter().map(|(e, p)| (e.to_string(), *p)).collect();
    assert_eq!(passed, expect, "{all}");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("✗ p99(cas.*.*.LOGIN) < 1us"), "{all}");
    assert!(stdout.contains("✓ p99(*) < 1h"), "{all}");
    // `health` reads the histograms back from the interval logs: the same values exactly.
    let h = imapload(
        dir.path(),
        &["health", "r", "--threshold", "p99(cas.*.*.LOGIN) < 1h"],
    );
    assert_eq!(h.status.code(), Some(5), "{}", text(&h));
    let hout = String::from_utf8_lossy(&h.stdout);
    let line = |needle: &str| {
        hout.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no `{needle}` in\n{hout}"))
            .to_string()
    };
    let run_line = stdout
        .lines()
        .find(|l| l.contains("p99(cas.*.*.LOGIN) < 1us"))
        .unwrap();
    assert_eq!(line("p99(cas.*.*.LOGIN) < 1us"), run_line);
    assert!(line("p99(cas.*.*.LOGIN) < 1h").contains('✓'), "{hout}");
    // A threshold on errors.rate over every row replaces the gate.
    let h = imapload(
        dir.path(),
        &["health", "r", "--threshold", "errors.rate < 100%"],
    );
    let hout = String::from_utf8_lossy(&h.stdout);
    assert!(!hout.contains("errors.rate <= 1%"), "{hout}");
    assert!(hout.contains("errors.rate < 100%"), "{hout}");
}

#[test]
fn abort_on_fail_stops_the_run_early_and_keeps_its_results() {
    let _alone = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let scenario = embedded_scenario(
        10,
        "30s",
        "[thresholds]\nchecks = [\"p99(*) < 1us\"]\nabort_on_fail = true\nabort_delay = \"1s\"\n",
    );
    std::fs::write(dir.path().join("s.toml"), scenario).unwrap();
    let started = std::time::Instant::now();
    let o = imapload(dir.path(), &["run", "s.toml", "--out", "r"]);
    let all = text(&o);
    assert_eq!(o.status.code(), Some(5), "{all}");
    assert!(
        started.elapsed().as_secs() < 15,
        "took {:?}: {all}",
        started.elapsed()
    );
    let run = run_json(&dir.path().join("r"));
    let aborted = verdict(&run).aborted.as_ref().expect("aborted");
    assert_eq!(aborted.expression, "p99(*) < 1us", "{all}");
    assert!(aborted.at_s < 5.0, "{all}");
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("ABORTED at"),
        "{all}"
    );
    assert!(dir.path().join("r/summary.csv").is_file());
}

#[test]
fn compare_names_the_row_where_errors_appeared_and_fails_when_nothing_compares() {
    let _alone = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let base = embedded_scenario(10, "3s", "");
    let refused = embedded_scenario(
        10,
        "3s",
        "[[faults]]\nserver = \"mbx2\"\nat = \"0s\"\nrefuse_logins = true\n",
    );
    std::fs::write(dir.path().join("base.toml"), base).unwrap();
    std::fs::write(dir.path().join("cur.toml"), refused).unwrap();
    // The baseline passes; mbx2's refused logins cross the default error gate.
    for (s, out, code) in [("base.toml", "b", 0), ("cur.toml", "c", 5)] {
        let o = imapload(dir.path(), &["run", s, "--out", out, "-q"]);
        assert_eq!(o.status.code(), Some(code), "{s}: {}", text(&o));
        let run = run_json(&dir.path().join(out));
        assert_eq!(verdict(&run).passed, code == 0, "{s}: {}", text(&o));
    }
    let o = imapload(dir.path(), &["compare", "b", "c"]);
    let all = text(&o);
    assert_eq!(o.status.code(), Some(4), "{all}");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.lines().any(|l| l.contains("mbx2")
            && (l.contains("LOGIN") || l.contains("AUTHENTICATE"))
            && l.contains("ERRORS APPEARED")),
        "{all}"
    );
    // The same run against itself with a bar nothing reaches compares nothing.
    let o = imapload(
        dir.path(),
        &["compare", "b", "b", "--min-samples", "100000000"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nothing could be compared"));
}
