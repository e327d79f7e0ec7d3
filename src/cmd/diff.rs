//! `budget-tables diff`: the year-over-year workbook (and JSON).

use std::path::Path;
use std::process::ExitCode;

use budget_tables::diff::compare;
use budget_tables::io::write_atomic;
use budget_tables::text::norm;
use budget_tables::write::diff::workbook_bytes;

use budget_tables::diag::Diagnostic;
use budget_tables::diff::Diff;

use super::{exit, findings, load, print_diagnostics, CmdError, Setup, EXIT_ERRORS};

pub fn run(
    setup: &Setup,
    prior: &Path,
    current: &Path,
    output: Option<&Path>,
    as_json: bool,
    allow_errors: bool,
) -> Result<ExitCode, CmdError> {
    if output.is_none() && !as_json {
        return Err(CmdError::Usage(
            "请用 -o 指定输出的对比工作簿（.xlsx），或用 --format json 输出数据".into(),
        ));
    }
    if let Some(o) = output {
        super::require_xlsx(o, "对比结果")?;
    }
    let c = compare_files(setup, prior, current)?;
    for (path, found) in &c.errors {
        eprintln!("{}：有 {} 个错误", path.display(), found.len());
        print_diagnostics(found);
    }
    let errors = !c.errors.is_empty();
    if errors && !allow_errors {
        eprintln!("输入有错误，未生成对比结果；请先用 budget-tables check 修正（或加 --allow-errors 照样对比）。");
        return Ok(exit(EXIT_ERRORS));
    }
    c.order?;
    if let Some(w) = &c.names_differ {
        eprintln!("警告：{w}");
    }
    let d = c.diff;
    if let Some(o) = output {
        write_atomic(o, &workbook_bytes(&d)?, &[prior, current])?;
        if !as_json {
            println!("已生成 {}", o.display());
        }
    }
    if as_json {
        println!("{}", serde_json::to_string_pretty(&d).unwrap_or_default());
    }
    if !d.consistency.is_empty() {
        eprintln!(
            "警告：跨年度核对有 {} 处不一致（本年所列上年数与上年公开的数不同），详见“总览”。",
            d.consistency.len()
        );
    }
    Ok(if errors {
        exit(EXIT_ERRORS)
    } else {
        ExitCode::SUCCESS
    })
}

/// Two years compared, with what the command says about them before any output.
pub struct Compared {
    pub diff: Diff,
    /// Each input with errors, and its errors: a diff of wrong figures waits for `--allow-errors`.
    pub errors: Vec<(std::path::PathBuf, Vec<Diagnostic>)>,
    /// The years in the wrong order: refused once the errors are told.
    pub order: Result<(), CmdError>,
    /// The two years name different departments (compared all the same).
    pub names_differ: Option<String>,
}

/// Reads both years and compares them.
///
/// # Errors
/// An unreadable input, or two inputs of different layouts.
pub fn compare_files(setup: &Setup, prior: &Path, current: &Path) -> Result<Compared, CmdError> {
    let (specs, opts, a) = super::load_as_stated(setup, prior)?;
    let (other, other_opts, b) = load(setup, current)?;
    if other.layout.id != specs.layout.id {
        return Err(CmdError::Usage(format!(
            "两个文件的版式不同（{} 是“{}”，{} 是“{}”）；只能对比同一版式的两个年度",
            prior.display(),
            specs.layout.name,
            current.display(),
            other.layout.name
        )));
    }
    // A year with errors would be compared on wrong figures: its errors are
    // listed (as convert lists them).
    let only_errors = |path: &Path, found: Vec<Diagnostic>| {
        let e = super::table_errors_only(found);
        (!e.is_empty()).then(|| (path.to_path_buf(), e))
    };
    let errors = [
        only_errors(prior, findings(&a, &specs, &opts)),
        only_errors(current, findings(&b, &other, &other_opts)),
    ]
    .into_iter()
    .flatten()
    .collect();
    let order = if a.budget.year >= b.budget.year {
        Err(CmdError::Usage(format!(
            "上年文件 {} 的年度（{}）应早于本年文件 {} 的年度（{}）；请按“上年 本年”的顺序给出两个文件",
            prior.display(),
            a.budget.year,
            current.display(),
            b.budget.year
        )))
    } else {
        Ok(())
    };
    let names_differ = (norm(&a.budget.department) != norm(&b.budget.department)).then(|| {
        format!(
            "两年的部门名称不同（{} / {}），仍按科目编码和项目名称对比。",
            a.budget.department, b.budget.department
        )
    });
    Ok(Compared {
        diff: compare(&a.budget, &b.budget, &specs),
        errors,
        order,
        names_differ,
    })
}
