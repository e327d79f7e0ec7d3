//! `check --narrative`: every statement of a figure in a written 说明, tied
//! to the table figure it states by the item the sentence names, and
//! reported where it disagrees (the sentence quoted, the table's cell named).
//!
//! Ties are by name: the layout's figures (`[[narrative.figures]]`, with the
//! names a text gives them), each row of its `names` tables (科目 also by
//! their path `类名(类)款名(款)项名(项)`), and counts (`[[narrative.counts]]`).
//! What cannot be tied, or needs a prior year not given, is a notice: nothing
//! is skipped silently.

use rust_decimal::Decimal;

use super::figures::{code_path, describe, rows_of, sum_of, NamedRow};
use super::rules::*;
use super::statements::{
    normalize, sentences, statements, Direction, Kind, Sentence, Statement, Unit,
};
use crate::amount::Amount;
use crate::diag::{Diagnostic, Severity};
use crate::model::Budget;
use crate::rule::Rule;
use crate::source::SourceMap;
use crate::spec::SpecSet;

/// A sentence longer than this (in characters) is not searched for figures:
/// real sentences are a few hundred characters, and the ties of a figure look
/// back over its sentence.
pub const MAX_SENTENCE_CHARS: usize = 1_000;

/// The most text a 说明 may have (bytes of UTF-8): a real one has tens of
/// kilobytes.
pub const MAX_TEXT_BYTES: usize = 4 << 20;

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

fn kind_label(k: Kind) -> &'static str {
    match k {
        Kind::Amount => "金额",
        Kind::Change(_) => "增减额",
        Kind::Rate(_) => "增减率",
        Kind::Share => "占比",
        Kind::Percent => "百分比",
        Kind::Count => "个数",
    }
}

/// An item a text can name, with its figure in either year.
#[derive(Debug, Clone)]
struct Item {
    /// As shown in a finding (`部门预算收入`, `表5“政务综合管理”`).
    label: String,
    /// Its name as a text writes it (normalized), and a row's code.
    name: String,
    code: Option<String>,
    candidates: Vec<Candidate>,
    /// A count (`6个项目`): the number of rows.
    count: Option<usize>,
}

#[derive(Debug, Clone)]
struct Candidate {
    current: Option<Amount>,
    prior: Option<Amount>,
    cell: String,
}

/// A name found in a sentence.
#[derive(Debug, Clone, Copy)]
struct Mention {
    start: usize,
    end: usize,
    item: usize,
}

struct Dictionary {
    items: Vec<Item>,
    /// (normalized name, item, strict), longest names first; a strict name
    /// (a table's row name) counts only where it starts a word.
    names: Vec<(String, usize, bool)>,
    /// (normalized words after a count, item).
    counts: Vec<(String, usize)>,
    /// The item of each named figure, by id.
    by_figure: std::collections::HashMap<String, usize>,
    /// The 科目 names of the layout's `names` tables (normalized), for near misses.
    subjects: Vec<String>,
    /// Every name a row of the tables or the catalogue has (normalized).
    known: std::collections::HashSet<String>,
}

/// Checks `text` against the tables, and as a whole document (its chapters,
/// the large changes it leaves unexplained).
pub fn check(text: &TextSource, a: &Against) -> TextReport {
    let dict = dictionary(a);
    let mut r = check_with(text, a, &dict);
    r.findings.extend(super::document::chapters(text, a));
    r.findings.extend(swings(a, &dict, &r.spoken, &text.name));
    r.recount();
    r
}

/// Whether a text speaking of `b` speaks of `a`: the same cell, a 科目 below
/// it (a 类 is explained by its 款), or the same name but for its last words
/// (`因公出国(境)费` and `因公出国(境)费用` in two tables).
fn related(a: &Item, b: &Item) -> bool {
    let cell = a
        .candidates
        .iter()
        .any(|x| b.candidates.iter().any(|y| x.cell == y.cell));
    let codes = match (&a.code, &b.code) {
        (Some(above), Some(below)) => below.starts_with(above.as_str()),
        _ => false,
    };
    let common = a
        .name
        .chars()
        .zip(b.name.chars())
        .take_while(|(x, y)| x == y)
        .count();
    let shorter = a.name.chars().count().min(b.name.chars().count());
    cell || codes || (common >= 4 && common + 1 >= shorter)
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
    let threshold = a
        .specs
        .layout
        .narrative
        .swing_threshold
        .unwrap_or(Decimal::from(50));
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
        let big = prior != cur
            && (prior.is_zero()
                || ((cur - prior) * Decimal::ONE_HUNDRED / prior).abs() > threshold);
        if !big || cur.is_zero() || !seen.insert(c.cell.as_str()) {
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
        out.push(super::document::swing_finding(
            &super::document::Swing {
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
    r.findings.extend(super::document::empty_tables(text, a));
    r.findings.extend(super::document::near_names(
        text,
        a,
        &dict.subjects,
        &dict.known,
    ));
    r.recount();
    let why = if a.prior.is_none() {
        "未给出上年文件（--prior），或表中没有该数（如上年执行数）"
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
            "{} 处数字{what}：{}{more}（全部见 --format json 的 narrative.list）",
            these.len(),
            shown.join("、")
        ))
        .table(text.name.clone())
        .hint("如是表中的数，请写出表中的项目或科目名称"),
    )
}

/// `上年`, `去年` and the prior year (`2023年`).
fn other_years(a: &Against) -> Vec<String> {
    vec![
        format!("{}年", a.current.year - 1),
        "上年".into(),
        "去年".into(),
    ]
}

/// The items of the layout and the names that point at them.
fn dictionary(a: &Against) -> Dictionary {
    let n = &a.specs.layout.narrative;
    let mut items: Vec<Item> = Vec::new();
    let mut names: Vec<(String, usize, bool)> = Vec::new();
    let mut by_name: std::collections::HashMap<String, usize> = Default::default();
    let mut by_figure: std::collections::HashMap<String, usize> = Default::default();
    let department = &a.current.department;
    let mut counts = Vec::new();
    for f in &n.figures {
        if f.cells.is_empty() {
            continue;
        }
        let cell = f
            .cells
            .iter()
            .map(|c| describe(c, a.current, a.specs, a.sources))
            .collect::<Vec<_>>()
            .join(" + ");
        let label = f
            .names
            .first()
            .map_or(f.id.clone(), |x| x.replace("{department}", department));
        items.push(Item {
            name: normalize(&label),
            code: None,
            label,
            candidates: vec![Candidate {
                current: sum_of(&f.cells, a.current, a.specs),
                prior: a.prior.and_then(|p| sum_of(&f.cells, p, a.specs)),
                cell,
            }],
            count: None,
        });
        let id = items.len() - 1;
        by_figure.insert(f.id.clone(), id);
        for name in &f.names {
            names.push((
                normalize(&name.replace("{department}", department)),
                id,
                false,
            ));
        }
    }
    let mut add_row =
        |row: &NamedRow, name: String, prior: Option<Amount>, items: &mut Vec<Item>| {
            let key = normalize(&name);
            if key.chars().count() < 2 {
                return;
            }
            let table = a.specs.get(&row.table).map_or(0, |s| s.number);
            let cand = Candidate {
                current: row.amount,
                prior,
                cell: row
                    .loc(a.sources)
                    .map_or_else(|| format!("表{table}“{}”", row.name), |l| l.to_string()),
            };
            match by_name.get(&key) {
                Some(&i) => items[i].candidates.push(cand),
                None => {
                    items.push(Item {
                        label: format!("表{table}“{}”", name.trim()),
                        name: normalize(&row.name),
                        code: row.code.clone(),
                        candidates: vec![cand],
                        count: None,
                    });
                    by_name.insert(key.clone(), items.len() - 1);
                    names.push((key, items.len() - 1, true));
                }
            }
        };
    for set in n.row_sets() {
        let rows = rows_of(set, a.current, a.specs);
        let prior_rows = a
            .prior
            .map(|p| rows_of(set, p, a.specs))
            .unwrap_or_default();
        for row in &rows {
            let prior = prior_rows
                .iter()
                .find(|p| match (&p.code, &row.code) {
                    (Some(x), Some(y)) => x == y,
                    _ => normalize(&p.name) == normalize(&row.name),
                })
                .and_then(|p| p.amount)
                .or(a.prior.map(|_| Amount::ZERO));
            add_row(row, row.name.clone(), prior, &mut items);
            if let Some(path) = code_path(row, a.current) {
                add_row(row, path, prior, &mut items);
            }
        }
    }
    for c in &n.counts {
        let count = if c.of == "units" {
            a.current.units.len().max(1)
        } else {
            n.figure(&c.of)
                .and_then(|f| f.each_row.as_ref())
                .map_or(0, |set| rows_of(set, a.current, a.specs).len())
        };
        items.push(Item {
            label: c.label.clone(),
            name: normalize(&c.label),
            code: None,
            candidates: Vec::new(),
            count: Some(count),
        });
        for w in &c.after {
            counts.push((normalize(w), items.len() - 1));
        }
    }
    names.sort_by(|x, y| y.0.len().cmp(&x.0.len()).then(x.0.cmp(&y.0)));
    counts.sort_by_key(|x| std::cmp::Reverse(x.0.len()));
    let (subjects, known) = subject_names(a);
    Dictionary {
        items,
        names,
        counts,
        by_figure,
        subjects,
        known,
    }
}

/// The 科目 names of the `names` tables, and every row name of the tables (a
/// text may name any of them as they are; so too the catalogue's names).
fn subject_names(a: &Against) -> (Vec<String>, std::collections::HashSet<String>) {
    let mut subjects: Vec<String> = a
        .specs
        .layout
        .narrative
        .names
        .iter()
        .flat_map(|set| rows_of(set, a.current, a.specs))
        .map(|r| normalize(&r.name))
        .collect();
    subjects.sort();
    subjects.dedup();
    let known: std::collections::HashSet<String> = a
        .current
        .tables
        .values()
        .flat_map(crate::model::Table::row_names)
        .map(|n| normalize(&n))
        .collect();
    (subjects, known)
}

/// The names in a sentence, overlaps resolved for the longest; a name inside a
/// longer unknown word (`发展规划综合管理`) does not count.
fn mentions(norm: &str, dict: &Dictionary, department: &str) -> Vec<Mention> {
    let mut found: Vec<Mention> = Vec::new();
    // The ranges taken so far, start → end; they never overlap.
    let mut taken: std::collections::BTreeMap<usize, usize> = Default::default();
    let overlaps = |taken: &std::collections::BTreeMap<usize, usize>, start: usize, end: usize| {
        taken
            .range(..end)
            .next_back()
            .is_some_and(|(_, &e)| e > start)
    };
    for (name, item, strict) in &dict.names {
        let mut from = 0;
        while let Some(i) = norm[from..].find(name.as_str()) {
            let start = from + i;
            let end = start + name.len();
            from = start + name.len().max(1);
            if overlaps(&taken, start, end) {
                continue;
            }
            if *strict && !clean_start(norm, start, department) {
                continue;
            }
            taken.insert(start, end);
            found.push(Mention {
                start,
                end,
                item: *item,
            });
        }
    }
    found.sort_by_key(|m| m.start);
    found
}

/// A name starts a word: at the start, after punctuation, a digit or a
/// function character, or right after the department's name.
fn clean_start(norm: &str, start: usize, department: &str) -> bool {
    let Some(prev) = norm[..start].chars().next_back() else {
        return true;
    };
    if !is_cjk(prev) {
        return true;
    }
    "年括中的是及和为含即其对在于与、：".contains(prev) || norm[..start].ends_with(department)
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

/// Words that name no item: a clause of only these (and years, list numbers
/// and punctuation) before an amount speaks of the sentence's topic
/// (`2024年预算安排25.77万元`, `2023年当年预算执行数为60.13万元`).
const GENERIC: [&str; 22] = [
    "预算数",
    "预算安排",
    "预算",
    "执行数",
    "当年",
    "年初",
    "安排",
    "其中",
    "合计",
    "共计",
    "万元",
    "为",
    "数",
    "是",
    "约",
    "较",
    "比",
    "与",
    "上年",
    "同期",
    "相比",
    "同比",
];

/// True if `clause` names no item (see [`GENERIC`]).
fn generic(clause: &str) -> bool {
    // A placeholder left for a person (`【请填写：……】`) names no item either.
    let mut rest = String::new();
    let mut depth = 0;
    for c in clause.chars() {
        match c {
            '【' => depth += 1,
            '】' => depth = (depth as i32 - 1).max(0) as usize,
            _ if depth == 0 => rest.push(c),
            _ => {}
        }
    }
    for w in GENERIC
        .iter()
        .chain(&super::statements::UP)
        .chain(&super::statements::DOWN)
    {
        rest = rest.replace(w, "");
    }
    rest.chars()
        .all(|c| c.is_ascii_digit() || c.is_ascii_punctuation() || matches!(c, '、' | '。' | '年'))
}

/// A stated amount in the text's unit (万元).
fn in_wan(s: &Statement) -> Decimal {
    match s.unit {
        Unit::Yuan => s.value / Decimal::from(10_000),
        Unit::Yi => s.value * Decimal::from(10_000),
        _ => s.value,
    }
}

/// Half a unit of the last decimal written, in the text's unit.
fn tolerance(s: &Statement) -> Decimal {
    let half = Decimal::new(5, s.decimals + 1);
    match s.unit {
        Unit::Yuan => half / Decimal::from(10_000),
        Unit::Yi => half * Decimal::from(10_000),
        _ => half,
    }
}

struct SentenceCheck<'a> {
    a: &'a Against<'a>,
    dict: &'a Dictionary,
    text: &'a TextSource<'a>,
    s: &'a Sentence,
}

impl SentenceCheck<'_> {
    /// The layout's rounding step of the text's unit (0.01 万元).
    fn rounding_step(&self) -> Decimal {
        let l = &self.a.specs.layout;
        l.rounding
            .get(&l.text_unit)
            .copied()
            .unwrap_or(Decimal::new(1, 2))
    }

    fn finding(&self, rule: &Rule, message: String) -> Diagnostic {
        let mut d = rule.finding(message).table(self.text.name.clone());
        d.row_label = Some(format!("第 {} 段", self.s.paragraph + 1));
        if let Some(loc) = line_loc(self.text, self.a, self.s.line) {
            d = d.at(&loc.sheet, loc.row, loc.col);
        }
        d
    }

    /// A sentence too long to search for figures.
    fn too_long(&self, length: usize) -> Diagnostic {
        self.finding(
                &LONG,
                format!(
                    "第 {} 段有一句长达 {length} 字，超过 {MAX_SENTENCE_CHARS} 字，其中的数字未逐一核对",
                    self.s.paragraph + 1
                ),
            )
            .expected(format!("每句不超过 {MAX_SENTENCE_CHARS} 字"))
            .actual(format!("{length} 字"))
            .hint("请在句末加句号，把这段分成几句后再核对")
    }

    fn quote(&self) -> String {
        let t: String = self.s.text.chars().take(120).collect();
        if t.len() < self.s.text.len() {
            format!("“{t}……”")
        } else {
            format!("“{t}”")
        }
    }

    /// Template wording left in print.
    fn residue(&self, r: &mut TextReport) {
        let words = &self.a.specs.layout.narrative.residue;
        // A table of contents' leader dots (`名词解释 ……………… 3`) are no ellipsis left in print.
        let text = without_leaders(&self.s.text);
        if let Some(w) = words.iter().find(|w| text.contains(w.as_str())) {
            let d = self
                .finding(&RESIDUE, format!("留有模板文字“{w}”：{}", self.quote()))
                .actual(w.clone())
                .hint("请把模板中的占位文字换成实际内容");
            r.findings.push(d);
        }
    }

    /// What a reader notices without the tables: a reason marker with nothing
    /// after it, a rate without its `%`, doubled punctuation or words, and the
    /// old name of a renamed 科目.
    fn wording(&self, r: &mut TextReport) {
        let n = &self.a.specs.layout.narrative;
        let norm = &self.s.norm;
        let mut markers: Vec<String> = n.reason_markers.iter().map(|m| normalize(m)).collect();
        markers.dedup();
        for m in &markers {
            let Some(i) = norm.find(m.as_str()) else {
                continue;
            };
            // “主要原因是。”: the sentence ends right after the marker. A marker
            // ending its line (“主要原因：”) is followed by the next paragraph.
            let after = norm[i + m.len()..].trim_start_matches(':');
            let empty =
                !after.is_empty() && after.chars().all(|c| matches!(c, '。' | ';' | ',' | '、'));
            if empty {
                r.findings.push(
                    self.finding(&REASON, format!("“{m}”后面没有写内容：{}", self.quote()))
                        .actual(format!("{m}（空）"))
                        .hint("请写明原因或用途"),
                );
                // “原因是” inside “主要原因是” is the same gap.
                break;
            }
        }
        let mut typos: Vec<String> = super::statements::bare_rates(norm)
            .into_iter()
            .map(|x| format!("“{x}”缺少 %"))
            .collect();
        for p in ["。。", ",,", ";;", "、、"] {
            if norm.contains(p) {
                typos.push(format!("标点重复“{p}”"));
            }
        }
        for w in super::statements::UP.iter().chain(&super::statements::DOWN) {
            if norm.contains(&format!("{w}{w}")) {
                typos.push(format!("“{w}”重复"));
            }
        }
        typos.extend(
            mixed_widths(&self.s.text)
                .into_iter()
                .map(|x| format!("“{x}”全角、半角数字混写")),
        );
        if !typos.is_empty() {
            r.findings.push(
                self.finding(&TYPO, format!("{}：{}", typos.join("，"), self.quote()))
                    .actual(typos.join("，")),
            );
        }
        // Table titles keep their fixed words (a 单位预算's 表8 is an
        // “一般公共预算基本支出部门预算经济分类预算表”).
        let mut plain = self.s.text.clone();
        for t in &self.a.specs.tables {
            plain = plain.replace(t.title.as_str(), "");
        }
        if let Some(w) = n.wrong_scope.iter().find(|w| plain.contains(w.as_str())) {
            r.findings.push(
                self.finding(
                    &SCOPE,
                    format!(
                        "“{w}”不是本版式（{}）的说法，疑为照抄：{}",
                        self.a.specs.layout.scope,
                        self.quote()
                    ),
                )
                .actual(w.clone()),
            );
        }
        for rn in &n.renamed {
            if norm.contains(normalize(&rn.old).as_str()) {
                let since = if rn.since.is_empty() {
                    String::new()
                } else {
                    format!("（{}起）", rn.since)
                };
                r.findings.push(
                    self.finding(
                        &OLD_NAME,
                        format!("“{}”已更名为“{}”{since}：{}", rn.old, rn.new, self.quote()),
                    )
                    .expected(rn.new.clone())
                    .actual(rn.old.clone())
                    .hint("请用表中（现行科目）的名称"),
                );
            }
        }
    }

    /// Checks each statement of the sentence.
    fn statements(
        &self,
        stmts: &[Statement],
        mentions: &[Mention],
        topic: Option<usize>,
        r: &mut TextReport,
    ) -> Option<usize> {
        let mut untied: Vec<&Statement> = Vec::new();
        let items = Self::items_of(&self.s.norm, stmts, mentions, topic);
        let last_tied = stmts
            .iter()
            .zip(&items)
            .rfind(|(st, it)| st.kind == Kind::Amount && it.is_some())
            .and_then(|(_, it)| *it);
        for (i, st) in stmts.iter().enumerate() {
            r.statements += 1;
            let item = items[i];
            let (outcome, item) = match (st.kind, item) {
                (Kind::Count, _) => self.count(st, r),
                (_, None) => (Outcome::Untied, None),
                (kind, Some(it)) => (self.tied(kind, st, it, &stmts[..i], r), Some(it)),
            };

            let (label, count_item) = match &outcome {
                Outcome::Checked => ("核对", item),
                Outcome::Untied => ("未对应", None),
                Outcome::Unchecked => ("未核对", item),
            };
            r.list.push(StatementInfo {
                text: self.text.name.clone(),
                paragraph: self.s.paragraph + 1,
                written: st.written.clone(),
                kind: kind_label(st.kind),
                item: count_item.map(|i| self.item(i).label.clone()),
                outcome: label,
            });
            match outcome {
                Outcome::Checked => r.checked += 1,
                Outcome::Untied => untied.push(st),
                Outcome::Unchecked => r.unchecked += 1,
            }
        }
        r.unchecked += untied.len();
        last_tied
    }

    /// The item each statement speaks of: the nearest name before it (for
    /// an amount, only if no other amount lies between), else the item of
    /// the amount before it, else the paragraph's topic.
    fn items_of(
        norm: &str,
        stmts: &[Statement],
        mentions: &[Mention],
        topic: Option<usize>,
    ) -> Vec<Option<usize>> {
        let mut items: Vec<Option<usize>> = Vec::with_capacity(stmts.len());
        let mut last_amount: Option<usize> = None;
        for (i, st) in stmts.iter().enumerate() {
            // Mentions never overlap: in order of start, they are in order of end.
            let name = mentions[..mentions.partition_point(|m| m.end <= st.start)].last();
            let item = match (st.kind, name, last_amount) {
                (Kind::Amount, Some(m), Some(j)) if stmts[j].start >= m.end => None,
                (Kind::Amount, None, Some(j)) if generic(&norm[stmts[j].end..st.start]) => topic,
                (Kind::Amount, None, Some(_)) => None,
                (_, None, None) if !generic(&norm[..st.start]) => None,
                (_, Some(m), Some(j)) if stmts[j].start >= m.end => items[j],
                (_, None, Some(j)) => items[j],
                (_, Some(m), _) => Some(m.item),
                (_, None, None) => topic,
            };
            items.push(item);
            if st.kind == Kind::Amount {
                last_amount = Some(i);
            }
        }
        items
    }

    fn tied(
        &self,
        kind: Kind,
        st: &Statement,
        it: usize,
        before: &[Statement],
        r: &mut TextReport,
    ) -> Outcome {
        let dir = match kind {
            Kind::Amount => return self.amount(st, it, r),
            Kind::Change(d) | Kind::Rate(d) => d,
            Kind::Share | Kind::Percent | Kind::Count => return Outcome::Untied,
        };
        let years = self.years(it, before);
        let Some(&(p, c)) = years.first() else {
            return self.no_years(it);
        };
        r.changes.push((self.s.paragraph, it, p, c));
        if matches!(kind, Kind::Change(_)) {
            self.change(st, dir, it, &years, r)
        } else {
            self.rate(st, dir, it, &years, r)
        }
    }

    fn item(&self, i: usize) -> &Item {
        &self.dict.items[i]
    }

    /// An amount of this year (or of the prior year, with the prior given).
    fn amount(&self, st: &Statement, item: usize, r: &mut TextReport) -> Outcome {
        let it = self.item(item);
        if it.candidates.is_empty() {
            return Outcome::Untied;
        }
        let prior_words = &self.a.specs.layout.narrative.unchecked_prior;
        let clause_start = self.s.norm[..st.start]
            .rfind([',', ';', ':', '。'])
            .map_or(0, |i| i + 1);
        let clause = &self.s.norm[clause_start..st.start];
        if st.other_year
            && (self.a.prior.is_none() || prior_words.iter().any(|w| clause.contains(w.as_str())))
        {
            return Outcome::Unchecked;
        }
        let absent = &self.a.specs.layout.narrative.not_in_tables;
        if absent.iter().any(|w| clause.contains(w.as_str())) {
            return Outcome::Untied;
        }
        let stated = in_wan(st);
        let tol = tolerance(st);
        let values: Vec<(Decimal, &str)> = it
            .candidates
            .iter()
            .filter_map(|c| {
                let v = if st.other_year { c.prior } else { c.current };
                Some((v?.value(), c.cell.as_str()))
            })
            .collect();
        if values.is_empty() {
            return Outcome::Untied;
        }
        if values.iter().any(|(v, _)| (stated - v).abs() <= tol) {
            return Outcome::Checked;
        }
        let (v, cell) = values[0];
        let wrong_unit = match st.unit {
            Unit::Yuan => (st.value - v).abs() <= Decimal::new(5, st.decimals + 1),
            Unit::Wan => (st.value - v * Decimal::from(10_000)).abs() <= tol,
            _ => false,
        };
        let year = if st.other_year { "上年" } else { "本年" };
        let table = format!(
            "{} 万元（{cell}）",
            crate::amount::grouped(Amount::round(v))
        );
        let d = if wrong_unit {
            self.finding(
                &UNIT,
                format!(
                    "“{}”单位有误：{}{year}为 {table}：{}",
                    st.written,
                    it.label,
                    self.quote()
                ),
            )
            .hint("说明中的金额单位应与表一致（万元）")
        } else if (stated - v).abs() <= self.rounding_step() {
            // One fen of 万元 off: the text took the figure from another table
            // whose own rounding differs (尾数差异), as the tables' rules warn.
            let mut d = self.finding(
                &FIGURE,
                format!(
                    "尾数差异：说明写{}{year}为 {}，表中为 {table}：{}",
                    it.label,
                    st.written,
                    self.quote()
                ),
            );
            d.severity = Severity::Warning;
            d.hint("公开数字分别四舍五入时会有这种差异；说明与表宜取同一张表的数")
        } else {
            self.finding(
                &FIGURE,
                format!(
                    "说明写{}{year}为 {}，表中为 {table}：{}",
                    it.label,
                    st.written,
                    self.quote()
                ),
            )
            .hint("请按表中的数修改说明（或先核对表）")
        };
        r.findings
            .push(d.expected(table.clone()).actual(st.written.clone()));
        Outcome::Checked
    }

    /// The two years' figures of an item, (prior, current): from the tables,
    /// or, when the sentence states both years itself, its prior figure with
    /// this year's from the table and with its own. A change or rate is right
    /// if it fits either: a wrong amount is reported once (N-FIG-01), not again
    /// in the rate that follows it.
    fn years(&self, item: usize, before: &[Statement]) -> Vec<(Decimal, Decimal)> {
        let prior = before
            .iter()
            .rev()
            .find(|b| b.kind == Kind::Amount && b.other_year);
        let cur = before
            .iter()
            .rev()
            .find(|b| b.kind == Kind::Amount && !b.other_year);
        if let (Some(p), Some(c)) = (prior, cur) {
            let table = self.item(item).candidates.iter().find_map(|x| x.current);
            let mut out: Vec<(Decimal, Decimal)> =
                table.map(|t| (in_wan(p), t.value())).into_iter().collect();
            out.push((in_wan(p), in_wan(c)));
            return out;
        }
        if self.a.prior.is_none() {
            return Vec::new();
        }
        self.item(item)
            .candidates
            .first()
            .map(|c| {
                (
                    c.prior.unwrap_or(Amount::ZERO).value(),
                    c.current.unwrap_or(Amount::ZERO).value(),
                )
            })
            .into_iter()
            .collect()
    }

    /// No figures to check a change against: not tied, or unchecked.
    /// A change written with the opposite word (`up_down`: the words for
    /// up and for down in this statement).
    fn wrong_direction(
        &self,
        label: &str,
        delta: Decimal,
        dir: Direction,
        up_down: (&str, &str),
    ) -> Diagnostic {
        let written = if dir == Direction::Up {
            up_down.0
        } else {
            up_down.1
        };
        self.finding(
            &DIRECTION,
            format!(
                "{label}实际{}，说明却写“{written}”：{}",
                word(delta),
                self.quote()
            ),
        )
    }

    fn no_years(&self, item: usize) -> Outcome {
        if self.item(item).candidates.is_empty() {
            Outcome::Untied
        } else {
            Outcome::Unchecked
        }
    }

    /// `years`: the two years' figures, the table's first (never empty).
    fn change(
        &self,
        st: &Statement,
        dir: Direction,
        item: usize,
        years: &[(Decimal, Decimal)],
        r: &mut TextReport,
    ) -> Outcome {
        let (prior, cur) = years[0];
        let stated = in_wan(st);
        let against = |&(p, c): &(Decimal, Decimal)| {
            let delta = c - p;
            let direction_ok = delta.is_zero()
                || stated.is_zero()
                || delta.is_sign_negative() == (dir == Direction::Down);
            (direction_ok, (stated - delta.abs()).abs() <= tolerance(st))
        };
        if years.iter().map(against).any(|(d, m)| d && m) {
            return Outcome::Checked;
        }
        let delta = cur - prior;
        let label = &self.item(item).label;
        let expected = change_in_wan(delta);
        let d = if !years.iter().map(against).any(|(d, _)| d) {
            self.wrong_direction(label, delta, dir, ("增加", "减少"))
        } else {
            self.finding(
                &CHANGE,
                format!(
                    "说明写{label}增减 {}，两年的数相差 {} 万元：{}",
                    st.written,
                    crate::amount::grouped(Amount::round(delta.abs())),
                    self.quote()
                ),
            )
        };
        r.findings
            .push(d.expected(expected).actual(st.written.clone()));
        Outcome::Checked
    }

    /// `years`: the two years' figures, the table's first (never empty).
    fn rate(
        &self,
        st: &Statement,
        dir: Direction,
        item: usize,
        years: &[(Decimal, Decimal)],
        r: &mut TextReport,
    ) -> Outcome {
        let (prior, cur) = years[0];
        let label = &self.item(item).label;
        if prior.is_zero() {
            r.findings.push(
                self.finding(
                    &RATE_FROM_ZERO,
                    format!(
                        "{label}上年为 0，增长率无从计算，不宜写“{}”：{}",
                        st.written,
                        self.quote()
                    ),
                )
                .expected("上年为 0，不写增长率（可写“为新增”）")
                .actual(st.written.clone())
                .hint("上年为 0 的项目可写“为新增”"),
            );
            return Outcome::Checked;
        }
        let rate_of = |&(p, c): &(Decimal, Decimal)| -> Option<Decimal> {
            (!p.is_zero()).then(|| (c - p) * Decimal::ONE_HUNDRED / p)
        };
        let within = Decimal::new(5, st.decimals + 1) + Decimal::new(1, 6);
        let fits = |x: Decimal| {
            (x.is_zero() || x.is_sign_negative() == (dir == Direction::Down))
                && (st.value - x.abs()).abs() <= within
        };
        if years.iter().filter_map(rate_of).any(fits) {
            return Outcome::Checked;
        }
        let rate = rate_of(&(prior, cur)).unwrap_or_default();
        let direction_ok = years
            .iter()
            .filter_map(rate_of)
            .any(|x| x.is_zero() || x.is_sign_negative() == (dir == Direction::Down));
        let d = if direction_ok {
            let shown = rate.abs().round_dp_with_strategy(
                st.decimals.max(1),
                rust_decimal::RoundingStrategy::MidpointAwayFromZero,
            );
            self.finding(
                &RATE,
                format!(
                    "说明写{label}变动 {}，按两年的数算为 {shown}%：{}",
                    st.written,
                    self.quote()
                ),
            )
            .expected(format!("{shown}%"))
        } else {
            self.wrong_direction(label, rate, dir, ("增长", "下降"))
        };
        r.findings.push(d.actual(st.written.clone()));
        Outcome::Checked
    }

    fn count(&self, st: &Statement, r: &mut TextReport) -> (Outcome, Option<usize>) {
        let unit_len = st.written.chars().next_back().map_or(0, char::len_utf8);
        let after = &self.s.norm[st.end - unit_len..];
        let Some(&(_, item)) = self
            .dict
            .counts
            .iter()
            .find(|(w, _)| after.starts_with(w.as_str()))
        else {
            return (Outcome::Untied, None);
        };
        let it = self.item(item);
        let Some(n) = it.count else {
            return (Outcome::Untied, None);
        };
        if st.value != Decimal::from(n) {
            r.findings.push(
                self.finding(
                    &COUNT,
                    format!(
                        "说明写{} {}，表中为 {n}：{}",
                        it.label,
                        st.written,
                        self.quote()
                    ),
                )
                .expected(n.to_string())
                .actual(st.value.to_string()),
            );
        }
        (Outcome::Checked, Some(item))
    }

    /// 持平 where the two years differ.
    fn same(
        &self,
        stmts: &[Statement],
        mentions: &[Mention],
        topic: Option<usize>,
        r: &mut TextReport,
    ) {
        let mut from = 0;
        while let Some(i) = self.s.norm[from..].find("持平") {
            let at = from + i;
            from = at + "持平".len();
            r.statements += 1;
            let probe = Statement {
                kind: Kind::Change(Direction::Up),
                value: Decimal::ZERO,
                unit: Unit::Wan,
                decimals: 2,
                start: at,
                end: at,
                other_year: false,
                written: "持平".into(),
            };
            let mut before: Vec<Statement> =
                stmts.iter().filter(|s| s.end <= at).cloned().collect();
            before.push(probe);
            let item = Self::items_of(&self.s.norm, &before, mentions, topic)
                .pop()
                .flatten();
            before.pop();
            let years = item
                .map(|i| self.years(i, &before))
                .filter(|y| !y.is_empty());
            r.list.push(StatementInfo {
                text: self.text.name.clone(),
                paragraph: self.s.paragraph + 1,
                written: "持平".into(),
                kind: "持平",
                item: item.map(|i| self.item(i).label.clone()),
                outcome: match (item, &years) {
                    (None, _) => "未对应",
                    (Some(_), None) => "未核对",
                    _ => "核对",
                },
            });
            let (Some(item), Some(years)) = (item, years) else {
                r.unchecked += 1;
                continue;
            };
            r.checked += 1;
            let (prior, cur) = years[0];
            if years.iter().all(|(p, c)| p != c) {
                let label = &self.item(item).label;
                let delta = cur - prior;
                let actual = change_in_wan(delta);
                r.findings.push(
                    self.finding(
                        &SAME,
                        format!(
                            "说明写{label}“持平”，两年的数实际{actual}：{}",
                            self.quote()
                        ),
                    )
                    .expected(actual)
                    .actual("持平"),
                );
            }
        }
    }
}

/// A change as findings print it: `减少24,701.58 万元`.
/// Figures written with full-width digits (`１２`) and half-width digits or
/// point (`1２.5`) in one: the reader sees two sizes in one number. A list
/// number's full-width point (`8．2024年`) is no such figure.
fn mixed_widths(text: &str) -> Vec<String> {
    let full = |c: char| ('０'..='９').contains(&c);
    let half = |c: char| c.is_ascii_digit() || c == '.';
    let mut out = Vec::new();
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if full(c) || half(c) || c == '．' {
            run.push(c);
            continue;
        }
        if run.chars().any(full) && run.chars().any(|c| c.is_ascii_digit()) {
            out.push(run.clone());
        }
        run.clear();
    }
    out
}

/// `text` without the leader dots of a table of contents: a run of four or
/// more `…` or `.` and the page number after it.
fn without_leaders(text: &str) -> String {
    let mut out = String::new();
    let mut run = String::new();
    for c in text.chars() {
        if matches!(c, '…' | '.' | '·') {
            run.push(c);
            continue;
        }
        if run.chars().count() < 4 {
            out.push_str(&run);
        }
        run.clear();
        out.push(c);
    }
    if run.chars().count() < 4 {
        out.push_str(&run);
    }
    out
}

fn change_in_wan(delta: Decimal) -> String {
    format!(
        "{}{} 万元",
        word(delta),
        crate::amount::grouped(Amount::round(delta.abs()))
    )
}

fn word(delta: Decimal) -> &'static str {
    if delta.is_sign_negative() {
        "减少"
    } else {
        "增加"
    }
}

enum Outcome {
    Checked,
    Untied,
    Unchecked,
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
    all.findings.extend(super::document::sheet_chapters(a));
    let spoken = std::mem::take(&mut all.spoken);
    all.findings.extend(swings(a, &dict, &spoken, "说明"));
    all.recount();
    all
}

/// The text of a written 说明 file: .docx, or UTF-8 text (.txt, .md).
///
/// # Errors
/// A file that cannot be read, a .docx that is not a Word document, or a text
/// file that is not UTF-8 — each in words a clerk can act on.
pub fn read_text(path: &std::path::Path) -> Result<String, String> {
    let unreadable = |e: std::io::Error| format!("无法读取说明文件 {}：{e}", path.display());
    let too_long = |size: u64| {
        format!(
            "说明文件 {} 的文字有 {:.1} MB，超过 {} MB 的上限（一份说明通常只有几十 KB）；请只给出说明的文字部分",
            path.display(),
            size as f64 / f64::from(1u32 << 20),
            MAX_TEXT_BYTES >> 20
        )
    };
    let size = std::fs::metadata(path).map_err(unreadable)?.len();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    // A file far beyond the limit is not read at all; a .docx's text is
    // measured once taken out.
    if size > 8 * MAX_TEXT_BYTES as u64 {
        return Err(too_long(size));
    }
    let bytes = std::fs::read(path).map_err(unreadable)?;
    let text = match ext.as_deref() {
        Some("docx") => {
            super::docx::text_of(&bytes).map_err(|m| format!("{}：{m}", path.display()))
        }
        Some("txt" | "md") => {
            let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
            String::from_utf8(b.to_vec()).map_err(|_| {
                format!(
                    "{} 不是 UTF-8 编码的文字文件；请在记事本中“另存为”并选择 UTF-8 编码",
                    path.display()
                )
            })
        }
        Some("doc") => Err(format!(
            "{} 是旧版 Word（.doc）文件；请在 Word 或 WPS 中另存为 .docx 后再检查",
            path.display()
        )),
        _ => Err(format!(
            "说明文件只能是 .docx、.txt 或 .md：{}",
            path.display()
        )),
    }?;
    if text.len() > MAX_TEXT_BYTES {
        return Err(too_long(text.len() as u64));
    }
    Ok(text)
}
