//! A row one table lacks while the others list it. The finding goes to the
//! table that lacks it — the odd one out among all the tables the layout ties
//! by code — at the place the row belongs, instead of asking a table that has
//! the row to add it, or a correct cell to be zero.

use std::collections::{HashMap, HashSet};

use super::{condition_holds, RowAt};
use crate::diag::{Diagnostic, Severity};
use crate::layout::{CrossRule, MatchBy};
use crate::model::Table;
use crate::source::{self, Loc, LABEL};
use crate::spec::TableSpec;
use crate::text::norm;
use crate::validate::Checker;

/// The tables that print each code, among the tables the layout's running
/// rules tie by code, and the missing rows already reported.
pub(super) struct Carriers<'a> {
    by_code: HashMap<&'a str, Vec<&'a TableSpec>>,
    reported: HashSet<(&'a str, &'a str)>,
}

impl<'a> Carriers<'a> {
    pub(super) fn new(v: &Checker<'a>) -> Carriers<'a> {
        let mut by_code: HashMap<&'a str, Vec<&'a TableSpec>> = HashMap::new();
        let mut tables: Vec<&'a str> = Vec::new();
        let rows = v.specs.layout.rules.iter().filter_map(|r| match r {
            CrossRule::Rows(r) => Some(r),
            _ => None,
        });
        for rule in rows.filter(|r| {
            r.match_by == MatchBy::Code && r.when.as_deref().is_none_or(|w| condition_holds(v, w))
        }) {
            for set in std::iter::once(&rule.left).chain(&rule.right) {
                if !tables.contains(&set.table.as_str()) {
                    tables.push(&set.table);
                }
            }
        }
        let mut add = |code: &'a str, spec: &'a TableSpec| {
            let e = by_code.entry(code).or_default();
            if !e.iter().any(|s| s.id == spec.id) {
                e.push(spec);
            }
        };
        for id in tables {
            let (Some(spec), Some(table)) = (v.specs.get(id), v.budget.tables.get(id)) else {
                continue;
            };
            // A pre-printed row without money carries nothing.
            match table {
                Table::Grid(g) => {
                    for r in g.blocks.iter().flat_map(|b| &b.rows) {
                        if let (Some(code), true) = (r.code.as_deref(), money(&r.amounts)) {
                            add(code, spec);
                        }
                    }
                }
                Table::TwoSided(t) => {
                    for e in &t.expenditure {
                        if let (Some(code), true) = (e.code.as_deref(), money(&e.amounts)) {
                            add(code, spec);
                        }
                    }
                }
                Table::Form(_) => {}
            }
        }
        for tables in by_code.values_mut() {
            tables.sort_by_key(|s| s.number);
        }
        Carriers {
            by_code,
            reported: HashSet::new(),
        }
    }

    /// The tables other than `besides` that list `code`.
    fn others(&self, code: &str, besides: &[&str]) -> Vec<&'a TableSpec> {
        self.by_code.get(code).map_or(Vec::new(), |t| {
            t.iter()
                .filter(|s| !besides.contains(&s.id.as_str()))
                .copied()
                .collect()
        })
    }

    /// When `row` is missing from `lacking` while another table besides
    /// `row`'s own lists it too (and `row` has money in `col`), reports `lacking` as the table to fix and
    /// returns true; false when the tables are one against one (the rule's
    /// own wording then applies).
    pub(super) fn blame(
        &mut self,
        v: &mut Checker<'a>,
        id: &str,
        lacking: &[&'a TableSpec],
        row: &RowAt<'a>,
        col: &str,
    ) -> bool {
        let (Some(code), Some(first)) = (row.code, lacking.first().copied()) else {
            return false;
        };
        // Only a figure the rule compares is missing: a pre-printed row
        // without money in that column is not.
        if row
            .amounts
            .amount(col)
            .is_none_or(crate::amount::Amount::is_zero)
        {
            return false;
        }
        let mut besides: Vec<&str> = lacking.iter().map(|s| s.id.as_str()).collect();
        besides.push(&row.spec.id);
        let witnesses = self.others(code, &besides);
        if witnesses.is_empty() {
            return false;
        }
        if !self.reported.insert((first.id.as_str(), code)) {
            return true;
        }
        let mut listing: Vec<&TableSpec> = witnesses;
        listing.push(row.spec);
        listing.sort_by_key(|s| s.number);
        listing.dedup_by_key(|s| s.number);
        let names = listing
            .iter()
            .map(|s| format!("表{}", s.number))
            .collect::<Vec<_>>()
            .join("、");
        let spot = place_in(v, first, &row.unit, code);
        let mut message = format!(
            "表{} 缺少科目 {code} {}：{names} 都列有该科目",
            first.number, row.name
        );
        if let Some(s) = &spot {
            message.push_str(&s.wording);
        }
        let mut d = Diagnostic::new(Severity::Error, id, message)
            .table(first.sheet_name())
            .labels(format!("{code} {}", row.name), "")
            .expected(format!("表{} 列有科目 {code} {}", first.number, row.name))
            .actual("没有")
            .hint(format!(
                "请在 表{} 补列该科目及其金额；{names} 的该科目不用改",
                first.number
            ));
        if let Some(s) = spot {
            d = d.at(&s.at.sheet, s.at.row, s.at.col);
            d.suspect = Some(s.at.to_string());
        }
        d.cells = v.cell(&row.key(LABEL)).into_iter().collect();
        let lead = d.suspect.clone();
        v.push(d);
        lead_sums_of_parent(v, first, code, row.name, lead.as_deref());
        true
    }
}

/// The missing row is why its parent's 类 = Σ 款 = Σ 项 sums break: those
/// findings lead with it (their suspect, their fix) instead of shading the
/// parent's right totals.
fn lead_sums_of_parent(
    v: &mut Checker,
    spec: &TableSpec,
    code: &str,
    name: &str,
    at: Option<&str>,
) {
    let Some(parent) = code
        .get(..code.len().saturating_sub(2))
        .filter(|p| p.len() >= 3)
    else {
        return;
    };
    let table = spec.sheet_name();
    let of_parent = |label: &str| {
        label.starts_with(&format!("{parent} ")) || label.contains(&format!(" {parent} "))
    };
    let missing = format!("缺少 {code} {name} 一行");
    for d in v.out.iter_mut().filter(|d| {
        d.rule.contains("-HIER-")
            && d.severity == Severity::Error
            && d.table.as_deref() == Some(table.as_str())
            && d.row_label.as_deref().is_some_and(of_parent)
    }) {
        d.message = format!("最可能的原因是{missing}，不是本格：{}", d.message);
        d.hint = Some(format!(
            "请补列 {code} {name} 及其金额；补上后本行相符，不要改本格"
        ));
        if let Some(at) = at {
            d.suspect = Some(at.to_string());
        }
    }
}

fn money(a: &crate::model::Amounts) -> bool {
    a.values().any(|a| a.is_some_and(|a| !a.is_zero()))
}

/// Where a missing row goes: the row after the last one whose code sorts
/// before it (codes in a table run in hierarchical order).
struct Spot {
    at: Loc,
    wording: String,
}

fn place_in(v: &Checker, spec: &TableSpec, unit: &str, code: &str) -> Option<Spot> {
    let rows: Vec<(String, String, Loc)> = match v.budget.tables.get(&spec.id)? {
        Table::Grid(g) => {
            let (bi, b) = g
                .blocks
                .iter()
                .enumerate()
                .find(|(_, b)| norm(&b.unit) == unit)
                .or_else(|| g.blocks.iter().enumerate().next())?;
            b.rows
                .iter()
                .filter_map(|r| {
                    let c = r.code.clone()?;
                    let at = v.cell(&source::grid(&spec.id, bi, &r.key, LABEL))?;
                    Some((c, r.name.clone(), at))
                })
                .collect()
        }
        Table::TwoSided(t) => t
            .expenditure
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                let c = e.code.clone()?;
                let at = v.cell(&source::expenditure(&spec.id, i, LABEL))?;
                Some((c, e.name.clone(), at))
            })
            .collect(),
        Table::Form(_) => return None,
    };
    let before = rows.iter().rev().find(|(c, _, _)| c.as_str() < code);
    match before {
        Some((c, name, at)) => Some(Spot {
            at: Loc {
                sheet: at.sheet.clone(),
                row: at.row + 1,
                col: at.col,
            },
            wording: format!("，应列在“{c} {name}”（{at}）之后"),
        }),
        None => rows.first().map(|(c, name, at)| Spot {
            at: at.clone(),
            wording: format!("，应列在“{c} {name}”（{at}）之前"),
        }),
    }
}
