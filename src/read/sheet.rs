//! Workbook loading: every sheet becomes a [`Sheet`] of plain cells at their
//! absolute positions, with merged ranges where the format records them.

use std::path::Path;

use calamine::{open_workbook_auto, Data, Dimensions, Range, Reader, Sheets};

use super::ReadError;

/// A cell as the reader needs it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Int(i64),
    Bool(bool),
    /// A date or time, as text for the message.
    Date(String),
    /// `#REF!`, `#DIV/0!`, …
    Error(String),
    /// A formula with no cached value (files written by generators).
    FormulaNoValue(String),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The text of a cell for labels; numbers print as integers where they are.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            Cell::Number(f) => f.to_string(),
            Cell::Int(i) => i.to_string(),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::Date(s) | Cell::Error(s) => s.clone(),
            Cell::FormulaNoValue(f) => format!("={f}"),
        }
    }
}

static EMPTY: Cell = Cell::Empty;

/// One worksheet.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    rows: Vec<Vec<Cell>>,
    /// Merged ranges (xlsx, xls); ODS records none.
    pub merges: Vec<Dimensions>,
}

impl Sheet {
    pub fn new(name: impl Into<String>, rows: Vec<Vec<Cell>>, merges: Vec<Dimensions>) -> Sheet {
        Sheet {
            name: name.into(),
            rows,
            merges,
        }
    }

    /// All rows from row 0, each up to its last non-empty cell.
    pub fn rows(&self) -> &[Vec<Cell>] {
        &self.rows
    }

    pub fn get(&self, row: u32, col: u32) -> &Cell {
        self.rows
            .get(row as usize)
            .and_then(|r| r.get(col as usize))
            .unwrap_or(&EMPTY)
    }

    /// Number of rows (one past the last row holding anything).
    pub fn height(&self) -> u32 {
        self.rows.len() as u32
    }

    pub fn width(&self) -> u32 {
        self.rows.iter().map(|r| r.len()).max().unwrap_or(0) as u32
    }

    pub fn row_is_blank(&self, row: u32) -> bool {
        self.rows
            .get(row as usize)
            .is_none_or(|r| r.iter().all(Cell::is_empty))
    }

    /// Non-empty cells of a row as (column, cell).
    pub fn row_cells(&self, row: u32) -> impl Iterator<Item = (u32, &Cell)> {
        self.rows
            .get(row as usize)
            .into_iter()
            .flat_map(|r| r.iter().enumerate())
            .filter(|(_, c)| !c.is_empty())
            .map(|(i, c)| (i as u32, c))
    }

    /// The merged range whose top-left is `(row, col)`, if any.
    pub fn merge_at(&self, row: u32, col: u32) -> Option<&Dimensions> {
        self.merges.iter().find(|m| m.start == (row, col))
    }
}

/// Loads every sheet of a spreadsheet file.
pub fn load(path: &Path) -> Result<Vec<Sheet>, ReadError> {
    let shown = path.display().to_string();
    let mut wb = open_workbook_auto(path).map_err(|e| ReadError::from_calamine(&shown, e))?;
    let names = wb.sheet_names();
    let mut sheets = Vec::with_capacity(names.len());
    for name in names {
        let values = wb.worksheet_range(&name).map_err(|e| ReadError::Sheet {
            path: shown.clone(),
            sheet: name.clone(),
            detail: e.to_string(),
        })?;
        // Formulas only tell "blank" from "formula without a cached value"; a
        // reader that cannot give them loses nothing else.
        let formulas = wb.worksheet_formula(&name).ok();
        let merges = match &mut wb {
            Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(&name).unwrap_or_default(),
            Sheets::Xls(x) => x.merge_cells_by_sheet_name(&name).unwrap_or_default(),
            _ => Vec::new(),
        };
        sheets.push(Sheet::new(name, to_rows(&values, formulas.as_ref()), merges));
    }
    Ok(sheets)
}

fn to_rows(values: &Range<Data>, formulas: Option<&Range<String>>) -> Vec<Vec<Cell>> {
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut put = |r: u32, c: u32, cell: Cell| {
        let (r, c) = (r as usize, c as usize);
        if rows.len() <= r {
            rows.resize_with(r + 1, Vec::new);
        }
        let row = &mut rows[r];
        if row.len() <= c {
            row.resize(c + 1, Cell::Empty);
        }
        row[c] = cell;
    };
    if let Some((r0, c0)) = values.start() {
        for (r, c, v) in values.used_cells() {
            let cell = match v {
                Data::Empty => continue,
                Data::Int(i) => Cell::Int(*i),
                Data::Float(f) => Cell::Number(*f),
                Data::String(s) => Cell::Text(s.clone()),
                Data::Bool(b) => Cell::Bool(*b),
                Data::DateTime(d) => Cell::Date(d.to_string()),
                Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Date(s.clone()),
                Data::Error(e) => Cell::Error(format!("{e}")),
            };
            put(r0 + r as u32, c0 + c as u32, cell);
        }
    }
    if let Some(f) = formulas {
        if let Some((r0, c0)) = f.start() {
            for (r, c, formula) in f.used_cells() {
                let (ar, ac) = (r0 + r as u32, c0 + c as u32);
                let has_value = values.get_value((ar, ac)).is_some_and(|v| !matches!(v, Data::Empty));
                if !formula.is_empty() && !has_value {
                    put(ar, ac, Cell::FormulaNoValue(formula.clone()));
                }
            }
        }
    }
    rows
}
