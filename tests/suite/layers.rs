//! The crate's layers hold: the top-level modules of `src/`, linked by the
//! `crate::` paths their code names (test code left out), form no cycle, and
//! `results` (the ground floor) names nothing of the crate but the
//! ground-floor `error` and `command` modules.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module -> the modules its code names, each with one file that names it.
type Graph = BTreeMap<String, BTreeMap<String, PathBuf>>;

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            source_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A unit-test file: `tests.rs`, `tests_*.rs`, `*_tests.rs` or in a `tests` folder.
fn is_test_file(rel: &Path) -> bool {
    let name = rel.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    name == "tests"
        || name.starts_with("tests_")
        || name.ends_with("_tests")
        || rel.components().any(|c| c.as_os_str() == "tests")
}

/// A file's code without line comments and without what follows its first
/// `#[cfg(test)]` (this crate keeps test modules at the end of a file).
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

fn leading_ident(s: &str) -> String {
    s.trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// Splits `a::b, c::{d, e}, f` at its top-level commas.
fn split_top(body: &str) -> Vec<&str> {
    let (mut items, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in body.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&body[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&body[start..]);
    items
}

/// The top-level modules that `crate::x` and `crate::{x, y::z}` paths name.
fn named_modules(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        let names: Vec<String> = match rest.strip_prefix('{') {
            Some(group) => {
                let mut depth = 1;
                let end = group
                    .char_indices()
                    .find(|&(_, c)| {
                        depth += match c {
                            '{' => 1,
                            '}' => -1,
                            _ => 0,
                        };
                        depth == 0
                    })
                    .map_or(group.len(), |(i, _)| i);
                split_top(&group[..end])
                    .into_iter()
                    .map(leading_ident)
                    .collect()
            }
            None => vec![leading_ident(rest)],
        };
        out.extend(names.into_iter().filter(|n| !n.is_empty() && n != "self"));
    }
    out
}

/// The module graph of `src/`, from the code of every non-test file.
fn module_graph(src: &Path) -> Graph {
    let mut files = Vec::new();
    source_files(src, &mut files);
    let mut graph = Graph::new();
    for file in files {
        let rel = file.strip_prefix(src).expect("under src").to_path_buf();
        if is_test_file(&rel) {
            continue;
        }
        let first = rel.components().next().expect("a component");
        let module = Path::new(first.as_os_str())
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a name")
            .to_string();
        let text = std::fs::read_to_string(&file).expect("read source");
        let edges = graph.entry(module.clone()).or_default();
        for to in named_modules(&code_of(&text)) {
            if to != module {
                edges.entry(to).or_insert_with(|| rel.clone());
            }
        }
    }
    graph
}

/// A cycle through the graph, as the modules in order, if there is one.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        m: &str,
        graph: &Graph,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == m) {
            let mut cycle = path[at..].to_vec();
            cycle.push(m.to_string());
            return Some(cycle);
        }
        if done.contains(m) {
            return None;
        }
        path.push(m.to_string());
        for next in graph.get(m).into_iter().flat_map(|e| e.keys()) {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|m| visit(m, graph, &mut Vec::new(), &mut done))
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Says which file makes each step of a cycle.
fn explain(graph: &Graph, cycle: &[String]) -> String {
    cycle
        .windows(2)
        .map(|w| format!("{} -> {} ({})", w[0], w[1], graph[&w[0]][&w[1]].display()))
        .collect::<Vec<_>>()
        .join("; ")
}

#[test]
fn no_import_cycle_between_top_level_modules() {
    let graph = module_graph(&src_dir());
    assert!(
        graph.len() > 10,
        "read the modules of src/: {:?}",
        graph.keys()
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "top-level modules import each other in a cycle: {}; move the shared thing down a layer",
            explain(&graph, &cycle)
        );
    }
}

#[test]
fn results_is_the_ground_floor() {
    let graph = module_graph(&src_dir());
    let allowed = ["error", "command"];
    let above: Vec<String> = graph["results"]
        .iter()
        .filter(|(to, _)| !allowed.contains(&to.as_str()))
        .map(|(to, file)| format!("{to} ({})", file.display()))
        .collect();
    assert!(above.is_empty(), "results/ imports from above: {above:?}");
}

#[test]
fn the_graph_reader_sees_grouped_paths_and_cycles() {
    let code = code_of("use crate::{a::X, b::{c, d}};\n// crate::zz\nlet y = crate::e::f();");
    let named: Vec<String> = named_modules(&code).into_iter().collect();
    assert_eq!(named, ["a", "b", "e"]);
    let mut g = Graph::new();
    for (from, to) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")] {
        g.entry(from.into())
            .or_default()
            .insert(to.into(), PathBuf::from(from));
    }
    assert_eq!(find_cycle(&g).map(|c| c.len()), Some(4));
    g.get_mut("c").unwrap().remove("a");
    assert_eq!(find_cycle(&g), None);
}
