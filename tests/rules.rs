//! Every validation rule: the 2024 sample broken in exactly that way, and the
//! finding that names the rule, the cell, and the expected and actual figures.

mod common;

use budget_tables::diag::{Diagnostic, Severity};
use budget_tables::read::{read_sheets, Cell, Sheet};
use budget_tables::validate::{self, Options};
use common::*;

#[derive(Clone, Copy)]
enum V {
    N(f64),
    T(&'static str),
    Blank,
}

fn addr(a: &str) -> (u32, u32) {
    let letters: String = a.chars().take_while(char::is_ascii_uppercase).collect();
    let row: u32 = a[letters.len()..].parse().unwrap();
    let col = letters
        .bytes()
        .fold(0u32, |acc, b| acc * 26 + (b - b'A' + 1) as u32);
    (row - 1, col - 1)
}

fn findings(edits: &[(&str, &str, V)]) -> Vec<Diagnostic> {
    let sheets: Vec<Sheet> = load(&sample_xlsx())
        .iter()
        .map(|s| {
            let mine: Vec<_> = edits
                .iter()
                .filter(|(p, _, _)| s.name.starts_with(p))
                .collect();
            if mine.is_empty() {
                return s.clone();
            }
            edit(s, |rows| {
                for (_, a, v) in mine {
                    let (r, c) = addr(a);
                    let cell = match v {
                        V::N(x) => Cell::Number(*x),
                        V::T(t) => Cell::Text(t.to_string()),
                        V::Blank => Cell::Empty,
                    };
                    set(rows, r, c, cell);
                }
            })
        })
        .collect();
    let out = read_sheets(&sheets, &specs()).unwrap();
    let found = validate::validate(
        &out.budget,
        &specs(),
        &out.sources,
        &Options::builtin().unwrap(),
    );
    validate::combine(out.diagnostics, found)
}

/// Breaks the sample with `edits`; asserts an error of `rule` at `at` with these figures.
fn expect(
    edits: &[(&str, &str, V)],
    rule: &str,
    at: &str,
    expected: Option<&str>,
    actual: Option<&str>,
) {
    let all = findings(edits);
    let hit = all
        .iter()
        .find(|d| d.rule == rule && d.location().as_deref() == Some(at));
    let Some(d) = hit else {
        let same_rule: Vec<String> = all
            .iter()
            .filter(|d| d.rule == rule)
            .map(std::string::ToString::to_string)
            .collect();
        panic!("no {rule} at {at}; findings of that rule: {same_rule:#?}");
    };
    assert_ne!(d.severity, Severity::Warning, "{d}");
    assert_eq!(d.expected.as_deref(), expected, "{d}");
    assert_eq!(d.actual.as_deref(), actual, "{d}");
}

const T1: &str = "'表1 收支总表'!";

#[test]
fn the_unbroken_sample_has_only_rounding_warnings() {
    let all = findings(&[]);
    assert!(
        all.iter()
            .all(|d| d.severity == Severity::Warning && d.message.starts_with("尾数差异")),
        "{all:#?}"
    );
    assert_eq!(all.len(), 20);
    let t5 = all
        .iter()
        .find(|d| d.rule == "T5-COL-01" && d.cell.as_deref() == Some("B8"))
        .unwrap();
    assert_eq!(
        (
            t5.expected.as_deref(),
            t5.actual.as_deref(),
            t5.difference.as_deref()
        ),
        (Some("40,980.58"), Some("40,980.57"), Some("-0.01"))
    );
    let t2 = all.iter().find(|d| d.rule == "T2-ROW-02").unwrap();
    assert_eq!(
        (
            t2.cell.as_deref(),
            t2.expected.as_deref(),
            t2.actual.as_deref()
        ),
        (Some("C8"), Some("44,037.76"), Some("44,037.77"))
    );
}

#[test]
fn two_sided_tables() {
    expect(
        &[("表1 ", "B36", V::N(44000.0))],
        "T1-LINE-01",
        &format!("{T1}B36"),
        Some("44,037.77"),
        Some("44,000.00"),
    );
    expect(
        &[("表1 ", "B7", V::N(40000.0))],
        "T1-LINE-02",
        &format!("{T1}B6"),
        Some("40,000.00"),
        Some("44,037.77"),
    );
    expect(
        &[("表1 ", "B12", V::N(5.0))],
        "T1-LINE-03",
        &format!("{T1}B11"),
        Some("5.00"),
        Some("0.00"),
    );
    expect(
        &[("表1 ", "B38", V::N(900.0))],
        "T1-LINE-04",
        &format!("{T1}B37"),
        Some("900.00"),
        Some("934.34"),
    );
    expect(
        &[("表1 ", "B40", V::N(45000.0))],
        "T1-LINE-05",
        &format!("{T1}B40"),
        Some("44,972.11"),
        Some("45,000.00"),
    );
    expect(
        &[("表1 ", "D40", V::N(45000.0))],
        "T1-LINE-06",
        &format!("{T1}D40"),
        Some("44,972.11"),
        Some("45,000.00"),
    );
    expect(
        &[("表1 ", "D40", V::N(45000.0))],
        "T1-LINE-07",
        &format!("{T1}B40"),
        Some("45,000.00"),
        Some("44,972.11"),
    );
    expect(
        &[("表1 ", "D36", V::N(44000.0))],
        "T1-EXP-01",
        &format!("{T1}D36"),
        Some("44,972.11"),
        Some("44,000.00"),
    );
    expect(
        &[("表1 ", "D6", V::N(43000.0))],
        "T1-HIER-01",
        &format!("{T1}D6"),
        Some("43,549.69"),
        Some("43,000.00"),
    );
    expect(
        &[("表1 ", "D8", V::N(2500.0))],
        "T1-HIER-02",
        &format!("{T1}D7"),
        Some("43,480.57"),
        Some("43,549.69"),
    );
    let t6 = "'表6 财政拨款收支总表'!";
    expect(
        &[("表6", "B36", V::N(44000.0))],
        "T6-LINE-01",
        &format!("{t6}B36"),
        Some("44,037.77"),
        Some("44,000.00"),
    );
    expect(
        &[("表6", "B7", V::N(40000.0))],
        "T6-LINE-02",
        &format!("{t6}B6"),
        Some("40,000.00"),
        Some("44,037.77"),
    );
    expect(
        &[("表6", "B38", V::N(900.0))],
        "T6-LINE-03",
        &format!("{t6}B37"),
        Some("900.00"),
        Some("934.34"),
    );
    expect(
        &[("表6", "B41", V::N(45000.0))],
        "T6-LINE-04",
        &format!("{t6}B41"),
        Some("44,972.11"),
        Some("45,000.00"),
    );
    expect(
        &[("表6", "D41", V::N(45000.0))],
        "T6-LINE-05",
        &format!("{t6}D41"),
        Some("44,972.11"),
        Some("45,000.00"),
    );
    expect(
        &[("表6", "D41", V::N(45000.0))],
        "T6-LINE-06",
        &format!("{t6}B41"),
        Some("45,000.00"),
        Some("44,972.11"),
    );
    expect(
        &[("表6", "D36", V::N(44000.0))],
        "T6-EXP-01",
        &format!("{t6}D36"),
        Some("44,972.11"),
        Some("44,000.00"),
    );
    expect(
        &[("表6", "D6", V::N(43000.0))],
        "T6-HIER-01",
        &format!("{t6}D6"),
        Some("43,549.69"),
        Some("43,000.00"),
    );
    expect(
        &[("表6", "D8", V::N(2500.0))],
        "T6-HIER-02",
        &format!("{t6}D7"),
        Some("43,480.57"),
        Some("43,549.69"),
    );
}

#[test]
fn row_identities() {
    let t2 = "'表2 收入总表'!";
    expect(
        &[("表2", "B8", V::N(45000.0))],
        "T2-ROW-01",
        &format!("{t2}B8"),
        Some("44,972.11"),
        Some("45,000.00"),
    );
    expect(
        &[("表2", "C8", V::N(44100.0))],
        "T2-ROW-02",
        &format!("{t2}C8"),
        Some("44,037.76"),
        Some("44,100.00"),
    );
    let t3 = "'表3 支出总表'!";
    expect(
        &[("表3", "E9", V::N(2500.0))],
        "T3-ROW-01",
        &format!("{t3}D9"),
        Some("2,500.00"),
        Some("2,569.11"),
    );
    expect(
        &[("表3", "K9", V::N(9.0))],
        "T3-ROW-02",
        &format!("{t3}J9"),
        Some("≥ 9.00"),
        Some("8.00"),
    );
    expect(
        &[("表3", "L9", V::N(9.0))],
        "T3-ROW-03",
        &format!("{t3}K9"),
        Some("≥ 9.00"),
        Some("8.00"),
    );
    let t4 = "'表4 基本支出总表'!";
    expect(
        &[("表4", "C8", V::N(1600.0))],
        "T4-ROW-01",
        &format!("{t4}B8"),
        Some("1,600.00"),
        Some("1,613.16"),
    );
    expect(
        &[("表4", "D8", V::N(1600.0))],
        "T4-ROW-02",
        &format!("{t4}C8"),
        Some("1,600.00"),
        Some("1,613.16"),
    );
    let t5 = "'表5 项目支出总表'!";
    expect(
        &[("表5", "B9", V::N(11000.0))],
        "T5-ROW-01",
        &format!("{t5}B9"),
        Some("11,452.25"),
        Some("11,000.00"),
    );
    expect(
        &[("表5", "D9", V::N(11000.0))],
        "T5-ROW-02",
        &format!("{t5}C9"),
        Some("11,000.00"),
        Some("11,452.25"),
    );
    let t7 = "'表7 一般公共预算支出表(按功能分类)'!";
    expect(
        &[("表7", "E8", V::N(2500.0))],
        "T7-ROW-01",
        &format!("{t7}D8"),
        Some("2,500.00"),
        Some("2,569.11"),
    );
    let t8 = "'表8 一般公共预算支出表(按经济分类)'!";
    expect(
        &[("表8", "E7", V::N(1600.0))],
        "T8-ROW-01",
        &format!("{t8}D7"),
        Some("1,600.00"),
        Some("1,613.16"),
    );
    let t9 = "'表9 财政拨款“三公”经费支出表'!";
    expect(
        &[("表9", "C8", V::N(80.0))],
        "T9-ROW-01",
        &format!("{t9}C8"),
        Some("73.00"),
        Some("80.00"),
    );
    expect(
        &[("表9", "G8", V::N(1.0))],
        "T9-ROW-02",
        &format!("{t9}D8"),
        Some("1.00"),
        Some("0.00"),
    );
    expect(
        &[("表9", "H8", V::N(1.0))],
        "T9-ROW-03",
        &format!("{t9}E8"),
        Some("1.00"),
        Some("0.00"),
    );
    expect(
        &[("表9", "R8", V::N(8.0))],
        "T9-ROW-04",
        &format!("{t9}L8"),
        Some("8.00"),
        Some("7.00"),
    );
    expect(
        &[("表9", "S8", V::N(1.0))],
        "T9-ROW-05",
        &format!("{t9}M8"),
        Some("1.00"),
        Some("0.00"),
    );
    expect(
        &[("表9", "T8", V::N(1.0))],
        "T9-ROW-06",
        &format!("{t9}N8"),
        Some("1.00"),
        Some("0.00"),
    );
    expect(
        &[("表9", "F9", V::N(50.0))],
        "T9-YEAR-01",
        &format!("{t9}F9"),
        Some("56.00"),
        Some("50.00"),
    );
    expect(
        &[("表10", "D5", V::N(1.0))],
        "T10-ROW-01",
        "'表10 政府性基金预算支出表'!D5",
        Some("0.00"),
        Some("1.00"),
    );
    expect(
        &[("表11", "D5", V::N(1.0))],
        "T11-ROW-01",
        "'表11 国有资本经营预算支出表'!D5",
        Some("0.00"),
        Some("1.00"),
    );
    let t12 = "'表12 单位整体支出绩效目标表'!";
    expect(
        &[("表12", "E7", V::N(3900.0))],
        "T12-ROW-01",
        &format!("{t12}D7"),
        Some("3,900.00"),
        Some("3,991.53"),
    );
    expect(
        &[("表12", "D19", V::N(45000.0))],
        "T12-TASK-01",
        &format!("{t12}D19"),
        Some("44,972.11"),
        Some("45,000.00"),
    );
    expect(
        &[("表12", "F22", V::Blank)],
        "T12-IND-01",
        &format!("{t12}D22"),
        Some("一级、二级、三级指标和目标值齐全"),
        Some("缺少目标值"),
    );
}

#[test]
fn hierarchy_and_column_totals() {
    let t3 = "'表3 支出总表'!";
    expect(
        &[("表3", "D7", V::N(43000.0))],
        "T3-HIER-01",
        &format!("{t3}D7"),
        Some("43,549.69"),
        Some("43,000.00"),
    );
    expect(
        &[("表3", "D10", V::N(40000.0))],
        "T3-HIER-02",
        &format!("{t3}D8"),
        Some("42,569.11"),
        Some("43,549.69"),
    );
    expect(
        &[("表3", "D6", V::N(45000.0))],
        "T3-COL-01",
        &format!("{t3}D6"),
        Some("44,972.11"),
        Some("45,000.00"),
    );
    expect(
        &[("表3", "B9", V::T("20103011"))],
        "T3-CODE-01",
        &format!("{t3}B9"),
        Some("3、5、7 位数字"),
        Some("20103011"),
    );
    expect(
        &[("表3", "B8", V::T("20199"))],
        "T3-CODE-02",
        &format!("{t3}B9"),
        Some("先列出上级科目 20103"),
        Some("缺少"),
    );
    let t4 = "'表4 基本支出总表'!";
    expect(
        &[
            ("表4", "B8", V::N(1600.0)),
            ("表4", "C8", V::N(1600.0)),
            ("表4", "D8", V::N(1600.0)),
        ],
        "T4-HIER-01",
        &format!("{t4}B7"),
        Some("3,475.56"),
        Some("3,488.72"),
    );
    expect(
        &[("表4", "B6", V::N(4000.0))],
        "T4-COL-01",
        &format!("{t4}B6"),
        Some("3,991.53"),
        Some("4,000.00"),
    );
    expect(
        &[("表5", "B8", V::N(41000.0))],
        "T5-COL-01",
        "'表5 项目支出总表'!B8",
        Some("40,980.58"),
        Some("41,000.00"),
    );
    let t7 = "'表7 一般公共预算支出表(按功能分类)'!";
    expect(
        &[("表7", "D6", V::N(43000.0))],
        "T7-HIER-01",
        &format!("{t7}D6"),
        Some("43,549.69"),
        Some("43,000.00"),
    );
    expect(
        &[("表7", "D9", V::N(40000.0))],
        "T7-HIER-02",
        &format!("{t7}D7"),
        Some("42,569.11"),
        Some("43,549.69"),
    );
    expect(
        &[("表7", "D5", V::N(45000.0))],
        "T7-COL-01",
        &format!("{t7}D5"),
        Some("44,972.11"),
        Some("45,000.00"),
    );
    expect(
        &[("表7", "B8", V::T("2010"))],
        "T7-CODE-01",
        &format!("{t7}B8"),
        Some("3、5、7 位数字"),
        Some("2010"),
    );
    expect(
        &[("表7", "B10", V::T("209"))],
        "T7-CODE-02",
        &format!("{t7}B11"),
        Some("先列出上级科目 208"),
        Some("缺少"),
    );
    let t8 = "'表8 一般公共预算支出表(按经济分类)'!";
    expect(
        &[("表8", "D7", V::N(1600.0)), ("表8", "E7", V::N(1600.0))],
        "T8-HIER-01",
        &format!("{t8}D6"),
        Some("3,475.56"),
        Some("3,488.72"),
    );
    expect(
        &[("表8", "D5", V::N(45000.0))],
        "T8-COL-01",
        &format!("{t8}D5"),
        Some("44,972.11"),
        Some("45,000.00"),
    );
    expect(
        &[("表8", "B7", V::T("3010101"))],
        "T8-CODE-01",
        &format!("{t8}B7"),
        Some("3、5 位数字"),
        Some("3010101"),
    );
    expect(
        &[("表8", "B16", V::T("309"))],
        "T8-CODE-02",
        &format!("{t8}B17"),
        Some("先列出上级科目 302"),
        Some("缺少"),
    );
}

#[test]
fn blank_is_not_zero_in_every_table() {
    let cases = [
        ("表1 ", "B8", "T1-BLANK-01", "'表1 收支总表'!B8"),
        ("表2", "D8", "T2-BLANK-01", "'表2 收入总表'!D8"),
        ("表3", "G9", "T3-BLANK-01", "'表3 支出总表'!G9"),
        ("表4", "E8", "T4-BLANK-01", "'表4 基本支出总表'!E8"),
        ("表5", "E9", "T5-BLANK-01", "'表5 项目支出总表'!E9"),
        ("表6", "B8", "T6-BLANK-01", "'表6 财政拨款收支总表'!B8"),
        (
            "表7",
            "F8",
            "T7-BLANK-01",
            "'表7 一般公共预算支出表(按功能分类)'!F8",
        ),
        (
            "表8",
            "F7",
            "T8-BLANK-01",
            "'表8 一般公共预算支出表(按经济分类)'!F7",
        ),
        (
            "表9",
            "D7",
            "T9-BLANK-01",
            "'表9 财政拨款“三公”经费支出表'!D7",
        ),
        (
            "表10",
            "E5",
            "T10-BLANK-01",
            "'表10 政府性基金预算支出表'!E5",
        ),
        (
            "表11",
            "E5",
            "T11-BLANK-01",
            "'表11 国有资本经营预算支出表'!E5",
        ),
        (
            "表12",
            "F7",
            "T12-BLANK-01",
            "'表12 单位整体支出绩效目标表'!F7",
        ),
    ];
    for (sheet, cell, rule, at) in cases {
        expect(
            &[(sheet, cell, V::Blank)],
            rule,
            at,
            Some("一个金额（没有发生额请填写 0）"),
            Some("空白"),
        );
    }
}

#[test]
fn cross_table_rules() {
    let t1 = T1;
    let t3 = "'表3 支出总表'!";
    let t6 = "'表6 财政拨款收支总表'!";
    let t7 = "'表7 一般公共预算支出表(按功能分类)'!";
    let t8 = "'表8 一般公共预算支出表(按经济分类)'!";
    expect(
        &[("表1 ", "D8", V::N(2500.0))],
        "X-T1-T3-01",
        &format!("{t1}D8"),
        Some("2,569.11"),
        Some("2,500.00"),
    );
    expect(
        &[("表3", "B22", V::T("2210299"))],
        "X-T1-T3-02",
        &format!("{t3}B22"),
        Some("表1支出栏有“购房补贴”"),
        Some("没有"),
    );
    expect(
        &[("表7", "D8", V::N(2500.0))],
        "X-T1-T7-01",
        &format!("{t1}D8"),
        Some("2,500.00"),
        Some("2,569.11"),
    );
    // A 表7 code no other table lists: one table against one, at its row.
    expect(
        &[("表7", "B21", V::T("2210299"))],
        "X-T1-T7-02",
        &format!("{t7}B21"),
        Some("表1支出栏有“购房补贴”"),
        Some("没有"),
    );
    // A 表7 row named otherwise than 表1 and 表3 name its code: the odd one out.
    expect(
        &[("表7", "C21", V::T("购房补助"))],
        "C-NAME-02",
        &format!("{t7}B21"),
        Some("购房补贴"),
        Some("购房补助"),
    );
    expect(
        &[("表7", "D8", V::N(2500.0))],
        "X-T6-T7-01",
        &format!("{t6}D8"),
        Some("2,500.00"),
        Some("2,569.11"),
    );
    expect(
        &[("表7", "B21", V::T("2210299"))],
        "X-T6-T7-02",
        &format!("{t7}B21"),
        Some("表6支出栏有“购房补贴”"),
        Some("没有"),
    );
    expect(
        &[("表3", "D6", V::N(45000.0))],
        "X-T3-T1-01",
        &format!("{t3}D6"),
        Some("44,972.11"),
        Some("45,000.00"),
    );
    expect(
        &[("表3", "E6", V::N(4000.0))],
        "X-T3-T4-01",
        &format!("{t3}E6"),
        Some("3,991.53"),
        Some("4,000.00"),
    );
    expect(
        &[("表3", "F6", V::N(41000.0))],
        "X-T3-T5-01",
        &format!("{t3}F6"),
        Some("40,980.57"),
        Some("41,000.00"),
    );
    expect(
        &[("表7", "E8", V::N(2500.0))],
        "X-T7-T3-01",
        &format!("{t7}E8"),
        Some("2,569.11"),
        Some("2,500.00"),
    );
    expect(
        &[("表8", "D5", V::N(45000.0))],
        "X-T7-T8-01",
        &format!("{t7}D5"),
        Some("45,000.00"),
        Some("44,972.11"),
    );
    expect(
        &[("表4", "B18", V::N(80.0))],
        "X-T8-T4-01",
        &format!("{t8}E17"),
        Some("80.00"),
        Some("78.63"),
    );
    expect(
        &[("表4", "A18", V::T("办公用品费"))],
        "X-T8-T4-02",
        "'表4 基本支出总表'!A18",
        Some("表8 有同名科目"),
        Some("没有"),
    );
    expect(
        &[("表6", "B6", V::N(44000.0))],
        "X-T6-T1-01",
        &format!("{t6}B6"),
        Some("44,037.77"),
        Some("44,000.00"),
    );
    expect(
        &[("表2", "P8", V::N(900.0))],
        "X-T2-T1-01",
        "'表2 收入总表'!P8",
        Some("934.34"),
        Some("900.00"),
    );
    expect(
        &[("表9", "F8", V::N(50.0))],
        "X-T9-T8-01",
        "'表9 财政拨款“三公”经费支出表'!F8",
        Some("≥ 56.00"),
        Some("50.00"),
    );
    let t12 = "'表12 单位整体支出绩效目标表'!";
    expect(
        &[("表12", "D7", V::N(4000.0))],
        "X-T12-T4-01",
        &format!("{t12}D7"),
        Some("3,991.53"),
        Some("4,000.00"),
    );
    expect(
        &[("表12", "D8", V::N(1900.0))],
        "X-T12-T5-01",
        &format!("{t12}D8"),
        Some("1,915.51"),
        Some("1,900.00"),
    );
    expect(
        &[("表10", "D5", V::N(1.0))],
        "X-T10-T1-01",
        "'表10 政府性基金预算支出表'!D5",
        Some("无发生额"),
        Some("有支出数"),
    );
    expect(
        &[("表11", "D5", V::N(1.0))],
        "X-T11-T1-01",
        "'表11 国有资本经营预算支出表'!D5",
        Some("无发生额"),
        Some("有支出数"),
    );
}

#[test]
fn catalogue_rules() {
    let all = findings(&[("表3", "C9", V::T("行政运营"))]);
    let d = all.iter().find(|d| d.rule == "C-NAME-01").unwrap();
    assert_eq!(
        (d.severity, d.location().as_deref()),
        (Severity::Warning, Some("'表3 支出总表'!B9"))
    );
    assert_eq!(
        (d.expected.as_deref(), d.actual.as_deref()),
        (Some("行政运行"), Some("行政运营"))
    );
    let all = findings(&[("表3", "B22", V::T("2210299"))]);
    let d = all.iter().find(|d| d.rule == "C-CODE-01").unwrap();
    assert_eq!(
        (d.severity, d.location().as_deref()),
        (Severity::Notice, Some("'表3 支出总表'!B22"))
    );
    let all = findings(&[("表4", "A18", V::T("办公用品费"))]);
    let d = all.iter().find(|d| d.rule == "T4-CODE-03").unwrap();
    assert_eq!(
        (d.severity, d.location().as_deref()),
        (Severity::Notice, Some("'表4 基本支出总表'!A18"))
    );
}

#[test]
fn department_equals_the_sum_of_its_units() {
    // A department of two units: the sample's figures split between them, in the model.
    use budget_tables::amount::Amount;
    use budget_tables::model::Table;
    let mut b = sample_model();
    let Table::Grid(g) = b.tables.get_mut("t02").unwrap() else {
        panic!()
    };
    let mut a = g.blocks[0].clone();
    a.unit = "甲单位".into();
    let mut c = a.clone();
    c.unit = "乙单位".into();
    for (k, v) in c.total.as_mut().unwrap().iter_mut() {
        *v = Some(Amount::ZERO);
        if k == "carry_in" {
            *v = Some(Amount::exact("1.00".parse().unwrap()).unwrap());
        }
    }
    g.blocks.push(a);
    g.blocks.push(c);
    let found = validate::validate(
        &b,
        &specs(),
        &Default::default(),
        &Options::builtin().unwrap(),
    );
    let d = found
        .iter()
        .find(|d| d.rule == "T2-COL-02" && d.column_label.as_deref() == Some("上年结余、结转"))
        .unwrap();
    assert_eq!(
        (d.expected.as_deref(), d.actual.as_deref(), d.severity),
        (Some("935.34"), Some("934.34"), Severity::Error)
    );
    assert!(d.cell.is_none(), "a JSON model has no cells");
}

#[test]
fn docs_rules_md_lists_every_rule() {
    let md = std::fs::read_to_string(root().join("docs/rules.md")).unwrap();
    assert_eq!(
        md,
        budget_tables::registry::markdown(&budget_tables::spec::SpecSet::builtin_all().unwrap()),
        "docs/rules.md is stale: run `budget-tables rules > docs/rules.md`"
    );
    let ids: Vec<String> = budget_tables::registry::catalogue(&specs())
        .into_iter()
        .map(|r| r.id)
        .collect();
    let unique: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "rule ids are unique");
    // Every rule a test above produces is in the catalogue.
    for id in [
        "T3-HIER-02",
        "X-T9-T8-01",
        "T12-IND-01",
        "C-NAME-01",
        "T9-YEAR-01",
        "T2-COL-02",
        "S-AMOUNT",
    ] {
        assert!(ids.iter().any(|i| i == id), "{id}");
    }
}

/// Asserts a finding of `rule` with `severity` at `at` (or anywhere when `at` is None).
fn expect_structural(
    edits: &[(&str, &str, V)],
    rule: &str,
    severity: Severity,
    at: Option<&str>,
) -> Diagnostic {
    let d = findings(edits)
        .into_iter()
        .find(|d| d.rule == rule && (at.is_none() || d.location().as_deref() == at))
        .unwrap_or_else(|| panic!("no {rule} at {at:?}"));
    assert_eq!(d.severity, severity, "{d}");
    d
}

#[test]
fn structural_rules_name_their_cells() {
    let e = Severity::Error;
    let d = expect_structural(
        &[("表3", "B9", V::T("20103O1"))],
        "S-CODE",
        e,
        Some("'表3 支出总表'!B9"),
    );
    assert_eq!(d.actual.as_deref(), Some("20103O1"));
    expect_structural(
        &[("表3", "B9", V::Blank)],
        "S-CODE-MISSING",
        e,
        Some("'表3 支出总表'!B9"),
    );
    expect_structural(
        &[("表4", "A8", V::Blank)],
        "S-NAME-MISSING",
        e,
        Some("'表4 基本支出总表'!A8"),
    );
    expect_structural(
        &[("表9", "B8", V::T("本年"))],
        "S-FIXED",
        e,
        Some("'表9 财政拨款“三公”经费支出表'!B8"),
    );
    expect_structural(
        &[("表1 ", "A7", V::T("1. 一般预算拨款"))],
        "S-LINE",
        e,
        Some("'表1 收支总表'!A7"),
    );
    let d = expect_structural(
        &[("表1 ", "C8", V::T("行政运营"))],
        "S-LINK",
        Severity::Warning,
        None,
    );
    assert_eq!(
        d.message,
        "支出项目“行政运营”在表7、表10、表11、表3中找不到对应的科目编码"
    );
    let d = expect_structural(
        &[("表3", "B3", V::T("某局"))],
        "S-DEPT",
        Severity::Warning,
        None,
    );
    assert_eq!(
        (d.expected.as_deref(), d.actual.as_deref()),
        (Some("深圳市政务服务和数据管理局(本级)"), Some("某局"))
    );
    let d = expect_structural(
        &[("表3", "D9", V::N(2569.114))],
        "S-ROUND",
        Severity::Warning,
        Some("'表3 支出总表'!D9"),
    );
    assert_eq!(
        (d.expected.as_deref(), d.actual.as_deref()),
        (Some("2569.11"), Some("2569.114"))
    );
    expect_structural(&[("表9", "B9", V::Blank)], "S-FIXED-MISSING", e, None);
}

#[test]
fn the_same_table_in_two_sheets_is_reported() {
    let mut sheets = load(&sample_xlsx());
    let copy = Sheet::new(
        "表3 副本",
        sheet_named(&sheets, "表3").rows().to_vec(),
        vec![],
    );
    sheets.push(copy);
    let out = read_sheets(&sheets, &specs()).unwrap();
    let d = out
        .diagnostics
        .iter()
        .find(|d| d.rule == "S-TABLE-DUP")
        .unwrap();
    assert_eq!(d.location().as_deref(), Some("'表3 副本'!A2"));
    assert_eq!(
        d.expected.as_deref(),
        Some("只在工作表“表3 支出总表”中出现一次")
    );
}

#[test]
fn every_single_amount_changed_is_an_error_that_names_its_cell() {
    let out = budget_tables::read::read_path(&sample_xlsx(), &specs()).unwrap();
    let opts = Options::builtin().unwrap();
    let (mut total, mut pinpointed) = (0, 0);
    let mut unnamed = Vec::new();
    for (key, loc) in out.sources.entries() {
        let mut b = out.budget.clone();
        if !bump(&mut b, &key, false) {
            continue;
        }
        total += 1;
        let at = format!(
            "'{}'!{}",
            loc.sheet,
            budget_tables::text::cell_address(loc.row, loc.col)
        );
        let found = validate::validate(&b, &specs(), &out.sources, &opts);
        let errors: Vec<&Diagnostic> = found
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert!(!errors.is_empty(), "changing {at} broke no identity");
        if errors.iter().any(|d| {
            d.location().as_deref() == Some(at.as_str())
                || d.suspect.as_deref() == Some(at.as_str())
        }) {
            pinpointed += 1;
        } else if !errors
            .iter()
            .any(|d| d.cells.iter().any(|c| c.to_string() == at))
        {
            unnamed.push(at);
        }
    }
    assert!(
        unnamed.is_empty(),
        "cells whose change no finding names: {unnamed:?}"
    );
    eprintln!("{pinpointed} of {total} single-cell changes pinpointed (finding's cell or suspect); the rest are named among the finding's cells");
    assert!(total > 900, "{total}");
    assert!(pinpointed * 100 >= total * 95, "{pinpointed} of {total}");
}

#[test]
fn fund_tables_check_their_hierarchy_too() {
    // 表10 and 表11 share the rules of a 类/款/项 table; each is checked on its own.
    fund_table_hierarchy("t10", "T10");
    fund_table_hierarchy("t11", "T11");
}

/// `table` with figures: 212 城乡社区支出 ≠ its 款 21208, and a 项 whose 款 is missing.
fn fund_table_hierarchy(table: &str, prefix: &str) {
    use budget_tables::amount::Amount;
    use budget_tables::model::{Row, Table};
    let a = |s: &str| Some(Amount::exact(s.parse().unwrap()).unwrap());
    let row = |code: &str, name: &str, t: &str, b: &str, p: &str| Row {
        key: code.into(),
        code: Some(code.into()),
        name: name.into(),
        amounts: [("total", a(t)), ("basic", a(b)), ("project", a(p))]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    };
    let mut m = sample_model();
    let Some(Table::Grid(g)) = m.tables.get_mut(table) else {
        panic!()
    };
    g.blocks[0].total = Some(
        [
            ("total", a("10.00")),
            ("basic", a("0.00")),
            ("project", a("10.00")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
    );
    g.blocks[0].rows = vec![
        row("212", "城乡社区支出", "10.00", "0.00", "10.00"),
        row(
            "21208",
            "国有土地使用权出让收入安排的支出",
            "9.00",
            "0.00",
            "9.00",
        ),
        row(
            "2120899",
            "其他国有土地使用权出让收入安排的支出",
            "9.00",
            "0.00",
            "9.00",
        ),
        row("2130101", "行政运行", "0.00", "0.00", "0.00"),
    ];
    let found = validate::validate(
        &m,
        &specs(),
        &Default::default(),
        &Options::builtin().unwrap(),
    );
    let rule = |r: &str| format!("{prefix}-{r}");
    let hier = found.iter().find(|d| d.rule == rule("HIER-01")).unwrap();
    assert_eq!(
        (
            hier.expected.as_deref(),
            hier.actual.as_deref(),
            hier.severity
        ),
        (Some("9.00"), Some("10.00"), Severity::Error)
    );
    let parent = found.iter().find(|d| d.rule == rule("CODE-02")).unwrap();
    assert_eq!(parent.message, "科目 2130101 的上级科目 21301 不在表中");
    let col = found.iter().find(|d| d.rule == rule("COL-01"));
    assert!(col.is_none(), "合计 10.00 = 212 类 10.00: {col:?}");
    // 表1 has no money of this fund, so the table with figures is flagged too.
    assert!(found.iter().any(|d| d.rule == format!("X-{prefix}-T1-01")));
    // Where each finding is: the table's own sheet.
    assert_eq!(
        hier.table.as_deref(),
        Some(specs().get(table).unwrap().sheet_name().as_str())
    );
}

#[test]
fn every_rule_mapped_to_a_peers_rule_exists() {
    use budget_tables::registry::{catalogue, peer_rules};
    let layouts = budget_tables::spec::SpecSet::builtin_all().unwrap();
    let ids: std::collections::HashSet<String> = layouts
        .iter()
        .flat_map(|s| catalogue(s).into_iter().map(|r| r.id))
        .collect();
    let peers = peer_rules();
    assert!(peers.len() >= 20, "{}", peers.len());
    for p in &peers {
        for o in &p.ours {
            assert!(ids.contains(o), "{o} (for “{}”) is no rule of ours", p.rule);
        }
    }
    // What is not built says so.
    assert!(peers
        .iter()
        .filter(|p| p.ours.is_empty())
        .all(|p| p.note.is_some()));
}

/// `rules --layout X` names in its peer table only rule ids that layout X
/// has (it listed the built-in layouts' ids for any layout, #30 item 6).
#[test]
fn the_peer_table_names_only_the_layouts_own_rules() {
    let out = bin()
        .arg("--templates")
        .arg(root().join("tests/fixtures/toy-layout"))
        .args(["rules", "--layout", "toy-county"])
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    let (own, peers) = md.split_once("## 与同类系统规则的对应").unwrap();
    let ids = |s: &str| -> Vec<String> {
        s.split('`')
            .skip(1)
            .step_by(2)
            .filter(|t| t.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && t.contains('-'))
            .map(str::to_string)
            .collect()
    };
    let named = ids(peers);
    assert!(
        !named.is_empty(),
        "the toy layout shares S- rules with the peers"
    );
    for id in &named {
        assert!(
            own.contains(&format!("| `{id}` |")),
            "{id} is not a rule of toy-county"
        );
    }
    // A Shenzhen-only rule the built-in table names is left out.
    assert!(!named.iter().any(|i| i.starts_with("X-T")), "{named:?}");
}
