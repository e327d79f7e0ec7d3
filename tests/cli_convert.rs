//! `budget-tables convert`.

mod common;

use common::*;
use predicates::str::contains;

#[test]
fn sample_to_official_and_json() {
    let dir = tmp();
    let x = dir.path().join("out.xlsx");
    let j = dir.path().join("out.json");
    bin()
        .arg("convert")
        .arg(sample_xlsx())
        .arg("-o")
        .arg(&x)
        .assert()
        .success()
        .stdout(contains("已生成"));
    bin()
        .arg("convert")
        .arg(sample_xlsx())
        .arg("-o")
        .arg(&j)
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(&j).unwrap(),
        std::fs::read_to_string(sample_json()).unwrap()
    );
    // Official workbook → JSON, and JSON → official workbook, are exact.
    let j2 = dir.path().join("back.json");
    bin()
        .arg("convert")
        .arg(&x)
        .arg("-o")
        .arg(&j2)
        .assert()
        .success();
    assert_eq!(std::fs::read(&j2).unwrap(), std::fs::read(&j).unwrap());
    let x2 = dir.path().join("from-json.xlsx");
    bin()
        .arg("convert")
        .arg(sample_json())
        .arg("-o")
        .arg(&x2)
        .assert()
        .success();
    assert_eq!(
        std::fs::read(&x2).unwrap(),
        std::fs::read(&x).unwrap(),
        "same model, byte-identical workbook"
    );
    let names: Vec<String> = load(&x).iter().map(|s| s.name.clone()).collect();
    assert_eq!(names.len(), 12);
    assert_eq!(names[0], "表1 收支总表");
}

#[test]
fn two_runs_are_byte_identical() {
    let dir = tmp();
    let (a, b) = (dir.path().join("a.xlsx"), dir.path().join("b.xlsx"));
    for p in [&a, &b] {
        bin()
            .arg("convert")
            .arg(sample_xlsx())
            .arg("-o")
            .arg(p)
            .assert()
            .success();
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 2, "no temporary files left: {leftovers:?}");
}

#[test]
fn never_over_the_input() {
    let dir = tmp();
    let input = dir.path().join("in.json");
    std::fs::copy(sample_json(), &input).unwrap();
    let before = std::fs::read(&input).unwrap();
    bin()
        .arg("convert")
        .arg(&input)
        .arg("-o")
        .arg(&input)
        .assert()
        .code(2)
        .stderr(contains("与输入文件相同"));
    assert_eq!(std::fs::read(&input).unwrap(), before);
}

#[test]
fn workbook_with_errors_writes_nothing() {
    let dir = tmp();
    let sheets: Vec<_> = load(&sample_xlsx())
        .into_iter()
        .filter(|s| !s.name.starts_with("表8"))
        .collect();
    let input = dir.path().join("missing8.xlsx");
    write_sheets(&input, &sheets, true);
    let out = dir.path().join("out.xlsx");
    bin()
        .arg("convert")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(contains(
            "错误 [S-TABLE-MISSING] 表8 一般公共预算支出表(按经济分类)",
        ))
        .stderr(contains("未生成"));
    assert!(!out.exists());
}

#[test]
fn unreadable_inputs_exit_2_with_a_message() {
    let dir = tmp();
    let junk = dir.path().join("junk.xlsx");
    std::fs::write(&junk, "预算单位,收入总计\n某局,1\n").unwrap();
    let out = dir.path().join("out.xlsx");
    bin()
        .arg("convert")
        .arg(&junk)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains("不是电子表格"));
    let empty = dir.path().join("empty.xlsx");
    std::fs::write(&empty, "").unwrap();
    bin()
        .arg("convert")
        .arg(&empty)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains("是空文件"));
    bin()
        .arg("convert")
        .arg(dir.path().join("nope.xlsx"))
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains("找不到输入文件"));
    bin()
        .arg("convert")
        .arg(sample_xlsx())
        .arg("-o")
        .arg(dir.path().join("out.pdf"))
        .assert()
        .code(2)
        .stderr(contains("无法识别输出格式"));
    assert!(!out.exists());
}

#[test]
fn a_workbook_with_none_of_the_tables_exits_2() {
    let dir = tmp();
    let p = dir.path().join("other.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet().write_string(0, 0, "员工通讯录").unwrap();
    wb.save(&p).unwrap();
    bin()
        .arg("convert")
        .arg(&p)
        .arg("-o")
        .arg(dir.path().join("o.xlsx"))
        .assert()
        .code(2)
        .stderr(contains("找不到任何预算表"));
}

#[test]
fn a_json_model_that_does_not_fit_the_specs_is_refused() {
    let dir = tmp();
    let text = std::fs::read_to_string(sample_json()).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["tables"]["t03"] = v["tables"]["t01"].clone();
    let p = dir.path().join("wrong.json");
    std::fs::write(&p, serde_json::to_string(&v).unwrap()).unwrap();
    let out = dir.path().join("o.xlsx");
    bin()
        .arg("convert")
        .arg(&p)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains(
            "与表格规格不符：表3 支出总表应为 Grid 类表格，JSON 中为 TwoSided",
        ));
    assert!(!out.exists());
}

#[test]
fn workbooks_saved_by_other_programs_read_the_same() {
    // LibreOffice and openpyxl lay the package out their own way (part names,
    // relationship ids, shared strings); the merged ranges are found by a byte
    // scan of each sheet, so each layout is read here end to end.
    let dir = tmp();
    for name in [
        "libreoffice-2024.xlsx",
        "openpyxl-2024.xlsx",
        "official-2024.xlsx",
    ] {
        let out = dir.path().join(format!("{name}.json"));
        bin()
            .arg("convert")
            .arg(root().join("tests/fixtures").join(name))
            .arg("-o")
            .arg(&out)
            .assert()
            .success();
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            std::fs::read_to_string(sample_json()).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn a_department_of_two_units_reads_alike_in_one_file_and_in_a_batch() {
    // convert reads the tables side by side; batch one after the other.
    let dir = tmp();
    let input = dir.path().join("in");
    departments(&input, 5);
    let single = dir.path().join("single.json");
    bin()
        .arg("convert")
        .arg(input.join("dept-0005.xlsx"))
        .arg("-o")
        .arg(&single)
        .assert()
        .success();
    let model: budget_tables::model::Budget =
        budget_tables::model::json::from_str(&std::fs::read_to_string(&single).unwrap()).unwrap();
    assert_eq!(model.units.len(), 2);
    for t in ["t02", "t03", "t04", "t05", "t07", "t08"] {
        assert_eq!(model.grid(t).unwrap().blocks.len(), 3, "{t}");
    }
    let out = dir.path().join("out");
    batch(&input, &out).assert().success();
    let r = rollup(&out, 2023);
    let entry = r["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["file"] == "dept-0005.xlsx")
        .unwrap();
    let batched = out
        .join(entry["folder"].as_str().unwrap())
        .join("模型.json");
    assert_eq!(
        std::fs::read_to_string(batched).unwrap(),
        std::fs::read_to_string(&single).unwrap()
    );
}
