//! Where each figure of a model was read from, so that findings about the
//! model can name the workbook cell. A model read from JSON has none.

use std::collections::HashMap;
use std::sync::Arc;

/// A cell of a workbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loc {
    /// Shared by every cell of the sheet: a map holds thousands of cells.
    pub sheet: Arc<str>,
    pub row: u32,
    pub col: u32,
}

/// The label pseudo-column of a row (its 科目编码 or name cell).
pub const LABEL: &str = "@label";

/// Figure → cell.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    map: HashMap<String, Loc>,
    last_sheet: Option<Arc<str>>,
}

impl SourceMap {
    pub fn insert(&mut self, key: String, sheet: &str, row: u32, col: u32) {
        let sheet = match &self.last_sheet {
            Some(s) if **s == *sheet => s.clone(),
            _ => {
                let s: Arc<str> = sheet.into();
                self.last_sheet = Some(s.clone());
                s
            }
        };
        self.map.insert(key, Loc { sheet, row, col });
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Room for `n` more cells.
    pub fn reserve(&mut self, n: usize) {
        self.map.reserve(n);
    }

    /// Takes in the cells recorded by another map (another table's).
    pub fn extend(&mut self, other: SourceMap) {
        self.map.extend(other.map);
    }

    pub fn get(&self, key: &str) -> Option<&Loc> {
        self.map.get(key)
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// A grid figure: `key` empty is the block's total row.
pub fn grid(table: &str, block: usize, key: &str, col: &str) -> String {
    // Built for every figure read: plain pushes, not the formatting machinery.
    let mut s = String::with_capacity(table.len() + key.len() + col.len() + 8);
    s.push_str(table);
    s.push('|');
    match u8::try_from(block) {
        Ok(b) if b < 10 => s.push(char::from(b'0' + b)),
        _ => s.push_str(&block.to_string()),
    }
    s.push('|');
    s.push_str(key);
    s.push('|');
    s.push_str(col);
    s
}

/// A fixed line of a two-sided table.
pub fn line(table: &str, id: &str) -> String {
    format!("{table}|line|{id}")
}

/// An expenditure line of a two-sided table (`col` is `amount` or [`LABEL`]).
pub fn expenditure(table: &str, index: usize, col: &str) -> String {
    format!("{table}|exp|{index}|{col}")
}

/// A task of the form (`col` an amount id or [`LABEL`]).
pub fn task(table: &str, index: usize, col: &str) -> String {
    format!("{table}|task|{index}|{col}")
}

/// The 金额合计 row of the form.
pub fn sum(table: &str, col: &str) -> String {
    format!("{table}|sum|{col}")
}

/// An indicator row of the form.
pub fn indicator(table: &str, index: usize) -> String {
    format!("{table}|ind|{index}")
}

impl SourceMap {
    /// Every recorded key, sorted (for tests and tools that walk all figures).
    pub fn keys(&self) -> Vec<&str> {
        let mut k: Vec<&str> = self.map.keys().map(String::as_str).collect();
        k.sort_unstable();
        k
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_keys_name_table_block_row_and_column() {
        assert_eq!(grid("t03", 0, "20103", "total"), "t03|0|20103|total");
        assert_eq!(grid("t05", 12, "", LABEL), "t05|12||@label");
    }
}
