//! `budget-tables check`: structural findings, as text grouped by table or as JSON.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use budget_tables::diag::Diagnostic;

use budget_tables::diag::has_errors;
use budget_tables::io::write_atomic;
use budget_tables::narrate::check::{check as check_text, read_text, TextReport, TextSource};
use budget_tables::write::annotate;

use super::{counts, exit, findings_with_texts, grouped_lines, load, CmdError, Setup, EXIT_ERRORS};

/// The written 说明 to check, and the prior year its changes are checked against.
pub struct Texts<'a> {
    pub narrative: Option<&'a Path>,
    pub prior: Option<&'a Path>,
}

/// What an annotated copy is made as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnnotatedAs {
    /// A workbook: the input's own cells (a PDF's tables as read).
    Workbook,
    /// A copy of the PDF given, highlights and notes added.
    Pdf,
}

impl AnnotatedAs {
    /// The kind an output's extension asks for (`.pdf`, else a workbook).
    pub fn of(path: &Path) -> AnnotatedAs {
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
        {
            AnnotatedAs::Pdf
        } else {
            AnnotatedAs::Workbook
        }
    }
}

/// What a check found: the input as read, its findings and the counts of the
/// 说明 checked (their findings are among `findings`).
pub struct Checked {
    pub specs: budget_tables::spec::SpecSet,
    /// The checks' options (its catalogue writes the published tables).
    pub opts: budget_tables::validate::Options,
    pub outcome: budget_tables::read::ReadOutcome,
    pub findings: Vec<Diagnostic>,
    pub report: TextReport,
}

/// Reads `input` and checks it (with the 说明 and prior year of `texts`);
/// `keep_sheets` keeps the sheets as read, for an annotated copy.
///
/// # Errors
/// What stops a check: an unreadable input, narrative or prior year.
pub fn evaluate(
    setup: &Setup,
    input: &Path,
    keep_sheets: bool,
    texts: &Texts,
) -> Result<Checked, CmdError> {
    let narrative_text = match texts.narrative {
        Some(p) => Some(read_text(p).map_err(CmdError::Usage)?),
        None => None,
    };
    let (specs, opts, mut outcome) = load(setup, input)?;
    if !keep_sheets {
        drop(std::mem::take(&mut outcome.sheets));
    }
    let prior = match texts.prior {
        Some(p) => Some(super::load_prior(setup, p, &specs, &outcome)?.2.budget),
        None => None,
    };
    let (mut findings, sheets_report) = findings_with_texts(&outcome, &specs, &opts);
    let against = budget_tables::pipeline::against(
        &outcome.budget,
        prior.as_ref(),
        &specs,
        &outcome.sources,
        &opts,
    );
    let mut report = TextReport::default();
    if narrative_text.is_some() {
        // One check reads one 说明: the file given replaces the workbook's
        // own text sheets, so no item gets a finding from each.
        findings.retain(|d| !d.text);
    } else if prior.is_some() {
        // The workbook's own 说明 again, now with the prior year.
        findings.retain(|d| !d.text);
        let mut again = budget_tables::pipeline::own_texts(&outcome, &against);
        budget_tables::pipeline::on_pages(&outcome, &mut again.findings);
        findings.extend(again.findings.iter().cloned());
        report.merge(again);
    } else {
        // Their findings are already among `findings`.
        report.merge(sheets_report);
    }
    if let (Some(path), Some(text)) = (texts.narrative, &narrative_text) {
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let r = check_text(
            &TextSource {
                name,
                text,
                sheet: None,
            },
            &against,
        );
        findings.extend(r.findings.iter().cloned());
        report.merge(r);
    }
    Ok(Checked {
        specs,
        opts,
        outcome,
        findings,
        report,
    })
}

impl Checked {
    /// The input workbook with its findings marked (kept when checked with
    /// `keep_sheets`); `what` names the copy in the message for a JSON input.
    ///
    /// # Errors
    /// A JSON input (it has no cells), an input that can no longer be read,
    /// or a copy that cannot be written.
    pub fn annotated_copy(&self, input: &Path, what: &str) -> Result<Vec<u8>, CmdError> {
        self.annotated(input, what, AnnotatedAs::Workbook)
    }

    /// The annotated copy as `kind`: a PDF input can be marked in a copy of
    /// the PDF itself, or in a workbook of its tables as read.
    ///
    /// # Errors
    /// As [`Checked::annotated_copy`]; a PDF copy of an input that is no PDF.
    pub fn annotated(
        &self,
        input: &Path,
        what: &str,
        kind: AnnotatedAs,
    ) -> Result<Vec<u8>, CmdError> {
        if self.outcome.sheets.is_empty() {
            return Err(CmdError::Usage(format!(
                "{what}只适用于工作簿（xlsx、xls、ods）或 PDF 输入，JSON 没有单元格可以标注"
            )));
        }
        // Read again only for the copy.
        let original = std::fs::read(input).map_err(|e| {
            CmdError::Usage(format!(
                "无法再次读取 {} 以生成标注副本：{e}",
                input.display()
            ))
        })?;
        match (kind, &self.outcome.pdf) {
            (AnnotatedAs::Pdf, Some(pdf)) => Ok(budget_tables::write::annotate_pdf::copy_of(
                &original,
                &pdf.places,
                &self.findings,
            )?),
            (AnnotatedAs::Pdf, None) => Err(CmdError::Usage(format!(
                "{what}输出为 PDF 只适用于 PDF 输入；工作簿请输出为 .xlsx"
            ))),
            (AnnotatedAs::Workbook, _) => Ok(annotate::copy_of(
                &original,
                &self.outcome.sheets,
                &self.findings,
            )?),
        }
    }

    /// The JSON of `check --format json`, written to `out`.
    ///
    /// # Errors
    /// A failed write to `out`.
    pub fn write_json(&self, file: &str, out: impl Write) -> serde_json::Result<()> {
        let d = &self.findings;
        let (errors, warnings, notices) = counts(d);
        let report = Report {
            file: file.to_string(),
            layout: &self.outcome.budget.layout,
            department: &self.outcome.budget.department,
            year: self.outcome.budget.year,
            errors,
            warnings,
            notices,
            text_findings: budget_tables::diag::Counts::of(d, |x| x.text),
            narrative: (self.report.sentences > 0).then_some(&self.report),
            findings: d,
        };
        serde_json::to_writer_pretty(out, &report)
    }
}

pub fn run(
    setup: &Setup,
    input: &Path,
    as_json: bool,
    annotate: Option<&Path>,
    texts: &Texts,
) -> Result<ExitCode, CmdError> {
    // A wrong output name is reported before any reading.
    if let Some(out) = annotate {
        if AnnotatedAs::of(out) == AnnotatedAs::Workbook {
            super::require_xlsx(out, "--annotate ")?;
        }
        super::require_not_folder(out)?;
    }
    let checked = evaluate(setup, input, annotate.is_some(), texts)?;
    let (d, report) = (&checked.findings, &checked.report);
    if let Some(out) = annotate {
        write_atomic(
            out,
            &checked.annotated(input, "--annotate ", AnnotatedAs::of(out))?,
            &[input],
        )?;
    }
    if as_json {
        // Streamed: hundreds of thousands of findings are never held as one string.
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        checked
            .write_json(&input.display().to_string(), &mut out)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
            .and_then(|()| out.flush())
            .map_err(|e| CmdError::Usage(format!("无法写出检查结果：{e}")))?;
    } else {
        let color = std::io::IsTerminal::is_terminal(&std::io::stdout());
        let layout = &checked.specs.layout;
        println!(
            "版式 {}：{}；部门：{}；年度：{}",
            layout.id, layout.name, checked.outcome.budget.department, checked.outcome.budget.year
        );
        if let Some(n) = texts
            .narrative
            .filter(|_| !checked.outcome.budget.texts.is_empty())
        {
            println!(
                "说明以 {} 为准：工作簿自带的说明工作表这次不核对。",
                n.display()
            );
        }
        for line in grouped_lines(d, color) {
            println!("{line}");
        }
        if let Some(out) = annotate {
            println!("已另存标注副本：{}", out.display());
        }
        if report.sentences > 0 {
            println!(
                "说明：{} 句，{} 处数字表述，核对 {} 处，发现问题 {} 处，未核对 {} 处（见“提示”）。",
                report.sentences, report.statements, report.checked, report.flagged, report.unchecked
            );
        }
        if d.is_empty() {
            println!("{}：检查通过，未发现问题。", input.display());
        } else {
            println!("{}：{}。", input.display(), super::counts_line(d));
        }
    }
    let code = if has_errors(d) {
        exit(EXIT_ERRORS)
    } else {
        ExitCode::SUCCESS
    };
    super::leave(checked);
    Ok(code)
}

/// The JSON form of a check, in this key order.
#[derive(serde::Serialize)]
struct Report<'a> {
    file: String,
    /// The layout the input was read in (`shanghai-budget-department`).
    layout: &'a str,
    department: &'a str,
    year: i32,
    errors: usize,
    warnings: usize,
    notices: usize,
    /// Of the counts above, those of the 说明 (findings with `"text": true`).
    text_findings: budget_tables::diag::Counts,
    /// The counts of the 说明 checked (its findings are among `findings`).
    #[serde(skip_serializing_if = "Option::is_none")]
    narrative: Option<&'a TextReport>,
    findings: &'a [Diagnostic],
}
