//! The official workbook prints like the published tables: every page says
//! which table it is, 表12's indicators start a page under their heading, and
//! 表4 shows its 类 and 款 as 表8 does.

mod common;

use common::*;

fn official(dir: &std::path::Path) -> std::path::PathBuf {
    let out = dir.join("公开.xlsx");
    bin()
        .arg("convert")
        .arg(sample_xlsx())
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    out
}

#[test]
fn every_printed_page_names_its_table() {
    let Some(soffice) = require_soffice() else {
        return;
    };
    if !require_tool("pdftotext", "poppler-utils") {
        return;
    }
    let dir = tmp();
    let out = official(dir.path());
    soffice_convert(&soffice, &out, "pdf", dir.path());
    let firsts: Vec<String> = pdf_pages(&dir.path().join("公开.pdf"))
        .iter()
        .map(|p| p.split_whitespace().next().unwrap_or("").to_string())
        .collect();
    // 表8 and 表12 take two pages each; their second pages say so too.
    let want: Vec<String> = [1, 2, 3, 4, 5, 6, 7, 8, 8, 9, 10, 11, 12, 12]
        .iter()
        .map(|n| format!("表{n}"))
        .collect();
    assert_eq!(firsts, want);
}

#[test]
fn the_indicators_start_a_page_and_table4_shows_its_levels() {
    let dir = tmp();
    let out = official(dir.path());
    let sheets = load(&out);
    let t12 = sheet_named(&sheets, "表12");
    let heading = find_row(t12, "一级指标");
    let xml = zip_part(&out, "xl/worksheets/sheet12.xml");
    assert!(
        xml.contains(&format!("<brk id=\"{heading}\"")),
        "a page break above row {}: {}",
        heading + 1,
        &xml[xml.find("<rowBreaks").unwrap_or(0)..]
    );
    // 表4: 款 indented under their 类, as 表8 prints them.
    let t4 = sheet_named(&sheets, "表4");
    let lei = find_row(t4, "工资福利支出");
    let kuan = find_row(t4, "基本工资");
    let styles = zip_part(&out, "xl/styles.xml");
    let s4 = zip_part(&out, "xl/worksheets/sheet4.xml");
    let style_of = |r: u32| -> usize {
        let at = s4.find(&format!("<c r=\"A{}\"", r + 1)).unwrap();
        let tag = &s4[at..at + s4[at..].find('>').unwrap()];
        tag.split(" s=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let xfs = &styles[styles.find("<cellXfs").unwrap()..];
    let xf = |i: usize| {
        xfs.split("<xf ")
            .nth(i + 1)
            .unwrap()
            .split("</xf>")
            .next()
            .unwrap()
    };
    assert!(
        xf(style_of(kuan)).contains("indent=\"1\""),
        "{}",
        xf(style_of(kuan))
    );
    assert!(
        !xf(style_of(lei)).contains("indent="),
        "{}",
        xf(style_of(lei))
    );
    // Print titles from the 表N mark down, on every table.
    let book = zip_part(&out, "xl/workbook.xml");
    let titles = book.matches("_xlnm.Print_Titles").count();
    assert_eq!(titles, 12);
    assert!(!book.contains("!$2:$"), "titles start at row 1: {book}");
}

#[test]
fn names_are_printed_with_the_layouts_brackets() {
    // A clerk types 因公出国（境）费用 with full-width brackets in 表8; the
    // Shenzhen tables print 因公出国(境)费用.
    let dir = tmp();
    let sheets: Vec<budget_tables::read::Sheet> = load(&sample_xlsx())
        .iter()
        .map(|s| {
            if !s.name.starts_with("表8") {
                return s.clone();
            }
            let r = find_row(s, "因公出国(境)费用");
            edit(s, |rows| {
                set(
                    rows,
                    r,
                    2,
                    budget_tables::read::Cell::Text("因公出国（境）费用".into()),
                );
            })
        })
        .collect();
    let input = dir.path().join("全角.xlsx");
    write_sheets(&input, &sheets, true);
    let out = dir.path().join("公开.xlsx");
    bin()
        .arg("convert")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let printed = load(&out);
    let t8 = sheet_named(&printed, "表8");
    let r = find_row(t8, "因公出国(境)费用");
    assert_eq!(t8.get(r, 1).text(), "30212");
    assert!((0..t8.height()).all(|r| !t8.get(r, 2).text().contains('（')));
}

/// The body sheets are written row by row (constant memory): each row must be
/// written once, in order — rust_xlsxwriter 0.102 repeats a last row that has
/// a height of its own unless the sheet is ended past it — and nothing
/// written may be lost; the same model gives the same bytes every time.
#[test]
fn each_row_is_written_once_and_a_big_department_reads_back_whole() {
    use budget_tables::{read, sample, write::official};
    let specs = specs();
    let big = sample::generate_units(&sample::base(), &specs, 3, 30);
    let bytes = official::workbook_bytes(&big, &specs).unwrap();
    assert_eq!(bytes, official::workbook_bytes(&big, &specs).unwrap());
    let dir = tmp();
    let path = file(dir.path(), "大部门.xlsx", &bytes);
    let mut sheets = 0;
    for n in 1..=12 {
        let xml = zip_part(&path, &format!("xl/worksheets/sheet{n}.xml"));
        let rows: Vec<u32> = xml
            .split("<row r=\"")
            .skip(1)
            .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
            .collect();
        assert!(rows.windows(2).all(|w| w[0] < w[1]), "sheet{n}: {rows:?}");
        assert!(rows.len() > 4, "sheet{n}");
        sheets += 1;
    }
    assert_eq!(sheets, 12);
    let back = read::read_path(&path, &specs).unwrap().budget;
    // The layout prints names with half-width brackets (as published).
    let published = |t: &budget_tables::model::Table| {
        serde_json::to_string(t)
            .unwrap()
            .replace('（', "(")
            .replace('）', ")")
    };
    assert_eq!(back.tables.len(), big.tables.len());
    for (id, t) in &big.tables {
        assert_eq!(published(&back.tables[id]), published(t), "{id}");
    }
    assert_eq!((back.department, back.year), (big.department, big.year));
}
