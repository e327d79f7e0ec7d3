//! Writing workbooks: the blank fill-in [`template`] and the [`official`]
//! published tables. Both draw titles and headers from the specs through
//! [`frame`], so the layout lives in one place.

pub mod annotate;
pub mod annotate_pdf;
pub mod csv;
pub mod datapackage;
pub mod diff;
mod form;
mod format;
pub mod frame;
pub mod layout;
pub mod official;
pub mod package;
pub mod preview;
pub mod publish;
mod style;
pub mod template;

pub use format::{Format, Rendered};

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, XlsxError};

/// What went wrong writing a workbook.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("生成工作簿失败：{}", explain_xlsx(.0))]
    Xlsx(#[from] XlsxError),
    #[error("模型中缺少表格规格“{0}”，无法输出；请使用与该模型对应的表格规格")]
    UnknownTable(String),
    #[error("无法写出 CSV：{0}")]
    Csv(String),
    #[error("无法生成标注的 PDF：{0}")]
    Pdf(String),
    #[error("无法生成公开文件：{0}")]
    Publish(String),
    #[error("无法写入临时文件夹 {0} 中的临时文件（磁盘空间不足或不可写）；请清理该文件夹所在的磁盘，或用环境变量 TMPDIR（Windows 为 TEMP）指定另一个有空间的文件夹")]
    TempFull(String),
}

/// Runs `job`, which writes through the spreadsheet writer's temporary files;
/// a failed write there becomes [`WriteError::TempFull`] instead of a crash.
///
/// # Errors
/// What `job` returns, and [`WriteError::TempFull`].
pub fn through_temp_files<T>(job: impl FnOnce() -> Result<T, WriteError>) -> Result<T, WriteError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)) {
        Ok(r) => r,
        Err(p) if crate::panics::is_temp_write_failure(p.as_ref()) => Err(WriteError::TempFull(
            std::env::temp_dir().display().to_string(),
        )),
        Err(p) => std::panic::resume_unwind(p),
    }
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
