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

const INSTRUCTIONS: &[&str] = &[
    "填表说明",
    "1. 本工作簿共 12 张表（表1 至表12），每张表一个工作表；请在白色（未锁定）单元格中填写，表头已锁定（工作表保护无密码，可随时撤销）。",
    "2. 金额单位为万元，保留两位小数；请直接填写数值，不要填写公式。合计、小计由程序核对，不会自动计算。",
    "3. 空白单元格表示“未填写”，不等于 0；金额为零时请填写 0。",
    "4. 表2 至表5、表7、表8、表10、表11：先填部门合计行（“预算单位”列填写部门名称），再按科目或项目逐行填写；部门有多个预算单位的，在部门数据之后依次填写各单位的合计行及其明细。",
    "5. 表3、表7、表10、表11 的“科目编码”按支出功能分类填写（类 3 位、款 5 位、项 7 位）；表8 按部门预算支出经济分类填写（类 3 位、款 5 位）。编码请按文本填写。",
    "6. 表1、表6 支出栏按功能分类填写科目名称：类级名称前加“一、二、三……”序号，款、项名称与表7（及表10、表11）一致。",
    "7. 表9 每个预算单位填写三行：上年、本年、增减变化金额；多个预算单位请复制这三行。",
    "8. 表10、表11 本年无发生额的，填写合计行金额 0，发布时自动加注“本表本年无发生额”。",
    "9. 可以插入或删除行、调整列宽；请不要修改表头文字和表格标题。填好后用 budget-tables check 检查，用 budget-tables convert 生成公开报表。",
];

/// The blank template as bytes.
///
/// # Errors
/// [`WriteError`] when the workbook cannot be assembled.
pub fn workbook_bytes(specs: &SpecSet, opts: &TemplateOptions) -> Result<Vec<u8>, WriteError> {
    let mut wb = new_workbook(&format!("{}年部门预算公开表（填报模板）", opts.year))?;
    let st = Styles::new();
    let ws = wb.add_worksheet();
    ws.set_name("填表说明")?;
    ws.set_column_width(0, 110)?;
    let head = Format::new()
        .set_font_name("宋体")
        .set_font_size(16)
        .set_bold();
    let body = Format::new()
        .set_font_name("宋体")
        .set_font_size(11)
        .set_text_wrap();
    for (i, line) in INSTRUCTIONS.iter().enumerate() {
        ws.write_string_with_format(i as u32, 0, *line, if i == 0 { &head } else { &body })?;
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
