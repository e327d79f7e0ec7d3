//! The annotated copy of an xlsx workbook, made by adding to the input's own
//! package: a fill per severity in its styles, the flagged cells pointed at
//! them, a comments (批注) part and its drawing per sheet, and a 检查结果
//! sheet. Every other part is copied byte for byte (compressed data
//! included), so page setup, frozen panes, protection, data validation, row
//! heights and column widths are the clerk's own.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{Cursor, Read, Write};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::annotate::{fill_rgb, Mark, Shade, SheetMarks, RESULTS};

mod comments;
mod rels;
mod results;
mod sheet;
mod styles;
mod workbook;

use crate::diag::{Diagnostic, Severity};
use crate::text::{cell_address, display_width};
use comments::*;
use rels::*;
use results::*;
use sheet::*;
use styles::*;
use workbook::*;

/// Why the input's package could not be extended (the caller falls back to a
/// rebuilt copy).
#[derive(Debug, thiserror::Error)]
pub enum PatchError {
    #[error("工作簿结构无法识别：{0}")]
    Structure(String),
    #[error("工作簿压缩包无法读写：{0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("工作簿的 XML 无法解析：{0}")]
    Xml(#[from] quick_xml::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

fn structure(what: impl Into<String>) -> PatchError {
    PatchError::Structure(what.into())
}

/// The copy of `input` (an xlsx package) with `marks` per sheet name and the
/// findings listed on a 检查结果 sheet.
///
/// # Errors
/// [`PatchError`] when the package is not one this can extend.
pub fn annotated_copy(
    input: &[u8],
    marks: &BTreeMap<String, SheetMarks>,
    findings: &[Diagnostic],
) -> Result<Vec<u8>, PatchError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(input))?;
    let mut part = |name: &str| -> Result<String, PatchError> {
        let mut f = zip
            .by_name(name)
            .map_err(|_| structure(format!("缺少 {name}")))?;
        let mut s = String::new();
        f.read_to_string(&mut s)?;
        Ok(s)
    };
    let root_rels = part("_rels/.rels")?;
    let book_path = relationships(&root_rels)?
        .into_iter()
        .find(|r| r.kind.ends_with("/officeDocument"))
        .map(|r| resolve("", &r.target))
        .ok_or_else(|| structure("找不到 workbook 部件"))?;
    let (book_dir, book_file) = split_path(&book_path);
    let book_rels_path = format!("{book_dir}_rels/{book_file}.rels");
    let workbook = part(&book_path)?;
    let book_rels = part(&book_rels_path)?;
    let types = part("[Content_Types].xml")?;
    let rels = relationships(&book_rels)?;
    let styles_path = rels
        .iter()
        .find(|r| r.kind.ends_with("/styles"))
        .map(|r| resolve(book_dir, &r.target))
        .ok_or_else(|| structure("找不到 styles 部件"))?;
    let styles_xml = part(&styles_path)?;
    let sheets = sheets_of(&workbook)?;

    // Which (input style, severity, shade) each flagged cell needs.
    let mut sheet_xml: Vec<(String, String, &SheetMarks)> = Vec::new();
    for (name, rid) in &sheets {
        let Some(m) = marks.get(name).filter(|m| !m.is_empty()) else {
            continue;
        };
        let target = rels
            .iter()
            .find(|r| &r.id == rid)
            .map(|r| resolve(book_dir, &r.target))
            .ok_or_else(|| structure(format!("工作表“{name}”的部件找不到")))?;
        let xml = part(&target)?;
        sheet_xml.push((target, xml, m));
    }
    let mut needed: BTreeSet<(u32, Severity, Shade)> = BTreeSet::new();
    let mut bases = Vec::new();
    for (_, xml, m) in &sheet_xml {
        let styles = cell_styles(xml, m)?;
        for (pos, mark) in *m {
            needed.insert((
                styles.get(pos).copied().unwrap_or(0),
                mark.severity,
                mark.shade,
            ));
        }
        bases.push(styles);
    }
    let patched = patch_styles(&styles_xml, &needed)?;

    let mut out: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut added: Vec<(String, Vec<u8>)> = Vec::new();
    let mut overrides: Vec<(String, &str)> = Vec::new();
    for (i, (path, xml, m)) in sheet_xml.iter().enumerate() {
        let n = i + 1;
        let has_notes = !xml.contains("legacyDrawing ") && !xml.contains("legacyDrawing>");
        let notes: Vec<((u32, u32), &Mark)> = m
            .iter()
            .filter(|(_, mk)| !mk.notes.is_empty())
            .map(|(p, mk)| (*p, mk))
            .collect();
        let with_notes = has_notes && !notes.is_empty();
        if !has_notes && !notes.is_empty() {
            if let Some(parts) = merge_notes(&mut zip, path, xml, &notes, n)? {
                for (name, text) in parts {
                    out.insert(name, text.into_bytes());
                }
            }
        }
        let (dir, file) = split_path(path);
        let rels_path = format!("{dir}_rels/{file}.rels");
        let mut rid = None;
        if with_notes {
            let existing = match zip.by_name(&rels_path) {
                Ok(mut f) => {
                    let mut s = String::new();
                    f.read_to_string(&mut s)?;
                    Some(s)
                }
                Err(_) => None,
            };
            let comments = format!("xl/comments_bt{n}.xml");
            let vml = format!("xl/drawings/vmlDrawing_bt{n}.vml");
            let up = "../".repeat(dir.matches('/').count().saturating_sub(1));
            let (rels_xml, vml_id) = add_relationships(
                existing.as_deref(),
                &[
                    (REL_COMMENTS, format!("{up}comments_bt{n}.xml")),
                    (REL_VML, format!("{up}drawings/vmlDrawing_bt{n}.vml")),
                ],
            )?;
            rid = Some(vml_id);
            if existing.is_some() {
                out.insert(rels_path, rels_xml.into_bytes());
            } else {
                added.push((rels_path, rels_xml.into_bytes()));
            }
            added.push((comments.clone(), comments_xml(&notes).into_bytes()));
            added.push((vml, vml_xml(n, &notes).into_bytes()));
            overrides.push((format!("/{comments}"), CT_COMMENTS));
        }
        let new = patch_sheet(xml, m, &bases[i], &patched.xf, rid.as_deref())?;
        out.insert(path.clone(), new.into_bytes());
    }
    out.insert(styles_path, patched.xml.into_bytes());

    // The 检查结果 sheet, last (sheet indices of print areas stay as they are).
    let names: BTreeSet<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    let results_name = if names.contains(RESULTS) {
        format!("{RESULTS}(标注)")
    } else {
        RESULTS.to_string()
    };
    let results_path = format!("{book_dir}worksheets/sheet_bt_results.xml");
    let results_rid = add_relationships(
        Some(&book_rels),
        &[(REL_SHEET, "worksheets/sheet_bt_results.xml".to_string())],
    )?;
    out.insert(book_rels_path, results_rid.0.into_bytes());
    out.insert(
        book_path.clone(),
        add_sheet(&workbook, &results_name, &results_rid.1, sheets.len())?.into_bytes(),
    );
    added.push((
        results_path.clone(),
        results_sheet(findings, &patched.results).into_bytes(),
    ));
    overrides.push((format!("/{results_path}"), CT_SHEET));
    let vml_default = overrides.iter().any(|(_, t)| *t == CT_COMMENTS);
    out.insert(
        "[Content_Types].xml".into(),
        add_types(&types, &overrides, vml_default).into_bytes(),
    );
    assemble(&mut zip, &out, &added)
}

/// The input's entries in their order, each either copied raw or replaced,
/// then the new parts.
fn assemble(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    replaced: &BTreeMap<String, Vec<u8>>,
    added: &[(String, Vec<u8>)],
) -> Result<Vec<u8>, PatchError> {
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let name = zip.by_index_raw(i)?.name()?.to_string();
        match replaced.get(&name) {
            Some(bytes) => {
                w.start_file(name, options)?;
                w.write_all(bytes)?;
            }
            None => w.raw_copy_file(zip.by_index_raw(i)?)?,
        }
    }
    for (name, bytes) in added {
        w.start_file(name.as_str(), options)?;
        w.write_all(bytes)?;
    }
    Ok(w.finish()?.into_inner())
}

// ------------------------------------------------------------ relationships

/// The 检查结果 sheet's styles.
#[derive(Clone, Copy, Default)]
pub(crate) struct ResultStyles {
    head: u32,
    body: u32,
    link: u32,
    severity: [u32; 3],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_set_or_added_on_the_start_tag_only() {
        assert_eq!(
            set_attr(r#"<xf fillId="0" numFmtId="4"/>"#, "fillId", "7"),
            r#"<xf fillId="7" numFmtId="4"/>"#
        );
        assert_eq!(
            set_attr(
                r#"<xf numFmtId="4"><alignment fillId="1"/></xf>"#,
                "fillId",
                "7"
            ),
            r#"<xf numFmtId="4" fillId="7"><alignment fillId="1"/></xf>"#
        );
        assert_eq!(set_attr(r#"<c r="A1">"#, "s", "3"), r#"<c r="A1" s="3">"#);
        assert_eq!(
            set_attr(r#"<c r="A1" as="2" s="1">"#, "s", "3"),
            r#"<c r="A1" as="2" s="3">"#
        );
    }

    #[test]
    fn print_titles_go_where_the_schema_puts_defined_names() {
        let book = r#"<workbook><sheets><sheet name="a" sheetId="1" r:id="rId1"/></sheets><externalReferences><externalReference r:id="rId9"/></externalReferences><calcPr calcId="1"/></workbook>"#;
        let out = add_sheet(book, "检查结果", "rIdBt1", 1).unwrap();
        let names = out.find("<definedNames>").unwrap();
        assert!(out.find("</externalReferences>").unwrap() < names);
        assert!(names < out.find("<calcPr").unwrap());
        assert!(out.contains(r#"localSheetId="1">'检查结果'!$1:$1</definedName>"#));
    }

    #[test]
    fn targets_resolve_against_their_folder() {
        assert_eq!(
            resolve("xl/", "worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve("xl/worksheets/", "../comments1.xml"),
            "xl/comments1.xml"
        );
        assert_eq!(
            resolve("xl/", "/xl/worksheets/sheet2.xml"),
            "xl/worksheets/sheet2.xml"
        );
    }
}
