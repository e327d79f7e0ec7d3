//! Two-sided tables print their expenditure lines by name only; their 科目编码
//! and levels come from the coded tables their spec names (`link_codes_from`).

use std::collections::HashMap;

use crate::catalogue::Catalogue;
use crate::diag::Diagnostic;
use crate::model::{Budget, Level, Table};
use crate::source::{self, SourceMap, LABEL};
use crate::spec::SpecSet;
use crate::text::norm;

pub(crate) fn link_two_sided(
    budget: &mut Budget,
    specs: &SpecSet,
    sources: &SourceMap,
    catalogue: &Catalogue,
    diags: &mut Vec<Diagnostic>,
) {
    for (spec, sides) in specs
        .tables
        .iter()
        .filter_map(|s| Some((s, s.two_sided()?)))
    {
        // (code, name, how many tables print them together), and where each
        // (code, name) and each name is in it.
        let mut codes: Vec<(String, String, usize)> = Vec::new();
        let mut at: HashMap<(String, String), usize> = HashMap::new();
        let mut named: HashMap<String, Vec<usize>> = HashMap::new();
        let mut count = |code: &str, name: String| {
            let key = (code.to_string(), name);
            match at.get(&key) {
                Some(&i) => codes[i].2 += 1,
                None => {
                    named.entry(key.1.clone()).or_default().push(codes.len());
                    at.insert(key.clone(), codes.len());
                    codes.push((key.0, key.1, 1));
                }
            }
        };
        for c in &sides.link_codes {
            count(&c.code, norm(&c.name));
        }
        for id in &sides.link_codes_from {
            if let Some(Table::Grid(g)) = budget.tables.get(id) {
                for r in g.blocks.first().into_iter().flat_map(|b| &b.rows) {
                    if let Some(c) = &r.code {
                        count(c, norm(&r.name));
                    }
                }
            }
        }
        let Some(Table::TwoSided(t)) = budget.tables.get_mut(&spec.id) else {
            continue;
        };
        let (mut lei, mut kuan) = (String::new(), String::new());
        for (i, line) in t.expenditure.iter_mut().enumerate() {
            let n = norm(&line.name);
            // Where the tables give one name two codes (a typo in one of
            // them), the code more tables print wins, then the catalogue's.
            let find = |len: usize, prefix: &str| {
                named
                    .get(&n)
                    .into_iter()
                    .flatten()
                    .map(|&i| (i, &codes[i]))
                    .filter(|(_, (c, _, _))| c.len() == len && c.starts_with(prefix))
                    .max_by_key(|(i, (c, _, count))| {
                        (
                            *count,
                            in_catalogue(catalogue, c, &n),
                            std::cmp::Reverse(*i),
                        )
                    })
                    .map(|(_, (c, _, _))| c.clone())
            };
            let code = if line.level == Some(Level::Lei) {
                // A 类 every table leaves out (nothing spent on it) is still
                // listed by name: the catalogue knows its code.
                find(3, "").or_else(|| catalogue.class_code_of(&line.name).map(str::to_string))
            } else {
                find(7, if kuan.is_empty() { "-" } else { &kuan })
                    .or_else(|| find(5, if lei.is_empty() { "-" } else { &lei }))
                    .or_else(|| find(3, ""))
            };
            if let Some(c) = &code {
                line.level = Level::of_code(c);
                match c.len() {
                    3 => {
                        lei = c.clone();
                        kuan.clear();
                    }
                    5 => kuan = c.clone(),
                    _ => {}
                }
            } else {
                if line.level == Some(Level::Lei) {
                    lei.clear();
                    kuan.clear();
                }
                let mut d = crate::read::rules::LINK
                    .finding(format!(
                        "支出项目“{}”在{}中找不到对应的科目编码",
                        line.name,
                        linked_names(specs, &sides.link_codes_from)
                    ))
                    .table(spec.sheet_name())
                    .hint(format!(
                        "请核对支出项目名称与{}的科目名称是否一致；类级项目前应加“一、二、……”序号",
                        linked_names(specs, &sides.link_codes_from)
                    ));
                if let Some(at) = sources.get(&source::expenditure(&spec.id, i, LABEL)) {
                    d = d.at(&at.sheet, at.row, at.col);
                }
                diags.push(d);
            }
            line.code = code;
        }
    }
}

fn linked_names(specs: &SpecSet, ids: &[String]) -> String {
    ids.iter()
        .filter_map(|id| specs.get(id))
        .map(|s| format!("表{}", s.number))
        .collect::<Vec<_>>()
        .join("、")
}

/// Whether the catalogue names `code` `name` (normalized).
fn in_catalogue(catalogue: &Catalogue, code: &str, name: &str) -> bool {
    catalogue.get(code).is_some_and(|e| norm(&e.name) == name)
}
