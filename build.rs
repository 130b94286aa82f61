//! Generates the per-command tables from one file per command, so that adding
//! a command means adding one client file (`src/engine/cmd/kind/<name>.rs`)
//! and one server file (`src/sim/backend/cmd/<name>.rs`), and the compiler
//! still checks every match over the kinds.
//!
//! Client files: the file name gives the kind (`uid_expunge.rs`: variant
//! `UidExpunge`, label `UID_EXPUNGE`), the leading `//!` paragraph its doc,
//! `pub const ROW: u16 = N;` its place among the rows (ascending),
//! `pub const MIXABLE: bool = false;` (optional) keeps it out of the mix, and
//! every `Atom::named("X")` names a capability atom the client looks for.
//!
//! Server files: `pub(super) const DECODED: &str = "<pattern>";` (a pattern over
//! imap-codec's `CommandBody`, pasted into the session's exhaustive match) or
//! `pub(super) const VERB: &str = "WORD [WORD]";` (recognised by its verb before
//! decoding, for what imap-codec 1.0 does not decode).
//!
//! Output in OUT_DIR: `command_kind.rs` (the `CommandKind` enum, `ALL`,
//! labels, `mixable`), `client_kinds.rs` (the kind modules and `spec`),
//! `command_atoms.rs` (the atoms clients look for), `server_commands.rs`
//! (the command modules, the advertised atoms and the dispatch).
//!
//! It also sets `IMAPLOAD_GIT_COMMIT` for `imapload --version` (see
//! `build/version.rs`).

use std::fs;
use std::path::{Path, PathBuf};

#[path = "build/client.rs"]
mod client;
#[path = "build/server.rs"]
mod server;
#[path = "build/version.rs"]
mod version;

const CLIENT_DIR: &str = "src/engine/cmd/kind";
const SERVER_DIR: &str = "src/sim/backend/cmd";

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build");
    println!("cargo:rerun-if-changed={CLIENT_DIR}");
    println!("cargo:rerun-if-changed={SERVER_DIR}");
    let kinds = client::kinds(&root.join(CLIENT_DIR));
    let commands = server::commands(&root.join(SERVER_DIR));
    write(&out, "command_kind.rs", &client::command_kind(&kinds));
    write(&out, "client_kinds.rs", &client::table(&kinds));
    write(&out, "command_atoms.rs", &client::command_atoms(&kinds));
    write(&out, "server_commands.rs", &server::table(&commands));
    version::emit(&root);
}

fn write(out: &Path, name: &str, text: &str) {
    fs::write(out.join(name), text).unwrap_or_else(|e| panic!("writing {name}: {e}"));
}

/// One command file: its name without `.rs`, where it is, its text.
struct Source {
    stem: String,
    path: PathBuf,
    text: String,
}

/// The `.rs` files of `dir` except `mod.rs`, by name, with their text.
fn sources(dir: &Path) -> Vec<Source> {
    let mut files: Vec<Source> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .filter(|p| p.file_stem().is_some_and(|s| s != "mod"))
        .map(|p| {
            println!("cargo:rerun-if-changed={}", p.display());
            let stem = p
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("UTF-8 file name");
            let text = fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            Source {
                stem: stem.to_string(),
                path: p.clone(),
                text,
            }
        })
        .collect();
    files.sort_by(|a, b| a.stem.cmp(&b.stem));
    files
}

/// The text after `prefix` up to the `;` on the same line.
fn const_value(text: &str, prefix: &str) -> Option<String> {
    let line = text.lines().find(|l| l.trim_start().starts_with(prefix))?;
    let value = line.trim_start()[prefix.len()..].trim_end();
    Some(value.strip_suffix(';')?.trim().to_string())
}

/// A `"..."` constant's string (no escapes inside).
fn quoted_const(text: &str, prefix: &str) -> Option<String> {
    let v = const_value(text, prefix)?;
    Some(v.strip_prefix('"')?.strip_suffix('"')?.to_string())
}

/// Every string literal right after `opening` (which ends with its quote).
fn quoted_after(text: &str, opening: &str) -> Vec<String> {
    text.match_indices(opening)
        .filter_map(|(at, _)| {
            let rest = &text[at + opening.len()..];
            rest.find('"').map(|end| rest[..end].to_string())
        })
        .collect()
}

/// The first paragraph of the file's `//!` doc, line by line.
fn module_doc(text: &str) -> Vec<String> {
    text.lines()
        .map_while(|l| l.strip_prefix("//!"))
        .map(str::trim)
        .take_while(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// `uid_expunge` -> `UidExpunge`.
fn camel(stem: &str) -> String {
    stem.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A module name for a file stem: raw when it is a keyword (`move.rs`).
fn ident(stem: &str) -> String {
    const KEYWORDS: [&str; 38] = [
        "as", "async", "await", "box", "break", "const", "continue", "do", "dyn", "else", "enum",
        "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro",
        "match", "mod", "move", "mut", "priv", "pub", "ref", "return", "static", "struct", "trait",
        "true", "try", "type", "yield",
    ];
    if KEYWORDS.contains(&stem) {
        format!("r#{stem}")
    } else {
        stem.to_string()
    }
}
