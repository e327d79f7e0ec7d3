//! `budget-tables check`: structural findings, as text grouped by table or as JSON.

use std::path::Path;
use std::process::ExitCode;

use budget_tables::diag::has_errors;
use budget_tables::read::read_path;
use budget_tables::spec::SpecSet;

use super::{counts, exit, grouped_lines, CmdError, EXIT_ERRORS};

pub fn run(specs: &SpecSet, input: &Path, as_json: bool) -> Result<ExitCode, CmdError> {
    let outcome = read_path(input, specs)?;
    let d = &outcome.diagnostics;
    if as_json {
        let (errors, warnings, notices) = counts(d);
        let report = serde_json::json!({
            "file": input.display().to_string(),
            "department": outcome.budget.department,
            "year": outcome.budget.year,
            "errors": errors,
            "warnings": warnings,
            "notices": notices,
            "findings": d,
        });
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    } else {
        for line in grouped_lines(d) {
            println!("{line}");
        }
        let (e, w, n) = counts(d);
        if d.is_empty() {
            println!("{}：检查通过，未发现问题。", input.display());
        } else {
            println!("{}：{e} 个错误，{w} 个警告，{n} 个提示。", input.display());
        }
    }
    Ok(if has_errors(d) { exit(EXIT_ERRORS) } else { ExitCode::SUCCESS })
}
