//! The one place that resolves what a layout declares (a [`CellRef`], a
//! [`RowSet`]) against a model: every stage that reads a declared cell or set
//! of rows (the cross-table rules, the 说明, the diff's headlines, the batch
//! roll-up) asks here and gets the value with its typed place ([`CellKey`]),
//! so a row named by its printed name (`row_name`) is found wherever it is used.
//!
//! # Examples
//! ```
//! use budget_tables::layout::CellRef;
//! use budget_tables::model::{json, query};
//! let specs = budget_tables::spec::SpecSet::builtin()?;
//! let b = json::from_str(&std::fs::read_to_string("samples/shenzhen-zwfw-2024.json")?)?;
//! let total = CellRef::at("t01", Some("income_total"), None, None);
//! assert_eq!(query::value(&total, &b, &specs).unwrap().to_string(), "44972.11");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::amount::Amount;
use crate::layout::{Blocks, CellRef, RowKind, RowSet};
use crate::model::{Amounts, Budget, Level, Table};
use crate::source::{self, CellKey, SourceMap};
use crate::spec::{SpecSet, TableSpec, Unit};
use crate::text::norm;

/// A declared cell found in a model.
#[derive(Debug, Clone)]
pub struct Found<'a> {
    /// The table's spec.
    pub spec: &'a TableSpec,
    /// Where it is: the key of its source cell.
    pub key: CellKey<'a>,
    /// Its figure; `None` when blank.
    pub value: Option<Amount>,
    /// The row it is on.
    pub row: FoundRow<'a>,
    /// Its column id.
    pub col: &'a str,
}

/// The row a declared cell is on.
#[derive(Debug, Clone, Copy)]
pub enum FoundRow<'a> {
    /// A fixed line of a two-sided table, by id.
    Line(&'a str),
    /// A row of the department's block of a grid table.
    Grid(&'a crate::model::Row),
    /// The department's block total, with the block's unit name.
    Total(&'a str),
    /// A task of a form.
    Task(usize, &'a crate::model::Task),
    /// The form's 金额合计 row.
    Sum,
}

/// Finds the cell `r` names in `b` (the department's own block of a grid
/// table); `None` when its table, line, row or task is absent.
pub fn cell<'a>(r: &'a CellRef, b: &'a Budget, specs: &'a SpecSet) -> Option<Found<'a>> {
    let spec = specs.get(&r.table)?;
    let id = spec.id.as_str();
    match (b.tables.get(&r.table)?, &r.line, grid_row(r), &r.task) {
        (Table::TwoSided(t), Some(line), None, None) => {
            let col = match &r.col {
                Some(c) => c.as_str(),
                None => spec.line_columns(line).first()?.id.as_str(),
            };
            Some(Found {
                spec,
                key: source::line(id, line, col),
                value: t.amount(line, col),
                row: FoundRow::Line(line),
                col,
            })
        }
        (Table::Grid(g), None, Some(row), None) => {
            let col = r.col.as_deref()?;
            let block = g.blocks.first()?;
            let (key, amounts, found) = match row {
                // A table with no figure at all has a total of blanks: it is
                // compared as a two-sided table's blank lines are (as zero
                // where the layout prints zero as blank), never skipped.
                GridRow::Total if block.total.is_none() => {
                    return Some(Found {
                        spec,
                        key: source::grid(id, 0, "", col),
                        value: None,
                        row: FoundRow::Total(&block.unit),
                        col,
                    });
                }
                GridRow::Total => ("", block.total.as_ref()?, FoundRow::Total(&block.unit)),
                GridRow::Key(k) => {
                    let n = norm(k);
                    let x = block.rows.iter().find(|x| x.key == *k || x.key == n)?;
                    (x.key.as_str(), &x.amounts, FoundRow::Grid(x))
                }
                GridRow::Name(name) => {
                    let n = norm(name);
                    let x = block.rows.iter().find(|x| norm(&x.name) == n)?;
                    (x.key.as_str(), &x.amounts, FoundRow::Grid(x))
                }
            };
            Some(Found {
                spec,
                key: source::grid(id, 0, key, col),
                value: amounts.amount(col),
                row: found,
                col,
            })
        }
        (Table::Form(f), None, None, Some(task)) => {
            let col = r.col.as_deref()?;
            let n = norm(task);
            let (i, t) = f
                .tasks
                .iter()
                .enumerate()
                .find(|(_, t)| norm(&t.name) == n)?;
            Some(Found {
                spec,
                key: source::task(id, i, col),
                value: t.amounts.amount(col),
                row: FoundRow::Task(i, t),
                col,
            })
        }
        (Table::Form(f), None, None, None) if r.sum => {
            let col = r.col.as_deref()?;
            Some(Found {
                spec,
                key: source::sum(id, col),
                value: f.sum.amount(col),
                row: FoundRow::Sum,
                col,
            })
        }
        _ => None,
    }
}

/// How a cell reference names its grid row.
enum GridRow<'a> {
    Total,
    Key(&'a str),
    Name(&'a str),
}

fn grid_row(r: &CellRef) -> Option<GridRow<'_>> {
    match (&r.row, &r.row_name) {
        (Some(row), _) if row == "@total" => Some(GridRow::Total),
        (Some(row), _) => Some(GridRow::Key(row)),
        (None, Some(name)) => Some(GridRow::Name(name)),
        (None, None) => None,
    }
}

/// The figure of the cell `r` names; `None` when blank or absent.
pub fn value(r: &CellRef, b: &Budget, specs: &SpecSet) -> Option<Amount> {
    cell(r, b, specs)?.value
}

/// The sum of the cells that are filled; `None` when none is, unless the
/// layout prints zero as a blank and the tables are there (then zero).
pub fn figure(cells: &[CellRef], b: &Budget, specs: &SpecSet) -> Option<Amount> {
    let values: Vec<Amount> = cells.iter().filter_map(|c| value(c, b, specs)).collect();
    let blank_zero = specs.layout.blank_is_zero
        && !cells.is_empty()
        && cells.iter().all(|c| b.tables.contains_key(&c.table));
    (!values.is_empty() || blank_zero).then(|| values.into_iter().fold(Amount::ZERO, |x, y| x + y))
}

/// A figure in the unit the texts speak in (万元 half up from 元 tables).
pub fn in_text_unit(a: Option<Amount>, table: &str, specs: &SpecSet) -> Option<Amount> {
    let yuan = specs.get(table).is_some_and(|t| t.unit == Unit::Yuan);
    let wan = specs.layout.text_unit == Unit::Wan.label();
    match (a, yuan && wan) {
        (Some(a), true) => Some(Amount::round(
            a.value() / rust_decimal::Decimal::from(10_000),
        )),
        _ => a,
    }
}

/// The sum of `cells` in `b`, in the text's unit.
pub fn sum_of(cells: &[CellRef], b: &Budget, specs: &SpecSet) -> Option<Amount> {
    let a = figure(cells, b, specs);
    in_text_unit(a, cells.first().map_or("", |c| c.table.as_str()), specs)
}

/// The workbook cell of a declared cell, where the model was read from one.
pub fn loc_of(
    c: &CellRef,
    b: &Budget,
    specs: &SpecSet,
    sources: &SourceMap,
) -> Option<source::Loc> {
    sources.get(&cell(c, b, specs)?.key)
}

/// How a cell is named for a reader: its workbook cell, or table and row.
pub fn describe(c: &CellRef, b: &Budget, specs: &SpecSet, sources: &SourceMap) -> String {
    if let Some(loc) = loc_of(c, b, specs, sources) {
        return loc.to_string();
    }
    let table = specs
        .get(&c.table)
        .map_or(c.table.clone(), TableSpec::sheet_name);
    let row = c
        .line
        .as_deref()
        .or(c.row.as_deref())
        .or(c.row_name.as_deref())
        .or(c.task.as_deref())
        .unwrap_or("");
    match &c.col {
        Some(col) => format!("{table} {row} {col}"),
        None => format!("{table} {row}"),
    }
}

/// One row of a declared set of rows, found in a model.
#[derive(Debug, Clone)]
pub struct SetRow<'a> {
    /// The table's spec.
    pub spec: &'a TableSpec,
    /// Its block (grid tables; 0 elsewhere) and the block's 预算单位.
    pub block: usize,
    /// The 预算单位 of the row's block.
    pub unit: &'a str,
    /// Its row key (empty for a block total), code and printed name.
    pub key: &'a str,
    /// The row's code, if coded.
    pub code: Option<&'a str>,
    /// The row's name.
    pub name: &'a str,
    /// A 类 line of a two-sided table.
    pub level: Option<Level>,
    /// The row's amounts.
    pub amounts: &'a Amounts,
    /// Where the row is in the model.
    pub at: At,
    /// The model's row, for a grid row (not a total).
    pub grid_row: Option<&'a crate::model::Row>,
}

/// Where a row of a set sits in its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// A grid row (or, with an empty key, a block's total row).
    Grid,
    /// An expenditure line of a two-sided table, by index.
    Expenditure(usize),
    /// A task of a form, by index.
    Task(usize),
}

impl<'a> SetRow<'a> {
    /// The key of its cell in column `col` (or [`source::LABEL`]).
    pub fn key_of(&self, col: &'a str) -> CellKey<'a> {
        let t = self.spec.id.as_str();
        match self.at {
            At::Grid => source::grid(t, self.block, self.key, col),
            At::Expenditure(i) => source::expenditure(t, i, col),
            At::Task(i) => source::task(t, i, col),
        }
    }

    /// Its figure in column `col`.
    pub fn amount(&self, col: &str) -> Option<Amount> {
        self.amounts.amount(col)
    }
}

/// The rows of `kind` of `table` in `b`, in table order: the department's
/// own block, or every block (`Blocks::Each`) of a grid table.
pub fn rows<'a>(
    table: &str,
    kind: RowKind,
    blocks: Blocks,
    b: &'a Budget,
    specs: &'a SpecSet,
) -> Vec<SetRow<'a>> {
    let (Some(spec), Some(t)) = (specs.get(table), b.tables.get(table)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match t {
        Table::Grid(g) => {
            let take = match blocks {
                Blocks::Department => 1,
                Blocks::Each => g.blocks.len(),
            };
            for (bi, blk) in g.blocks.iter().enumerate().take(take) {
                if matches!(kind, RowKind::All | RowKind::Total) {
                    if let Some(total) = &blk.total {
                        out.push(SetRow {
                            spec,
                            block: bi,
                            unit: &blk.unit,
                            key: "",
                            code: None,
                            name: &blk.unit,
                            level: None,
                            amounts: total,
                            at: At::Grid,
                            grid_row: None,
                        });
                    }
                }
                if kind == RowKind::Total {
                    continue;
                }
                for r in &blk.rows {
                    let code_len = r.code.as_deref().map(str::len);
                    let keep = match kind {
                        RowKind::Coded => code_len.is_some(),
                        RowKind::Classes => code_len == Some(3),
                        RowKind::Items => code_len == Some(7),
                        _ => true,
                    };
                    if keep {
                        out.push(SetRow {
                            spec,
                            block: bi,
                            unit: &blk.unit,
                            key: &r.key,
                            code: r.code.as_deref(),
                            name: &r.name,
                            level: None,
                            amounts: &r.amounts,
                            at: At::Grid,
                            grid_row: Some(r),
                        });
                    }
                }
            }
        }
        Table::TwoSided(t)
            if matches!(kind, RowKind::Expenditure | RowKind::ExpenditureClasses) =>
        {
            for (i, e) in t.expenditure.iter().enumerate() {
                if kind == RowKind::ExpenditureClasses && e.level != Some(Level::Lei) {
                    continue;
                }
                out.push(SetRow {
                    spec,
                    block: 0,
                    unit: "",
                    key: "",
                    code: e.code.as_deref(),
                    name: &e.name,
                    level: e.level,
                    amounts: &e.amounts,
                    at: At::Expenditure(i),
                    grid_row: None,
                });
            }
        }
        Table::Form(f) if kind == RowKind::Tasks => {
            for (i, t) in f.tasks.iter().enumerate() {
                out.push(SetRow {
                    spec,
                    block: 0,
                    unit: "",
                    key: "",
                    code: None,
                    name: &t.name,
                    level: None,
                    amounts: &t.amounts,
                    at: At::Task(i),
                    grid_row: None,
                });
            }
        }
        _ => {}
    }
    out
}

/// The rows of a declared set (the department's block).
pub fn rows_of<'a>(set: &RowSet, b: &'a Budget, specs: &'a SpecSet) -> Vec<SetRow<'a>> {
    rows(&set.table, set.rows, Blocks::Department, b, specs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Budget, SpecSet) {
        let specs = SpecSet::builtin_layout("shanghai-budget-department").unwrap();
        let b = crate::read::read_path("samples/shanghai-wanli-2024.xlsx".as_ref(), &specs)
            .unwrap()
            .budget;
        (b, specs)
    }

    #[test]
    fn a_row_named_by_its_printed_name_is_the_row_of_its_key() {
        let (b, specs) = sample();
        let by_key = CellRef::at("t08", None, Some("30217"), Some("total"));
        let mut by_name = by_key.clone();
        by_name.row = None;
        by_name.row_name = Some("公务接待费".into());
        let v = value(&by_key, &b, &specs);
        assert_eq!(v.map(|a| a.to_string()).as_deref(), Some("13500.00"));
        assert_eq!(value(&by_name, &b, &specs), v);
        assert_eq!(
            cell(&by_name, &b, &specs).unwrap().key,
            cell(&by_key, &b, &specs).unwrap().key
        );
        // A figure (headline, roll-up) by name is the same figure.
        assert_eq!(figure(&[by_name], &b, &specs), v);
        let mut nowhere = by_key;
        nowhere.row = None;
        nowhere.row_name = Some("没有这一行".into());
        assert_eq!(value(&nowhere, &b, &specs), None);
    }
}
