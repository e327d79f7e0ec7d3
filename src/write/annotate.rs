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

pub(crate) const RESULTS: &str = "检查结果";

/// How strongly a flagged cell is coloured: the cell most likely wrong (or
/// a blank that must be filled) strongly, the other cells a broken rule
/// read lightly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Shade {
    Strong,
    Light,
}

/// What a flagged cell shows: the worst severity and shade of the findings
/// touching it, and the texts of those found at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub severity: Severity,
    pub shade: Shade,
    pub notes: Vec<String>,
}

/// A sheet's flagged cells by 0-based (row, col).
pub type SheetMarks = BTreeMap<(u32, u32), Mark>;

pub(crate) fn fill_rgb(s: Severity, shade: Shade) -> u32 {
    match (s, shade) {
        (Severity::Error, Shade::Strong) => 0x00FF_7C80,
        (Severity::Error, Shade::Light) => 0x00FC_E4E4,
        (Severity::Warning, Shade::Strong) => 0x00FF_D966,
        (Severity::Warning, Shade::Light) => 0x00FF_F2CC,
        (Severity::Notice, Shade::Strong) => 0x009F_C5E8,
        (Severity::Notice, Shade::Light) => 0x00DD_EBF7,
    }
}

fn fill(s: Severity) -> Color {
    Color::RGB(fill_rgb(s, Shade::Strong))
}

/// The cells to colour, sheet by sheet: a finding's most likely wrong cell
/// (its own cell when it names none) strongly, the other cells it read
/// lightly, every cell of a blank-cell finding strongly; its text is a note
/// on its own cell.
pub fn marks(findings: &[Diagnostic]) -> BTreeMap<String, SheetMarks> {
    let mut out: BTreeMap<String, SheetMarks> = BTreeMap::new();
    let mut put =
        |sheet: &str, at: (u32, u32), sev: Severity, shade: Shade, note: Option<String>| {
            let m = out
                .entry(sheet.to_string())
                .or_default()
                .entry(at)
                .or_insert(Mark {
                    severity: sev,
                    shade,
                    notes: Vec::new(),
                });
            m.severity = m.severity.min(sev);
            m.shade = m.shade.min(shade);
            m.notes.extend(note);
        };
    for d in findings {
        let own = d
            .sheet
            .as_deref()
            .zip(d.cell.as_deref().and_then(crate::text::parse_cell_address));
        let suspect = d.suspect.as_deref().and_then(crate::source::parse_location);
        let blank = d.rule.contains("-BLANK-");
        for c in &d.cells {
            let shade = if blank { Shade::Strong } else { Shade::Light };
            put(&c.sheet, (c.row, c.col), d.severity, shade, None);
        }
        if let Some((sheet, at)) = &suspect {
            put(sheet, *at, d.severity, Shade::Strong, None);
        }
        if let Some((sheet, at)) = own {
            let shade = match &suspect {
                Some((s, a)) if (s.as_str(), *a) != (sheet, at) => Shade::Light,
                _ => Shade::Strong,
            };
            put(sheet, at, d.severity, shade, Some(d.to_string()));
        }
    }
    out
}

/// `'表3 支出总表'!D9` as the sheet and the 0-based cell.
/// The annotated copy of the workbook `input` (its bytes): an xlsx is
/// extended in its own package (everything the clerk set up kept); other
/// formats, or an xlsx this cannot extend, get a rebuilt copy that says on
/// its 检查结果 sheet what it does not keep.
///
/// # Errors
/// [`WriteError`] when not even the rebuilt copy can be assembled.
pub fn copy_of(
    input: &[u8],
    sheets: &[Sheet],
    findings: &[Diagnostic],
) -> Result<Vec<u8>, WriteError> {
    let marks = marks(findings);
    if input.starts_with(b"PK") {
        if let Ok(bytes) = super::package::annotated_copy(input, &marks, findings) {
            return Ok(bytes);
        }
    }
    rebuilt(
        sheets,
        findings,
        &marks,
        &crate::read::sheet::xlsx_styles(input),
    )
}

/// What a rebuilt copy does not keep, printed on its 检查结果 sheet (and in
/// the README).
pub const REBUILT_NOTE: &str = "说明：本副本由检查程序重新生成（输入为 xls、ods 等格式），只保留单元格内容和合并单元格，不保留页面设置（纸张、方向、缩放、打印区域）、冻结窗格、工作表保护、数据有效性、行高、列宽、字体、边框和数字格式。要得到保留原样的标注副本，请把文件另存为 xlsx 后再检查";

/// The annotated copy rebuilt from the sheets as read, its cells plain.
///
/// # Errors
/// [`WriteError`] when the workbook cannot be assembled.
pub fn workbook_bytes(sheets: &[Sheet], findings: &[Diagnostic]) -> Result<Vec<u8>, WriteError> {
    rebuilt(sheets, findings, &marks(findings), &HashMap::new())
}

/// The copy rebuilt from the sheets as read, each cell in the input's format
/// where `looks` has it (from [`crate::read::sheet::xlsx_styles`]); a flagged
/// cell takes its finding's colour over it.
fn rebuilt(
    sheets: &[Sheet],
    findings: &[Diagnostic],
    all_marks: &BTreeMap<String, SheetMarks>,
    looks: &HashMap<String, StyleRange>,
) -> Result<Vec<u8>, WriteError> {
    let mut wb = new_workbook("预算表检查结果")?;
    let list = wb.add_worksheet();
    let mut sorted = findings.to_vec();
    crate::diag::sort_by_severity(&mut sorted);
    results_sheet(list, &sorted)?;
    let none = SheetMarks::new();
    for sheet in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(safe_name(&sheet.name))?;
        let marks = all_marks.get(&sheet.name).unwrap_or(&none);
        let look = looks.get(&sheet.name);
        copy_cells(ws, sheet, marks, look)?;
        for m in &sheet.merges {
            if m.start != m.end {
                let text = sheet.get(m.start.0, m.start.1).text();
                let (r, c) = (m.start.0, m.start.1 as u16);
                let f = cell_format(style_at(look, r, c), marks, r, c);
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
        for ((r, c), m) in marks.iter().filter(|(_, m)| !m.notes.is_empty()) {
            let note = Note::new(m.notes.join("\n\n"))
                .set_author("budget-tables")
                .set_width(480)
                .set_height(60 + 40 * m.notes.len() as u32);
            ws.insert_note(*r, *c as u16, &note)?;
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

/// The input's style of a cell, if it has one.
fn style_at(look: Option<&StyleRange>, r: u32, c: u16) -> Option<&Style> {
    look.and_then(|l| l.get((r, u32::from(c))))
}

/// The input's format of a cell, with the finding's colour over it.
fn cell_format(style: Option<&Style>, marks: &SheetMarks, r: u32, c: u16) -> Format {
    let base = style.map_or_else(Format::new, format_of);
    match marks.get(&(r, u32::from(c))) {
        Some(m) => base.set_background_color(Color::RGB(fill_rgb(m.severity, m.shade))),
        None => base,
    }
}

fn copy_cells(
    ws: &mut Worksheet,
    sheet: &Sheet,
    marks: &SheetMarks,
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
                Cell::Empty if marks.contains_key(&(r, u32::from(c))) || styled => {
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
    // The first six are printed (where, what is wrong, how to fix); the
    // rest stay on screen, as on the workbook copy's 检查结果.
    let cols = [
        "级别",
        "表",
        "位置",
        "说明",
        "修改建议",
        "最可能出错的单元格",
        "应为",
        "实际",
        "差额",
        "行",
        "列",
        "规则",
    ];
    let widths = [
        5.0, 20.0, 24.0, 50.0, 36.0, 24.0, 14.0, 14.0, 10.0, 26.0, 20.0, 14.0,
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
            d.table.clone(),
            d.location(),
            Some(d.message.clone()),
            d.hint.clone(),
            d.suspect.clone(),
            d.expected.clone(),
            d.actual.clone(),
            d.difference.clone(),
            d.row_label.clone(),
            d.column_label.clone(),
            Some(d.rule.clone()),
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
    let last = findings.len() as u32 + 1;
    if findings.is_empty() {
        ws.write_string(1, 0, "未发现问题")?;
    }
    ws.write_string(last + 1, 0, REBUILT_NOTE)?;
    ws.set_freeze_panes(1, 0)?;
    ws.set_print_area(0, 0, last + 1, 5)?;
    ws.set_repeat_rows(0, 0)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_suspect_is_strong_and_the_other_cells_light() {
        let mut d = Diagnostic::error("X", "m").at("表1", 7, 3);
        d.suspect = Some("'表3 支出总表'!D9".into());
        d.cells = vec![crate::source::Loc {
            sheet: "表2".into(),
            row: 1,
            col: 1,
        }];
        let m = marks(&[d]);
        assert_eq!(m["表1"][&(7, 3)].shade, Shade::Light);
        assert_eq!(m["表1"][&(7, 3)].notes.len(), 1);
        assert_eq!(m["表3 支出总表"][&(8, 3)].shade, Shade::Strong);
        assert_eq!(m["表2"][&(1, 1)].shade, Shade::Light);
    }
}
