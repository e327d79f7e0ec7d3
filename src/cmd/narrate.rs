//! `budget-tables narrate`: the draft 说明 (docx, Markdown or JSON).

use std::path::Path;
use std::process::ExitCode;

use budget_tables::io::write_atomic;
use budget_tables::narrate::{self, Draft, Inputs};

use super::{exit, list_errors, load, CmdError, Setup, EXIT_ERRORS};

/// The forms a draft is written in, by the output's extension.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    Docx,
    Markdown,
    Json,
}

fn form_of(path: &Path) -> Result<Form, CmdError> {
    super::require_not_folder(path)?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("docx") => Ok(Form::Docx),
        Some("md") => Ok(Form::Markdown),
        Some("json") => Ok(Form::Json),
        _ => Err(CmdError::Usage(format!(
            "说明只能输出为 .docx、.md 或 .json 文件：{}",
            path.display()
        ))),
    }
}

pub fn run(
    setup: &Setup,
    input: &Path,
    prior: Option<&Path>,
    output: Option<&Path>,
    as_json: bool,
    allow_errors: bool,
) -> Result<ExitCode, CmdError> {
    let form = match output {
        Some(o) => Some(form_of(o)?),
        None if as_json => None,
        None => return Err(CmdError::Usage(
            "请用 -o 指定输出的说明文件（.docx、.md 或 .json），或用 --format json 输出到标准输出"
                .into(),
        )),
    };
    let (specs, opts, cur) = load(setup, input)?;
    if specs.layout.narrative.sections.is_empty() {
        return Err(CmdError::Usage(format!(
            "版式“{}”没有声明说明的章节（layout.toml 的 [narrative]），无法起草说明",
            specs.layout.name
        )));
    }
    let prior_loaded = match prior {
        Some(p) => Some(super::load_prior(setup, p, &specs, &cur)?),
        None => None,
    };
    let mut errors = list_errors(input, &cur, &specs, &opts);
    if let (Some(p), Some((other, other_opts, pb))) = (prior, &prior_loaded) {
        errors |= list_errors(p, pb, other, other_opts);
    }
    if errors && !allow_errors {
        eprintln!("输入有错误，未起草说明；请先用 budget-tables check 修正（或加 --allow-errors 照样起草）。");
        return Ok(exit(EXIT_ERRORS));
    }
    let d = narrate::draft(&Inputs {
        specs: &specs,
        current: &cur.budget,
        prior: prior_loaded.as_ref().map(|(_, _, p)| &p.budget),
        sources: &cur.sources,
    });
    if let (Some(o), Some(form)) = (output, form) {
        let mut inputs = vec![input];
        inputs.extend(prior);
        write_atomic(o, &bytes(&d, form)?, &inputs)?;
        if !as_json {
            let asks: usize = d
                .sections
                .iter()
                .flat_map(|s| &s.paragraphs)
                .flat_map(|p| &p.sentences)
                .map(|s| s.placeholders.len())
                .sum();
            println!("已生成 {}（{} 处【请填写】待补充）", o.display(), asks);
        }
    }
    if as_json {
        println!("{}", serde_json::to_string_pretty(&d).unwrap_or_default());
    }
    Ok(if errors {
        exit(EXIT_ERRORS)
    } else {
        ExitCode::SUCCESS
    })
}

fn bytes(d: &Draft, form: Form) -> Result<Vec<u8>, CmdError> {
    Ok(match form {
        Form::Docx => narrate::docx::bytes(d).map_err(CmdError::Usage)?,
        Form::Markdown => narrate::markdown(d).into_bytes(),
        Form::Json => {
            let mut s = serde_json::to_string_pretty(d).unwrap_or_default();
            s.push('\n');
            s.into_bytes()
        }
    })
}
