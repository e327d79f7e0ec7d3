//! Tables and 说明 are separate deliverables (#29 item 4): errors of the
//! written part stop only what contains it (the publication document); the
//! tables' outputs (convert, diff, narrate, batch, the page's download) go
//! on, and every summary counts the 说明's findings apart. The real 万里街道
//! 2024 workbook is the test: clean tables, one real error in its 说明
//! (352.67 万元 written where the table has 350.35).

mod common;

use common::*;
use predicates::str::contains;

fn wanli(year: u32) -> std::path::PathBuf {
    root().join(format!("samples/shanghai-wanli-{year}.xlsx"))
}

#[test]
fn check_counts_the_texts_findings_apart_in_text_and_json() {
    bin()
        .arg("check")
        .arg(wanli(2024))
        .assert()
        .code(1)
        .stdout(contains(
            "shanghai-wanli-2024.xlsx：1 个错误，1 个警告，5 个提示（其中说明：1 个错误，1 个警告，5 个提示）。",
        ));
    let out = bin()
        .arg("check")
        .arg(wanli(2024))
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["layout"], "shanghai-budget-department");
    assert_eq!(j["errors"], 1);
    assert_eq!(
        j["text_findings"],
        serde_json::json!({"errors": 1, "warnings": 1, "notices": 5})
    );
    let texts: Vec<&serde_json::Value> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["text"] == true)
        .collect();
    assert_eq!(texts.len(), 7);
    let errors: Vec<&serde_json::Value> = texts
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| &f["rule"])
        .collect();
    assert_eq!(errors, ["N-FIG-01"]);
    // The tables' findings carry no `text` key.
    assert!(j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["text"] != true)
        .all(|f| f.get("text").is_none()));
}

#[test]
fn convert_diff_and_narrate_are_not_stopped_by_the_texts_errors() {
    let d = tmp();
    let official = d.path().join("公开报表.xlsx");
    bin()
        .arg("convert")
        .arg(wanli(2024))
        .arg("-o")
        .arg(&official)
        .assert()
        .success()
        .stderr(contains(
            "shanghai-wanli-2024.xlsx：说明有 1 个错误；表格没有错误，照常输出。生成公开文件（publish）前须改正说明。",
        ));
    assert!(official.is_file());
    let diff = d.path().join("对比.xlsx");
    bin()
        .arg("diff")
        .arg(wanli(2023))
        .arg(wanli(2024))
        .arg("-o")
        .arg(&diff)
        .assert()
        .success();
    assert!(diff.is_file());
    let draft = d.path().join("说明.docx");
    bin()
        .arg("narrate")
        .arg(wanli(2024))
        .arg("--prior")
        .arg(wanli(2023))
        .arg("-o")
        .arg(&draft)
        .assert()
        .success();
    assert!(draft.is_file());
    // The publication document contains the 说明: its error stops it.
    bin()
        .arg("publish")
        .arg(wanli(2024))
        .arg("-o")
        .arg(d.path().join("公开文件.pdf"))
        .assert()
        .code(1)
        .stderr(contains("N-FIG-01"));
    assert!(!d.path().join("公开文件.pdf").exists());
}

#[test]
fn a_table_error_still_stops_convert() {
    let d = tmp();
    let out = d.path().join("x.xlsx");
    bin()
        .arg("convert")
        .arg(root().join("samples/shanghai-fuliyuan-2024.xlsx"))
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(contains(
            "shanghai-fuliyuan-2024.xlsx：表格有 2 个错误，未生成",
        ));
    assert!(!out.exists());
}

#[test]
fn batch_gives_tables_to_departments_whose_only_errors_are_in_the_text() {
    let d = tmp();
    let input = d.path().join("in");
    std::fs::create_dir(&input).unwrap();
    for f in [
        "shanghai-wanli-2023.xlsx",
        "shanghai-wanli-2024.xlsx",
        "shanghai-fuliyuan-2024.xlsx",
        "shanghai-ghzy-2024-final-accounts.xlsx",
    ] {
        std::fs::copy(root().join("samples").join(f), input.join(f)).unwrap();
    }
    let out = d.path().join("out");
    let run = batch(&input, &out).output().unwrap();
    let text = String::from_utf8_lossy(&run.stdout).to_string();
    assert_eq!(run.status.code(), Some(1), "{text}");
    assert!(
        text.contains(
            "共 4 个输入：通过 0，有警告 1，有错误 1，说明有错误 2，无法读取 0，冲突 0，输出失败 0"
        ),
        "{text}"
    );
    assert!(
        text.contains("表格无误、说明有错误的部门（2 个，表格已输出，公开文件待说明改正）：上海市普陀区人民政府万里街道办事处（2023）、上海市普陀区人民政府万里街道办事处（2024）"),
        "{text}"
    );
    assert!(
        text.contains("有错误的部门（1 个）：上海市普陀区社会福利院"),
        "{text}"
    );
    let tables: Vec<String> = walk(&out)
        .into_iter()
        .filter(|p| p.ends_with("公开报表.xlsx"))
        .collect();
    assert_eq!(tables.len(), 3, "{tables:?}");
    assert!(tables.iter().all(|p| !p.contains("福利院")), "{tables:?}");
}

/// Every file under `dir`, as text paths.
fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p.display().to_string());
        }
    }
    out.sort();
    out
}
