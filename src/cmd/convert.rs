//! `budget-tables convert`: any readable form → official workbook or canonical JSON.

use std::path::Path;
use std::process::ExitCode;

use budget_tables::diag::has_errors;
use budget_tables::io::{same_file, write_atomic};
use budget_tables::model::json;
use budget_tables::write::official;

use super::{counts, exit, findings, load, print_diagnostics, CmdError, Setup, EXIT_ERRORS};

pub fn run(
    setup: &Setup,
    input: &Path,
    output: &Path,
    allow_errors: bool,
) -> Result<ExitCode, CmdError> {
    super::require_not_folder(output)?;
    let ext = output
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if !matches!(ext.as_deref(), Some("xlsx") | Some("json")) {
        return Err(CmdError::Usage(format!(
            "无法识别输出格式：{}；输出文件应以 .xlsx（公开报表）或 .json（规范模型）结尾",
            output.display()
        )));
    }
    if same_file(input, output) {
        return Err(CmdError::Usage(format!(
            "输出文件 {} 与输入文件相同；输入文件不会被覆盖，请换一个输出文件名",
            output.display()
        )));
    }
    let built = build(setup, input, ext.as_deref() == Some("json"))?;
    let findings = &built.findings;
    print_diagnostics(findings);
    let errors = has_errors(findings);
    if errors && !allow_errors {
        let (e, w, _) = counts(findings);
        eprintln!("{}：有 {e} 个错误、{w} 个警告，未生成 {}。请按上面的提示修改后重试（或加 --allow-errors 强制输出）。", input.display(), output.display());
        return Ok(exit(EXIT_ERRORS));
    }
    let bytes = built.bytes?;
    write_atomic(output, &bytes, &[input])?;
    println!("已生成 {}", output.display());
    super::leave((built.specs, built.outcome, bytes));
    Ok(if errors {
        exit(EXIT_ERRORS)
    } else {
        ExitCode::SUCCESS
    })
}

/// An input converted: the output's bytes (official workbook or canonical
/// JSON), and the findings that decide whether it may be written.
pub struct Built {
    pub bytes: Result<Vec<u8>, budget_tables::write::WriteError>,
    pub findings: Vec<budget_tables::diag::Diagnostic>,
    pub specs: budget_tables::spec::SpecSet,
    pub outcome: budget_tables::read::ReadOutcome,
}

/// Reads `input`, builds its official workbook (or, `to_json`, its canonical
/// JSON) and checks it.
///
/// # Errors
/// An input that cannot be read, or a layout or catalogue that cannot be loaded.
pub fn build(setup: &Setup, input: &Path, to_json: bool) -> Result<Built, CmdError> {
    let (specs, opts, mut outcome) = load(setup, input)?;
    // The sheets as read are not needed to write or check the model (only an
    // annotated copy needs them): their memory goes before the workbook is built.
    drop(std::mem::take(&mut outcome.sheets));
    // The workbook is built while the budget is validated; it is thrown away
    // if the findings forbid writing it.
    let (bytes, findings) = budget_tables::par::join(
        || {
            if to_json {
                Ok(json::to_string(&outcome.budget).into_bytes())
            } else {
                official::workbook_bytes_with(&outcome.budget, &specs, &opts.catalogue)
            }
        },
        || findings(&outcome, &specs, &opts),
    );
    Ok(Built {
        bytes,
        findings,
        specs,
        outcome,
    })
}
