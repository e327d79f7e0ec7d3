//! `budget-tables template`.

mod common;

use budget_tables::read::read_path;
use common::*;
use predicates::str::contains;

#[test]
fn writes_the_twelve_tables_and_instructions() {
    let dir = tmp();
    let out = dir.path().join("blank.xlsx");
    bin()
        .args(["template", "-o"])
        .arg(&out)
        .args(["--year", "2024"])
        .assert()
        .success()
        .stdout(contains("已生成 2024 年填报模板"));
    let names: Vec<String> = load(&out).iter().map(|s| s.name.clone()).collect();
    assert_eq!(
        names,
        [
            "填表说明",
            "表1 收支总表",
            "表2 收入总表",
            "表3 支出总表",
            "表4 基本支出总表",
            "表5 项目支出总表",
            "表6 财政拨款收支总表",
            "表7 一般公共预算支出表(按功能分类)",
            "表8 一般公共预算支出表(按经济分类)",
            "表9 财政拨款“三公”经费支出表",
            "表10 政府性基金预算支出表",
            "表11 国有资本经营预算支出表",
            "表12 单位整体支出绩效目标表",
        ]
    );
}

#[test]
fn department_and_year_are_filled_in_and_read_back() {
    let dir = tmp();
    let out = dir.path().join("blank.xlsx");
    bin()
        .args(["template", "-o"])
        .arg(&out)
        .args(["--department", "深圳市某某局", "--year", "2025"])
        .assert()
        .success();
    let sheets = load(&out);
    let t1 = sheet_named(&sheets, "表1 ");
    assert_eq!(t1.get(4, 1).text(), "2025年预算数");
    let t9 = sheet_named(&sheets, "表9");
    let labels: Vec<String> = (6..9).map(|r| t9.get(r, 1).text()).collect();
    assert_eq!(labels, ["2024年", "2025年", "增减变化金额"]);
    assert_eq!(
        sheet_named(&sheets, "表12").get(1, 0).text(),
        "深圳市某某局整体支出绩效目标表"
    );
    // Blank is not zero: a blank template reads with every figure missing, never 0.
    let out = read_path(&out, &specs()).unwrap();
    assert_eq!(out.budget.department, "深圳市某某局");
    assert_eq!(out.budget.year, 2025);
    let t1 = out.budget.two_sided("t01").unwrap();
    assert!(t1.lines.values().all(|l| l.values().all(Option::is_none)));
    assert!(out
        .diagnostics
        .iter()
        .any(|d| d.rule == "S-EMPTY" && d.cell.as_deref() == Some("A6")));
}

#[test]
fn template_has_no_formulas_and_is_deterministic() {
    let dir = tmp();
    let (a, b) = (dir.path().join("a.xlsx"), dir.path().join("b.xlsx"));
    for p in [&a, &b] {
        bin()
            .args(["template", "-o"])
            .arg(p)
            .args(["--year", "2024"])
            .assert()
            .success();
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    for s in load(&a) {
        for row in s.rows() {
            assert!(row
                .iter()
                .all(|c| !matches!(c, budget_tables::read::Cell::FormulaNoValue(_))));
        }
    }
}

#[test]
fn refuses_other_formats() {
    let dir = tmp();
    bin()
        .args(["template", "-o"])
        .arg(dir.path().join("blank.csv"))
        .assert()
        .code(2)
        .stderr(contains("模板只能输出为 .xlsx 文件"));
    bin()
        .args(["template", "-o", "x.xlsx", "--year", "20x4"])
        .assert()
        .code(2);
}

/// The table numbers a text names: `表9`, and every one of a range `表5 至表7`.
fn tables_named(text: &str) -> std::collections::BTreeSet<u32> {
    let mut out = std::collections::BTreeSet::new();
    let chars: Vec<char> = text.chars().collect();
    let number_at = |i: usize| -> Option<(u32, usize)> {
        let digits: String = chars[i..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        digits.parse().ok().map(|n| (n, i + digits.len()))
    };
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '表' {
            if let Some((a, end)) = number_at(i + 1) {
                out.insert(a);
                let rest: String = chars[end..].iter().take(4).collect();
                if let Some(after) = rest.trim_start().strip_prefix("至表") {
                    let skip = end + rest.chars().count() - after.chars().count();
                    if let Some((b, _)) = number_at(skip) {
                        out.extend(a..=b);
                    }
                }
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out
}

#[test]
fn every_layouts_instructions_name_every_table() {
    for id in [
        "shenzhen-budget",
        "shanghai-budget-department",
        "shanghai-budget-unit",
        "final-accounts",
    ] {
        let specs = budget_tables::spec::SpecSet::builtin_layout(id).unwrap();
        let named = tables_named(&specs.layout.instructions.join("\n"));
        for t in &specs.tables {
            assert!(
                named.contains(&t.number),
                "{id}: 表{} has no instruction",
                t.number
            );
        }
    }
}

#[test]
fn instruction_rows_are_tall_enough_for_their_wrapped_text() {
    let dir = tmp();
    let out = dir.path().join("blank.xlsx");
    bin().args(["template", "-o"]).arg(&out).assert().success();
    let texts: Vec<String> = {
        let sheets = load(&out);
        let s = &sheets[0];
        (0..s.height()).map(|r| s.get(r, 0).text()).collect()
    };
    let xml = zip_part(&out, "xl/worksheets/sheet1.xml");
    // LibreOffice does not grow a row for wrapped text: each carries its height.
    for (r, text) in texts.iter().enumerate().skip(1) {
        let tag = format!("<row r=\"{}\"", r + 1);
        let at = xml.find(&tag).unwrap_or_else(|| panic!("row {}", r + 1));
        let row = &xml[at..at + xml[at..].find('>').unwrap()];
        let ht: f64 = row
            .split("ht=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("row {} has no height: {row}", r + 1));
        // The column holds 75 narrow characters a line; a Chinese one is two.
        let lines = (unicode_width::UnicodeWidthStr::width(text.as_str()) as f64 / 75.0).ceil();
        assert!(
            ht >= 15.0 * lines,
            "row {}: {ht} for {lines} lines: {text}",
            r + 1
        );
    }
}

/// The Shanghai template as a clerk needs it (#29 item 12): a cover that
/// asks for the district and level, room for a 财政局's 29 表8 rows (50,
/// and rows can be inserted), and each text sheet saying where to type.
#[test]
fn the_shanghai_template_asks_for_its_cover_and_gives_room() {
    let dir = tmp();
    let out = dir.path().join("blank.xlsx");
    bin()
        .args([
            "template",
            "--layout",
            "shanghai-budget-department",
            "--year",
            "2026",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let sheets = load(&out);
    let cover = sheet_named(&sheets, "封面");
    assert_eq!(
        cover.rows()[0][0].text(),
        "上海市【请填写：区名，市级部门删去】2026年【请填写：级次，如区级、市级】部门预算"
    );
    let t8 = sheet_named(&sheets, "部门一般公共预算拨款基本支出明细表");
    // Header rows end at row 6; 50 input rows, then 合计.
    let total = (0..t8.height())
        .find(|&r| {
            t8.row_cells(r)
                .next()
                .is_some_and(|(c, x)| c == 0 && x.text() == "合计")
        })
        .unwrap();
    assert_eq!(total, 6 + 50);
    let instructions = sheet_named(&sheets, "填表说明");
    assert!(format!("{:?}", instructions.rows()).contains("行不够时，在“合计”行之上插入整行"));
    // Each text sheet's body cell carries where-to-type guidance (a data
    // validation's input message), not text that would be read as its content.
    let xml = zip_part(&out, "xl/worksheets/sheet7.xml");
    assert!(xml.contains("promptTitle=\"在此填写正文\""), "{xml}");
    let b = read_path(
        &out,
        &budget_tables::spec::SpecSet::builtin_layout("shanghai-budget-department").unwrap(),
    )
    .unwrap();
    assert!(
        b.budget.texts.values().all(String::is_empty),
        "{:?}",
        b.budget.texts
    );
}
