//! The results directory, at its final path from the start of the run:
//! the time series and interval logs are appended as the run goes, and
//! every file written whole (`run.json` checkpoints, `summary.csv`, ...)
//! replaces the old one atomically (a temporary file renamed in the same
//! directory), so the directory can be read at any moment, even after the
//! process was killed.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::InputError;

/// A results directory being written.
#[derive(Debug, Clone)]
pub struct ResultsDir {
    path: PathBuf,
}

impl ResultsDir {
    /// Creates `target`, which must not exist unless `force` (then the old
    /// one is removed first). Called before the run starts, so a run is
    /// never wasted on a directory it may not write.
    pub fn create(target: &Path, force: bool) -> Result<ResultsDir, crate::error::Failure> {
        if target.exists() {
            if !force {
                return Err(InputError::new(
                    "--out",
                    format!(
                        "{} already exists; choose another directory or pass --force to replace it",
                        target.display()
                    ),
                )
                .into());
            }
            std::fs::remove_dir_all(target).map_err(|e| written(target, e))?;
        }
        std::fs::create_dir_all(target).map_err(|e| written(target, e))?;
        Ok(ResultsDir {
            path: target.to_path_buf(),
        })
    }

    /// Removes the directory: a run that failed before measuring anything
    /// (its servers could not be started) leaves nothing behind.
    pub fn discard(self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }

    /// Where the files are.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Replaces the file `name` with `bytes` atomically: readers see the old
    /// file or the new one, never half of one. The error names the file and
    /// the OS error.
    pub fn write(&self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        let file = self.path.join(name);
        let tmp = self.path.join(format!(".{name}.tmp"));
        let put = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.flush()?;
            std::fs::rename(&tmp, &file)
        };
        put().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            written(&file, e)
        })
    }
}

/// An I/O error that names the file it happened on.
fn written(file: &Path, e: std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("writing {}: {e}", file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exists_at_once_replaces_files_whole_and_never_overwrites() {
        let base = tempfile::tempdir().unwrap();
        let out = base.path().join("run1");
        let dir = ResultsDir::create(&out, false).unwrap();
        assert!(out.is_dir(), "the directory is there from the start");
        dir.write("summary.csv", b"x").unwrap();
        dir.write("summary.csv", b"xy").unwrap();
        assert_eq!(std::fs::read(out.join("summary.csv")).unwrap(), b"xy");
        let names: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file left behind");
        let again = ResultsDir::create(&out, false).unwrap_err();
        assert_eq!(again.exit_code(), 2);
        let forced = ResultsDir::create(&out, true).unwrap();
        assert!(!out.join("summary.csv").exists(), "--force starts afresh");
        forced.write("summary.csv", b"y").unwrap();
        assert_eq!(std::fs::read(out.join("summary.csv")).unwrap(), b"y");
        std::fs::remove_dir_all(&out).unwrap();
        let e = forced.write("summary.csv", b"z").unwrap_err();
        assert!(e.to_string().contains("summary.csv"), "{e}");
    }
}
