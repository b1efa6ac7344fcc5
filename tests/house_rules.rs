//! House rules about the source's shape, checked on the source itself. (Formatting and lints
//! are checked by `cargo fmt --check` and `cargo clippy` in `scripts/test.sh`.)
//!
//! **No import circle in any folder.** Within a folder, the files (and sub-folders) are modules
//! that name each other through `super::x` or `crate::folder::x` paths, and through the items
//! the folder's `mod.rs` re-exports from them. Those references must form no circle, so that
//! each folder reads bottom-up: a file can be understood from the files it names, never from
//! one that names it back. Test code (`#[cfg(test)]` and below) is left out: tests may reach
//! anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A folder's modules and the siblings each one names.
type Graph = BTreeMap<String, BTreeSet<String>>;

/// The source of a module without comments and without its tests.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines().map(|l| l.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

/// Every path a `use` declaration names, its braces expanded (`a::{b, c::d}` gives `a::b`
/// and `a::c::d`).
fn flatten(tree: &str, prefix: &str, out: &mut Vec<String>) {
    let Some(open) = tree.find('{') else {
        out.push(format!("{prefix}{tree}"));
        return;
    };
    let head = format!("{prefix}{}", &tree[..open]);
    let body = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let (mut depth, mut start) = (0, 0);
    for (i, c) in body.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                flatten(&body[start..i], &head, out);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < body.len() {
        flatten(&body[start..], &head, out);
    }
}

/// The paths a module's code names: its `use` trees and the `super::`/`crate::`/`self::` paths
/// written inline.
fn paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("use ") {
        let before = rest[..i].chars().last();
        rest = &rest[i + 4..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let end = rest.find(';').unwrap_or(rest.len());
        let tree: String = rest[..end].chars().filter(|c| !c.is_whitespace()).collect();
        flatten(&tree, "", &mut out);
    }
    for start in ["super::", "crate::", "self::"] {
        let mut rest = code;
        while let Some(i) = rest.find(start) {
            let before = rest[..i].chars().last();
            let path: String = rest[i..].chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
            rest = &rest[i + start.len()..];
            if !before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                out.push(path);
            }
        }
    }
    out.into_iter().map(|p| p.split(" as ").next().unwrap_or_default().to_string()).collect()
}

/// The graph of a folder whose modules are `modules` (name, code), whose `mod.rs` (or
/// `lib.rs`) is `root`, and whose path from the crate root is `module_path` (`crate::sim`).
fn graph(modules: &BTreeMap<String, String>, root: &str, module_path: &str) -> Graph {
    // What the folder re-exports, by item name: `pub use engine::Engine` sends `Engine` to
    // `engine`.
    let mut reexports = BTreeMap::new();
    for p in paths(root) {
        let segs: Vec<&str> = p.trim_start_matches("self::").split("::").collect();
        if segs.len() > 1 && modules.contains_key(segs[0]) {
            reexports.insert(segs[segs.len() - 1].to_string(), segs[0].to_string());
        }
    }
    let prefix = format!("{module_path}::");
    let mut g = Graph::new();
    for (name, code) in modules {
        let edges = g.entry(name.clone()).or_default();
        for p in paths(code) {
            let rest = if let Some(r) = p.strip_prefix("super::") {
                r
            } else if let Some(r) = p.strip_prefix(&prefix) {
                r
            } else {
                continue;
            };
            let first = rest.split("::").next().unwrap_or_default();
            let target = if modules.contains_key(first) { Some(first.to_string()) } else { reexports.get(first).cloned() };
            if let Some(t) = target.filter(|t| t != name) {
                edges.insert(t);
            }
        }
    }
    g
}

/// The circles of a graph: each a list of modules that reach each other (Tarjan's strongly
/// connected components of two or more).
fn circles(g: &Graph) -> Vec<Vec<String>> {
    struct Walk<'a> {
        g: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(w: &mut Walk<'a>, v: &'a str) {
        let i = w.index.len();
        w.index.insert(v, i);
        w.low.insert(v, i);
        w.stack.push(v);
        for t in &w.g[v] {
            let t = t.as_str();
            if !w.index.contains_key(t) {
                visit(w, t);
                let l = w.low[t].min(w.low[v]);
                w.low.insert(v, l);
            } else if w.stack.contains(&t) {
                let l = w.index[t].min(w.low[v]);
                w.low.insert(v, l);
            }
        }
        if w.low[v] == w.index[v] {
            let at = w.stack.iter().rposition(|&x| x == v).unwrap_or(0);
            let component: Vec<String> = w.stack.split_off(at).into_iter().map(str::to_string).collect();
            if component.len() > 1 {
                w.found.push(component);
            }
        }
    }
    let mut w = Walk { g, index: BTreeMap::new(), low: BTreeMap::new(), stack: Vec::new(), found: Vec::new() };
    for v in g.keys() {
        if !w.index.contains_key(v.as_str()) {
            visit(&mut w, v);
        }
    }
    w.found
}

/// The code of a sub-folder's module, seen from its parent folder: every `.rs` file under
/// `dir`, where only the `mod.rs` at its top says `super::` of the parent (deeper files' `super::`
/// is their own folder's business, so it is blanked).
fn folder_code(dir: &Path, top: bool) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).expect("readable").filter_map(Result::ok) {
        let p = entry.path();
        if p.is_dir() {
            text += &folder_code(&p, false);
        } else if p.extension().is_some_and(|e| e == "rs") {
            let c = code(&std::fs::read_to_string(&p).expect("UTF-8"));
            text += &if top && p.file_name().is_some_and(|n| n == "mod.rs") { c } else { c.replace("super::", "_::") };
        }
    }
    text
}

/// Checks the folder `dir` and every folder below it; returns each circle found, with its
/// folder.
fn check(src: &Path, dir: &Path, found: &mut Vec<String>) {
    let mut modules = BTreeMap::new();
    let mut root = String::new();
    let mut folders: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable").filter_map(Result::ok) {
        let p = entry.path();
        let name = p.file_stem().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        if p.is_dir() {
            if p.join("mod.rs").exists() {
                modules.insert(name, folder_code(&p, true));
            }
            folders.push(p);
        } else if p.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&p).expect("UTF-8");
            match name.as_str() {
                "mod" | "lib" => root = code(&text),
                "main" => {}
                _ => {
                    modules.insert(name, code(&text));
                }
            }
        }
    }
    let rel = dir.strip_prefix(src).expect("under src");
    let module_path = std::iter::once("crate".to_string()).chain(rel.iter().map(|s| s.to_string_lossy().into_owned())).collect::<Vec<_>>().join("::");
    for c in circles(&graph(&modules, &root, &module_path)) {
        found.push(format!("{}: {}", dir.display(), c.join(" <-> ")));
    }
    folders.sort();
    for f in folders {
        check(src, &f, found);
    }
}

#[test]
fn no_folder_has_an_import_circle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    check(&src, &src, &mut found);
    assert!(found.is_empty(), "import circles: {found:#?}");
}

#[test]
fn a_planted_circle_is_found_and_tests_and_comments_do_not_count() {
    let modules: BTreeMap<String, String> = [
        ("engine", "use super::{checker::Checker, network::Network};\nfn f() -> super::World {}"),
        ("checker", "use super::World; // use super::network\n"),
        ("network", "use crate::sim::protocol::Addr;"),
        ("protocol", "pub struct Addr;\n#[cfg(test)]\nmod tests { use super::super::engine::Engine; }"),
    ]
    .into_iter()
    .map(|(n, c)| (n.to_string(), code(c)))
    .collect();
    let root = code("pub use engine::{Engine, World};");
    let g = graph(&modules, &root, "crate::sim");
    assert_eq!(g["checker"], BTreeSet::from(["engine".to_string()]), "World is re-exported from engine; the comment is not code");
    assert!(g["protocol"].is_empty(), "tests do not count");
    assert_eq!(circles(&g).len(), 1);
    let mut c = circles(&g).remove(0);
    c.sort();
    assert_eq!(c, ["checker", "engine"]);
}
