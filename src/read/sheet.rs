//! Workbook loading: every sheet becomes a [`Sheet`] of plain cells at their
//! absolute positions, with merged ranges where the format records them.

use std::io::Cursor;
use std::path::Path;

use calamine::{
    open_workbook_from_rs, Data, DataRef, Dimensions, Ods, Range, Reader, Sheets, Xls, Xlsx,
};

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

/// Runs `job` with a panic inside it caught (`None`) and kept quiet. A damaged
/// file can trip a bug inside the spreadsheet libraries (an arithmetic overflow
/// on a malformed cell reference, seen by the fuzzer): that is a corrupt file
/// to the user, not a crash.
fn guarded<T>(job: impl FnOnce() -> T) -> Option<T> {
    let was = GUARDED.with(|g| g.replace(true));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
    GUARDED.with(|g| g.set(was));
    r.ok()
}

fn corrupt_inside(shown: &str) -> ReadError {
    ReadError::Corrupt {
        path: shown.to_string(),
        detail: "文件内部结构异常，读取组件无法解析".into(),
    }
}

thread_local! {
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// True while this thread is inside a guarded read, where a panic is caught
/// and reported as a corrupt file: a panic hook should stay silent then.
pub fn in_guarded_read() -> bool {
    GUARDED.with(|g| g.get())
}

fn load_unguarded(bytes: &[u8], shown: &str) -> Result<Vec<Sheet>, ReadError> {
    let corrupt = |detail: String| ReadError::Corrupt {
        path: shown.to_string(),
        detail,
    };
    if bytes.starts_with(b"PK\x03\x04") {
        let ods = guard_zip(bytes, shown)?;
        let cursor = Cursor::new(bytes);
        if ods {
            let wb: Ods<_> = open_workbook_from_rs(cursor)
                .map_err(|e: calamine::OdsError| corrupt(e.to_string()))?;
            return load_dense(Sheets::Ods(wb), shown);
        }
        return load_xlsx(bytes, shown);
    }
    let wb: Xls<_> = open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| ReadError::from_calamine(shown, calamine::Error::Xls(e)))?;
    load_dense(Sheets::Xls(wb), shown)
}

/// The cell formats of each sheet of an xlsx workbook, by sheet name, for a
/// copy that keeps the input's look; empty for other formats or when the
/// formats cannot be read (the copy then falls back to plain cells).
pub fn xlsx_styles(bytes: &[u8]) -> std::collections::HashMap<String, calamine::StyleRange> {
    let read = || -> Option<std::collections::HashMap<String, calamine::StyleRange>> {
        if !bytes.starts_with(b"PK\x03\x04") || guard_zip(bytes, "").ok()? {
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

/// Refuses a zip whose parts would decompress past the limits (a zip bomb),
/// from the sizes its directory declares: the zip reader stops at those.
/// Returns whether the archive is an OpenDocument spreadsheet.
fn guard_zip(bytes: &[u8], shown: &str) -> Result<bool, ReadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ReadError::Corrupt {
        path: shown.to_string(),
        detail: e.to_string(),
    })?;
    let mut total: u64 = 0;
    let mut ods = false;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|e| ReadError::Corrupt {
            path: shown.to_string(),
            detail: e.to_string(),
        })?;
        let name = f.name().map(|n| n.to_string()).unwrap_or_default();
        if f.size() > MAX_PART_BYTES {
            return Err(ReadError::TooLarge {
                path: shown.to_string(),
                what: format!("压缩包内的“{name}”解压后 {} 字节", f.size()),
                limit: format!("每个部件 {MAX_PART_BYTES} 字节"),
            });
        }
        total = total.saturating_add(f.size());
        ods |= name == "mimetype";
    }
    if total > MAX_ARCHIVE_BYTES {
        return Err(ReadError::TooLarge {
            path: shown.to_string(),
            what: format!("解压后共 {total} 字节"),
            limit: format!("{MAX_ARCHIVE_BYTES} 字节"),
        });
    }
    Ok(ods)
}

fn too_big(shown: &str, sheet: &str, (r, c): (u32, u32)) -> ReadError {
    ReadError::TooLarge {
        path: shown.to_string(),
        what: format!(
            "工作表“{sheet}”的单元格 {} 超出范围",
            crate::text::cell_address(r, c)
        ),
        limit: format!("每个工作表 {MAX_ROWS} 行、{MAX_COLS} 列"),
    }
}

/// xlsx: streamed cell by cell with the bounds checked, so a stray cell far
/// away never allocates a huge grid; formulas come in the same pass.
fn load_xlsx(bytes: &[u8], shown: &str) -> Result<Vec<Sheet>, ReadError> {
    if crate::par::available() {
        if let Some(sheets) = load_xlsx_halves(bytes, shown) {
            return sheets;
        }
    }
    let wb = open_xlsx(bytes, shown)?;
    let names = wb.sheet_names();
    let all: Vec<usize> = (0..names.len()).collect();
    load_xlsx_sheets(wb, super::merges::Merges::open(bytes), shown, &names, &all)
        .map(|v| v.into_iter().map(|(_, s)| s).collect())
        .map_err(|(_, e)| e)
}

fn open_xlsx<'a>(bytes: &'a [u8], shown: &str) -> Result<Xlsx<Cursor<&'a [u8]>>, ReadError> {
    open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| ReadError::from_calamine(shown, calamine::Error::Xlsx(e)))
}

/// When a second core is free, two readers share the sheets, balanced by the
/// size of their XML, each opening the workbook itself. `None` when the
/// package's own list of sheets is not calamine's: then one reader reads all.
fn load_xlsx_halves(bytes: &[u8], shown: &str) -> Option<Result<Vec<Sheet>, ReadError>> {
    let mut scan = super::merges::Merges::open(bytes)?;
    let names = scan.names().to_vec();
    if names.len() < 2 {
        return None;
    }
    let sizes: Vec<u64> = names.iter().map(|n| scan.size(n).unwrap_or(0)).collect();
    let (mine, theirs) = halves(&sizes);
    // Either half may run on a pool thread: each keeps its own panic guard.
    let half = |which: &[usize]| {
        guarded(|| {
            let wb = open_xlsx(bytes, shown).map_err(|e| (0, e))?;
            if wb.sheet_names() != names {
                return Ok(None);
            }
            load_xlsx_sheets(wb, Some(scan.clone()), shown, &names, which).map(Some)
        })
        .unwrap_or_else(|| Err((0, corrupt_inside(shown))))
    };
    let (a, b) = crate::par::join(|| half(&mine), || half(&theirs));
    // Whatever the split, the error reported is that of the first bad sheet.
    let mut sheets = match (a, b) {
        (Ok(None), _) | (_, Ok(None)) => return None,
        (Ok(Some(a)), Ok(Some(b))) => a.into_iter().chain(b).collect::<Vec<_>>(),
        (Err(e), Ok(_)) | (Ok(_), Err(e)) => return Some(Err(e.1)),
        (Err(e), Err(f)) => return Some(Err(if e.0 <= f.0 { e.1 } else { f.1 })),
    };
    sheets.sort_by_key(|(i, _)| *i);
    Some(Ok(sheets.into_iter().map(|(_, s)| s).collect()))
}

/// Sheet indices split into two sets of about equal total size, each in order.
/// The second set waits to be taken up by another thread: it starts with a
/// handicap of an eighth of the total.
fn halves(sizes: &[u64]) -> (Vec<usize>, Vec<usize>) {
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(sizes[i]), i));
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let (mut sa, mut sb) = (0u64, sizes.iter().sum::<u64>() / 8);
    for i in order {
        if sa <= sb {
            a.push(i);
            sa += sizes[i];
        } else {
            b.push(i);
            sb += sizes[i];
        }
    }
    a.sort_unstable();
    b.sort_unstable();
    (a, b)
}

/// The sheets at `which` (ascending), each with its index; an error carries
/// the index of the sheet it came from.
fn load_xlsx_sheets(
    mut wb: Xlsx<Cursor<&[u8]>>,
    mut scan: Option<super::merges::Merges<'_>>,
    shown: &str,
    names: &[String],
    which: &[usize],
) -> Result<Vec<(usize, Sheet)>, (usize, ReadError)> {
    let mut sheets = Vec::with_capacity(which.len());
    for &i in which {
        let name = &names[i];
        let sheet_err = |detail: String| {
            (
                i,
                ReadError::Sheet {
                    path: shown.to_string(),
                    sheet: name.clone(),
                    detail,
                },
            )
        };
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        {
            let mut reader = wb
                .worksheet_cells_reader(name)
                .map_err(|e| sheet_err(e.to_string()))?;
            while let Some(c) = reader
                .next_cell_with_formula()
                .map_err(|e| sheet_err(e.to_string()))?
            {
                let (r, col) = c.pos;
                if r >= MAX_ROWS || col >= MAX_COLS {
                    return Err((i, too_big(shown, name, c.pos)));
                }
                let cell = match (data_ref(&c.value), c.formula) {
                    (Cell::Empty, Some(f)) if !f.is_empty() => Cell::FormulaNoValue(f),
                    (cell, _) => cell,
                };
                if cell != Cell::Empty {
                    put(&mut rows, r, col, cell);
                }
            }
        }
        let merges = scan
            .as_mut()
            .and_then(|m| m.of(name))
            .unwrap_or_else(|| wb.merge_cells_by_sheet_name(name).unwrap_or_default());
        sheets.push((i, Sheet::new(name.clone(), rows, merges)));
    }
    Ok(sheets)
}

fn data_ref(v: &DataRef) -> Cell {
    match v {
        DataRef::Empty => Cell::Empty,
        DataRef::Int(i) => Cell::Int(*i),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::String(s) => Cell::Text(s.clone()),
        DataRef::SharedString(s) => Cell::Text(s.to_string()),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(d) => Cell::Date(d.to_string()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::Date(s.clone()),
        DataRef::Error(e) => Cell::Error(format!("{e}")),
    }
}

/// xls and ods: calamine builds each sheet's grid; its size is checked first.
fn load_dense<RS: std::io::Read + std::io::Seek>(
    mut wb: Sheets<RS>,
    shown: &str,
) -> Result<Vec<Sheet>, ReadError> {
    let names = wb.sheet_names();
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
        // Formulas only tell "blank" from "formula without a cached value"; a
        // reader that cannot give them loses nothing else.
        let formulas = wb
            .worksheet_formula(&name)
            .ok()
            .filter(|f| f.end().is_none_or(|e| e.0 < MAX_ROWS && e.1 < MAX_COLS));
        let merges = match &mut wb {
            Sheets::Xls(x) => x.merge_cells_by_sheet_name(&name).unwrap_or_default(),
            _ => Vec::new(),
        };
        sheets.push(Sheet::new(
            name,
            to_rows(&values, formulas.as_ref()),
            merges,
        ));
    }
    Ok(sheets)
}

fn put(rows: &mut Vec<Vec<Cell>>, r: u32, c: u32, cell: Cell) {
    let (r, c) = (r as usize, c as usize);
    if rows.len() <= r {
        rows.resize_with(r + 1, Vec::new);
    }
    let row = &mut rows[r];
    if row.len() <= c {
        row.resize(c + 1, Cell::Empty);
    }
    row[c] = cell;
}

fn to_rows(values: &Range<Data>, formulas: Option<&Range<String>>) -> Vec<Vec<Cell>> {
    let mut rows: Vec<Vec<Cell>> = Vec::new();
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
            put(&mut rows, r0 + r as u32, c0 + c as u32, cell);
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
                    put(&mut rows, ar, ac, Cell::FormulaNoValue(formula.clone()));
                }
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_balance_size_with_a_handicap_for_the_second() {
        assert_eq!(halves(&[100, 100, 100, 100]), (vec![0, 2], vec![1, 3]));
        // One big sheet: the other thread takes the rest, and less of it.
        assert_eq!(halves(&[10, 500, 10, 10, 10]), (vec![1], vec![0, 2, 3, 4]));
        assert_eq!(halves(&[300, 200, 200]), (vec![0], vec![1, 2]));
        assert_eq!(halves(&[]), (vec![], vec![]));
    }
}
