//! A fifth producer: each layout's own official tables, printed to PDF by
//! LibreOffice (print titles repeated on every page, tables over several
//! pages), read back to the same model; and the annotated copy of a
//! published PDF: the original bytes with the findings added as notes.

mod common;

use common::*;

const SAMPLES: [&str; 5] = [
    "shenzhen-zwfw-2024",
    "shenzhen-zwfw-2023",
    "shanghai-wanli-2024",
    "shanghai-fuliyuan-2024",
    "shanghai-ghzy-2024-final-accounts",
];

#[test]
fn every_layouts_printed_tables_read_back_to_the_same_model() {
    let Some(soffice) = require_soffice() else {
        return;
    };
    let dir = tmp();
    for s in SAMPLES {
        let official = dir.path().join(format!("{s}.xlsx"));
        bin()
            .args(["convert", "--allow-errors"])
            .arg(root().join("samples").join(format!("{s}.xlsx")))
            .arg("-o")
            .arg(&official)
            .assert()
            .code(predicates::ord::le(1));
        soffice_convert(&soffice, &official, "pdf", dir.path());
        let printed = dir.path().join(format!("{s}.pdf"));
        assert_eq!(
            printed_model(&printed),
            printed_model(&official),
            "{s}: the printed PDF reads differently"
        );
    }
}

#[test]
fn the_annotated_copy_of_a_pdf_keeps_it_and_adds_a_note_per_flagged_place() {
    let dir = tmp();
    let input = root().join("tests/fixtures/pdf/putuo-ghzy-2024-final-accounts.pdf");
    let out = dir.path().join("标注.pdf");
    bin()
        .arg("check")
        .arg(&input)
        .arg("--annotate")
        .arg(&out)
        .assert()
        .code(1)
        .stdout(predicates::str::contains("已另存标注副本"));
    let original = std::fs::read(&input).unwrap();
    let annotated = std::fs::read(&out).unwrap();
    // An incremental update: every byte of the original stays where it was.
    assert_eq!(&annotated[..original.len()], &original[..]);
    let notes = notes(&annotated);
    // One per flagged cell or paragraph (two findings of one paragraph share a note).
    assert_eq!(notes.len(), 17, "{notes:#?}");
    let on_14: Vec<&(u32, String)> = notes.iter().filter(|(p, _)| *p == 14).collect();
    assert_eq!(on_14.len(), 3, "{on_14:#?}");
    assert!(on_14.iter().any(|(_, n)| n.starts_with(
        "警告 [F5-ROW-01] 表5 一般公共预算财政拨款支出决算表 第14页 [2120101 行政运行 | 合计]"
    )));
    // The copy reads as the original: the notes are not the document's text.
    let before = findings_of(&input);
    let after = findings_of(&out);
    assert_eq!(before, after);
    if require_tool("qpdf", "qpdf") {
        let q = std::process::Command::new("qpdf")
            .arg("--check")
            .arg(&out)
            .output()
            .unwrap();
        assert!(q.status.success(), "{}", String::from_utf8_lossy(&q.stdout));
    }
    // A workbook cannot be annotated as a PDF.
    bin()
        .args(["check", "--annotate"])
        .arg(dir.path().join("x.pdf"))
        .arg(sample_xlsx())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("输出为 PDF 只适用于 PDF 输入"));
}

/// (page, note) of every annotation budget-tables added.
fn notes(pdf: &[u8]) -> Vec<(u32, String)> {
    let doc = hayro_syntax::Pdf::new(pdf.to_vec()).unwrap();
    let mut out = Vec::new();
    for (i, page) in doc.pages().iter().enumerate() {
        let Some(annots) = page.raw().get::<hayro_syntax::object::Array<'_>>(b"Annots") else {
            continue;
        };
        for a in annots.iter::<hayro_syntax::object::Dict<'_>>() {
            let author = a
                .get::<hayro_syntax::object::String<'_>>(b"T")
                .map(|t| t.as_bytes().to_vec());
            if author.as_deref() != Some(&utf16("budget-tables")[..]) {
                continue;
            }
            let c = a
                .get::<hayro_syntax::object::String<'_>>(b"Contents")
                .unwrap();
            let units: Vec<u16> = c.as_bytes()[2..]
                .chunks(2)
                .map(|p| u16::from_be_bytes([p[0], p[1]]))
                .collect();
            out.push((i as u32 + 1, String::from_utf16(&units).unwrap()));
        }
    }
    out
}

fn utf16(s: &str) -> Vec<u8> {
    let mut v = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        v.extend(u.to_be_bytes());
    }
    v
}

fn findings_of(path: &std::path::Path) -> Vec<String> {
    let layouts = budget_tables::spec::SpecSet::builtin_all().unwrap();
    let opts = budget_tables::validate::Options::builtin().unwrap();
    let (i, out) = budget_tables::pipeline::read(path, &layouts, &opts).unwrap();
    budget_tables::pipeline::check(&out, &layouts[i], &opts)
        .findings
        .iter()
        .map(|d| d.to_string().replace(&path.display().to_string(), ""))
        .collect()
}

/// A table printed without ruling lines is not guessed at: it is named at
/// its page as a table the reader cannot take apart.
#[test]
fn a_table_printed_without_lines_is_named_at_its_page() {
    let Some(soffice) = require_soffice() else {
        return;
    };
    if !require_python_module("openpyxl") {
        return;
    }
    let dir = tmp();
    let official = dir.path().join("official.xlsx");
    bin()
        .args(["convert", "--allow-errors"])
        .arg(root().join("samples/shanghai-fuliyuan-2024.xlsx"))
        .arg("-o")
        .arg(&official)
        .assert()
        .code(1);
    let bare = dir.path().join("bare.xlsx");
    let script = "import openpyxl,sys\nfrom openpyxl.styles import Border\nwb=openpyxl.load_workbook(sys.argv[1])\nfor row in wb['单位“三公”经费和机关运行费预算表'].iter_rows():\n    for c in row: c.border=Border()\nwb.save(sys.argv[2])\n";
    let ok = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&official)
        .arg(&bare)
        .status()
        .unwrap();
    assert!(ok.success());
    soffice_convert(&soffice, &bare, "pdf", dir.path());
    let d = findings_of(&dir.path().join("bare.pdf"));
    let missing: Vec<&String> = d.iter().filter(|f| f.contains("S-TABLE-MISSING")).collect();
    assert_eq!(missing.len(), 1, "{d:#?}");
    assert!(
        missing[0].contains("单位“三公”经费和机关运行费预算表 第")
            && missing[0].contains("页：印有“2024年单位“三公”经费和机关运行经费预算表”，但其下没有画出表格线的表格，无法逐格读取"),
        "{}",
        missing[0]
    );
}
