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

/// Row `r` (0-based) of the sheet starting with `prefix` deleted.
fn without_row(prefix: &str, text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let sheets = load(&sample_xlsx());
    let r = find_row(sheet_named(&sheets, prefix), text) as usize;
    sample_with(prefix, move |rows| {
        rows.remove(r);
    })
}

#[test]
fn a_row_deleted_from_one_table_is_filed_at_that_table_where_it_belongs() {
    // Before: 表1 was told to add 2080505 (which it has) and a T1-HIER-02 error
    // appeared on 表1; 表7 alone lacks it.
    let (_d, p) = without_row("表7", "2080505");
    let errs = errors(&p);
    let brief: Vec<String> = errs
        .iter()
        .map(|f| format!("{} {}!{}", f["rule"], f["sheet"], f["cell"]))
        .collect();
    let t7 = "\"表7 一般公共预算支出表(按功能分类)\"";
    assert_eq!(
        brief,
        [
            format!("\"T7-HIER-02\" {t7}!\"D11\""),
            format!("\"T7-HIER-02\" {t7}!\"E11\""),
            format!("\"X-T1-T7-01\" {t7}!\"B13\""),
        ]
    );
    let lack = &errs[2];
    assert_eq!(
        lack["message"],
        "表7 缺少科目 2080505 机关事业单位基本养老保险缴费支出：表1、表3、表6 都列有该科目，应列在“2080501 行政单位离退休”（'表7 一般公共预算支出表(按功能分类)'!B12）之后"
    );
    assert_eq!(lack["suspect"], "'表7 一般公共预算支出表(按功能分类)'!B13");
    assert_eq!(lack["cells"][0], "'表1 收支总表'!C13");
    // No finding anywhere asks for a zero.
    assert!(errs.iter().all(|f| f["expected"] != "0.00"), "{errs:#?}");
}

#[test]
fn a_wrong_code_is_filed_at_the_table_that_has_it() {
    // 表3 2210203 购房补贴 typed as 2210299: 表1, 表6 and 表7 print 2210203.
    let (_d, p) = sample_with("表3", |rows| {
        set(rows, 21, 1, Cell::Text("2210299".into()));
    });
    let errs = errors(&p);
    assert!(
        errs.iter().all(|f| f["sheet"] == "表3 支出总表"),
        "{errs:#?}"
    );
    assert_eq!(
        errs[0]["message"],
        "表3 缺少科目 2210203 购房补贴：表1、表6、表7 都列有该科目，应列在“2210201 住房公积金”（'表3 支出总表'!B21）之后"
    );
    assert!(errs.iter().all(|f| f["expected"] != "0.00"), "{errs:#?}");
    // The same typo in 表7: every finding is on 表7, none asks for a zero.
    let (_d, p) = sample_with("表7", |rows| {
        set(rows, 20, 1, Cell::Text("2210299".into()));
    });
    let errs = errors(&p);
    assert!(
        errs.iter()
            .all(|f| f["sheet"] == "表7 一般公共预算支出表(按功能分类)"),
        "{errs:#?}"
    );
    assert!(errs.iter().all(|f| f["expected"] != "0.00"), "{errs:#?}");
}

#[test]
fn a_typo_finding_on_a_consistent_table_leads_with_the_odd_cell() {
    // 表3 D9 2010301 行政运行 2,569.11 → 2,570.11.
    let (_d, p) = sample_with("表3", |rows| set(rows, 8, 3, Cell::Number(2570.11)));
    let errs = errors(&p);
    let t1 = errs.iter().find(|f| f["rule"] == "X-T1-T3-01").unwrap();
    assert_eq!(t1["cell"], "D8");
    assert!(
        t1["message"]
            .as_str()
            .unwrap()
            .starts_with("最可能出错的是 '表3 支出总表'!D9，不是本格："),
        "{t1:#?}"
    );
    let own = errs.iter().find(|f| f["rule"] == "T3-ROW-01").unwrap();
    assert!(!own["message"].as_str().unwrap().starts_with("最可能出错"));
}

#[test]
fn a_name_that_differs_from_the_other_tables_is_an_error_at_the_odd_one() {
    // 表7 C21 购房补贴 → 购房补助 while 表3 prints 购房补贴 for 2210203.
    let (_d, p) = sample_with("表7", |rows| {
        set(rows, 20, 2, Cell::Text("购房补助".into()));
    });
    let errs = errors(&p);
    let names: Vec<_> = errs.iter().filter(|f| f["rule"] == "C-NAME-02").collect();
    assert_eq!(names.len(), 1, "{errs:#?}");
    assert_eq!(names[0]["sheet"], "表7 一般公共预算支出表(按功能分类)");
    assert_eq!(names[0]["cell"], "B21");
    assert_eq!(
        names[0]["message"],
        "科目 2210203 的名称“购房补助”与 表1、表3、表6 的“购房补贴”不一致"
    );
}

#[test]
fn blank_zeros_are_one_finding_per_table_with_every_cell_listed() {
    // Every 0 of the sample left blank: before, 557 separate 未填写 errors.
    let dir = tmp();
    let mut blanked = 0;
    let sheets: Vec<Sheet> = load(&sample_xlsx())
        .iter()
        .map(|s| {
            edit(s, |rows| {
                for c in rows.iter_mut().flatten() {
                    if matches!(c, Cell::Number(x) if *x == 0.0) || matches!(c, Cell::Int(0)) {
                        *c = Cell::Empty;
                        blanked += 1;
                    }
                }
            })
        })
        .collect();
    let p = dir.path().join("blank.xlsx");
    write_sheets(&p, &sheets, true);
    let blanks: Vec<_> = findings(&p)
        .into_iter()
        .filter(|f| f["rule"].as_str().unwrap().ends_with("-BLANK-01"))
        .collect();
    assert_eq!(blanks.len(), 12, "one per table");
    let listed: usize = blanks
        .iter()
        .map(|f| f["cells"].as_array().unwrap().len())
        .sum();
    assert_eq!(listed, blanked);
    assert_eq!(blanked, 557);
    let t4 = blanks.iter().find(|f| f["rule"] == "T4-BLANK-01").unwrap();
    assert_eq!(
        t4["message"],
        "'表4 基本支出总表'!E6:M33 共 252 个单元格未填写；如为零请填 0"
    );
    assert_eq!(t4["cell"], "E6");
    assert_eq!(t4["cells"][251], "'表4 基本支出总表'!M33");
    bin()
        .arg("check")
        .arg(&p)
        .assert()
        .code(1)
        .stdout(contains("12 个错误"));
    // The annotated copy colours every blank cell, with one note per table.
    let copy = dir.path().join("标注.xlsx");
    annotate(&p, &copy).code(1);
    // 表4 is the fifth sheet (after 填表说明).
    let (before, after) = (
        zip_part(&p, "xl/worksheets/sheet5.xml"),
        zip_part(&copy, "xl/worksheets/sheet5.xml"),
    );
    // A blank cell may not be written at all in the input.
    let style = |xml: &str, cell: &str| -> String {
        let Some(at) = xml.find(&format!("<c r=\"{cell}\"")) else {
            return "not written".into();
        };
        let tag = &xml[at..at + xml[at..].find('>').unwrap()];
        tag.split(" s=\"")
            .nth(1)
            .map_or("0", |x| x.split('"').next().unwrap())
            .to_string()
    };
    for cell in ["E6", "M33", "H20"] {
        assert_ne!(style(&before, cell), style(&after, cell), "{cell} coloured");
    }
    let notes = zip_part(&copy, "xl/comments_bt4.xml");
    assert_eq!(notes.matches("<comment ").count(), 1, "{notes}");
}

#[test]
fn a_mistyped_line_label_is_an_error_at_its_cell() {
    // 表1 A36 本年收入合计 typed 本年收入总计: before, an error with no cell
    // (T1-BLANK-01 on the line it could not find).
    let (_d, p) = sample_with("表1 ", |rows| {
        set(rows, 35, 0, Cell::Text("本年收入总计".into()));
    });
    let errs = errors(&p);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0]["rule"], "S-LINE");
    assert_eq!(errs[0]["cell"], "A36");
    assert_eq!(
        errs[0]["message"],
        "项目名称“本年收入总计”应为“本年收入合计”"
    );
    // Too far from any line to guess: the missing line says so.
    let (_d, p) = sample_with("表1 ", |rows| {
        set(rows, 35, 2, Cell::Text("本年支出总额".into()));
    });
    let errs = errors(&p);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(
        errs[0]["message"],
        "表中找不到“本年支出合计”这一行：该行缺失，或项目名称写错"
    );
}

/// One 三公 item of 万里街道 2024 typed in 元 (公务接待费 1.35 万元 as
/// 13,500): the cell is named by X-UNIT-01, the broken 合计 leads with it
/// instead of asking to change the right total, and the 说明's correct
/// "1.35万元" is not to be changed (#29 item 3, #30 item 5).
#[test]
fn one_cell_typed_in_yuan_leads_every_finding_it_causes() {
    let dir = tmp();
    let sheets: Vec<Sheet> = load(&root().join("samples/shanghai-wanli-2024.xlsx"))
        .iter()
        .map(|s| {
            if s.name.contains("三公") {
                edit(s, |rows| set(rows, 6, 2, Cell::Number(13_500.0)))
            } else {
                s.clone()
            }
        })
        .collect();
    let p = dir.path().join("slip.xlsx");
    write_sheets(&p, &sheets, true);
    let found = findings(&p);
    let cell = "'部门“三公”经费和机关运行费预算表'!C7";
    let of = |rule: &str| -> Vec<&serde_json::Value> {
        found.iter().filter(|f| f["rule"] == rule).collect()
    };
    let slip = of("X-UNIT-01");
    assert_eq!(slip.len(), 1);
    assert_eq!(slip[0]["cell"], "C7");
    assert_eq!(
        (slip[0]["expected"].as_str(), slip[0]["actual"].as_str()),
        (Some("1.35"), Some("13,500.00"))
    );
    let total = of("T9-ROW-01");
    assert_eq!(total.len(), 1);
    assert_eq!(total[0]["cell"], "A7");
    assert_eq!(total[0]["suspect"], cell);
    assert!(total[0]["message"].as_str().unwrap().starts_with(&format!(
        "最可能出错的是 {cell}（疑似以元填写），不是本格："
    )));
    assert_eq!(
        total[0]["hint"],
        format!("请先把 {cell} 的 13,500.00 改为 1.35（本表单位为万元，该格疑似以元填写）；改正后本行相符")
    );
    let text: Vec<&serde_json::Value> = of("N-FIG-01")
        .into_iter()
        .filter(|f| {
            f["message"].as_str().unwrap().contains("公务接待费")
                || f["message"].as_str().unwrap().contains(cell)
        })
        .collect();
    assert_eq!(text.len(), 1, "{text:?}");
    assert_eq!(text[0]["suspect"], cell);
    assert_eq!(
        text[0]["hint"],
        format!("请先改正表格中的 {cell}（本表单位为万元，应为 1.35）；说明中的数不必改")
    );
}

/// A 说明 that writes 其它 for the tables' 其他, or 公务车 for 公务用车, speaks
/// of the same item: no figure is tied to the wrong row, no item is missing.
#[test]
fn variant_spellings_of_item_names_name_the_same_item() {
    let dir = tmp();
    let sample = root().join("samples/shanghai-wanli-2024.xlsx");
    let sheets: Vec<Sheet> = load(&sample)
        .iter()
        .map(|s| {
            edit(s, |rows| {
                for row in rows.iter_mut() {
                    for c in row.iter_mut() {
                        if let Cell::Text(t) = c {
                            if t.contains("主要用于其他行政事业单位养老支出") {
                                *t = t.replace(
                                    "其他行政事业单位养老支出",
                                    "其它行政事业单位养老支出",
                                );
                            }
                            if t.starts_with("    （二）公务用车购置及运行费") {
                                *t = t.replacen("公务用车购置及运行费", "公务车购置及运行费", 1);
                            }
                        }
                    }
                }
            })
        })
        .collect();
    let p = dir.path().join("variants.xlsx");
    write_sheets(&p, &sheets, true);
    let rules = |p: &std::path::Path| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = findings(p)
            .iter()
            .filter(|f| f["severity"] != "notice")
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["cell"].to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let written = load(&p);
    let text = |name: &str| format!("{:?}", sheet_named(&written, name).rows());
    assert!(text("部门编制说明").contains("其它行政事业单位养老支出"));
    assert!(text("其他相关情况说明").contains("（二）公务车购置及运行费"));
    assert_eq!(rules(&p), rules(&sample));
}

/// A 项 row deleted from 万里街道 2024's 部门支出总表: its parent 款's sums
/// break, and they lead with the missing row instead of shading the 款's
/// right totals as the likely wrong cells.
#[test]
fn a_deleted_row_leads_the_sums_it_breaks() {
    let dir = tmp();
    let p = sample_edited_at(
        "shanghai-wanli-2024.xlsx",
        ("部门支出总表", "行政单位离退休"),
        dir.path(),
        "deleted.xlsx",
        |rows, at| {
            rows.remove(at);
        },
    );
    let found = errors(&p);
    let tables: Vec<&serde_json::Value> =
        found.iter().filter(|f| f.get("text").is_none()).collect();
    let sums: Vec<&&serde_json::Value> = tables
        .iter()
        .filter(|f| f["rule"] == "T3-HIER-02")
        .collect();
    assert_eq!(sums.len(), 2, "{tables:#?}");
    for f in sums {
        assert_eq!(f["suspect"], "'部门支出总表'!A38");
        assert!(f["message"]
            .as_str()
            .unwrap()
            .starts_with("最可能的原因是缺少 2080501 行政单位离退休 一行，不是本格："));
        assert_eq!(
            f["hint"],
            "请补列 2080501 行政单位离退休 及其金额；补上后本行相符，不要改本格"
        );
    }
    assert!(tables
        .iter()
        .any(|f| f["rule"] == "X-T2-T3-01" && f["cell"] == "A38"));
}
