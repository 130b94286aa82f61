//! A results directory that appears complete or not at all: files are written
//! into a hidden temporary sibling, which is renamed into place at the end.

use std::path::{Path, PathBuf};

use crate::error::InputError;

/// A results directory being written.
#[derive(Debug)]
pub struct ResultsDir {
    target: PathBuf,
    tmp: PathBuf,
    force: bool,
}

impl ResultsDir {
    /// Checks `target` can be written (it must not exist unless `force`) and
    /// creates the temporary directory beside it. Called before the run starts,
    /// so a run is never wasted on a directory it may not write.
    pub fn create(target: &Path, force: bool) -> Result<ResultsDir, crate::error::Failure> {
        if target.exists() && !force {
            return Err(InputError::new(
                "--out",
                format!(
                    "{} already exists; choose another directory or pass --force to replace it",
                    target.display()
                ),
            )
            .into());
        }
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "results".into());
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp)?;
        }
        std::fs::create_dir_all(&tmp)?;
        Ok(ResultsDir {
            target: target.to_path_buf(),
            tmp,
            force,
        })
    }

    /// Where files go while the directory is being written.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// The final location.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Writes one file into the directory.
    pub fn write(&self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        std::fs::write(self.tmp.join(name), bytes)
    }

    /// Moves the finished directory into place (replacing an old one only with `force`).
    pub fn commit(self) -> std::io::Result<PathBuf> {
        if self.target.exists() {
            if !self.force {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    format!(
                        "{} appeared during the run; results left in {}",
                        self.target.display(),
                        self.tmp.display()
                    ),
                ));
            }
            std::fs::remove_dir_all(&self.target)?;
        }
        std::fs::rename(&self.tmp, &self.target)?;
        Ok(self.target.clone())
    }
}

impl Drop for ResultsDir {
    /// A run that failed before committing leaves no half-written directory behind.
    fn drop(&mut self) {
        if self.tmp.exists() {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appears_only_when_committed_and_never_overwrites() {
        let base = tempfile::tempdir().unwrap();
        let out = base.path().join("run1");
        let dir = ResultsDir::create(&out, false).unwrap();
        dir.write("summary.csv", b"x").unwrap();
        assert!(!out.exists());
        dir.commit().unwrap();
        assert!(out.join("summary.csv").exists());
        let again = ResultsDir::create(&out, false).unwrap_err();
        assert_eq!(again.exit_code(), 2);
        let forced = ResultsDir::create(&out, true).unwrap();
        forced.write("summary.csv", b"y").unwrap();
        forced.commit().unwrap();
        assert_eq!(std::fs::read(out.join("summary.csv")).unwrap(), b"y");
    }
}
