//! The 说明 as a whole document: the chapters its layout requires, the
//! empty-table statements under the tables it prints, 科目 names close to a
//! table's name but not it, and large changes it never explains.

use rust_decimal::Decimal;

use super::check::{is_cjk, line_loc, Against, TextSource};
use super::rules::*;
use super::statements::normalize;
use crate::diag::Diagnostic;
use crate::layout::narrative::Chapter;
use crate::rule::Rule;

/// A line as a heading: markdown marks, outline numbers (`第一部分`, `一、`,
/// `（一）`) and a bracketed scope (`（部门）`) taken off; `None` for a line
/// that reads as a sentence or a table-of-contents entry.
fn heading_of(line: &str) -> Option<String> {
    let t = line.trim().trim_start_matches('#').trim();
    if t.is_empty()
        || t.contains('…')
        || t.contains("..")
        || t.chars()
            .any(|c| matches!(c, '。' | '，' | '；' | '：' | ':' | ';'))
    {
        return None;
    }
    let mut n = normalize(t);
    if let Some(rest) = n.strip_prefix('第') {
        if let Some(i) = rest.find("部分") {
            if rest[..i]
                .chars()
                .all(|c| "一二三四五六七八九十".contains(c))
            {
                n = rest[i + "部分".len()..].to_string();
            }
        }
    }
    let n = crate::text::strip_numbering(&n).to_string();
    Some(n.replace("(部门)", "").replace("(单位)", ""))
}

/// A chapter's heading as [`heading_of`] leaves it, `{year}` filled in and
/// `{department}` left out (texts write it in full, short, or not at all);
/// `|` separates the wordings a heading is found by.
fn key_of(heading: &str, a: &Against) -> String {
    heading
        .split('|')
        .map(|h| {
            let filled = h
                .replace("{department}", "")
                .replace("{year}", &a.current.year.to_string());
            heading_of(&filled).unwrap_or_else(|| normalize(&filled))
        })
        .collect::<Vec<_>>()
        .join("|")
}

/// Whether heading `h` (from [`heading_of`]) is the chapter of `key` (one of
/// its wordings): it ends with it, or starts with it (a PDF runs a
/// sub-heading on), close in length.
fn is_heading(h: &str, key: &str) -> bool {
    key.split('|').any(|k| {
        !k.is_empty()
            && h.chars().count() <= k.chars().count() + 40
            && (h.ends_with(k) || h.starts_with(k))
    })
}

/// The lines of a text with their heading form.
struct Lines<'t> {
    all: Vec<(&'t str, Option<String>)>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Lines<'t> {
        Lines {
            all: text.lines().map(|l| (l, heading_of(l))).collect(),
        }
    }

    /// Lines that are the heading of `key`.
    fn find(&self, key: &str) -> Vec<usize> {
        (0..self.all.len())
            .filter(|&i| self.all[i].1.as_deref().is_some_and(|h| is_heading(h, key)))
            .collect()
    }

    /// Whether the lines after heading `at`, up to the next of `keys`, say
    /// anything but template residue.
    fn has_content(&self, at: usize, keys: &[String], residue: &[String]) -> bool {
        for &(line, ref heading) in &self.all[at + 1..] {
            if heading
                .as_deref()
                .is_some_and(|h| keys.iter().any(|k| is_heading(h, k)))
            {
                return false;
            }
            if says_something(line, residue) {
                return true;
            }
        }
        false
    }

    fn says_something(&self, i: usize, residue: &[String]) -> bool {
        says_something(self.all[i].0, residue)
    }
}

/// Whether a line says something but template residue and placeholders
/// (`【请填写：部门主要职能】`).
fn says_something(line: &str, residue: &[String]) -> bool {
    let mut n = normalize(line);
    // Placeholders first: the residue words include their opening `【请填写`.
    while let (Some(s), Some(e)) = (n.find('【'), n.find('】')) {
        if e < s {
            break;
        }
        n.replace_range(s..e + '】'.len_utf8(), "");
    }
    for r in residue {
        n = n.replace(r.as_str(), "");
    }
    n.chars().filter(|c| is_cjk(*c)).count() >= 4
}

/// Every heading key of the layout's chapters and their parts.
fn all_keys(a: &Against) -> Vec<String> {
    a.specs
        .layout
        .narrative
        .chapters
        .iter()
        .flat_map(|c| std::iter::once(&c.heading).chain(&c.parts))
        .map(|h| key_of(h, a))
        .collect()
}

fn finding(
    rule: &Rule,
    text: &TextSource,
    a: &Against,
    line: Option<usize>,
    message: String,
) -> Diagnostic {
    let d = rule.finding(message).table(text.name.clone());
    match (line.and_then(|l| line_loc(text, a, l)), text.sheet) {
        (Some(loc), _) => d.at(&loc.sheet, loc.row, loc.col),
        (None, Some(sheet)) => d.in_sheet(sheet),
        (None, None) => d,
    }
}

fn residue(a: &Against) -> Vec<String> {
    a.specs
        .layout
        .narrative
        .residue
        .iter()
        .map(|r| normalize(r))
        .collect()
}

/// The chapters of a written document (a file given with `--narrative`): a
/// text holding two or more of the layout's chapters is a whole document and
/// must hold them all; the parts of a chapter it holds must all be there,
/// each with content.
pub fn chapters(text: &TextSource, a: &Against) -> Vec<Diagnostic> {
    let lines = Lines::new(text.text);
    let keys = all_keys(a);
    let residue = residue(a);
    let chapters = &a.specs.layout.narrative.chapters;
    let present: Vec<(&Chapter, Vec<usize>)> = chapters
        .iter()
        .map(|c| (c, lines.find(&key_of(&c.heading, a))))
        .collect();
    let held = |c: &Chapter, at: &[usize]| {
        !at.is_empty()
            || c.parts
                .iter()
                .any(|p| !lines.find(&key_of(p, a)).is_empty())
    };
    let whole = present.iter().filter(|(c, at)| held(c, at)).count() >= 2;
    let mut out = Vec::new();
    for (c, at) in &present {
        if !held(c, at) {
            if whole {
                out.push(missing(text, a, None, &c.heading));
            }
            continue;
        }
        if c.parts.is_empty()
            && !at.is_empty()
            && !at.iter().any(|&i| lines.has_content(i, &keys, &residue))
        {
            out.push(empty(text, a, at.last().copied(), &c.heading));
        }
        out.extend(parts(text, a, &lines, c, &keys, &residue));
    }
    out
}

/// The parts of chapter `c` in `lines`: each present, each with content.
fn parts(
    text: &TextSource,
    a: &Against,
    lines: &Lines,
    c: &Chapter,
    keys: &[String],
    residue: &[String],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for p in &c.parts {
        let at = lines.find(&key_of(p, a));
        if at.is_empty() {
            out.push(missing(text, a, None, p));
        } else if !at.iter().any(|&i| lines.has_content(i, keys, residue)) {
            out.push(empty(text, a, at.last().copied(), p));
        }
    }
    out
}

fn shown(heading: &str, a: &Against) -> String {
    let first = heading.split('|').next().unwrap_or(heading);
    first
        .replace("{department}", "")
        .replace("{year}", &a.current.year.to_string())
}

fn missing(text: &TextSource, a: &Against, line: Option<usize>, heading: &str) -> Diagnostic {
    let h = shown(heading, a);
    finding(&CHAPTER_MISSING, text, a, line, format!("缺少“{h}”一节"))
        .expected(h)
        .actual("没有")
        .hint("请按版式补上这一节（标题和内容）")
}

fn empty(text: &TextSource, a: &Against, line: Option<usize>, heading: &str) -> Diagnostic {
    let h = shown(heading, a);
    finding(
        &CHAPTER_EMPTY,
        text,
        a,
        line,
        format!("“{h}”一节只有标题，没有内容"),
    )
    .expected("写明内容")
    .actual("空")
    .hint("请填写这一节；确实没有的，写明“无”及原因")
}

/// The chapters of a workbook: each chapter kept in a sheet of its own
/// (`sheet`) must be there and say something, with its parts. A warning, not
/// an error: the tables of a workbook whose 说明 is still to be written convert.
pub fn sheet_chapters(a: &Against) -> Vec<Diagnostic> {
    let keys = all_keys(a);
    let residue = residue(a);
    let mut out = Vec::new();
    for c in &a.specs.layout.narrative.chapters {
        let Some(sheet) = c.sheet.as_deref() else {
            continue;
        };
        let source = TextSource {
            name: sheet.to_string(),
            text: a.current.texts.get(sheet).map_or("", String::as_str),
            sheet: Some(sheet),
        };
        let lines = Lines::new(source.text);
        let heading = shown(&c.heading, a);
        if !lines.has_content_from(&keys, &residue) {
            let state = if a.current.texts.contains_key(sheet) {
                "空着"
            } else {
                "缺少"
            };
            out.push(
                finding(
                    &CHAPTER_SHEET,
                    &source,
                    a,
                    None,
                    format!("说明工作表“{sheet}”（{heading}）{state}"),
                )
                .in_sheet(sheet)
                .expected("填写这一章")
                .actual(state)
                .hint("公开前请填写这一章；确实没有的，写明“无”及原因"),
            );
            continue;
        }
        for mut d in parts(&source, a, &lines, c, &keys, &residue) {
            d.rule = CHAPTER_SHEET.id.into();
            d.severity = CHAPTER_SHEET.severity;
            out.push(d);
        }
    }
    out
}

impl Lines<'_> {
    /// Whether the whole text says anything but its headings and template residue.
    fn has_content_from(&self, keys: &[String], residue: &[String]) -> bool {
        (0..self.all.len()).any(|i| {
            let is_heading = self.all[i]
                .1
                .as_deref()
                .is_some_and(|h| keys.iter().any(|k| is_heading(h, k)));
            !is_heading && self.says_something(i, residue)
        })
    }
}

/// Tables printed in a text (their title on a line of its own), each with the
/// statement the layout's `empty_statements` give under an empty one: a table
/// with figures must not say it is empty; an empty table that the layout
/// notes as empty (`empty_note`) should say so.
pub fn empty_tables(text: &TextSource, a: &Against) -> Vec<Diagnostic> {
    let words: Vec<String> = a
        .specs
        .layout
        .narrative
        .empty_statements
        .iter()
        .map(|w| normalize(w))
        .collect();
    if words.is_empty() {
        return Vec::new();
    }
    let lines: Vec<String> = text.text.lines().map(normalize).collect();
    let titles: Vec<(usize, &crate::spec::TableSpec)> = a
        .specs
        .tables
        .iter()
        .flat_map(|spec| {
            let title = normalize(&spec.title_for(a.current.year, "")).replace("{department}", "");
            let bare = normalize(&spec.title);
            lines
                .iter()
                .enumerate()
                .filter(move |(_, l)| {
                    !l.is_empty()
                        && l.chars().count() <= bare.chars().count() + 30
                        && (l.ends_with(&title) || l.ends_with(&bare))
                })
                .map(move |(i, _)| (i, spec))
        })
        .collect();
    // A table's part of the text ends at the next table's title, the next
    // chapter heading, or 60 lines on.
    let keys = all_keys(a);
    let mut ends: Vec<usize> = titles.iter().map(|(i, _)| *i).collect();
    ends.extend(
        text.text
            .lines()
            .enumerate()
            .filter(|(_, l)| heading_of(l).is_some_and(|h| keys.iter().any(|k| is_heading(&h, k))))
            .map(|(i, _)| i),
    );
    ends.sort_unstable();
    // Each statement belongs to the table whose note it is (`……没有政府性基金
    // 预算……故本表无数据`), else to the table whose title comes before it.
    let notes: Vec<(String, &crate::spec::TableSpec)> = a
        .specs
        .tables
        .iter()
        .filter_map(|spec| {
            spec.empty_note.as_deref().map(|n| {
                (
                    normalize(&crate::text::fill(n, a.current.year, &a.current.department)),
                    spec,
                )
            })
        })
        .collect();
    let mut stated: Vec<(usize, &crate::spec::TableSpec)> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if !words.iter().any(|w| l.contains(w.as_str())) {
            continue;
        }
        let by_note: Vec<&crate::spec::TableSpec> = notes
            .iter()
            .filter(|(n, _)| !n.is_empty() && (l.contains(n.as_str()) || n.contains(l.as_str())))
            .map(|(_, s)| *s)
            .collect();
        let by_place = titles
            .iter()
            .filter(|(t, _)| *t < i)
            .max_by_key(|(t, _)| *t)
            .filter(|(t, _)| {
                let end = ends
                    .iter()
                    .copied()
                    .find(|&e| e > *t)
                    .unwrap_or(lines.len());
                i < end.min(*t + 60)
            })
            .map(|(_, s)| *s);
        // Tables sharing one note (`注:本表本年无发生额。`) are told apart by place.
        let spec = match by_note.as_slice() {
            [one] => Some(*one),
            _ => by_place,
        };
        if let Some(spec) = spec {
            stated.push((i, spec));
        }
    }
    let mut out = Vec::new();
    for spec in &a.specs.tables {
        let Some(table) = a.current.tables.get(&spec.id) else {
            continue;
        };
        let printed: Vec<usize> = titles
            .iter()
            .filter(|(_, s)| s.id == spec.id)
            .map(|(i, _)| *i)
            .collect();
        let said = stated
            .iter()
            .find(|(_, s)| s.id == spec.id)
            .map(|(i, _)| *i);
        let name = spec.sheet_name();
        match (said, table.has_no_figures()) {
            (Some(i), false) => out.push(
                finding(
                    &EMPTY_WITH_FIGURES,
                    text,
                    a,
                    Some(i),
                    format!(
                        "{name}有数字，表下却注明“{}”",
                        text.text.lines().nth(i).unwrap_or("").trim()
                    ),
                )
                .expected("删去“本表为空表”的注明")
                .actual("注明为空表"),
            ),
            (None, true) if spec.empty_note.is_some() && !printed.is_empty() => out.push(
                finding(
                    &EMPTY_UNSTATED,
                    text,
                    a,
                    printed.last().copied(),
                    format!("{name}没有数字，表下没有注明为空表"),
                )
                .expected(crate::text::fill(
                    spec.empty_note.as_deref().unwrap_or(""),
                    a.current.year,
                    &a.current.department,
                ))
                .actual("没有注明"),
            ),
            _ => {}
        }
    }
    out
}

/// A 科目 name in the text that a table's 科目 name contains with a few
/// characters left out (`文化体育与传媒支出` for `文化旅游体育与传媒支出`), and
/// that is no 科目's name of its own.
pub fn near_names(
    text: &TextSource,
    a: &Against,
    table_names: &[String],
    known: &std::collections::HashSet<String>,
) -> Vec<Diagnostic> {
    let catalogue = a.catalogue.written_names();
    // The names by their last two characters: a line is read once, each
    // place where some name could end looked up.
    let mut by_tail: std::collections::HashMap<[char; 2], Vec<(&String, Vec<char>)>> =
        Default::default();
    for t in table_names {
        let tc: Vec<char> = t.chars().collect();
        if tc.len() >= 6 {
            by_tail
                .entry([tc[tc.len() - 2], tc[tc.len() - 1]])
                .or_default()
                .push((t, tc));
        }
    }
    let mut out = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for (line_no, line) in text.text.lines().enumerate() {
        let n: Vec<char> = normalize(line).chars().collect();
        for end in 2..=n.len() {
            let Some(names) = by_tail.get(&[n[end - 2], n[end - 1]]) else {
                continue;
            };
            for (t, tc) in names {
                let Some(written) = near_miss(&n, end, tc, (known, catalogue)) else {
                    continue;
                };
                if seen.contains(&written) {
                    continue;
                }
                seen.push(written.clone());
                out.push(
                    finding(
                        &NEAR_NAME,
                        text,
                        a,
                        Some(line_no),
                        format!("说明写作“{written}”，表中科目名称为“{t}”"),
                    )
                    .expected((*t).clone())
                    .actual(written)
                    .hint("请按表中（当年政府收支分类科目）的名称书写"),
                );
            }
        }
    }
    out
}

/// The words ending at `end` of line `n` that are table name `tc` with up to
/// four characters left out, if they are no name of their own and not part
/// of a longer word.
fn near_miss(
    n: &[char],
    end: usize,
    tc: &[char],
    (known, catalogue): (
        &std::collections::HashSet<String>,
        &std::collections::HashSet<String>,
    ),
) -> Option<String> {
    for len in (tc.len().saturating_sub(4).max(5)..tc.len()).rev() {
        let Some(start) = end.checked_sub(len) else {
            continue;
        };
        let p = &n[start..end];
        if p[0] != tc[0] || !subsequence(p, tc) {
            continue;
        }
        let written: String = p.iter().collect();
        // The full name here, a name of its own, or part of a longer word
        // (`事业单位退休人员`, `行政综合管理`): not a near miss. A table cell the
        // PDF wrapped (`城乡社区管理` / `事务`) is a line of its own.
        let full_here = end >= tc.len() && n[end - tc.len()..end] == *tc;
        let wrapped = start == 0 && end == n.len();
        let named = known.contains(&written) || catalogue.contains(&written);
        if full_here || wrapped || named || !stands_alone(n, start, end) {
            return None;
        }
        return Some(written);
    }
    None
}

/// Whether the words `n[start..end]` stand as a name of their own: no
/// Chinese character just before, and after them none, or a word that
/// follows a name (`增加`, `预算`).
fn stands_alone(n: &[char], start: usize, end: usize) -> bool {
    const AFTER: [&str; 10] = [
        "增加", "减少", "预算", "决算", "比", "较", "主要", "为", "共计", "合计",
    ];
    let before = start == 0 || !is_cjk(n[start - 1]);
    let rest: String = n[end..].iter().take(2).collect();
    let after = end == n.len() || !is_cjk(n[end]) || AFTER.iter().any(|w| rest.starts_with(w));
    before && after
}

/// Whether `p` is `t` with some characters left out.
fn subsequence(p: &[char], t: &[char]) -> bool {
    let mut it = t.iter();
    p.iter().all(|c| it.any(|x| x == c))
}

/// An item whose figure changed on the prior year by at least `threshold`
/// percent (or from zero), and whether and how the text spoke of it.
pub struct Swing {
    pub label: String,
    pub cell: String,
    pub prior: Decimal,
    pub current: Decimal,
}

/// The warning for a large change the text leaves unexplained.
pub fn swing_finding(s: &Swing, said: bool, where_: &str) -> Diagnostic {
    let change = if s.prior.is_zero() {
        "由 0 变为有数".to_string()
    } else {
        let rate = ((s.current - s.prior) * Decimal::ONE_HUNDRED / s.prior).round_dp(2);
        format!(
            "{}{}%",
            if rate.is_sign_negative() {
                "下降"
            } else {
                "增长"
            },
            rate.abs()
        )
    };
    let (prior, current) = (
        crate::amount::grouped(crate::amount::Amount::round(s.prior)),
        crate::amount::grouped(crate::amount::Amount::round(s.current)),
    );
    let message = if said {
        format!(
            "{}较上年{change}（{prior} → {current}），说明讲到了它，但没有写原因",
            s.label
        )
    } else {
        format!(
            "{}较上年{change}（{prior} → {current}），说明中没有讲到",
            s.label
        )
    };
    let mut d = SWING
        .finding(message)
        .table(where_.to_string())
        .expected("写明变动及原因")
        .actual(if said { "没有原因" } else { "没有讲到" })
        .hint("变动较大的项目请在说明中写明增减及主要原因");
    d.suspect = Some(s.cell.clone());
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_lose_their_numbers_and_sentences_are_no_headings() {
        assert_eq!(
            heading_of("# 第五部分 财政拨款\"三公\"经费预算情况").as_deref(),
            Some("财政拨款三公经费预算情况")
        );
        assert_eq!(
            heading_of("  一、2024年“三公”经费预算情况说明").as_deref(),
            Some("2024年三公经费预算情况说明")
        );
        assert_eq!(
            heading_of("上海市普陀区人民政府万里街道办事处（部门）主要职能").as_deref(),
            Some("上海市普陀区人民政府万里街道办事处主要职能")
        );
        assert_eq!(heading_of("主要职能包括："), None);
        assert_eq!(heading_of("一、部门主要职能    ……………………"), None);
        assert!(is_heading(
            "上海市普陀区人民政府万里街道办事处主要职能",
            "主要职能"
        ));
        assert!(!is_heading("2024年部门预算编制说明", "名词解释"));
    }

    #[test]
    fn a_name_with_characters_left_out_is_a_subsequence() {
        let t: Vec<char> = "文化旅游体育与传媒支出".chars().collect();
        let p: Vec<char> = "文化体育与传媒支出".chars().collect();
        assert!(subsequence(&p, &t));
        let q: Vec<char> = "文化体育传媒与支出".chars().collect();
        assert!(!subsequence(&q, &t));
    }

    #[test]
    fn only_a_name_standing_alone_is_a_near_miss() {
        let n: Vec<char> = "：事业单位退休人员支出".chars().collect();
        assert!(!stands_alone(&n, 1, 7));
        let n: Vec<char> = "2、文化体育与传媒支出(类)".chars().collect();
        assert!(stands_alone(&n, 2, 11));
        let n: Vec<char> = "行政综合管理677.31万元".chars().collect();
        assert!(!stands_alone(&n, 1, 6));
    }
}
