//! The client side of the generated tables: the `CommandKind` enum from the
//! connection phases and the kind files, the kinds' `spec` dispatch and the
//! capability atoms they look for.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{camel, const_value, ident, module_doc, quoted_after, sources, Source};

/// A connection phase: timed as a row of its own, never a file of its own.
struct Phase {
    variant: &'static str,
    label: &'static str,
    doc: &'static str,
}

/// The phases every session goes through before its mix, first among the rows.
const PHASES: [Phase; 6] = [
    Phase {
        variant: "Connect",
        label: "CONNECT",
        doc: "TCP connect.",
    },
    Phase {
        variant: "Tls",
        label: "TLS",
        doc: "TLS handshake (implicit TLS, or after STARTTLS).",
    },
    Phase {
        variant: "Greeting",
        label: "GREETING",
        doc: "Waiting for the server greeting.",
    },
    Phase {
        variant: "StartTls",
        label: "STARTTLS",
        doc: "The STARTTLS command itself (without the handshake).",
    },
    Phase {
        variant: "Login",
        label: "LOGIN",
        doc: "LOGIN user password.",
    },
    Phase {
        variant: "Authenticate",
        label: "AUTHENTICATE",
        doc: "AUTHENTICATE PLAIN, XOAUTH2 or OAUTHBEARER.",
    },
];

/// One client kind file.
pub struct ClientKind {
    module: String,
    path: PathBuf,
    variant: String,
    label: String,
    doc: Vec<String>,
    row: u16,
    mixable: bool,
    atoms: Vec<String>,
}

pub fn kinds(dir: &Path) -> Vec<ClientKind> {
    let mut kinds: Vec<ClientKind> = sources(dir)
        .into_iter()
        .map(|Source { stem, path, text }| {
            let row = const_value(&text, "pub const ROW: u16 = ")
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{}: no `pub const ROW: u16 = N;`", path.display()));
            let mixable =
                const_value(&text, "pub const MIXABLE: bool = ").is_none_or(|v| v == "true");
            ClientKind {
                module: ident(&stem),
                variant: camel(&stem),
                label: stem.to_uppercase(),
                doc: module_doc(&text),
                row,
                mixable,
                atoms: quoted_after(&text, "Atom::named(\""),
                path,
            }
        })
        .collect();
    kinds.sort_by_key(|k| k.row);
    for pair in kinds.windows(2) {
        assert!(
            pair[0].row != pair[1].row,
            "{} and {} share ROW {}",
            pair[0].label,
            pair[1].label,
            pair[0].row
        );
    }
    kinds
}

/// The doc lines as `#[doc]` attributes (no escaping problems).
fn doc_attrs(out: &mut String, indent: &str, lines: &[String]) {
    for l in lines {
        let _ = writeln!(out, "{indent}#[doc = {:?}]", format!(" {l}"));
    }
}

pub fn command_kind(kinds: &[ClientKind]) -> String {
    let mut s = String::from(
        "/// One row kind of the summary: a connection phase or an IMAP command variant.\n\
         #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]\npub enum CommandKind {\n",
    );
    for p in &PHASES {
        let _ = writeln!(
            s,
            "    #[doc = {:?}]\n    {},",
            format!(" {}", p.doc),
            p.variant
        );
    }
    for k in kinds {
        doc_attrs(&mut s, "    ", &k.doc);
        let _ = writeln!(s, "    {},", k.variant);
    }
    let count = PHASES.len() + kinds.len();
    let _ = write!(
        s,
        "}}\n\nimpl CommandKind {{\n    /// Every kind, in the order rows are printed (phases first, then by `ROW`).\n    \
         pub const ALL: [CommandKind; {count}] = [\n"
    );
    let variants: Vec<&str> = PHASES
        .iter()
        .map(|p| p.variant)
        .chain(kinds.iter().map(|k| k.variant.as_str()))
        .collect();
    for v in &variants {
        let _ = writeln!(s, "        CommandKind::{v},");
    }
    s.push_str("    ];\n\n    /// The label used in CSV, hlog tags and scenario mix keys (`FETCH_FLAGS`).\n    \
                pub fn label(self) -> &'static str {\n        match self {\n");
    let labels = PHASES.iter().map(|p| (p.variant, p.label.to_string()));
    for (v, l) in labels.chain(kinds.iter().map(|k| (k.variant.as_str(), k.label.clone()))) {
        let _ = writeln!(s, "            CommandKind::{v} => {l:?},");
    }
    s.push_str(
        "        }\n    }\n\n    /// Whether a scenario may put this kind in its weighted mix. Connection\n    \
         /// phases and kinds whose file says `MIXABLE = false` (LOGOUT) are part of\n    \
         /// every session, not of the mix.\n    pub fn mixable(self) -> bool {\n        match self {\n",
    );
    for p in &PHASES {
        let _ = writeln!(s, "            CommandKind::{} => false,", p.variant);
    }
    for k in kinds {
        let _ = writeln!(
            s,
            "            CommandKind::{} => {},",
            k.variant, k.mixable
        );
    }
    s.push_str("        }\n    }\n}\n");
    s
}

pub fn table(kinds: &[ClientKind]) -> String {
    let mut s = String::new();
    for k in kinds {
        let _ = writeln!(
            s,
            "#[path = {:?}]\npub mod {};",
            k.path.display().to_string(),
            k.module
        );
    }
    s.push_str(
        "\n/// The spec of `kind`: the connection phases share [`PHASE`], every other\n\
         /// kind is its file's `SPEC`.\npub fn spec(kind: CommandKind) -> &'static Spec {\n    match kind {\n",
    );
    let phases: Vec<String> = PHASES
        .iter()
        .map(|p| format!("CommandKind::{}", p.variant))
        .collect();
    let _ = writeln!(s, "        {} => &PHASE,", phases.join(" | "));
    for k in kinds {
        let _ = writeln!(
            s,
            "        CommandKind::{} => &{}::SPEC,",
            k.variant, k.module
        );
    }
    s.push_str("    }\n}\n\n/// Each kind's `ROW`, in row order (the build script sorted them).\n");
    let _ = writeln!(s, "pub const ROWS: [u16; {}] = [", kinds.len());
    for k in kinds {
        let _ = writeln!(s, "    {}::ROW,", k.module);
    }
    s.push_str("];\n");
    s
}

pub fn command_atoms(kinds: &[ClientKind]) -> String {
    let mut atoms: Vec<&str> = kinds
        .iter()
        .flat_map(|k| k.atoms.iter().map(String::as_str))
        .collect();
    atoms.sort_unstable();
    atoms.dedup();
    let list: Vec<String> = atoms.iter().map(|a| format!("{a:?}")).collect();
    format!(
        "/// The capability atoms some command kind looks for (`Atom::named` in its\n\
         /// file), sorted; an [`Atom`] is an index into it.\n\
         pub const COMMAND_ATOMS: [&str; {}] = [{}];\n",
        atoms.len(),
        list.join(", ")
    )
}
