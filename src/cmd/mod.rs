//! One module per subcommand, each with its `run()`.

pub mod check;
pub mod convert;
pub mod template;

use std::path::Path;
use std::process::ExitCode;

use budget_tables::diag::{Diagnostic, Severity};
use budget_tables::io::OutputError;
use budget_tables::read::ReadError;
use budget_tables::spec::{SpecError, SpecSet};
use budget_tables::write::WriteError;

/// Exit code: the workbook has errors (some tables missing or invalid).
pub const EXIT_ERRORS: u8 = 1;
/// Exit code: the input cannot be read as a budget workbook, or a usage error.
pub const EXIT_UNREADABLE: u8 = 2;

/// Errors that stop a command; all exit with code 2.
#[derive(Debug, thiserror::Error)]
pub enum CmdError {
    #[error(transparent)]
    Spec(#[from] SpecError),
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("{0}")]
    Usage(String),
}

pub fn load_specs(dir: Option<&Path>) -> Result<SpecSet, CmdError> {
    Ok(match dir {
        Some(d) => SpecSet::from_dir(d)?,
        None => SpecSet::builtin()?,
    })
}

/// Prints findings to stderr grouped by table, errors first within each.
pub fn print_diagnostics(diags: &[Diagnostic]) {
    for line in grouped_lines(diags) {
        eprintln!("{line}");
    }
}

pub fn grouped_lines(diags: &[Diagnostic]) -> Vec<String> {
    let mut sorted: Vec<&Diagnostic> = diags.iter().collect();
    sorted.sort_by_key(|d| (table_number(d), d.severity));
    let mut out = Vec::new();
    let mut current: Option<Option<String>> = None;
    for d in sorted {
        if current.as_ref() != Some(&d.table) {
            out.push(format!("== {} ==", d.table.as_deref().unwrap_or("工作簿")));
            current = Some(d.table.clone());
        }
        out.push(format!("  {d}"));
    }
    out
}

fn table_number(d: &Diagnostic) -> u32 {
    d.table
        .as_deref()
        .and_then(|t| t.strip_prefix('表'))
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

pub fn counts(diags: &[Diagnostic]) -> (usize, usize, usize) {
    let c = |s| diags.iter().filter(|d| d.severity == s).count();
    (c(Severity::Error), c(Severity::Warning), c(Severity::Notice))
}

pub fn exit(code: u8) -> ExitCode {
    ExitCode::from(code)
}
