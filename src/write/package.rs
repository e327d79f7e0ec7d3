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
use crate::diag::{Diagnostic, Severity};
use crate::text::{cell_address, display_width};

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

const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const REL_COMMENTS: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments";
const REL_VML: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing";
const REL_SHEET: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet";
const CT_COMMENTS: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml";
const CT_SHEET: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml";
const CT_VML: &str = "application/vnd.openxmlformats-officedocument.vmlDrawing";

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

struct Rel {
    id: String,
    kind: String,
    target: String,
}

fn relationships(xml: &str) -> Result<Vec<Rel>, PatchError> {
    let mut r = Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match r.read_event()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                out.push(Rel {
                    id: attr(&e, "Id").unwrap_or_default(),
                    kind: attr(&e, "Type").unwrap_or_default(),
                    target: attr(&e, "Target").unwrap_or_default(),
                });
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// An attribute's unescaped value, by local name.
fn attr(e: &BytesStart, local: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == local).then(|| {
            quick_xml::escape::unescape(&a.value)
                .map(std::borrow::Cow::into_owned)
                .unwrap_or_else(|_| a.value.to_string())
        })
    })
}

/// `xl/` and `workbook.xml` of `xl/workbook.xml`.
fn split_path(p: &str) -> (&str, &str) {
    match p.rfind('/') {
        Some(i) => (&p[..=i], &p[i + 1..]),
        None => ("", p),
    }
}

/// A relationship target as a package path.
fn resolve(dir: &str, target: &str) -> String {
    if let Some(abs) = target.strip_prefix('/') {
        return abs.to_string();
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in target.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// `xml` (a .rels part, or none) with `new` relationships added under ids it
/// does not use; returns it and the id of the last one added.
fn add_relationships(
    xml: Option<&str>,
    new: &[(&str, String)],
) -> Result<(String, String), PatchError> {
    let existing = xml.map(relationships).transpose()?.unwrap_or_default();
    let mut n = 1;
    let mut lines = String::new();
    let mut last = String::new();
    for (kind, target) in new {
        while existing.iter().any(|r| r.id == format!("rIdBt{n}")) {
            n += 1;
        }
        last = format!("rIdBt{n}");
        lines.push_str(&format!(
            r#"<Relationship Id="{last}" Type="{kind}" Target="{}"/>"#,
            esc(target)
        ));
        n += 1;
    }
    let out = match xml {
        Some(x) => {
            let at = x
                .rfind("</")
                .filter(|&i| x[i..].contains("Relationships"))
                .ok_or_else(|| structure("关系部件没有结束标记"))?;
            format!("{}{lines}{}", &x[..at], &x[at..])
        }
        None => format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{lines}</Relationships>"#
        ),
    };
    Ok((out, last))
}

// ------------------------------------------------------------ workbook

/// The sheets of a workbook part: (name, relationship id), in order.
fn sheets_of(xml: &str) -> Result<Vec<(String, String)>, PatchError> {
    let mut r = Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match r.read_event()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "sheet" => {
                let rid = e.attributes().flatten().find_map(|a| {
                    (a.key.local_name().as_ref() == "id" && a.key.prefix().is_some())
                        .then(|| a.value.to_string())
                });
                out.push((
                    attr(&e, "name").unwrap_or_default(),
                    rid.unwrap_or_default(),
                ));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// The workbook part with a sheet appended (at index `index`) and its header
/// row printed on every page.
fn add_sheet(xml: &str, name: &str, rid: &str, index: usize) -> Result<String, PatchError> {
    let prefix = root_prefix(xml);
    let sheets_end = format!("</{prefix}sheets>");
    let at = xml
        .find(&sheets_end)
        .ok_or_else(|| structure("workbook 中没有 sheets"))?;
    let max_id = sheet_ids(xml)?.into_iter().max().unwrap_or(0);
    let sheet = format!(
        r#"<{prefix}sheet xmlns:r="{REL_NS}" name="{}" sheetId="{}" r:id="{rid}"/>"#,
        esc(name),
        max_id + 1
    );
    let mut s = format!("{}{sheet}{}", &xml[..at], &xml[at..]);
    let titles = format!(
        r#"<{prefix}definedName name="_xlnm.Print_Titles" localSheetId="{index}">'{}'!$1:$1</{prefix}definedName>"#,
        esc(&name.replace('\'', "''"))
    );
    let names_end = format!("</{prefix}definedNames>");
    if let Some(i) = s.find(&names_end) {
        s.insert_str(i, &titles);
    } else {
        // definedNames goes after sheets and externalReferences, before calcPr
        // and whatever else the schema puts later.
        let later = [
            "calcPr",
            "oleSize",
            "customWorkbookViews",
            "pivotCaches",
            "smartTagPr",
            "smartTagTypes",
            "webPublishing",
            "fileRecoveryPr",
            "webPublishObjects",
            "extLst",
        ];
        let i = later
            .iter()
            .filter_map(|t| s.find(&format!("<{prefix}{t}")))
            .min()
            .or_else(|| s.rfind(&format!("</{prefix}workbook>")))
            .ok_or_else(|| structure("workbook 没有结束标记"))?;
        s.insert_str(
            i,
            &format!("<{prefix}definedNames>{titles}</{prefix}definedNames>"),
        );
    }
    Ok(s)
}

fn sheet_ids(xml: &str) -> Result<Vec<u32>, PatchError> {
    let mut r = Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match r.read_event()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "sheet" => {
                out.extend(attr(&e, "sheetId").and_then(|v| v.parse::<u32>().ok()));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// `x:` when the root element is written `<x:workbook …>`, else empty.
fn root_prefix(xml: &str) -> String {
    let mut r = Reader::from_str(xml);
    loop {
        match r.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                return e
                    .name()
                    .prefix()
                    .map(|p| format!("{}:", p.as_ref()))
                    .unwrap_or_default();
            }
            Ok(Event::Eof) | Err(_) => return String::new(),
            _ => {}
        }
    }
}

fn add_types(xml: &str, overrides: &[(String, &str)], vml: bool) -> String {
    let mut lines = String::new();
    if vml && !xml.to_ascii_lowercase().contains("extension=\"vml\"") {
        lines.push_str(&format!(
            r#"<Default Extension="vml" ContentType="{CT_VML}"/>"#
        ));
    }
    for (part, kind) in overrides {
        lines.push_str(&format!(
            r#"<Override PartName="{}" ContentType="{kind}"/>"#,
            esc(part)
        ));
    }
    match xml.rfind("</") {
        Some(at) => format!("{}{lines}{}", &xml[..at], &xml[at..]),
        None => xml.to_string(),
    }
}

// ------------------------------------------------------------ styles

/// The style indices (cellXfs) the copy adds.
struct Patched {
    xml: String,
    /// (input style, severity, shade) → the copy's style.
    xf: HashMap<(u32, Severity, Shade), u32>,
    results: ResultStyles,
}

/// The 检查结果 sheet's styles.
#[derive(Clone, Copy, Default)]
pub(crate) struct ResultStyles {
    head: u32,
    body: u32,
    link: u32,
    severity: [u32; 3],
}

/// Spans of one element: its start tag and its end tag (equal for `<x/>`).
struct Span {
    start: (usize, usize),
    end: (usize, usize),
    children: Vec<(usize, usize)>,
}

/// The top-level elements of a styles part (`fills`, `cellXfs`, …) with
/// the spans of their children.
fn top_elements(xml: &str) -> Result<HashMap<String, Span>, PatchError> {
    let mut r = Reader::from_str(xml);
    let mut out: HashMap<String, Span> = HashMap::new();
    let mut depth = 0usize;
    let mut current: Option<(String, Span)> = None;
    let mut child_start = 0usize;
    loop {
        let before = usize::try_from(r.buffer_position()).unwrap_or(0);
        let ev = r.read_event()?;
        let after = usize::try_from(r.buffer_position()).unwrap_or(0);
        match ev {
            Event::Start(e) => {
                depth += 1;
                if depth == 2 {
                    let name = e.local_name().as_ref().to_string();
                    current = Some((
                        name,
                        Span {
                            start: (before, after),
                            end: (after, after),
                            children: Vec::new(),
                        },
                    ));
                } else if depth == 3 {
                    child_start = before;
                }
            }
            Event::Empty(e) => {
                if depth == 1 {
                    let name = e.local_name().as_ref().to_string();
                    out.entry(name).or_insert(Span {
                        start: (before, after),
                        end: (after, after),
                        children: Vec::new(),
                    });
                } else if depth == 2 {
                    if let Some((_, s)) = current.as_mut() {
                        s.children.push((before, after));
                    }
                }
            }
            Event::End(_) => {
                if depth == 2 {
                    if let Some((name, mut s)) = current.take() {
                        s.end = (before, after);
                        out.entry(name).or_insert(s);
                    }
                } else if depth == 3 {
                    if let Some((_, s)) = current.as_mut() {
                        s.children.push((child_start, after));
                    }
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// `tag` (a start tag or a whole element) with `name="value"` set on its
/// start tag.
fn set_attr(tag: &str, name: &str, value: &str) -> String {
    let head_end = tag.find('>').unwrap_or(tag.len());
    let head = &tag[..head_end];
    let needle = format!("{name}=\"");
    let mut from = 0;
    while let Some(i) = head[from..].find(&needle) {
        let at = from + i;
        if head[..at].ends_with(char::is_whitespace) {
            let v0 = at + needle.len();
            let v1 = v0 + head[v0..].find('"').unwrap_or(0);
            return format!("{}{value}{}", &tag[..v0], &tag[v1..]);
        }
        from = at + needle.len();
    }
    let close = if head.ends_with('/') {
        head_end - 1
    } else {
        head_end
    };
    format!("{} {name}=\"{value}\"{}", &tag[..close], &tag[close..])
}

fn patch_styles(
    xml: &str,
    needed: &BTreeSet<(u32, Severity, Shade)>,
) -> Result<Patched, PatchError> {
    let prefix = root_prefix(xml);
    let top = top_elements(xml)?;
    let get = |n: &str| {
        top.get(n)
            .filter(|s| s.start != s.end || !s.children.is_empty())
            .ok_or_else(|| structure(format!("styles 中没有 {n}")))
    };
    let (fonts, fills, borders, xfs) = (
        get("fonts")?,
        get("fills")?,
        get("borders")?,
        get("cellXfs")?,
    );
    let p = &prefix;
    let xf_of = |i: usize| xfs.children.get(i).map(|&(a, b)| &xml[a..b]);
    // Fills: one per (severity, shade), then the results header's grey.
    let mut new_fills = String::new();
    let mut fill_id: HashMap<(Severity, Shade), usize> = HashMap::new();
    let mut k = fills.children.len();
    for s in [Severity::Error, Severity::Warning, Severity::Notice] {
        for shade in [Shade::Strong, Shade::Light] {
            new_fills.push_str(&solid_fill(p, fill_rgb(s, shade)));
            fill_id.insert((s, shade), k);
            k += 1;
        }
    }
    new_fills.push_str(&solid_fill(p, 0x00DD_DDDD));
    let grey = k;
    let fill_count = k + 1;
    // Fonts: the default font bold, and blue underlined for links.
    let base_font = fonts
        .children
        .first()
        .map(|&(a, b)| &xml[a..b])
        .ok_or_else(|| structure("styles 中没有字体"))?;
    let bold = insert_child(base_font, &format!("<{p}b/>"));
    let link = insert_child(
        &strip_color(base_font),
        &format!(r#"<{p}u/><{p}color rgb="FF0563C1"/>"#),
    );
    let (bold_id, link_id) = (fonts.children.len(), fonts.children.len() + 1);
    let thin = format!(
        "<{p}border><{p}left style=\"thin\"><{p}color auto=\"1\"/></{p}left><{p}right style=\"thin\"><{p}color auto=\"1\"/></{p}right><{p}top style=\"thin\"><{p}color auto=\"1\"/></{p}top><{p}bottom style=\"thin\"><{p}color auto=\"1\"/></{p}bottom><{p}diagonal/></{p}border>"
    );
    let thin_id = borders.children.len();
    // Cell styles: each input style with each colour it needs.
    let mut new_xfs = String::new();
    let mut xf = HashMap::new();
    let mut next = u32::try_from(xfs.children.len()).unwrap_or(u32::MAX);
    for &(orig, sev, shade) in needed {
        let base = xf_of(orig as usize)
            .or_else(|| xf_of(0))
            .ok_or_else(|| structure("styles 中没有单元格格式"))?;
        let tag = set_attr(base, "fillId", &fill_id[&(sev, shade)].to_string());
        new_xfs.push_str(&set_attr(&tag, "applyFill", "1"));
        xf.insert((orig, sev, shade), next);
        next += 1;
    }
    let mut results = ResultStyles::default();
    let wrap = format!(r#"<{p}alignment vertical="top" wrapText="1"/>"#);
    let mut push = |font: usize, fill: usize| {
        new_xfs.push_str(&format!(
            r#"<{p}xf numFmtId="0" fontId="{font}" fillId="{fill}" borderId="{thin_id}" xfId="0" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1">{wrap}</{p}xf>"#
        ));
        next += 1;
        next - 1
    };
    results.head = push(bold_id, grey);
    results.body = push(0, 0);
    results.link = push(link_id, 0);
    for (i, s) in [Severity::Error, Severity::Warning, Severity::Notice]
        .into_iter()
        .enumerate()
    {
        results.severity[i] = push(0, fill_id[&(s, Shade::Strong)]);
    }
    let xf_count = next;
    // Splice, last position first.
    let mut edits: Vec<(usize, usize, String)> = vec![
        (fonts.end.0, fonts.end.0, format!("{bold}{link}")),
        (fills.end.0, fills.end.0, new_fills),
        (borders.end.0, borders.end.0, thin),
        (xfs.end.0, xfs.end.0, new_xfs),
    ];
    for (span, n) in [
        (fonts, fonts.children.len() + 2),
        (fills, fill_count),
        (borders, borders.children.len() + 1),
        (xfs, xf_count as usize),
    ] {
        let tag = &xml[span.start.0..span.start.1];
        edits.push((
            span.start.0,
            span.start.1,
            set_attr(tag, "count", &n.to_string()),
        ));
    }
    edits.sort_by_key(|e| std::cmp::Reverse((e.0, e.1)));
    let mut s = xml.to_string();
    for (a, b, text) in edits {
        s.replace_range(a..b, &text);
    }
    Ok(Patched {
        xml: s,
        xf,
        results,
    })
}

fn solid_fill(p: &str, rgb: u32) -> String {
    format!(
        r#"<{p}fill><{p}patternFill patternType="solid"><{p}fgColor rgb="FF{rgb:06X}"/><{p}bgColor indexed="64"/></{p}patternFill></{p}fill>"#
    )
}

/// `element` (`<font>…</font>`) with `child` first inside it.
fn insert_child(element: &str, child: &str) -> String {
    match element.find('>') {
        Some(i) if !element[..i].ends_with('/') => {
            format!("{}{child}{}", &element[..=i], &element[i + 1..])
        }
        // `<font/>`: opened up.
        Some(i) => {
            let name = element[1..i - 1]
                .split_whitespace()
                .next()
                .unwrap_or("font");
            format!("{}>{child}</{name}>", &element[..i - 1])
        }
        None => element.to_string(),
    }
}

/// A font element without its colour (the link font sets its own).
fn strip_color(font: &str) -> String {
    let Some(i) = font.find("color ").or_else(|| font.find("color/")) else {
        return font.to_string();
    };
    let start = font[..i].rfind('<').unwrap_or(i);
    let end = font[i..].find("/>").map_or(font.len(), |j| i + j + 2);
    format!("{}{}", &font[..start], &font[end..])
}

// ------------------------------------------------------------ sheets

/// The style each flagged cell shows in the input: its own (`s`), or for a
/// cell written without one or not written at all, its row's (a row with
/// `customFormat`), else its column's, else the default.
fn cell_styles(xml: &str, marks: &SheetMarks) -> Result<HashMap<(u32, u32), u32>, PatchError> {
    let mut own: HashMap<(u32, u32), u32> = HashMap::new();
    let mut rows: HashMap<u32, u32> = HashMap::new();
    let mut cols: Vec<(u32, u32, u32)> = Vec::new();
    let mut r = Reader::from_str(xml);
    let mut pos = Pos::default();
    let num = |e: &BytesStart, k: &str| attr(e, k).and_then(|v| v.parse::<u32>().ok());
    loop {
        match r.read_event()? {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "col" => {
                    if let (Some(a), Some(b), Some(st)) =
                        (num(&e, "min"), num(&e, "max"), num(&e, "style"))
                    {
                        cols.push((a.saturating_sub(1), b.saturating_sub(1), st));
                    }
                }
                "row" => {
                    pos.row(&e);
                    let custom = attr(&e, "customFormat").is_some_and(|v| v == "1" || v == "true");
                    if let (true, Some(st)) = (custom, num(&e, "s")) {
                        rows.insert(pos.row, st);
                    }
                }
                "c" => {
                    let at = pos.cell(&e);
                    if marks.contains_key(&at) {
                        if let Some(st) = num(&e, "s") {
                            own.insert(at, st);
                        }
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(marks
        .keys()
        .map(|&(row, col)| {
            let st = own
                .get(&(row, col))
                .or_else(|| rows.get(&row))
                .copied()
                .or_else(|| {
                    cols.iter()
                        .find(|(a, b, _)| (*a..=*b).contains(&col))
                        .map(|c| c.2)
                })
                .unwrap_or(0);
            ((row, col), st)
        })
        .collect())
}

/// The row and column being read, for rows and cells written without `r`.
#[derive(Default)]
struct Pos {
    row: u32,
    col: u32,
    started: bool,
}

impl Pos {
    fn row(&mut self, e: &BytesStart) {
        self.row = match attr(e, "r").and_then(|r| r.parse::<u32>().ok()) {
            Some(r) => r.saturating_sub(1),
            None if self.started => self.row + 1,
            None => 0,
        };
        self.started = true;
        self.col = u32::MAX;
    }

    fn cell(&mut self, e: &BytesStart) -> (u32, u32) {
        self.col = match attr(e, "r").and_then(|a| crate::text::parse_cell_address(&a)) {
            Some((_, c)) => c,
            None => self.col.wrapping_add(1),
        };
        (self.row, self.col)
    }
}

/// Inserts the sheet's flagged cells it lacks, restyles those it has, and
/// points at the comments' drawing.
fn patch_sheet(
    xml: &str,
    marks: &SheetMarks,
    bases: &HashMap<(u32, u32), u32>,
    xf: &HashMap<(u32, Severity, Shade), u32>,
    vml_rid: Option<&str>,
) -> Result<String, PatchError> {
    let p = root_prefix(xml);
    let style_of = |at: (u32, u32), m: &Mark| {
        let base = bases.get(&at).copied().unwrap_or(0);
        xf.get(&(base, m.severity, m.shade))
            .copied()
            .unwrap_or(base)
    };
    let new_cell = |(r, c): (u32, u32), m: &Mark| {
        format!(
            r#"<{p}c r="{}" s="{}"/>"#,
            cell_address(r, c),
            style_of((r, c), m)
        )
    };
    // Flagged cells the sheet does not write yet, by row.
    let mut pending: BTreeMap<u32, BTreeMap<u32, &Mark>> = BTreeMap::new();
    for ((r, c), m) in marks {
        pending.entry(*r).or_default().insert(*c, m);
    }
    let rows_before = |pending: &mut BTreeMap<u32, BTreeMap<u32, &Mark>>, limit: u32| {
        let keys: Vec<u32> = pending.range(..limit).map(|(k, _)| *k).collect();
        let mut s = String::new();
        for k in keys {
            if let Some(cells) = pending.remove(&k) {
                s.push_str(&format!(r#"<{p}row r="{}">"#, k + 1));
                for (c, m) in cells {
                    s.push_str(&new_cell((k, c), m));
                }
                s.push_str(&format!("</{p}row>"));
            }
        }
        s
    };
    let mut out = String::with_capacity(xml.len() + 256);
    let mut last = 0usize;
    let mut r = Reader::from_str(xml);
    let mut pos = Pos::default();
    let mut depth = 0usize;
    let mut drawing_done = vml_rid.is_none();
    let legacy = |rid: &str| format!(r#"<{p}legacyDrawing xmlns:r="{REL_NS}" r:id="{rid}"/>"#);
    const AFTER_LEGACY: [&str; 8] = [
        "legacyDrawingHF",
        "drawingHF",
        "picture",
        "oleObjects",
        "controls",
        "webPublishItems",
        "tableParts",
        "extLst",
    ];
    loop {
        let before = usize::try_from(r.buffer_position()).unwrap_or(0);
        let ev = r.read_event()?;
        let after = usize::try_from(r.buffer_position()).unwrap_or(0);
        let emit = |out: &mut String, last: &mut usize, at: usize, text: &str, skip_to: usize| {
            out.push_str(&xml[*last..at]);
            out.push_str(text);
            *last = skip_to;
        };
        // The comments' drawing goes before the first element the schema puts
        // after it, or at the end of the worksheet.
        let drawing_here = !drawing_done
            && match &ev {
                Event::Start(e) | Event::Empty(e) => {
                    depth == 1 && AFTER_LEGACY.contains(&e.local_name().as_ref())
                }
                Event::End(e) => e.local_name().as_ref() == "worksheet",
                _ => false,
            };
        if drawing_here {
            emit(
                &mut out,
                &mut last,
                before,
                &legacy(vml_rid.unwrap_or("")),
                before,
            );
            drawing_done = true;
        }
        match &ev {
            Event::Start(e) | Event::Empty(e) => {
                let empty = matches!(ev, Event::Empty(_));
                let name = e.local_name();
                let name = name.as_ref();
                match name {
                    "sheetData" if empty => {
                        let rows = rows_before(&mut pending, u32::MAX);
                        let text = format!("<{p}sheetData>{rows}</{p}sheetData>");
                        emit(&mut out, &mut last, before, &text, after);
                    }
                    "row" => {
                        pos.row(e);
                        let rows = rows_before(&mut pending, pos.row);
                        emit(&mut out, &mut last, before, &rows, before);
                        if empty {
                            if let Some(cells) = pending.remove(&pos.row) {
                                let tag = &xml[before..after];
                                let open = format!("{}>", tag.trim_end_matches("/>").trim_end());
                                let body: String = cells
                                    .into_iter()
                                    .map(|(c, m)| new_cell((pos.row, c), m))
                                    .collect();
                                let text = format!("{open}{body}</{p}row>");
                                emit(&mut out, &mut last, before, &text, after);
                            }
                        }
                    }
                    "c" => {
                        let at = pos.cell(e);
                        let mut lead = String::new();
                        if let Some(cells) = pending.get_mut(&at.0) {
                            let earlier: Vec<u32> = cells.range(..at.1).map(|(c, _)| *c).collect();
                            for c in earlier {
                                if let Some(m) = cells.remove(&c) {
                                    lead.push_str(&new_cell((at.0, c), m));
                                }
                            }
                            if let Some(m) = cells.remove(&at.1) {
                                let head_end =
                                    before + xml[before..after].find('>').unwrap_or(0) + 1;
                                let head = &xml[before..head_end];
                                let tag = set_attr(head, "s", &style_of(at, m).to_string());
                                emit(
                                    &mut out,
                                    &mut last,
                                    before,
                                    &format!("{lead}{tag}"),
                                    head_end,
                                );
                                lead.clear();
                            }
                        }
                        if !lead.is_empty() {
                            emit(&mut out, &mut last, before, &lead, before);
                        }
                    }
                    _ => {}
                }
                if !empty {
                    depth += 1;
                }
            }
            Event::End(e) => {
                let name = e.local_name();
                match name.as_ref() {
                    "row" => {
                        if let Some(cells) = pending.remove(&pos.row) {
                            let body: String = cells
                                .into_iter()
                                .map(|(c, m)| new_cell((pos.row, c), m))
                                .collect();
                            emit(&mut out, &mut last, before, &body, before);
                        }
                    }
                    "sheetData" => {
                        let rows = rows_before(&mut pending, u32::MAX);
                        emit(&mut out, &mut last, before, &rows, before);
                    }
                    _ => {}
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out.push_str(&xml[last..]);
    Ok(out)
}

// ------------------------------------------------------------ comments

fn comments_xml(notes: &[((u32, u32), &Mark)]) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><authors><author>{AUTHOR}</author></authors><commentList>{}</commentList></comments>"#,
        comment_elements("", notes, 0)
    )
}

const AUTHOR: &str = "budget-tables";

/// The `<comment>` elements of `notes` (element prefix `p`), by author `author`.
fn comment_elements(p: &str, notes: &[((u32, u32), &Mark)], author: usize) -> String {
    notes
        .iter()
        .map(|((r, c), m)| {
            format!(
                r#"<{p}comment ref="{}" authorId="{author}"><{p}text><{p}r><{p}rPr><{p}sz val="9"/></{p}rPr><{p}t xml:space="preserve">{}</{p}t></{p}r></{p}text></{p}comment>"#,
                cell_address(*r, *c),
                esc(&m.notes.join("\n\n"))
            )
        })
        .collect()
}

const SHAPETYPE: &str = r#"<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>"#;

/// Shape ids live in blocks of 1024 per drawing; a high block keeps clear of
/// the input's own drawings.
fn vml_block(sheet: usize) -> usize {
    100 + sheet
}

fn vml_xml(sheet: usize, notes: &[((u32, u32), &Mark)]) -> String {
    let block = vml_block(sheet);
    format!(
        r#"<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{block}"/></o:shapelayout>{SHAPETYPE}{}</xml>"#,
        vml_shapes(block, notes)
    )
}

/// One hidden note shape per cell (shown on hover, as Excel's own).
fn vml_shapes(block: usize, notes: &[((u32, u32), &Mark)]) -> String {
    let mut s = String::new();
    for (i, ((r, c), m)) in notes.iter().enumerate() {
        let chars: usize = m.notes.iter().map(|n| display_width(n)).sum();
        let lines = u32::try_from(chars / 60 + 2 * m.notes.len())
            .unwrap_or(40)
            .min(40);
        s.push_str(&format!(
            r##"<v:shape id="_x0000_s{}" type="#_x0000_t202" style="position:absolute;margin-left:60pt;margin-top:2pt;width:360pt;height:{}pt;z-index:{};visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>{}, 15, {}, 2, {}, 15, {}, 4</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>{r}</x:Row><x:Column>{c}</x:Column></x:ClientData></v:shape>"##,
            block * 1024 + i + 1,
            lines * 12 + 12,
            1000 + i,
            c + 1,
            r,
            c + 6,
            r + lines + 1,
        ));
    }
    s
}

/// A sheet that already has 批注: ours join its own comments part and its
/// drawing (cells it has a note on keep theirs; ours is on 检查结果). Returns
/// the two parts rewritten, or `None` when they cannot be found (the cells
/// are then only coloured).
fn merge_notes(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    sheet_path: &str,
    sheet_xml: &str,
    notes: &[((u32, u32), &Mark)],
    sheet: usize,
) -> Result<Option<[(String, String); 2]>, PatchError> {
    let (dir, file) = split_path(sheet_path);
    let mut read = |name: &str| -> Option<String> {
        let mut f = zip.by_name(name).ok()?;
        let mut s = String::new();
        f.read_to_string(&mut s).ok()?;
        Some(s)
    };
    let Some(rels) = read(&format!("{dir}_rels/{file}.rels")) else {
        return Ok(None);
    };
    let rels = relationships(&rels)?;
    let legacy_rid = {
        let mut r = Reader::from_str(sheet_xml);
        let mut found = None;
        loop {
            match r.read_event()? {
                Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "legacyDrawing" => {
                    found = e.attributes().flatten().find_map(|a| {
                        (a.key.local_name().as_ref() == "id").then(|| a.value.to_string())
                    });
                    break;
                }
                Event::Eof => break,
                _ => {}
            }
        }
        found
    };
    let target = |pick: &dyn Fn(&Rel) -> bool| {
        rels.iter()
            .find(|r| pick(r))
            .map(|r| resolve(dir, &r.target))
    };
    let (Some(comments_path), Some(vml_path)) = (
        target(&|r: &Rel| r.kind.ends_with("/comments")),
        target(&|r: &Rel| Some(&r.id) == legacy_rid.as_ref()),
    ) else {
        return Ok(None);
    };
    let (Some(comments), Some(vml)) = (read(&comments_path), read(&vml_path)) else {
        return Ok(None);
    };
    // The clerk's own notes stay; ours go on the other cells.
    let taken: BTreeSet<String> = comments
        .split("ref=\"")
        .skip(1)
        .filter_map(|x| x.split('"').next().map(str::to_string))
        .collect();
    let ours: Vec<((u32, u32), &Mark)> = notes
        .iter()
        .filter(|((r, c), _)| !taken.contains(&cell_address(*r, *c)))
        .copied()
        .collect();
    if ours.is_empty() {
        return Ok(None);
    }
    let p = root_prefix(&comments);
    let authors_end = format!("</{p}authors>");
    let list_end = format!("</{p}commentList>");
    let (Some(a), Some(_)) = (comments.find(&authors_end), comments.find(&list_end)) else {
        return Ok(None);
    };
    let author = comments[..a].matches(&format!("<{p}author")).count()
        - comments[..a].matches(&format!("<{p}authors")).count();
    let mut merged = comments.clone();
    merged.insert_str(a, &format!("<{p}author>{AUTHOR}</{p}author>"));
    let l = merged.rfind(&list_end).unwrap_or(merged.len());
    merged.insert_str(l, &comment_elements(&p, &ours, author));
    // The drawing: our shapes in a block of ids of their own, listed in its idmap.
    let block = vml_block(sheet);
    let Some(idmap) = vml.find("idmap") else {
        return Ok(None);
    };
    let Some(data) = vml[idmap..].find("data=\"").map(|i| idmap + i + 6) else {
        return Ok(None);
    };
    let Some(close) = vml[data..].find('"').map(|i| data + i) else {
        return Ok(None);
    };
    let mut drawing = format!("{},{block}{}", &vml[..close], &vml[close..]);
    let Some(end) = drawing.rfind("</xml>") else {
        return Ok(None);
    };
    let shapetype = if drawing.contains("_x0000_t202") {
        ""
    } else {
        SHAPETYPE
    };
    drawing.insert_str(end, &format!("{shapetype}{}", vml_shapes(block, &ours)));
    Ok(Some([(comments_path, merged), (vml_path, drawing)]))
}

// ------------------------------------------------------------ 检查结果

/// Columns of the 检查结果 sheet: heading and width in characters.
const COLUMNS: [(&str, f64); 13] = [
    ("序号", 6.0),
    ("级别", 6.0),
    ("规则", 13.0),
    ("表", 22.0),
    ("单元格", 9.0),
    ("最可能出错的单元格", 24.0),
    ("行", 24.0),
    ("列", 18.0),
    ("问题", 60.0),
    ("应为", 16.0),
    ("实际", 16.0),
    ("差额", 12.0),
    ("修改建议", 40.0),
];

fn results_sheet(findings: &[Diagnostic], st: &ResultStyles) -> String {
    let mut sorted = findings.to_vec();
    crate::diag::sort(&mut sorted);
    let mut rows = String::new();
    let mut links = String::new();
    let head: Vec<String> = COLUMNS.iter().map(|(h, _)| (*h).to_string()).collect();
    rows.push_str(&row_xml(0, &head, &[st.head; 13], 20.0));
    for (i, d) in sorted.iter().enumerate() {
        let r = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let sev = match d.severity {
            Severity::Error => st.severity[0],
            Severity::Warning => st.severity[1],
            Severity::Notice => st.severity[2],
        };
        let own = d.location();
        let values = [
            (i + 1).to_string(),
            d.severity.label().to_string(),
            d.rule.clone(),
            d.table.clone().unwrap_or_default(),
            d.cell.clone().unwrap_or_default(),
            d.suspect.clone().unwrap_or_default(),
            d.row_label.clone().unwrap_or_default(),
            d.column_label.clone().unwrap_or_default(),
            d.message.clone(),
            d.expected.clone().unwrap_or_default(),
            d.actual.clone().unwrap_or_default(),
            d.difference.clone().unwrap_or_default(),
            d.hint.clone().unwrap_or_default(),
        ];
        let mut styles = [st.body; 13];
        styles[1] = sev;
        for (col, target) in [(4usize, own.as_deref()), (5, d.suspect.as_deref())] {
            if let Some(t) = target.filter(|_| !values[col].is_empty()) {
                styles[col] = st.link;
                links.push_str(&format!(
                    r#"<hyperlink ref="{}" location="{}" display="{}"/>"#,
                    cell_address(r, u32::try_from(col).unwrap_or(0)),
                    esc(t),
                    esc(&values[col])
                ));
            }
        }
        rows.push_str(&row_xml(r, &values, &styles, row_height(&values)));
    }
    if sorted.is_empty() {
        rows.push_str(&row_xml(1, &["未发现问题".to_string()], &[st.body], 15.0));
    }
    let cols: String = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, (_, w))| {
            format!(
                r#"<col min="{0}" max="{0}" width="{w}" customWidth="1"/>"#,
                i + 1
            )
        })
        .collect();
    let hyperlinks = if links.is_empty() {
        String::new()
    } else {
        format!("<hyperlinks>{links}</hyperlinks>")
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{REL_NS}"><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>{rows}</sheetData>{hyperlinks}<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.6" header="0.3" footer="0.3"/><pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/><headerFooter><oddFooter>&amp;C检查结果 第 &amp;P 页，共 &amp;N 页</oddFooter></headerFooter></worksheet>"#
    )
}

/// A row tall enough for its wrapped texts (LibreOffice and Excel do not grow
/// a row written with a height, and do not grow one on opening).
fn row_height(values: &[String]) -> f64 {
    let lines = values
        .iter()
        .zip(COLUMNS)
        .map(|(v, (_, w))| {
            // A column of width w holds about w narrow or w/2 wide characters.
            let per_line = (w - 1.0).max(1.0);
            v.split('\n')
                .map(|part| {
                    let width = display_width(part) as f64;
                    (width / per_line).ceil().max(1.0)
                })
                .sum::<f64>()
        })
        .fold(1.0, f64::max);
    (lines * 15.0 + 3.0).min(409.0)
}

fn row_xml(r: u32, values: &[String], styles: &[u32], height: f64) -> String {
    let mut s = format!(r#"<row r="{}" ht="{height}" customHeight="1">"#, r + 1);
    for (c, (v, st)) in values.iter().zip(styles).enumerate() {
        let at = cell_address(r, u32::try_from(c).unwrap_or(0));
        if v.is_empty() {
            s.push_str(&format!(r#"<c r="{at}" s="{st}"/>"#));
        } else {
            s.push_str(&format!(
                r#"<c r="{at}" s="{st}" t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>"#,
                esc(v)
            ));
        }
    }
    s.push_str("</row>");
    s
}

/// Text as XML character data: escaped, without the control characters XML
/// cannot hold.
fn esc(s: &str) -> String {
    let clean: String = s
        .chars()
        .filter(|&c| c >= ' ' || matches!(c, '\t' | '\n' | '\r'))
        .collect();
    quick_xml::escape::escape(clean.as_str()).into_owned()
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
