//! Writes `--summary-json FILE|-` at the end of a run, from the `run.json`
//! the run has just written, so the two always agree.

use std::io::Write;
use std::path::Path;

use crate::error::Failure;
use crate::results::summary_json::SummaryDoc;

/// Writes the summary of the results in `dir` to `target` (`-`: stdout).
/// A file that cannot be written fails the command (exit 1), naming it.
pub fn write(dir: &Path, target: &Path) -> Result<(), Failure> {
    let run = crate::results::read_run(dir)?;
    let mut text =
        serde_json::to_vec_pretty(&SummaryDoc::of(run, dir)).map_err(|e| Failure::Run(e.into()))?;
    text.push(b'\n');
    if target == Path::new("-") {
        let mut out = std::io::stdout().lock();
        return match out.write_all(&text).and_then(|()| out.flush()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
            _ => Ok(()),
        };
    }
    std::fs::write(target, &text).map_err(|e| {
        Failure::Run(anyhow::anyhow!(
            "{}: cannot write the summary JSON: {e}",
            target.display()
        ))
    })
}
