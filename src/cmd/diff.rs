//! `budget-tables diff`: the year-over-year workbook (and JSON).

use std::path::Path;
use std::process::ExitCode;

use budget_tables::diff::compare;
use budget_tables::io::write_atomic;
use budget_tables::text::norm;
use budget_tables::write::diff::workbook_bytes;

use super::{exit, list_errors, load, CmdError, Setup, EXIT_ERRORS};

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
    let (specs, opts, a) = load(setup, prior)?;
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
    // listed (as convert lists them), and the diff waits for --allow-errors.
    let errors =
        list_errors(prior, &a, &specs, &opts) | list_errors(current, &b, &other, &other_opts);
    if errors && !allow_errors {
        eprintln!("输入有错误，未生成对比结果；请先用 budget-tables check 修正（或加 --allow-errors 照样对比）。");
        return Ok(exit(EXIT_ERRORS));
    }
    let specs = &specs;
    if a.budget.year >= b.budget.year {
        return Err(CmdError::Usage(format!(
            "上年文件 {} 的年度（{}）应早于本年文件 {} 的年度（{}）；请按“上年 本年”的顺序给出两个文件",
            prior.display(),
            a.budget.year,
            current.display(),
            b.budget.year
        )));
    }
    if norm(&a.budget.department) != norm(&b.budget.department) {
        eprintln!(
            "警告：两年的部门名称不同（{} / {}），仍按科目编码和项目名称对比。",
            a.budget.department, b.budget.department
        );
    }
    let d = compare(&a.budget, &b.budget, specs);
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
