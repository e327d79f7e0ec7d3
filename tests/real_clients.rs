//! The official workbook in real clients: LibreOffice opens, prints and
//! re-saves it; openpyxl, an independent reader, sees its structure.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use budget_tables::amount::{grouped, Amount};
use budget_tables::model::{Amounts, Budget, Table};
use budget_tables::read::Cell;
use budget_tables::write::official;
use common::*;

fn official_sample(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("official.xlsx");
    std::fs::write(
        &p,
        official::workbook_bytes(&sample_model(), &specs()).unwrap(),
    )
    .unwrap();
    p
}

/// Every filled amount of a table, as shown (`44,037.77`), counted.
fn amounts_of(t: &Table) -> BTreeMap<String, usize> {
    let mut all: Vec<Amount> = Vec::new();
    let mut add = |a: &Amounts| all.extend(a.values().flatten().copied());
    match t {
        Table::Grid(g) => {
            for b in &g.blocks {
                if let Some(t) = &b.total {
                    add(t);
                }
                for r in &b.rows {
                    add(&r.amounts);
                }
            }
        }
        Table::TwoSided(t) => {
            for l in t.lines.values() {
                add(l);
            }
            for e in &t.expenditure {
                add(&e.amounts);
            }
        }
        Table::Form(f) => {
            add(&f.sum);
            for t in &f.tasks {
                add(&t.amounts);
            }
        }
    }
    let mut m = BTreeMap::new();
    for a in all {
        *m.entry(grouped(a)).or_insert(0) += 1;
    }
    m
}

/// Prints `x` to PDF with LibreOffice (a real document, not an error page)
/// and exports every sheet to its own CSV, cells as shown; returns the CSV folder.
fn printed_and_exported(soffice: &Path, x: &Path, what: &str) -> std::path::PathBuf {
    let dir = x.parent().unwrap();
    soffice_convert(soffice, x, "pdf", dir);
    let pdf = std::fs::read(x.with_extension("pdf")).unwrap();
    assert!(
        pdf.starts_with(b"%PDF") && pdf.len() > 20_000,
        "{what}: PDF of {} bytes",
        pdf.len()
    );
    let csv_dir = dir.join("csv");
    std::fs::create_dir_all(&csv_dir).unwrap();
    soffice_convert(
        soffice,
        x,
        "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1",
        &csv_dir,
    );
    csv_dir
}

/// Every cell of a CSV text, row after row.
fn csv_cells(text: &str) -> Vec<String> {
    csv_rows(text).into_iter().flatten().collect()
}

fn looks_like_amount(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    match s.split_once('.') {
        Some((i, f)) => {
            !i.is_empty()
                && i.chars().all(|c| c.is_ascii_digit() || c == ',')
                && f.len() == 2
                && f.chars().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

#[test]
fn libreoffice_prints_it_and_its_csv_numbers_are_the_models() {
    let Some(soffice) = require_soffice() else {
        return;
    };
    let dir = tmp();
    let x = official_sample(dir.path());
    let csv_dir = printed_and_exported(&soffice, &x, "样例");
    let model: Budget = sample_model();
    let specs = specs();
    for spec in &specs.tables {
        let path = csv_dir.join(format!("official-{}.csv", spec.sheet_name()));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut seen = BTreeMap::new();
        for c in csv_cells(&text)
            .into_iter()
            .filter(|c| looks_like_amount(c))
        {
            *seen.entry(c).or_insert(0) += 1;
        }
        assert_eq!(
            seen,
            amounts_of(&model.tables[&spec.id]),
            "{}",
            spec.sheet_name()
        );
        assert!(
            text.contains("本套报表金额单位转换时可能存在尾数误差"),
            "{}",
            spec.sheet_name()
        );
    }
    let t10 =
        std::fs::read_to_string(csv_dir.join("official-表10 政府性基金预算支出表.csv")).unwrap();
    assert!(t10.contains("注:本表本年无发生额。"));
    let t3 = std::fs::read_to_string(csv_dir.join("official-表3 支出总表.csv")).unwrap();
    assert!(
        t3.contains(",2010301,行政运行,\"2,569.11\",\"2,569.11\",0.00,"),
        "{t3}"
    );
}

#[test]
fn libreoffice_ods_and_xls_read_to_the_same_model() {
    let Some(soffice) = require_soffice() else {
        return;
    };
    let dir = tmp();
    let x = official_sample(dir.path());
    let filled = dir.path().join("filled.xlsx");
    std::fs::copy(sample_xlsx(), &filled).unwrap();
    for input in [&x, &filled] {
        for fmt in ["ods", "xls"] {
            soffice_convert(&soffice, input, fmt, dir.path());
            let converted = input.with_extension(fmt);
            assert_eq!(
                read_ok(&converted),
                sample_model(),
                "{}",
                converted.display()
            );
        }
    }
}

fn openpyxl(args: &[&str]) -> Option<serde_json::Value> {
    if !require_python_module("openpyxl") {
        return None;
    }
    let script = root().join("tests/py/inspect_workbook.py");
    let out = Command::new("python3")
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openpyxl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

fn sheet<'a>(v: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    v["sheets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap()
}

#[test]
fn openpyxl_sees_merged_headers_print_rows_and_formats() {
    let dir = tmp();
    let x = official_sample(dir.path());
    let Some(v) = openpyxl(&[
        x.to_str().unwrap(),
        "表3 支出总表!B7",
        "表3 支出总表!D6",
        "表3 支出总表!A2",
        "表3 支出总表!L3",
        "表1 收支总表!A6",
    ]) else {
        return;
    };
    let names: Vec<&str> = v["sheets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 12);
    let t9 = sheet(&v, "表9 财政拨款“三公”经费支出表");
    let merged: Vec<&str> = t9["merged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    for m in [
        "A2:T2", "A4:A6", "B4:B6", "C4:E4", "F4:H4", "I4:K4", "L4:T4", "L5:N5", "O5:Q5", "R5:T5",
    ] {
        assert!(merged.contains(&m), "表9 merges {merged:?} lack {m}");
    }
    // From the 表N mark: continuation pages say which table they are.
    assert_eq!(t9["print_title_rows"], "$1:$6");
    assert_eq!(t9["freeze_panes"], "A7");
    let t2 = sheet(&v, "表2 收入总表");
    let merged: Vec<&str> = t2["merged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    for m in [
        "A4:A7", "B4:B7", "C4:O4", "C5:I5", "D6:G6", "J5:J7", "K5:O5", "P4:P7",
    ] {
        assert!(merged.contains(&m), "表2 merges {merged:?} lack {m}");
    }
    for s in v["sheets"].as_array().unwrap() {
        assert_eq!(s["orientation"], "landscape", "{}", s["name"]);
        assert_eq!(s["paper_size"], 9);
        assert_eq!(s["fit_to_page"], true);
        assert_eq!(s["fit_to_height"], 0);
        assert!(s["fit_to_width"].is_null() || s["fit_to_width"] == 1);
        assert_eq!(s["footer"], "第 &P 页，共 &N 页");
        assert!(s["print_title_rows"].as_str().unwrap().starts_with("$1:$"));
    }
    let c = &v["cells"];
    assert_eq!(c["表3 支出总表!B7"]["value"], "201");
    assert_eq!(c["表3 支出总表!B7"]["type"], "s");
    assert_eq!(c["表3 支出总表!D6"]["value"], "44972.11");
    assert_eq!(c["表3 支出总表!D6"]["format"], "#,##0.00");
    assert_eq!(c["表3 支出总表!D6"]["align"], "right");
    assert_eq!(c["表3 支出总表!A2"]["value"], "支出总表");
    assert_eq!(c["表3 支出总表!A2"]["bold"], true);
    assert_eq!(c["表3 支出总表!A2"]["size"], 18.0);
    assert_eq!(c["表3 支出总表!A2"]["align"], "center");
    assert_eq!(c["表3 支出总表!L3"]["value"], "单位:万元");
    assert_eq!(c["表1 收支总表!A6"]["value"], "一、财政拨款");
}

#[test]
fn openpyxl_sees_the_template_protected_with_inputs_unlocked() {
    let dir = tmp();
    let t = dir.path().join("blank.xlsx");
    bin()
        .args(["template", "-o"])
        .arg(&t)
        .args(["--year", "2024"])
        .assert()
        .success();
    let Some(v) = openpyxl(&[
        t.to_str().unwrap(),
        "表3 支出总表!D6",
        "表3 支出总表!D4",
        "表3 支出总表!B6",
        "表1 收支总表!B6",
    ]) else {
        return;
    };
    for s in v["sheets"].as_array().unwrap().iter().skip(1) {
        assert_eq!(s["protected"], true, "{}", s["name"]);
    }
    assert_eq!(sheet(&v, "表3 支出总表")["validations"], 9);
    let c = &v["cells"];
    assert_eq!(c["表3 支出总表!D6"]["locked"], false);
    assert_eq!(c["表3 支出总表!D6"]["format"], "#,##0.00");
    assert_eq!(c["表3 支出总表!D4"]["locked"], true);
    assert_eq!(c["表3 支出总表!D4"]["value"], "支出总计");
    assert_eq!(c["表3 支出总表!B6"]["format"], "@");
    assert_eq!(c["表1 收支总表!B6"]["locked"], false);
}

#[test]
fn a_formula_saved_without_its_value_is_an_error_naming_the_cell() {
    // openpyxl writes formulas with no cached value, as some generators do.
    if !require_python_module("openpyxl") {
        return;
    }
    let dir = tmp();
    let p = dir.path().join("formula.xlsx");
    let code = format!(
        "import openpyxl\nwb = openpyxl.load_workbook({:?})\nwb['表4 基本支出总表']['B7'] = '=SUM(B8:B16)'\nwb.save({:?})\n",
        sample_xlsx().display().to_string(),
        p.display().to_string()
    );
    let out = Command::new("python3")
        .args(["-c", &code])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    bin().arg("check").arg(&p).assert().code(1).stdout(predicates::str::contains(
        "错误 [S-FORMULA] 表4 基本支出总表 '表4 基本支出总表'!B7：公式没有计算结果（文件未保存计算值）；实际：=SUM(B8:B16)",
    ));
}

#[test]
fn annotated_copy_opens_in_libreoffice_with_one_note_per_finding_cell() {
    let dir = tmp();
    let sheets: Vec<budget_tables::read::Sheet> = load(&sample_xlsx())
        .iter()
        .map(|s| {
            if s.name.starts_with("表7") {
                edit(s, |rows| {
                    set(rows, 7, 4, budget_tables::read::Cell::Number(2500.0));
                })
            } else {
                s.clone()
            }
        })
        .collect();
    let input = dir.path().join("broken.xlsx");
    write_sheets(&input, &sheets, true);
    let out = dir.path().join("annotated.xlsx");
    let json = bin()
        .arg("check")
        .arg(&input)
        .args(["--format", "json", "--annotate"])
        .arg(&out)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let mut cells: std::collections::BTreeSet<(String, String)> = Default::default();
    for f in findings {
        if let (Some(s), Some(c)) = (f["sheet"].as_str(), f["cell"].as_str()) {
            cells.insert((s.to_string(), c.to_string()));
        }
    }
    if let Some(soffice) = require_soffice() {
        soffice_convert(&soffice, &out, "pdf", dir.path());
        assert!(std::fs::read(dir.path().join("annotated.pdf"))
            .unwrap()
            .starts_with(b"%PDF"));
    }
    let Some(v) = openpyxl(&[out.to_str().unwrap()]) else {
        return;
    };
    let mut noted: std::collections::BTreeSet<(String, String)> = Default::default();
    for s in v["sheets"].as_array().unwrap() {
        for c in s["comments"].as_array().unwrap() {
            noted.insert((
                s["name"].as_str().unwrap().to_string(),
                c.as_str().unwrap().to_string(),
            ));
        }
    }
    assert_eq!(noted, cells, "one note on every cell a finding names");
    assert!(noted.contains(&(
        "表7 一般公共预算支出表(按功能分类)".to_string(),
        "D8".to_string()
    )));
    assert_eq!(sheet(&v, "检查结果")["max_row"], findings.len() as u64 + 1);
}

/// CSV rows (quotes, doubled quotes, newlines inside quotes).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = vec![Vec::new()];
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => rows.last_mut().unwrap().push(std::mem::take(&mut cur)),
            ('\n', false) => {
                rows.last_mut().unwrap().push(std::mem::take(&mut cur));
                rows.push(Vec::new());
            }
            ('\r', false) => {}
            (c, _) => cur.push(c),
        }
    }
    rows.last_mut().unwrap().push(cur);
    rows
}

/// Every filled amount of a table as the official workbook shows it: 元
/// tables print whole amounts without decimals (`257,700`).
fn shown_amounts(t: &Table, yuan: bool) -> BTreeMap<String, usize> {
    amounts_of(t)
        .into_iter()
        .fold(BTreeMap::new(), |mut m, (shown, n)| {
            let shown = match shown.strip_suffix(".00") {
                Some(whole) if yuan => whole.to_string(),
                _ => shown,
            };
            *m.entry(shown).or_insert(0) += n;
            m
        })
}

#[test]
fn libreoffice_prints_the_official_output_of_every_layout_with_the_models_figures() {
    use budget_tables::spec::{ColumnKind, SpecSet, Unit};
    let Some(soffice) = require_soffice() else {
        return;
    };
    for (sample, layout) in [
        (
            "samples/shanghai-wanli-2024.xlsx",
            "shanghai-budget-department",
        ),
        (
            "samples/shanghai-fuliyuan-2024.xlsx",
            "shanghai-budget-unit",
        ),
        (
            "samples/shanghai-ghzy-2024-final-accounts.xlsx",
            "final-accounts",
        ),
    ] {
        let dir = tmp();
        let specs = SpecSet::builtin_layout(layout).unwrap();
        let model = budget_tables::read::read_path(&root().join(sample), &specs)
            .unwrap()
            .budget;
        let x = dir.path().join("official.xlsx");
        std::fs::write(&x, official::workbook_bytes(&model, &specs).unwrap()).unwrap();
        let csv_dir = printed_and_exported(&soffice, &x, layout);
        for spec in &specs.tables {
            let path = csv_dir.join(format!("official-{}.csv", spec.sheet_name()));
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let amount_cols: Vec<usize> = spec
                .printed_columns()
                .iter()
                .enumerate()
                .filter(|(_, c)| c.kind == ColumnKind::Amount)
                .map(|(i, _)| i)
                .collect();
            let mut seen = BTreeMap::new();
            for row in csv_rows(&text) {
                for &i in &amount_cols {
                    let Some(cell) = row.get(i) else { continue };
                    let digits = cell.replace([',', '.', '-'], "");
                    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
                        *seen.entry(cell.clone()).or_insert(0) += 1;
                    }
                }
            }
            let yuan = spec.unit == Unit::Yuan;
            assert_eq!(
                seen,
                shown_amounts(&model.tables[&spec.id], yuan),
                "{layout} {}",
                spec.sheet_name()
            );
        }
    }
}

/// One amount with 分 in a 元 table gives every amount of that table two
/// decimals (`257,700.00` beside `257,700.80`), as the published tables do;
/// a 元 table of whole amounts keeps printing them whole (#29 item 6).
#[test]
fn a_yuan_table_never_mixes_whole_and_two_decimal_amounts() {
    let dir = tmp();
    let input = sample_edited_at(
        "shanghai-wanli-2024.xlsx",
        ("部门支出总表", "专项普查活动"),
        dir.path(),
        "fen.xlsx",
        |rows, at| {
            if let Cell::Number(x) = &mut rows[at][4] {
                *x += 0.8;
            }
        },
    );
    let out = dir.path().join("official.xlsx");
    bin()
        .arg("convert")
        .arg(&input)
        .arg("--allow-errors")
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1);
    let refs: Vec<String> = (6..16)
        .map(|r| format!("部门支出总表!E{r}"))
        .chain((6..16).map(|r| format!("部门收入总表!E{r}")))
        .collect();
    let mut args = vec![out.to_str().unwrap()];
    args.extend(refs.iter().map(String::as_str));
    let Some(v) = openpyxl(&args) else {
        return;
    };
    let c = &v["cells"];
    let amounts = |sheet: &str| -> Vec<(String, String)> {
        refs.iter()
            .filter(|r| r.starts_with(sheet))
            .map(|r| &c[r.as_str()])
            .filter(|x| x["format"] != "@")
            .filter(|x| {
                x["value"].is_number()
                    || x["value"]
                        .as_str()
                        .is_some_and(|s| s.parse::<f64>().is_ok())
            })
            .map(|x| {
                (
                    x["value"].to_string(),
                    x["format"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let spent = amounts("部门支出总表");
    assert!(spent.iter().any(|(v, _)| v == "\"257700.8\""), "{spent:?}");
    assert!(spent.len() > 3, "{spent:?}");
    assert!(spent.iter().all(|(_, f)| f == "#,##0.00"), "{spent:?}");
    let income = amounts("部门收入总表");
    assert!(!income.is_empty());
    assert!(income.iter().all(|(_, f)| f == "#,##0"), "{income:?}");
}
