//! One module per subcommand, each with its `run()`.

pub mod batch;
pub mod check;
pub mod convert;
pub mod diff;
pub mod layouts;
pub mod narrate;
pub mod publish;
pub mod sample;
pub mod serve;
pub mod template;
pub mod zh;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use budget_tables::diag::{Diagnostic, Severity};
use budget_tables::io::OutputError;
use budget_tables::read::ReadError;
use budget_tables::read::{load_path, ReadOutcome};
use budget_tables::spec::{sources, SpecError, SpecSet};
use budget_tables::validate::{
    catalogue::{Catalogue, CatalogueError},
    Options,
};
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
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    #[error("{0}")]
    Usage(String),
}

/// Refuses an output path that is an existing folder.
pub fn require_not_folder(path: &Path) -> Result<(), CmdError> {
    if path.is_dir() {
        return Err(CmdError::Usage(format!(
            "输出路径 {} 是一个文件夹，不是文件；请给出要写入的文件名（如 {}）",
            path.display(),
            path.join("输出.xlsx").display()
        )));
    }
    Ok(())
}

/// Refuses an output path that is not `.xlsx`, or is a folder; `what` names
/// the output in the message.
pub fn require_xlsx(path: &Path, what: &str) -> Result<(), CmdError> {
    require_not_folder(path)?;
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
    {
        Ok(())
    } else {
        Err(CmdError::Usage(format!(
            "{what}只能输出为 .xlsx 文件：{}",
            path.display()
        )))
    }
}

/// The rounding step of published figures: one fen of 万元.
pub const DEFAULT_STEP: rust_decimal::Decimal =
    rust_decimal::Decimal::from_parts(1, 0, 0, false, 2);

pub fn check_options(
    catalogue: Option<&Path>,
    step: rust_decimal::Decimal,
) -> Result<Options, CmdError> {
    if step <= rust_decimal::Decimal::ZERO {
        return Err(CmdError::Usage(format!("舍入步长应大于 0：{step}")));
    }
    let catalogue = match catalogue {
        Some(p) => Catalogue::from_path(p)?,
        None => Catalogue::builtin()?,
    };
    Ok(Options { step, catalogue })
}

/// What every command needs before its work: the layouts it may read, and
/// the options of the checks (for the commands that check).
pub struct Setup {
    /// A layout folder given with `--templates`.
    pub templates: Option<PathBuf>,
    /// A layout named with `--layout`.
    pub layout: Option<String>,
    pub catalogue: Option<PathBuf>,
    pub step: rust_decimal::Decimal,
    /// `--year`: the year of an input that states none.
    pub year: Option<i32>,
}

impl Setup {
    /// The layouts an input may be in: the one `--layout` names, else
    /// every loaded one (built in, `--templates`, the environment's and the
    /// user's folders; see [`sources`]).
    pub fn layouts(&self) -> Result<Vec<SpecSet>, CmdError> {
        let mut all = self.loaded()?;
        match &self.layout {
            Some(id) => Ok(vec![take(&mut all, id)?]),
            None => Ok(all),
        }
    }

    fn loaded(&self) -> Result<Vec<SpecSet>, CmdError> {
        Ok(sources::load_all(&sources::Places::from_env(
            self.templates.clone(),
        ))?)
    }

    /// The one layout of a command that reads no input (template, sample):
    /// the one `--layout` names, else the one `--templates` gives, else the
    /// default.
    pub fn specs(&self) -> Result<SpecSet, CmdError> {
        let mut all = self.loaded()?;
        if let Some(id) = &self.layout {
            return take(&mut all, id);
        }
        let given: Vec<usize> = (0..all.len())
            .filter(|&i| matches!(all[i].origin, sources::Origin::Templates(_)))
            .collect();
        match given.as_slice() {
            [] => take(&mut all, budget_tables::spec::DEFAULT_LAYOUT),
            [one] => Ok(all.swap_remove(*one)),
            many => Err(CmdError::Usage(format!(
                "--templates 目录中有 {} 个版式（{}）；请用 --layout 指定其中一个",
                many.len(),
                many.iter()
                    .map(|&i| all[i].layout.id.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            ))),
        }
    }

    pub fn options(&self) -> Result<Options, CmdError> {
        check_options(self.catalogue.as_deref(), self.step)
    }
}

/// The layout `id` out of `all`.
fn take(all: &mut Vec<SpecSet>, id: &str) -> Result<SpecSet, CmdError> {
    match all.iter().position(|s| s.layout.id == id) {
        Some(i) => Ok(all.swap_remove(i)),
        None => Err(SpecError::UnknownLayout(id.to_string()).into()),
    }
}

/// Loads the input while the layouts and options are prepared, picks the
/// input's layout, then reads it. A problem with the layouts or options is
/// reported before one with the input.
pub fn load(setup: &Setup, input: &Path) -> Result<(SpecSet, Options, ReadOutcome), CmdError> {
    let (specs, opts, mut outcome) = load_as_stated(setup, input)?;
    if let Some(y) = setup.year {
        budget_tables::pipeline::given_year(&mut outcome, y);
    }
    Ok((specs, opts, outcome))
}

/// [`load`] without `--year`, which names this year's input only: last
/// year's file states its own year.
pub fn load_as_stated(
    setup: &Setup,
    input: &Path,
) -> Result<(SpecSet, Options, ReadOutcome), CmdError> {
    let (loaded, prepared) = budget_tables::par::join(
        || load_path(input),
        || -> Result<_, CmdError> { Ok((setup.layouts()?, setup.options()?)) },
    );
    let (mut layouts, mut opts) = prepared?;
    let loaded = loaded?;
    let specs = layouts.swap_remove(loaded.detect(&layouts)?);
    if let std::borrow::Cow::Owned(own) = opts.for_layout(&specs) {
        opts = own;
    }
    let outcome = loaded.interpret_with(&specs, &opts.catalogue)?;
    Ok((specs, opts, outcome))
}

/// Hands what a command built back to the operating system with the process:
/// freeing a workbook's cells one by one just before exit only costs time.
pub fn leave<T>(done: T) {
    std::mem::forget(done);
}

/// All findings: the read's structural ones first, then the validator's.
pub fn findings(outcome: &ReadOutcome, specs: &SpecSet, opts: &Options) -> Vec<Diagnostic> {
    findings_with_texts(outcome, specs, opts).0
}

/// [`findings`], with the counts of the workbook's 说明 sheets' check.
pub fn findings_with_texts(
    outcome: &ReadOutcome,
    specs: &SpecSet,
    opts: &Options,
) -> (Vec<Diagnostic>, budget_tables::narrate::check::TextReport) {
    let c = budget_tables::pipeline::check(outcome, specs, opts);
    (c.findings, c.texts)
}

/// The prior year of `current`: the same layout and department, an earlier
/// year; anything else is refused before any work.
pub fn load_prior(
    setup: &Setup,
    path: &Path,
    specs: &SpecSet,
    current: &ReadOutcome,
) -> Result<(SpecSet, Options, ReadOutcome), CmdError> {
    let (other, opts, p) = load_as_stated(setup, path)?;
    if other.layout.id != specs.layout.id {
        return Err(CmdError::Usage(format!(
            "两个文件的版式不同（上年文件 {} 是“{}”，本年是“{}”）；上年文件应与本年同一版式",
            path.display(),
            other.layout.name,
            specs.layout.name
        )));
    }
    if p.budget.year >= current.budget.year {
        return Err(CmdError::Usage(format!(
            "上年文件 {} 的年度（{}）应早于本年文件的年度（{}）",
            path.display(),
            p.budget.year,
            current.budget.year
        )));
    }
    if budget_tables::text::norm(&p.budget.department)
        != budget_tables::text::norm(&current.budget.department)
    {
        return Err(CmdError::Usage(format!(
            "上年文件 {} 是“{}”的，不是“{}”的；请给出本部门上年的文件",
            path.display(),
            p.budget.department,
            current.budget.department
        )));
    }
    Ok((other, opts, p))
}

/// Lists the errors of one input's tables on stderr (as convert lists
/// them); true if it has any. Used where output from wrong figures waits for
/// --allow-errors; the 说明's errors do not stop it.
pub fn list_errors(path: &Path, outcome: &ReadOutcome, specs: &SpecSet, opts: &Options) -> bool {
    let only = table_errors_only(findings(outcome, specs, opts));
    if only.is_empty() {
        return false;
    }
    eprintln!("{}：有 {} 个错误", path.display(), only.len());
    print_diagnostics(&only);
    true
}

/// The errors among `found` (no warning or notice).
pub fn errors_only(found: Vec<Diagnostic>) -> Vec<Diagnostic> {
    found
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect()
}

/// The errors of the tables among `found` (none of the 说明's).
pub fn table_errors_only(found: Vec<Diagnostic>) -> Vec<Diagnostic> {
    found
        .into_iter()
        .filter(|d| d.severity == Severity::Error && !d.text)
        .collect()
}

/// The closing line's counts: all findings, and the 说明's apart when it has
/// any (`1 个错误，…（其中说明：1 个错误，…）`).
pub fn counts_line(diags: &[Diagnostic]) -> String {
    use budget_tables::diag::Counts;
    let all = Counts::of(diags, |_| true).label();
    let text = Counts::of(diags, |d| d.text);
    if text == Counts::default() {
        all
    } else {
        format!("{all}（其中说明：{}）", text.label())
    }
}

/// Prints findings to stderr grouped by table, errors first within each.
pub fn print_diagnostics(diags: &[Diagnostic]) {
    use std::io::Write;
    let color = std::io::IsTerminal::is_terminal(&std::io::stderr());
    // stderr is unbuffered: one write for all the lines, not one per line.
    let mut text = String::new();
    for line in grouped_lines(diags, color) {
        text.push_str(&line);
        text.push('\n');
    }
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Findings of one rule in one table shown one by one before the rest are
/// summed up in a line (the JSON output keeps every one).
pub const SHOWN_PER_RULE: usize = 20;

/// Findings grouped by table; `color` paints the severity for a terminal.
/// Past [`SHOWN_PER_RULE`] findings of one rule in one table, one line tells
/// how many more there are and where.
pub fn grouped_lines(diags: &[Diagnostic], color: bool) -> Vec<String> {
    let order = budget_tables::diag::in_table_order(diags);
    let mut out = Vec::new();
    let mut current: Option<Option<&str>> = None;
    let mut shown: std::collections::HashMap<(&str, Severity), usize> = Default::default();
    let mut hidden: Vec<(&Diagnostic, usize, Option<&str>)> = Vec::new();
    let flush = |out: &mut Vec<String>, hidden: &mut Vec<(&Diagnostic, usize, Option<&str>)>| {
        for (d, n, last) in hidden.drain(..) {
            let more = format!(
                "{} [{}] 另有 {n} 处同类问题{}（未逐条列出；--format json 列出全部）",
                d.severity.label(),
                d.rule,
                last.map(|c| format!("，最后一处在 {c}"))
                    .unwrap_or_default()
            );
            out.push(format!("  {}", paint(&more, d.severity, color)));
        }
    };
    for d in order {
        if current != Some(d.table.as_deref()) {
            flush(&mut out, &mut hidden);
            shown.clear();
            out.push(format!("== {} ==", d.table.as_deref().unwrap_or("工作簿")));
            current = Some(d.table.as_deref());
        }
        let n = shown.entry((d.rule.as_str(), d.severity)).or_default();
        *n += 1;
        if *n > SHOWN_PER_RULE {
            let cell = d.location();
            match hidden
                .iter_mut()
                .find(|(h, ..)| h.rule == d.rule && h.severity == d.severity)
            {
                Some(h) => {
                    h.1 += 1;
                    if cell.is_some() {
                        h.2 = d.cell.as_deref();
                    }
                }
                None => hidden.push((d, 1, d.cell.as_deref())),
            }
            continue;
        }
        out.push(format!("  {}", paint(&d.to_string(), d.severity, color)));
    }
    flush(&mut out, &mut hidden);
    out
}

/// The severity label of `text` painted for a terminal.
fn paint(text: &str, severity: Severity, color: bool) -> String {
    let label = severity.label();
    let code = match (color, severity) {
        (false, _) => return text.to_string(),
        (true, Severity::Error) => "1;31",
        (true, Severity::Warning) => "33",
        (true, Severity::Notice) => "36",
    };
    text.replacen(label, &format!("\x1b[{code}m{label}\x1b[0m"), 1)
}

pub fn counts(diags: &[Diagnostic]) -> (usize, usize, usize) {
    let c = budget_tables::diag::Counts::of(diags, |_| true);
    (c.errors, c.warnings, c.notices)
}

pub fn exit(code: u8) -> ExitCode {
    ExitCode::from(code)
}
