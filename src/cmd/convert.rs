//! `budget-tables convert`: any readable form → official workbook or canonical JSON.

use std::path::Path;
use std::process::ExitCode;

use budget_tables::diag::has_table_errors;
use budget_tables::io::same_file;
use budget_tables::write::{Format, Rendered};

use super::{exit, findings, load, print_diagnostics, CmdError, Setup, EXIT_ERRORS};

pub fn run(
    setup: &Setup,
    input: &Path,
    output: &Path,
    to: Option<Format>,
    allow_errors: bool,
) -> Result<ExitCode, CmdError> {
    // A folder given for a file format says so before its name is judged.
    if to.is_none_or(|f| !f.is_folder()) {
        super::require_not_folder(output)?;
    }
    let format = Format::for_output(output, to).map_err(CmdError::Usage)?;
    if format.is_folder() {
        if output.is_file() {
            return Err(CmdError::Usage(format!(
                "{} 是一个文件；--to {} 写出一个文件夹（每张表一个文件），请给出文件夹的路径",
                output.display(),
                format.name()
            )));
        }
    } else {
        super::require_not_folder(output)?;
    }
    if same_file(input, output) {
        return Err(CmdError::Usage(format!(
            "输出文件 {} 与输入文件相同；输入文件不会被覆盖，请换一个输出文件名",
            output.display()
        )));
    }
    let built = build(setup, input, format)?;
    let findings = &built.findings;
    print_diagnostics(findings);
    let errors = has_table_errors(findings);
    if errors && !allow_errors {
        let e = super::table_errors_only(findings.clone()).len();
        eprintln!("{}：表格有 {e} 个错误，未生成 {}。请按上面的提示修改后重试（或加 --allow-errors 强制输出）。", input.display(), output.display());
        return Ok(exit(EXIT_ERRORS));
    }
    let text_errors = budget_tables::diag::Counts::of(findings, |d| d.text).errors;
    if text_errors > 0 {
        eprintln!("{}：说明有 {text_errors} 个错误；表格没有错误，照常输出。生成公开文件（publish）前须改正说明。", input.display());
    }
    let rendered = built.rendered?;
    rendered.write_to(output, &[input])?;
    println!("已生成 {}", output.display());
    if !findings.is_empty() {
        println!("{}：{}。", input.display(), super::counts_line(findings));
    }
    super::leave((built.specs, built.outcome, rendered));
    Ok(if errors {
        exit(EXIT_ERRORS)
    } else {
        ExitCode::SUCCESS
    })
}

/// An input converted: the output rendered (official workbook, canonical
/// JSON, CSV or data package), and the findings that decide whether it may be written.
pub struct Built {
    pub rendered: Result<Rendered, budget_tables::write::WriteError>,
    pub findings: Vec<budget_tables::diag::Diagnostic>,
    pub specs: budget_tables::spec::SpecSet,
    pub outcome: budget_tables::read::ReadOutcome,
}

/// Reads `input`, renders it in `format` and checks it.
///
/// # Errors
/// An input that cannot be read, or a layout or catalogue that cannot be loaded.
pub fn build(setup: &Setup, input: &Path, format: Format) -> Result<Built, CmdError> {
    let (specs, opts, mut outcome) = load(setup, input)?;
    // The sheets as read are not needed to write or check the model (only an
    // annotated copy needs them): their memory goes before the workbook is built.
    drop(std::mem::take(&mut outcome.sheets));
    // The output is made while the budget is validated; it is thrown away
    // if the findings forbid writing it.
    let (rendered, findings) = budget_tables::par::join(
        || format.render(&outcome.budget, &specs, &opts.catalogue),
        || findings(&outcome, &specs, &opts),
    );
    Ok(Built {
        rendered,
        findings,
        specs,
        outcome,
    })
}
