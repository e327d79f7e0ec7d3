//! Rules across tables. Each finding points at the cell of the table that is
//! checked against the other ("表1's line should equal 表3's row").

use super::tables::{column_label, get, leaf_label, row_label};
use super::{Checker, Place, Term};
use crate::amount::Amount;
use crate::diag::Severity;
use crate::model::{Amounts, GridTable, Row, Table, TwoSidedTable};
use crate::source::{self, LABEL};
use crate::spec::{Relation, TableSpec};
use crate::text::norm;

pub(crate) fn check(v: &mut Checker) {
    expenditure_lines(v, "t01", &["t03"], "total", "X-T1-T3");
    expenditure_lines(v, "t06", &["t07", "t10", "t11"], "total", "X-T6-T7");
    if only_general_budget(v) {
        expenditure_lines(v, "t01", &["t07", "t10", "t11"], "total", "X-T1-T7");
        same_blocks(
            v,
            "t07",
            "t03",
            &["total", "basic", "project"],
            false,
            "X-T7-T3-01",
        );
    }
    let t1_subtotal = line(v, "t01", "expense_subtotal");
    grid_vs(v, "t03", "", "total", t1_subtotal, "X-T3-T1-01");
    let t4_total = grid_amount(v, "t04", "", "total");
    grid_vs(v, "t03", "", "basic", t4_total, "X-T3-T4-01");
    let t5_total = grid_amount(v, "t05", "", "total");
    grid_vs(v, "t03", "", "project", t5_total, "X-T3-T5-01");
    same_blocks(
        v,
        "t07",
        "t08",
        &["total", "basic", "project"],
        true,
        "X-T7-T8-01",
    );
    economic_basic(v);
    fiscal_part(v);
    income_columns(v);
    sangong(v);
    performance(v);
    empty_funds(v, "t10", "fiscal_gov_fund", "X-T10-T1-01");
    empty_funds(v, "t11", "fiscal_soe_capital", "X-T11-T1-01");
}

fn spec<'a>(v: &Checker<'a>, id: &str) -> Option<&'a TableSpec> {
    v.specs.get(id)
}

fn grid<'a>(v: &Checker<'a>, id: &str) -> Option<&'a GridTable> {
    v.budget.grid(id)
}

fn two_sided<'a>(v: &Checker<'a>, id: &str) -> Option<&'a TwoSidedTable> {
    v.budget.two_sided(id)
}

/// A fixed line of a two-sided table, as an operand.
fn line(v: &Checker, table: &str, id: &str) -> Option<Term> {
    let t = two_sided(v, table)?;
    let s = spec(v, table)?;
    Some(Term::new(
        format!("表{}“{}”", s.number, column_label(s, id, v.budget.year)),
        get(&t.lines, id),
        source::line(table, id),
    ))
}

/// A department-block figure of a grid table (`key` empty: the total row).
fn grid_amount(v: &Checker, table: &str, key: &str, col: &str) -> Option<Term> {
    let g = grid(v, table)?;
    let s = spec(v, table)?;
    g.blocks.first()?;
    let value = g.amount(0, key, col);
    let row = if key.is_empty() {
        "合计行".to_string()
    } else {
        key.to_string()
    };
    Some(Term::new(
        format!(
            "表{}{row}“{}”",
            s.number,
            column_label(s, col, v.budget.year)
        ),
        value,
        source::grid(table, 0, key, col),
    ))
}

/// No money but the general public budget: no fund budgets, no 财政专户, no 单位资金.
fn only_general_budget(v: &Checker) -> bool {
    let Some(t1) = two_sided(v, "t01") else {
        return false;
    };
    [
        "fiscal_gov_fund",
        "fiscal_soe_capital",
        "special_account",
        "unit_funds",
        "carry_in_other",
    ]
    .iter()
    .all(|id| get(&t1.lines, id).is_none_or(Amount::is_zero))
}

fn grid_place<'s>(
    v: &Checker,
    s: &'s TableSpec,
    g: &GridTable,
    bi: usize,
    row: Option<&Row>,
    col: &str,
) -> Place<'s> {
    let unit = g.blocks.get(bi).map_or("", |b| b.unit.as_str());
    Place {
        spec: s,
        key: source::grid(&s.id, bi, row.map_or("", |r| r.key.as_str()), col),
        row: row_label(unit, row),
        column: column_label(s, col, v.budget.year),
    }
}

/// A department-block figure of `table` must equal `other`.
fn grid_vs(v: &mut Checker, table: &str, key: &str, col: &str, other: Option<Term>, rule: &str) {
    let (Some(s), Some(g), Some(other)) = (spec(v, table), grid(v, table), other) else {
        return;
    };
    let Some(b) = g.blocks.first() else { return };
    let row = b.rows.iter().find(|r| r.key == key);
    let actual = g.amount(0, key, col);
    let place = grid_place(v, s, g, 0, row, col);
    v.sum(
        rule,
        &place,
        actual,
        &[other],
        Relation::Eq,
        &format!("“{}”", place.column),
    );
}

/// The coded expenditure lines of a two-sided table equal, code by code, the
/// department rows of the given coded tables; every code of those tables appears.
fn expenditure_lines(v: &mut Checker, table: &str, sources: &[&str], col: &str, rule: &str) {
    let (Some(s), Some(t)) = (spec(v, table), two_sided(v, table)) else {
        return;
    };
    // By code, in the order first seen.
    let mut rows: indexmap::IndexMap<String, (String, Vec<Term>, String)> =
        indexmap::IndexMap::new();
    for id in sources {
        let (Some(ss), Some(g)) = (spec(v, id), grid(v, id)) else {
            continue;
        };
        for r in g.blocks.first().into_iter().flat_map(|b| &b.rows) {
            let Some(code) = &r.code else { continue };
            let term = Term::new(
                format!("表{} {} {}", ss.number, code, r.name),
                get(&r.amounts, col),
                source::grid(id, 0, &r.key, col),
            );
            match rows.get_mut(code) {
                Some(e) => e.1.push(term),
                None => {
                    rows.insert(
                        code.clone(),
                        (
                            r.name.clone(),
                            vec![term],
                            source::grid(id, 0, &r.key, LABEL),
                        ),
                    );
                }
            }
        }
    }
    if rows.is_empty() {
        return;
    }
    let names: Vec<String> = sources
        .iter()
        .filter_map(|id| spec(v, id))
        .map(|s| format!("表{}", s.number))
        .collect();
    for (i, e) in t.expenditure.iter().enumerate() {
        let Some(code) = &e.code else { continue };
        let place = Place {
            spec: s,
            key: source::expenditure(&s.id, i, "amount"),
            row: format!("{code} {}", e.name),
            column: String::new(),
        };
        match rows.get(code) {
            Some((_, terms, _)) => {
                let parts: Vec<Term> = terms
                    .iter()
                    .map(|t| Term::new(t.label.clone(), t.value, t.key.clone()))
                    .collect();
                v.sum(
                    &format!("{rule}-01"),
                    &place,
                    e.amount,
                    &parts,
                    Relation::Eq,
                    &format!("表{}支出项目“{}”", s.number, e.name),
                );
            }
            None => {
                let d = v
                    .finding(
                        Severity::Error,
                        &format!("{rule}-01"),
                        &place,
                        format!("支出项目“{}”（{code}）在{}中没有", e.name, names.join("、")),
                    )
                    .expected(format!("{}中有科目 {code}", names.join("、")))
                    .actual("没有")
                    .hint("请核对支出项目名称和科目，两表应一致");
                v.push(d);
            }
        }
    }
    let printed: std::collections::HashSet<&str> = t
        .expenditure
        .iter()
        .filter_map(|e| e.code.as_deref())
        .collect();
    for (code, (name, _, key)) in &rows {
        if !printed.contains(code.as_str()) {
            let src = key
                .split('|')
                .next()
                .and_then(|id| spec(v, id))
                .unwrap_or(s);
            let place = Place {
                spec: src,
                key: key.clone(),
                row: format!("{code} {name}"),
                column: "科目编码".into(),
            };
            let d = v
                .finding(
                    Severity::Error,
                    &format!("{rule}-02"),
                    &place,
                    format!("科目 {code} {name} 没有列入表{}支出栏", s.number),
                )
                .expected(format!("表{}支出栏有“{name}”", s.number))
                .actual("没有")
                .hint(format!("请在表{}支出栏补列该科目", s.number));
            v.push(d);
        }
    }
}

/// Two coded tables with the same rows: blocks matched by unit, rows by code (or totals only).
fn same_blocks(
    v: &mut Checker,
    table: &str,
    other: &str,
    cols: &[&str],
    totals_only: bool,
    rule: &str,
) {
    let (Some(s), Some(g), Some(os), Some(og)) = (
        spec(v, table),
        grid(v, table),
        spec(v, other),
        grid(v, other),
    ) else {
        return;
    };
    for (bi, b) in g.blocks.iter().enumerate() {
        let Some((obi, ob)) = og
            .blocks
            .iter()
            .enumerate()
            .find(|(_, ob)| norm(&ob.unit) == norm(&b.unit))
        else {
            continue;
        };
        let mut pairs: Vec<(Option<&Row>, Option<&Amounts>, Option<&Amounts>)> =
            vec![(None, b.total.as_ref(), ob.total.as_ref())];
        if !totals_only {
            for r in &b.rows {
                let o = ob.rows.iter().find(|o| o.key == r.key);
                pairs.push((Some(r), Some(&r.amounts), o.map(|o| &o.amounts)));
            }
        }
        for (row, mine, theirs) in pairs {
            let Some(mine) = mine else { continue };
            for col in cols {
                let place = grid_place(v, s, g, bi, row, col);
                let value = match theirs {
                    Some(t) => get(t, col),
                    None => Some(Amount::ZERO),
                };
                let label = format!("表{}“{}”", os.number, place.row);
                let key = source::grid(other, obi, row.map_or("", |r| r.key.as_str()), col);
                v.sum(
                    rule,
                    &place,
                    get(mine, col),
                    &[Term::new(label, value, key)],
                    Relation::Eq,
                    &format!("“{}”", place.column),
                );
            }
        }
    }
}

/// 表8's 基本支出 column equals 表4, item by item (30201 办公费 ↔ 办公费).
fn economic_basic(v: &mut Checker) {
    let (Some(s8), Some(t8), Some(s4), Some(t4)) = (
        spec(v, "t08"),
        grid(v, "t08"),
        spec(v, "t04"),
        grid(v, "t04"),
    ) else {
        return;
    };
    let (Some(b8), Some(b4)) = (t8.blocks.first(), t4.blocks.first()) else {
        return;
    };
    // Names are normalized once: comparing each pair afresh is quadratic in normalizations.
    let names4: Vec<String> = b4.rows.iter().map(|x| norm(&x.name)).collect();
    let names8: Vec<String> = b8.rows.iter().map(|r| norm(&r.name)).collect();
    for (r, n8) in b8.rows.iter().zip(&names8) {
        let basic = get(&r.amounts, "basic");
        let item = b4
            .rows
            .iter()
            .zip(&names4)
            .find(|(_, n4)| *n4 == n8)
            .map(|(x, _)| x);
        let place = grid_place(v, s8, t8, 0, Some(r), "basic");
        match item {
            Some(x) => {
                let label = format!("表4“{}”总计", x.name);
                let term = Term::new(
                    label,
                    get(&x.amounts, "total"),
                    source::grid(&s4.id, 0, &x.key, "total"),
                );
                v.sum(
                    "X-T8-T4-01",
                    &place,
                    basic,
                    &[term],
                    Relation::Eq,
                    "基本支出",
                );
            }
            None if basic.is_some_and(|b| !b.is_zero()) => {
                let d = v
                    .finding(
                        Severity::Error,
                        "X-T8-T4-01",
                        &place,
                        format!("表4 没有“{}”", r.name),
                    )
                    .expected(format!("表4 列出“{}”", r.name))
                    .actual("没有")
                    .hint("表8 基本支出列的每个科目都应在表4 中按名称列出，金额相同");
                v.push(d);
            }
            None => {}
        }
    }
    for (x, n4) in b4.rows.iter().zip(&names4) {
        if !names8.contains(n4) {
            let place = Place {
                spec: s4,
                key: source::grid(&s4.id, 0, &x.key, LABEL),
                row: x.name.clone(),
                column: String::new(),
            };
            let d = v
                .finding(
                    Severity::Error,
                    "X-T8-T4-02",
                    &place,
                    format!("表8 没有“{}”", x.name),
                )
                .expected("表8 有同名科目")
                .actual("没有")
                .hint("表4 的项目名称应与表8 的经济分类科目名称一致");
            v.push(d);
        }
    }
}

/// 表6 is the fiscal-appropriation part of 表1 (and so of 表2).
fn fiscal_part(v: &mut Checker) {
    let (Some(s6), Some(t6)) = (spec(v, "t06"), two_sided(v, "t06")) else {
        return;
    };
    let pairs = [
        ("fiscal", "fiscal"),
        ("fiscal_gpb", "fiscal_gpb"),
        ("fiscal_gov_fund", "fiscal_gov_fund"),
        ("fiscal_soe_capital", "fiscal_soe_capital"),
        ("carry_in", "carry_in_fiscal"),
    ];
    for (mine, theirs) in pairs {
        let Some(other) = line(v, "t01", theirs) else {
            return;
        };
        let place = Place {
            spec: s6,
            key: source::line(&s6.id, mine),
            row: column_label(s6, mine, 0),
            column: String::new(),
        };
        v.sum(
            "X-T6-T1-01",
            &place,
            get(&t6.lines, mine),
            &[other],
            Relation::Eq,
            &format!("“{}”", place.row),
        );
    }
}

/// 表2's income columns equal 表1's income lines.
fn income_columns(v: &mut Checker) {
    let (Some(s2), Some(t2)) = (spec(v, "t02"), grid(v, "t02")) else {
        return;
    };
    let Some(total) = t2.blocks.first().and_then(|b| b.total.as_ref()) else {
        return;
    };
    let pairs: [(&[&str], &str); 11] = [
        (&["total"], "income_total"),
        (&["fiscal_subtotal"], "fiscal"),
        (
            &["gpb_basic", "gpb_duty", "gpb_special", "gpb_invest"],
            "fiscal_gpb",
        ),
        (&["gov_fund"], "fiscal_gov_fund"),
        (&["soe_capital"], "fiscal_soe_capital"),
        (&["special_account"], "special_account"),
        (&["business"], "unit_business"),
        (&["operating"], "unit_operating"),
        (&["superior_subsidy"], "unit_superior_subsidy"),
        (&["affiliate_remit"], "unit_affiliate_remit"),
        (&["carry_in"], "carry_in"),
    ];
    for (cols, t1_line) in pairs {
        let Some(t1) = line(v, "t01", t1_line) else {
            return;
        };
        let place = grid_place(v, s2, t2, 0, None, cols[0]);
        if cols.len() == 1 {
            v.sum(
                "X-T2-T1-01",
                &place,
                get(total, cols[0]),
                &[t1],
                Relation::Eq,
                &format!("“{}”", place.column),
            );
        } else {
            // 表1 prints one 一般公共预算拨款 line for 表2's four columns.
            let parts: Vec<Term> = cols
                .iter()
                .map(|c| {
                    Term::new(
                        leaf_label(s2, c, v.budget.year),
                        get(total, c),
                        source::grid(&s2.id, 0, "", c),
                    )
                })
                .collect();
            let Some(s1) = spec(v, "t01") else { return };
            let p = Place {
                spec: s1,
                key: t1.key.clone(),
                row: column_label(s1, t1_line, 0),
                column: String::new(),
            };
            v.sum(
                "X-T2-T1-01",
                &p,
                t1.value,
                &parts,
                Relation::Eq,
                &format!("{}（表2 一般公共预算拨款各列之和）", t1.label),
            );
        }
    }
    let other_t1 = line(v, "t01", "unit_other");
    grid_vs(v, "t02", "", "other", other_t1, "X-T2-T1-01");
}

/// 表9's current-year items cover the matching basic-expenditure items of 表8.
fn sangong(v: &mut Checker) {
    let (Some(s9), Some(t9)) = (spec(v, "t09"), grid(v, "t09")) else {
        return;
    };
    let Some(b9) = t9.blocks.first() else { return };
    let Some(current) = b9.rows.iter().find(|r| r.key == "current") else {
        return;
    };
    for (col, code) in [
        ("abroad_gpb", "30212"),
        ("reception_gpb", "30217"),
        ("vehicle_operation_gpb", "30231"),
        ("vehicle_purchase_gpb", "31013"),
    ] {
        let Some(basic) = grid_amount(v, "t08", code, "basic").filter(|t| t.value.is_some()) else {
            continue;
        };
        let place = grid_place(v, s9, t9, 0, Some(current), col);
        let term = Term::new(format!("表8 {code} 基本支出"), basic.value, basic.key);
        v.sum(
            "X-T9-T8-01",
            &place,
            get(&current.amounts, col),
            &[term],
            Relation::Ge,
            &format!("本年“{}”", place.column),
        );
    }
}

/// 表12's tasks: 基本支出 = 表4 total; project tasks = 表5's categories.
fn performance(v: &mut Checker) {
    let (Some(s12), Some(f)) = (spec(v, "t12"), v.budget.form("t12")) else {
        return;
    };
    let task_place = |i: usize, name: &str| Place {
        spec: s12,
        key: source::task(&s12.id, i, "total"),
        row: name.to_string(),
        column: "总额".into(),
    };
    if let Some((i, t)) = f
        .tasks
        .iter()
        .enumerate()
        .find(|(_, t)| norm(&t.name) == norm("基本支出"))
    {
        if let Some(t4) = grid_amount(v, "t04", "", "total") {
            v.sum(
                "X-T12-T4-01",
                &task_place(i, &t.name),
                get(&t.amounts, "total"),
                &[t4],
                Relation::Eq,
                "任务“基本支出”的总额",
            );
        }
    }
    let (Some(s5), Some(t5)) = (spec(v, "t05"), grid(v, "t05")) else {
        return;
    };
    let Some(b5) = t5.blocks.first() else { return };
    let task_names: Vec<String> = f.tasks.iter().map(|t| norm(&t.name)).collect();
    for r in &b5.rows {
        let label = format!("表5“{}”总计", r.name);
        match f
            .tasks
            .iter()
            .enumerate()
            .find(|(i, _)| task_names[*i] == r.key)
        {
            Some((i, t)) => {
                let term = Term::new(
                    label,
                    get(&r.amounts, "total"),
                    source::grid(&s5.id, 0, &r.key, "total"),
                );
                v.sum(
                    "X-T12-T5-01",
                    &task_place(i, &t.name),
                    get(&t.amounts, "total"),
                    &[term],
                    Relation::Eq,
                    &format!("任务“{}”的总额", t.name),
                );
            }
            None => {
                let place = grid_place(v, s5, t5, 0, Some(r), "total");
                let d = v
                    .finding(
                        Severity::Error,
                        "X-T12-T5-01",
                        &place,
                        format!("表12 年度主要任务中没有项目类别“{}”", r.name),
                    )
                    .expected(format!("表12 有任务“{}”", r.name))
                    .actual("没有")
                    .hint("表12 的项目任务应与表5 的项目类别一一对应");
                v.push(d);
            }
        }
    }
}

/// A fund table has figures exactly when 表1's matching income line is not zero.
fn empty_funds(v: &mut Checker, table: &str, t1_line: &str, rule: &str) {
    let (Some(s), Some(t)) = (spec(v, table), v.budget.tables.get(table)) else {
        return;
    };
    let Some(Term {
        label,
        value: Some(income),
        key: income_key,
    }) = line(v, "t01", t1_line)
    else {
        return;
    };
    let empty = t.has_no_figures();
    if empty == income.is_zero() {
        return;
    }
    let g = match t {
        Table::Grid(g) => g,
        _ => return,
    };
    let place = grid_place(v, s, g, 0, None, "total");
    let (msg, hint) = if empty {
        (
            format!(
                "{label}为 {}，但本表没有支出数",
                crate::amount::grouped(income)
            ),
            "有该项资金收入的，本表应列出相应支出",
        )
    } else {
        (
            format!("{label}为 0，但本表有支出数"),
            "没有该项资金收入的，本表应为空表（合计 0，注“本表本年无发生额”）",
        )
    };
    let mut d = v
        .finding(Severity::Error, rule, &place, msg)
        .expected(if empty {
            "有支出数"
        } else {
            "无发生额"
        })
        .actual(if empty {
            "无发生额"
        } else {
            "有支出数"
        })
        .hint(hint);
    // The cells that hold figures, and 表1's line, are what to look at.
    let mut keys = vec![income_key];
    for (bi, b) in g.blocks.iter().enumerate() {
        let rows = b
            .total
            .iter()
            .map(|t| ("", t))
            .chain(b.rows.iter().map(|r| (r.key.as_str(), &r.amounts)));
        for (key, amounts) in rows {
            keys.extend(
                amounts
                    .iter()
                    .filter(|(_, a)| a.is_some_and(|x| !x.is_zero()))
                    .map(|(c, _)| source::grid(table, bi, key, c)),
            );
        }
    }
    d.cells = keys.iter().filter_map(|k| v.cell(k)).collect();
    v.push(d);
}
