//! Body of a grid table: blocks of rows per 预算单位 (or the department's
//! single block when the table has no 预算单位 column), each with its total
//! row and its rows keyed by code, name, fixed label, or a single row.

use foldhash::{HashSet, HashSetExt};
use std::sync::Arc;

use super::cells::Ctx;
use super::header::{is_note, Header};
use super::Found;
use super::Known;
use crate::model::{Amounts, GridTable, Row, UnitBlock};
use crate::source;
use crate::spec::{ColumnKind, Line, RowKey, TableSpec};
use crate::text::{match_pattern, norm};

/// The sheet columns of one half of a table (all of it, but for side-by-side tables).
struct Cols {
    unit: Option<u32>,
    /// The one code column, or the code's parts in order.
    code: Vec<u32>,
    name: Option<u32>,
    /// Shared ids: every row's amounts point at these, not at copies.
    amounts: Vec<(Arc<str>, u32)>,
    /// The sheet columns of rates (read as percentages, among `amounts`).
    rates: Vec<u32>,
}

impl Cols {
    fn new(spec: &TableSpec, cols: &indexmap::IndexMap<String, u32>) -> Cols {
        let of = |k: ColumnKind| spec.column(k).and_then(|c| cols.get(&c.id).copied());
        Cols {
            unit: of(ColumnKind::Unit),
            code: spec
                .code_columns()
                .iter()
                .filter_map(|c| cols.get(&c.id).copied())
                .collect(),
            name: of(ColumnKind::Name),
            amounts: spec
                .value_columns()
                .filter_map(|c| cols.get(&c.id).map(|&at| (c.id.as_str().into(), at)))
                .collect(),
            rates: spec
                .value_columns()
                .filter(|c| c.kind == ColumnKind::Rate)
                .filter_map(|c| cols.get(&c.id).copied())
                .collect(),
        }
    }

    /// The column a row is named by in findings.
    fn anchor(&self) -> u32 {
        self.unit
            .or(self.code.first().copied())
            .or(self.name)
            .unwrap_or(0)
    }
}

/// What one row holds.
struct RowCells {
    unit: String,
    name: String,
    code: Option<String>,
    amounts: Amounts,
}

impl RowCells {
    fn filled(&self) -> bool {
        self.amounts.values().any(Option::is_some)
    }
}

/// The table being built and what reading it has learned.
struct Building<'s> {
    spec: &'s TableSpec,
    table: GridTable,
    keys: HashSet<String>,
    years: Vec<i32>,
    placeholders: Vec<u32>,
    first: bool,
    department: String,
}

/// Reads the rows; returns the table and the years named by fixed rows (表9).
pub(crate) fn read(
    ctx: &mut Ctx,
    spec: &TableSpec,
    h: &Header,
    f: &Found,
    known_units: &Known,
) -> (GridTable, Vec<i32>) {
    let mut b = Building {
        spec,
        table: GridTable::default(),
        keys: HashSet::new(),
        years: Vec::new(),
        placeholders: Vec::new(),
        first: true,
        department: h.department.clone().unwrap_or_default(),
    };
    let mut halves: Vec<Cols> = std::iter::once(&h.cols)
        .chain(h.second.iter())
        .map(|cols| Cols::new(spec, cols))
        .collect();
    // The code as this sheet prints it (whole or in parts).
    halves[0].code = h.code.clone();
    for cols in &halves {
        for r in h.last_row + 1..f.end_row {
            if ctx.sheet.row_is_blank(r) || h.is_decoration(ctx.sheet, r) || is_note(ctx.sheet, r) {
                continue;
            }
            let row = cells(ctx, cols, r);
            if is_placeholder(&row) {
                b.placeholders.push(r);
                continue;
            }
            if row.unit.is_empty() && row.name.is_empty() && row.code.is_none() && !row.filled() {
                continue;
            }
            match spec.row_key {
                RowKey::Unit => unit_row(ctx, &mut b, cols, r, row),
                RowKey::Code => coded_row(ctx, &mut b, cols, r, row),
                RowKey::Name => named_row(ctx, &mut b, cols, r, row, known_units),
                RowKey::Fixed => fixed_row(ctx, &mut b, cols, r, row),
                RowKey::Single => single_row(ctx, &mut b, cols, r, row),
            }
            b.first = false;
        }
    }
    finish(ctx, &mut b, h);
    (b.table, b.years)
}

fn cells(ctx: &mut Ctx, cols: &Cols, r: u32) -> RowCells {
    RowCells {
        unit: ctx.label(r, cols.unit.as_ref()),
        name: ctx.label(r, cols.name.as_ref()),
        code: match cols.code[..] {
            [] => None,
            [one] => ctx.code(r, Some(&one)),
            ref parts => ctx.code_parts(r, parts),
        },
        amounts: ctx.figures(r, &cols.amounts, &cols.rates),
    }
}

/// A row left from the official template: `…` for its code or name, no figure.
fn is_placeholder(row: &RowCells) -> bool {
    let dots = |s: &str| !s.is_empty() && s.chars().all(|c| matches!(c, '…' | '.' | '。' | '·'));
    !row.filled() && (dots(&row.name) || row.code.as_deref().is_some_and(dots) || dots(&row.unit))
}

fn unit_row(ctx: &mut Ctx, b: &mut Building, cols: &Cols, r: u32, row: RowCells) {
    if row.unit.is_empty() {
        if row.filled() {
            ctx.error(
                &crate::read::rules::UNIT_ROW,
                "有金额但没有填写预算单位".into(),
                r,
                cols.anchor(),
                "请在“预算单位”列填写单位名称",
            );
        }
        return;
    }
    if !b.keys.insert(norm(&row.unit)) {
        dup(ctx, &row.unit, r, cols.anchor());
        return;
    }
    b.table.blocks.push(block(row.unit, Some(row.amounts)));
    record(ctx, &b.table, "", r, cols.anchor(), &cols.amounts);
}

/// The block a row belongs to; a table without a 预算单位 column is the
/// department's single block, opened by its first row.
fn current_block(ctx: &mut Ctx, b: &mut Building, cols: &Cols, r: u32) {
    if !b.table.blocks.is_empty() {
        return;
    }
    if cols.unit.is_some() {
        ctx.error(
            &crate::read::rules::UNIT_ROW,
            "科目行之前缺少预算单位合计行".into(),
            r,
            cols.anchor(),
            "请在第一行填写预算单位名称及其合计金额",
        );
        b.table.blocks.push(block(String::new(), None));
    } else {
        b.table.blocks.push(block(b.department.clone(), None));
    }
}

/// The label a total or fixed row is recognized by: its name, or the text in
/// its code cells (a `合计` merged over them).
fn row_label(row: &RowCells) -> String {
    if !row.name.is_empty() {
        return norm(&row.name);
    }
    norm(row.code.as_deref().unwrap_or(&row.unit))
}

fn coded_row(ctx: &mut Ctx, b: &mut Building, cols: &Cols, r: u32, row: RowCells) {
    let label = row_label(&row);
    if let Some(t) = &b.spec.total_label() {
        if label == norm(t) {
            current_block(ctx, b, cols, r);
            if let Some(blk) = b.table.blocks.last_mut() {
                if blk.total.is_some() {
                    dup(ctx, t, r, cols.anchor());
                    return;
                }
                blk.total = Some(row.amounts);
            }
            record(ctx, &b.table, "", r, cols.anchor(), &cols.amounts);
            return;
        }
    }
    if cols.unit.is_some() && !row.unit.is_empty() {
        b.keys.clear();
        let total = row.code.is_none().then(|| row.amounts.clone());
        b.table.blocks.push(block(row.unit.clone(), total));
        if row.code.is_none() {
            record(ctx, &b.table, "", r, cols.anchor(), &cols.amounts);
            return;
        }
    }
    let code_col = cols.code.first().copied().unwrap_or(cols.anchor());
    if let Some(line) = fixed_line(b.spec, &label) {
        current_block(ctx, b, cols, r);
        keyed(
            ctx,
            b,
            cols,
            r,
            line.id.clone(),
            None,
            line.label.clone(),
            row.amounts,
        );
        return;
    }
    if let Some(code) = row
        .code
        .as_deref()
        .filter(|c| !c.bytes().all(|x| x.is_ascii_digit()))
    {
        ctx.bad_code(r, code_col, code);
    }
    let code = row.code.clone().map(|c| placed_code(ctx, b, cols, r, c));
    let Some(code) = code else {
        if row.filled() {
            ctx.error(
                &crate::read::rules::CODE_MISSING,
                "有金额但没有填写科目编码".into(),
                r,
                code_col,
                "请在“科目编码”列填写政府收支分类科目编码",
            );
        }
        return;
    };
    current_block(ctx, b, cols, r);
    keyed(
        ctx,
        b,
        cols,
        r,
        code.clone(),
        Some(code),
        row.name,
        row.amounts,
    );
}

/// A code printed in parts whose 类 part is not three digits (`7 11 02`
/// under 210 11): read as the 类 of the 款 above it that it continues, and
/// reported where it is printed. Any other code is as printed.
fn placed_code(ctx: &mut Ctx, b: &Building, cols: &Cols, r: u32, code: String) -> String {
    let [first, ..] = cols.code[..] else {
        return code;
    };
    if cols.code.len() < 2 {
        return code;
    }
    let lei = norm(&ctx.sheet.get(r, first).text());
    if lei.len() >= 3 || lei.is_empty() || !lei.bytes().all(|x| x.is_ascii_digit()) {
        return code;
    }
    // The 款 row above that this row's 款 part names.
    let rest = &code[lei.len()..];
    let kuan = rest.get(..2).unwrap_or_default();
    let parent = b.table.blocks.last().and_then(|blk| {
        blk.rows
            .iter()
            .rev()
            .filter_map(|x| x.code.as_deref())
            .find(|c| c.len() == 5 && !kuan.is_empty() && c.ends_with(kuan))
    });
    let Some(parent) = parent else {
        return code;
    };
    let placed = format!("{}{rest}", &parent[..3]);
    ctx.error(
        &crate::read::rules::CODE_PRINTED,
        format!(
            "科目编码的类级部分印为“{lei}”（应为 3 位）；按所在位置（{parent} 之下）读作 {placed}"
        ),
        r,
        first,
        "请把类级编码改印为 3 位",
    );
    placed
}

/// A fixed row of a coded table (`人员经费合计`), by its label.
fn fixed_line<'s>(spec: &'s TableSpec, label: &str) -> Option<&'s Line> {
    spec.fixed_rows()
        .iter()
        .find(|l| l.labels().any(|x| norm(x) == label))
}

/// Adds a row to the current block under `key`, unless the key is taken.
#[allow(clippy::too_many_arguments)]
fn keyed(
    ctx: &mut Ctx,
    b: &mut Building,
    cols: &Cols,
    r: u32,
    key: String,
    code: Option<String>,
    name: String,
    amounts: Amounts,
) {
    let at = cols.code.first().copied().unwrap_or(cols.anchor());
    if !b.keys.insert(key.clone()) {
        dup(ctx, code.as_deref().unwrap_or(&name), r, at);
        return;
    }
    push_row(
        &mut b.table,
        Row {
            key: key.clone(),
            code,
            name,
            amounts,
        },
    );
    record(ctx, &b.table, &key, r, at, &cols.amounts);
}

fn named_row(
    ctx: &mut Ctx,
    b: &mut Building,
    cols: &Cols,
    r: u32,
    row: RowCells,
    known_units: &Known,
) {
    if row.name.is_empty() {
        if row.filled() {
            ctx.error(
                &crate::read::rules::NAME_MISSING,
                "有金额但没有填写项目名称".into(),
                r,
                cols.anchor(),
                "请填写支出项目类别",
            );
        }
        return;
    }
    let key = norm(&row.name);
    let total_here = b
        .spec
        .total_label()
        .as_ref()
        .is_some_and(|t| norm(t) == key);
    if (b.first && b.spec.total_label().is_none()) || known_units.contains(&key) || total_here {
        b.keys.clear();
        let unit = if total_here {
            b.department.clone()
        } else {
            row.name
        };
        b.table.blocks.push(block(unit, Some(row.amounts)));
        record(ctx, &b.table, "", r, cols.anchor(), &cols.amounts);
        return;
    }
    current_block(ctx, b, cols, r);
    let (name, amounts) = (row.name, row.amounts);
    if !b.keys.insert(key.clone()) {
        dup(ctx, &name, r, cols.anchor());
        return;
    }
    push_row(
        &mut b.table,
        Row {
            key: key.clone(),
            code: None,
            name,
            amounts,
        },
    );
    record(ctx, &b.table, &key, r, cols.anchor(), &cols.amounts);
}

fn fixed_row(ctx: &mut Ctx, b: &mut Building, cols: &Cols, r: u32, row: RowCells) {
    if !row.unit.is_empty() {
        b.keys.clear();
        b.table.blocks.push(block(row.unit.clone(), None));
    }
    let n = norm(&row.name);
    // "2023年" fits both year rows: take the first one this unit has not filled yet.
    let hit = b
        .spec
        .fixed_rows()
        .iter()
        .filter(|l| !b.keys.contains(&l.id))
        .find_map(|l| match_pattern(&norm(&l.label), &n).map(|c| (l, c)));
    let name_col = cols.name.unwrap_or(cols.anchor());
    let Some((line, caps)) = hit else {
        if row.filled() || !row.name.is_empty() {
            let want: Vec<&str> = b
                .spec
                .fixed_rows()
                .iter()
                .map(|l| l.label.as_str())
                .collect();
            ctx.error(
                &crate::read::rules::FIXED,
                format!("无法识别的行“{}”", row.name),
                r,
                name_col,
                &format!("此列应依次填写：{}", want.join("、")),
            );
        }
        return;
    };
    b.years.extend(caps.year);
    if b.table.blocks.is_empty() {
        ctx.error(
            &crate::read::rules::UNIT_ROW,
            "第一行缺少预算单位名称".into(),
            r,
            cols.anchor(),
            "请在第一行的“预算单位”列填写单位名称",
        );
        b.table.blocks.push(block(String::new(), None));
    }
    let id = line.id.clone();
    if !b.keys.insert(id.clone()) {
        dup(ctx, &row.name, r, cols.anchor());
        return;
    }
    push_row(
        &mut b.table,
        Row {
            key: id.clone(),
            code: None,
            name: row.name,
            amounts: row.amounts,
        },
    );
    record(ctx, &b.table, &id, r, name_col, &cols.amounts);
}

/// The one row of figures of a single-row table is the department's total row.
fn single_row(ctx: &mut Ctx, b: &mut Building, cols: &Cols, r: u32, row: RowCells) {
    if !row.filled() {
        return;
    }
    current_block(ctx, b, cols, r);
    let Some(blk) = b.table.blocks.last_mut() else {
        return;
    };
    if blk.total.is_some() {
        ctx.error(
            &crate::read::rules::FIXED,
            "本表只有一行数字，这一行是多余的".into(),
            r,
            cols.amounts.first().map_or(0, |(_, c)| *c),
            "请删除多余的行，只保留一行",
        );
        return;
    }
    blk.total = Some(row.amounts);
    let at = cols.amounts.first().map_or(0, |(_, c)| *c);
    record(ctx, &b.table, "", r, at, &cols.amounts);
}

/// What a table must have once read: its fixed rows, some data, a note on
/// the template's placeholder rows.
fn finish(ctx: &mut Ctx, b: &mut Building, h: &Header) {
    if b.spec.row_key == RowKey::Fixed {
        for blk in &b.table.blocks {
            for l in b.spec.fixed_rows() {
                if !blk.rows.iter().any(|r| r.key == l.id) {
                    ctx.diags.push(
                        crate::read::rules::FIXED_MISSING
                            .finding(format!("预算单位“{}”缺少“{}”行", blk.unit, l.label))
                            .table(ctx.table.clone())
                            .in_sheet(&ctx.sheet.name)
                            .hint(format!(
                                "每个预算单位应有以下各行：{}",
                                b.spec
                                    .fixed_rows()
                                    .iter()
                                    .map(|l| l.label.as_str())
                                    .collect::<Vec<_>>()
                                    .join("、")
                            )),
                    );
                }
            }
        }
    }
    if let Some(&first) = b.placeholders.first() {
        ctx.diags.push(
            crate::read::rules::PLACEHOLDER
                .finding(format!(
                    "有 {} 行模板占位符“…”，已忽略",
                    b.placeholders.len()
                ))
                .table(ctx.table.clone())
                .at(&ctx.sheet.name, first, 0)
                .hint("这些是官方模板的示例行，填报时可删除"),
        );
    }
    if b.table.blocks.is_empty() {
        // A single-row table with no figure at all is an empty table, not a missing one.
        if b.spec.row_key == RowKey::Single
            || b.spec.total_label().is_some()
            || !b.spec.fixed_rows().is_empty()
        {
            b.table.blocks.push(block(b.department.clone(), None));
            return;
        }
        ctx.diags.push(
            crate::read::rules::EMPTY
                .finding("表中没有任何数据行")
                .table(ctx.table.clone())
                .at(&ctx.sheet.name, h.last_row + 1, 0)
                .hint("至少应填写部门合计行；本年无发生额的表也应填写合计行（金额为 0）"),
        );
    }
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
    amount_cols: &[(Arc<str>, u32)],
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
        &crate::read::rules::DUPKEY,
        format!("“{key}”在同一预算单位内重复出现"),
        r,
        c,
        "同一科目或项目只能出现一次，请合并或删除重复行",
    );
}
