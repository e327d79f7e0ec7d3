//! Table 12's form, for the template (blank inputs) and the official workbook.

use rust_xlsxwriter::Worksheet;

use super::frame::{self, put, LINE_ROW, MARK_ROW, TITLE_ROW};
use super::style::Styles;
use super::WriteError;
use crate::model::{FormTable, Indicator};
use crate::spec::TableSpec;
use crate::text::{display_width, fill};

/// Writes the form; `None` writes the blank fill-in version.
pub(crate) fn write(
    ws: &mut Worksheet,
    spec: &TableSpec,
    st: &Styles,
    year: i32,
    department: &str,
    data: Option<&FormTable>,
) -> Result<(), WriteError> {
    let fs = spec
        .form()
        .ok_or_else(|| WriteError::UnknownTable(spec.id.clone()))?;
    let input = data.is_none();
    let (text_f, amount_f, long_f) = if input {
        (&st.input_text, &st.input_amount, &st.input_long_text)
    } else {
        (&st.label, &st.amount, &st.long_text)
    };
    ws.set_name(spec.sheet_name())?;
    for (i, w) in fs.widths.iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    ws.write_string_with_format(MARK_ROW, 0, format!("表{}", spec.number), &st.mark)?;
    put(
        ws,
        (TITLE_ROW, 0, TITLE_ROW, 5),
        &spec.title_for(year, department),
        &st.title,
    )?;
    ws.set_row_height(TITLE_ROW, 36)?;
    ws.write_string_with_format(LINE_ROW, 0, fill(&fs.year_line, year, department), &st.line)?;
    ws.write_string_with_format(
        LINE_ROW,
        5,
        format!("单位{}{}", spec.colon, spec.unit.label()),
        &st.line_right,
    )?;

    let mut r = LINE_ROW + 1;
    let empty = FormTable::default();
    let f = data.unwrap_or(&empty);
    ws.write_string_with_format(r, 0, &fs.unit_label, &st.header)?;
    put(
        ws,
        (r, 1, r, 2),
        if input { department } else { &f.unit_name },
        text_f,
    )?;
    ws.write_string_with_format(r, 3, &fs.supervisor_label, &st.header)?;
    put(ws, (r, 4, r, 5), &f.supervisor, text_f)?;
    let header_top = r;
    r += 1;

    // 年度主要任务
    let task_rows = if input {
        spec.template_rows as usize
    } else {
        f.tasks.len()
    };
    let tasks_first = r;
    put(ws, (r, 1, r + 1, 1), &fs.task_name_label, &st.header)?;
    put(ws, (r, 2, r + 1, 2), &fs.task_content_label, &st.header)?;
    put(ws, (r, 3, r, 5), &fs.amount_group_label, &st.header)?;
    for (i, a) in fs.amounts.iter().enumerate() {
        ws.write_string_with_format(r + 1, 3 + i as u16, &a.label, &st.header)?;
    }
    r += 2;
    for i in 0..task_rows {
        let t = f.tasks.get(i);
        ws.write_string_with_format(r, 1, t.map_or("", |t| t.name.as_str()), text_f)?;
        ws.write_string_with_format(r, 2, t.map_or("", |t| t.content.as_str()), text_f)?;
        for (j, a) in fs.amounts.iter().enumerate() {
            let v = t.and_then(|t| t.amounts.get(&a.id).copied().flatten());
            amount_cell(ws, r, 3 + j as u16, v, amount_f)?;
        }
        let lines = t.map_or(1.0, |t| {
            (display_width(&t.content) as f64 / 46.0).ceil().max(1.0)
        });
        ws.set_row_height(r, lines * 14.0 + 6.0)?;
        r += 1;
    }
    put(ws, (r, 1, r, 2), &fs.sum_label, &st.label_bold)?;
    for (j, a) in fs.amounts.iter().enumerate() {
        amount_cell(
            ws,
            r,
            3 + j as u16,
            f.sum.get(&a.id).copied().flatten(),
            amount_f,
        )?;
    }
    put(ws, (tasks_first, 0, r, 0), &fs.tasks_label, &st.header)?;
    r += 1;

    // 年度总体目标
    ws.write_string_with_format(r, 0, &fs.goal_label, &st.header)?;
    put(ws, (r, 1, r, 5), &f.goal, long_f)?;
    let goal_lines = (display_width(&f.goal) as f64 / 132.0)
        .ceil()
        .max(if input { 6.0 } else { 2.0 });
    ws.set_row_height(r, (goal_lines * 14.0 + 8.0).min(409.0))?;
    r += 1;

    // 年度绩效指标
    let ind_first = r;
    for (i, l) in fs.indicator_labels.iter().enumerate() {
        let c = [1u16, 2, 3, 5][i.min(3)];
        if i == 2 {
            put(ws, (r, 3, r, 4), l, &st.header)?;
        } else {
            ws.write_string_with_format(r, c, l, &st.header)?;
        }
    }
    r += 1;
    let n = if input {
        fs.indicator_rows as usize
    } else {
        f.indicators.len()
    };
    let blank = Indicator {
        level1: String::new(),
        level2: String::new(),
        level3: String::new(),
        target: String::new(),
    };
    let rows: Vec<&Indicator> = (0..n)
        .map(|i| f.indicators.get(i).unwrap_or(&blank))
        .collect();
    let first = r;
    for (i, ind) in rows.iter().enumerate() {
        let row = first + i as u32;
        put(ws, (row, 3, row, 4), &ind.level3, text_f)?;
        ws.write_string_with_format(row, 5, &ind.target, text_f)?;
    }
    // Level 1 and level 2 labels merge over their groups, as printed.
    for (col, key) in [(1u16, 0usize), (2, 1)] {
        let mut i = 0;
        while i < rows.len() {
            let k = |x: &Indicator| {
                if key == 0 {
                    x.level1.clone()
                } else {
                    format!("{}\u{1}{}", x.level1, x.level2)
                }
            };
            let mut j = i;
            while !input && j + 1 < rows.len() && k(rows[j + 1]) == k(rows[i]) {
                j += 1;
            }
            let label = if key == 0 {
                &rows[i].level1
            } else {
                &rows[i].level2
            };
            put(
                ws,
                (first + i as u32, col, first + j as u32, col),
                label,
                text_f,
            )?;
            i = j + 1;
        }
    }
    r = first + n as u32;
    if r > ind_first + 1 {
        put(
            ws,
            (ind_first, 0, r - 1, 0),
            &fs.indicators_label,
            &st.header,
        )?;
    } else {
        ws.write_string_with_format(ind_first, 0, &fs.indicators_label, &st.header)?;
    }
    let notes: Vec<&str> = spec.footnotes.iter().map(String::as_str).collect();
    frame::notes(ws, r, 5, &notes, st)?;
    frame::page_setup(ws, header_top)?;
    if !input && !rows.is_empty() {
        ws.set_page_breaks(&indicator_breaks(ind_first, first, &rows))?;
    }
    Ok(())
}

/// Rows of indicators a printed page holds after the repeated title rows.
const INDICATOR_ROWS_PER_PAGE: usize = 30;

/// Page breaks of the printed 表12: the indicator block starts a page (its
/// heading row on top), and a 一级指标 group that fits on a page is never
/// split across two.
fn indicator_breaks(heading: u32, first: u32, rows: &[&Indicator]) -> Vec<u32> {
    let mut breaks = vec![heading];
    let mut used = 1; // the heading row
    let mut i = 0;
    while i < rows.len() {
        let group = rows[i..]
            .iter()
            .take_while(|x| x.level1 == rows[i].level1)
            .count();
        if used + group > INDICATOR_ROWS_PER_PAGE && used > 0 && group <= INDICATOR_ROWS_PER_PAGE {
            breaks.push(first + i as u32);
            used = 0;
        }
        used += group;
        // A group longer than a page breaks where the page ends.
        while used > INDICATOR_ROWS_PER_PAGE {
            used -= INDICATOR_ROWS_PER_PAGE;
            breaks.push(first + (i + group - used) as u32);
        }
        i += group;
    }
    breaks
}

fn amount_cell(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    v: Option<crate::amount::Amount>,
    f: &rust_xlsxwriter::Format,
) -> Result<(), WriteError> {
    match v {
        Some(a) => ws.write_number_with_format(r, c, a.to_f64(), f)?,
        None => ws.write_blank(r, c, f)?,
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ind(level1: &str) -> Indicator {
        Indicator {
            level1: level1.into(),
            level2: String::new(),
            level3: String::new(),
            target: String::new(),
        }
    }

    #[test]
    fn a_group_that_fits_on_a_page_is_not_split() {
        // Heading at row 40, indicators from 41: 20 产出, 15 效益, 5 满意度.
        let list: Vec<Indicator> = std::iter::repeat_n("产出指标", 20)
            .chain(std::iter::repeat_n("效益指标", 15))
            .chain(std::iter::repeat_n("满意度指标", 5))
            .map(ind)
            .collect();
        let rows: Vec<&Indicator> = list.iter().collect();
        // 1 + 20 fit; 15 more would not: 效益 starts a page, 满意度 follows it.
        assert_eq!(indicator_breaks(40, 41, &rows), [40, 61]);
        let small: Vec<&Indicator> = list.iter().take(10).collect();
        assert_eq!(indicator_breaks(40, 41, &small), [40]);
    }
}
