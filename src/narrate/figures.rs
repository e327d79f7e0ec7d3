//! The figures a 说明 states, read from a model: a layout's narrative figures
//! and the named rows (科目, 项目类别) a text may quote, in the text's unit.

use crate::amount::Amount;
use crate::layout::{CellRef, RowKind, RowSet};
use crate::model::{Budget, Table};
use crate::source::{self, SourceMap};
use crate::spec::{SpecSet, Unit};

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
    let a = crate::layout::figure(cells, b, specs);
    in_text_unit(a, cells.first().map_or("", |c| c.table.as_str()), specs)
}

/// A row of a table, as a text may name it.
#[derive(Debug, Clone)]
pub struct NamedRow {
    pub table: String,
    pub name: String,
    pub code: Option<String>,
    /// In the text's unit.
    pub amount: Option<Amount>,
    pub place: RowPlace,
    pub col: String,
}

/// Where a named row sits in its table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowPlace {
    Grid(String),
    Expenditure(usize),
}

impl NamedRow {
    /// The workbook cell of its figure, where the model was read from one.
    pub fn loc(&self, sources: &SourceMap) -> Option<source::Loc> {
        let key = match &self.place {
            RowPlace::Grid(k) => source::grid(&self.table, 0, k, &self.col),
            RowPlace::Expenditure(i) => source::expenditure(&self.table, *i, &self.col),
        };
        sources.get(&key)
    }

    /// A cell reference to it (grid rows only).
    pub fn cell_ref(&self) -> Option<CellRef> {
        match &self.place {
            RowPlace::Grid(k) => Some(CellRef {
                table: self.table.clone(),
                line: None,
                row: Some(k.clone()),
                row_name: None,
                task: None,
                sum: false,
                col: Some(self.col.clone()),
            }),
            RowPlace::Expenditure(_) => None,
        }
    }
}

/// The rows of `set` in `b` (the department's own block), in table order.
pub fn rows_of(set: &RowSet, b: &Budget, specs: &SpecSet) -> Vec<NamedRow> {
    let col = set.col.clone().unwrap_or_default();
    let mut out = Vec::new();
    match b.tables.get(&set.table) {
        Some(Table::Grid(g)) => {
            for r in g.blocks.first().into_iter().flat_map(|blk| &blk.rows) {
                let keep = match set.rows {
                    RowKind::Coded => r.code.is_some(),
                    RowKind::Classes => r.code.as_ref().is_some_and(|c| c.len() == 3),
                    RowKind::Items => r.code.as_ref().is_some_and(|c| c.len() == 7),
                    _ => true,
                };
                if keep {
                    out.push(NamedRow {
                        table: set.table.clone(),
                        name: r.name.clone(),
                        code: r.code.clone(),
                        amount: in_text_unit(r.amounts.amount(&col), &set.table, specs),
                        place: RowPlace::Grid(r.key.clone()),
                        col: col.clone(),
                    });
                }
            }
        }
        Some(Table::TwoSided(t)) => {
            for (i, e) in t.expenditure.iter().enumerate() {
                let keep = match set.rows {
                    RowKind::ExpenditureClasses => e.code.as_ref().is_some_and(|c| c.len() == 3),
                    _ => true,
                };
                if keep {
                    out.push(NamedRow {
                        table: set.table.clone(),
                        name: e.name.clone(),
                        code: e.code.clone(),
                        amount: in_text_unit(e.amounts.amount(&col), &set.table, specs),
                        place: RowPlace::Expenditure(i),
                        col: col.clone(),
                    });
                }
            }
        }
        _ => {}
    }
    out
}

/// The workbook cell of a layout cell reference, where known.
pub fn loc_of(
    c: &CellRef,
    b: &Budget,
    specs: &SpecSet,
    sources: &SourceMap,
) -> Option<source::Loc> {
    let spec = specs.get(&c.table)?;
    if let Some(line) = &c.line {
        let col = match &c.col {
            Some(col) => col.clone(),
            None => spec.line_columns(line).first()?.id.clone(),
        };
        return sources.get(&source::line(&c.table, line, &col));
    }
    let row = c.row.as_deref()?;
    let col = c.col.as_deref()?;
    let key = if row == "@total" {
        String::new()
    } else {
        let g = b.grid(&c.table)?;
        let n = crate::text::norm(row);
        g.blocks
            .first()?
            .rows
            .iter()
            .find(|r| r.key == row || r.key == n)?
            .key
            .clone()
    };
    sources.get(&source::grid(&c.table, 0, &key, col))
}

/// How a cell is named for a reader: its workbook cell, or table and row.
pub fn describe(c: &CellRef, b: &Budget, specs: &SpecSet, sources: &SourceMap) -> String {
    if let Some(loc) = loc_of(c, b, specs, sources) {
        return loc.to_string();
    }
    let table = specs
        .get(&c.table)
        .map_or(c.table.clone(), crate::spec::TableSpec::sheet_name);
    let row = c
        .line
        .as_deref()
        .or(c.row.as_deref())
        .or(c.task.as_deref())
        .unwrap_or("");
    match &c.col {
        Some(col) => format!("{table} {row} {col}"),
        None => format!("{table} {row}"),
    }
}

/// A 科目's path as texts write it: `类名（类）款名（款）项名（项）`, its
/// parents' names found by code in the same table.
pub fn code_path(row: &NamedRow, b: &Budget) -> Option<String> {
    let code = row.code.as_deref()?;
    let name_of = |c: &str| -> Option<String> {
        let name = match b.tables.get(&row.table)? {
            Table::Grid(g) => g
                .blocks
                .first()?
                .rows
                .iter()
                .find(|r| r.code.as_deref() == Some(c))?
                .name
                .clone(),
            Table::TwoSided(t) => t
                .expenditure
                .iter()
                .find(|e| e.code.as_deref() == Some(c))?
                .name
                .clone(),
            Table::Form(_) => return None,
        };
        Some(name.trim().to_string())
    };
    let mut out = String::new();
    for (len, level) in [(3, "类"), (5, "款"), (7, "项")] {
        if code.len() < len {
            break;
        }
        out.push_str(&name_of(&code[..len])?);
        out.push_str(&format!("（{level}）"));
    }
    Some(out)
}
