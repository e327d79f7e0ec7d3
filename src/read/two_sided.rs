//! Body of a two-sided table: fixed income and totals lines, and the
//! expenditure lines beside them; each side has a label column and one or
//! more amount columns.

use foldhash::{HashSet, HashSetExt};
use std::sync::Arc;

use super::cells::Ctx;
use super::header::{is_note, Header};
use super::Found;
use crate::model::{Amounts, ExpenditureLine, Level, TwoSidedTable};
use crate::source;
use crate::spec::{Column, Line, TableSpec};
use crate::text::{has_chinese_numbering, has_paren_numbering, norm, strip_numbering};

/// One side as read: its label column, its amount columns, its fixed lines.
struct Side<'a> {
    label: u32,
    amounts: Vec<(Arc<str>, u32)>,
    lines: Vec<&'a Line>,
    right: bool,
}

pub(crate) fn read(ctx: &mut Ctx, spec: &TableSpec, h: &Header, f: &Found) -> TwoSidedTable {
    let [left, right] = spec.sides();
    let side = |(label, amounts): (Option<&Column>, Vec<&Column>), right: bool| Side {
        label: label.map_or(0, |c| h.cols[&c.id]),
        amounts: amounts
            .iter()
            .map(|c| (Arc::from(c.id.as_str()), h.cols[&c.id]))
            .collect(),
        lines: Vec::new(),
        right,
    };
    let mut sides = [side(left, false), side(right, true)];
    sides[0].lines = spec.left_lines().collect();
    sides[1].lines = spec
        .two_sided()
        .iter()
        .flat_map(|t| t.right_lines())
        .collect();
    // Under a section's line (`一、本年支出`) the 类 are numbered `（一）`.
    let sections = spec
        .two_sided()
        .is_some_and(|t| !t.expenditure_lines.is_empty());
    let mut t = TwoSidedTable {
        lines: spec
            .fixed_lines()
            .map(|l| {
                let cols = spec.line_columns(&l.id);
                (
                    l.id.clone(),
                    cols.iter().map(|c| (c.id.as_str(), None)).collect(),
                )
            })
            .collect(),
        expenditure: Vec::new(),
    };
    let mut seen: HashSet<String> = HashSet::new();
    let id = ctx.id.clone();

    for r in h.last_row + 1..f.end_row {
        if ctx.sheet.row_is_blank(r) || h.is_decoration(ctx.sheet, r) || is_note(ctx.sheet, r) {
            continue;
        }
        for s in &sides {
            let label = ctx.label(r, Some(&s.label));
            let amounts = ctx.amounts(r, &s.amounts);
            if label.is_empty() {
                if amounts.values().any(Option::is_some) {
                    ctx.error(
                        &crate::read::rules::NAME_MISSING,
                        "有金额但没有填写项目名称".into(),
                        r,
                        s.label,
                        "请在“项目”列填写项目名称",
                    );
                }
                continue;
            }
            if let Some(line) = find_line(&s.lines, &label, &seen) {
                if !seen.insert(line.id.clone()) {
                    ctx.error(
                        &crate::read::rules::DUPKEY,
                        format!("“{label}”重复出现"),
                        r,
                        s.label,
                        "每个项目只能出现一次，请删除重复行",
                    );
                } else {
                    record(ctx, |c| source::line(&id, &line.id, c), r, s);
                    t.lines.insert(line.id.clone(), amounts);
                }
                continue;
            }
            // A fixed line's label mistyped by a character or two: an error at
            // the label, read as that line (so its figures are not lost).
            if let Some(line) = near_line(&s.lines, &label, &seen) {
                seen.insert(line.id.clone());
                ctx.error(
                    &crate::read::rules::LINE,
                    format!("项目名称“{label}”应为“{}”", line.label),
                    r,
                    s.label,
                    &format!("请把该行的项目名称改为“{}”（已按此行读取金额）", line.label),
                );
                record(ctx, |c| source::line(&id, &line.id, c), r, s);
                t.lines.insert(line.id.clone(), amounts);
                continue;
            }
            if !s.right {
                let want: Vec<&str> = s.lines.iter().map(|l| l.label.as_str()).collect();
                ctx.error(
                    &crate::read::rules::LINE,
                    format!("无法识别的收入项目“{label}”"),
                    r,
                    s.label,
                    &format!("收入栏只能填写：{}", want.join("、")),
                );
                continue;
            }
            let n = norm(&label);
            // The official template's example lines (`二、…`, `三、`) hold no item.
            let bare = strip_numbering(&n);
            if amounts.values().all(Option::is_none)
                && (bare.is_empty() || bare.chars().all(|c| matches!(c, '…' | '.' | '。' | '·')))
            {
                continue;
            }
            let sub_item = sections && has_paren_numbering(&n);
            let level = (has_chinese_numbering(&n) || sub_item).then_some(Level::Lei);
            let name = if sub_item {
                after_paren(&label).to_string()
            } else if level.is_some() {
                strip_numbering(&label).to_string()
            } else {
                label
            };
            let i = t.expenditure.len();
            record(ctx, |c| source::expenditure(&id, i, c), r, s);
            push(&mut t, name, level, amounts);
        }
    }
    t
}

/// A label after its `（一）` mark, as printed.
fn after_paren(label: &str) -> &str {
    let t = label.trim_start();
    match t.find(['）', ')']) {
        Some(i) => t[i..].trim_start_matches(['）', ')']).trim_start(),
        None => t,
    }
}

fn push(t: &mut TwoSidedTable, name: String, level: Option<Level>, amounts: Amounts) {
    t.expenditure.push(ExpenditureLine {
        code: None,
        level,
        name,
        amounts,
    });
}

/// Records a line's amount cells and its label cell.
fn record<'k>(ctx: &mut Ctx, key: impl Fn(&'k str) -> source::CellKey<'k>, r: u32, s: &'k Side) {
    for (id, c) in &s.amounts {
        ctx.record(key(id), r, *c);
    }
    ctx.record(key(source::LABEL), r, s.label);
}

/// The fixed line a label names: by its label or an alias, numbering aside;
/// of several lines with one label (a sub-row repeating an income line), the
/// first not seen yet.
fn find_line<'a>(lines: &[&'a Line], label: &str, seen: &HashSet<String>) -> Option<&'a Line> {
    let n = norm(label);
    let bare = strip_numbering(&n);
    let exact = |l: &&&Line| l.labels().any(|x| norm(x) == n);
    let loose = |l: &&&Line| l.labels().any(|x| strip_numbering(&norm(x)) == bare);
    let fresh = |l: &&&Line| !seen.contains(&l.id);
    lines
        .iter()
        .filter(fresh)
        .find(exact)
        .or_else(|| lines.iter().filter(fresh).find(loose))
        .or_else(|| lines.iter().find(exact))
        .or_else(|| lines.iter().find(loose))
        .copied()
}

/// The one fixed line not seen yet whose label differs from `label` by a
/// character (two, for labels over six characters), numbering aside.
fn near_line<'a>(lines: &[&'a Line], label: &str, seen: &HashSet<String>) -> Option<&'a Line> {
    let n = norm(label);
    let bare: Vec<char> = strip_numbering(&n).chars().collect();
    if bare.len() < 3 {
        return None;
    }
    let mut best: Vec<(usize, &'a Line)> = lines
        .iter()
        .filter(|l| !seen.contains(&l.id))
        .filter_map(|l| {
            let d = l
                .labels()
                .map(|x| {
                    let other: Vec<char> = strip_numbering(&norm(x)).chars().collect();
                    edit_distance(&bare, &other)
                })
                .min()?;
            let limit = if bare.len() > 6 { 2 } else { 1 };
            (d <= limit).then_some((d, *l))
        })
        .collect();
    best.sort_by_key(|(d, _)| *d);
    match best.as_slice() {
        [(d, l)] => Some(l).filter(|_| *d > 0).copied(),
        [(d0, l), (d1, _), ..] if d0 < d1 => Some(*l),
        _ => None,
    }
}

/// Characters to change, insert or delete to turn `a` into `b`.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_characters() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(edit_distance(&c("本年收入总计"), &c("本年收入合计")), 1);
        assert_eq!(edit_distance(&c("收入合计"), &c("收入总计")), 1);
        assert_eq!(edit_distance(&c("结转下年"), &c("结转下年")), 0);
        assert_eq!(edit_distance(&c("支出总额"), &c("本年支出合计")), 4);
    }
}
