//! Bad input at the binary's edge (issue 7, part 1): every case runs the real
//! binary in a fresh directory and must exit 2 with one line on stderr that
//! names the file, line, key and what is allowed, and must leave no results
//! directory behind (neither `--out` nor the default `results/`).

use std::path::Path;

use crate::support::imapload;

#[macro_use]
mod cases;
mod inputs;

use cases::Case;

/// Every bad input the binary must refuse.
fn all_cases() -> Vec<&'static Case> {
    cases::SCENARIO_VALUES
        .iter()
        .chain(inputs::INPUTS)
        .collect()
}

/// Runs one case in its own directory; returns what is wrong with the outcome.
fn check(case: &Case) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in case.files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
    }
    let out_dir = dir.path().join("out");
    let out_arg = out_dir.to_str().unwrap();
    let args: Vec<&str> = (case.args.iter())
        .map(|a| if *a == "{out}" { out_arg } else { a })
        .collect();
    let out = imapload(dir.path(), &args);
    let err = String::from_utf8_lossy(&out.stderr);
    let mut wrong = Vec::new();
    if out.status.code() != Some(2) {
        wrong.push(format!("exit {:?}, not 2", out.status.code()));
    }
    if err.trim().lines().count() != 1 || !err.starts_with("imapload: ") {
        wrong.push("stderr is not one `imapload: ` line".to_string());
    }
    for word in case.expect {
        if !err.contains(word) {
            wrong.push(format!("no `{word}`"));
        }
    }
    if !out.stdout.is_empty() {
        wrong.push("wrote to stdout".to_string());
    }
    if out_dir.exists() || !only_inputs_left(dir.path(), case) {
        wrong.push("a results directory was created".to_string());
    }
    (!wrong.is_empty()).then(|| format!("{}: {} -- stderr: {err}", case.name, wrong.join(", ")))
}

/// Whether the case's directory holds nothing but its input files: no
/// `results/`, no hidden temporary results directory.
fn only_inputs_left(dir: &Path, case: &Case) -> bool {
    std::fs::read_dir(dir).unwrap().all(|e| {
        let name = e.unwrap().file_name();
        case.files
            .iter()
            .any(|(f, _)| f.split('/').next() == name.to_str())
    })
}

#[test]
fn every_bad_input_exits_2_with_one_clear_line_and_no_results() {
    // 50 processes on 4 threads would disturb a load test's latencies.
    let _alone = crate::support::exclusive();
    let cases = all_cases();
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = cases
            .chunks(cases.len().div_ceil(4))
            .map(|chunk| s.spawn(move || chunk.iter().filter_map(|c| check(c)).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
