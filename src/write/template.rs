//! The blank fill-in workbook: official headers locked, input cells unlocked
//! with a decimal validation, no formulas.

use rust_xlsxwriter::{DataValidation, DataValidationRule, Format, ProtectionOptions, Worksheet};

use super::frame::{self, Mode};
use super::style::Styles;
use super::{form, new_workbook, WriteError};
use crate::spec::{ColumnKind, RowKey, SpecSet, TableKind, TableSpec};
use crate::text::fill;

/// What the blank template is for.
#[derive(Debug, Clone)]
pub struct TemplateOptions {
    /// Pre-filled 部门名称 (may be empty).
    pub department: String,
    pub year: i32,
}

/// The blank template as bytes.
///
/// # Errors
/// [`WriteError`] when the workbook cannot be assembled.
pub fn workbook_bytes(specs: &SpecSet, opts: &TemplateOptions) -> Result<Vec<u8>, WriteError> {
    let layout = &specs.layout;
    let mut wb = new_workbook(&format!("{}年{}（填报模板）", opts.year, layout.name))?;
    let st = Styles::new();
    let head = Format::new()
        .set_font_name("宋体")
        .set_font_size(16)
        .set_bold();
    let body = Format::new()
        .set_font_name("宋体")
        .set_font_size(11)
        .set_text_wrap();
    if !layout.instructions.is_empty() {
        let ws = wb.add_worksheet();
        ws.set_name("填表说明")?;
        ws.set_column_width(0, 110)?;
        for (i, line) in layout.instructions.iter().enumerate() {
            ws.write_string_with_format(i as u32, 0, line, if i == 0 { &head } else { &body })?;
        }
    }
    let text_sheet = |wb: &mut rust_xlsxwriter::Workbook, t: &crate::layout::TextSheet| {
        let ws = wb.add_worksheet();
        ws.set_name(&t.name)?;
        ws.set_column_width(0, 110)?;
        ws.write_string_with_format(0, 0, fill(&t.title, opts.year, &opts.department), &head)?;
        ws.set_row_height(2, 300)?;
        ws.write_blank(2, 0, &body)?;
        Ok::<(), WriteError>(())
    };
    for t in layout.text_sheets.iter().filter(|t| !t.after_tables) {
        text_sheet(&mut wb, t)?;
    }
    for spec in &specs.tables {
        let ws = wb.add_worksheet();
        match spec.kind {
            TableKind::Form => form::write(ws, spec, &st, opts.year, &opts.department, None)?,
            TableKind::Grid => grid(ws, spec, &st, opts)?,
            TableKind::TwoSided => two_sided(ws, spec, &st, opts)?,
        }
        protect(ws);
    }
    for t in layout.text_sheets.iter().filter(|t| t.after_tables) {
        text_sheet(&mut wb, t)?;
    }
    Ok(wb.save_to_buffer()?)
}

fn protect(ws: &mut Worksheet) {
    let opts = ProtectionOptions {
        insert_rows: true,
        delete_rows: true,
        format_columns: true,
        format_rows: true,
        ..ProtectionOptions::default()
    };
    ws.protect_with_options(&opts);
}

fn validate_amounts(ws: &mut Worksheet, first: u32, last: u32, col: u16) -> Result<(), WriteError> {
    let dv = DataValidation::new()
        .allow_decimal_number(DataValidationRule::Between(-1.0e12, 1.0e12))
        .set_error_title("金额格式不正确")?
        .set_error_message("请填写数字（单位：万元，保留两位小数），不要填写文字或公式。")?;
    ws.add_data_validation(first, col, last, col, &dv)?;
    Ok(())
}

fn grid(
    ws: &mut Worksheet,
    spec: &TableSpec,
    st: &Styles,
    o: &TemplateOptions,
) -> Result<(), WriteError> {
    let widths = frame::column_widths(spec, &[]);
    let f = frame::draw(ws, spec, st, o.year, &o.department, &widths, Mode::Template)?;
    let first = f.first_data_row;
    let n = if spec.row_key == RowKey::Fixed {
        spec.fixed_rows.len() as u32
    } else {
        spec.template_rows
    };
    for i in 0..n {
        let r = first + i;
        for (c, col) in spec.columns.iter().enumerate() {
            let c = c as u16;
            match col.kind {
                ColumnKind::Amount => ws.write_blank(r, c, &st.input_amount)?,
                ColumnKind::Code => ws.write_blank(r, c, &st.input_code)?,
                ColumnKind::Name if spec.row_key == RowKey::Fixed => ws.write_string_with_format(
                    r,
                    c,
                    fill(&spec.fixed_rows[i as usize].label, o.year, ""),
                    &st.label,
                )?,
                ColumnKind::Unit if spec.row_key == RowKey::Fixed && i > 0 => {
                    ws.write_blank(r, c, &st.label)?
                }
                _ => ws.write_blank(r, c, &st.input_text)?,
            };
        }
    }
    for (c, col) in spec.columns.iter().enumerate() {
        if col.kind == ColumnKind::Amount {
            validate_amounts(ws, first, first + n - 1, c as u16)?;
        }
    }
    let notes: Vec<&str> = spec.footnotes.iter().map(String::as_str).collect();
    frame::notes(ws, first + n, f.ncols - 1, &notes, st)?;
    Ok(())
}

fn two_sided(
    ws: &mut Worksheet,
    spec: &TableSpec,
    st: &Styles,
    o: &TemplateOptions,
) -> Result<(), WriteError> {
    let content: Vec<usize> = [
        spec.left_lines()
            .map(|l| crate::text::display_width(&l.label))
            .max()
            .unwrap_or(0),
        0,
        0,
        0,
    ]
    .to_vec();
    let widths = frame::column_widths(spec, &content);
    let f = frame::draw(ws, spec, st, o.year, &o.department, &widths, Mode::Template)?;
    let first = f.first_data_row;
    let n = (spec.template_rows as usize).max(spec.income_lines.len());
    for i in 0..n {
        let r = first + i as u32;
        match spec.income_lines.get(i) {
            Some(l) => {
                ws.write_string_with_format(r, 0, &l.label, &st.label)?;
                ws.write_blank(r, 1, &st.input_amount)?;
            }
            None => {
                ws.write_blank(r, 0, &st.label)?;
                ws.write_blank(r, 1, &st.label)?;
            }
        }
        ws.write_blank(r, 2, &st.input_text)?;
        ws.write_blank(r, 3, &st.input_amount)?;
    }
    let mut r = first + n as u32;
    for fr in &spec.footer_rows {
        for (c, side) in [(0u16, &fr.left), (2, &fr.right)] {
            match side {
                Some(l) => {
                    ws.write_string_with_format(r, c, &l.label, &st.label_bold)?;
                    ws.write_blank(r, c + 1, &st.input_amount)?;
                }
                None => {
                    ws.write_blank(r, c, &st.label)?;
                    ws.write_blank(r, c + 1, &st.label)?;
                }
            }
        }
        r += 1;
    }
    validate_amounts(ws, first, r - 1, 1)?;
    validate_amounts(ws, first, r - 1, 3)?;
    let notes: Vec<&str> = spec.footnotes.iter().map(String::as_str).collect();
    frame::notes(ws, r, f.ncols - 1, &notes, st)?;
    Ok(())
}
