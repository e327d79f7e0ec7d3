//! Workbook loading: every sheet becomes a [`Sheet`] of plain cells at their
//! absolute positions, with merged ranges where the format records them.

use std::io::Cursor;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use calamine::{open_workbook_from_rs, Data, Dimensions, Range, Reader, Xls, Xlsx};

use super::guard::{self, Package};
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

    /// The bytes of text the cell holds.
    pub fn text_len(&self) -> usize {
        text_bytes(self)
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
        self.rows.iter().map(std::vec::Vec::len).max().unwrap_or(0) as u32
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
}

/// Largest input file read (bytes).
pub const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;
/// Largest decompressed size of one part of an xlsx/ods archive (bytes).
pub const MAX_PART_BYTES: u64 = 256 * 1024 * 1024;
/// Largest decompressed size of a whole xlsx/ods archive (bytes).
pub const MAX_ARCHIVE_BYTES: u64 = 512 * 1024 * 1024;
/// Rows and columns a sheet may use (a cell beyond them is refused).
pub const MAX_ROWS: u32 = 100_000;
pub const MAX_COLS: u32 = 1_000;
/// Cells a workbook may fill across all its sheets, the empty cells inside a
/// row's used width included (a 400-unit department fills about 900,000).
pub const MAX_CELLS: usize = 4_000_000;
/// Bytes of text a workbook's cells may hold across all its sheets, counted
/// as read (a shared string once per cell that shows it, a repeated ODS cell
/// once per repeat): a 400-unit department holds about 9 MB.
pub const MAX_TEXT_BYTES: usize = 64 * 1024 * 1024;
/// Sheets a workbook may have (a budget workbook has a few dozen).
pub const MAX_SHEETS: usize = 1_000;
/// Merged ranges a sheet may have (the official tables have a few hundred).
pub const MAX_MERGES: usize = 100_000;

/// Room left for cells and their text across the sheets of one workbook,
/// shared by the threads that read it.
#[derive(Debug)]
pub(crate) struct CellBudget {
    cells: AtomicUsize,
    text: AtomicUsize,
}

/// Which limit a cell did not fit in, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Full {
    pub at: (u32, u32),
    pub text: bool,
}

fn take_from(left: &AtomicUsize, n: usize) -> bool {
    left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |l| l.checked_sub(n))
        .is_ok()
}

impl CellBudget {
    pub fn new() -> CellBudget {
        CellBudget {
            cells: AtomicUsize::new(MAX_CELLS),
            text: AtomicUsize::new(MAX_TEXT_BYTES),
        }
    }

    /// Takes `n` cells; false (and nothing taken) when fewer are left.
    fn take(&self, n: usize) -> bool {
        take_from(&self.cells, n)
    }

    fn left(&self) -> usize {
        self.cells.load(Ordering::Relaxed)
    }

    /// Bytes of text still available to the workbook.
    pub fn text_left(&self) -> usize {
        self.text.load(Ordering::Relaxed)
    }
}

/// The bytes of text a cell holds.
fn text_bytes(cell: &Cell) -> usize {
    match cell {
        Cell::Text(s) | Cell::Date(s) | Cell::Error(s) | Cell::FormulaNoValue(s) => s.len(),
        _ => 0,
    }
}

/// The rows of one sheet as they are read, each cell paid for from the
/// workbook's [`CellBudget`] before it is allocated.
pub(crate) struct Grid<'b> {
    rows: Vec<Vec<Cell>>,
    budget: &'b CellBudget,
    /// The first cell that did not fit, once one did not.
    full: Option<Full>,
    /// Cells placed since the last look at the job's cancellation.
    since_checkpoint: u32,
}

impl<'b> Grid<'b> {
    pub fn new(budget: &'b CellBudget) -> Grid<'b> {
        Grid {
            rows: Vec::new(),
            budget,
            full: None,
            since_checkpoint: 0,
        }
    }

    /// Cells still available to the workbook.
    pub fn room(&self) -> usize {
        self.budget.left()
    }

    /// Bytes of text still available to the workbook.
    pub fn text_room(&self) -> usize {
        self.budget.text_left()
    }

    /// Puts `cell` at (`r`, `c`), within [`MAX_ROWS`] × [`MAX_COLS`].
    ///
    /// # Errors
    /// The position, when the workbook's cells would pass [`MAX_CELLS`] or
    /// their text [`MAX_TEXT_BYTES`].
    pub fn put(&mut self, r: u32, c: u32, cell: Cell) -> Result<(), Full> {
        self.since_checkpoint += 1;
        if self.since_checkpoint >= 4096 {
            self.since_checkpoint = 0;
            crate::cancel::checkpoint();
        }
        let (ri, ci) = (r as usize, c as usize);
        let text = text_bytes(&cell);
        if text > 0 && !take_from(&self.budget.text, text) {
            let full = Full {
                at: (r, c),
                text: true,
            };
            self.full = Some(full);
            return Err(full);
        }
        let grow = ri.saturating_add(1).saturating_sub(self.rows.len())
            + ci.saturating_add(1)
                .saturating_sub(self.rows.get(ri).map_or(0, Vec::len));
        if grow > 0 && !self.budget.take(grow) {
            let full = Full {
                at: (r, c),
                text: false,
            };
            self.full = Some(full);
            return Err(full);
        }
        if self.rows.len() <= ri {
            self.rows.resize_with(ri + 1, Vec::new);
        }
        let row = &mut self.rows[ri];
        if row.len() <= ci {
            row.resize(ci + 1, Cell::Empty);
        }
        row[ci] = cell;
        Ok(())
    }

    /// The rows read.
    ///
    /// # Errors
    /// The first position that did not fit, if any did not.
    pub fn into_rows(self) -> Result<Vec<Vec<Cell>>, Full> {
        match self.full {
            Some(full) => Err(full),
            None => Ok(self.rows),
        }
    }
}

/// Loads every sheet of a spreadsheet file.
pub fn load(path: &Path) -> Result<Vec<Sheet>, ReadError> {
    let shown = path.display().to_string();
    let bytes = super::read_file(path)?;
    load_bytes(&bytes, &shown)
}

/// Loads every sheet of a spreadsheet held in memory; the format is taken
/// from the content (zip: xlsx or ods; OLE: xls), never from the file name.
pub fn load_bytes(bytes: &[u8], shown: &str) -> Result<Vec<Sheet>, ReadError> {
    guarded(|| load_unguarded(bytes, shown)).unwrap_or_else(|| Err(corrupt_inside(shown)))
}

pub(crate) fn corrupt_inside(shown: &str) -> ReadError {
    ReadError::Corrupt {
        path: shown.to_string(),
        detail: "文件内部结构异常，读取组件无法解析".into(),
    }
}

pub(crate) use crate::panics::guarded;

fn load_unguarded(bytes: &[u8], shown: &str) -> Result<Vec<Sheet>, ReadError> {
    let budget = CellBudget::new();
    if bytes.starts_with(b"PK\x03\x04") {
        return match guard::zip(bytes, shown)? {
            Package::Ods => super::ods::load(bytes, shown, &budget),
            Package::Xlsx => super::xlsx::load(bytes, shown, &budget),
        };
    }
    guard::xls(bytes, shown)?;
    let wb: Xls<_> = open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| ReadError::from_calamine(shown, calamine::Error::Xls(e)))?;
    load_xls(wb, shown, &budget)
}

/// The cell formats of each sheet of an xlsx workbook, by sheet name, for a
/// copy that keeps the input's look; empty for other formats or when the
/// formats cannot be read (the copy then falls back to plain cells).
pub fn xlsx_styles(bytes: &[u8]) -> std::collections::HashMap<String, calamine::StyleRange> {
    let read = || -> Option<std::collections::HashMap<String, calamine::StyleRange>> {
        if !bytes.starts_with(b"PK\x03\x04") || guard::zip(bytes, "").ok()? != Package::Xlsx {
            return None;
        }
        let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).ok()?;
        let names = wb.sheet_names();
        Some(
            names
                .into_iter()
                .filter_map(|n| wb.worksheet_style(&n).ok().map(|s| (n, s)))
                .collect(),
        )
    };
    guarded(read).flatten().unwrap_or_default()
}

/// A cell beyond [`MAX_ROWS`] × [`MAX_COLS`].
pub(crate) fn too_big(shown: &str, sheet: &str, (r, c): (u32, u32)) -> ReadError {
    ReadError::TooLarge {
        path: shown.to_string(),
        what: format!(
            "工作表“{sheet}”的单元格 {} 超出范围",
            crate::text::cell_address(r, c)
        ),
        limit: format!("每个工作表 {MAX_ROWS} 行、{MAX_COLS} 列"),
    }
}

/// The workbook's cells passed [`MAX_CELLS`], or their text
/// [`MAX_TEXT_BYTES`], at a cell of `sheet`.
pub(crate) fn too_many_cells(shown: &str, sheet: &str, full: Full) -> ReadError {
    let (r, c) = full.at;
    let at = crate::text::cell_address(r, c);
    if full.text {
        return ReadError::TooLarge {
            path: shown.to_string(),
            what: format!(
                "读到工作表“{sheet}”的单元格 {at} 时，全部单元格的文字已超过上限（同一段文字每出现一次都计入）"
            ),
            limit: format!("所有工作表合计 {} MB 文字", MAX_TEXT_BYTES / (1024 * 1024)),
        };
    }
    ReadError::TooLarge {
        path: shown.to_string(),
        what: format!("读到工作表“{sheet}”的单元格 {at} 时，全部工作表的单元格已超过上限"),
        limit: format!("所有工作表合计 {MAX_CELLS} 个单元格（含行内空白单元格）"),
    }
}

/// More sheets than [`MAX_SHEETS`].
pub(crate) fn too_many_sheets(shown: &str, count: usize) -> ReadError {
    ReadError::TooLarge {
        path: shown.to_string(),
        what: format!("工作簿有 {count} 个工作表"),
        limit: format!("{MAX_SHEETS} 个工作表"),
    }
}

/// More merged ranges in one sheet than [`MAX_MERGES`].
pub(crate) fn too_many_merges(shown: &str, sheet: &str) -> ReadError {
    ReadError::TooLarge {
        path: shown.to_string(),
        what: format!("工作表“{sheet}”的合并单元格区域超过 {MAX_MERGES} 个"),
        limit: format!("每个工作表 {MAX_MERGES} 个合并区域"),
    }
}

/// The largest grid whose formulas are read from an xls sheet: they only
/// tell "blank" from "formula without a cached value", which Excel never
/// writes, and the formula grid is as big as the sheet's.
const MAX_FORMULA_GRID: u64 = 1_000_000;

/// xls: calamine builds each sheet's grid, within the size the guard allowed.
fn load_xls<RS: std::io::Read + std::io::Seek>(
    mut wb: Xls<RS>,
    shown: &str,
    budget: &CellBudget,
) -> Result<Vec<Sheet>, ReadError> {
    let names = wb.sheet_names();
    if names.len() > MAX_SHEETS {
        return Err(too_many_sheets(shown, names.len()));
    }
    let mut sheets = Vec::with_capacity(names.len());
    for name in names {
        let values = wb.worksheet_range(&name).map_err(|e| ReadError::Sheet {
            path: shown.to_string(),
            sheet: name.clone(),
            detail: e.to_string(),
        })?;
        if let Some(end) = values.end() {
            if end.0 >= MAX_ROWS || end.1 >= MAX_COLS {
                return Err(too_big(shown, &name, end));
            }
        }
        let (h, w) = values.get_size();
        let formulas = if (h as u64).saturating_mul(w as u64) <= MAX_FORMULA_GRID {
            wb.worksheet_formula(&name)
                .ok()
                .filter(|f| f.end().is_none_or(|e| e.0 < MAX_ROWS && e.1 < MAX_COLS))
        } else {
            None
        };
        let merges = wb.merge_cells_by_sheet_name(&name).unwrap_or_default();
        if merges.len() > MAX_MERGES {
            return Err(too_many_merges(shown, &name));
        }
        let rows = to_rows(&values, formulas.as_ref(), budget)
            .map_err(|full| too_many_cells(shown, &name, full))?;
        sheets.push(Sheet::new(name, rows, merges));
    }
    Ok(sheets)
}

fn to_rows(
    values: &Range<Data>,
    formulas: Option<&Range<String>>,
    budget: &CellBudget,
) -> Result<Vec<Vec<Cell>>, Full> {
    let mut grid = Grid::new(budget);
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
            grid.put(r0 + r as u32, c0 + c as u32, cell)?;
        }
    }
    if let Some(f) = formulas {
        if let Some((r0, c0)) = f.start() {
            for (r, c, formula) in f.used_cells() {
                let (ar, ac) = (r0 + r as u32, c0 + c as u32);
                let has_value = values
                    .get_value((ar, ac))
                    .is_some_and(|v| !matches!(v, Data::Empty));
                if !formula.is_empty() && !has_value {
                    grid.put(ar, ac, Cell::FormulaNoValue(formula.clone()))?;
                }
            }
        }
    }
    grid.into_rows()
}
