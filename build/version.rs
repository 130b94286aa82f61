//! The git commit `imapload --version` shows, as `IMAPLOAD_GIT_COMMIT`.
//!
//! From `git rev-parse` when building in a checkout; otherwise (a container
//! build whose context leaves `.git` out, a source tarball) from the
//! `IMAPLOAD_GIT_COMMIT` environment variable, else `unknown`.

use std::path::Path;
use std::process::Command;

/// Sets `IMAPLOAD_GIT_COMMIT` for the crate and asks Cargo to run again when
/// the checkout's HEAD moves or the variable changes.
pub fn emit(root: &Path) {
    println!("cargo:rerun-if-env-changed=IMAPLOAD_GIT_COMMIT");
    let commit = git(root, &["rev-parse", "--short=12", "HEAD"]);
    if commit.is_some() {
        watch_head(root);
    }
    let commit = commit
        .or_else(|| std::env::var("IMAPLOAD_GIT_COMMIT").ok())
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty() && c.chars().all(|ch| ch.is_ascii_alphanumeric()))
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=IMAPLOAD_GIT_COMMIT={commit}");
}

/// Reruns the build script when HEAD or the branch it points at changes
/// (also in a worktree, whose HEAD and refs live in different places).
fn watch_head(root: &Path) {
    let mut files = vec!["HEAD".to_string(), "packed-refs".to_string()];
    if let Some(branch) = git(root, &["symbolic-ref", "-q", "HEAD"]) {
        files.push(branch);
    }
    for file in files {
        if let Some(path) = git(root, &["rev-parse", "--git-path", &file]) {
            let path = root.join(path);
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
}

/// One line of git's output, or `None` when git is missing or fails.
fn git(root: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_string())
}
