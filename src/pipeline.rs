//! One input's way through the stages, in one place: load → detect the
//! layout → read → check the tables → check the texts. The command line, the
//! web page, `batch` and the fuzz targets all go through here, so an input
//! gets the same findings wherever it is given.
//!
//! # Examples
//! ```no_run
//! use budget_tables::{pipeline, spec::SpecSet, validate::Options};
//! let layouts = SpecSet::builtin_all()?;
//! let opts = Options::builtin()?;
//! let (i, read) = pipeline::read("samples/shenzhen-zwfw-2024.xlsx".as_ref(), &layouts, &opts)?;
//! let checked = pipeline::check(&read, &layouts[i], &opts);
//! assert!(!budget_tables::diag::has_errors(&checked.findings));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::Path;

use crate::diag::Diagnostic;
use crate::model::Budget;
use crate::narrate::check::{workbook_texts, Against, TextReport};
use crate::read::{ReadError, ReadOutcome};
use crate::source::SourceMap;
use crate::spec::SpecSet;
use crate::validate::{self, Options};

/// An input read and checked.
#[derive(Debug)]
pub struct Checked {
    /// Every finding: the reader's, then the tables', then the texts'.
    pub findings: Vec<Diagnostic>,
    /// The check of the input's own 说明 (its findings are among `findings`).
    pub texts: TextReport,
}

/// Reads the input at `path` in whichever of `layouts` it is in; that
/// layout's index with what was read.
///
/// # Errors
/// [`ReadError`] when the file cannot be read as a budget in any of them.
pub fn read(
    path: &Path,
    layouts: &[SpecSet],
    opts: &Options,
) -> Result<(usize, ReadOutcome), ReadError> {
    crate::read::read_path_any(path, layouts, &opts.catalogue)
}

/// Checks what was read: its tables, then the 说明 it carries (against this
/// year's tables only; [`texts`] checks it with the prior year too).
pub fn check(read: &ReadOutcome, specs: &SpecSet, opts: &Options) -> Checked {
    let mut validation = validate::validate(&read.budget, specs, &read.sources, opts);
    let mut texts = texts(&read.budget, None, specs, &read.sources, opts);
    validation.append(&mut texts.findings);
    Checked {
        findings: validate::combine(read.diagnostics.clone(), validation),
        texts,
    }
}

/// The check of the 说明 a model carries (its text sheets), against its own
/// tables and, when given, last year's; findings in `findings`.
pub fn texts(
    current: &Budget,
    prior: Option<&Budget>,
    specs: &SpecSet,
    sources: &SourceMap,
    opts: &Options,
) -> TextReport {
    workbook_texts(&against(current, prior, specs, sources, opts))
}

/// What a text is checked against.
pub fn against<'a>(
    current: &'a Budget,
    prior: Option<&'a Budget>,
    specs: &'a SpecSet,
    sources: &'a SourceMap,
    opts: &'a Options,
) -> Against<'a> {
    Against {
        specs,
        catalogue: &opts.catalogue,
        current,
        prior,
        sources,
    }
}
