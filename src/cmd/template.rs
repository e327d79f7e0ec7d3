//! `budget-tables template`: the blank fill-in workbook.

use std::path::Path;
use std::process::ExitCode;

use budget_tables::io::write_atomic;
use budget_tables::spec::SpecSet;
use budget_tables::write::template::{workbook_bytes, TemplateOptions};

use super::CmdError;

pub fn run(
    specs: &SpecSet,
    output: &Path,
    department: String,
    year: Option<i32>,
) -> Result<ExitCode, CmdError> {
    super::require_xlsx(output, "模板")?;
    let year = year.unwrap_or_else(next_year);
    let bytes = workbook_bytes(
        specs,
        &TemplateOptions {
            department: department.trim().to_string(),
            year,
        },
    )?;
    write_atomic(output, &bytes, &[])?;
    println!("已生成 {} 年填报模板：{}", year, output.display());
    Ok(ExitCode::SUCCESS)
}

/// Budgets are prepared the year before they run.
pub fn next_year() -> i32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    1970 + (secs / 31_556_952) as i32 + 1
}
