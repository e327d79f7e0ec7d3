//! Every field the layout parser accepts is documented in docs/layouts.md
//! (#30 item 4): the fields are taken from the `Deserialize` structs of
//! `src/spec/` and `src/layout/` as written (with their serde renames), and
//! each must have a row `| \`field\` | meaning | default | example |` in
//! the section of its struct; a documented field the parser does not accept
//! fails too. The values of the layout's enums must each be named.

mod common;

use std::collections::BTreeMap;

use common::root;

/// A `Deserialize` type of the layout format: its fields (struct) or the
/// values it is written as (enum with unit variants).
#[derive(Debug)]
struct Type {
    name: String,
    is_enum: bool,
    names: Vec<String>,
}

fn sources() -> Vec<String> {
    let mut out = Vec::new();
    for dir in ["src/spec", "src/layout"] {
        let mut files: Vec<_> = std::fs::read_dir(root().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .collect();
        files.sort();
        out.extend(files.iter().map(|p| std::fs::read_to_string(p).unwrap()));
    }
    out
}

/// The body between the brace after `from` and its matching brace.
fn body(src: &str, from: usize) -> &str {
    let open = from + src[from..].find('{').unwrap();
    let mut depth = 0;
    for (i, c) in src[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &src[open + 1..open + i];
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced braces")
}

fn snake(name: &str) -> String {
    let mut s = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                s.push('_');
            }
            s.push(c.to_ascii_lowercase());
        } else {
            s.push(c);
        }
    }
    s
}

fn quoted_after<'a>(attr: &'a str, key: &str) -> Option<&'a str> {
    let at = attr.find(key)? + key.len();
    let rest = attr[at..].trim_start().strip_prefix('=')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    Some(&rest[..rest.find('"')?])
}

/// The declarations of one source file: each `Deserialize` struct or enum.
fn types_in(src: &str) -> Vec<Type> {
    let lines: Vec<&str> = src.lines().collect();
    let mut out = Vec::new();
    let mut offset = 0;
    let mut attrs: Vec<&str> = Vec::new();
    for line in &lines {
        let t = line.trim();
        let here = offset;
        offset += line.len() + 1;
        if t.starts_with("#[") {
            attrs.push(t);
            continue;
        }
        if t.starts_with("///") {
            continue;
        }
        let decl = t
            .strip_prefix("pub struct ")
            .map(|r| (false, r))
            .or_else(|| t.strip_prefix("pub enum ").map(|r| (true, r)));
        let derives = attrs
            .iter()
            .any(|a| a.starts_with("#[derive(") && a.contains("Deserialize"));
        let container = attrs.join(" ");
        attrs.clear();
        let Some((is_enum, rest)) = decl.filter(|_| derives) else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        // TableSpec is read through RawTableSpec; an untagged enum has no
        // value of its own.
        if name == "TableSpec" || container.contains("untagged") {
            continue;
        }
        let snake_values = container.contains("rename_all = \"snake_case\"");
        let mut names = Vec::new();
        let mut pending: Vec<&str> = Vec::new();
        for l in body(src, here).lines() {
            let l = l.trim();
            if l.starts_with("#[") {
                pending.push(l);
                continue;
            }
            if l.starts_with("///") || l.is_empty() {
                continue;
            }
            let attr = pending.join(" ");
            pending.clear();
            let renamed = quoted_after(&attr, "rename").map(str::to_string);
            if attr.contains("serde(skip") {
                continue;
            }
            if is_enum {
                let v: String = l.chars().take_while(|c| c.is_alphanumeric()).collect();
                if v.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
                    let tagged = container.contains("tag = ");
                    let value =
                        renamed
                            .unwrap_or_else(|| if snake_values || tagged { snake(&v) } else { v });
                    names.push(value);
                }
            } else if let Some((field, _)) = l.strip_prefix("pub ").unwrap_or(l).split_once(':') {
                if field.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    names.push(renamed.unwrap_or_else(|| field.to_string()));
                }
            }
        }
        out.push(Type {
            name,
            is_enum,
            names,
        });
    }
    out
}

/// The rows of each `### …（`Type`）` section of the docs: field → cells.
fn documented(doc: &str) -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
    let mut out: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        if line.starts_with('#') {
            current = line
                .rsplit_once("（`")
                .and_then(|(_, r)| r.split_once("`）"))
                .map(|(name, _)| name.to_string());
            if let Some(c) = &current {
                out.entry(c.clone()).or_default();
            }
            continue;
        }
        let (Some(section), Some(row)) = (&current, line.strip_prefix("| `")) else {
            continue;
        };
        let Some((field, rest)) = row.split_once("` |") else {
            continue;
        };
        let cells: Vec<String> = rest
            .replace("\\|", "¦")
            .split(" | ")
            .map(|c| c.trim().trim_end_matches('|').trim().to_string())
            .collect();
        out.get_mut(section)
            .unwrap()
            .insert(field.to_string(), cells);
    }
    out
}

#[test]
fn every_field_the_parser_accepts_is_documented_with_default_and_example() {
    let types: Vec<Type> = sources().iter().flat_map(|s| types_in(s)).collect();
    let structs: Vec<&Type> = types.iter().filter(|t| !t.is_enum).collect();
    // The scan itself is checked: it finds the structs and fields it must.
    assert!(structs.len() >= 36, "{structs:#?}");
    let raw = structs.iter().find(|t| t.name == "RawTableSpec").unwrap();
    assert!(raw.names.contains(&"total_first".to_string()), "{raw:?}");
    let rows = structs.iter().find(|t| t.name == "RowsRule").unwrap();
    assert!(
        rows.names.contains(&"match".to_string()),
        "serde rename: {rows:?}"
    );

    let doc = std::fs::read_to_string(root().join("docs/layouts.md")).unwrap();
    let sections = documented(&doc);
    let mut missing = Vec::new();
    for t in &structs {
        let Some(section) = sections.get(&t.name) else {
            missing.push(format!("no section “（`{}`）”", t.name));
            continue;
        };
        for f in &t.names {
            match section.get(f) {
                None => missing.push(format!("{}.{f}: no row", t.name)),
                Some(cells) if cells.len() != 3 || cells.iter().any(String::is_empty) => missing
                    .push(format!(
                        "{}.{f}: meaning, default and example wanted: {cells:?}",
                        t.name
                    )),
                Some(_) => {}
            }
        }
        for f in section.keys() {
            if !t.names.contains(f) {
                missing.push(format!("{}.{f}: documented but not accepted", t.name));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn every_value_of_the_layouts_enums_is_named_in_the_docs() {
    let types: Vec<Type> = sources().iter().flat_map(|s| types_in(s)).collect();
    let enums: Vec<&Type> = types.iter().filter(|t| t.is_enum).collect();
    assert!(enums
        .iter()
        .any(|t| t.name == "ColumnKind" && t.names.contains(&"code_part".to_string())));
    assert!(enums
        .iter()
        .any(|t| t.name == "Unit" && t.names.contains(&"万元".to_string())));
    assert!(enums
        .iter()
        .any(|t| t.name == "CrossRule" && t.names.contains(&"empty_iff_zero".to_string())));
    let doc = std::fs::read_to_string(root().join("docs/layouts.md")).unwrap();
    let reference = &doc[doc.find("## 字段参考").expect("a field reference")..];
    let missing: Vec<String> = enums
        .iter()
        .flat_map(|t| t.names.iter().map(move |v| (t, v)))
        .filter(|(_, v)| !reference.contains(&format!("`{v}`")))
        .map(|(t, v)| format!("{}::{v}", t.name))
        .collect();
    assert!(missing.is_empty(), "values not named: {missing:?}");
}
