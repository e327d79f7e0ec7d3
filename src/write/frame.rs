//! The frame every table sheet shares: 表N mark, title, 部门名称 and 单位
//! line, the merged header, column widths, notes and print set-up.

use rust_xlsxwriter::Worksheet;

use super::layout::{header_cells, HeaderCell};
use super::style::Styles;
use super::WriteError;
use crate::spec::{ColumnKind, TableSpec};
use crate::text::display_width;

pub(crate) const MARK_ROW: u32 = 0;
pub(crate) const TITLE_ROW: u32 = 1;
pub(crate) const LINE_ROW: u32 = 2;
pub(crate) const HEADER_ROW: u32 = 3;

/// Whether the sheet is for filling in (inputs unlocked) or for publishing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Template,
    Official,
}

/// What every sheet of one workbook prints around its table.
#[derive(Clone, Copy)]
pub(crate) struct Page<'a> {
    pub year: i32,
    pub department: &'a str,
    /// The layout's heading above each title (`{department}{year}年度部门决算表`).
    pub heading: Option<&'a str>,
    pub mode: Mode,
}

/// Where the body starts once the frame is drawn.
pub(crate) struct Frame {
    pub first_data_row: u32,
    pub ncols: u16,
}

/// Writes `text` over a range, merging only when it spans more than one cell.
pub(crate) fn put(
    ws: &mut Worksheet,
    (r1, c1, r2, c2): (u32, u16, u32, u16),
    text: &str,
    f: &rust_xlsxwriter::Format,
) -> Result<(), WriteError> {
    if r1 == r2 && c1 == c2 {
        ws.write_string_with_format(r1, c1, text, f)?;
    } else {
        ws.merge_range(r1, c1, r2, c2, text, f)?;
    }
    Ok(())
}

/// Column widths (character units): label columns fit their longest label,
/// amount columns fit a formatted figure; CJK characters count double.
pub(crate) fn column_widths(spec: &TableSpec, content: &[usize]) -> Vec<f64> {
    spec.printed_columns()
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let longest = content.get(i).copied().unwrap_or(0) as f64;
            match (c.kind, c.width) {
                // A label wider than its column wraps (rows auto-fit their height).
                (_, Some(w)) => w,
                (ColumnKind::Amount | ColumnKind::Rate, None) => (longest + 2.0).clamp(10.0, 20.0),
                (ColumnKind::LineNo, None) => 6.0,
                (ColumnKind::Code, None) => 10.0f64.max(longest + 2.0),
                _ => (longest + 2.0).clamp(10.0, 60.0),
            }
        })
        .collect()
}

/// Draws the mark, title, name line and header; returns the first body row.
/// The 栏次 row under the header: `label` in the first column, then each
/// figure column's number (1, 2, 3 …), left to right.
fn column_numbers(
    ws: &mut Worksheet,
    spec: &TableSpec,
    st: &Styles,
    row: u32,
    label: &str,
) -> Result<(), WriteError> {
    let mut n = 0;
    for (c, col) in spec.printed_columns().iter().enumerate() {
        let c = c as u16;
        if col.kind.holds_figures() {
            n += 1;
            ws.write_string_with_format(row, c, n.to_string(), &st.header)?;
        } else if c == 0 {
            ws.write_string_with_format(row, c, label, &st.header)?;
        } else {
            ws.write_blank(row, c, &st.header)?;
        }
    }
    Ok(())
}

pub(crate) fn draw(
    ws: &mut Worksheet,
    spec: &TableSpec,
    st: &Styles,
    page: Page,
    widths: &[f64],
) -> Result<Frame, WriteError> {
    let (year, department) = (page.year, page.department);
    let ncols = spec.printed_columns().len() as u16;
    let last = ncols - 1;
    ws.set_name(spec.sheet_name())?;
    for (i, w) in widths.iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    if spec.mark {
        ws.write_string_with_format(MARK_ROW, 0, format!("表{}", spec.number), &st.mark)?;
    }
    if let Some(h) = page.heading {
        let from = u16::from(spec.mark).min(last);
        put(
            ws,
            (MARK_ROW, from, MARK_ROW, last),
            &crate::text::fill(h, year, department),
            &st.heading,
        )?;
        ws.set_row_height(MARK_ROW, 24)?;
    }
    put(
        ws,
        (TITLE_ROW, 0, TITLE_ROW, last),
        &spec.title_for(year, department),
        &st.title,
    )?;
    ws.set_row_height(TITLE_ROW, 36)?;
    // Under a heading that names the department, the published table has no name line.
    if page.heading.is_none() || page.mode == Mode::Template {
        name_line(ws, spec, department, st, last, page.mode)?;
    }
    ws.write_string_with_format(
        LINE_ROW,
        last,
        format!("单位{}{}", spec.colon, spec.unit.label()),
        &st.line_right,
    )?;

    let depth = spec.depth() as u32;
    let cells = header_cells(spec, year);
    // Heights first: a sheet written row by row cannot go back to a row.
    for h in 0..depth {
        ws.set_row_height(HEADER_ROW + h, header_row_height(&cells, h, widths))?;
    }
    for hc in &cells {
        put(
            ws,
            (
                HEADER_ROW + hc.first_row,
                hc.first_col,
                HEADER_ROW + hc.last_row,
                hc.last_col,
            ),
            &hc.text,
            &st.header,
        )?;
    }
    let mut header_last = HEADER_ROW + depth - 1;
    if let Some(label) = spec.column_numbers() {
        header_last += 1;
        column_numbers(ws, spec, st, header_last, label)?;
    }
    page_setup(ws, header_last)?;
    Ok(Frame {
        first_data_row: header_last + 1,
        ncols,
    })
}

/// `部门名称:<name>` as published; in the template the name is an input cell.
pub(crate) fn name_line(
    ws: &mut Worksheet,
    spec: &TableSpec,
    department: &str,
    st: &Styles,
    last: u16,
    mode: Mode,
) -> Result<(), WriteError> {
    let span = (last / 2).max(1);
    let (label, colon) = (&spec.name_label, &spec.colon);
    match mode {
        Mode::Official => put(
            ws,
            (LINE_ROW, 0, LINE_ROW, span),
            &format!("{label}{colon}{department}"),
            &st.line,
        ),
        Mode::Template => {
            ws.write_string_with_format(LINE_ROW, 0, format!("{label}{colon}"), &st.line_right)?;
            put(
                ws,
                (LINE_ROW, 1, LINE_ROW, span.max(2)),
                department,
                &st.input_text,
            )
        }
    }
}

fn header_row_height(cells: &[HeaderCell], h: u32, widths: &[f64]) -> f64 {
    let lines = cells
        .iter()
        .filter(|c| c.first_row == h && c.last_row == h)
        .map(|c| {
            let w: f64 = widths[c.first_col as usize..=c.last_col as usize]
                .iter()
                .sum();
            (display_width(&c.text) as f64 / (w - 1.0).max(1.0))
                .ceil()
                .max(1.0)
        })
        .fold(1.0, f64::max);
    (lines * 14.0 + 6.0).max(20.0)
}

/// A4 landscape, one page wide, the mark, title and header rows on every
/// page, page numbers, panes frozen.
pub(crate) fn page_setup(ws: &mut Worksheet, header_last: u32) -> Result<(), WriteError> {
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_center_horizontally(true);
    ws.set_margins(0.5, 0.5, 0.6, 0.6, 0.3, 0.3);
    // From the 表N mark down: a continuation page says which table it is.
    ws.set_repeat_rows(MARK_ROW, header_last)?;
    ws.set_footer("&C第 &P 页，共 &N 页");
    ws.set_freeze_panes(header_last + 1, 0)?;
    Ok(())
}

/// Landscape A4, the first `label_cols` columns on every page; scaled to the
/// page width only while that keeps the print at 60% or more (about 216
/// character widths), split across pages beyond.
pub(crate) fn print_wide(
    ws: &mut Worksheet,
    width: f64,
    label_cols: u16,
) -> Result<(), WriteError> {
    ws.set_landscape();
    ws.set_paper_size(9);
    if label_cols > 0 {
        ws.set_repeat_columns(0, label_cols - 1)?;
    }
    if width <= 216.0 {
        ws.set_print_fit_to_pages(1, 0);
    } else {
        ws.set_print_scale(60);
    }
    Ok(())
}

/// Notes under the body, each merged across the table.
pub(crate) fn notes(
    ws: &mut Worksheet,
    mut row: u32,
    last: u16,
    notes: &[&str],
    st: &Styles,
) -> Result<u32, WriteError> {
    for n in notes {
        put(ws, (row, 0, row, last), n, &st.note)?;
        ws.set_row_height(row, 20)?;
        row += 1;
    }
    Ok(row)
}

/// Ends a sheet written row by row (constant memory). rust_xlsxwriter 0.102
/// writes the last row of such a sheet twice when that row has a height of
/// its own (notes do), and Excel repairs a file with a repeated row; an empty
/// cell of the default format in the next row makes the writer finish the
/// last row as it finishes every other row.
/// `next` is the row after the sheet's last.
pub(crate) fn end_rows(ws: &mut Worksheet, next: u32) -> Result<(), WriteError> {
    ws.write_blank(next, 0, &rust_xlsxwriter::Format::default())?;
    Ok(())
}

/// The width, in characters, of a text sheet's one column.
const TEXT_WIDTH: f64 = 75.0;

/// A sheet of text (职能, 编制说明 …): its heading, then one wrapped row per
/// paragraph; in the template one empty row to write in.
pub(crate) fn text_sheet(
    ws: &mut Worksheet,
    sheet: &crate::layout::TextSheet,
    st: &Styles,
    page: Page,
    text: Option<&str>,
) -> Result<(), WriteError> {
    let (head, body) = (&st.text_heading, &st.text_body);
    ws.set_name(&sheet.name)?;
    text_page(ws)?;
    let title = crate::text::fill(&sheet.title, page.year, page.department);
    ws.write_string_with_format(0, 0, title, head)?;
    match text {
        None => {
            ws.set_row_height(2, 300)?;
            ws.write_blank(2, 0, body)?;
            if sheet.narrative {
                // Where the chapter is typed, shown when the cell is chosen:
                // guidance in the cell itself would be read as its text.
                let where_to_type = rust_xlsxwriter::DataValidation::new()
                    .allow_any_value()
                    .set_input_title("在此填写正文")?
                    .set_input_message(
                        "本章正文写在这一格（或从这一格起每段一行）；可分多段，Alt+Enter 换行。",
                    )?;
                ws.add_data_validation(2, 0, 2, 0, &where_to_type)?;
            }
        }
        Some(text) => {
            for (i, p) in text.split('\n').enumerate() {
                paragraph(ws, 2 + i as u32, p, body)?;
            }
        }
    }
    Ok(())
}

/// A sheet of one wide text column, printed A4 portrait one page wide.
pub(crate) fn text_page(ws: &mut Worksheet) -> Result<(), WriteError> {
    ws.set_column_width(0, TEXT_WIDTH)?;
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_margins(0.6, 0.6, 0.7, 0.7, 0.3, 0.3);
    Ok(())
}

/// One wrapped paragraph in `row`, the row as tall as its lines.
pub(crate) fn paragraph(
    ws: &mut Worksheet,
    row: u32,
    text: &str,
    f: &rust_xlsxwriter::Format,
) -> Result<(), WriteError> {
    let lines = (display_width(text) as f64 / (TEXT_WIDTH - 4.0))
        .ceil()
        .max(1.0);
    ws.set_row_height(row, (lines * 16.0).min(409.0))?;
    ws.write_string_with_format(row, 0, text, f)?;
    Ok(())
}
