//! The published tables must agree: one 科目编码 carries one 科目名称 in every
//! table of a workbook. Where they differ, the odd one out is the name fewer
//! tables print (ties go to the catalogue's name).

use std::collections::BTreeMap;

use super::tables::row_label;
use super::{Checker, Place};
use crate::diag::Severity;
use crate::model::Table;
use crate::source::{self, CellKey, LABEL};
use crate::spec::TableSpec;
use crate::text::norm;

/// One row printing a code.
struct Printed<'a> {
    spec: &'a TableSpec,
    key: CellKey<'a>,
    /// Its 预算单位 (a grid's block), for how the row is printed.
    unit: Option<&'a str>,
    row: Option<&'a crate::model::Row>,
    name: &'a str,
}

impl Printed<'_> {
    fn label(&self) -> String {
        match (self.unit, self.row) {
            (Some(u), r) => row_label(u, r),
            _ => self.name.to_string(),
        }
    }
}

pub(crate) fn check(v: &mut Checker) {
    let mut by_code: BTreeMap<&str, Vec<Printed>> = BTreeMap::new();
    for spec in &v.specs.tables {
        match v.budget.tables.get(&spec.id) {
            Some(Table::Grid(g)) if spec.classification().is_some() => {
                for (bi, b) in g.blocks.iter().enumerate() {
                    for r in &b.rows {
                        if let Some(code) = &r.code {
                            by_code.entry(code).or_default().push(Printed {
                                spec,
                                key: source::grid(&spec.id, bi, &r.key, LABEL),
                                unit: Some(&b.unit),
                                row: Some(r),
                                name: &r.name,
                            });
                        }
                    }
                }
            }
            Some(Table::TwoSided(t)) => {
                for (i, e) in t.expenditure.iter().enumerate() {
                    if let Some(code) = &e.code {
                        by_code.entry(code).or_default().push(Printed {
                            spec,
                            key: source::expenditure(&spec.id, i, LABEL),
                            unit: None,
                            row: None,
                            name: &e.name,
                        });
                    }
                }
            }
            _ => {}
        }
    }
    for (code, rows) in by_code {
        odd_names(v, code, &rows);
    }
}

/// Reports each row whose name is not the one most tables print.
fn odd_names(v: &mut Checker, code: &str, rows: &[Printed]) {
    // Nearly always every table prints the same text: nothing to normalise.
    if rows.windows(2).all(|w| w[0].name == w[1].name) {
        return;
    }
    // Normalized name → the tables printing it, in table order.
    let mut names: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for r in rows {
        let tables = names.entry(norm(r.name)).or_default();
        if !tables.contains(&r.spec.number) {
            tables.push(r.spec.number);
        }
    }
    if names.len() < 2 {
        return;
    }
    let catalogue = v.opts.catalogue.get(code).map(|e| norm(&e.name));
    let first_table = |n: &String| names[n].iter().min().copied().unwrap_or(u32::MAX);
    let Some(majority) = names
        .keys()
        .max_by_key(|n| {
            (
                names[*n].len(),
                catalogue.as_ref() == Some(*n),
                std::cmp::Reverse(first_table(n)),
            )
        })
        .cloned()
    else {
        return;
    };
    let shown = rows
        .iter()
        .find(|r| norm(r.name) == majority)
        .map_or(majority.clone(), |r| r.name.to_string());
    let witnesses = names[&majority]
        .iter()
        .map(|n| format!("表{n}"))
        .collect::<Vec<_>>()
        .join("、");
    for r in rows.iter().filter(|r| norm(r.name) != majority) {
        let place = Place {
            spec: r.spec,
            key: r.key,
            row: r.label(),
            column: String::new(),
        };
        let d = v
            .finding(
                Severity::Error,
                super::rules::NAME_ACROSS_TABLES.id,
                &place,
                format!(
                    "科目 {code} 的名称“{}”与 {witnesses} 的“{shown}”不一致",
                    r.name
                ),
            )
            .expected(shown.clone())
            .actual(r.name.to_string())
            .hint("同一科目在各表的名称应相同；请改为其他表所用的名称（以科目目录为准）");
        v.push(d);
    }
}
