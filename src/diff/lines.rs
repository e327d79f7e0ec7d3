//! Every table flattened to keyed lines of amounts, for matching across years.

use crate::model::{Amounts, Level, Table};
use crate::spec::{RowKey, TableSpec};
use crate::text::{fill, norm};

/// One comparable line of a table.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    /// Stable across years: the unit (the department's block as `@部门`) and the row key.
    pub id: String,
    pub unit: String,
    pub key: String,
    pub code: Option<String>,
    pub name: String,
    pub level: u8,
    pub amounts: Amounts,
    /// A row of a fixed role (表9's 上年 / 本年 / 增减变化, a fixed line):
    /// matched by its role, its printed name (with its year) never a rename.
    pub fixed: bool,
}

pub(crate) fn line_id(unit: &str, key: &str) -> String {
    format!("{}\u{1}{key}", norm(unit))
}

fn level_of(code: Option<&str>) -> u8 {
    match code.map(str::len) {
        Some(3) => 1,
        Some(5) => 2,
        Some(7) => 3,
        _ => 1,
    }
}

/// The lines of a table and its amount columns (id, header path).
pub(crate) fn table_lines(
    spec: &TableSpec,
    t: &Table,
    year: i32,
) -> (Vec<(String, String)>, Vec<Line>) {
    let label = |path: &[String]| {
        path.iter()
            .map(|l| fill(l, year, ""))
            .collect::<Vec<_>>()
            .join("/")
            .replace(&year.to_string(), "")
    };
    let mut out = Vec::new();
    let one = |a: Option<crate::amount::Amount>| -> Amounts {
        [("amount".to_string(), a)].into_iter().collect()
    };
    match t {
        Table::Grid(g) => {
            let cols: Vec<(String, String)> = spec
                .amount_columns()
                .map(|c| (c.id.clone(), label(&c.path)))
                .collect();
            for (bi, b) in g.blocks.iter().enumerate() {
                // The department's own block matches across years even if it is renamed.
                let unit_id = if bi == 0 {
                    "@部门".to_string()
                } else {
                    b.unit.clone()
                };
                if let Some(total) = &b.total {
                    out.push(Line {
                        id: line_id(&unit_id, ""),
                        unit: b.unit.clone(),
                        key: String::new(),
                        code: None,
                        name: format!("{}合计", b.unit),
                        level: 0,
                        amounts: total.clone(),
                        fixed: false,
                    });
                }
                for r in &b.rows {
                    let level = if spec.row_key == RowKey::Code {
                        level_of(r.code.as_deref())
                    } else {
                        1
                    };
                    out.push(Line {
                        id: line_id(&unit_id, &r.key),
                        unit: b.unit.clone(),
                        key: r.key.clone(),
                        code: r.code.clone(),
                        name: r.name.clone(),
                        level,
                        amounts: r.amounts.clone(),
                        fixed: spec.row_key == RowKey::Fixed
                            || spec.fixed_rows().iter().any(|l| l.id == r.key),
                    });
                }
            }
            (cols, out)
        }
        Table::TwoSided(t) => {
            // One column per side: both sides share one "预算数" column, as printed.
            let [left, right] = spec.sides();
            let single = left.1.len() == 1 && right.1.len() == 1;
            let cols: Vec<(String, String)> = if single {
                let leaf = left.1[0].path.last().map_or(String::new(), |l| {
                    fill(l, year, "").replace(&format!("{year}年"), "")
                });
                vec![("amount".into(), leaf)]
            } else {
                spec.amount_columns()
                    .map(|c| (c.id.clone(), label(&c.path)))
                    .collect()
            };
            let shown = |a: &Amounts| -> Amounts {
                if single {
                    one(a.values().next().copied().flatten())
                } else {
                    a.clone()
                }
            };
            let fixed = |l: &crate::spec::Line| Line {
                id: line_id("", &l.id),
                unit: String::new(),
                key: l.id.clone(),
                code: None,
                name: l.label.clone(),
                level: 0,
                amounts: t.lines.get(&l.id).map(&shown).unwrap_or_default(),
                fixed: true,
            };
            let sides = spec.two_sided();
            out.extend(sides.iter().flat_map(|s| &s.income_lines).map(fixed));
            for e in &t.expenditure {
                let level = match e.level {
                    Some(Level::Lei) | None => 1,
                    Some(Level::Kuan) => 2,
                    Some(Level::Xiang) => 3,
                };
                out.push(Line {
                    id: line_id("", &e.key()),
                    unit: String::new(),
                    key: e.key(),
                    code: e.code.clone(),
                    name: e.name.clone(),
                    level,
                    amounts: shown(&e.amounts),
                    fixed: false,
                });
            }
            out.extend(
                sides
                    .iter()
                    .flat_map(|s| &s.footer_rows)
                    .flat_map(|f| f.left.iter().chain(f.right.iter()))
                    .map(fixed),
            );
            (cols, out)
        }
        Table::Form(f) => {
            let cols: Vec<(String, String)> = spec
                .form()
                .iter()
                .flat_map(|fs| fs.amounts.iter().map(|a| (a.id.clone(), a.label.clone())))
                .collect();
            for task in &f.tasks {
                out.push(Line {
                    id: line_id("", &norm(&task.name)),
                    unit: String::new(),
                    key: norm(&task.name),
                    code: None,
                    name: task.name.clone(),
                    level: 1,
                    amounts: task.amounts.clone(),
                    fixed: false,
                });
            }
            let sum_label = spec
                .form()
                .map_or("金额合计".to_string(), |fs| fs.sum_label.clone());
            out.push(Line {
                id: line_id("", "@sum"),
                unit: String::new(),
                key: "@sum".into(),
                code: None,
                name: sum_label,
                level: 0,
                amounts: f.sum.clone(),
                fixed: true,
            });
            (cols, out)
        }
    }
}
