//! The blank fill-in workbook: official headers locked, input cells unlocked
//! with a decimal validation, no formulas.

use rust_xlsxwriter::{DataValidation, DataValidationRule, ProtectionOptions, Worksheet};

use super::frame::{self, put, Mode, Page};
use super::style::Styles;
use super::{form, new_workbook, WriteError};
use crate::spec::{ColumnKind, RowKey, Shape, SpecSet, TableSpec, TwoSidedSpec};
use crate::text::{display_width, fill};

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
    if !layout.instructions.is_empty() {
        let ws = wb.add_worksheet();
        ws.set_name("填表说明")?;
        frame::text_page(ws)?;
        for (i, line) in layout.instructions.iter().enumerate() {
            if i == 0 {
                ws.write_string_with_format(0, 0, line, &st.text_heading)?;
            } else {
                frame::paragraph(ws, i as u32, line, &st.text_body)?;
            }
        }
    }
    let page = Page {
        year: opts.year,
        department: &opts.department,
        heading: layout.heading.as_deref(),
        mode: Mode::Template,
    };
    for t in layout.text_sheets.iter().filter(|t| !t.after_tables) {
        frame::text_sheet(wb.add_worksheet(), t, &st, page, None)?;
    }
    for spec in &specs.tables {
        let ws = wb.add_worksheet();
        match &spec.shape {
            Shape::Form(_) => form::write(ws, spec, &st, opts.year, &opts.department, None)?,
            Shape::Grid(_) => grid(ws, spec, &st, page)?,
            Shape::TwoSided(ts) => two_sided(ws, spec, ts, &st, page)?,
        }
        protect(ws);
    }
    for t in layout.text_sheets.iter().filter(|t| t.after_tables) {
        frame::text_sheet(wb.add_worksheet(), t, &st, page, None)?;
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

fn validate_amounts(
    ws: &mut Worksheet,
    spec: &TableSpec,
    (first, last): (u32, u32),
    col: u16,
) -> Result<(), WriteError> {
    let dv = DataValidation::new()
        .allow_decimal_number(DataValidationRule::Between(-1.0e12, 1.0e12))
        .set_error_title("金额格式不正确")?
        .set_error_message(format!(
            "请填写数字（单位：{}，保留两位小数），不要填写文字或公式。",
            spec.unit.label()
        ))?;
    ws.add_data_validation(first, col, last, col, &dv)?;
    Ok(())
}

/// What one row of a blank grid holds.
enum Blank<'a> {
    /// Cells to fill (code, name, amounts); `Fixed` tables print the label.
    Input(Option<&'a str>),
    /// A printed label over the label cells of each half (`合计`,
    /// `人员经费合计 | 公用经费合计`), amounts to fill.
    Labelled(Vec<&'a str>),
}

/// The rows of a blank grid: the total row where the layout prints it, the
/// rows to fill, then the fixed rows of a coded table (one per half).
fn blank_rows(spec: &TableSpec) -> Vec<Blank<'_>> {
    let mut rows = Vec::new();
    let total = spec.total_label();
    let first = spec.grid().is_some_and(|g| g.total_first);
    if let (Some(t), true) = (total, first) {
        rows.push(Blank::Labelled(vec![t]));
    }
    match spec.row_key {
        RowKey::Fixed => rows.extend(
            spec.fixed_rows()
                .iter()
                .map(|l| Blank::Input(Some(&l.label))),
        ),
        RowKey::Single => rows.push(Blank::Input(None)),
        _ => rows.extend((0..spec.template_rows).map(|_| Blank::Input(None))),
    }
    if let (Some(t), false) = (total, first) {
        rows.push(Blank::Labelled(vec![t]));
    }
    if spec.row_key != RowKey::Fixed && !spec.fixed_rows().is_empty() {
        let labels = spec.fixed_rows().iter().map(|l| l.label.as_str());
        if spec.halves().is_some() {
            rows.push(Blank::Labelled(labels.collect()));
        } else {
            rows.extend(labels.map(|l| Blank::Labelled(vec![l])));
        }
    }
    rows
}

fn grid(ws: &mut Worksheet, spec: &TableSpec, st: &Styles, page: Page) -> Result<(), WriteError> {
    let widths = frame::column_widths(spec, &[]);
    let f = frame::draw(ws, spec, st, page, &widths)?;
    let first = f.first_data_row;
    let rows = blank_rows(spec);
    let halves = if spec.halves().is_some() { 2 } else { 1 };
    let width = spec.columns.len() as u16;
    // The label cells before the first amount, merged under a printed label.
    let labels = spec.leading_labels() as u16;
    for (i, row) in rows.iter().enumerate() {
        let r = first + i as u32;
        for half in 0..halves {
            let at = half * width;
            if let Blank::Labelled(texts) = row {
                let text = fill(
                    texts.get(half as usize).copied().unwrap_or(""),
                    page.year,
                    "",
                );
                put(
                    ws,
                    (r, at, r, at + labels.max(1) - 1),
                    &text,
                    &st.label_bold,
                )?;
            }
            for (c, col) in spec.columns.iter().enumerate() {
                let c = at + c as u16;
                match (row, col.kind) {
                    (_, ColumnKind::Amount | ColumnKind::Rate) => {
                        ws.write_blank(r, c, &st.input_amount)?
                    }
                    (_, ColumnKind::LineNo) => {
                        ws.write_number_with_format(r, c, (i + 1) as f64, &st.label)?
                    }
                    (Blank::Labelled(_), _) => continue,
                    (_, ColumnKind::Code | ColumnKind::CodePart) => {
                        ws.write_blank(r, c, &st.input_code)?
                    }
                    (Blank::Input(Some(label)), ColumnKind::Name) => {
                        ws.write_string_with_format(r, c, fill(label, page.year, ""), &st.label)?
                    }
                    (Blank::Input(Some(_)), ColumnKind::Unit) if i > 0 => {
                        ws.write_blank(r, c, &st.label)?
                    }
                    _ => ws.write_blank(r, c, &st.input_text)?,
                };
            }
        }
    }
    let last = first + rows.len() as u32 - 1;
    for (c, col) in spec.printed_columns().iter().enumerate() {
        if col.kind == ColumnKind::Amount {
            validate_amounts(ws, spec, (first, last), c as u16)?;
        }
    }
    let notes: Vec<&str> = spec.footnotes.iter().map(String::as_str).collect();
    frame::notes(ws, last + 1, f.ncols - 1, &notes, st)?;
    Ok(())
}

fn two_sided(
    ws: &mut Worksheet,
    spec: &TableSpec,
    ts: &TwoSidedSpec,
    st: &Styles,
    page: Page,
) -> Result<(), WriteError> {
    let [(_, left), (_, right)] = spec.sides();
    let left_width = spec.left_lines().map(|l| display_width(&l.label)).max();
    let mut content = vec![0; spec.columns.len()];
    content[0] = left_width.unwrap_or(0);
    let widths = frame::column_widths(spec, &content);
    let f = frame::draw(ws, spec, st, page, &widths)?;
    let first = f.first_data_row;
    // A side's 行次 column (after its label) shifts its amounts by one; the
    // right side's numbers continue from the left's.
    let numbered = spec.line_no_sides();
    let shift = numbered.map(u16::from);
    let split = (left.len() + 1) as u16 + shift[0];
    let (left_n, right_n) = (left.len() as u16, right.len() as u16);
    let left_count =
        ts.income_lines.len() + ts.footer_rows.iter().filter(|f| f.left.is_some()).count();
    let mut next = [1, left_count + 1];
    let mut number = |ws: &mut Worksheet, r: u32, at: u16, side: usize| -> Result<(), WriteError> {
        if numbered[side] {
            ws.write_number_with_format(r, at + 1, next[side] as f64, &st.label)?;
            next[side] += 1;
        }
        Ok(())
    };
    // Layouts that list every 类 on the expenditure side (empty or not) print them.
    let expenditure: Vec<String> = ts
        .expenditure_lines
        .iter()
        .map(|l| l.label.clone())
        .chain(
            ts.link_codes
                .iter()
                .enumerate()
                .map(|(i, c)| ts.class_label(i + 1, &c.name)),
        )
        .collect();
    let n = (spec.template_rows as usize)
        .max(ts.income_lines.len())
        .max(expenditure.len());
    let side =
        |ws: &mut Worksheet, r: u32, at: u16, amounts: u16, label: Option<&str>, input: bool| {
            match (label, input) {
                (Some(l), true) => ws.write_string_with_format(r, at, l, &st.input_text)?,
                (Some(l), false) => ws.write_string_with_format(r, at, l, &st.label)?,
                (None, true) => ws.write_blank(r, at, &st.input_text)?,
                (None, false) => ws.write_blank(r, at, &st.label)?,
            };
            let shift = if at == 0 { shift[0] } else { shift[1] };
            // A labelled row's 行次 is written by `number`.
            if shift == 1 && label.is_none() {
                ws.write_blank(r, at + 1, &st.label)?;
            }
            for c in 1..=amounts {
                let look = if label.is_some() || input {
                    &st.input_amount
                } else {
                    &st.label
                };
                ws.write_blank(r, at + shift + c, look)?;
            }
            Ok::<(), WriteError>(())
        };
    for i in 0..n {
        let r = first + i as u32;
        let income = ts.income_lines.get(i).map(|l| l.label.as_str());
        side(ws, r, 0, left_n, income, false)?;
        if income.is_some() {
            number(ws, r, 0, 0)?;
        }
        let spent = expenditure.get(i).map(String::as_str);
        side(ws, r, split, right_n, spent, true)?;
        if spent.is_some() {
            number(ws, r, split, 1)?;
        }
    }
    let mut r = first + n as u32;
    for fr in &ts.footer_rows {
        for (s, (at, amounts, line)) in [(0, left_n, &fr.left), (split, right_n, &fr.right)]
            .into_iter()
            .enumerate()
        {
            match line {
                Some(l) => {
                    ws.write_string_with_format(r, at, &l.label, &st.label_bold)?;
                    number(ws, r, at, s)?;
                    for c in 1..=amounts {
                        ws.write_blank(r, at + shift[s] + c, &st.input_amount)?;
                    }
                }
                None => side(ws, r, at, amounts, None, false)?,
            }
        }
        r += 1;
    }
    for (c, col) in spec.columns.iter().enumerate() {
        if col.kind == ColumnKind::Amount {
            validate_amounts(ws, spec, (first, r - 1), c as u16)?;
        }
    }
    let notes: Vec<&str> = spec.footnotes.iter().map(String::as_str).collect();
    frame::notes(ws, r, f.ncols - 1, &notes, st)?;
    Ok(())
}
