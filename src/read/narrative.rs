//! The narrative sheets of a layout (部门编制说明, 其他相关情况说明 …): their
//! text, kept in the model for the features that will quote it.

use indexmap::IndexMap;

use super::sheet::Sheet;
use crate::source::{self, SourceMap};
use crate::spec::SpecSet;
use crate::text::{match_pattern, norm};

/// The paragraphs of each narrative sheet present (empty when it has none),
/// by its declared name; the
/// heading (the sheet's declared title, any department) left out. The cell of
/// each line goes into `sources` (`source::text_line`, by line number).
pub(crate) fn read(
    sheets: &[Sheet],
    specs: &SpecSet,
    sources: &mut SourceMap,
) -> IndexMap<String, String> {
    let mut out = IndexMap::new();
    for t in specs.layout.text_sheets.iter().filter(|t| t.narrative) {
        let Some(sheet) = sheets.iter().find(|s| norm(&s.name) == norm(&t.name)) else {
            continue;
        };
        let mut lines = paragraphs(sheet);
        let heading = norm(&t.title);
        // A blank template prints the title without a department (`主要职能`).
        let unnamed = heading.replace("{department}", "");
        if lines.first().is_some_and(|(l, _, _)| {
            let l = norm(l);
            match_pattern(&heading, &l).is_some()
                || l == heading
                || match_pattern(&unnamed, &l).is_some()
        }) {
            lines.remove(0);
        }
        // A sheet present but empty is kept, empty: its chapter is then
        // flagged as empty, not as missing.
        for (i, (_, row, col)) in lines.iter().enumerate() {
            sources.insert(source::text_line(&t.name, i), &sheet.name, *row, *col);
        }
        let text: Vec<&str> = lines.iter().map(|(l, _, _)| l.as_str()).collect();
        out.insert(t.name.clone(), text.join("\n"));
    }
    out
}

/// The lines of the layout's cover sheet (`[document] cover_sheet`), when
/// the workbook has it filled: the cover as the department prints it.
pub(crate) fn cover(sheets: &[Sheet], specs: &SpecSet) -> Vec<String> {
    let Some(name) = &specs.layout.document.cover_sheet else {
        return Vec::new();
    };
    sheets
        .iter()
        .find(|s| norm(&s.name) == norm(name))
        .map(|s| {
            paragraphs(s)
                .into_iter()
                .map(|(l, _, _)| l.trim().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The year a workbook's cover states (`…2024年度部门决算`), when no table
/// does: the first line of a sheet that holds no table matching one of the
/// layout's cover lines (`cover_department`, `[document] cover`) with a year.
pub(crate) fn cover_year(
    sheets: &[Sheet],
    tables: &[usize],
    specs: &SpecSet,
) -> Option<(String, String)> {
    let layout = &specs.layout;
    let patterns: Vec<String> = layout
        .cover_department
        .iter()
        .chain(&layout.document.cover)
        .filter(|p| p.contains("{year}"))
        .map(|p| norm(p))
        .collect();
    sheets
        .iter()
        .enumerate()
        .filter(|(i, _)| !tables.contains(i))
        .find_map(|(_, s)| {
            paragraphs(s).into_iter().find_map(|(line, _, _)| {
                let n = norm(&line);
                let year = patterns
                    .iter()
                    .find_map(|p| crate::text::match_pattern(p, &n)?.year)?;
                Some((year.to_string(), s.name.clone()))
            })
        })
}

/// Every non-blank line of every cell with the cell's row and column, in
/// reading order, trailing spaces cut.
fn paragraphs(sheet: &Sheet) -> Vec<(String, u32, u32)> {
    let mut lines = Vec::new();
    for r in 0..sheet.height() {
        for (col, c) in sheet.row_cells(r) {
            let text = c.text();
            lines.extend(
                text.lines()
                    .map(str::trim_end)
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| (l.to_string(), r, col)),
            );
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::sheet::Cell;

    #[test]
    fn the_heading_goes_and_the_paragraphs_stay() {
        let specs = SpecSet::builtin_layout("shanghai-budget-department").unwrap();
        let sheet = Sheet::new(
            "部门编制说明",
            vec![
                vec![Cell::Text("2024年部门预算编制说明".into())],
                vec![],
                vec![Cell::Text(
                    "    2024年，收入预算15621.11万元。\n\n    支出预算15621.11万元。  ".into(),
                )],
            ],
            Vec::new(),
        );
        let mut sources = SourceMap::default();
        let texts = read(&[sheet], &specs, &mut sources);
        assert_eq!(
            texts["部门编制说明"],
            "    2024年，收入预算15621.11万元。\n    支出预算15621.11万元。"
        );
        let at = |i| {
            sources
                .get(&source::text_line("部门编制说明", i))
                .unwrap()
                .to_string()
        };
        assert_eq!(
            (at(0), at(1)),
            ("'部门编制说明'!A3".into(), "'部门编制说明'!A3".into())
        );
    }
}
