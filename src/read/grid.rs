//! Body of a grid table (2–5, 7–11): blocks of rows per 预算单位.

use std::collections::HashSet;

use super::cells::Ctx;
use super::header::{is_note, Header};
use super::Found;
use super::Known;
use crate::model::{Amounts, GridTable, Row, UnitBlock};
use crate::source;
use crate::spec::{ColumnKind, RowKey, TableSpec};
use crate::text::{match_pattern, norm};

/// Reads the rows; returns the table and the years named by fixed rows (表9).
pub(crate) fn read(
    ctx: &mut Ctx,
    spec: &TableSpec,
    h: &Header,
    f: &Found,
    known_units: &Known,
) -> (GridTable, Vec<i32>) {
    let col_of = |k: ColumnKind| spec.column(k).and_then(|c| h.cols.get(&c.id));
    let (unit_col, code_col, name_col) = (
        col_of(ColumnKind::Unit),
        col_of(ColumnKind::Code),
        col_of(ColumnKind::Name),
    );
    // Shared ids: every row's amounts point at these, not at copies.
    let amount_cols: Vec<(std::sync::Arc<str>, u32)> = spec
        .amount_columns()
        .map(|c| (c.id.as_str().into(), h.cols[&c.id]))
        .collect();
    let mut table = GridTable::default();
    let mut keys: HashSet<String> = HashSet::new();
    let mut years = Vec::new();
    let mut first = true;

    for r in h.last_row + 1..f.end_row {
        if ctx.sheet.row_is_blank(r) || h.is_decoration(ctx.sheet, r) || is_note(ctx.sheet, r) {
            continue;
        }
        let unit = ctx.label(r, unit_col);
        let name = ctx.label(r, name_col);
        let code = ctx.code(r, code_col);
        let amounts = ctx.amounts(r, &amount_cols);
        let filled = amounts.values().any(Option::is_some);
        let anchor = *unit_col.or(name_col).unwrap_or(&0);

        match spec.row_key {
            RowKey::Unit => {
                if unit.is_empty() {
                    if filled {
                        ctx.error(
                            "S-UNIT-ROW",
                            "有金额但没有填写预算单位".into(),
                            r,
                            anchor,
                            "请在“预算单位”列填写单位名称",
                        );
                    }
                    continue;
                }
                if !keys.insert(norm(&unit)) {
                    dup(ctx, &unit, r, anchor);
                    continue;
                }
                table.blocks.push(block(unit, Some(amounts)));
                record(ctx, &table, "", r, anchor, &amount_cols);
            }
            RowKey::Code => {
                if !unit.is_empty() {
                    keys.clear();
                    let total = code.is_none().then(|| amounts.clone());
                    table.blocks.push(block(unit, total));
                    if code.is_none() {
                        record(ctx, &table, "", r, anchor, &amount_cols);
                        continue;
                    }
                }
                let Some(code) = code else {
                    if filled {
                        ctx.error(
                            "S-CODE-MISSING",
                            "有金额但没有填写科目编码".into(),
                            r,
                            *code_col.unwrap_or(&anchor),
                            "请在“科目编码”列填写政府收支分类科目编码",
                        );
                    }
                    continue;
                };
                if table.blocks.is_empty() {
                    ctx.error(
                        "S-UNIT-ROW",
                        "科目行之前缺少预算单位合计行".into(),
                        r,
                        anchor,
                        "请在第一行填写预算单位名称及其合计金额",
                    );
                    table.blocks.push(block(String::new(), None));
                }
                if !keys.insert(code.clone()) {
                    dup(ctx, &code, r, *code_col.unwrap_or(&anchor));
                    continue;
                }
                push_row(
                    &mut table,
                    Row {
                        key: code.clone(),
                        code: Some(code.clone()),
                        name,
                        amounts,
                    },
                );
                record(
                    ctx,
                    &table,
                    &code,
                    r,
                    *code_col.unwrap_or(&anchor),
                    &amount_cols,
                );
            }
            RowKey::Name => {
                if name.is_empty() {
                    if filled {
                        ctx.error(
                            "S-NAME-MISSING",
                            "有金额但没有填写项目名称".into(),
                            r,
                            anchor,
                            "请填写支出项目类别",
                        );
                    }
                    continue;
                }
                let key = norm(&name);
                if first || known_units.contains(&key) {
                    keys.clear();
                    table.blocks.push(block(name, Some(amounts)));
                    record(ctx, &table, "", r, anchor, &amount_cols);
                } else {
                    if !keys.insert(key.clone()) {
                        dup(ctx, &name, r, anchor);
                        continue;
                    }
                    push_row(
                        &mut table,
                        Row {
                            key: key.clone(),
                            code: None,
                            name,
                            amounts,
                        },
                    );
                    record(ctx, &table, &key, r, anchor, &amount_cols);
                }
            }
            RowKey::Fixed => {
                if !unit.is_empty() {
                    keys.clear();
                    table.blocks.push(block(unit, None));
                }
                let n = norm(&name);
                // "2023年" fits both year rows: take the first one this unit has not filled yet.
                let hit = spec
                    .fixed_rows
                    .iter()
                    .filter(|l| !keys.contains(&l.id))
                    .find_map(|l| match_pattern(&norm(&l.label), &n).map(|c| (l, c)));
                let Some((line, caps)) = hit else {
                    if filled || !name.is_empty() {
                        let want: Vec<&str> =
                            spec.fixed_rows.iter().map(|l| l.label.as_str()).collect();
                        ctx.error(
                            "S-FIXED",
                            format!("无法识别的行“{name}”"),
                            r,
                            *name_col.unwrap_or(&anchor),
                            &format!("此列应依次填写：{}", want.join("、")),
                        );
                    }
                    continue;
                };
                years.extend(caps.year);
                if table.blocks.is_empty() {
                    ctx.error(
                        "S-UNIT-ROW",
                        "第一行缺少预算单位名称".into(),
                        r,
                        anchor,
                        "请在第一行的“预算单位”列填写单位名称",
                    );
                    table.blocks.push(block(String::new(), None));
                }
                if !keys.insert(line.id.clone()) {
                    dup(ctx, &name, r, anchor);
                    continue;
                }
                push_row(
                    &mut table,
                    Row {
                        key: line.id.clone(),
                        code: None,
                        name,
                        amounts,
                    },
                );
                record(
                    ctx,
                    &table,
                    &line.id,
                    r,
                    *name_col.unwrap_or(&anchor),
                    &amount_cols,
                );
            }
        }
        first = false;
    }
    if spec.row_key == RowKey::Fixed {
        for b in &table.blocks {
            for l in &spec.fixed_rows {
                if !b.rows.iter().any(|r| r.key == l.id) {
                    ctx.diags.push(
                        crate::diag::Diagnostic::error(
                            "S-FIXED-MISSING",
                            format!("预算单位“{}”缺少“{}”行", b.unit, l.label),
                        )
                        .table(ctx.table.clone())
                        .in_sheet(&ctx.sheet.name)
                        .hint("每个预算单位应有上年、本年、增减变化金额三行"),
                    );
                }
            }
        }
    }
    if table.blocks.is_empty() {
        ctx.diags.push(
            crate::diag::Diagnostic::error("S-EMPTY", "表中没有任何数据行")
                .table(ctx.table.clone())
                .at(&ctx.sheet.name, h.last_row + 1, 0)
                .hint("至少应填写部门合计行；本年无发生额的表也应填写合计行（金额为 0）"),
        );
    }
    (table, years)
}

fn block(unit: String, total: Option<Amounts>) -> UnitBlock {
    UnitBlock {
        unit,
        total,
        rows: Vec::new(),
    }
}

fn push_row(table: &mut GridTable, row: Row) {
    if let Some(b) = table.blocks.last_mut() {
        b.rows.push(row);
    }
}

/// Records the cells of the row just added (`key` empty: the block's total row).
fn record(
    ctx: &mut Ctx,
    table: &GridTable,
    key: &str,
    r: u32,
    label_col: u32,
    amount_cols: &[(std::sync::Arc<str>, u32)],
) {
    let block = table.blocks.len().saturating_sub(1);
    let id = ctx.id.clone();
    for (col, c) in amount_cols {
        ctx.record(source::grid(&id, block, key, col), r, *c);
    }
    ctx.record(source::grid(&id, block, key, source::LABEL), r, label_col);
}

fn dup(ctx: &mut Ctx, key: &str, r: u32, c: u32) {
    ctx.error(
        "S-DUPKEY",
        format!("“{key}”在同一预算单位内重复出现"),
        r,
        c,
        "同一科目或项目只能出现一次，请合并或删除重复行",
    );
}
