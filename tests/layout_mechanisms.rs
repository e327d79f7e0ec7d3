//! Mechanisms a bureau declares in its layout's files (#30 item 7), each
//! used end to end by a layout written outside the built-in ones.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// A copy of the built-in layout `id` under `dir`, renamed `new_id`, with
/// each file passed through `edit`.
fn builtin_copy(
    dir: &Path,
    id: &str,
    new_id: &str,
    edit: impl Fn(&str, String) -> String,
) -> PathBuf {
    let folder = dir.join(new_id);
    std::fs::create_dir_all(&folder).unwrap();
    for f in std::fs::read_dir(root().join("templates").join(id)).unwrap() {
        let f = f.unwrap().path();
        let file = f.file_name().unwrap().to_str().unwrap().to_string();
        let mut text = std::fs::read_to_string(&f).unwrap();
        if file == "layout.toml" {
            text = text.replacen(&format!("id = \"{id}\""), &format!("id = \"{new_id}\""), 1);
        }
        std::fs::write(folder.join(&file), edit(&file, text)).unwrap();
    }
    folder
}

/// The labels of the expenditure side (the column after the income side's
/// amounts) of the first sheet whose name starts with `prefix`.
fn expenditure_labels(book: &Path, prefix: &str, col: u32) -> Vec<String> {
    let sheets = load(book);
    let s = sheets.iter().find(|s| s.name.starts_with(prefix)).unwrap();
    (0..s.height())
        .map(|r| s.get(r, col).text())
        .filter(|t| !t.is_empty())
        .collect()
}

/// `print_used_only`: the published 收入支出决算总表 prints only the 类 with
/// figures, numbered by what is printed, while the template keeps every
/// 类 and the reader still knows each one's code.
#[test]
fn a_two_sided_table_prints_only_the_classes_used_numbered_as_printed() {
    let dir = tmp();
    let d = dir.path();
    let used = builtin_copy(d, "final-accounts", "final-accounts-used", |file, text| {
        if file.starts_with("01-") {
            text.replacen(
                "link_codes_from = [\"t03\"]",
                "link_codes_from = [\"t03\"]\nprint_used_only = true",
                1,
            )
        } else {
            text
        }
    });
    let sample = root().join("samples/shanghai-ghzy-2024-final-accounts.xlsx");
    let all = d.join("all.xlsx");
    bin()
        .args(["convert", "--allow-errors"])
        .arg(&sample)
        .arg("-o")
        .arg(&all)
        .assert()
        .code(0);
    let only = d.join("used.xlsx");
    bin()
        .arg("--templates")
        .arg(&used)
        .args([
            "--layout",
            "final-accounts-used",
            "convert",
            "--allow-errors",
        ])
        .arg(&sample)
        .arg("-o")
        .arg(&only)
        .assert()
        .code(0);
    let before = expenditure_labels(&all, "表1", 2);
    assert_eq!(
        before.len(),
        32,
        "every 类 printed by the built-in layout: {before:?}"
    );
    assert!(before.contains(&"二、外交支出".to_string()));
    assert_eq!(
        expenditure_labels(&only, "表1", 2),
        [
            "支出",
            "项目",
            "一、社会保障和就业支出",
            "二、卫生健康支出",
            "三、城乡社区支出",
            "四、自然资源海洋气象等支出",
            "五、住房保障支出",
            "本年支出合计",
            "结余分配",
            "年末结转和结余",
            "总计",
        ]
    );

    // Read back, the printed lines keep their codes and figures: they are
    // the sample's lines with a figure.
    let lines = |json: &Path| -> Vec<serde_json::Value> {
        let m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
        m["tables"]["t01"]["expenditure"]
            .as_array()
            .unwrap()
            .clone()
    };
    let (a, b) = (d.join("a.json"), d.join("b.json"));
    bin()
        .args(["convert", "--allow-errors"])
        .arg(&sample)
        .arg("-o")
        .arg(&a)
        .assert()
        .code(0);
    bin()
        .arg("--templates")
        .arg(&used)
        .args([
            "--layout",
            "final-accounts-used",
            "convert",
            "--allow-errors",
        ])
        .arg(&only)
        .arg("-o")
        .arg(&b)
        .assert()
        .code(0);
    let with_figures: Vec<serde_json::Value> = lines(&a)
        .into_iter()
        .filter(|l| {
            l["amounts"]
                .as_object()
                .unwrap()
                .values()
                .any(|v| !v.is_null() && v != "0.00")
        })
        .collect();
    assert_eq!(with_figures.len(), 5);
    assert_eq!(lines(&b), with_figures);
    assert_eq!(with_figures[0]["code"], "208");
}
