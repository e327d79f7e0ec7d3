//! `budget-tables publish`: the whole publication document (cover, contents,
//! 说明, tables) as PDF or .docx, refused while it holds errors or unfinished text.

use std::path::Path;
use std::process::ExitCode;

use budget_tables::io::{same_file, write_atomic};
use budget_tables::write::publish::{self, Form};

use super::{exit, load, print_diagnostics, CmdError, Setup, EXIT_ERRORS};

/// What `publish` was asked for.
pub struct Request<'a> {
    pub input: &'a Path,
    pub prior: Option<&'a Path>,
    pub text: Option<&'a Path>,
    pub output: &'a Path,
    pub allow_errors: bool,
}

pub fn run(setup: &Setup, r: &Request) -> Result<ExitCode, CmdError> {
    super::require_not_folder(r.output)?;
    let form = Form::of(r.output).ok_or_else(|| {
        CmdError::Usage(format!(
            "公开文件只能输出为 .pdf 或 .docx：{}",
            r.output.display()
        ))
    })?;
    let inputs: Vec<&Path> = [Some(r.input), r.prior, r.text]
        .into_iter()
        .flatten()
        .collect();
    if let Some(same) = inputs.iter().find(|i| same_file(i, r.output)) {
        return Err(CmdError::Usage(format!(
            "输出文件 {} 与输入文件 {} 相同；输入文件不会被覆盖，请换一个输出文件名",
            r.output.display(),
            same.display()
        )));
    }
    let text = r
        .text
        .map(budget_tables::narrate::check::read_text)
        .transpose()
        .map_err(CmdError::Usage)?;
    let (specs, opts, cur) = load(setup, r.input)?;
    if !specs.layout.document.is_declared() {
        return Err(CmdError::Usage(publish::no_document(&specs)));
    }
    let prior = match r.prior {
        Some(p) => Some(super::load_prior(setup, p, &specs, &cur)?),
        None => None,
    };
    let made = budget_tables::pipeline::publication(
        &cur,
        prior.as_ref().map(|(_, _, p)| &p.budget),
        &specs,
        &opts,
        text.as_deref(),
    )?;
    let errors = made.refused();
    report(r.input, &made);
    if errors && !r.allow_errors {
        eprintln!(
            "{}：公开文件中还有上面的错误或未完成的文字，未生成 {}。请修改后重试（或加 --allow-errors 照样生成草稿）。",
            r.input.display(),
            r.output.display()
        );
        return Ok(exit(EXIT_ERRORS));
    }
    let written = publish::render(&made.publication, form)?;
    write_atomic(r.output, &written.bytes, &inputs)?;
    match written.pages {
        Some(n) => println!("已生成 {}（{n} 页）", r.output.display()),
        None => println!("已生成 {}", r.output.display()),
    }
    for f in &written.fonts {
        println!("  字体 {f}");
    }
    for p in &made.publication.parts {
        if let Some(s) = &p.source {
            println!("  “{}”的文字取自{s}", p.title);
        }
    }
    Ok(if errors {
        exit(EXIT_ERRORS)
    } else {
        ExitCode::SUCCESS
    })
}

/// The findings and the unfinished places, on stderr.
fn report(input: &Path, made: &budget_tables::pipeline::ToPublish) {
    let errors = super::errors_only(made.findings.clone());
    if !errors.is_empty() {
        eprintln!("{}：表格或说明有 {} 个错误", input.display(), errors.len());
        print_diagnostics(&errors);
    }
    if !made.unfinished.is_empty() {
        eprintln!(
            "{}：公开文件中有 {} 处未完成的文字：",
            input.display(),
            made.unfinished.len()
        );
        for u in &made.unfinished {
            eprintln!("  {u}");
        }
    }
}
