//! The shape of the library, checked from its source: the top-level modules
//! follow the stages of the data (spec → read → model → validate → write /
//! diff / narrate → batch), each using only earlier ones, and every rule id
//! is written once, where its rule is declared.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::root;

/// The top-level modules in the order of the stages; a module may use only
/// those before it.
const STAGES: &[&str] = &[
    // The base: no stage of its own.
    "amount",
    "text",
    "source",
    "diag",
    "cancel",
    "par",
    "panics",
    "io",
    "catalogue",
    // Declarations.
    "layout",
    "change",
    "spec",
    "rule",
    // The data, read.
    "model",
    "read",
    // What is made of it.
    "validate",
    "narrate",
    "diff",
    "write",
    // Whole runs.
    "sample",
    "pipeline",
    "registry",
    "batch",
];

/// The source of a file without comments, string contents and test modules.
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or(text);
    let mut out = String::new();
    for line in text.lines() {
        let line = line.trim_start();
        if line.starts_with("//") {
            continue;
        }
        out.push_str(line.split(" //").next().unwrap_or(line));
        out.push('\n');
    }
    out
}

/// Every `.rs` file below `dir`.
fn rust_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out
}

/// Every `crate::X` a top-level module names (`use crate::X`, `crate::X::f`).
fn edges() -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let src = root().join("src");
    for p in rust_files(&src) {
        let rel = p.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        // The binary's command modules come after every stage.
        if matches!(top.as_str(), "main" | "lib" | "cmd") {
            continue;
        }
        let code = code_of(&std::fs::read_to_string(&p).unwrap());
        let mut rest = code.as_str();
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + 7..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && name != top {
                out.entry(top.clone()).or_default().insert(name);
            }
        }
    }
    out
}

#[test]
fn every_module_uses_only_earlier_stages() {
    let edges = edges();
    let place = |m: &str| {
        STAGES
            .iter()
            .position(|s| *s == m)
            .unwrap_or_else(|| panic!("module `{m}` has no place in STAGES"))
    };
    let mut backwards = Vec::new();
    for (from, tos) in &edges {
        for to in tos {
            if place(to) >= place(from) {
                backwards.push(format!("{from} → {to}"));
            }
        }
    }
    assert!(
        backwards.is_empty(),
        "uses of a later stage (or of a module beside it): {backwards:?}\nall edges: {edges:#?}"
    );
    // The edges that were knots, named.
    for (from, to) in [
        ("validate", "narrate"),
        ("diff", "narrate"),
        ("narrate", "diff"),
        ("layout", "model"),
        ("layout", "spec"),
        ("read", "write"),
        ("read", "validate"),
    ] {
        assert!(
            !edges.get(from).is_some_and(|t| t.contains(to)),
            "{from} uses {to}"
        );
    }
}

#[test]
fn the_module_graph_has_no_cycle() {
    let edges = edges();
    // Depth-first search for a back edge.
    fn visit<'a>(
        n: &'a str,
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<&'a str, u8>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        match state.get(n) {
            Some(1) => {
                let at = path.iter().position(|p| *p == n).unwrap_or(0);
                let mut cycle: Vec<String> = path[at..].iter().map(ToString::to_string).collect();
                cycle.push(n.to_string());
                return Some(cycle);
            }
            Some(2) => return None,
            _ => {}
        }
        state.insert(n, 1);
        path.push(n);
        for t in edges.get(n).into_iter().flatten() {
            if let Some(c) = visit(t, edges, state, path) {
                return Some(c);
            }
        }
        path.pop();
        state.insert(n, 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in edges.keys() {
        if let Some(c) = visit(n, &edges, &mut state, &mut Vec::new()) {
            panic!("a cycle of modules: {}", c.join(" → "));
        }
    }
}

/// The rule-id literals (`"S-HEADER"`, `"T{n}-HIER-01"`) of a source text.
fn rule_ids(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in code.split('"').skip(1).step_by(2) {
        let bytes = part.as_bytes();
        let first = bytes.first().copied().unwrap_or(0);
        let shaped = matches!(first, b'S' | b'C' | b'X' | b'N' | b'T')
            && part.len() >= 4
            && part.contains('-')
            && part
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || "-{}n".contains(c));
        if shaped
            && part
                .chars()
                .nth(1)
                .is_some_and(|c| c == '-' || c == '{' || c.is_ascii_digit())
        {
            out.push(part.to_string());
        }
    }
    out
}

#[test]
fn every_rule_id_is_written_once_where_the_rule_is_declared() {
    let src = root().join("src");
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in rust_files(&src) {
        let code = code_of(&std::fs::read_to_string(&p).unwrap());
        for id in rule_ids(&code) {
            seen.entry(id)
                .or_default()
                .push(p.strip_prefix(root()).unwrap().display().to_string());
        }
    }
    let twice: Vec<_> = seen.iter().filter(|(_, w)| w.len() > 1).collect();
    assert!(
        twice.is_empty(),
        "rule ids written more than once: {twice:?}"
    );
    let outside: Vec<_> = seen
        .iter()
        .filter(|(_, w)| !w[0].ends_with("rules.rs"))
        .collect();
    assert!(
        outside.is_empty(),
        "rule ids written outside a rules.rs: {outside:?}"
    );
    // Each is in the catalogue of some layout.
    let layouts = budget_tables::spec::SpecSet::builtin_all().unwrap();
    let listed: BTreeSet<String> = layouts
        .iter()
        .flat_map(|l| {
            budget_tables::registry::catalogue(l)
                .into_iter()
                .map(|r| r.id)
        })
        .collect();
    for id in seen.keys() {
        let found = if id.contains("{n}") {
            let (head, tail) = id.split_once("{n}").unwrap();
            listed.iter().any(|l| {
                l.starts_with(head) && l.ends_with(tail) && l.len() > head.len() + tail.len()
            })
        } else {
            listed.contains(id)
        };
        assert!(found, "{id} is declared but in no layout's catalogue");
    }
    assert!(seen.len() > 60, "{}", seen.len());
}
