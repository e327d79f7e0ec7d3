//! Blank cells at scale: a workbook whose zeros were left blank has hundreds
//! of them. Blank is still not zero, but they are reported as one finding per
//! table, with the count and the ranges; every cell stays in `cells`.

use std::collections::BTreeMap;

use crate::diag::Diagnostic;
use crate::source::Loc;
use crate::text::{cell_address, parse_cell_address};

/// How many ranges a message lists before `等`.
const LISTED: usize = 8;

/// Replaces the blank-cell findings of each table by one finding at the place
/// of its first.
pub fn group(found: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut cells: BTreeMap<(String, String), Vec<Loc>> = BTreeMap::new();
    let is_blank = |d: &Diagnostic| d.rule.contains("-BLANK-");
    for d in found.iter().filter(|d| is_blank(d)) {
        let (Some(sheet), Some((row, col))) = (
            d.sheet.as_deref(),
            d.cell.as_deref().and_then(parse_cell_address),
        ) else {
            continue;
        };
        let locs = cells
            .entry((d.rule.clone(), sheet.to_string()))
            .or_default();
        let shared = locs
            .first()
            .map_or_else(|| std::sync::Arc::from(sheet), |l| l.sheet.clone());
        locs.push(Loc {
            sheet: shared,
            row,
            col,
        });
    }
    let mut out = Vec::with_capacity(found.len());
    for d in found {
        if !is_blank(&d) {
            out.push(d);
            continue;
        }
        let key = (d.rule.clone(), d.sheet.clone().unwrap_or_default());
        match cells.remove(&key) {
            Some(locs) if locs.len() > 1 => out.push(summary(d, locs)),
            Some(locs) => {
                let mut d = d;
                d.cells = locs;
                out.push(d);
            }
            // Already summarized by the table's first blank.
            None if d.sheet.is_some() && d.cell.is_some() => {}
            None => out.push(d),
        }
    }
    out
}

fn summary(first: Diagnostic, locs: Vec<Loc>) -> Diagnostic {
    let sheet = first.sheet.clone().unwrap_or_default();
    let ranges = ranges(&locs);
    let shown = ranges
        .iter()
        .take(LISTED)
        .cloned()
        .collect::<Vec<_>>()
        .join("、");
    let more = if ranges.len() > LISTED { " 等" } else { "" };
    let n = locs.len();
    let mut d = Diagnostic::new(
        first.severity,
        &first.rule,
        format!("'{sheet}'!{shown}{more} 共 {n} 个单元格未填写；如为零请填 0"),
    )
    .expected("每个单元格一个金额（没有发生额请填写 0）")
    .actual(format!("{n} 个单元格空白"))
    .hint("空白表示“未填写”，不等于 0；没有发生额请填写 0（--format json 列出每个单元格）");
    d.table = first.table;
    d.sheet = first.sheet;
    d.cell = first.cell;
    d.cells = locs;
    d
}

/// The cells as rectangles (`D7:N30`), top to bottom: each column's runs of
/// rows, then neighbouring columns with the same run joined.
fn ranges(locs: &[Loc]) -> Vec<String> {
    let mut by_col: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for l in locs {
        by_col.entry(l.col).or_default().push(l.row);
    }
    // (first row, last row) → the columns that have exactly that run.
    let mut runs: BTreeMap<(u32, u32), Vec<u32>> = BTreeMap::new();
    for (col, mut rows) in by_col {
        rows.sort_unstable();
        rows.dedup();
        let mut start = rows[0];
        for w in rows.windows(2) {
            if w[1] != w[0] + 1 {
                runs.entry((start, w[0])).or_default().push(col);
                start = w[1];
            }
        }
        runs.entry((start, *rows.last().unwrap_or(&start)))
            .or_default()
            .push(col);
    }
    let mut rects: Vec<(u32, u32, u32, u32)> = Vec::new();
    for ((r1, r2), cols) in runs {
        let mut c1 = cols[0];
        for w in cols.windows(2) {
            if w[1] != w[0] + 1 {
                rects.push((r1, c1, r2, w[0]));
                c1 = w[1];
            }
        }
        rects.push((r1, c1, r2, *cols.last().unwrap_or(&c1)));
    }
    rects.sort_unstable();
    rects
        .into_iter()
        .map(|(r1, c1, r2, c2)| {
            if (r1, c1) == (r2, c2) {
                cell_address(r1, c1)
            } else {
                format!("{}:{}", cell_address(r1, c1), cell_address(r2, c2))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(row: u32, col: u32) -> Loc {
        Loc {
            sheet: "s".into(),
            row,
            col,
        }
    }

    #[test]
    fn a_block_and_a_stray_cell_are_two_ranges() {
        let mut locs: Vec<Loc> = (6..30)
            .flat_map(|r| (3..14).map(move |c| loc(r, c)))
            .collect();
        locs.push(loc(40, 1));
        locs.push(loc(6, 15));
        locs.push(loc(7, 15));
        assert_eq!(ranges(&locs), ["D7:N30", "P7:P8", "B41"]);
    }
}
