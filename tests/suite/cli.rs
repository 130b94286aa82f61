//! The binary's contract: exit codes and one clear line for bad input.

use std::process::Command;

use crate::support::bin;

#[test]
fn bad_scenario_exits_2_with_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(
        &file,
        "name = \"x\"\nduration = \"10s\"\n[load]\nsessions = 5\nsesions = 3\n",
    )
    .unwrap();
    let out = Command::new(bin())
        .args(["run", "--quiet", "--out"])
        .arg(dir.path().join("r"))
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml:5"), "no file:line in {err}");
    assert!(err.contains("sesions"), "no key in {err}");
    assert_eq!(err.trim().lines().count(), 1, "more than one line: {err}");
    assert!(
        !dir.path().join("r").exists(),
        "a results directory was written for bad input"
    );
}

#[test]
fn existing_results_directory_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(bin())
        .args(["run", "--quiet", "--duration", "1s", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
}

#[test]
fn bad_duration_flag_exits_2() {
    let out = Command::new(bin())
        .args(["run", "--quiet", "--duration", "0s"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--duration"));
}
