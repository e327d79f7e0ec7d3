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
use crate::narrate::check::{check as check_text, workbook_texts, Against, TextReport, TextSource};
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

/// The year given with `--year`: the year of a workbook that states none
/// (its S-YEAR-MISSING is answered); one that states another is an error.
pub fn given_year(read: &mut ReadOutcome, year: i32) {
    use crate::read::rules::{YEAR_GIVEN, YEAR_MISSING};
    let stated = read.budget.year;
    if stated == year {
        return;
    }
    if stated == 0 {
        read.diagnostics.retain(|d| d.rule != YEAR_MISSING.id);
        read.budget.year = year;
        return;
    }
    read.diagnostics.push(
        YEAR_GIVEN
            .finding(format!(
                "工作簿写的年度为 {stated} 年，与 --year {year} 不同"
            ))
            .expected(stated.to_string())
            .actual(year.to_string())
            .hint("--year 只用于没有写年度的工作簿；请去掉 --year，或改正工作簿中的年度"),
    );
}

/// Checks what was read: its tables, then the 说明 it carries (against this
/// year's tables only; [`own_texts`] checks it with the prior year too). A
/// PDF's findings name their page ([`on_pages`]).
pub fn check(read: &ReadOutcome, specs: &SpecSet, opts: &Options) -> Checked {
    let mut validation = validate::validate(&read.budget, specs, &read.sources, opts);
    let mut texts = own_texts(
        read,
        &against(&read.budget, None, specs, &read.sources, opts),
    );
    validation.append(&mut texts.findings);
    let mut findings = validate::combine(read.diagnostics.clone(), validation);
    on_pages(read, &mut findings);
    Checked { findings, texts }
}

/// The check of the 说明 an input carries: a workbook's text sheets, or the
/// written part of a PDF as one document; findings in `findings`.
pub fn own_texts(read: &ReadOutcome, a: &Against) -> TextReport {
    match &read.pdf {
        Some(pdf) => check_text(
            &TextSource {
                name: crate::read::pdf::TEXT.to_string(),
                text: &pdf.document.text,
                sheet: Some(crate::read::pdf::TEXT),
            },
            a,
        ),
        None => workbook_texts(a),
    }
}

/// Points the findings of a PDF at the page a reader turns to (`第12页`),
/// and the cell most likely wrong at its page and row; a workbook's are
/// left as they are.
pub fn on_pages(read: &ReadOutcome, findings: &mut [Diagnostic]) {
    let Some(pdf) = &read.pdf else {
        return;
    };
    let places = &pdf.places;
    for d in findings.iter_mut() {
        let cell = d.cell.as_deref().and_then(crate::text::parse_cell_address);
        let (row, col) = cell.unwrap_or((0, 0));
        d.page = d.sheet.as_deref().and_then(|s| places.page(s, row));
        if d.row_label.is_none() && cell.is_some() {
            d.row_label = d.sheet.as_deref().and_then(|s| places.label(s, row, col));
        }
        for text in [&mut d.suspect, &mut d.expected, &mut d.actual]
            .into_iter()
            .flatten()
            .chain([&mut d.message])
        {
            if text.contains("'!") {
                *text = places.rewrite(text);
            }
        }
    }
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

/// A publication document assembled, with what stands in its way.
pub struct ToPublish {
    /// The document, ready to render.
    pub publication: crate::write::publish::Publication,
    /// The tables' findings (the reader's and the validator's), then the
    /// check of the document's 说明 against the tables.
    pub findings: Vec<Diagnostic>,
    /// Placeholders, template wording and parts without text.
    pub unfinished: Vec<crate::write::publish::Unfinished>,
}

impl ToPublish {
    /// Whether the document may not be posted as it is.
    pub fn refused(&self) -> bool {
        crate::diag::has_errors(&self.findings) || !self.unfinished.is_empty()
    }
}

/// The publication of what was read: assembled, its tables checked and its
/// written part, as one document, checked against them (`prior`: last year,
/// for the changes the text states).
///
/// # Errors
/// [`crate::write::WriteError`] when the official tables cannot be written.
pub fn publication(
    read: &ReadOutcome,
    prior: Option<&Budget>,
    specs: &SpecSet,
    opts: &Options,
    text: Option<&str>,
) -> Result<ToPublish, crate::write::WriteError> {
    use crate::write::publish;
    let publication = publish::assemble(&publish::Inputs {
        specs,
        current: &read.budget,
        prior,
        sources: &read.sources,
        catalogue: &opts.catalogue,
        text,
    })?;
    let mut findings = validate::combine(
        read.diagnostics.clone(),
        validate::validate(&read.budget, specs, &read.sources, opts),
    );
    on_pages(read, &mut findings);
    let whole = publish::text_of(&publication);
    let texts = check_text(
        &TextSource {
            name: publish::TEXT.to_string(),
            text: &whole,
            sheet: None,
        },
        &against(&read.budget, prior, specs, &read.sources, opts),
    );
    // Template wording is listed by part and paragraph in `unfinished`.
    let residue = crate::narrate::rules::RESIDUE.id;
    findings.extend(texts.findings.into_iter().filter(|d| d.rule != residue));
    let unfinished = publish::unfinished(&publication, specs);
    Ok(ToPublish {
        publication,
        findings,
        unfinished,
    })
}
