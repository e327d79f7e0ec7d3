//! The figures a 说明 states, read from a model: a layout's narrative figures
//! and the named rows (科目, 项目类别) a text may quote, in the text's unit.

use crate::amount::Amount;
use crate::layout::{CellRef, RowSet};
use crate::model::query::At;
use crate::model::{Budget, Table};
use crate::source::{self, SourceMap};
use crate::spec::SpecSet;

pub use crate::model::query::{describe, in_text_unit, loc_of, sum_of};

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
    crate::model::query::rows_of(set, b, specs)
        .into_iter()
        // A text names rows, never a block's total.
        .filter(|r| !(r.at == At::Grid && r.key.is_empty()))
        .map(|r| NamedRow {
            table: set.table.clone(),
            name: r.name.to_string(),
            code: r.code.map(str::to_string),
            amount: in_text_unit(r.amount(&col), &set.table, specs),
            place: match r.at {
                At::Expenditure(i) => RowPlace::Expenditure(i),
                _ => RowPlace::Grid(r.key.to_string()),
            },
            col: col.clone(),
        })
        .collect()
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
