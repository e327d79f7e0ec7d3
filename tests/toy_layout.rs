//! A finance bureau adds its own layout without touching Rust: the two-table
//! toy layout of docs/layouts.md (tests/fixtures/toy-layout/), loaded with
//! `--templates`, goes through template → fill → check → convert → diff.

mod common;

use std::path::{Path, PathBuf};

use budget_tables::read::{Cell, Sheet};
use common::*;
use predicates::prelude::*;

fn layout_dir() -> PathBuf {
    root().join("tests/fixtures/toy-layout")
}

fn run(args: &[&str]) -> assert_cmd::assert::Assert {
    bin()
        .arg("--templates")
        .arg(layout_dir())
        .args(args)
        .assert()
}

/// The blank template of `year`, filled: 201 / 20103 / 2010301 with `total`
/// = `basic` + `project`, the 合计 row, and the 三公 row.
fn filled(
    dir: &Path,
    name: &str,
    year: i32,
    (total, basic, project): (f64, f64, f64),
    sangong: [f64; 4],
) -> PathBuf {
    let blank = dir.join(format!("blank-{year}.xlsx"));
    run(&[
        "template",
        "--department",
        "示例县财政局",
        "--year",
        &year.to_string(),
        "-o",
        blank.to_str().unwrap(),
    ])
    .success();
    let sheets: Vec<Sheet> = load(&blank)
        .iter()
        .map(|s| match s.name.as_str() {
            "表1 经费总表" => {
                let first = find_row(s, "科目编码") + 1;
                // The 合计 row below the body (the header has a 合计 column too).
                let total_row = (first..s.height())
                    .find(|&r| s.get(r, 0).text() == "合计")
                    .unwrap();
                edit(s, |rows| {
                    for (i, (code, name)) in [
                        ("201", "一般公共服务支出"),
                        ("20103", "政府办公厅(室)及相关机构事务"),
                        ("2010301", "行政运行"),
                    ]
                    .iter()
                    .enumerate()
                    {
                        let r = first + i as u32;
                        set(rows, r, 0, Cell::Text((*code).into()));
                        set(rows, r, 1, Cell::Text((*name).into()));
                        for (c, v) in [(2, total), (3, basic), (4, project)] {
                            set(rows, r, c, Cell::Number(v));
                        }
                    }
                    for (c, v) in [(2, total), (3, basic), (4, project)] {
                        set(rows, total_row, c, Cell::Number(v));
                    }
                })
            }
            "表2 三公经费表" => {
                let r = find_row(s, "合计") + 1;
                edit(s, |rows| {
                    for (c, v) in sangong.iter().enumerate() {
                        set(rows, r, c as u32, Cell::Number(*v));
                    }
                })
            }
            _ => s.clone(),
        })
        .collect();
    let out = dir.join(format!("{name}.xlsx"));
    write_sheets(&out, &sheets, true);
    out
}

#[test]
fn a_layout_added_as_files_only_runs_every_command() {
    let dir = tmp();
    let d = dir.path();
    run(&["layouts"])
        .success()
        .stdout(predicate::str::contains("toy-county"))
        .stdout(predicate::str::contains("表2 三公经费表"));
    // Its rules, generated from its declarations.
    run(&["rules", "--layout", "toy-county"])
        .success()
        .stdout(predicate::str::contains("`X-TOY-01`"))
        .stdout(predicate::str::contains("`TOY2-ROW-01`"));

    let current = filled(d, "2025", 2025, (100.0, 60.0, 40.0), [10.0, 0.0, 6.0, 4.0]);
    run(&["check", current.to_str().unwrap()])
        .success()
        .stdout(predicate::str::contains("检查通过"));

    // 三公 70 > 基本支出 60: the cross-table relation is caught at 表2's 合计 cell.
    let broken = filled(
        d,
        "broken",
        2025,
        (100.0, 60.0, 40.0),
        [70.0, 0.0, 66.0, 4.0],
    );
    run(&["check", broken.to_str().unwrap()])
        .code(1)
        .stdout(predicate::str::contains(
            "错误 [X-TOY-01] 表2 三公经费表 '表2 三公经费表'!A5",
        ))
        .stdout(predicate::str::contains("应为：≤ 60.00；实际：70.00"));

    // convert: the model records the layout; the official workbook reads back the same.
    let json = d.join("2025.json");
    let official = d.join("2025-official.xlsx");
    run(&[
        "convert",
        current.to_str().unwrap(),
        "-o",
        json.to_str().unwrap(),
    ])
    .success();
    run(&[
        "convert",
        json.to_str().unwrap(),
        "-o",
        official.to_str().unwrap(),
    ])
    .success();
    let model = std::fs::read_to_string(&json).unwrap();
    assert!(model.contains("\"layout\": \"toy-county\""), "{model}");
    let again = d.join("again.json");
    run(&[
        "convert",
        official.to_str().unwrap(),
        "-o",
        again.to_str().unwrap(),
    ])
    .success();
    assert_eq!(std::fs::read_to_string(&again).unwrap(), model);

    // diff: the headline figure in the layout's sentence.
    let prior = filled(d, "2024", 2024, (80.0, 50.0, 30.0), [10.0, 0.0, 6.0, 4.0]);
    let out = run(&[
        "diff",
        prior.to_str().unwrap(),
        current.to_str().unwrap(),
        "--format",
        "json",
    ])
    .success()
    .get_output()
    .stdout
    .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        v["headlines"][0]["sentence"],
        "示例县财政局经费合计100万元，比2024年增加20万元，增长25%"
    );
}
