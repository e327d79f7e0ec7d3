//! Where each figure of a model was read from, so that findings about the
//! model can name the workbook cell. A model read from JSON has none.
//!
//! A figure is named by a typed [`CellKey`] (table, block, row, column), never
//! by a string to be split again. The grid tables hold nearly every figure,
//! and a grid's columns sit at the same sheet column on every row: the map
//! keeps, per table, the sheet column of each column id and, per block, the
//! sheet row of each row key, so a workbook of a million figures costs a row
//! number per row, not an entry per cell.

use foldhash::{HashMap, HashMapExt};
use std::sync::Arc;

/// A cell of a workbook, shown (and serialized) as `'表3 支出总表'!D12`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Loc {
    /// Shared by every cell of the sheet.
    pub sheet: Arc<str>,
    pub row: u32,
    pub col: u32,
}

impl std::fmt::Display for Loc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "'{}'!{}",
            self.sheet,
            crate::text::cell_address(self.row, self.col)
        )
    }
}

impl serde::Serialize for Loc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The label pseudo-column of a row (its 科目编码 or name cell).
pub const LABEL: &str = "@label";

/// One figure (or label) of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CellKey<'a> {
    /// A grid cell; `row` empty is the block's total row, `col` may be [`LABEL`].
    Grid {
        table: &'a str,
        block: usize,
        row: &'a str,
        col: &'a str,
    },
    /// A fixed line of a two-sided table, in one of its columns.
    Line {
        table: &'a str,
        line: &'a str,
        col: &'a str,
    },
    /// An expenditure line of a two-sided table (`col` a column id or [`LABEL`]).
    Expenditure {
        table: &'a str,
        index: usize,
        col: &'a str,
    },
    /// A task of a form (`col` an amount id or [`LABEL`]).
    Task {
        table: &'a str,
        index: usize,
        col: &'a str,
    },
    /// The 金额合计 row of a form.
    Sum { table: &'a str, col: &'a str },
    /// An indicator row of a form.
    Indicator { table: &'a str, index: usize },
    /// A named field of a form (单位名称, 年度总体目标).
    Field { table: &'a str, field: &'a str },
    /// A line of a narrative sheet's text (`table` is the sheet's declared name).
    Text { table: &'a str, line: usize },
}

impl<'a> CellKey<'a> {
    /// The table the cell belongs to.
    pub fn table(&self) -> &'a str {
        match *self {
            CellKey::Grid { table, .. }
            | CellKey::Line { table, .. }
            | CellKey::Expenditure { table, .. }
            | CellKey::Task { table, .. }
            | CellKey::Sum { table, .. }
            | CellKey::Indicator { table, .. }
            | CellKey::Field { table, .. }
            | CellKey::Text { table, .. } => table,
        }
    }
}

/// A grid figure: `row` empty is the block's total row.
pub fn grid<'a>(table: &'a str, block: usize, row: &'a str, col: &'a str) -> CellKey<'a> {
    CellKey::Grid {
        table,
        block,
        row,
        col,
    }
}

/// A fixed line of a two-sided table, in column `col`.
pub fn line<'a>(table: &'a str, line: &'a str, col: &'a str) -> CellKey<'a> {
    CellKey::Line { table, line, col }
}

/// An expenditure line of a two-sided table (`col` a column id or [`LABEL`]).
pub fn expenditure<'a>(table: &'a str, index: usize, col: &'a str) -> CellKey<'a> {
    CellKey::Expenditure { table, index, col }
}

/// A task of the form (`col` an amount id or [`LABEL`]).
pub fn task<'a>(table: &'a str, index: usize, col: &'a str) -> CellKey<'a> {
    CellKey::Task { table, index, col }
}

/// The 金额合计 row of the form.
pub fn sum<'a>(table: &'a str, col: &'a str) -> CellKey<'a> {
    CellKey::Sum { table, col }
}

/// An indicator row of the form.
pub fn indicator(table: &str, index: usize) -> CellKey<'_> {
    CellKey::Indicator { table, index }
}

/// A named field of the form.
pub fn field<'a>(table: &'a str, field: &'a str) -> CellKey<'a> {
    CellKey::Field { table, field }
}

/// The sheet and (row, column) of a location as findings print it
/// (`'表3 支出总表'!D9`).
pub fn parse_location(s: &str) -> Option<(String, (u32, u32))> {
    let (sheet, cell) = s.rsplit_once('!')?;
    let sheet = sheet
        .strip_prefix('\'')
        .and_then(|x| x.strip_suffix('\''))
        .unwrap_or(sheet)
        .replace("''", "'");
    Some((sheet, crate::text::parse_cell_address(cell)?))
}

/// A line of a narrative sheet's text.
pub fn text_line(table: &str, line: usize) -> CellKey<'_> {
    CellKey::Text { table, line }
}

/// Records `at` for `name` unless it has a place already; whether `at` is
/// the place it has.
fn first_place(places: &mut HashMap<Box<str>, u32>, name: &str, at: u32) -> bool {
    match places.get(name) {
        Some(&p) => p == at,
        None => {
            places.insert(name.into(), at);
            true
        }
    }
}

/// Figure → cell.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    grids: HashMap<Box<str>, GridSource>,
    /// Cells of the other tables, and any grid cell off its column's place.
    other: HashMap<Owned, Loc>,
    last_sheet: Option<Arc<str>>,
}

#[derive(Debug, Clone)]
struct GridSource {
    sheet: Arc<str>,
    /// Sheet column of each column id (and of [`LABEL`] for total and other rows).
    cols: HashMap<Box<str>, u32>,
    total_label: Option<u32>,
    blocks: Vec<BlockSource>,
}

#[derive(Debug, Clone, Default)]
struct BlockSource {
    total: Option<u32>,
    rows: HashMap<Box<str>, u32>,
}

/// A [`CellKey`] that owns its names, for the few cells kept one by one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Owned {
    Grid(Box<str>, usize, Box<str>, Box<str>),
    Line(Box<str>, Box<str>, Box<str>),
    Expenditure(Box<str>, usize, Box<str>),
    Task(Box<str>, usize, Box<str>),
    Sum(Box<str>, Box<str>),
    Indicator(Box<str>, usize),
    Field(Box<str>, Box<str>),
    Text(Box<str>, usize),
}

impl Owned {
    fn of(k: &CellKey) -> Owned {
        match *k {
            CellKey::Grid {
                table,
                block,
                row,
                col,
            } => Owned::Grid(table.into(), block, row.into(), col.into()),
            CellKey::Line { table, line, col } => {
                Owned::Line(table.into(), line.into(), col.into())
            }
            CellKey::Expenditure { table, index, col } => {
                Owned::Expenditure(table.into(), index, col.into())
            }
            CellKey::Task { table, index, col } => Owned::Task(table.into(), index, col.into()),
            CellKey::Sum { table, col } => Owned::Sum(table.into(), col.into()),
            CellKey::Indicator { table, index } => Owned::Indicator(table.into(), index),
            CellKey::Field { table, field } => Owned::Field(table.into(), field.into()),
            CellKey::Text { table, line } => Owned::Text(table.into(), line),
        }
    }

    fn key(&self) -> CellKey<'_> {
        match self {
            Owned::Grid(t, b, r, c) => grid(t, *b, r, c),
            Owned::Line(t, l, c) => line(t, l, c),
            Owned::Expenditure(t, i, c) => expenditure(t, *i, c),
            Owned::Task(t, i, c) => task(t, *i, c),
            Owned::Sum(t, c) => sum(t, c),
            Owned::Indicator(t, i) => indicator(t, *i),
            Owned::Field(t, f) => field(t, f),
            Owned::Text(t, l) => text_line(t, *l),
        }
    }
}

impl SourceMap {
    /// Records that `key` was read at (`row`, `col`) of `sheet`.
    pub fn insert(&mut self, key: CellKey, sheet: &str, row: u32, col: u32) {
        let sheet = self.shared(sheet);
        if let CellKey::Grid {
            table,
            block,
            row: key_row,
            col: key_col,
        } = key
        {
            if self.place_grid(table, block, key_row, key_col, &sheet, row, col) {
                return;
            }
        }
        self.other.insert(Owned::of(&key), Loc { sheet, row, col });
    }

    fn shared(&mut self, sheet: &str) -> Arc<str> {
        match &self.last_sheet {
            Some(s) if **s == *sheet => s.clone(),
            _ => {
                let s: Arc<str> = sheet.into();
                self.last_sheet = Some(s.clone());
                s
            }
        }
    }

    /// Keeps a grid cell in its table's structure; false when it does not fit
    /// there (another sheet, or its column seen at another place).
    #[allow(clippy::too_many_arguments)]
    fn place_grid(
        &mut self,
        table: &str,
        block: usize,
        key_row: &str,
        key_col: &str,
        sheet: &Arc<str>,
        row: u32,
        col: u32,
    ) -> bool {
        // A cell's names are almost always known already: looked up before
        // an owned key is made, so that most cells allocate nothing.
        if !self.grids.contains_key(table) {
            self.grids.insert(
                table.into(),
                GridSource {
                    sheet: sheet.clone(),
                    cols: HashMap::new(),
                    total_label: None,
                    blocks: Vec::new(),
                },
            );
        }
        let Some(g) = self.grids.get_mut(table) else {
            return false;
        };
        if !Arc::ptr_eq(&g.sheet, sheet) && g.sheet != *sheet {
            return false;
        }
        let fits = if key_row.is_empty() && key_col == LABEL {
            *g.total_label.get_or_insert(col) == col
        } else {
            first_place(&mut g.cols, key_col, col)
        };
        if !fits {
            return false;
        }
        if g.blocks.len() <= block {
            g.blocks.resize_with(block + 1, BlockSource::default);
        }
        let b = &mut g.blocks[block];
        if key_row.is_empty() {
            *b.total.get_or_insert(row) == row
        } else {
            first_place(&mut b.rows, key_row, row)
        }
    }

    /// Takes in the cells recorded by another map (another table's).
    pub fn extend(&mut self, other: SourceMap) {
        for (k, v) in other.grids {
            self.grids.entry(k).or_insert(v);
        }
        self.other.extend(other.other);
    }

    /// The cell `key` was read from.
    pub fn get(&self, key: &CellKey) -> Option<Loc> {
        if !self.other.is_empty() {
            if let Some(l) = self.other.get(&Owned::of(key)) {
                return Some(l.clone());
            }
        }
        let CellKey::Grid {
            table,
            block,
            row,
            col,
        } = *key
        else {
            return None;
        };
        let g = self.grids.get(table)?;
        let b = g.blocks.get(block)?;
        let (r, c) = if row.is_empty() {
            let c = if col == LABEL {
                g.total_label?
            } else {
                *g.cols.get(col)?
            };
            (b.total?, c)
        } else {
            (*b.rows.get(row)?, *g.cols.get(col)?)
        };
        Some(Loc {
            sheet: g.sheet.clone(),
            row: r,
            col: c,
        })
    }

    /// Number of cells recorded.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    pub fn is_empty(&self) -> bool {
        self.grids.is_empty() && self.other.is_empty()
    }

    /// Every recorded cell, sorted by key (for tests and tools that walk all figures).
    pub fn entries(&self) -> Vec<(CellKey<'_>, Loc)> {
        let mut out: Vec<(CellKey<'_>, Loc)> = self
            .other
            .iter()
            .map(|(k, l)| (k.key(), l.clone()))
            .collect();
        for (t, g) in &self.grids {
            for (bi, b) in g.blocks.iter().enumerate() {
                let rows = b
                    .total
                    .iter()
                    .map(|r| ("", *r))
                    .chain(b.rows.iter().map(|(k, r)| (&**k, *r)));
                for (key, r) in rows {
                    let label = if key.is_empty() {
                        g.total_label
                    } else {
                        g.cols.get(LABEL).copied()
                    };
                    let cols = g
                        .cols
                        .iter()
                        .filter(|(c, _)| &***c != LABEL)
                        .map(|(c, n)| (&**c, *n))
                        .chain(label.map(|n| (LABEL, n)));
                    for (c, n) in cols {
                        let k = grid(t, bi, key, c);
                        if !self.other.contains_key(&Owned::of(&k)) {
                            out.push((
                                k,
                                Loc {
                                    sheet: g.sheet.clone(),
                                    row: r,
                                    col: n,
                                },
                            ));
                        }
                    }
                }
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_cells_are_found_from_rows_and_columns() {
        let mut m = SourceMap::default();
        m.insert(grid("t03", 0, "", "total"), "表3", 5, 3);
        m.insert(grid("t03", 0, "", LABEL), "表3", 5, 0);
        m.insert(grid("t03", 0, "201", "total"), "表3", 6, 3);
        m.insert(grid("t03", 0, "201", LABEL), "表3", 6, 1);
        m.insert(grid("t03", 1, "201", "total"), "表3", 9, 3);
        let at = |m: &SourceMap, k| m.get(&k).map(|l| (l.row, l.col));
        assert_eq!(at(&m, grid("t03", 0, "", "total")), Some((5, 3)));
        assert_eq!(at(&m, grid("t03", 0, "", LABEL)), Some((5, 0)));
        assert_eq!(at(&m, grid("t03", 0, "201", LABEL)), Some((6, 1)));
        assert_eq!(at(&m, grid("t03", 1, "201", "total")), Some((9, 3)));
        assert_eq!(at(&m, grid("t03", 1, "202", "total")), None);
        // A cell off its column's place is kept on its own.
        m.insert(grid("t03", 1, "202", "total"), "表3", 10, 4);
        assert_eq!(at(&m, grid("t03", 1, "202", "total")), Some((10, 4)));
        assert_eq!(m.len(), 7);
    }
}
