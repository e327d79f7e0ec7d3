//! xlsx workbooks: streamed cell by cell with the bounds checked, so a stray
//! cell far away never allocates a huge grid; formulas come in the same pass.
//!
//! The cell reader turns a reference beyond Excel's grid (`B4294967303`)
//! into a real cell by wrapping around (`B7`), silently replacing it; the
//! scan of the sheet's XML that finds the merged ranges also finds such a
//! reference first, and the workbook is refused.

use std::io::Cursor;

use calamine::{open_workbook_from_rs, DataRef, Reader, Xlsx};

use super::merges::{self, Merges};
use super::sheet::{
    corrupt_inside, guarded, too_big, too_many_cells, too_many_merges, Cell, CellBudget, Grid,
    Sheet, MAX_COLS, MAX_MERGES, MAX_ROWS,
};
use super::ReadError;

/// Reads every sheet of an xlsx package (the zip guard has run).
pub(crate) fn load(
    bytes: &[u8],
    shown: &str,
    budget: &CellBudget,
) -> Result<Vec<Sheet>, ReadError> {
    if crate::par::available() {
        if let Some(sheets) = load_halves(bytes, shown, budget) {
            return sheets;
        }
    }
    let wb = open(bytes, shown)?;
    let names = wb.sheet_names();
    let all: Vec<usize> = (0..names.len()).collect();
    let scan = Merges::open(bytes);
    if scan.is_none() {
        // The package's layout is unusual: its sheets are checked on their own.
        if let Some((part, at)) = merges::first_bad_reference_in_any_sheet(bytes) {
            return Err(bad_reference(shown, &part, &at));
        }
    }
    load_sheets(wb, scan, shown, &names, &all, budget)
        .map(|v| v.into_iter().map(|(_, s)| s).collect())
        .map_err(|(_, e)| e)
}

fn open<'a>(bytes: &'a [u8], shown: &str) -> Result<Xlsx<Cursor<&'a [u8]>>, ReadError> {
    open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| ReadError::from_calamine(shown, calamine::Error::Xlsx(e)))
}

fn bad_reference(shown: &str, sheet: &str, reference: &str) -> ReadError {
    ReadError::TooLarge {
        path: shown.to_string(),
        what: format!("工作表“{sheet}”引用了 Excel 网格之外的单元格 {reference}"),
        limit: "Excel 的 1,048,576 行、16,384 列".into(),
    }
}

/// When a second core is free, two readers share the sheets, balanced by the
/// size of their XML, each opening the workbook itself. `None` when the
/// package's own list of sheets is not calamine's: then one reader reads all.
fn load_halves(
    bytes: &[u8],
    shown: &str,
    budget: &CellBudget,
) -> Option<Result<Vec<Sheet>, ReadError>> {
    let mut scan = Merges::open(bytes)?;
    let names = scan.names().to_vec();
    if names.len() < 2 {
        return None;
    }
    let sizes: Vec<u64> = names.iter().map(|n| scan.size(n).unwrap_or(0)).collect();
    let (mine, theirs) = halves(&sizes);
    // Either half may run on a pool thread: each keeps its own panic guard.
    let half = |which: &[usize]| {
        guarded(|| {
            let wb = open(bytes, shown).map_err(|e| (0, e))?;
            if wb.sheet_names() != names {
                return Ok(None);
            }
            load_sheets(wb, Some(scan.clone()), shown, &names, which, budget).map(Some)
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
fn load_sheets(
    mut wb: Xlsx<Cursor<&[u8]>>,
    mut scan: Option<Merges<'_>>,
    shown: &str,
    names: &[String],
    which: &[usize],
    budget: &CellBudget,
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
        let scanned = scan.as_mut().and_then(|m| m.scan(name));
        if let Some(bad) = scanned.as_ref().and_then(|s| s.bad_reference.as_ref()) {
            return Err((i, bad_reference(shown, name, bad)));
        }
        let mut grid = Grid::new(budget);
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
                    grid.put(r, col, cell)
                        .map_err(|full| (i, too_many_cells(shown, name, full)))?;
                }
            }
        }
        let rows = grid
            .into_rows()
            .map_err(|full| (i, too_many_cells(shown, name, full)))?;
        let merges = scanned
            .map(|s| s.merges)
            .unwrap_or_else(|| wb.merge_cells_by_sheet_name(name).unwrap_or_default());
        if merges.len() > MAX_MERGES {
            return Err((i, too_many_merges(shown, name)));
        }
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
