//! The header block of a table as cells with their merges, computed from the
//! spec's column paths: consecutive columns sharing a group label merge
//! across; a leaf shorter than the header depth merges down to the last row.

use crate::spec::TableSpec;
use crate::text;

/// One header cell, 0-based within the header block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderCell {
    pub first_row: u32,
    pub last_row: u32,
    pub first_col: u16,
    pub last_col: u16,
    pub text: String,
}

/// The header cells of `spec` with `{year}` filled in.
pub fn header_cells(spec: &TableSpec, year: i32) -> Vec<HeaderCell> {
    let depth = spec.depth();
    let paths: Vec<Vec<String>> = spec
        .printed_columns()
        .iter()
        .map(|c| c.path.iter().map(|l| text::fill(l, year, "")).collect())
        .collect();
    let mut cells = Vec::new();
    for h in 0..depth {
        let mut c = 0;
        while c < paths.len() {
            let p = &paths[c];
            if p.len() <= h {
                c += 1;
                continue;
            }
            if h + 1 == p.len() {
                cells.push(HeaderCell {
                    first_row: h as u32,
                    last_row: depth as u32 - 1,
                    first_col: c as u16,
                    last_col: c as u16,
                    text: p[h].clone(),
                });
                c += 1;
                continue;
            }
            let mut end = c;
            while end + 1 < paths.len()
                && paths[end + 1].len() > h + 1
                && paths[end + 1][..=h] == p[..=h]
            {
                end += 1;
            }
            cells.push(HeaderCell {
                first_row: h as u32,
                last_row: h as u32,
                first_col: c as u16,
                last_col: end as u16,
                text: p[h].clone(),
            });
            c = end + 1;
        }
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::SpecSet;

    #[test]
    fn table9_has_its_three_level_header() {
        let specs = SpecSet::builtin().unwrap();
        let cells = header_cells(specs.get("t09").unwrap(), 2024);
        let find = |t: &str| cells.iter().find(|c| c.text == t).unwrap().clone();
        assert_eq!(
            find("预算单位"),
            HeaderCell {
                first_row: 0,
                last_row: 2,
                first_col: 0,
                last_col: 0,
                text: "预算单位".into()
            }
        );
        assert_eq!(
            find("总计"),
            HeaderCell {
                first_row: 0,
                last_row: 0,
                first_col: 2,
                last_col: 4,
                text: "总计".into()
            }
        );
        assert_eq!(
            find("公务用车购置及运行维护费"),
            HeaderCell {
                first_row: 0,
                last_row: 0,
                first_col: 11,
                last_col: 19,
                text: "公务用车购置及运行维护费".into()
            }
        );
        assert_eq!(
            find("公务用车购置费"),
            HeaderCell {
                first_row: 1,
                last_row: 1,
                first_col: 14,
                last_col: 16,
                text: "公务用车购置费".into()
            }
        );
        // 总计's fund columns are leaves one level up: they merge down to the last row.
        let first_fund = cells
            .iter()
            .find(|c| c.first_col == 2 && c.first_row == 1)
            .unwrap();
        assert_eq!(
            (first_fund.last_row, first_fund.text.as_str()),
            (2, "一般公共预算")
        );
        assert_eq!(cells.iter().filter(|c| c.text == "一般公共预算").count(), 6);
    }

    #[test]
    fn year_is_filled() {
        let specs = SpecSet::builtin().unwrap();
        let cells = header_cells(specs.get("t01").unwrap(), 2024);
        assert_eq!(cells.iter().filter(|c| c.text == "2024年预算数").count(), 2);
    }
}
