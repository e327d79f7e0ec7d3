//! `check --narrative`: every statement of a figure in a written 说明, tied
//! to the table figure it states by the item the sentence names, and
//! reported where it disagrees (the sentence quoted, the table's cell named).
//!
//! Ties are by name: the layout's figures (`[[narrative.figures]]`, with the
//! names a text gives them), each row of its `names` tables (科目 also by
//! their path `类名(类)款名(款)项名(项)`), and counts (`[[narrative.counts]]`).
//! What cannot be tied, or needs a prior year not given, is a notice: nothing
//! is skipped silently.

mod dictionary;
mod input;
mod sentence;

use dictionary::*;
pub use input::{read_text, MAX_TEXT_BYTES};
use sentence::*;

use rust_decimal::Decimal;

use crate::amount::Amount;
use crate::diag::{Diagnostic, Severity};
use crate::model::Budget;
use crate::narrate::figures::{code_path, describe, rows_of, sum_of, NamedRow};
use crate::narrate::rules::*;
use crate::narrate::statements::{
    normalize, sentences, statements, Direction, Kind, Sentence, Statement, Unit,
};
use crate::rule::Rule;
use crate::source::SourceMap;
use crate::spec::SpecSet;

/// A sentence longer than this (in characters) is not searched for figures:
/// real sentences are a few hundred characters, and the ties of a figure look
/// back over its sentence.
pub const MAX_SENTENCE_CHARS: usize = 1_000;

/// Where a text came from: a file, or a narrative sheet of the workbook.
pub struct TextSource<'a> {
    /// Shown as the finding's table (`说明.docx`, `部门编制说明`).
    pub name: String,
    pub text: &'a str,
    /// The narrative sheet's declared name, whose lines' cells are in the sources.
    pub sheet: Option<&'a str>,
}

/// The models a text is checked against.
pub struct Against<'a> {
    pub specs: &'a SpecSet,
    /// The classification catalogue: a name it holds is a name of its own.
    pub catalogue: &'a crate::catalogue::Catalogue,
    pub current: &'a Budget,
    pub prior: Option<&'a Budget>,
    pub sources: &'a SourceMap,
}

/// What a check of one text found, with its counts for the closing summary.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct TextReport {
    pub sentences: usize,
    /// Numbers with a unit (amounts, changes, rates, counts) and 持平.
    pub statements: usize,
    /// Tied to a table figure (or to the sentence's own figures) and checked.
    pub checked: usize,
    pub flagged: usize,
    /// Left unchecked: not tied, or about a prior year not given.
    pub unchecked: usize,
    /// Every statement found, with the item it was tied to.
    pub list: Vec<StatementInfo>,
    /// The changes checked: (paragraph, item, prior, current), for their reasons.
    #[serde(skip)]
    changes: Vec<(usize, usize, Decimal, Decimal)>,
    /// The items a text names, each with whether a reason is given where it does.
    #[serde(skip)]
    spoken: Vec<(usize, bool)>,
    #[serde(skip)]
    pub findings: Vec<Diagnostic>,
}

/// One statement found in a text.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StatementInfo {
    /// The text (file or sheet) and its paragraph, from 1.
    pub text: String,
    pub paragraph: usize,
    /// As written (`24,701.58万元`, `持平`).
    pub written: String,
    /// `金额`, `增减额`, `增减率`, `占比`, `个数`, `持平`.
    pub kind: &'static str,
    /// The item it was tied to (`部门预算收入`, `表5“综合管理”`).
    pub item: Option<String>,
    /// `核对`, `未对应`, `未核对`.
    pub outcome: &'static str,
}

/// Checks `text` against the tables, and as a whole document (its chapters,
/// the large changes it leaves unexplained).
pub fn check(text: &TextSource, a: &Against) -> TextReport {
    let dict = dictionary(a);
    let mut r = check_with(text, a, &dict);
    r.findings
        .extend(crate::narrate::document::chapters(text, a));
    r.findings.extend(swings(a, &dict, &r.spoken, &text.name));
    r.recount();
    r
}

/// The items of the tables that changed by at least the layout's
/// `swing_threshold` (or from zero) and that the texts never name, or name
/// without a reason: one warning each (needs the prior year).
fn swings(
    a: &Against,
    dict: &Dictionary,
    spoken: &[(usize, bool)],
    where_: &str,
) -> Vec<Diagnostic> {
    if a.prior.is_none() {
        return Vec::new();
    }
    let by_parts = explained_by_parts(a, dict);
    // An item is one table cell, whatever names the text gives it.
    let mut seen: std::collections::HashSet<&str> = Default::default();
    let mut out = Vec::new();
    for (i, item) in dict.items.iter().enumerate() {
        let Some(c) = item.candidates.first() else {
            continue;
        };
        let (Some(prior), Some(cur)) = (c.prior, c.current) else {
            continue;
        };
        let (prior, cur) = (prior.value(), cur.value());
        let big = crate::narrate::is_swing(&a.specs.layout.narrative, prior, cur);
        if !big || !seen.insert(c.cell.as_str()) {
            continue;
        }
        let said: Vec<bool> = spoken
            .iter()
            .filter(|(j, _)| *j == i || related(item, &dict.items[*j]))
            .map(|(_, why)| *why)
            .collect();
        if said.iter().any(|w| *w) || (!said.is_empty() && by_parts.contains(&i)) {
            continue;
        }
        out.push(crate::narrate::document::swing_finding(
            &crate::narrate::document::Swing {
                label: item.label.clone(),
                cell: c.cell.clone(),
                prior,
                current: cur,
            },
            !said.is_empty(),
            where_,
        ));
    }
    out
}

/// [`check`] with the items of `a` already gathered (one dictionary serves
/// every text sheet of a workbook).
fn check_with(text: &TextSource, a: &Against, dict: &Dictionary) -> TextReport {
    let mut r = TextReport::default();
    let years = other_years(a);
    let department = normalize(&a.current.department);
    let all = sentences(text.text);
    r.sentences = all.len();
    // The item the text is speaking of; it carries across paragraphs (a PDF
    // breaks one item's paragraph in two) but only a clause that names
    // nothing else speaks of it (`generic`).
    let mut topic: Option<(usize, usize)> = None; // (paragraph, item)
    let mut named: std::collections::HashSet<usize> = Default::default();
    // (item, paragraph) of every name the text gives.
    let mut said: Vec<(usize, usize)> = Vec::new();
    for s in &all {
        crate::cancel::checkpoint();
        let ctx = SentenceCheck { a, dict, text, s };
        ctx.residue(&mut r);
        ctx.wording(&mut r);
        let length = s.norm.chars().count();
        if length > MAX_SENTENCE_CHARS {
            r.findings.push(ctx.too_long(length));
            continue;
        }
        let mentions = mentions(&s.norm, dict, &department);
        named.extend(mentions.iter().map(|m| m.item));
        said.extend(mentions.iter().map(|m| (m.item, s.paragraph)));
        let stmts = statements(&s.norm, &years);
        let last_tied = ctx.statements(&stmts, &mentions, topic.map(|(_, i)| i), &mut r);
        ctx.same(&stmts, &mentions, topic.map(|(_, i)| i), &mut r);
        // What a sentence states a figure of (or else the last item it names)
        // is the topic of the next ones in its paragraph (`1. 因公出国(境)费用。
        // 2024年预算数56万元`); a purpose clause (`主要用于……`) is not.
        if let Some(i) = last_tied.or(mentions.last().map(|m| m.item)) {
            topic = Some((s.paragraph, i));
        }
    }
    missing_items(text, a, dict, &all, &named, &mut r);
    let paragraphs = Paragraphs::of(&all, a);
    unexplained_changes(text, a, dict, &paragraphs, &mut r);
    r.spoken = said
        .into_iter()
        .map(|(i, p)| (i, paragraphs.explains(p)))
        .collect();
    r.findings
        .extend(crate::narrate::document::empty_tables(text, a));
    r.findings.extend(crate::narrate::document::near_names(
        text,
        a,
        &dict.subjects,
        &dict.known,
    ));
    r.recount();
    let why = if a.prior.is_none() {
        "未给出上年文件，或表中没有该数（如上年执行数）"
    } else {
        "表中没有该数（如上年执行数）"
    };
    for (outcome, rule, what) in [
        (
            "未对应",
            &UNTIED,
            "未能对应到表中的某一项（如表中没有的明细、政府采购的分类）".to_string(),
        ),
        (
            "未核对",
            &UNCHECKED,
            format!("是关于上年的数，未核对：{why}"),
        ),
    ] {
        if let Some(d) = summary(&r.list, outcome, rule, &what, text) {
            r.findings.push(d);
        }
    }
    r
}

/// What each paragraph of a text holds, found in one pass over its sentences.
struct Paragraphs {
    /// Per paragraph: its first line, whether it has a reason word, whether
    /// it states a figure.
    each: Vec<(usize, bool, bool)>,
}

impl Paragraphs {
    fn of(all: &[Sentence], a: &Against) -> Paragraphs {
        let markers: Vec<String> = a
            .specs
            .layout
            .narrative
            .reason_words
            .iter()
            .map(|m| normalize(m))
            .collect();
        let mut each: Vec<(usize, bool, bool)> = Vec::new();
        for s in all {
            if each.len() <= s.paragraph {
                each.resize(s.paragraph + 1, (s.line, false, false));
            }
            let p = &mut each[s.paragraph];
            p.1 |= markers.iter().any(|m| s.norm.contains(m.as_str()));
            if !p.2 {
                p.2 = !statements(&s.norm, &[]).is_empty();
            }
        }
        Paragraphs { each }
    }

    fn says_why(&self, p: usize) -> bool {
        self.each.get(p).is_some_and(|x| x.1)
    }

    /// Whether paragraph `p` gives a reason: a reason word in it, or in the
    /// next paragraph when that one is the reason itself (“预算收支减少主要原因:”),
    /// not the next item with figures of its own.
    fn explains(&self, p: usize) -> bool {
        self.says_why(p) || (self.says_why(p + 1) && !self.each.get(p + 1).is_some_and(|x| x.2))
    }

    /// The line paragraph `p` starts on.
    fn line(&self, p: usize) -> usize {
        self.each.get(p).map_or(0, |x| x.0)
    }
}

/// A change of at least the layout's share (or from or to zero) with no reason
/// marker in its paragraph or the next: one finding per item and paragraph.
fn unexplained_changes(
    text: &TextSource,
    a: &Against,
    dict: &Dictionary,
    paragraphs: &Paragraphs,
    r: &mut TextReport,
) {
    let n = &a.specs.layout.narrative;
    let Some(threshold) = n.reason_threshold else {
        return;
    };
    let by_parts = explained_by_parts(a, dict);
    let mut seen: std::collections::HashSet<(usize, usize)> = Default::default();
    for (p, item, prior, cur) in std::mem::take(&mut r.changes) {
        if prior == cur || by_parts.contains(&item) || !seen.insert((p, item)) {
            continue;
        }
        let big = prior.is_zero()
            || cur.is_zero()
            || ((cur - prior) * Decimal::ONE_HUNDRED / prior).abs() >= threshold;
        if !big || paragraphs.explains(p) {
            continue;
        }
        let line = paragraphs.line(p);
        let mut d = UNEXPLAINED
            .finding(format!(
                "{}变动达 {threshold}% 以上（或由 0 变动、变为 0），第 {} 段及下一段没有说明原因",
                dict.items[item].label,
                p + 1
            ))
            .table(text.name.clone())
            .expected("写明变动原因")
            .actual("没有原因")
            .hint("请写明“主要原因是……”");
        d.row_label = Some(format!("第 {} 段", p + 1));
        if let Some(loc) = line_loc(text, a, line) {
            d = d.at(&loc.sheet, loc.row, loc.col);
        }
        r.findings.push(d);
    }
}

/// A group of items (`三公`) spoken of with one of them never named.
fn missing_items(
    text: &TextSource,
    a: &Against,
    dict: &Dictionary,
    all: &[Sentence],
    named: &std::collections::HashSet<usize>,
    r: &mut TextReport,
) {
    for q in &a.specs.layout.narrative.required {
        let when = normalize(&q.when);
        if !all.iter().any(|s| s.norm.contains(when.as_str())) {
            continue;
        }
        let missing: Vec<String> = q
            .figures
            .iter()
            .filter_map(|f| dict.by_figure.get(f))
            .filter(|i| !named.contains(i))
            .map(|&i| dict.items[i].label.clone())
            .collect();
        if !missing.is_empty() {
            r.findings.push(
                MISSING
                    .finding(format!(
                        "说明讲了“{}”，但没有说{}",
                        q.when,
                        missing.join("、")
                    ))
                    .table(text.name.clone())
                    .expected(missing.join("、"))
                    .hint("请逐项写明（为 0 的也写）"),
            );
        }
    }
}

/// One notice per text for the statements left unchecked, with where they are
/// (every one is in the JSON's `narrative.list`); no cell is marked for them.
fn summary(
    list: &[StatementInfo],
    outcome: &str,
    rule: &Rule,
    what: &str,
    text: &TextSource,
) -> Option<Diagnostic> {
    let these: Vec<&StatementInfo> = list
        .iter()
        .filter(|s| s.outcome == outcome && s.text == text.name)
        .collect();
    if these.is_empty() {
        return None;
    }
    let shown: Vec<String> = these
        .iter()
        .take(8)
        .map(|s| format!("第 {} 段“{}”", s.paragraph, s.written))
        .collect();
    let more = if these.len() > shown.len() {
        "……"
    } else {
        ""
    };
    Some(
        rule.finding(format!(
            "{} 处数字{what}：{}{more}（逐处列在检查结果数据的 narrative.list 中）",
            these.len(),
            shown.join("、")
        ))
        .table(text.name.clone())
        .hint("如是表中的数，请写出表中的项目或科目名称"),
    )
}

pub(super) fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

/// The cell of line `line` of a workbook's 说明 sheet (none for a file).
pub(super) fn line_loc(text: &TextSource, a: &Against, line: usize) -> Option<crate::source::Loc> {
    text.sheet
        .and_then(|sheet| a.sources.get(&crate::source::text_line(sheet, line)))
}

/// The items of the totals a text explains item by item (三公): they need no
/// reason of their own.
fn explained_by_parts(a: &Against, dict: &Dictionary) -> Vec<usize> {
    a.specs
        .layout
        .narrative
        .figures
        .iter()
        .filter(|f| f.explained_by_parts)
        .filter_map(|f| dict.by_figure.get(&f.id).copied())
        .collect()
}

impl TextReport {
    /// The findings that are not notices.
    fn recount(&mut self) {
        self.flagged = self
            .findings
            .iter()
            .filter(|d| d.severity != Severity::Notice)
            .count();
    }

    /// Adds another text's report to this one.
    pub fn merge(&mut self, other: TextReport) {
        self.sentences += other.sentences;
        self.statements += other.statements;
        self.checked += other.checked;
        self.flagged += other.flagged;
        self.unchecked += other.unchecked;
        self.list.extend(other.list);
        self.spoken.extend(other.spoken);
        self.findings.extend(other.findings);
    }
}

/// The workbook's own narrative sheets (部门编制说明, 其他相关情况说明 …), each
/// checked; their findings point at the sheet's cell.
pub fn workbook_texts(a: &Against) -> TextReport {
    let mut all = TextReport::default();
    if a.current.texts.is_empty() {
        // No text at all is flagged as one filled sheet beside empty ones
        // is: each chapter sheet the layout declares, empty or missing.
        all.findings = crate::narrate::document::sheet_chapters(a);
        all.recount();
        return all;
    }
    let dict = dictionary(a);
    for (name, text) in &a.current.texts {
        all.merge(check_with(
            &TextSource {
                name: name.clone(),
                text,
                sheet: Some(name),
            },
            a,
            &dict,
        ));
    }
    all.findings
        .extend(crate::narrate::document::sheet_chapters(a));
    let spoken = std::mem::take(&mut all.spoken);
    all.findings.extend(swings(a, &dict, &spoken, "说明"));
    all.recount();
    all
}
