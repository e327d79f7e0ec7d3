//! Writing workbooks: the blank fill-in [`template`] and the [`official`]
//! published tables. Both draw titles and headers from the specs through
//! [`frame`], so the layout lives in one place.

pub mod annotate;
pub mod diff;
mod form;
pub mod frame;
pub mod layout;
pub mod official;
pub mod package;
pub mod preview;
mod style;
pub mod template;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, XlsxError};

/// What went wrong writing a workbook.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("生成工作簿失败：{}", explain_xlsx(.0))]
    Xlsx(#[from] XlsxError),
    #[error("模型中缺少表格规格“{0}”，无法输出；请使用与该模型对应的表格规格")]
    UnknownTable(String),
}

/// The writer's error in Chinese, its own words kept after it.
fn explain_xlsx(e: &XlsxError) -> String {
    match e {
        XlsxError::MaxStringLengthExceeded => {
            format!("有单元格的文字超过 Excel 的上限 32,767 个字符，请先用 check 找出并删减（{e}）")
        }
        XlsxError::IoError(io) => crate::io::explain(io),
        XlsxError::TempFileError(dir, io) => format!(
            "无法在临时文件夹 {} 中建立临时文件（{}）；请确认该文件夹存在且可写，或用环境变量 TMPDIR（Windows 为 TEMP）指定另一个可写的文件夹",
            dir.display(),
            crate::io::explain(io)
        ),
        _ => e.to_string(),
    }
}

/// A workbook whose document properties are fixed, so the same input gives
/// byte-identical output.
pub fn new_workbook(title: &str) -> Result<Workbook, WriteError> {
    let mut wb = Workbook::new();
    let props = DocProperties::new()
        .set_title(title)
        .set_author("budget-tables")
        .set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?);
    wb.set_properties(&props);
    Ok(wb)
}
