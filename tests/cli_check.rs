//! `budget-tables check`: structural findings that name the table, sheet and cell.

mod common;

use budget_tables::read::{Cell, Sheet};
use common::*;
use predicates::str::contains;

fn sample_with(
    edit_sheet: &str,
    f: impl FnOnce(&mut Vec<Vec<Cell>>),
) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tmp();
    let mut f = Some(f);
    let sheets: Vec<Sheet> = load(&sample_xlsx())
        .iter()
        .map(|s| {
            if s.name.starts_with(edit_sheet) {
                edit(s, f.take().unwrap())
            } else {
                s.clone()
            }
        })
        .collect();
    let p = dir.path().join("edited.xlsx");
    write_sheets(&p, &sheets, true);
    (dir, p)
}

#[test]
fn the_sample_passes() {
    // The published one-cent differences are 尾数差异 warnings, not errors.
    bin()
        .arg("check")
        .arg(sample_xlsx())
        .assert()
        .success()
        .stdout(contains("0 个错误，20 个警告，0 个提示"));
    bin()
        .arg("check")
        .arg(sample_json())
        .assert()
        .success()
        .stdout(contains("0 个错误，20 个警告"));
}

#[test]
fn an_amount_that_is_not_a_number_names_its_cell() {
    // '表3 支出总表'!D9 is 2010301 行政运行 支出总计.
    let (_d, p) = sample_with("表3", |rows| set(rows, 8, 3, Cell::Text("约100".into())));
    bin().arg("check").arg(&p).assert().code(1).stdout(contains(
        "错误 [S-AMOUNT] 表3 支出总表 '表3 支出总表'!D9：金额“约100”不是数字；实际：约100。修改建议：请只填写数字（可带千分位逗号），不要填写文字、单位或符号",
    ));
}

#[test]
fn a_missing_table() {
    let dir = tmp();
    let sheets: Vec<Sheet> = load(&sample_xlsx())
        .into_iter()
        .filter(|s| !s.name.starts_with("表5"))
        .collect();
    let p = dir.path().join("no5.xlsx");
    write_sheets(&p, &sheets, true);
    bin().arg("check").arg(&p).assert().code(1).stdout(contains(
        "错误 [S-TABLE-MISSING] 表5 项目支出总表：工作簿中没有找到“项目支出总表”。修改建议：请在任一工作表中加入标题为“项目支出总表”的表格",
    ));
}

#[test]
fn a_header_not_recognized() {
    // 表7's header: row 4 holds 预算单位 | 科目编码 | 科目名称 | 支出总计 | 基本支出 | 项目支出.
    let (_d, p) = sample_with("表7", |rows| set(rows, 3, 4, Cell::Text("基本".into())));
    bin().arg("check").arg(&p).assert().code(1).stdout(contains(
        "错误 [S-HEADER] 表7 一般公共预算支出表(按功能分类) '表7 一般公共预算支出表(按功能分类)'!A4：表7 一般公共预算支出表(按功能分类)的表头无法识别；应为：表头应含有列“基本支出”",
    ));
}

#[test]
fn a_duplicated_row_key() {
    // Row 8 (0-based 7) is 201; make 20103 (row 9) a second 201.
    let (_d, p) = sample_with("表3", |rows| set(rows, 7, 1, Cell::Text("201".into())));
    bin().arg("check").arg(&p).assert().code(1).stdout(contains(
        "错误 [S-DUPKEY] 表3 支出总表 '表3 支出总表'!B8：“201”在同一预算单位内重复出现",
    ));
}

#[test]
fn error_cells_and_formulas_without_values() {
    let (_d, p) = sample_with("表4", |rows| {
        set(rows, 6, 1, Cell::Text("#REF!".into()));
    });
    bin()
        .arg("check")
        .arg(&p)
        .assert()
        .code(1)
        .stdout(contains("'表4 基本支出总表'!B7：金额“#REF!”不是数字"));
    // In memory, a formula with no cached value and a true error cell.
    let sheets: Vec<Sheet> = load(&sample_xlsx())
        .iter()
        .map(|s| {
            if s.name.starts_with("表4") {
                edit(s, |rows| {
                    set(rows, 6, 1, Cell::FormulaNoValue("SUM(B8:B16)".into()));
                    set(rows, 7, 1, Cell::Error("#DIV/0!".into()));
                })
            } else {
                s.clone()
            }
        })
        .collect();
    let out = budget_tables::read::read_sheets(&sheets, &specs()).unwrap();
    let d: Vec<String> = out
        .diagnostics
        .iter()
        .map(std::string::ToString::to_string)
        .collect();
    assert_eq!(
        d,
        vec![
            "错误 [S-FORMULA] 表4 基本支出总表 '表4 基本支出总表'!B7：公式没有计算结果（文件未保存计算值）；实际：=SUM(B8:B16)。修改建议：请在 Excel 或 WPS 中打开后保存一次，或直接填写金额",
            "错误 [S-AMOUNT] 表4 基本支出总表 '表4 基本支出总表'!B8：金额单元格是错误值 #DIV/0!；实际：#DIV/0!。修改建议：请修正公式或直接填写金额",
        ]
    );
}

#[test]
fn json_format_carries_rule_table_sheet_and_cell() {
    let (_d, p) = sample_with("表3", |rows| set(rows, 8, 3, Cell::Text("约100".into())));
    let out = bin()
        .arg("check")
        .arg(&p)
        .args(["--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["errors"], 1);
    let f = &v["findings"][0];
    assert_eq!(f["rule"], "S-AMOUNT");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["table"], "表3 支出总表");
    assert_eq!(f["sheet"], "表3 支出总表");
    assert_eq!(f["cell"], "D9");
    assert_eq!(f["actual"], "约100");
}

#[test]
fn a_broken_identity_exits_1_and_names_the_cell() {
    // 表7 2010301 行政运行 基本支出 2,569.11 → 2,500.00: 支出总计 no longer adds up.
    let (_d, p) = sample_with("表7", |rows| set(rows, 7, 4, Cell::Number(2500.0)));
    bin().arg("check").arg(&p).assert().code(1).stdout(contains(
        "错误 [T7-ROW-01] 表7 一般公共预算支出表(按功能分类) '表7 一般公共预算支出表(按功能分类)'!D8 [2010301 行政运行 | 支出总计]：最可能出错的是 '表7 一般公共预算支出表(按功能分类)'!E8，不是本格：“支出总计”应 = 基本支出 + 项目支出；应为：2,500.00；实际：2,569.11；差额：69.11",
    ));
}

#[test]
fn convert_refuses_errors_unless_allowed() {
    let (d, p) = sample_with("表7", |rows| set(rows, 7, 4, Cell::Number(2500.0)));
    let out = d.path().join("out.xlsx");
    bin()
        .arg("convert")
        .arg(&p)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(contains("--allow-errors"));
    assert!(!out.exists());
    bin()
        .arg("convert")
        .arg(&p)
        .arg("-o")
        .arg(&out)
        .arg("--allow-errors")
        .assert()
        .code(1)
        .stdout(contains("已生成"));
    assert!(out.exists());
}

#[test]
fn annotate_writes_a_copy_and_leaves_the_input_alone() {
    let (d, p) = sample_with("表7", |rows| set(rows, 7, 4, Cell::Number(2500.0)));
    let before = std::fs::read(&p).unwrap();
    let out = d.path().join("annotated.xlsx");
    bin()
        .arg("check")
        .arg(&p)
        .arg("--annotate")
        .arg(&out)
        .assert()
        .code(1)
        .stdout(contains("已另存标注副本"));
    assert_eq!(std::fs::read(&p).unwrap(), before);
    let sheets = load(&out);
    // The input's sheets, then the findings.
    let results = sheets.last().unwrap();
    assert_eq!(results.name, "检查结果");
    // Printed first: where, what is wrong, how to fix; the rest beside them.
    let head: Vec<String> = (0..13).map(|c| results.get(0, c).text()).collect();
    assert_eq!(
        head,
        [
            "序号",
            "级别",
            "表",
            "单元格",
            "问题",
            "修改建议",
            "最可能出错的单元格",
            "应为",
            "实际",
            "差额",
            "行",
            "列",
            "规则"
        ]
    );
    // Errors first, then warnings, then notices.
    let levels: Vec<String> = (1..results.height())
        .map(|r| results.get(r, 1).text())
        .filter(|t| !t.is_empty())
        .collect();
    let mut sorted = levels.clone();
    sorted.sort_by_key(|l| ["错误", "警告", "提示"].iter().position(|x| x == l));
    assert_eq!(levels, sorted);
    assert!(levels.first().is_some_and(|l| l == "错误"), "{levels:?}");
    let book = zip_part(&out, "xl/workbook.xml");
    assert!(
        book.contains("<definedName name=\"_xlnm.Print_Area\" localSheetId=\""),
        "{book}"
    );
    assert!(book.contains("'检查结果'!$A:$F</definedName>"), "{book}");
    assert_eq!(sheets[0].name, "填表说明");
    // The copy keeps the figures.
    let t7 = sheet_named(&sheets, "表7");
    assert_eq!(t7.get(7, 4), &Cell::Number(2500.0));
    // JSON has no cells to annotate.
    bin()
        .arg("check")
        .arg(sample_json())
        .arg("--annotate")
        .arg(d.path().join("x.xlsx"))
        .assert()
        .code(2)
        .stderr(contains("只适用于工作簿"));
}

#[test]
fn catalogue_can_be_replaced() {
    let dir = tmp();
    let cat = dir.path().join("cat.csv");
    std::fs::write(
        &cat,
        "code,name,level,year,source\n2010301,行政运转,项,2025,测试\n",
    )
    .unwrap();
    bin()
        .arg("check")
        .arg(sample_xlsx())
        .arg("--catalogue")
        .arg(&cat)
        .assert()
        .success()
        .stdout(contains("警告 [C-NAME-01] 表3 支出总表 '表3 支出总表'!B9 [2010301 行政运行 | 科目编码]：科目 2010301 的名称与科目目录不一致；应为：行政运转；实际：行政运行"))
        .stdout(contains("提示 [C-CODE-01]"));
    std::fs::write(&cat, "code,name\nabc,x\n").unwrap();
    bin()
        .arg("check")
        .arg(sample_xlsx())
        .arg("--catalogue")
        .arg(&cat)
        .assert()
        .code(2)
        .stderr(contains("第 2 行格式错误"));
}

#[test]
fn rules_command_prints_docs_rules_md() {
    let out = bin()
        .arg("rules")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        std::fs::read_to_string(root().join("docs/rules.md")).unwrap()
    );
}

#[test]
fn the_annotated_copy_keeps_the_input_look() {
    use calamine::{open_workbook, BorderStyle, HorizontalAlignment, Xlsx};
    // The sample has warnings only (尾数差异), so check passes and still writes the copy.
    let d = tmp();
    let out = d.path().join("annotated.xlsx");
    bin()
        .arg("check")
        .arg(sample_xlsx())
        .arg("--annotate")
        .arg(&out)
        .assert()
        .success();
    let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
    let looks = wb.worksheet_style("表1 收支总表").unwrap();
    let at = |r: u32, c: u32| looks.get((r, c)).unwrap().clone();
    // The title as filled in: 宋体 18 bold, centred.
    let title = at(1, 0);
    let font = title.font.clone().unwrap();
    assert_eq!(
        (font.name.as_deref(), font.size, font.is_bold()),
        (Some("宋体"), Some(18.0), true)
    );
    assert_eq!(
        title.alignment.unwrap().horizontal,
        HorizontalAlignment::Center
    );
    // An amount: its number format and border, no fill.
    let amount = at(5, 1);
    assert_eq!(amount.number_format.unwrap().format_code, "#,##0.00");
    assert_eq!(amount.borders.unwrap().left.style, BorderStyle::Thin);
    assert!(amount.fill.is_none_or(|f| !f.is_visible()));
    // D7, named by a warning: the warning's colour over the same number format.
    let flagged = at(6, 3);
    assert_eq!(
        flagged.fill.unwrap().get_color().unwrap().to_argb() & 0x00FF_FFFF,
        0xFF_D9_66
    );
    assert_eq!(flagged.number_format.unwrap().format_code, "#,##0.00");
}

/// A workbook with only three of Shenzhen's twelve tables is no loaded
/// layout's: it is refused with the closest layout and what it found,
/// instead of being read as Shenzhen's with nine "missing" tables. Named
/// with `--layout`, it is read as that layout.
#[test]
fn a_workbook_of_no_loaded_layout_is_named_as_such_not_guessed() {
    let dir = tmp();
    let sheets: Vec<Sheet> = load(&sample_xlsx())
        .into_iter()
        .filter(|s| {
            ["填表说明", "表1 ", "表2 ", "表3 "]
                .iter()
                .any(|p| s.name.starts_with(p))
        })
        .collect();
    let p = dir.path().join("三张表.xlsx");
    write_sheets(&p, &sheets, true);
    bin().arg("check").arg(&p).assert().code(2).stderr(contains(
        "三张表.xlsx 不像任何已载入的版式的表格：最接近的“深圳市部门预算公开（12 张表）”（shenzhen-budget）只找到 12 张表中的 3 张（收支总表、收入总表、支出总表）。如它是另一个地区或口径的表，请把该版式的目录放进用户版式目录，或用 --templates 指向它",
    ));
    bin()
        .args(["--layout", "shenzhen-budget", "check"])
        .arg(&p)
        .assert()
        .code(1)
        .stdout(contains("版式 shenzhen-budget：深圳市部门预算公开（12 张表）；部门：深圳市政务服务和数据管理局(本级)；年度：2024"))
        .stdout(contains("工作簿中没有找到“基本支出总表”"));
}

#[test]
fn the_first_line_names_the_layout_read() {
    let out = bin().arg("check").arg(sample_xlsx()).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.lines().next(),
        Some("版式 shenzhen-budget：深圳市部门预算公开（12 张表）；部门：深圳市政务服务和数据管理局(本级)；年度：2024")
    );
}

/// Every code printed in the real documents this repository holds is in the
/// shipped catalogue, but the one the 社会福利院 document prints wrongly
/// (its 表8 renumbered: 30210 车辆运行费).
#[test]
fn the_catalogue_holds_every_code_of_the_real_documents() {
    for (sample, unknown) in [
        ("samples/shenzhen-zwfw-2023.xlsx", vec![]),
        ("samples/shenzhen-zwfw-2024.xlsx", vec![]),
        ("samples/shanghai-wanli-2023.xlsx", vec![]),
        ("samples/shanghai-wanli-2024.xlsx", vec![]),
        (
            "samples/shanghai-fuliyuan-2024.xlsx",
            vec!["30210 车辆运行费"],
        ),
        ("samples/shanghai-ghzy-2024-final-accounts.xlsx", vec![]),
    ] {
        let out = bin()
            .args(["check", "--format", "json"])
            .arg(root().join(sample))
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let found: Vec<String> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "C-CODE-01")
            .map(|f| f["row_label"].as_str().unwrap_or_default().to_string())
            .collect();
        assert_eq!(found, unknown, "{sample}");
    }
}

/// A table whose codes the catalogue lacks gets one notice naming them all.
#[test]
fn codes_the_catalogue_lacks_are_one_notice_per_table() {
    let d = tmp();
    let cat = d.path().join("目录.csv");
    std::fs::write(
        &cat,
        "code,name,level,year,source\n201,一般公共服务支出,类,2024,x\n",
    )
    .unwrap();
    let out = bin()
        .args(["check", "--format", "json", "--catalogue"])
        .arg(&cat)
        .arg(sample_xlsx())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let notices: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "C-CODE-01")
        .collect();
    let tables: Vec<&str> = notices
        .iter()
        .map(|f| f["table"].as_str().unwrap())
        .collect();
    assert_eq!(
        tables,
        [
            "表3 支出总表",
            "表7 一般公共预算支出表(按功能分类)",
            "表8 一般公共预算支出表(按经济分类)"
        ]
    );
    let t3 = notices[0];
    assert!(t3["message"]
        .as_str()
        .unwrap()
        .starts_with("15 个科目编码不在科目目录中，未能核对名称：20103 政府办公厅(室)及相关机构事务、2010301 行政运行、"));
    assert_eq!(t3["cells"].as_array().unwrap().len(), 15);
}
