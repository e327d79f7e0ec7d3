//! Limits of what can be published: every text of the model fits in an
//! Excel cell, so a workbook that passes `check` is one `convert` can write.

use super::{Checker, Place};
use crate::diag::{Diagnostic, Severity};
use crate::model::Table;
use crate::source::{self, LABEL};

/// Excel's limit on the characters of one cell.
pub const MAX_CELL_CHARS: usize = 32_767;
/// The department name is printed inside longer texts (titles, the 部门名称 line).
const MAX_DEPARTMENT_CHARS: usize = MAX_CELL_CHARS - 200;

pub(crate) fn check(v: &mut Checker) {
    let n = v.budget.department.chars().count();
    if n > MAX_DEPARTMENT_CHARS {
        v.push(
            Diagnostic::error(
                super::rules::TEXT_LONG.id,
                format!("部门名称有 {n} 个字符，超出可以公开的长度"),
            )
            .expected(format!("不超过 {MAX_DEPARTMENT_CHARS} 个字符"))
            .actual(format!("{n} 个字符"))
            .hint("请在各表“部门名称”处填写部门的正式名称"),
        );
    }
    for spec in &v.specs.tables {
        let Some(table) = v.budget.tables.get(&spec.id) else {
            continue;
        };
        let mut texts: Vec<(crate::source::CellKey, String, &str)> = Vec::new();
        match table {
            Table::Grid(g) => {
                for (bi, b) in g.blocks.iter().enumerate() {
                    texts.push((
                        source::grid(&spec.id, bi, "", LABEL),
                        "预算单位".into(),
                        &b.unit,
                    ));
                    for r in &b.rows {
                        texts.push((
                            source::grid(&spec.id, bi, &r.key, LABEL),
                            "名称".into(),
                            &r.name,
                        ));
                    }
                }
            }
            Table::TwoSided(t) => {
                for (i, e) in t.expenditure.iter().enumerate() {
                    texts.push((
                        source::expenditure(&spec.id, i, LABEL),
                        "支出项目".into(),
                        &e.name,
                    ));
                }
            }
            Table::Form(f) => {
                for (what, s) in [
                    ("单位名称", &f.unit_name),
                    ("主管部门", &f.supervisor),
                    ("年度总体目标", &f.goal),
                ] {
                    texts.push((source::field(&spec.id, what), what.into(), s));
                }
                for (i, t) in f.tasks.iter().enumerate() {
                    texts.push((source::task(&spec.id, i, LABEL), "任务名称".into(), &t.name));
                    texts.push((
                        source::task(&spec.id, i, LABEL),
                        "主要内容".into(),
                        &t.content,
                    ));
                }
                for (i, ind) in f.indicators.iter().enumerate() {
                    for s in [&ind.level1, &ind.level2, &ind.level3, &ind.target] {
                        texts.push((source::indicator(&spec.id, i), "绩效指标".into(), s));
                    }
                }
            }
        }
        for (key, what, text) in texts {
            let n = text.chars().count();
            if n <= MAX_CELL_CHARS {
                continue;
            }
            let place = Place {
                spec,
                key,
                row: text.chars().take(20).collect::<String>() + "…",
                column: what.clone(),
            };
            let d = v
                .finding(
                    Severity::Error,
                    super::rules::TEXT_LONG.id,
                    &place,
                    format!("{what}有 {n} 个字符，超出 Excel 单元格的上限"),
                )
                .expected(format!("不超过 {MAX_CELL_CHARS} 个字符"))
                .actual(format!("{n} 个字符"))
                .hint("请删减该单元格的文字");
            v.push(d);
        }
    }
}
