//! The roll-up per year: `汇总-<year>.xlsx` (one row per input, links to each
//! department's outputs, and a rules × departments matrix) and its JSON.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Url, Worksheet};

use super::{out_err, BatchError, Entry, Status};
use crate::diff::Rate;
use crate::io::{write_atomic, write_atomic_with};
use crate::write::new_workbook;

/// Writes one roll-up per year found (inputs without a year go in every one).
pub(crate) fn write_all(
    output: &Path,
    entries: &[Entry],
    rules: &Descriptions,
) -> Result<Vec<String>, BatchError> {
    let years: BTreeSet<i32> = entries.iter().filter_map(|e| e.year).collect();
    let mut written = Vec::new();
    let groups: Vec<(String, Vec<&Entry>)> = if years.is_empty() {
        vec![("未知年度".into(), entries.iter().collect())]
    } else {
        years
            .iter()
            .map(|y| {
                (
                    y.to_string(),
                    entries
                        .iter()
                        .filter(|e| e.year.is_none_or(|x| x == *y))
                        .collect(),
                )
            })
            .collect()
    };
    for (year, list) in groups {
        let name = format!("汇总-{year}");
        let xlsx = output.join(format!("{name}.xlsx"));
        write_atomic(
            &xlsx,
            &workbook(&year, &list, rules).map_err(|e| out_err(&xlsx, e))?,
            &[],
        )
        .map_err(|e| out_err(&xlsx, e))?;
        let json = output.join(format!("{name}.json"));
        // Streamed straight from the entries: no JSON tree of every department in memory.
        let doc = Doc {
            year: &year,
            entries: &list,
        };
        write_atomic_with(&json, &[], |w| {
            serde_json::to_writer_pretty(w, &doc).map_err(std::io::Error::other)
        })
        .map_err(|e| out_err(&json, e))?;
        written.push(format!("{name}.xlsx"));
    }
    Ok(written)
}

/// (layout id, rule id) → what the rule checks.
pub(crate) type Descriptions = BTreeMap<(String, String), String>;

#[derive(serde::Serialize)]
struct Doc<'a> {
    year: &'a str,
    entries: &'a [&'a Entry],
}

fn fill(s: Status) -> Color {
    match s {
        Status::Passed => Color::RGB(0xC6_EF_CE),
        Status::Warnings => Color::RGB(0xFF_EB_9C),
        Status::Errors | Status::Conflict | Status::Failed => Color::RGB(0xFF_C7_CE),
        Status::Unreadable => Color::RGB(0xD9_D9_D9),
    }
}

fn workbook(
    year: &str,
    list: &[&Entry],
    descriptions: &Descriptions,
) -> Result<Vec<u8>, crate::write::WriteError> {
    let mut wb = new_workbook(&format!("{year}年部门预算汇总"))?;
    let cell = Format::new()
        .set_border(FormatBorder::Thin)
        .set_font_name("宋体");
    let head = cell
        .clone()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_background_color(Color::RGB(0xF2_F2_F2));
    let amount = cell.clone().set_num_format("#,##0.00");
    let rate = cell.clone().set_num_format("0.0%");
    let link = cell
        .clone()
        .set_font_color(Color::Blue)
        .set_underline(rust_xlsxwriter::FormatUnderline::Single);
    let styles = Styles {
        cell: cell.clone(),
        head: head.clone(),
        amount,
        rate,
        link,
    };

    // One summary sheet per layout when the inputs are of several.
    let mut layouts: Vec<&str> = Vec::new();
    for e in list {
        if let Some(l) = e.layout.as_deref() {
            if !layouts.contains(&l) {
                layouts.push(l);
            }
        }
    }
    if layouts.len() <= 1 {
        summary(&mut wb, "汇总", list, &styles)?;
    } else {
        for l in &layouts {
            let of: Vec<&Entry> = list
                .iter()
                .copied()
                .filter(|e| e.layout.as_deref() == Some(*l))
                .collect();
            let name: String = format!("汇总-{l}").chars().take(31).collect();
            summary(&mut wb, &name, &of, &styles)?;
        }
        let unknown: Vec<&Entry> = list
            .iter()
            .copied()
            .filter(|e| e.layout.is_none())
            .collect();
        if !unknown.is_empty() {
            summary(&mut wb, "未识别", &unknown, &styles)?;
        }
    }
    rules_sheet(&mut wb, list, descriptions, &styles)?;
    Ok(wb.save_to_buffer()?)
}

/// Which rule fails where: rules down (with what each checks), departments
/// across — only inputs read as a department get a column.
fn rules_sheet(
    wb: &mut rust_xlsxwriter::Workbook,
    list: &[&Entry],
    descriptions: &Descriptions,
    st: &Styles,
) -> Result<(), crate::write::WriteError> {
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name("规则×部门")?;
    let departments: Vec<&&Entry> = list.iter().filter(|e| e.department.is_some()).collect();
    let rules: BTreeSet<&String> = departments.iter().flat_map(|e| e.rules.keys()).collect();
    let wrapped = st.cell.clone().set_text_wrap();
    ws.set_row_height(0, 60)?;
    ws.write_string_with_format(0, 0, "规则", &st.head)?;
    ws.write_string_with_format(0, 1, "核对内容", &st.head)?;
    ws.set_column_width(0, 14)?;
    ws.set_column_width(1, 40)?;
    for (j, e) in departments.iter().enumerate() {
        let label = e.department.clone().unwrap_or_default();
        ws.write_string_with_format(0, j as u16 + 2, &label, &st.head)?;
        ws.set_column_width(j as u16 + 2, 12)?;
    }
    let bad = st.cell.clone().set_background_color(Color::RGB(0xFF_C7_CE));
    for (i, rule) in rules.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string_with_format(r, 0, *rule, &st.cell)?;
        // A rule id means what the layout of the departments that broke it says.
        let mut what: Vec<&str> = Vec::new();
        for e in departments.iter().filter(|e| e.rules.contains_key(*rule)) {
            let key = (e.layout.clone().unwrap_or_default(), (*rule).clone());
            if let Some(d) = descriptions.get(&key) {
                if !what.contains(&d.as_str()) {
                    what.push(d);
                }
            }
        }
        let what = what.join("；");
        // LibreOffice does not grow a row for wrapped text: as tall as its lines.
        let lines = (crate::text::display_width(&what) as f64 / 39.0)
            .ceil()
            .max(1.0);
        ws.set_row_height(r, 15.0 * lines)?;
        ws.write_string_with_format(r, 1, &what, &wrapped)?;
        for (j, e) in departments.iter().enumerate() {
            match e.rules.get(*rule) {
                Some(n) => ws.write_number_with_format(r, j as u16 + 2, *n as f64, &bad)?,
                None => ws.write_blank(r, j as u16 + 2, &st.cell)?,
            };
        }
    }
    if rules.is_empty() {
        ws.write_string(1, 0, "所有部门均未触发错误或警告规则")?;
    }
    ws.set_freeze_panes(1, 2)?;
    print_wide(ws, 54.0 + 12.0 * departments.len() as f64)?;
    Ok(())
}

/// Landscape A4 with the heading row and the two label columns on every
/// page, at 60% or more.
fn print_wide(ws: &mut Worksheet, width: f64) -> Result<(), crate::write::WriteError> {
    crate::write::frame::print_wide(ws, width, 2)?;
    ws.set_repeat_rows(0, 0)?;
    Ok(())
}

/// The formats the roll-up sheets share.
struct Styles {
    cell: Format,
    head: Format,
    amount: Format,
    rate: Format,
    link: Format,
}

/// One summary sheet: a row per input.
fn summary(
    wb: &mut rust_xlsxwriter::Workbook,
    name: &str,
    list: &[&Entry],
    st: &Styles,
) -> Result<(), crate::write::WriteError> {
    let Styles {
        cell,
        head,
        amount,
        rate,
        link,
    } = st;
    let wrapped = &cell.clone().set_text_wrap();
    // Constant-memory sheets: a roll-up of thousands of rows never sits in memory whole.
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(name)?;
    // The layouts' roll-up figures, in the order first met.
    let mut figures: Vec<&str> = Vec::new();
    for e in list {
        for k in e.figures.keys() {
            if !figures.contains(&k.as_str()) {
                figures.push(k);
            }
        }
    }
    let change_label = figures
        .first()
        .map_or("增减额".to_string(), |f| format!("{f}增减额"));
    let mut cols: Vec<(&str, f64)> = vec![
        ("输入文件", 22.0),
        ("部门", 24.0),
        ("年度", 7.0),
        ("状态", 9.0),
        ("错误", 6.0),
        ("警告", 6.0),
        ("提示", 6.0),
    ];
    cols.extend(figures.iter().map(|f| (*f, 13.0)));
    let first_figure = 7u16;
    let change_col = first_figure + figures.len() as u16;
    cols.extend([
        (change_label.as_str(), 13.0),
        ("增减率", 8.0),
        ("公开报表", 10.0),
        ("检查结果", 10.0),
        ("标注副本", 10.0),
        ("年度对比", 10.0),
        ("说明核对", 34.0),
        ("说明", 40.0),
    ]);
    let last = cols.len() as u16 - 1;
    for (c, (h, w)) in cols.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, head)?;
        ws.set_column_width(c as u16, *w)?;
    }
    for (i, e) in list.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string_with_format(r, 0, &e.file, cell)?;
        ws.write_string_with_format(r, 1, e.department.as_deref().unwrap_or(""), cell)?;
        match e.year {
            Some(y) => ws.write_number_with_format(r, 2, y as f64, cell)?,
            None => ws.write_blank(r, 2, cell)?,
        };
        ws.write_string_with_format(
            r,
            3,
            e.status.label(),
            &cell.clone().set_background_color(fill(e.status)),
        )?;
        for (c, n) in [(4u16, e.errors), (5, e.warnings), (6, e.notices)] {
            ws.write_number_with_format(r, c, n as f64, cell)?;
        }
        let values = figures
            .iter()
            .map(|f| e.figures.get(*f).copied().flatten())
            .chain([e.change.as_ref().and_then(|c| c.change)]);
        for (c, a) in (first_figure..).zip(values) {
            match a {
                Some(a) => ws.write_number_with_format(r, c, a.to_f64(), amount)?,
                None => ws.write_blank(r, c, amount)?,
            };
        }
        let rate_value = e.change.as_ref().map_or(Rate::None, |c| c.rate);
        crate::write::diff::rate_cell(ws, (r, change_col + 1), rate_value, [rate, cell, cell])?;
        for (c, label) in (change_col + 2..).zip(["公开报表", "检查结果", "标注副本", "年度对比"])
        {
            let target = e
                .outputs
                .iter()
                .find(|(l, _)| l == label)
                .map(|(_, p)| p.clone());
            match target {
                Some(p) => link_cell(ws, r, c, &p, label, link)?,
                None => {
                    ws.write_blank(r, c, cell)?;
                }
            }
        }
        let narrative = e.narrative.map(|n| n.label()).unwrap_or_default();
        ws.write_string_with_format(r, last - 1, &narrative, wrapped)?;
        let note = [e.message.as_deref(), e.no_prior.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("；");
        ws.write_string_with_format(r, last, &note, wrapped)?;
    }
    total_row(ws, list, &figures, first_figure, st)?;
    ws.set_freeze_panes(1, 2)?;
    ws.autofilter(0, 0, list.len() as u32, last)?;
    print_wide(ws, cols.iter().map(|c| c.1).sum())?;

    Ok(())
}

/// The last row: how many departments, and the sum of each figure over
/// those that have it.
fn total_row(
    ws: &mut Worksheet,
    list: &[&Entry],
    figures: &[&str],
    first: u16,
    st: &Styles,
) -> Result<(), crate::write::WriteError> {
    let r = list.len() as u32 + 1;
    let bold = st.cell.clone().set_bold();
    let departments = list.iter().filter(|e| e.department.is_some()).count();
    ws.write_string_with_format(r, 0, "合计", &bold)?;
    ws.write_string_with_format(r, 1, format!("{departments} 个部门"), &bold)?;
    for (c, f) in (first..).zip(figures) {
        let values = list
            .iter()
            .filter_map(|e| e.figures.get(*f).copied().flatten());
        match crate::amount::checked_sum(values.map(crate::amount::Amount::value)) {
            Some(sum) => ws.write_number_with_format(
                r,
                c,
                crate::amount::Amount::round(sum).to_f64(),
                &st.amount.clone().set_bold(),
            )?,
            None => ws.write_blank(r, c, &bold)?,
        };
    }
    Ok(())
}

fn link_cell(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    rel: &str,
    text: &str,
    f: &Format,
) -> Result<(), crate::write::WriteError> {
    // A relative link: the roll-up and the department folders move together.
    ws.write_url_with_format(r, c, Url::new(format!("file:///{rel}")).set_text(text), f)?;
    Ok(())
}
