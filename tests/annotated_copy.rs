//! The annotated copy of an xlsx is the clerk's own workbook: every part of
//! the input package is kept, and only the flagged cells' styles, the
//! comments, the 检查结果 sheet and what points at them are added.

mod common;

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};
use std::path::Path;

use common::*;

/// Every part of a package by name, decompressed.
fn parts(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut v = Vec::new();
            f.read_to_end(&mut v).unwrap();
            (f.name().unwrap().to_string(), v)
        })
        .collect()
}

/// `bytes` with the first `from` in part `name` replaced by `to`; every other
/// part copied as it is.
fn with_edit(bytes: &[u8], name: &str, from: &str, to: &str) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..z.len() {
        let n = z.by_index_raw(i).unwrap().name().unwrap().to_string();
        if n == name {
            let mut s = String::new();
            z.by_index(i).unwrap().read_to_string(&mut s).unwrap();
            assert!(s.contains(from), "{from} not in {name}");
            w.start_file(n, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(s.replacen(from, to, 1).as_bytes()).unwrap();
        } else {
            w.raw_copy_file(z.by_index_raw(i).unwrap()).unwrap();
        }
    }
    w.finish().unwrap().into_inner()
}

/// A sheet part with the cells' style attributes, the cells written only to
/// carry a style, and the comments' drawing taken out.
fn without_styles(xml: &str) -> String {
    let mut s = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(i) = rest.find(" s=\"") {
        s.push_str(&rest[..i]);
        let after = &rest[i + 4..];
        let end = after.find('"').unwrap();
        rest = &after[end + 1..];
    }
    s.push_str(rest);
    let mut out = String::new();
    let mut rest = s.as_str();
    loop {
        let next = ["<c r=\"", "<legacyDrawing "]
            .iter()
            .filter_map(|p| rest.find(p))
            .min();
        let Some(i) = next else { break };
        let end = rest[i..].find('>').unwrap() + i + 1;
        let tag = &rest[i..end];
        out.push_str(&rest[..i]);
        if !(tag.ends_with("/>")) {
            out.push_str(tag);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The 万里街道 2024 workbook with 201 一般公共服务支出 合计 (部门支出总表 E9)
/// raised by 1,000 元.
fn broken_wanli(dir: &Path) -> std::path::PathBuf {
    let bytes = std::fs::read(root().join("samples/shanghai-wanli-2024.xlsx")).unwrap();
    let p = dir.join("万里 2024.xlsx");
    std::fs::write(
        &p,
        with_edit(
            &bytes,
            "xl/worksheets/sheet9.xml",
            "<v>2932700</v>",
            "<v>2933700</v>",
        ),
    )
    .unwrap();
    p
}

#[test]
fn the_copy_keeps_every_part_of_the_input_package() {
    let dir = tmp();
    let input = broken_wanli(dir.path());
    let copy = dir.path().join("标注.xlsx");
    annotate(&input, &copy).code(1);
    let before = parts(&std::fs::read(&input).unwrap());
    let after = parts(&std::fs::read(&copy).unwrap());
    // Parts that point at the additions, and the sheets with flagged cells.
    let pointing = [
        "[Content_Types].xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
    ];
    // sheet6 is 部门编制说明: the published text's 住房公积金 figure (352.67 for
    // the table's 350.35) and a rate from 0 are flagged at its cell.
    let flagged = [
        "xl/worksheets/sheet6.xml",
        "xl/worksheets/sheet7.xml",
        "xl/worksheets/sheet8.xml",
        "xl/worksheets/sheet9.xml",
        "xl/worksheets/sheet11.xml",
    ];
    for (name, bytes) in &before {
        let copied = &after[name];
        if flagged.contains(&name.as_str()) {
            let (a, b) = (
                String::from_utf8_lossy(bytes),
                String::from_utf8_lossy(copied),
            );
            assert_ne!(a, b, "{name} has flagged cells");
            assert_eq!(without_styles(&a), without_styles(&b), "{name}");
        } else if !pointing.contains(&name.as_str()) {
            assert_eq!(bytes, copied, "{name} is byte-identical");
        }
    }
    let added: Vec<&String> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    assert_eq!(
        added,
        [
            "xl/comments_bt1.xml",
            "xl/comments_bt2.xml",
            "xl/comments_bt3.xml",
            "xl/comments_bt4.xml",
            "xl/comments_bt5.xml",
            "xl/drawings/vmlDrawing_bt1.vml",
            "xl/drawings/vmlDrawing_bt2.vml",
            "xl/drawings/vmlDrawing_bt3.vml",
            "xl/drawings/vmlDrawing_bt4.vml",
            "xl/drawings/vmlDrawing_bt5.vml",
            "xl/worksheets/_rels/sheet11.xml.rels",
            "xl/worksheets/_rels/sheet6.xml.rels",
            "xl/worksheets/_rels/sheet7.xml.rels",
            "xl/worksheets/_rels/sheet8.xml.rels",
            "xl/worksheets/_rels/sheet9.xml.rels",
            "xl/worksheets/sheet_bt_results.xml",
        ]
    );
    // The workbook part: the input's, plus the sheet and its print titles.
    let book = String::from_utf8_lossy(&after["xl/workbook.xml"]).to_string();
    assert!(book.contains(r#"name="检查结果" sheetId="18""#), "{book}");
    // The suspect strongly, the other cells of the broken rules lightly, the
    // finding's own text as a note.
    let s9 = String::from_utf8_lossy(&after["xl/worksheets/sheet9.xml"]).to_string();
    let styles = String::from_utf8_lossy(&after["xl/styles.xml"]).to_string();
    let xf_fill = |cell: &str| -> String {
        let at = s9.find(&format!("<c r=\"{cell}\"")).unwrap();
        let tag = &s9[at..at + s9[at..].find('>').unwrap()];
        let s: usize = tag
            .split(" s=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let xfs = &styles[styles.find("<cellXfs").unwrap()..];
        let xf = xfs.split("<xf ").nth(s + 1).unwrap();
        let fill: usize = xf
            .split("fillId=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let fills = &styles[styles.find("<fills").unwrap()..];
        let f = fills.split("<fill>").nth(fill + 1).unwrap();
        f.split("rgb=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(xf_fill("E9"), "FFFF7C80", "the suspect: strong red");
    assert_eq!(
        xf_fill("E10"),
        "FFFCE4E4",
        "a cell of the broken sum: light red"
    );
    let notes = String::from_utf8_lossy(&after["xl/comments_bt3.xml"]).to_string();
    assert!(notes.contains(r#"<comment ref="E9""#), "{notes}");
    // 检查结果: the most likely wrong cell, linked.
    let results = String::from_utf8_lossy(&after["xl/worksheets/sheet_bt_results.xml"]).to_string();
    assert!(results.contains("最可能出错的单元格"));
    assert!(
        results.contains(r#"location="&apos;部门支出总表&apos;!E9""#),
        "{results}"
    );
    // The same input gives the same copy.
    let again = dir.path().join("标注2.xlsx");
    annotate(&input, &again).code(1);
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        std::fs::read(&again).unwrap()
    );
}

#[test]
fn libreoffice_prints_the_copy_as_the_input_plus_the_findings() {
    let Some(soffice) = require_soffice() else {
        return;
    };
    if !require_tool("pdftotext", "poppler-utils") {
        return;
    }
    let dir = tmp();
    let input = broken_wanli(dir.path());
    let copy = dir.path().join("copy.xlsx");
    annotate(&input, &copy).code(1);
    let out = dir.path().join("pdf");
    std::fs::create_dir_all(&out).unwrap();
    soffice_convert(&soffice, &input, "pdf", &out);
    soffice_convert(&soffice, &copy, "pdf", &out);
    let before = pdf_pages(&out.join("万里 2024.pdf"));
    let after = pdf_pages(&out.join("copy.pdf"));
    let (results, own): (Vec<&String>, Vec<&String>) =
        after.iter().partition(|p| p.contains("检查结果 第"));
    assert_eq!(before.len(), 51, "the input prints as 51 pages");
    assert_eq!(
        own.len(),
        before.len(),
        "the copy's own sheets print as the input's"
    );
    // The findings print on two pages: only where, what and how to fix, at
    // a readable size (13 columns squeezed into one page were ~4 pt).
    assert_eq!(results.len(), 2);
    assert!(results[0].contains("序号") && results[0].contains("修改建议"));
    assert!(!results[0].contains("最可能出错的单元格"));
    for (i, (a, b)) in before.iter().zip(own).enumerate() {
        assert_eq!(a, b, "page {} reads the same", i + 1);
    }
}

#[test]
fn an_ods_copy_says_what_it_does_not_keep() {
    let Some(soffice) = require_soffice() else {
        return;
    };
    let dir = tmp();
    let input = broken_wanli(dir.path());
    soffice_convert(&soffice, &input, "ods", dir.path());
    let ods = dir.path().join("万里 2024.ods");
    let copy = dir.path().join("copy.xlsx");
    annotate(&ods, &copy).code(1);
    let sheets = load(&copy);
    let results = &sheets[0];
    assert_eq!(results.name, "检查结果");
    let last = (0..results.height())
        .map(|r| results.get(r, 0).text())
        .rfind(|t| !t.is_empty())
        .unwrap();
    assert_eq!(last, budget_tables::write::annotate::REBUILT_NOTE);
}

#[test]
fn a_sheet_with_its_own_notes_keeps_them_beside_ours_and_a_results_sheet_name_is_kept() {
    if !require_python_module("openpyxl") {
        return;
    }
    let dir = tmp();
    let broken = broken_wanli(dir.path());
    let input = dir.path().join("有批注.xlsx");
    // The clerk's own 批注 on the flagged sheet, and a sheet already named 检查结果.
    let script = format!(
        r#"
import openpyxl
from openpyxl.comments import Comment
wb = openpyxl.load_workbook({broken:?})
wb['部门支出总表']['F20'].comment = Comment('原有批注', 'clerk')
wb.create_sheet('检查结果')
wb.save({input:?})
"#,
        broken = broken.display().to_string(),
        input = input.display().to_string()
    );
    let ok = std::process::Command::new("python3")
        .args(["-c", &script])
        .status()
        .unwrap();
    assert!(ok.success());
    let copy = dir.path().join("copy.xlsx");
    annotate(&input, &copy).code(1);
    let after = parts(&std::fs::read(&copy).unwrap());
    let before = parts(&std::fs::read(&input).unwrap());
    // The clerk's note stays as it is; ours join the sheet's own comments part
    // and drawing (no second drawing on the sheet).
    let (name, _) = before
        .iter()
        .find(|(n, b)| n.contains("comment") && String::from_utf8_lossy(b).contains("原有批注"))
        .unwrap();
    let merged = String::from_utf8_lossy(&after[name]).to_string();
    assert!(
        merged.contains("<author>clerk</author>")
            && merged.contains("<author>budget-tables</author>")
    );
    assert!(merged.contains("原有批注"));
    assert!(
        merged.contains(r#"<comment ref="E9" authorId="1">"#),
        "{merged}"
    );
    let sheet9 = String::from_utf8_lossy(&after["xl/worksheets/sheet9.xml"]).to_string();
    assert_eq!(sheet9.matches("legacyDrawing").count(), 1);
    let drawing = after
        .iter()
        .find(|(n, _)| n.ends_with(".vml") && before.contains_key(*n))
        .map(|(_, b)| String::from_utf8_lossy(b).to_string())
        .unwrap();
    assert!(drawing.contains("data=\"1,104\""), "{drawing}");
    assert!(
        drawing.contains("_x0000_s106497"),
        "our shapes in their own block"
    );
    let book = String::from_utf8_lossy(&after["xl/workbook.xml"]).to_string();
    assert!(book.contains("name=\"检查结果\""));
    assert!(book.contains("name=\"检查结果(标注)\""));
    let sheets = load(&copy);
    let results = sheets.last().unwrap();
    assert_eq!(results.name, "检查结果(标注)");
    assert_eq!(results.get(0, 6).text(), "最可能出错的单元格");
}
