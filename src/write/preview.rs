//! The official tables as a web page shows them: each sheet of the official
//! workbook read back (texts, figures as printed, merged cells), with every
//! finding placed at the published cell it concerns.
//!
//! Read back rather than drawn again, so that the page shows exactly what
//! the workbook prints, header tree included. A finding is placed by the
//! labels it carries (its table, its row's code and name, its column's
//! header path); one that names no such cell stays with its table.

use serde::Serialize;

use super::frame::HEADER_ROW;
use crate::diag::Diagnostic;
use crate::read::sheet::{Cell, Sheet};
use crate::spec::{SpecSet, TableSpec, Unit};

/// What a page shows of one published workbook.
#[derive(Debug, Serialize)]
pub struct Preview {
    pub tables: Vec<PreviewTable>,
    /// Findings that name no table (indices into the findings given).
    pub workbook_findings: Vec<usize>,
}

/// One published sheet.
#[derive(Debug, Serialize)]
pub struct PreviewTable {
    pub name: String,
    /// Rows of cells; a cell covered by a merge is left out, as in HTML.
    pub rows: Vec<Vec<PreviewCell>>,
    /// Findings of this table not placed at a cell.
    pub findings: Vec<usize>,
}

/// One cell as printed.
#[derive(Debug, Serialize)]
pub struct PreviewCell {
    pub text: String,
    #[serde(skip_serializing_if = "is_one")]
    pub rowspan: u32,
    #[serde(skip_serializing_if = "is_one")]
    pub colspan: u32,
    pub kind: CellKind,
    /// Findings placed here (indices into the findings given).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<usize>,
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

/// How a cell is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CellKind {
    /// Above the header: 表N mark, title, unit line.
    Title,
    Head,
    Label,
    Amount,
}

/// The preview of `official` (bytes written by [`super::official::workbook_bytes`]
/// for `specs`), with `findings` placed.
///
/// # Errors
/// The bytes cannot be read back as a workbook (never for the writer's own output).
pub fn preview(
    official: &[u8],
    specs: &SpecSet,
    findings: &[Diagnostic],
) -> Result<Preview, crate::read::ReadError> {
    let sheets = crate::read::sheet::load_bytes(official, "公开报表")?;
    let mut tables: Vec<PreviewTable> = sheets
        .iter()
        .map(|sheet| {
            let spec = specs.tables.iter().find(|s| s.sheet_name() == sheet.name);
            draw(sheet, spec)
        })
        .collect();
    let mut workbook_findings = Vec::new();
    for (i, d) in findings.iter().enumerate() {
        let Some(t) = d
            .table
            .as_deref()
            .and_then(|name| tables.iter_mut().find(|t| t.name == name))
        else {
            workbook_findings.push(i);
            continue;
        };
        match place(t, d) {
            Some((r, c)) => t.rows[r][c].findings.push(i),
            None => t.findings.push(i),
        }
    }
    Ok(Preview {
        tables,
        workbook_findings,
    })
}

/// The cells of one sheet, merges applied; `spec` tells where its header is.
fn draw(sheet: &Sheet, spec: Option<&TableSpec>) -> PreviewTable {
    let width = sheet
        .rows()
        .iter()
        .map(Vec::len)
        .chain(sheet.merges.iter().map(|m| m.end.1 as usize + 1))
        .max()
        .unwrap_or(0);
    let head_end = spec.map_or(0, |s| HEADER_ROW + s.depth() as u32);
    // A 元 table prints whole amounts without decimals only when all are whole.
    let yuan = spec.is_some_and(|s| s.unit == Unit::Yuan)
        && sheet
            .rows()
            .iter()
            .skip(head_end as usize)
            .flatten()
            .all(|c| match c {
                Cell::Number(v) => crate::amount::from_f64(*v).is_ok_and(|d| d.fract().is_zero()),
                _ => true,
            });
    let mut rows = Vec::new();
    for (r, row) in sheet.rows().iter().enumerate() {
        let r = r as u32;
        let mut out = Vec::new();
        for c in 0..width as u32 {
            let merge = sheet
                .merges
                .iter()
                .find(|m| (m.start.0..=m.end.0).contains(&r) && (m.start.1..=m.end.1).contains(&c));
            if merge.is_some_and(|m| m.start != (r, c)) {
                continue;
            }
            let (rowspan, colspan) = merge.map_or((1, 1), |m| {
                (m.end.0 - m.start.0 + 1, m.end.1 - m.start.1 + 1)
            });
            let cell = row.get(c as usize).unwrap_or(&Cell::Empty);
            let kind = match cell {
                _ if r < HEADER_ROW && spec.is_some() => CellKind::Title,
                _ if r < head_end => CellKind::Head,
                Cell::Number(_) | Cell::Int(_) => CellKind::Amount,
                _ => CellKind::Label,
            };
            out.push(PreviewCell {
                text: printed(cell, yuan),
                rowspan,
                colspan,
                kind,
                findings: Vec::new(),
            });
        }
        rows.push(out);
    }
    PreviewTable {
        name: sheet.name.clone(),
        rows,
        findings: Vec::new(),
    }
}

/// A cell's text as the workbook prints it: amounts grouped with two
/// decimals (a whole 元 amount without them).
fn printed(cell: &Cell, yuan: bool) -> String {
    let amount = match cell {
        Cell::Number(v) => crate::amount::from_f64(*v).ok(),
        Cell::Int(i) => Some(rust_decimal::Decimal::from(*i)),
        Cell::Empty => return String::new(),
        Cell::Text(s) | Cell::Date(s) | Cell::Error(s) | Cell::FormulaNoValue(s) => {
            return s.clone()
        }
        Cell::Bool(b) => return b.to_string(),
    };
    match amount {
        Some(d) if yuan && d.fract().is_zero() => crate::amount::grouped_whole(d),
        Some(d) => crate::amount::grouped(crate::amount::Amount::round(d)),
        None => String::new(),
    }
}

/// The (row, index in row) of the cell a finding concerns: the row whose
/// labels print the finding's row label, in the column whose header path is
/// the finding's column label (or the row's label cell when it names none).
fn place(t: &PreviewTable, d: &Diagnostic) -> Option<(usize, usize)> {
    let wanted = squeeze(d.row_label.as_deref()?);
    let header = headers(t);
    for (r, row) in t.rows.iter().enumerate() {
        let mut col = 0u32;
        // The labels read so far in this row (a side-by-side table has two runs).
        let mut label = String::new();
        let mut label_at = None;
        for (i, cell) in row.iter().enumerate() {
            match cell.kind {
                CellKind::Label => {
                    if label_at.is_none() || !matches!(row[i - 1].kind, CellKind::Label) {
                        label.clear();
                        label_at = Some(i);
                    }
                    label.push_str(&squeeze(&cell.text));
                }
                CellKind::Amount | CellKind::Head | CellKind::Title => {}
            }
            let fits = label_at.is_some() && same_row(&label, &wanted);
            if fits {
                match d.column_label.as_deref() {
                    // No column named: the row's figure (a two-sided table's
                    // line has one), else its label.
                    None if cell.kind == CellKind::Amount => return Some((r, i)),
                    None if row.get(i + 1).is_none_or(|n| n.kind == CellKind::Label) => {
                        return label_at.map(|a| (r, a))
                    }
                    Some(c) if header.get(col as usize).is_some_and(|h| same_column(h, c)) => {
                        return Some((r, i))
                    }
                    _ => {}
                }
            }
            col += cell.colspan;
        }
    }
    None
}

/// Each column's header path (`2024年预算/财政拨款/小计`), from the header rows.
fn headers(t: &PreviewTable) -> Vec<String> {
    let mut paths: Vec<Vec<String>> = Vec::new();
    let mut covered: Vec<u32> = Vec::new();
    for row in t
        .rows
        .iter()
        .filter(|r| r.iter().any(|c| c.kind == CellKind::Head))
    {
        let mut col = 0usize;
        for cell in row {
            // Skip the columns a cell from a row above still covers.
            while covered.get(col).is_some_and(|&n| n > 0) {
                col += 1;
            }
            for c in col..col + cell.colspan as usize {
                if paths.len() <= c {
                    paths.resize(c + 1, Vec::new());
                    covered.resize(c + 1, 0);
                }
                if !cell.text.is_empty() {
                    paths[c].push(cell.text.clone());
                }
                covered[c] = cell.rowspan;
            }
            col += cell.colspan as usize;
        }
        for n in &mut covered {
            *n = n.saturating_sub(1);
        }
    }
    paths.into_iter().map(|p| p.join("/")).collect()
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Whether printed labels `printed` are the row a finding names: the same
/// code and name, the same code, or (a total) the unit's name.
fn same_row(printed: &str, wanted: &str) -> bool {
    if printed.is_empty() {
        return false;
    }
    if printed == wanted {
        return true;
    }
    let code = |s: &str| {
        s.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
    };
    let (a, b) = (code(printed), code(wanted));
    if a.len() >= 3 && a == b {
        return true;
    }
    // A table printing names only (`十、卫生健康支出`) for a coded row (`210 卫生健康支出`).
    let name = |s: &str| crate::text::strip_numbering(&crate::text::norm(s)).to_string();
    if a.is_empty() && b.len() >= 3 {
        return name(printed) == name(&wanted[b.len()..]);
    }
    let total = wanted.strip_suffix("合计").unwrap_or(wanted);
    a.is_empty() && b.is_empty() && (printed == total || name(printed) == name(total))
}

fn same_column(path: &str, label: &str) -> bool {
    let label = squeeze(label);
    squeeze(path) == label
        || path
            .rsplit('/')
            .next()
            .is_some_and(|leaf| squeeze(leaf) == label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_row_is_found_by_its_code_and_a_total_by_its_unit() {
        assert!(same_row(
            "20103政府办公厅(室)及相关机构事务",
            "20103政府办公厅(室)及相关机构事务"
        ));
        assert!(same_row(
            "20103政府办公厅（室）及相关机构事务（款）",
            "20103政府办公厅(室)及相关机构事务"
        ));
        assert!(!same_row(
            "2010301行政运行",
            "20103政府办公厅(室)及相关机构事务"
        ));
        assert!(same_row("某局(本级)", "某局(本级)合计"));
        assert!(same_row("十、卫生健康支出", "210卫生健康支出"));
        assert!(!same_row("十一、城乡社区支出", "210卫生健康支出"));
        assert!(!same_row("", "合计"));
    }

    #[test]
    fn a_column_is_found_by_its_path_or_its_leaf() {
        assert!(same_column(
            "2024年预算/财政拨款/小计",
            "2024年预算/财政拨款/小计"
        ));
        assert!(same_column("本年支出/基本支出", "基本支出"));
        assert!(!same_column("本年支出/项目支出", "基本支出"));
    }
}
