//! Body of a two-sided table (1, 6): fixed income and totals lines, and the
//! expenditure lines beside them.

use std::collections::HashSet;

use super::cells::Ctx;
use super::header::{is_note, Header};
use super::Found;
use crate::model::{ExpenditureLine, Level, TwoSidedTable};
use crate::source;
use crate::spec::{Line, TableSpec};
use crate::text::{has_chinese_numbering, norm, strip_numbering};

pub(crate) fn read(ctx: &mut Ctx, spec: &TableSpec, h: &Header, f: &Found) -> TwoSidedTable {
    let ids: Vec<&String> = spec.columns.iter().map(|c| &c.id).collect();
    let [li, la, ri, ra] = [ids[0], ids[1], ids[2], ids[3]].map(|id| h.cols[id]);
    let mut t = TwoSidedTable {
        lines: spec.fixed_lines().map(|l| (l.id.clone(), None)).collect(),
        expenditure: Vec::new(),
    };
    let rights: Vec<&Line> = spec
        .footer_rows
        .iter()
        .filter_map(|f| f.right.as_ref())
        .collect();
    let lefts: Vec<&Line> = spec.left_lines().collect();
    let mut seen: HashSet<String> = HashSet::new();

    for r in h.last_row + 1..f.end_row {
        if ctx.sheet.row_is_blank(r) || h.is_decoration(ctx.sheet, r) || is_note(ctx.sheet, r) {
            continue;
        }
        for (label_col, amount_col, fixed, right) in
            [(li, la, &lefts, false), (ri, ra, &rights, true)]
        {
            let label = ctx.label(r, Some(&label_col));
            let amount = ctx.amount(r, amount_col);
            if label.is_empty() {
                if amount.is_some() {
                    ctx.error(
                        "S-NAME-MISSING",
                        "有金额但没有填写项目名称".into(),
                        r,
                        label_col,
                        "请在“项目”列填写项目名称",
                    );
                }
                continue;
            }
            if let Some(line) = find_line(fixed, &label) {
                if !seen.insert(line.id.clone()) {
                    ctx.error(
                        "S-DUPKEY",
                        format!("“{label}”重复出现"),
                        r,
                        label_col,
                        "每个项目只能出现一次，请删除重复行",
                    );
                } else {
                    t.lines.insert(line.id.clone(), amount);
                    ctx.record(source::line(&ctx.id, &line.id), r, amount_col);
                }
                continue;
            }
            if !right {
                let want: Vec<&str> = lefts.iter().map(|l| l.label.as_str()).collect();
                ctx.error(
                    "S-LINE",
                    format!("无法识别的收入项目“{label}”"),
                    r,
                    label_col,
                    &format!("收入栏只能填写：{}", want.join("、")),
                );
                continue;
            }
            let n = norm(&label);
            let level = has_chinese_numbering(&n).then_some(Level::Lei);
            let name = if level.is_some() {
                strip_numbering(&label).to_string()
            } else {
                label
            };
            let i = t.expenditure.len();
            ctx.record(source::expenditure(&ctx.id, i, "amount"), r, amount_col);
            ctx.record(source::expenditure(&ctx.id, i, source::LABEL), r, label_col);
            t.expenditure.push(ExpenditureLine {
                code: None,
                level,
                name,
                amount,
            });
        }
    }
    t
}

fn find_line<'a>(lines: &[&'a Line], label: &str) -> Option<&'a Line> {
    let n = norm(label);
    lines
        .iter()
        .find(|l| norm(&l.label) == n)
        .or_else(|| {
            lines
                .iter()
                .find(|l| strip_numbering(&norm(&l.label)) == strip_numbering(&n))
        })
        .copied()
}
