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
    let used_layout = || {
        let mut c = bin();
        c.arg("--templates").arg(&used).args([
            "--layout",
            "final-accounts-used",
            "convert",
            "--allow-errors",
        ]);
        c
    };
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
    used_layout()
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
    used_layout().arg(&only).arg("-o").arg(&b).assert().code(0);
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

/// What a command printed, whatever its exit.
fn stdout(a: assert_cmd::assert::Assert) -> String {
    String::from_utf8(a.get_output().stdout.clone()).unwrap()
}

/// `convert FROM -o TO` by `layout` (a program with its layout flags).
fn convert(layout: impl Fn(&[&str]) -> assert_cmd::assert::Assert, from: &Path, to: &Path) {
    layout(&[
        "convert",
        from.to_str().unwrap(),
        "-o",
        to.to_str().unwrap(),
    ])
    .success();
}

fn central() -> PathBuf {
    root().join("tests/fixtures/central-budget")
}

fn with_central(args: &[&str]) -> assert_cmd::assert::Assert {
    bin().arg("--templates").arg(central()).args(args).assert()
}

/// 表2 filled: 201 / 20101 / 2010101 80 → 100 (+20, 25%), 206 / 20602 /
/// 2060201 25 → 20 (−5, −20%), 合计 105 → 120 (+15, `total_rate`).
fn fill_rates(
    s: &budget_tables::read::Sheet,
    total_rate: budget_tables::read::Cell,
) -> budget_tables::read::Sheet {
    use budget_tables::read::Cell;
    let first = find_row(s, "科目编码") + 1;
    let total = (first..s.height())
        .find(|&r| s.get(r, 0).text() == "合计")
        .unwrap();
    edit(s, |rows| {
        let lines = [
            ("201", "一般公共服务支出", [80.0, 100.0, 20.0, 25.0]),
            ("20101", "人大事务", [80.0, 100.0, 20.0, 25.0]),
            ("2010101", "行政运行", [80.0, 100.0, 20.0, 25.0]),
            ("206", "科学技术支出", [25.0, 20.0, -5.0, -20.0]),
            ("20602", "基础研究", [25.0, 20.0, -5.0, -20.0]),
            ("2060201", "机构运行", [25.0, 20.0, -5.0, -20.0]),
        ];
        for (i, (code, name, vs)) in lines.iter().enumerate() {
            let r = first + i as u32;
            set(rows, r, 0, Cell::Text((*code).into()));
            set(rows, r, 1, Cell::Text((*name).into()));
            for (c, v) in vs.iter().enumerate() {
                set(rows, r, 2 + c as u32, Cell::Number(*v));
            }
        }
        for (c, v) in [105.0, 120.0, 15.0].iter().enumerate() {
            set(rows, total, 2 + c as u32, Cell::Number(*v));
        }
        set(rows, total, 5, total_rate.clone());
    })
}

/// The central 财政拨款收支总表's blank template filled: 本年收入 150
/// (120 + 30) and 上年结转 10; 一、本年支出 `head` over 201 100, 205 0,
/// 206 20, 208 30 (each 合计 | 一般公共预算 | 政府性基金); 年终结转结余 10.
fn central_filled(dir: &Path, name: &str, head: f64) -> PathBuf {
    central_filled_with(dir, name, head, budget_tables::read::Cell::Number(14.29))
}

/// [`central_filled`] with 表2's 合计 rate given.
fn central_filled_with(
    dir: &Path,
    name: &str,
    head: f64,
    rate_of_total: budget_tables::read::Cell,
) -> PathBuf {
    let blank = dir.join(format!("{name}-blank.xlsx"));
    with_central(&[
        "template",
        "--year",
        "2025",
        "--department",
        "某部",
        "-o",
        blank.to_str().unwrap(),
    ])
    .success();
    let left = [
        ("一、本年收入", 150.0),
        ("（一）一般公共预算财政拨款", 120.0),
        ("（二）政府性基金预算财政拨款", 30.0),
        ("二、上年结转", 10.0),
        ("收入总计", 160.0),
    ];
    let right = [
        ("一、本年支出", [head, 120.0, 30.0]),
        ("（一）一般公共服务支出", [100.0, 100.0, 0.0]),
        ("（二）教育支出", [0.0, 0.0, 0.0]),
        ("（三）科学技术支出", [20.0, 20.0, 0.0]),
        ("（四）社会保障和就业支出", [30.0, 0.0, 30.0]),
        ("二、年终结转结余", [10.0, 0.0, 10.0]),
        ("支出总计", [160.0, 120.0, 40.0]),
    ];
    let sheets: Vec<budget_tables::read::Sheet> = load(&blank)
        .iter()
        .map(|s| match s.name.as_str() {
            "表2 一般公共预算财政拨款支出表" => fill_rates(s, rate_of_total.clone()),
            n if !n.starts_with("表1") => s.clone(),
            _ => edit(s, |rows| {
                for (label, v) in left {
                    let r = find_row(s, label);
                    set(rows, r, 1, budget_tables::read::Cell::Number(v));
                }
                for (label, vs) in right {
                    let r = (0..s.height())
                        .find(|&r| s.get(r, 2).text() == label)
                        .unwrap();
                    for (i, v) in vs.iter().enumerate() {
                        set(rows, r, 3 + i as u32, budget_tables::read::Cell::Number(*v));
                    }
                }
            }),
        })
        .collect();
    let out = dir.join(format!("{name}.xlsx"));
    write_sheets(&out, &sheets, true);
    out
}

/// `expenditure_lines`: a section's subtotal printed at the top of the
/// expenditure side (一、本年支出) is the sum of the 类 beneath it, numbered
/// （一）（二）… — checked, written and read back (#30 item 7).
#[test]
fn a_sections_subtotal_at_the_top_carries_the_classes_beneath_it() {
    let dir = tmp();
    let d = dir.path();
    let good = central_filled(d, "good", 150.0);
    with_central(&["check", good.to_str().unwrap()])
        .success()
        .stdout(predicates::str::contains("版式 central-fiscal"))
        .stdout(predicates::str::contains("检查通过，未发现问题"));

    let bad = central_filled(d, "bad", 160.0);
    let text = stdout(with_central(&["check", bad.to_str().unwrap()]).code(1));
    assert!(
        text.contains("错误 [T1-EXP-01] 表1 财政拨款收支总表 '表1 财政拨款收支总表'!D6 [一、本年支出 | 支出/合计]："),
        "{text}"
    );
    assert!(text.contains("应为：150.00；实际：160.00"), "{text}");

    // The published table prints the 类 with figures, numbered as printed.
    let official = d.join("official.xlsx");
    convert(with_central, &good, &official);
    assert_eq!(
        expenditure_labels(&official, "表1", 2),
        [
            "支出",
            "项目",
            "一、本年支出",
            "（一）一般公共服务支出",
            "（二）科学技术支出",
            "（三）社会保障和就业支出",
            "二、年终结转结余",
            "支出总计",
        ]
    );
    // Read back, it checks clean and keeps every code and figure printed.
    with_central(&["check", official.to_str().unwrap()])
        .success()
        .stdout(predicates::str::contains("检查通过，未发现问题"));
    let json = d.join("official.json");
    convert(with_central, &official, &json);
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let t = &m["tables"]["t01"];
    let codes: Vec<&str> = t["expenditure"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["201", "206", "208"]);
    assert_eq!(t["lines"]["expense_current"]["expense_total"], "150.00");
}

/// Rate columns (`kind = "rate"`, `[[rates]]`): 增减% = 增减额 ÷ 上年预算数
/// × 100 on every row, never summed by the 类/款/项 or total checks; typed
/// as a number or as text with `%`; printed and read back (#30 item 7).
#[test]
fn a_rate_column_is_checked_against_its_amounts_and_never_summed() {
    use budget_tables::read::Cell;
    let dir = tmp();
    let d = dir.path();
    // 25% + (−20%) is no 合计 of 14.29%: the rates are not summed, and
    // “14.29%” typed as text is read.
    let good = central_filled_with(d, "good", 150.0, Cell::Text("14.29%".into()));
    with_central(&["check", good.to_str().unwrap()])
        .success()
        .stdout(predicates::str::contains("检查通过，未发现问题"));

    let bad = central_filled_with(d, "bad", 150.0, Cell::Number(15.0));
    let text = stdout(with_central(&["check", bad.to_str().unwrap()]).code(1));
    assert!(
        text.contains(
            "错误 [T2-RATE-01] 表2 一般公共预算财政拨款支出表 '表2 一般公共预算财政拨款支出表'!F15 [某部 合计 | 增减%]：“增减%”应 = 增减额 ÷ 2024年预算数 × 100；应为：14.29%；实际：15.00%"
        ),
        "{text}"
    );
    assert!(text.ends_with("1 个错误，0 个警告，0 个提示。\n"), "{text}");

    // Printed in the published table, and read back the same.
    let official = d.join("official.xlsx");
    convert(with_central, &good, &official);
    let json = d.join("back.json");
    convert(with_central, &official, &json);
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let block = &m["tables"]["t02"]["blocks"][0];
    assert_eq!(block["total"]["rate"], "14.29");
    assert_eq!(block["rows"][3]["amounts"]["rate"], "-20.00");
}

fn with_hubei(args: &[&str]) -> assert_cmd::assert::Assert {
    bin()
        .arg("--templates")
        .arg(root().join("tests/fixtures/hubei-final"))
        .args(args)
        .assert()
}

/// 行次 columns (`kind = "line_no"`) and the 栏次 row (`column_numbers`):
/// the 湖北 决算 公开01表 writing, both sides numbered (the right side
/// continuing from the left), the columns numbered under the header; the
/// numbers are written, skipped when read, and never taken for figures.
#[test]
fn line_and_column_numbers_are_printed_and_skipped_when_read() {
    use budget_tables::read::Cell;
    let dir = tmp();
    let d = dir.path();
    let blank = d.join("blank.xlsx");
    with_hubei(&[
        "template",
        "--year",
        "2024",
        "--department",
        "某厅",
        "-o",
        blank.to_str().unwrap(),
    ])
    .success();
    let s = &load(&blank)[0];
    let header = find_row(s, "栏次");
    let row_text = |s: &budget_tables::read::Sheet, r: u32| -> Vec<String> {
        (0..6).map(|c| s.get(r, c).text()).collect()
    };
    assert_eq!(row_text(s, header), ["栏次", "", "1", "", "", "2"]);
    let left = [
        ("一、一般公共预算财政拨款收入", 100.0),
        ("二、政府性基金预算财政拨款收入", 20.0),
        ("三、其他收入", 5.0),
        ("本年收入合计", 125.0),
        ("年初结转和结余", 10.0),
    ];
    let right = [
        ("一、一般公共服务支出", 80.0),
        ("三、社会保障和就业支出", 40.0),
        ("本年支出合计", 120.0),
        ("年末结转和结余", 15.0),
    ];
    let filled = edit(s, |rows| {
        for (label, v) in left {
            set(rows, find_row(s, label), 2, Cell::Number(v));
        }
        for (label, v) in right {
            let r = (0..s.height())
                .find(|&r| s.get(r, 3).text() == label)
                .unwrap();
            set(rows, r, 5, Cell::Number(v));
        }
        let total = (0..s.height())
            .find(|&r| s.get(r, 0).text() == "总计")
            .unwrap();
        set(rows, total, 2, Cell::Number(135.0));
        set(rows, total, 5, Cell::Number(135.0));
    });
    let book = d.join("filled.xlsx");
    write_sheets(&book, &[filled], true);
    with_hubei(&["check", book.to_str().unwrap()])
        .success()
        .stdout(predicates::str::contains("版式 hubei-final-01"))
        .stdout(predicates::str::contains("检查通过，未发现问题"));

    // The published table: 行次 down both sides, 栏次 under the header.
    let official = d.join("official.xlsx");
    convert(with_hubei, &book, &official);
    let s = &load(&official)[0];
    let header = find_row(s, "栏次");
    assert_eq!(row_text(s, header), ["栏次", "", "1", "", "", "2"]);
    assert_eq!(
        row_text(s, header + 1)[..3],
        ["一、一般公共预算财政拨款收入", "1", "100"]
    );
    assert_eq!(
        row_text(s, header + 1)[3..],
        ["一、一般公共服务支出", "7", "80"]
    );
    let total = (0..s.height())
        .find(|&r| s.get(r, 0).text() == "总计")
        .unwrap();
    assert_eq!(
        row_text(s, total),
        ["总计", "6", "135", "总计", "12", "135"]
    );
    // Read back: the numbers are no figures and no lines.
    with_hubei(&["check", official.to_str().unwrap()])
        .success()
        .stdout(predicates::str::contains("检查通过，未发现问题"));
}
