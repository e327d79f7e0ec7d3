//! `budget-tables sample`: generated department workbooks for benchmarks.

use std::path::Path;
use std::process::ExitCode;

use budget_tables::io::write_atomic;
use budget_tables::sample::{base, generate, generate_units};
use budget_tables::spec::SpecSet;
use budget_tables::write::official;
use rayon::prelude::*;

use super::CmdError;

pub fn run(
    specs: &SpecSet,
    count: usize,
    units: Option<usize>,
    output: &Path,
) -> Result<ExitCode, CmdError> {
    let base = base();
    std::fs::create_dir_all(output)
        .map_err(|e| CmdError::Usage(format!("无法创建目录 {}：{e}", output.display())))?;
    (0..count)
        .into_par_iter()
        .try_for_each(|i| -> Result<(), CmdError> {
            let b = match units {
                Some(n) => generate_units(&base, specs, i, n),
                None => generate(&base, specs, i),
            };
            let bytes = official::workbook_bytes(&b, specs)?;
            write_atomic(&output.join(format!("dept-{:04}.xlsx", i + 1)), &bytes, &[])?;
            Ok(())
        })?;
    println!("已生成 {count} 个部门的工作簿：{}", output.display());
    Ok(ExitCode::SUCCESS)
}
