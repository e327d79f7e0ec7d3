//! What a clerk reads: unit mistakes, the table that is really wrong, blank
//! cells at scale, names that differ between tables.

mod common;

use budget_tables::read::{Cell, Sheet};
use common::*;
use predicates::str::contains;

/// The sample with `f` applied to the sheets whose names start with `prefix`.
fn sample_with(
    prefix: &str,
    f: impl Fn(&mut Vec<Vec<Cell>>),
) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tmp();
    let sheets: Vec<Sheet> = load(&sample_xlsx())
        .iter()
        .map(|s| {
            if s.name.starts_with(prefix) {
                edit(s, &f)
            } else {
                s.clone()
            }
        })
        .collect();
    let p = dir.path().join("edited.xlsx");
    write_sheets(&p, &sheets, true);
    (dir, p)
}

/// Every figure right of the label columns multiplied by 10,000 (typed in 元).
fn in_yuan(first_amount_col: usize) -> impl Fn(&mut Vec<Vec<Cell>>) {
    move |rows| {
        for row in rows.iter_mut() {
            for c in row.iter_mut().skip(first_amount_col) {
                if let Cell::Number(x) = c {
                    *x *= 10_000.0;
                }
            }
        }
    }
}

fn findings(p: &std::path::Path) -> Vec<serde_json::Value> {
    let out = bin()
        .args(["check", "--format", "json"])
        .arg(p)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["findings"].as_array().unwrap().clone()
}

fn errors(p: &std::path::Path) -> Vec<serde_json::Value> {
    findings(p)
        .into_iter()
        .filter(|f| f["severity"] == "error")
        .collect()
}

#[test]
fn a_sangong_table_typed_in_yuan_is_an_error() {
    // Before: 0 errors, and convert published 三公 730,000 万元.
    let (_d, p) = sample_with("表9", in_yuan(2));
    bin().arg("check").arg(&p).assert().code(1).stdout(contains(
        "错误 [X-UNIT-01] 表9 财政拨款“三公”经费支出表 '表9 财政拨款“三公”经费支出表'!F8 [2024年 | 因公出国(境)费用/一般公共预算]：疑似以元填报：表9 财政拨款“三公”经费支出表 的数约为 表8 对应数的 10,000 倍，而表头标明“单位：万元”（按 X-T9-T8-01 比较）；应为：与 表8 同一数量级；实际：约 10,000 倍",
    ));
    let errs = errors(&p);
    let unit: Vec<_> = errs.iter().filter(|f| f["rule"] == "X-UNIT-01").collect();
    assert_eq!(unit.len(), 1, "one finding for the table, not one per rule");
    // The two-sided tie: each 三公 item above what 表8 holds for its code.
    let over: Vec<(&str, &str, &str)> = errs
        .iter()
        .filter(|f| f["rule"] == "X-T9-T8-02")
        .map(|f| {
            (
                f["cell"].as_str().unwrap(),
                f["expected"].as_str().unwrap(),
                f["actual"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        over,
        [
            ("F8", "≤ 56.00", "560,000.00"),
            ("I8", "≤ 10.00", "100,000.00"),
            ("R8", "≤ 7.00", "70,000.00")
        ]
    );
    let dir = tmp();
    bin()
        .arg("convert")
        .arg(&p)
        .arg("-o")
        .arg(dir.path().join("out.xlsx"))
        .assert()
        .code(1);
    assert!(!dir.path().join("out.xlsx").exists());
}

#[test]
fn a_sangong_item_above_its_economic_item_is_an_error() {
    // 表9 2024年 公务接待费 10 → 12 while 表8 30217 公务接待费 is 10.
    let (_d, p) = sample_with("表9", |rows| set(rows, 7, 8, Cell::Number(12.0)));
    let errs = errors(&p);
    let over: Vec<_> = errs.iter().filter(|f| f["rule"] == "X-T9-T8-02").collect();
    assert_eq!(over.len(), 1);
    assert_eq!(over[0]["cell"], "I8");
    assert_eq!(over[0]["expected"], "≤ 10.00");
    assert_eq!(over[0]["actual"], "12.00");
    assert!(errs.iter().all(|f| f["rule"] != "X-UNIT-01"));
}

#[test]
fn an_expenditure_table_typed_in_yuan_is_named() {
    let (_d, p) = sample_with("表3", in_yuan(3));
    let errs = errors(&p);
    let unit: Vec<_> = errs.iter().filter(|f| f["rule"] == "X-UNIT-01").collect();
    assert_eq!(unit.len(), 1, "{unit:#?}");
    assert_eq!(unit[0]["table"], "表3 支出总表");
    assert_eq!(unit[0]["actual"], "约 10,000 倍");
}
