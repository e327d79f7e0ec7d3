//! A copy of the input workbook with every offending cell highlighted and a
//! note (批注) explaining it, plus a first sheet listing every finding. The
//! input file itself is never touched.

use std::collections::{BTreeMap, HashMap};

use calamine::{
    BorderStyle, Color as StyleColor, HorizontalAlignment, Style, StyleRange, VerticalAlignment,
};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Note, Worksheet};

use super::{new_workbook, WriteError};
use crate::diag::{Diagnostic, Severity};
use crate::read::{Cell, Sheet};
use crate::text::display_width;

const RESULTS: &str = "检查结果";

fn fill(s: Severity) -> Color {
    match s {
        Severity::Error => Color::RGB(0xF4_B0_B0),
        Severity::Warning => Color::RGB(0xFF_E6_99),
        Severity::Notice => Color::RGB(0xC9_DA_F8),
    }
}

/// Parses `D12` into 0-based (row, col).
fn parse_cell(a: &str) -> Option<(u32, u16)> {
    let (r, c) = crate::text::parse_cell_address(a)?;
    Some((r, u16::try_from(c).ok()?))
}

/// The annotated copy as bytes, its cells plain.
///
/// # Errors
/// [`WriteError`] when the workbook cannot be assembled.
pub fn workbook_bytes(sheets: &[Sheet], findings: &[Diagnostic]) -> Result<Vec<u8>, WriteError> {
    workbook_bytes_styled(sheets, findings, &HashMap::new())
}

/// The annotated copy as bytes, each cell in the input's format where `looks`
/// has it (fonts, fills, borders, alignment, number formats, from
/// [`crate::read::sheet::xlsx_styles`]); a flagged cell takes the finding's
/// colour over it.
///
/// # Errors
/// [`WriteError`] when the workbook cannot be assembled.
pub fn workbook_bytes_styled(
    sheets: &[Sheet],
    findings: &[Diagnostic],
    looks: &HashMap<String, StyleRange>,
) -> Result<Vec<u8>, WriteError> {
    let mut wb = new_workbook("预算表检查结果")?;
    let list = wb.add_worksheet();
    let mut sorted = findings.to_vec();
    crate::diag::sort(&mut sorted);
    results_sheet(list, &sorted)?;
    for sheet in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(safe_name(&sheet.name))?;
        let mut marks: BTreeMap<(u32, u16), (Severity, Vec<String>)> = BTreeMap::new();
        for d in findings
            .iter()
            .filter(|d| d.sheet.as_deref() == Some(sheet.name.as_str()))
        {
            if let Some(pos) = d.cell.as_deref().and_then(parse_cell) {
                let e = marks.entry(pos).or_insert((d.severity, Vec::new()));
                e.0 = e.0.min(d.severity);
                e.1.push(d.to_string());
            }
        }
        let look = looks.get(&sheet.name);
        copy_cells(ws, sheet, &marks, look)?;
        for m in &sheet.merges {
            if m.start != m.end {
                let text = sheet.get(m.start.0, m.start.1).text();
                let (r, c) = (m.start.0, m.start.1 as u16);
                let f = cell_format(style_at(look, r, c), &marks, r, c);
                ws.merge_range(
                    m.start.0,
                    m.start.1 as u16,
                    m.end.0,
                    m.end.1 as u16,
                    &text,
                    &f,
                )?;
            }
        }
        for ((r, c), (_, texts)) in &marks {
            let note = Note::new(texts.join("\n\n"))
                .set_author("budget-tables")
                .set_width(480)
                .set_height(60 + 40 * texts.len() as u32);
            ws.insert_note(*r, *c, &note)?;
        }
    }
    Ok(wb.save_to_buffer()?)
}

/// The input may itself have a sheet named like the results sheet.
fn safe_name(name: &str) -> String {
    if name == RESULTS {
        format!("{name}(原)")
    } else {
        name.to_string()
    }
}

type Marks = BTreeMap<(u32, u16), (Severity, Vec<String>)>;

/// The input's style of a cell, if it has one.
fn style_at(look: Option<&StyleRange>, r: u32, c: u16) -> Option<&Style> {
    look.and_then(|l| l.get((r, u32::from(c))))
}

/// The input's format of a cell, with the finding's colour over it.
fn cell_format(style: Option<&Style>, marks: &Marks, r: u32, c: u16) -> Format {
    let base = style.map_or_else(Format::new, format_of);
    match marks.get(&(r, c)) {
        Some((s, _)) => base
            .set_background_color(fill(*s))
            .set_border(FormatBorder::Thin)
            .set_border_color(Color::Red),
        None => base,
    }
}

fn copy_cells(
    ws: &mut Worksheet,
    sheet: &Sheet,
    marks: &Marks,
    look: Option<&StyleRange>,
) -> Result<(), WriteError> {
    let mut widths: Vec<usize> = Vec::new();
    for (r, row) in sheet.rows().iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            let style = style_at(look, r, c);
            let f = cell_format(style, marks, r, c);
            let styled = style.is_some();
            match cell {
                Cell::Empty if marks.contains_key(&(r, c)) || styled => {
                    ws.write_blank(r, c, &f)?;
                }
                Cell::Empty => {}
                Cell::Number(v) if styled => {
                    ws.write_number_with_format(r, c, *v, &f)?;
                }
                Cell::Number(v) => {
                    ws.write_number_with_format(r, c, *v, &f.set_num_format("#,##0.00"))?;
                }
                Cell::Int(i) => {
                    ws.write_number_with_format(r, c, *i as f64, &f)?;
                }
                // Everything else, formulas included, is copied as text: never re-evaluated.
                other => {
                    let t = other.text();
                    if widths.len() <= c as usize {
                        widths.resize(c as usize + 1, 0);
                    }
                    widths[c as usize] = widths[c as usize].max(display_width(&t).min(40));
                    ws.write_string_with_format(r, c, &t, &f)?;
                }
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w as f64 + 2.0).max(10.0))?;
    }
    Ok(())
}

/// A calamine cell style as a rust_xlsxwriter format: what a reviewer sees of
/// the input (fonts, fills, borders, alignment, number format).
fn format_of(s: &Style) -> Format {
    let rgb = |c: StyleColor| Color::RGB(c.to_argb() & 0x00FF_FFFF);
    let mut f = Format::new();
    if let Some(font) = &s.font {
        if let Some(name) = &font.name {
            f = f.set_font_name(name);
        }
        if let Some(size) = font.size {
            f = f.set_font_size(size);
        }
        if font.is_bold() {
            f = f.set_bold();
        }
        if font.is_italic() {
            f = f.set_italic();
        }
        if let Some(c) = font.color {
            f = f.set_font_color(rgb(c));
        }
    }
    if let Some(c) = s
        .fill
        .as_ref()
        .filter(|x| x.is_visible())
        .and_then(calamine::Fill::get_color)
    {
        f = f.set_background_color(rgb(c));
    }
    if let Some(b) = &s.borders {
        f = f
            .set_border_left(border(b.left.style))
            .set_border_right(border(b.right.style))
            .set_border_top(border(b.top.style))
            .set_border_bottom(border(b.bottom.style));
    }
    if let Some(a) = &s.alignment {
        f = match a.horizontal {
            HorizontalAlignment::Left => f.set_align(FormatAlign::Left),
            HorizontalAlignment::Center => f.set_align(FormatAlign::Center),
            HorizontalAlignment::CenterContinuous => f.set_align(FormatAlign::CenterAcross),
            HorizontalAlignment::Right => f.set_align(FormatAlign::Right),
            HorizontalAlignment::Justify => f.set_align(FormatAlign::Justify),
            HorizontalAlignment::Distributed => f.set_align(FormatAlign::Distributed),
            HorizontalAlignment::Fill => f.set_align(FormatAlign::Fill),
            _ => f,
        };
        f = match a.vertical {
            VerticalAlignment::Top => f.set_align(FormatAlign::Top),
            VerticalAlignment::Center => f.set_align(FormatAlign::VerticalCenter),
            VerticalAlignment::Justify => f.set_align(FormatAlign::VerticalJustify),
            VerticalAlignment::Distributed => f.set_align(FormatAlign::VerticalDistributed),
            _ => f,
        };
        if a.wrap_text {
            f = f.set_text_wrap();
        }
        if let Some(i) = a.indent {
            f = f.set_indent(i);
        }
    }
    if let Some(n) = s
        .number_format
        .as_ref()
        .filter(|n| n.format_code != "General")
    {
        f = f.set_num_format(&n.format_code);
    }
    f
}

fn border(b: BorderStyle) -> FormatBorder {
    match b {
        BorderStyle::None => FormatBorder::None,
        BorderStyle::Thin => FormatBorder::Thin,
        BorderStyle::Medium => FormatBorder::Medium,
        BorderStyle::Thick => FormatBorder::Thick,
        BorderStyle::Double => FormatBorder::Double,
        BorderStyle::Hair => FormatBorder::Hair,
        BorderStyle::Dashed => FormatBorder::Dashed,
        BorderStyle::Dotted => FormatBorder::Dotted,
        BorderStyle::MediumDashed => FormatBorder::MediumDashed,
        BorderStyle::DashDot => FormatBorder::DashDot,
        BorderStyle::MediumDashDot => FormatBorder::MediumDashDot,
        BorderStyle::DashDotDot => FormatBorder::DashDotDot,
        BorderStyle::MediumDashDotDot => FormatBorder::MediumDashDotDot,
        BorderStyle::SlantDashDot => FormatBorder::SlantDashDot,
        _ => FormatBorder::Thin,
    }
}

fn results_sheet(ws: &mut Worksheet, findings: &[Diagnostic]) -> Result<(), WriteError> {
    ws.set_name(RESULTS)?;
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(0xDD_DD_DD));
    let cols = [
        "级别",
        "规则",
        "表",
        "位置",
        "行",
        "列",
        "说明",
        "应为",
        "实际",
        "差额",
        "修改建议",
    ];
    let widths = [
        6.0, 14.0, 24.0, 30.0, 26.0, 20.0, 50.0, 14.0, 14.0, 10.0, 40.0,
    ];
    for (i, (h, w)) in cols.iter().zip(widths).enumerate() {
        ws.write_string_with_format(0, i as u16, *h, &head)?;
        ws.set_column_width(i as u16, w)?;
    }
    for (i, d) in findings.iter().enumerate() {
        let r = i as u32 + 1;
        let f = Format::new()
            .set_background_color(fill(d.severity))
            .set_border(FormatBorder::Thin);
        let plain = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
        let values = [
            Some(d.severity.label().to_string()),
            Some(d.rule.clone()),
            d.table.clone(),
            d.location(),
            d.row_label.clone(),
            d.column_label.clone(),
            Some(d.message.clone()),
            d.expected.clone(),
            d.actual.clone(),
            d.difference.clone(),
            d.hint.clone(),
        ];
        for (c, v) in values.iter().enumerate() {
            ws.write_string_with_format(
                r,
                c as u16,
                v.as_deref().unwrap_or(""),
                if c == 0 { &f } else { &plain },
            )?;
        }
    }
    if findings.is_empty() {
        ws.write_string(1, 0, "未发现问题")?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_addresses_parse() {
        assert_eq!(parse_cell("D12"), Some((11, 3)));
        assert_eq!(parse_cell("AA1"), Some((0, 26)));
        assert_eq!(parse_cell("12"), None);
    }
}
