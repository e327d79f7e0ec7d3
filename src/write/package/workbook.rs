//! The workbook part: its sheets, their ids, and the top-level elements of a part.

use super::*;

/// The sheets of a workbook part: (name, relationship id), in order.
pub(super) fn sheets_of(xml: &str) -> Result<Vec<(String, String)>, PatchError> {
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
pub(super) fn add_sheet(
    xml: &str,
    name: &str,
    rid: &str,
    index: usize,
) -> Result<String, PatchError> {
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
    let quoted = esc(&name.replace('\'', "''"));
    // Its header on every page, and only the columns a reader needs on paper.
    let last = super::results::PRINTED;
    let column = char::from(b'A' + u8::try_from(last - 1).unwrap_or(0));
    let titles = format!(
        r#"<{prefix}definedName name="_xlnm.Print_Area" localSheetId="{index}">'{quoted}'!$A:${column}</{prefix}definedName><{prefix}definedName name="_xlnm.Print_Titles" localSheetId="{index}">'{quoted}'!$1:$1</{prefix}definedName>"#
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

pub(super) fn sheet_ids(xml: &str) -> Result<Vec<u32>, PatchError> {
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
pub(super) fn root_prefix(xml: &str) -> String {
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

/// The style indices (cellXfs) the copy adds.
pub(super) struct Patched {
    pub(super) xml: String,
    /// (input style, severity, shade) → the copy's style.
    pub(super) xf: HashMap<(u32, Severity, Shade), u32>,
    pub(super) results: ResultStyles,
}

/// Spans of one element: its start tag and its end tag (equal for `<x/>`).
pub(super) struct Span {
    pub(super) start: (usize, usize),
    pub(super) end: (usize, usize),
    pub(super) children: Vec<(usize, usize)>,
}

/// The top-level elements of a styles part (`fills`, `cellXfs`, …) with
/// the spans of their children.
pub(super) fn top_elements(xml: &str) -> Result<HashMap<String, Span>, PatchError> {
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
