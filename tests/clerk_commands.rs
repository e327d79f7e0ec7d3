//! What the commands say when they cannot do everything: diff on a workbook
//! with errors, batch without its prior year, the roll-up a finance bureau
//! reads, a Chinese command line, generated departments that really pass.

mod common;

use std::path::Path;

use budget_tables::read::{Cell, Sheet};
use common::*;
use predicates::str::contains;

/// The 2024 sample with its 表9 typed in 元 (an X-UNIT-01 error).
fn sangong_in_yuan(dir: &Path) -> std::path::PathBuf {
    let sheets: Vec<Sheet> = load(&sample_xlsx())
        .iter()
        .map(|s| {
            if !s.name.starts_with("表9") {
                return s.clone();
            }
            edit(s, |rows| {
                for c in rows.iter_mut().flat_map(|r| r.iter_mut().skip(2)) {
                    if let Cell::Number(x) = c {
                        *x *= 10_000.0;
                    }
                }
            })
        })
        .collect();
    let p = dir.join("三公按元.xlsx");
    write_sheets(&p, &sheets, true);
    p
}

#[test]
fn diff_refuses_a_year_with_errors_unless_allowed() {
    let dir = tmp();
    let current = sangong_in_yuan(dir.path());
    let prior = root().join("samples/shenzhen-zwfw-2023.xlsx");
    let out = dir.path().join("对比.xlsx");
    // Before: 0 errors reported, and 三公 "增长4294017.6%" in the diff.
    bin()
        .arg("diff")
        .arg(&prior)
        .arg(&current)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(contains("三公按元.xlsx：有 4 个错误"))
        .stderr(contains("[X-UNIT-01]"))
        .stderr(contains("未生成对比结果"));
    assert!(!out.exists());
    bin()
        .arg("diff")
        .arg(&prior)
        .arg(&current)
        .arg("-o")
        .arg(&out)
        .arg("--allow-errors")
        .assert()
        .code(1)
        .stdout(contains("已生成"));
    assert!(out.is_file());
}

#[test]
fn batch_names_what_it_could_not_do() {
    let dir = tmp();
    let (input, prior, out) = (
        dir.path().join("in"),
        dir.path().join("prior"),
        dir.path().join("out"),
    );
    departments(&input, 2);
    std::fs::create_dir_all(&prior).unwrap();
    let bad = sangong_in_yuan(&input);
    std::fs::write(input.join("坏文件.xlsx"), b"not a workbook").unwrap();
    // A prior folder that does not exist is a usage error, not a silent run.
    batch(&input, &out)
        .arg("--prior-dir")
        .arg(dir.path().join("没有这个目录"))
        .assert()
        .code(2)
        .stderr(contains("找不到上年输入目录"));
    // A file where a folder is expected is named as what it is.
    batch(&bad, &out)
        .assert()
        .code(2)
        .stderr(contains("是一个文件，不是文件夹"));
    let run = batch(&input, &out)
        .arg("--prior-dir")
        .arg(&prior)
        .assert()
        .code(2);
    let stdout = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    assert!(
        stdout.contains("有错误的部门（1 个）：深圳市政务服务和数据管理局(本级)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("没有上年数据、未做年度对比的部门（3 个）"),
        "{stdout}"
    );
    let r = rollup(&out, 2024);
    let entries = r["entries"].as_array().unwrap();
    let bad_entry = entries
        .iter()
        .find(|e| e["file"] == "三公按元.xlsx")
        .unwrap();
    assert_eq!(
        bad_entry["no_prior"],
        "上年目录中没有该部门 2024 年以前的数据，未做年度对比"
    );
    // The roll-up a bureau reads.
    let sheets = load(&out.join("汇总-2024.xlsx"));
    let summary = &sheets[0];
    let header: Vec<String> = (0..20).map(|c| summary.get(0, c).text()).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap() as u32;
    let last = (0..summary.height())
        .rfind(|&r| !summary.get(r, 0).text().is_empty())
        .unwrap();
    assert_eq!(summary.get(last, 0).text(), "合计");
    let departments = (1..last)
        .filter(|&r| !summary.get(r, 1).text().is_empty())
        .count();
    assert_eq!(summary.get(last, 1).text(), format!("{departments} 个部门"));
    let total_col = col("收入总计（万元）");
    let sum: f64 = (1..last)
        .filter_map(|r| match summary.get(r, total_col) {
            Cell::Number(x) => Some(*x),
            _ => None,
        })
        .sum();
    match summary.get(last, total_col) {
        Cell::Number(x) => assert!((x - sum).abs() < 0.005, "{x} vs {sum}"),
        other => panic!("no total: {other:?}"),
    }
    let bad_row = (1..last)
        .find(|&r| summary.get(r, 0).text() == "三公按元.xlsx")
        .unwrap();
    assert_eq!(summary.get(bad_row, col("标注副本")).text(), "标注副本");
    assert!(summary
        .get(bad_row, col("说明"))
        .text()
        .contains("上年目录中没有该部门"));
    // Rules down with what each checks; departments across, an unreadable file not among them.
    let rules = sheets.iter().find(|s| s.name == "规则×部门").unwrap();
    assert_eq!(rules.get(0, 1).text(), "核对内容");
    let unit = (1..rules.height())
        .find(|&r| rules.get(r, 0).text() == "X-UNIT-01")
        .unwrap();
    assert!(rules.get(unit, 1).text().contains("疑似以元填报"));
    let heads: Vec<String> = (2..8).map(|c| rules.get(0, c).text()).collect();
    assert!(heads.iter().all(|h| !h.contains("坏文件")), "{heads:?}");
    // No cell carries where this machine keeps the files.
    let abs = input.display().to_string();
    for s in &sheets {
        for r in 0..s.height() {
            for (_, c) in s.row_cells(r) {
                assert!(!c.text().contains(&abs), "{}: {}", s.name, c.text());
            }
        }
    }
}

#[test]
fn the_command_line_speaks_chinese() {
    bin()
        .arg("chek")
        .assert()
        .code(2)
        .stderr(contains("错误：没有“chek”这个命令；您是不是要用 check？"))
        .stderr(contains("用法：budget-tables [选项] <命令>"));
    bin()
        .arg("check")
        .assert()
        .code(2)
        .stderr(contains("错误：缺少必需的参数：<输入文件>"))
        .stderr(contains("用法：budget-tables check [选项] <输入文件>"))
        .stderr(contains("查看帮助：budget-tables check --help"));
    bin()
        .args(["check", "--format", "xml", "a.xlsx"])
        .assert()
        .code(2)
        .stderr(contains(
            "参数 --format <格式> 的值“xml”无效；可选的值：text、json",
        ));
    bin()
        .args(["template", "-o", "a.xlsx", "--year", "3000"])
        .assert()
        .code(2)
        .stderr(contains("年度应在 1990 到 2200 之间"));
    let help = bin().args(["template", "--help"]).assert().success();
    let text = String::from_utf8_lossy(&help.get_output().stdout).to_string();
    for english in ["Usage", "Options", "Print help", "Arguments", "[default"] {
        assert!(!text.contains(english), "{english} in {text}");
    }
    assert!(text.contains("用法：budget-tables template [选项] --output <FILE.xlsx>"));
    assert!(text.contains("显示帮助"));
    bin()
        .args(["help", "diff"])
        .assert()
        .success()
        .stdout(contains(
            "用法：budget-tables diff [选项] <上年文件> <本年文件>",
        ));
    // An output that is a folder, an input that is a folder.
    let dir = tmp();
    bin()
        .arg("convert")
        .arg(sample_xlsx())
        .arg("-o")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains("是一个文件夹，不是文件；请给出要写入的文件名"));
    bin()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains("是一个文件夹，不是文件"));
}

#[test]
fn generated_departments_pass_without_notices_and_name_themselves() {
    let dir = tmp();
    departments(dir.path(), 3);
    // The third takes the other codes (20129 群众团体事务, 2012901 行政运行).
    let third = dir.path().join("dept-0003.xlsx");
    bin()
        .arg("check")
        .arg(&third)
        .assert()
        .success()
        .stdout(contains("检查通过，未发现问题"));
    let json = dir.path().join("3.json");
    bin()
        .arg("convert")
        .arg(&third)
        .arg("-o")
        .arg(&json)
        .assert()
        .success();
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let dept = v["department"].as_str().unwrap().to_string();
    let goal = v["tables"]["t12"]["goal"].as_str().unwrap();
    assert!(goal.contains(&dept), "{goal}");
    assert!(!goal.contains("政务服务和数据管理局"), "{goal}");
}

/// `help diff` lists its two files in the order of its usage line.
#[test]
fn diffs_help_lists_the_prior_file_first_as_its_usage_does() {
    let out = bin().args(["help", "diff"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("用法：budget-tables diff [选项] <上年文件> <本年文件>"),
        "{text}"
    );
    let prior = text.find("  <上年文件>").unwrap();
    let current = text.find("  <本年文件>").unwrap();
    assert!(prior < current, "{text}");
}

/// `--rounding-step` is in 万元 and only for 万元 tables: a 540-元 slip in a
/// 元 table (上海 部门支出总表) stays an error under `--rounding-step 1000`.
#[test]
fn the_rounding_step_does_not_widen_a_yuan_tables_check() {
    let d = tmp();
    let p = sample_edited_at(
        "shanghai-wanli-2024.xlsx",
        ("部门支出总表", "专项普查活动"),
        d.path(),
        "540.xlsx",
        |rows, at| {
            if let Cell::Number(x) = &mut rows[at][5] {
                *x += 540.0;
            }
        },
    );
    let out = bin()
        .args(["check", "--format", "json", "--rounding-step", "1000"])
        .arg(&p)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let row: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "T3-ROW-01")
        .collect();
    assert_eq!(row.len(), 1);
    assert_eq!(row[0]["severity"], "error");
    assert_eq!(row[0]["difference"], "-540.00");
}

/// `convert` ends with the counts, so the sample's 20 尾数差异 warnings are
/// seen as the expected result they are.
#[test]
fn convert_ends_with_the_counts() {
    let d = tmp();
    bin()
        .arg("convert")
        .arg(sample_xlsx())
        .arg("-o")
        .arg(d.path().join("out.xlsx"))
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "shenzhen-zwfw-2024.xlsx：0 个错误，20 个警告，0 个提示。",
        ));
}
