//! Errors that decide the process exit code.
//!
//! Bad input (exit 2) is kept apart from "could not run" (exit 1) so that every
//! layer can say which of the two happened without knowing about exit codes.

use std::fmt;
use std::path::PathBuf;

/// A problem with what the user gave us: a scenario file, a flag, a users file,
/// a certificate path. Always maps to exit code 2 and is printed as one line
/// naming the place (file, line, key) and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The file the problem is in, when it comes from a file.
    pub file: Option<PathBuf>,
    /// 1-based line in `file`, when known.
    pub line: Option<usize>,
    /// The key, flag or column at fault (`load.sessions`, `--shard`, `password`).
    pub key: Option<String>,
    /// What is wrong and what is allowed, as one sentence.
    pub message: String,
}

impl InputError {
    /// An error not tied to a file, e.g. a bad command-line flag.
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        InputError {
            file: None,
            line: None,
            key: Some(key.into()),
            message: message.into(),
        }
    }

    /// An error at a place in a file.
    pub fn at(
        file: impl Into<PathBuf>,
        line: Option<usize>,
        key: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        InputError {
            file: Some(file.into()),
            line,
            key,
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}", file.display())?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
            }
            write!(f, ": ")?;
        }
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for InputError {}

/// Everything that can end a command, sorted by exit code.
#[derive(Debug)]
pub enum Failure {
    /// Bad input: exit 2.
    Input(InputError),
    /// The run could not be carried out (a port could not be bound, the
    /// results directory could not be written): exit 1.
    Run(anyhow::Error),
}

impl From<InputError> for Failure {
    fn from(e: InputError) -> Self {
        Failure::Input(e)
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Run(e)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Run(e.into())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Input(e) => write!(f, "{e}"),
            Failure::Run(e) => write!(f, "{e:#}"),
        }
    }
}

impl Failure {
    /// The process exit code of this failure.
    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::Input(_) => EXIT_BAD_INPUT,
            Failure::Run(_) => EXIT_COULD_NOT_RUN,
        }
    }
}

/// Exit code: the command could not be carried out (or a write failed mid-run).
pub const EXIT_COULD_NOT_RUN: i32 = 1;
/// Exit code: bad input (a scenario file, a flag, a users file, a results file).
pub const EXIT_BAD_INPUT: i32 = 2;
/// Exit code: an Exchange monitor ended Unhealthy.
pub const EXIT_UNHEALTHY: i32 = 3;
/// Exit code of `compare`: a regression.
pub const EXIT_REGRESSION: i32 = 4;
/// Exit code: the run's verdict failed (a threshold or an error gate).
pub const EXIT_FAILED: i32 = 5;
/// Exit code of `capacity`: the minimum load already fails its verdict (the
/// verdict's failure code, since that is what happened at the minimum).
pub const EXIT_MIN_FAILS: i32 = EXIT_FAILED;

/// When a run's exit code says "unhealthy".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailOn {
    /// Exit 3 when a monitor ended Unhealthy.
    #[default]
    Unhealthy,
    /// Never exit 3 because of monitors.
    Never,
}

/// The exit code of a judged run (`run`, `health`, `merge`): a failed verdict
/// first, then a monitor that ended Unhealthy (unless `fail_on` is `Never`).
pub fn judged_exit_code(verdict_passed: bool, ended_unhealthy: bool, fail_on: FailOn) -> i32 {
    if !verdict_passed {
        EXIT_FAILED
    } else if ended_unhealthy && fail_on == FailOn::Unhealthy {
        EXIT_UNHEALTHY
    } else {
        0
    }
}
