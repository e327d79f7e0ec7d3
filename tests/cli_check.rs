//! `budget-tables check`: structural findings that name the table, sheet and cell.

mod common;

use budget_tables::read::{Cell, Sheet};
use common::*;
use predicates::str::contains;

fn sample_with(edit_sheet: &str, f: impl FnOnce(&mut Vec<Vec<Cell>>)) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tmp();
    let mut f = Some(f);
    let sheets: Vec<Sheet> = load(&sample_xlsx())
        .iter()
        .map(|s| if s.name.starts_with(edit_sheet) { edit(s, f.take().unwrap()) } else { s.clone() })
        .collect();
    let p = dir.path().join("edited.xlsx");
    write_sheets(&p, &sheets, true);
    (dir, p)
}

#[test]
fn the_sample_passes() {
    // The published one-cent differences are 尾数差异 warnings, not errors.
    bin().arg("check").arg(sample_xlsx()).assert().success().stdout(contains("0 个错误，20 个警告，0 个提示"));
    bin().arg("check").arg(sample_json()).assert().success().stdout(contains("0 个错误，20 个警告"));
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
    let sheets: Vec<Sheet> = load(&sample_xlsx()).into_iter().filter(|s| !s.name.starts_with("表5")).collect();
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
    bin().arg("check").arg(&p).assert().code(1).stdout(contains("'表4 基本支出总表'!B7：金额“#REF!”不是数字"));
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
    let d: Vec<String> = out.diagnostics.iter().map(|d| d.to_string()).collect();
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
    let out = bin().arg("check").arg(&p).args(["--format", "json"]).assert().code(1).get_output().stdout.clone();
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
