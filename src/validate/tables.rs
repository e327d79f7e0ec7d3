//! Rules inside one table: blanks, the spec's sums, the classification
//! hierarchy, unit blocks, 表9's differences and 表12's form.

use foldhash::{HashMap, HashMapExt};

use super::{holds, Checker, Place, Term};
use crate::amount::Amount;
use crate::diag::Severity;
use crate::model::{Amounts, FormTable, GridTable, Level, Row, Table, TwoSidedTable, UnitBlock};
use crate::source::{self, LABEL};
use crate::spec::{
    Classification, FormSpec, GridSpec, Relation, RowKey, Shape, TableSpec, TwoSidedSpec,
};
use crate::text::{fill, norm};

pub(crate) fn check<'a>(v: &mut Checker<'a>, spec: &'a TableSpec) {
    match (&v.budget.tables[&spec.id], &spec.shape) {
        (Table::Grid(g), Shape::Grid(gs)) => grid(v, spec, gs, g),
        (Table::TwoSided(t), Shape::TwoSided(ts)) => two_sided(v, spec, ts, t),
        (Table::Form(f), Shape::Form(fs)) => form(v, spec, fs, f),
        // A model table of another shape than its spec is refused when read.
        _ => {}
    }
}

pub(crate) fn column_label(spec: &TableSpec, id: &str, year: i32) -> String {
    spec.column_title(id, year)
}

/// The leaf header of a column (`小计`), for the terms of a formula.
pub(crate) fn leaf_label(spec: &TableSpec, id: &str, year: i32) -> String {
    spec.columns
        .iter()
        .find(|c| c.id == id)
        .and_then(|c| c.path.last())
        .map(|l| fill(l, year, ""))
        .unwrap_or_else(|| column_label(spec, id, year))
}

/// A grid row's label: the unit for its total row, else `code name` or the name.
pub(crate) fn row_label(unit: &str, row: Option<&Row>) -> String {
    match row {
        None => format!("{unit} 合计"),
        Some(r) => match &r.code {
            Some(c) => format!("{c} {}", r.name),
            None => r.name.clone(),
        },
    }
}

pub(crate) fn get(a: &Amounts, id: &str) -> Option<Amount> {
    a.get(id).copied().flatten()
}

fn grid<'a>(v: &mut Checker<'a>, spec: &'a TableSpec, gs: &'a GridSpec, g: &'a GridTable) {
    empty(v, spec, g);
    for r in &gs.rates {
        rates(v, spec, r, g);
    }
    let year = v.budget.year;
    let cols: Vec<&str> = spec.amount_columns().map(|c| c.id.as_str()).collect();
    for (bi, b) in g.blocks.iter().enumerate() {
        crate::cancel::checkpoint();
        let rows = b
            .total
            .iter()
            .map(|t| ("", None, t))
            .chain(b.rows.iter().map(|r| (r.key.as_str(), Some(r), &r.amounts)));
        for (key, row, amounts) in rows {
            let place = |col: &'a str| Place {
                spec,
                key: source::grid(&spec.id, bi, key, col),
                row: row_label(&b.unit, row),
                column: column_label(spec, col, year),
            };
            for col in &cols {
                if get(amounts, col).is_none() {
                    v.blank(&place(col));
                }
            }
            for rule in &spec.sums {
                if holds(
                    v.zero_blanks(),
                    get(amounts, &rule.total),
                    rule.parts.iter().map(|p| get(amounts, p)),
                    rule.relation,
                ) {
                    continue;
                }
                let parts: Vec<Term> = rule
                    .parts
                    .iter()
                    .map(|p| {
                        Term::new(
                            leaf_label(spec, p, year),
                            get(amounts, p),
                            source::grid(&spec.id, bi, key, p),
                        )
                    })
                    .collect();
                let what = format!("“{}”", column_label(spec, &rule.total, year));
                v.sum(
                    &rule.id,
                    &place(&rule.total),
                    get(amounts, &rule.total),
                    &parts,
                    rule.relation,
                    &what,
                );
            }
        }
        row_sums(v, spec, gs, bi, b);
        if let Some(c) = spec.classification() {
            hierarchy(v, spec, g, bi, c);
        } else if gs.rows_sum_to_total {
            let rows: Vec<&Row> = b.rows.iter().collect();
            block_total(v, spec, bi, &b.unit, b.total.as_ref(), &rows, "各项目类别");
        }
        if let (Some(d), RowKey::Fixed) = (&gs.difference, spec.row_key) {
            let find = |id: &str| b.rows.iter().find(|r| r.key == id);
            if let (Some(res), Some(min), Some(sub)) =
                (find(&d.result), find(&d.minuend), find(&d.subtrahend))
            {
                for col in &cols {
                    let place = Place {
                        spec,
                        key: source::grid(&spec.id, bi, &res.key, col),
                        row: res.name.clone(),
                        column: column_label(spec, col, year),
                    };
                    let rule = super::rules::YEARS.id_for(spec.number);
                    v.difference(
                        &rule,
                        &place,
                        get(&res.amounts, col),
                        Term::new(
                            min.name.clone(),
                            get(&min.amounts, col),
                            source::grid(&spec.id, bi, &min.key, col),
                        ),
                        Term::new(
                            sub.name.clone(),
                            get(&sub.amounts, col),
                            source::grid(&spec.id, bi, &sub.key, col),
                        ),
                        &format!("“{}”", res.name),
                    );
                }
            }
        }
    }
    units(v, spec, g);
}

/// A rate column on every row: `rate = of ÷ base × 100`, to its decimals
/// (one in the last place allowed: the published amounts are rounded), blank
/// (or zero) where the base is zero or blank.
fn rates<'a>(
    v: &mut Checker<'a>,
    spec: &'a TableSpec,
    r: &'a crate::spec::RateRule,
    g: &'a GridTable,
) {
    use rust_decimal::{Decimal, RoundingStrategy::MidpointAwayFromZero};
    let year = v.budget.year;
    let unit = Decimal::new(1, r.decimals);
    for (bi, b) in g.blocks.iter().enumerate() {
        let rows = b
            .total
            .iter()
            .map(|t| ("", None, t))
            .chain(b.rows.iter().map(|x| (x.key.as_str(), Some(x), &x.amounts)));
        for (key, row, amounts) in rows {
            let zero = v.zero_blanks().then_some(Amount::ZERO);
            let of = amounts.amount(&r.of).or(zero);
            let base = amounts.amount(&r.base).filter(|b| !b.is_zero());
            let printed = amounts.amount(&r.rate).map(Amount::value);
            let expected = match (of, base) {
                (Some(of), Some(base)) => of
                    .value()
                    .checked_div(base.value())
                    .and_then(|q| q.checked_mul(Decimal::ONE_HUNDRED))
                    .map(|x| x.round_dp_with_strategy(r.decimals, MidpointAwayFromZero)),
                _ => None,
            };
            let wrong = match (expected, printed) {
                (Some(e), Some(p)) => (e - p).abs() > unit,
                (Some(e), None) => !e.is_zero(),
                (None, Some(p)) => !p.is_zero() && base.is_none(),
                (None, None) => false,
            };
            if !wrong {
                continue;
            }
            let percent = |x: Option<Decimal>| x.map_or("空白".to_string(), |x| format!("{x}%"));
            let place = Place {
                spec,
                key: source::grid(&spec.id, bi, key, &r.rate),
                row: row_label(&b.unit, row),
                column: column_label(spec, &r.rate, year),
            };
            let (rate, of_l, base_l) = (
                &place.column,
                column_label(spec, &r.of, year),
                column_label(spec, &r.base, year),
            );
            let d = v
                .finding(
                    crate::diag::Severity::Error,
                    &r.id,
                    &place,
                    format!("“{rate}”应 = {of_l} ÷ {base_l} × 100"),
                )
                .expected(percent(expected))
                .actual(percent(printed))
                .hint(format!(
                    "请按{of_l}和{base_l}重算“{rate}”（保留 {} 位小数；{base_l}为 0 时空着）",
                    r.decimals
                ));
            v.push(d);
        }
    }
}

/// A table read with no figure at all (its 合计 row blank or absent): where
/// the layout prints zero as a blank it is all zero, compared as such;
/// elsewhere blank is not zero, and the table is reported as the reader
/// reports one without rows (`S-EMPTY`).
fn empty<'a>(v: &mut Checker<'a>, spec: &'a TableSpec, g: &'a GridTable) {
    let blank = !g.blocks.is_empty()
        && g.blocks
            .iter()
            .all(|b| b.total.is_none() && b.rows.is_empty());
    if !blank || v.zero_blanks() {
        return;
    }
    let col = spec.amount_columns().next().map_or("", |c| c.id.as_str());
    let place = Place {
        spec,
        key: source::grid(&spec.id, 0, "", col),
        row: row_label(&g.blocks[0].unit, None),
        column: column_label(spec, col, v.budget.year),
    };
    let d = v
        .finding(
            crate::diag::Severity::Error,
            crate::read::rules::EMPTY.id,
            &place,
            "表中没有任何金额".into(),
        )
        .hint("本年无发生额的表也应在合计行填写 0（空白不等于 0）");
    v.push(d);
}

/// Rows declared the sum of other rows (`人员经费合计` = 301 + 303), column by
/// column; a part the block does not list counts as nothing (`有则计入`).
fn row_sums<'a>(
    v: &mut Checker<'a>,
    spec: &'a TableSpec,
    gs: &'a GridSpec,
    bi: usize,
    b: &'a UnitBlock,
) {
    let year = v.budget.year;
    let find = |key: &str| b.rows.iter().find(|r| r.key == key);
    for rule in &gs.row_sums {
        let Some(total) = find(&rule.total) else {
            continue;
        };
        let parts: Vec<&Row> = rule.parts.iter().filter_map(|p| find(p)).collect();
        for col in spec.amount_columns() {
            let id = col.id.as_str();
            if holds(
                v.zero_blanks(),
                get(&total.amounts, id),
                parts.iter().map(|r| get(&r.amounts, id)),
                rule.relation,
            ) {
                continue;
            }
            let terms: Vec<Term> = parts
                .iter()
                .map(|r| {
                    Term::new(
                        row_label(&b.unit, Some(r)),
                        get(&r.amounts, id),
                        source::grid(&spec.id, bi, &r.key, id),
                    )
                })
                .collect();
            let name = spec
                .fixed_rows()
                .iter()
                .find(|l| l.id == total.key)
                .map_or(total.name.as_str(), |l| l.label.as_str());
            let place = Place {
                spec,
                key: source::grid(&spec.id, bi, &total.key, id),
                row: name.to_string(),
                column: column_label(spec, id, year),
            };
            let what = format!("“{name}”");
            v.sum(
                &rule.id,
                &place,
                get(&total.amounts, id),
                &terms,
                rule.relation,
                &what,
            );
        }
    }
}

/// One line of a two-sided table's expenditure side against a column
/// identity (合计 = 一般公共预算 + 政府性基金预算 + …).
fn column_sum<'a>(
    v: &mut Checker<'a>,
    spec: &'a TableSpec,
    rule: &'a crate::spec::SumRule,
    get: &dyn Fn(&str) -> Option<Amount>,
    key: &dyn Fn(&'a str) -> source::CellKey<'a>,
    place: &Place<'a>,
) {
    let year = v.budget.year;
    let terms: Vec<Term> = rule
        .parts
        .iter()
        .map(|p| Term::new(leaf_label(spec, p, year), get(p), key(p)))
        .collect();
    let what = format!("“{}”", column_label(spec, &rule.total, year));
    v.sum(
        &rule.id,
        place,
        get(&rule.total),
        &terms,
        rule.relation,
        &what,
    );
}

/// The total row of a block equals the sum of its first-level rows, column by column.
fn block_total(
    v: &mut Checker,
    spec: &TableSpec,
    bi: usize,
    unit: &str,
    total: Option<&Amounts>,
    top: &[&Row],
    what: &str,
) {
    let Some(total) = total else { return };
    if top.is_empty() {
        return;
    }
    let year = v.budget.year;
    let rule = super::rules::COLUMN_TOTAL.id_for(spec.number);
    for col in spec.amount_columns() {
        if holds(
            v.zero_blanks(),
            get(total, &col.id),
            top.iter().map(|r| get(&r.amounts, &col.id)),
            Relation::Eq,
        ) {
            continue;
        }
        let place = Place {
            spec,
            key: source::grid(&spec.id, bi, "", &col.id),
            row: row_label(unit, None),
            column: column_label(spec, &col.id, year),
        };
        let parts: Vec<Term> = top
            .iter()
            .map(|r| {
                Term::new(
                    row_label(unit, Some(r)),
                    get(&r.amounts, &col.id),
                    source::grid(&spec.id, bi, &r.key, &col.id),
                )
            })
            .collect();
        v.sum(
            &rule,
            &place,
            get(total, &col.id),
            &parts,
            Relation::Eq,
            &format!("合计行（{what}之和）"),
        );
    }
}

/// Codes of a block's rows: the 科目编码, or for tables keyed by name (表4)
/// the economic code of the name, from this workbook's 表8 first, then the catalogue.
fn codes<'b>(
    v: &mut Checker,
    spec: &TableSpec,
    bi: usize,
    rows: &'b [Row],
) -> Vec<(String, &'b Row)> {
    if spec.row_key == RowKey::Code {
        // A code with other characters is already an S-CODE error; it has no place in the hierarchy.
        return rows
            .iter()
            .filter_map(|r| {
                r.code
                    .clone()
                    .filter(|c| c.bytes().all(|b| b.is_ascii_digit()))
                    .map(|c| (c, r))
            })
            .collect();
    }
    let mut by_name: HashMap<String, String> = HashMap::new();
    for s in v.specs.tables.iter().filter(|s| {
        s.classification() == Some(Classification::Economic) && s.row_key == RowKey::Code
    }) {
        if let Some(Table::Grid(g)) = v.budget.tables.get(&s.id) {
            for r in g.blocks.first().into_iter().flat_map(|b| &b.rows) {
                if let Some(c) = &r.code {
                    by_name.entry(norm(&r.name)).or_insert_with(|| c.clone());
                }
            }
        }
    }
    let mut out = Vec::new();
    for r in rows {
        let code = by_name.get(&norm(&r.name)).cloned().or_else(|| {
            v.opts
                .catalogue
                .economic_code_of(&r.name)
                .map(str::to_string)
        });
        match code {
            Some(c) => out.push((c, r)),
            None => {
                let place = Place {
                    spec,
                    key: source::grid(&spec.id, bi, &r.key, LABEL),
                    row: r.name.clone(),
                    column: String::new(),
                };
                let d = v
                    .finding(
                        Severity::Notice,
                        &super::rules::CODE_BY_NAME.id_for(spec.number),
                        &place,
                        "无法确定该项目的经济分类科目，未参与类、款合计核对".into(),
                    )
                    .hint(format!(
                        "请使用部门预算支出经济分类的科目名称（与{}一致）",
                        economic_tables(v.specs)
                    ));
                v.push(d);
            }
        }
    }
    out
}

/// The tables of economic codes a name-keyed table takes its codes from (`表8`).
fn economic_tables(specs: &crate::spec::SpecSet) -> String {
    specs
        .tables
        .iter()
        .filter(|s| {
            s.classification() == Some(Classification::Economic) && s.row_key == RowKey::Code
        })
        .map(|s| format!("表{}", s.number))
        .collect::<Vec<_>>()
        .join("、")
}

fn hierarchy<'a>(
    v: &mut Checker<'a>,
    spec: &'a TableSpec,
    g: &'a GridTable,
    bi: usize,
    class: Classification,
) {
    let b = &g.blocks[bi];
    let coded = codes(v, spec, bi, &b.rows);
    let year = v.budget.year;
    let n = spec.number;
    let listed: foldhash::HashSet<&str> = coded.iter().map(|(c, _)| c.as_str()).collect();
    if spec.row_key == RowKey::Code {
        for (code, r) in &coded {
            let place = Place {
                spec,
                key: source::grid(&spec.id, bi, &r.key, LABEL),
                row: row_label(&b.unit, Some(r)),
                column: "科目编码".into(),
            };
            if !class.code_lengths().contains(&code.len()) {
                let want = class
                    .code_lengths()
                    .iter()
                    .map(std::string::ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("、");
                let d = v
                    .finding(
                        Severity::Error,
                        &super::rules::CODE_LENGTH.id_for(n),
                        &place,
                        format!("科目编码应为 {want} 位"),
                    )
                    .expected(format!("{want} 位数字"))
                    .actual(code.clone())
                    .hint("请按政府收支分类科目填写完整的编码");
                v.push(d);
                continue;
            }
            match v.opts.catalogue.get(code) {
                None => {
                    let d = v
                        .finding(
                            Severity::Notice,
                            super::rules::NOT_IN_CATALOGUE.id,
                            &place,
                            format!("科目编码 {code} 不在科目目录中，未能核对名称"),
                        )
                        .hint("编码可能是本年度新增的科目：请对照本年度的政府收支分类科目核对编码（财政局可提供本年度的科目目录，见 README“科目目录”）");
                    let mut d = d;
                    d.cells = v.cell(&place.key).into_iter().collect();
                    v.push(d);
                }
                Some(e) if norm(&e.name) != norm(&r.name) => {
                    let d = v
                        .finding(
                            Severity::Warning,
                            super::rules::NAME_VS_CATALOGUE.id,
                            &place,
                            format!("科目 {code} 的名称与科目目录不一致"),
                        )
                        .expected(e.name.clone())
                        .actual(r.name.clone())
                        .hint(format!(
                            "请按科目目录（{} {}）填写科目名称",
                            e.year, e.source
                        ));
                    v.push(d);
                }
                Some(_) => {}
            }
            if code.len() > 3 {
                let parent = &code[..code.len() - 2];
                if !listed.contains(parent) {
                    let d = v
                        .finding(
                            Severity::Error,
                            &super::rules::CODE_PARENT.id_for(n),
                            &place,
                            format!("科目 {code} 的上级科目 {parent} 不在表中"),
                        )
                        .expected(format!("先列出上级科目 {parent}"))
                        .actual("缺少")
                        .hint("每个款、项科目之前应列出其所属的类、款科目及其金额");
                    v.push(d);
                }
            }
        }
    }
    for (parent_len, rule) in [
        (3usize, super::rules::HIER_CLASS.id_for(n)),
        (5, super::rules::HIER_KUAN.id_for(n)),
    ] {
        let mut children_of: HashMap<&str, Vec<&Row>> = HashMap::new();
        for (c, r) in coded.iter().filter(|(c, _)| c.len() == parent_len + 2) {
            children_of.entry(&c[..parent_len]).or_default().push(r);
        }
        for (code, r) in coded.iter().filter(|(c, _)| c.len() == parent_len) {
            let Some(children) = children_of.get(code.as_str()) else {
                continue;
            };
            if children.is_empty() {
                continue;
            }
            let (parent, child) = if parent_len == 3 {
                ("类", "款")
            } else {
                ("款", "项")
            };
            for col in spec.amount_columns() {
                if holds(
                    v.zero_blanks(),
                    get(&r.amounts, &col.id),
                    children.iter().map(|c| get(&c.amounts, &col.id)),
                    Relation::Eq,
                ) {
                    continue;
                }
                let place = Place {
                    spec,
                    key: source::grid(&spec.id, bi, &r.key, &col.id),
                    row: row_label(&b.unit, Some(r)),
                    column: column_label(spec, &col.id, year),
                };
                let parts: Vec<Term> = children
                    .iter()
                    .map(|c| {
                        Term::new(
                            row_label(&b.unit, Some(c)),
                            get(&c.amounts, &col.id),
                            source::grid(&spec.id, bi, &c.key, &col.id),
                        )
                    })
                    .collect();
                v.sum(
                    &rule,
                    &place,
                    get(&r.amounts, &col.id),
                    &parts,
                    Relation::Eq,
                    &format!("{parent}级科目（{child}级之和）"),
                );
            }
        }
    }
    let top: Vec<&Row> = coded
        .iter()
        .filter(|(c, _)| c.len() == 3)
        .map(|(_, r)| *r)
        .collect();
    block_total(v, spec, bi, &b.unit, b.total.as_ref(), &top, "各类级科目");
}

/// With several 预算单位, the department's block is the sum of the units' blocks.
fn units<'a>(v: &mut Checker<'a>, spec: &'a TableSpec, g: &'a GridTable) {
    if g.blocks.len() < 2 {
        return;
    }
    let year = v.budget.year;
    let (dept, units) = (&g.blocks[0], &g.blocks[1..]);
    let rule = super::rules::UNITS.id_for(spec.number);
    let zero = Some(Amount::ZERO);
    // Each unit's rows by key (the first of a repeated key, as a search
    // finds it), found once rather than once per column.
    let by_key: Vec<std::collections::HashMap<&str, &Amounts>> = units
        .iter()
        .map(|u| {
            let mut m = std::collections::HashMap::new();
            for r in &u.rows {
                m.entry(r.key.as_str()).or_insert(&r.amounts);
            }
            m
        })
        .collect();
    let mut rows: Vec<(&str, Option<&Amounts>, String)> =
        vec![("", dept.total.as_ref(), row_label(&dept.unit, None))];
    rows.extend(dept.rows.iter().map(|r| {
        (
            r.key.as_str(),
            Some(&r.amounts),
            row_label(&dept.unit, Some(r)),
        )
    }));
    for (key, amounts, label) in rows {
        let Some(amounts) = amounts else { continue };
        for col in spec.amount_columns() {
            let parts: Vec<Term> = units
                .iter()
                .enumerate()
                .map(|(ui, u)| {
                    let value = if key.is_empty() {
                        u.total.as_ref().and_then(|t| get(t, &col.id))
                    } else {
                        by_key[ui].get(key).map_or(zero, |a| get(a, &col.id))
                    };
                    Term::new(
                        u.unit.as_str(),
                        value,
                        source::grid(&spec.id, ui + 1, key, &col.id),
                    )
                })
                .collect();
            let place = Place {
                spec,
                key: source::grid(&spec.id, 0, key, &col.id),
                row: label.clone(),
                column: column_label(spec, &col.id, year),
            };
            v.sum(
                &rule,
                &place,
                get(amounts, &col.id),
                &parts,
                Relation::Eq,
                "部门数（各预算单位之和）",
            );
        }
    }
}

fn two_sided<'a>(
    v: &mut Checker<'a>,
    spec: &'a TableSpec,
    ts: &'a TwoSidedSpec,
    t: &'a TwoSidedTable,
) {
    let n = spec.number;
    let [_, right] = spec.sides();
    // One amount column a side prints its lines without a column heading.
    let column = |line: &str, col: &str| {
        if spec.line_columns(line).len() > 1 {
            column_label(spec, col, v.budget.year)
        } else {
            String::new()
        }
    };
    let exp_column = |col: &str| {
        if right.1.len() > 1 {
            column_label(spec, col, v.budget.year)
        } else {
            String::new()
        }
    };
    let line_place = |id: &'a str, col: &'a str| Place {
        spec,
        key: source::line(&spec.id, id, col),
        row: column_label(spec, id, 0),
        column: column(id, col),
    };
    for l in spec.fixed_lines() {
        for c in spec.line_columns(&l.id) {
            if t.amount(&l.id, &c.id).is_none() {
                v.blank(&line_place(&l.id, &c.id));
            }
        }
    }
    let exp_place = |i: usize, name: &str, col: &'a str| Place {
        spec,
        key: source::expenditure(&spec.id, i, col),
        row: name.to_string(),
        column: exp_column(col),
    };
    for (i, e) in t.expenditure.iter().enumerate() {
        for c in &right.1 {
            if e.amounts.amount(&c.id).is_none() {
                v.blank(&exp_place(i, &e.name, &c.id));
            }
        }
    }
    for rule in &spec.sums {
        for (total, parts) in line_sum_columns(spec, rule) {
            let terms: Vec<Term> = parts
                .iter()
                .map(|(p, c)| {
                    Term::new(
                        column_label(spec, p, 0),
                        t.amount(p, c),
                        source::line(&spec.id, p, c),
                    )
                })
                .collect();
            let what = format!("“{}”", column_label(spec, total.0, 0));
            v.sum(
                &rule.id,
                &line_place(total.0, total.1),
                t.amount(total.0, total.1),
                &terms,
                rule.relation,
                &what,
            );
        }
    }
    // Column identities on every line of the expenditure side.
    let right_lines: Vec<&crate::spec::Line> = ts
        .footer_rows
        .iter()
        .filter_map(|f| f.right.as_ref())
        .collect();
    for rule in &ts.column_sums {
        for (i, e) in t.expenditure.iter().enumerate() {
            let key = |p: &'a str| source::expenditure(&spec.id, i, p);
            let place = exp_place(i, &e.name, &rule.total);
            column_sum(v, spec, rule, &|c| e.amounts.amount(c), &key, &place);
        }
        for l in &right_lines {
            let key = |p: &'a str| source::line(&spec.id, &l.id, p);
            let place = line_place(&l.id, &rule.total);
            column_sum(v, spec, rule, &|c| t.amount(&l.id, c), &key, &place);
        }
    }
    if let Some(total) = &ts.expenditure_total {
        for c in &right.1 {
            let parts: Vec<Term> = t
                .expenditure
                .iter()
                .enumerate()
                .filter(|(_, e)| e.level == Some(Level::Lei))
                .map(|(i, e)| {
                    Term::new(
                        e.name.clone(),
                        e.amounts.amount(&c.id),
                        source::expenditure(&spec.id, i, &c.id),
                    )
                })
                .collect();
            if !parts.is_empty() {
                let what = format!("“{}”", column_label(spec, total, 0));
                v.sum(
                    &super::rules::EXPENDITURE.id_for(n),
                    &line_place(total, &c.id),
                    t.amount(total, &c.id),
                    &parts,
                    Relation::Eq,
                    &format!("{what}（各类级科目之和）"),
                );
            }
        }
    }
    for (parent_len, rule) in [
        (3usize, super::rules::HIER_CLASS.id_for(n)),
        (5, super::rules::HIER_KUAN.id_for(n)),
    ] {
        for (i, e) in t.expenditure.iter().enumerate() {
            let Some(code) = e.code.as_deref().filter(|c| c.len() == parent_len) else {
                continue;
            };
            let children: Vec<(usize, &crate::model::ExpenditureLine)> = t
                .expenditure
                .iter()
                .enumerate()
                .filter(|(_, c)| {
                    c.code
                        .as_deref()
                        .is_some_and(|cc| cc.len() == parent_len + 2 && cc.starts_with(code))
                })
                .collect();
            if children.is_empty() {
                continue;
            }
            let what = if parent_len == 3 {
                "类级科目（款级之和）"
            } else {
                "款级科目（项级之和）"
            };
            for c in &right.1 {
                let parts: Vec<Term> = children
                    .iter()
                    .map(|(j, ch)| {
                        Term::new(
                            ch.name.clone(),
                            ch.amounts.amount(&c.id),
                            source::expenditure(&spec.id, *j, &c.id),
                        )
                    })
                    .collect();
                v.sum(
                    &rule,
                    &exp_place(i, &e.name, &c.id),
                    e.amounts.amount(&c.id),
                    &parts,
                    Relation::Eq,
                    what,
                );
            }
        }
    }
}

/// The checks of one sum rule of a two-sided table: (total, parts) as (line,
/// column). A term may name its column (`line:column`); without one, a rule
/// whose lines all stand on one side is checked in each of that side's
/// columns, and one across the sides in each side's first column.
#[allow(clippy::type_complexity)]
fn line_sum_columns<'a>(
    spec: &'a TableSpec,
    rule: &'a crate::spec::SumRule,
) -> Vec<((&'a str, &'a str), Vec<(&'a str, &'a str)>)> {
    let split = |term: &'a str| -> (&'a str, Option<&'a str>) {
        match term.split_once(':') {
            Some((l, c)) => (l, Some(c)),
            None => (term, None),
        }
    };
    let first = |line: &str| {
        spec.line_columns(line)
            .first()
            .map_or("", |c| c.id.as_str())
    };
    let total = split(&rule.total);
    let parts: Vec<(&str, Option<&str>)> = rule.parts.iter().map(|p| split(p)).collect();
    let explicit = total.1.is_some() || parts.iter().any(|p| p.1.is_some());
    let same_side = parts.iter().all(|p| {
        spec.left_lines().any(|l| l.id == p.0) == spec.left_lines().any(|l| l.id == total.0)
    });
    if explicit || !same_side {
        let pick = |(l, c): (&'a str, Option<&'a str>)| (l, c.unwrap_or_else(|| first(l)));
        return vec![(pick(total), parts.into_iter().map(pick).collect())];
    }
    spec.line_columns(total.0)
        .into_iter()
        .map(|c| {
            let c = c.id.as_str();
            ((total.0, c), parts.iter().map(|p| (p.0, c)).collect())
        })
        .collect()
}

fn form<'a>(v: &mut Checker<'a>, spec: &'a TableSpec, fs: &'a FormSpec, f: &'a FormTable) {
    let n = spec.number;
    let label = |id: &str| column_label(spec, id, 0);
    let task_place = |i: usize, name: &str, col: &'a str| Place {
        spec,
        key: source::task(&spec.id, i, col),
        row: name.to_string(),
        column: label(col),
    };
    let sum_place = |col: &'a str| Place {
        spec,
        key: source::sum(&spec.id, col),
        row: fs.sum_label.clone(),
        column: label(col),
    };
    let rows = f
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| (task_place(i, &t.name, ""), &t.amounts, Some(i)))
        .chain([(sum_place(""), &f.sum, None)]);
    for (base, amounts, task) in rows {
        let at = |col: &'a str| match task {
            Some(i) => task_place(i, &base.row, col),
            None => sum_place(col),
        };
        for a in &fs.amounts {
            if get(amounts, &a.id).is_none() {
                v.blank(&at(&a.id));
            }
        }
        for rule in &spec.sums {
            let parts: Vec<Term> = rule
                .parts
                .iter()
                .map(|p| Term::new(label(p), get(amounts, p), at(p).key))
                .collect();
            v.sum(
                &rule.id,
                &at(&rule.total),
                get(amounts, &rule.total),
                &parts,
                rule.relation,
                &format!("“{}”", label(&rule.total)),
            );
        }
    }
    if !f.tasks.is_empty() {
        for a in &fs.amounts {
            let parts: Vec<Term> = f
                .tasks
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    Term::new(
                        t.name.clone(),
                        get(&t.amounts, &a.id),
                        source::task(&spec.id, i, &a.id),
                    )
                })
                .collect();
            v.sum(
                &super::rules::TASKS.id_for(n),
                &sum_place(&a.id),
                get(&f.sum, &a.id),
                &parts,
                Relation::Eq,
                &format!("“{}”（各项任务之和）", fs.sum_label),
            );
        }
    }
    let names = &fs.indicator_labels;
    for (i, ind) in f.indicators.iter().enumerate() {
        let missing: Vec<&str> = [&ind.level1, &ind.level2, &ind.level3, &ind.target]
            .iter()
            .zip(names)
            .filter(|(val, _)| val.trim().is_empty())
            .map(|(_, n)| n.as_str())
            .collect();
        if !missing.is_empty() {
            let place = Place {
                spec,
                key: source::indicator(&spec.id, i),
                row: format!("{} / {} / {}", ind.level1, ind.level2, ind.level3),
                column: fs.indicators_label.clone(),
            };
            let d = v
                .finding(
                    Severity::Error,
                    &super::rules::INDICATORS.id_for(n),
                    &place,
                    format!("绩效指标缺少{}", missing.join("、")),
                )
                .expected("一级、二级、三级指标和目标值齐全")
                .actual(format!("缺少{}", missing.join("、")))
                .hint("没有该类指标的，三级指标和目标值填写“不涉及”");
            v.push(d);
        }
    }
}
