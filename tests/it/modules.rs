//! The house's import order (issue #20 item 2): no circle among src/'s modules. A module is a
//! top-level module of the library (`src/engine.rs` with `src/engine/`, `src/scenario/`) taken
//! with its submodules; it depends on another when any of its files names `crate::other`
//! (in a `use`, a path or a doc link). `cli` and `cmd` are the front end and may import
//! anything; nothing else may import them (checked too).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The top-level module a file of src/ belongs to: `src/engine/tally.rs` → `engine`.
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).expect("under src");
    let first = relative
        .components()
        .next()
        .expect("a component")
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    first.strip_suffix(".rs").unwrap_or(&first).to_string()
}

/// The code of a file without its comments (doc links name modules without importing them)
/// and string literals.
fn code(text: &str) -> String {
    text.lines()
        .map(|line| {
            let trimmed = line.trim_start();
            if trimmed.starts_with("//") {
                return String::new();
            }
            // Drop string contents; a `//` inside a string then cannot cut the line.
            let mut out = String::new();
            let mut in_string = false;
            let mut chars = line.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '\\' if in_string => {
                        chars.next();
                    }
                    '"' => in_string = !in_string,
                    '/' if !in_string && chars.peek() == Some(&'/') => break,
                    _ if in_string => {}
                    _ => out.push(c),
                }
            }
            out
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules a file's code names: `crate::x`, `crate::{x, y::z}` and `super::`
/// paths that leave the module are not used in src/ (a test below checks `crate::` only).
fn imports(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue; // `$crate::` in macros, `treatysim_crate::`
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

/// The module graph of src/: module → the modules it imports.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(&src, f)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let module = module_of(&src, file);
        let text = std::fs::read_to_string(file).expect("read source");
        let edges = graph.entry(module.clone()).or_default();
        for target in imports(&code(&text)) {
            if target != module && modules.contains(&target) {
                edges.insert(target);
            }
        }
    }
    graph
}

/// A cycle through the graph, if there is one (depth-first search with colours).
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_string(), 1);
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                1 => {
                    let from = stack.iter().position(|n| n == next).unwrap_or(0);
                    let mut circle = stack[from..].to_vec();
                    circle.push(next.clone());
                    return Some(circle);
                }
                0 => {
                    if let Some(found) = visit(next, graph, state, stack) {
                        return Some(found);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if state.get(node.as_str()).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(found) = visit(node, graph, &mut state, &mut stack) {
                return Some(found);
            }
        }
    }
    None
}

/// The checker itself finds a circle it is shown, and reads grouped imports and skips
/// comments and strings.
#[test]
fn the_cycle_check_finds_a_circle() {
    let edges = |pairs: &[(&str, &str)]| {
        let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in pairs {
            g.entry(a.to_string()).or_default().insert(b.to_string());
            g.entry(b.to_string()).or_default();
        }
        g
    };
    assert_eq!(
        cycle(&edges(&[("a", "b"), ("b", "c"), ("c", "a")])),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    assert_eq!(cycle(&edges(&[("a", "b"), ("b", "c"), ("a", "c")])), None);
    let text = "use crate::{engine::Tally, stats};\n// crate::plot\nlet s = \"crate::cli\";\n$crate::cmd::QUIET\nx(crate::model::Model)";
    assert_eq!(
        imports(&code(text)),
        ["engine", "model", "stats"].map(String::from).into()
    );
}

/// Below the front end, nothing imports `cli` or `cmd`.
#[test]
fn only_the_front_end_imports_the_command_line() {
    let graph = graph();
    let front = ["cli", "cmd", "main", "lib"];
    let offenders: Vec<String> = graph
        .iter()
        .filter(|(module, _)| !front.contains(&module.as_str()))
        .flat_map(|(module, edges)| {
            edges
                .iter()
                .filter(|e| *e == "cli" || *e == "cmd")
                .map(move |e| format!("{module} -> {e}"))
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "the library imports the CLI: {offenders:?}"
    );
}

/// The identifiers of a file's code (after [`code`]): `use clap::ValueEnum;` gives `use`,
/// `clap`, `ValueEnum`.
fn identifiers(code: &str) -> BTreeSet<&str> {
    code.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|word| !word.is_empty())
        .collect()
}

/// The library modules (all of src/ but the front end: `cli`, `cmd`, `main`) whose code names
/// `word` (a crate such as `clap`, or a front-end module).
fn library_files_naming(word: &str) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files
        .iter()
        .filter(|file| !["cli", "cmd", "main"].contains(&module_of(&src, file).as_str()))
        .filter(|file| {
            let text = std::fs::read_to_string(file).expect("read source");
            identifiers(&code(&text)).contains(word)
        })
        .map(|file| {
            file.strip_prefix(&src)
                .expect("under src")
                .display()
                .to_string()
        })
        .collect()
}

/// Only the front end parses arguments (issue #20 item 1): no library module names clap, not
/// even to derive `ValueEnum` on its enums (cli.rs implements it for them). The check itself
/// finds clap in a derive and in a `use`, and not in comments or strings.
#[test]
fn only_the_front_end_uses_clap() {
    assert!(identifiers(&code("#[derive(Clone, clap::ValueEnum)]")).contains("clap"));
    assert!(identifiers(&code("use clap::{Args, Parser};")).contains("clap"));
    assert!(
        !identifiers(&code("/// parsed with clap\nlet s = \"clap\"; // clap")).contains("clap")
    );
    assert!(
        library_files_naming("dispatch").contains(&"lib.rs".to_string()),
        "the file walk reads lib.rs"
    );
    let offenders = library_files_naming("clap");
    assert!(
        offenders.is_empty(),
        "library modules use clap (move it into cli.rs): {offenders:?}"
    );
}

/// No module of src/ imports, through any chain, a module that imports it; in particular the
/// circles broken for issue #20 (engine <-> stats, engine <-> model, distribution <-> fit,
/// copula -> scenario -> copula) stay broken.
#[test]
fn src_has_no_import_circles() {
    let graph = graph();
    assert_eq!(cycle(&graph), None, "an import circle in src/");
    assert!(
        !graph["stats"].contains("engine"),
        "stats imports the engine"
    );
    assert!(
        !graph["model"].contains("engine"),
        "model imports the engine"
    );
}

/// Inside src/distribution/ imports run one way (issue #20 item 3): the special functions and
/// the standard draws import no other room of it, and the families, samplers and the copula's
/// table never import the parser or the fits.
#[test]
fn distribution_rooms_import_one_way() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/distribution");
    let rooms = [
        "dist", "fit", "gamma", "inverse", "parse", "sampler", "special", "standard",
    ];
    let imports = |room: &str| -> Vec<String> {
        let text = std::fs::read_to_string(dir.join(format!("{room}.rs"))).expect("a room");
        let code = code(&text);
        rooms
            .iter()
            .filter(|other| **other != room)
            .filter(|other| {
                code.contains(&format!("super::{other}"))
                    || code.contains(&format!("crate::distribution::{other}"))
            })
            .map(|other| other.to_string())
            .collect()
    };
    for leaf in ["special", "standard"] {
        assert_eq!(
            imports(leaf),
            Vec::<String>::new(),
            "{leaf} imports other rooms"
        );
    }
    for family in ["dist", "gamma", "inverse", "sampler"] {
        let found = imports(family);
        assert!(
            !found.iter().any(|r| r == "parse" || r == "fit"),
            "{family} imports {found:?}"
        );
    }
    assert!(
        !imports("fit").contains(&"parse".to_string()),
        "fit imports the parser"
    );
}
