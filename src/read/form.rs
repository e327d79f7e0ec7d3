//! Table 12, the performance-target form: found by its labels, not by fixed cells.

use super::cells::Ctx;
use super::header::{clean_label, is_note};
use super::sheet::Sheet;
use super::Found;
use crate::diag::Diagnostic;
use crate::model::{FormTable, Indicator, Task};
use crate::source::{self, SourceMap};
use crate::spec::{FormSpec, TableSpec};
use crate::text::{match_pattern, norm};

pub(crate) struct FormInfo {
    pub department: Option<String>,
    pub year: Option<i32>,
}

/// Column of the first cell on `row` whose normalized text is `label`.
fn find_in_row(sheet: &Sheet, row: u32, label: &str) -> Option<u32> {
    let l = norm(label);
    sheet
        .row_cells(row)
        .find(|(_, c)| norm(&c.text()) == l)
        .map(|(c, _)| c)
}

/// The first non-empty cell right of `col` on `row`, unless it is the next label.
fn value_right(sheet: &Sheet, row: u32, col: u32, labels: &[&str]) -> String {
    sheet
        .row_cells(row)
        .find(|(c, _)| *c > col)
        .map(|(_, x)| x.text().trim().to_string())
        .filter(|v| !labels.iter().any(|l| norm(l) == norm(v)))
        .unwrap_or_default()
}

fn find_row(sheet: &Sheet, rows: std::ops::Range<u32>, label: &str) -> Option<(u32, u32)> {
    rows.into_iter()
        .find_map(|r| find_in_row(sheet, r, label).map(|c| (r, c)))
}

pub(crate) fn read(
    sheet: &Sheet,
    spec: &TableSpec,
    f: &Found,
    diags: &mut Vec<Diagnostic>,
    sources: &mut SourceMap,
) -> Option<(FormTable, FormInfo)> {
    let fs: &FormSpec = spec.form()?;
    let table = spec.sheet_name();
    let rows = f.title_row + 1..f.end_row;
    let missing = |diags: &mut Vec<Diagnostic>, what: &str, row: u32| {
        diags.push(
            crate::read::rules::FORM
                .finding(format!("{table}中找不到“{what}”"))
                .table(table.clone())
                .at(&sheet.name, row, 0)
                .hint("请按 budget-tables template 生成的模板恢复该表的栏目文字"),
        );
    };

    let title_text = norm(&sheet.get(f.title_row, f.title_col).text());
    // The plain title (blank template) names no department.
    let title_caps = (title_text != norm(&spec.title))
        .then(|| match_pattern(&norm(spec.printed_title()), &title_text))
        .flatten();
    let year_pat = norm(&fs.year_line);
    let mut year = None;
    let mut declared = None;
    for r in rows.clone().take(4) {
        for (_, c) in sheet.row_cells(r) {
            let n = norm(&c.text());
            if n.len() >= year_pat.len() {
                let head: String = n.chars().take(fs.year_line.chars().count() + 2).collect();
                for end in (0..=head.len()).rev().filter(|e| head.is_char_boundary(*e)) {
                    if let Some(caps) = match_pattern(&year_pat, &head[..end]) {
                        year = caps.year;
                        break;
                    }
                }
            }
            if let Some(p) = n.find("单位:") {
                let rest = &n[p + "单位:".len()..];
                if rest.starts_with('元') {
                    declared = Some(crate::spec::Unit::Yuan);
                } else if rest.starts_with("万元") {
                    declared = Some(crate::spec::Unit::Wan);
                }
            }
        }
    }

    let mut t = FormTable::default();
    let Some((unit_row, unit_col)) = find_row(sheet, rows.clone(), &fs.unit_label) else {
        missing(diags, &fs.unit_label, f.title_row);
        return None;
    };
    let labels = [
        fs.unit_label.as_str(),
        fs.supervisor_label.as_str(),
        fs.goal_label.as_str(),
    ];
    t.unit_name = value_right(sheet, unit_row, unit_col, &labels);
    if let Some((r, c)) = find_row(sheet, rows.clone(), &fs.supervisor_label) {
        let v = value_right(sheet, r, c, &labels);
        t.supervisor = v;
    }

    let mut ctx = Ctx::new(
        sheet,
        (&spec.id, &table),
        (declared, spec.unit),
        diags,
        sources,
    );
    let Some((task_row, name_col)) = find_row(sheet, rows.clone(), &fs.task_name_label) else {
        missing(ctx.diags, &fs.task_name_label, unit_row);
        return None;
    };
    let content_col = find_in_row(sheet, task_row, &fs.task_content_label);
    let amount_row =
        (task_row..f.end_row).find(|&r| find_in_row(sheet, r, &fs.amounts[0].label).is_some());
    let amount_cols: Vec<(std::sync::Arc<str>, u32)> = match amount_row {
        Some(ar) => fs
            .amounts
            .iter()
            .filter_map(|a| find_in_row(sheet, ar, &a.label).map(|c| (a.id.as_str().into(), c)))
            .collect(),
        None => Vec::new(),
    };
    let (Some(amount_row), true) = (amount_row, amount_cols.len() == fs.amounts.len()) else {
        missing(ctx.diags, &fs.amount_group_label, task_row);
        return None;
    };
    let sum_row = find_row(sheet, amount_row + 1..f.end_row, &fs.sum_label).map(|(r, _)| r);
    let tasks_end = sum_row.unwrap_or(f.end_row);
    for r in amount_row + 1..tasks_end {
        if sheet.row_is_blank(r) || is_note(sheet, r) {
            continue;
        }
        let name = ctx.label(r, Some(&name_col));
        let content = ctx.label(r, content_col.as_ref());
        let amounts = ctx.amounts(r, &amount_cols);
        if name.is_empty() && content.is_empty() && amounts.values().all(Option::is_none) {
            continue;
        }
        if name.is_empty() {
            ctx.error(
                &crate::read::rules::NAME_MISSING,
                "年度主要任务缺少任务名称".into(),
                r,
                name_col,
                "请填写任务名称",
            );
        }
        let i = t.tasks.len();
        for (id, c) in &amount_cols {
            ctx.record(source::task(&spec.id, i, id), r, *c);
        }
        ctx.record(source::task(&spec.id, i, source::LABEL), r, name_col);
        t.tasks.push(Task {
            name,
            content,
            amounts,
        });
    }
    match sum_row {
        Some(sr) => {
            t.sum = ctx.amounts(sr, &amount_cols);
            for (id, c) in &amount_cols {
                ctx.record(source::sum(&spec.id, id), sr, *c);
            }
        }
        None => {
            missing(ctx.diags, &fs.sum_label, tasks_end.saturating_sub(1));
            t.sum = fs.amounts.iter().map(|a| (a.id.clone(), None)).collect();
        }
    }

    let after_sum = sum_row.map_or(amount_row + 1, |r| r + 1);
    if let Some((r, c)) = find_row(sheet, after_sum..f.end_row, &fs.goal_label) {
        t.goal = value_right(sheet, r, c, &labels);
    } else {
        missing(ctx.diags, &fs.goal_label, after_sum);
    }
    let ind = &fs.indicator_labels;
    let ind_row = (after_sum..f.end_row).find(|&r| find_in_row(sheet, r, &ind[0]).is_some());
    match ind_row {
        Some(ir) => {
            let cols: Vec<Option<u32>> = ind.iter().map(|l| find_in_row(sheet, ir, l)).collect();
            let (mut l1, mut l2) = (String::new(), String::new());
            for r in ir + 1..f.end_row {
                if sheet.row_is_blank(r) || is_note(sheet, r) {
                    continue;
                }
                let get = |i: usize| {
                    cols[i]
                        .map(|c| clean_label(&sheet.get(r, c).text()))
                        .unwrap_or_default()
                };
                let (a, b, c, d) = (get(0), get(1), get(2), get(3));
                if !a.is_empty() {
                    l1 = a;
                    l2.clear();
                }
                if !b.is_empty() {
                    l2 = b;
                }
                if c.is_empty() && d.is_empty() {
                    continue;
                }
                ctx.record(
                    source::indicator(&spec.id, t.indicators.len()),
                    r,
                    cols[2].or(cols[3]).unwrap_or(0),
                );
                t.indicators.push(Indicator {
                    level1: l1.clone(),
                    level2: l2.clone(),
                    level3: c,
                    target: d,
                });
            }
        }
        None => missing(ctx.diags, &ind[0], after_sum),
    }
    let department = title_caps
        .and_then(|c| c.department)
        .or_else(|| Some(t.unit_name.clone()).filter(|u| !u.is_empty()));
    Some((t, FormInfo { department, year }))
}
