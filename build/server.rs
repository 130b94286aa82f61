//! The server side of the generated tables: the command modules, the
//! atoms they advertise, and the dispatch by decoded command and by verb.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{ident, quoted_const, sources, Source};

/// How the server recognises one command file's command.
enum Recognised {
    /// A pattern over the decoded `CommandBody`.
    Decoded(String),
    /// One or two words after the tag.
    Verb(Vec<String>),
}

/// One server command file.
pub struct ServerCommand {
    module: String,
    path: PathBuf,
    recognised: Recognised,
}

pub fn commands(dir: &Path) -> Vec<ServerCommand> {
    sources(dir)
        .into_iter()
        .map(|Source { stem, path, text }| {
            let decoded = quoted_const(&text, "pub(super) const DECODED: &str = ");
            let verb = quoted_const(&text, "pub(super) const VERB: &str = ");
            let recognised = match (decoded, verb) {
                (Some(p), None) => Recognised::Decoded(p),
                (None, Some(v)) => Recognised::Verb(v.split(' ').map(str::to_uppercase).collect()),
                _ => panic!("{}: needs exactly one of DECODED and VERB", path.display()),
            };
            ServerCommand {
                module: ident(&stem),
                path,
                recognised,
            }
        })
        .collect()
}

pub fn table(commands: &[ServerCommand]) -> String {
    let mut s = String::new();
    for c in commands {
        let _ = writeln!(
            s,
            "#[path = {:?}]\nmod {};",
            c.path.display().to_string(),
            c.module
        );
    }
    let _ = writeln!(
        s,
        "\n/// What each command file advertises in CAPABILITY, in file order.\n\
         const ADVERTISED: [&[&str]; {}] = [",
        commands.len()
    );
    for c in commands {
        let _ = writeln!(s, "    {}::ADVERTISE,", c.module);
    }
    s.push_str("];\n\n// The patterns and verbs below are read by the build script from these constants.\n");
    let _ = writeln!(s, "const _: [&str; {}] = [", commands.len());
    for c in commands {
        let name = match c.recognised {
            Recognised::Decoded(_) => "DECODED",
            Recognised::Verb(_) => "VERB",
        };
        let _ = writeln!(s, "    {}::{name},", c.module);
    }
    s.push_str("];\n\n");
    decoded_dispatch(&mut s, commands);
    verb_dispatch(&mut s, commands);
    s
}

/// One arm: admit on the command's row, check its state, run its handler.
fn arm(s: &mut String, module: &str, input: &str) {
    let _ = writeln!(
        s,
        "                let _worker = session.admit_row({module}::row({input})).await;\n\
         \x20               match session.refused(tag, {module}::STATE) {{\n\
         \x20                   Some(next) => next,\n\
         \x20                   None => {module}::handle(session, tag, {input}).await,\n\
         \x20               }}"
    );
}

fn decoded_dispatch(s: &mut String, commands: &[ServerCommand]) {
    s.push_str(
        "/// Serves a command imap-codec decoded: one arm per command file and no\n\
         /// fallback, so a command imap-codec learns to decode needs a file.\n\
         pub(super) async fn serve_decoded(session: &mut Session, tag: &str, body: CommandBody<'_>) -> Next {\n\
         \x20   match body {\n",
    );
    for c in commands {
        if let Recognised::Decoded(pattern) = &c.recognised {
            let pattern = if pattern.contains('|') {
                format!("({pattern})")
            } else {
                pattern.clone()
            };
            let _ = writeln!(s, "            body @ {pattern} => {{");
            arm(s, &c.module, "&body");
            s.push_str("            }\n");
        }
    }
    s.push_str("    }\n}\n\n");
}

fn verb_dispatch(s: &mut String, commands: &[ServerCommand]) {
    s.push_str(
        "/// Serves a command recognised by its verb (`None`: not one of them).\n\
         pub(super) async fn serve_by_verb(session: &mut Session, tag: &str, raw: &[u8]) -> Option<Next> {\n\
         \x20   let words = VerbWords::of(raw);\n\
         \x20   Some(match (words.first.as_str(), words.second.as_str()) {\n",
    );
    for c in commands {
        if let Recognised::Verb(words) = &c.recognised {
            let second = words.get(1).map_or("_".to_string(), |w| format!("{w:?}"));
            let _ = writeln!(s, "            ({:?}, {second}) => {{", words[0]);
            arm(s, &c.module, "raw");
            s.push_str("            }\n");
        }
    }
    s.push_str("        _ => return None,\n    })\n}\n");
}
