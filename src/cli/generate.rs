//! The subcommands that print text for other tools: shell completions, the
//! man page and Kubernetes manifests. Each is generated from the command
//! line itself (or the scenario), so none is kept by hand in the repository.

use std::io::Write;
use std::path::PathBuf;

use crate::error::Failure;

/// Flags of `imapload completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Flags of `imapload man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write `imapload.1` and one page per subcommand (`imapload-run.1`, ...)
    /// into this directory instead of printing `imapload.1`.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Flags of `imapload k8s`.
#[derive(Debug, clap::Args)]
pub struct K8sArgs {
    /// Number of shards (pods of the Indexed Job).
    #[arg(long, value_name = "N")]
    pub shards: u32,
    /// The container image, e.g. registry.example.com/imapload:0.1.0.
    #[arg(long, value_name = "IMAGE")]
    pub image: String,
    /// The scenario file; it is checked, then carried in a ConfigMap.
    #[arg(long, value_name = "FILE")]
    pub scenario: PathBuf,
    /// Names this run's Jobs, ConfigMap and folder on the volume
    /// (lower-case letters, digits, `-`; default: the UTC time, e.g. 20250101-120000).
    #[arg(long, value_name = "ID")]
    pub run_id: Option<String>,
    /// The namespace of every object (default: kubectl's current one).
    #[arg(long, value_name = "NS")]
    pub namespace: Option<String>,
}

impl From<K8sArgs> for crate::k8s::Request {
    fn from(a: K8sArgs) -> crate::k8s::Request {
        crate::k8s::Request {
            shards: a.shards,
            image: a.image,
            scenario: a.scenario,
            run_id: a.run_id,
            namespace: a.namespace,
        }
    }
}

/// `imapload completions SHELL`: the script on stdout.
pub fn completions(a: CompletionsArgs) -> Result<i32, Failure> {
    let mut cmd = super::command();
    let mut out = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "imapload", &mut out);
    emit(&out)
}

/// `imapload man [--dir DIR]`: the roff page on stdout, or every page in DIR.
pub fn man(a: ManArgs) -> Result<i32, Failure> {
    let cmd = super::command();
    match a.dir {
        Some(dir) => {
            let dir_error = |e: std::io::Error| {
                Failure::Run(anyhow::anyhow!(
                    "{}: cannot write the man pages: {e}",
                    dir.display()
                ))
            };
            std::fs::create_dir_all(&dir).map_err(dir_error)?;
            clap_mangen::generate_to(cmd, &dir).map_err(dir_error)?;
            println!("{}", dir.display());
            Ok(0)
        }
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut out)
                .map_err(|e| Failure::Run(e.into()))?;
            emit(&out)
        }
    }
}

/// Writes generated text to stdout; a closed pipe (`| head`) is not an error.
fn emit(bytes: &[u8]) -> Result<i32, Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::Run(e.into())),
        _ => Ok(0),
    }
}
