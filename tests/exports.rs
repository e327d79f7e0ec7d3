//! The model's two exports beside the workbook and JSON: one CSV per table
//! (`--to csv`) and a Frictionless / Fiscal Data Package (`--to datapackage`),
//! checked for exact figures, codes kept as text, determinism, and (with the
//! `frictionless` Python package, required in CI) the package's validity.

mod common;

use std::path::Path;

use common::*;

fn convert(input: &Path, out: &Path, to: &str) {
    bin()
        .arg("convert")
        .arg(input)
        .arg("-o")
        .arg(out)
        .args(["--to", to])
        .assert()
        .success();
}

/// The rows of a CSV file (its byte order mark removed).
fn rows(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes)).unwrap();
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn csv_holds_every_table_with_exact_amounts_and_codes_as_text() {
    let d = tmp();
    let out = d.path().join("表格");
    convert(&sample_xlsx(), &out, "csv");
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files.len(), 13, "{files:?}");
    let t1 = out.join("表1 收支总表.csv");
    assert!(std::fs::read(&t1)
        .unwrap()
        .starts_with(b"\xEF\xBB\xBF\xE5\xB9\xB4\xE5\xBA\xA6"));
    let r = rows(&t1);
    assert_eq!(
        r[0],
        [
            "年度",
            "栏",
            "科目编码",
            "项目",
            "收入/2024年预算数",
            "支出/2024年预算数"
        ]
    );
    assert!(
        r.contains(&vec![
            "2024".into(),
            "收入".into(),
            String::new(),
            "收入总计".into(),
            "44972.11".into(),
            String::new()
        ]),
        "{r:?}"
    );
    // 表7: codes as written, amounts as the model holds them.
    let t7 = rows(&out.join("表7 一般公共预算支出表(按功能分类).csv"));
    assert_eq!(&t7[0][..4], ["年度", "预算单位", "科目编码", "名称"]);
    let line = t7.iter().find(|r| r[2] == "2010301").unwrap();
    assert_eq!(line[3], "行政运行");
    let model = sample_model();
    let g = model.grid("t07").unwrap();
    let row = g.blocks[0]
        .rows
        .iter()
        .find(|r| r.key == "2010301")
        .unwrap();
    assert_eq!(line[4], row.amounts.amount("total").unwrap().to_string());
    // Twice the same bytes.
    let again = d.path().join("again");
    convert(&sample_xlsx(), &again, "csv");
    for f in &files {
        assert_eq!(
            std::fs::read(out.join(f)).unwrap(),
            std::fs::read(again.join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn a_csv_output_is_a_folder_and_a_file_is_refused() {
    let d = tmp();
    let f = d.path().join("a.csv");
    std::fs::write(&f, "x").unwrap();
    bin()
        .arg("convert")
        .arg(sample_xlsx())
        .arg("-o")
        .arg(&f)
        .args(["--to", "csv"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "是一个文件；--to csv 写出一个文件夹",
        ));
    bin()
        .arg("convert")
        .arg(sample_xlsx())
        .arg("-o")
        .arg(d.path().join("x"))
        .args(["--to", "pdfx"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "无法识别输出格式“pdfx”；应为 xlsx、json、csv、datapackage 之一",
        ));
}

#[test]
fn the_data_package_describes_each_table_as_fiscal_data_and_validates() {
    let d = tmp();
    let out = d.path().join("数据包");
    convert(
        &root().join("samples/shanghai-ghzy-2024-final-accounts.xlsx"),
        &out,
        "datapackage",
    );
    let desc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("datapackage.json")).unwrap()).unwrap();
    assert_eq!(desc["name"], "budget-tables-final-accounts-2024");
    let resources = desc["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 9);
    let t5 = resources.iter().find(|r| r["name"] == "t05").unwrap();
    let fields = t5["schema"]["fields"].as_array().unwrap();
    let concept = |name: &str| {
        fields
            .iter()
            .find(|f| f["name"] == name)
            .map(|f| (f["type"].clone(), f["columnType"].clone()))
            .unwrap()
    };
    assert_eq!(
        concept("年度"),
        ("integer".into(), "date:fiscal-year".into())
    );
    assert_eq!(
        concept("科目编码"),
        (
            "string".into(),
            "functional-classification:generic:code".into()
        )
    );
    assert!(fields
        .iter()
        .any(|f| f["columnType"] == "value" && f["unit"] == "万元"));
    // No byte order mark inside a package.
    let path = out.join(t5["path"].as_str().unwrap());
    assert!(!std::fs::read(&path).unwrap().starts_with(b"\xEF\xBB\xBF"));
    if !require_python_module("frictionless") {
        return;
    }
    let v = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, frictionless; r = frictionless.validate(sys.argv[1]); print(r.valid); [print(e.message) for t in r.tasks for e in t.errors]",
        ])
        .arg(out.join("datapackage.json"))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&v.stdout);
    assert!(
        said.starts_with("True"),
        "{said}{}",
        String::from_utf8_lossy(&v.stderr)
    );
}
