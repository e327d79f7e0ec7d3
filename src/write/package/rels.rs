//! Relationships and content types: the parts a package lists and how they point at each other.

use super::*;

pub(super) const REL_NS: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
pub(super) const REL_COMMENTS: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments";
pub(super) const REL_VML: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing";
pub(super) const REL_SHEET: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet";
pub(super) const CT_COMMENTS: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml";
pub(super) const CT_SHEET: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml";
pub(super) const CT_VML: &str = "application/vnd.openxmlformats-officedocument.vmlDrawing";

pub(super) struct Rel {
    pub(super) id: String,
    pub(super) kind: String,
    pub(super) target: String,
}

pub(super) fn relationships(xml: &str) -> Result<Vec<Rel>, PatchError> {
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
pub(super) fn attr(e: &BytesStart, local: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == local).then(|| {
            quick_xml::escape::unescape(&a.value)
                .map(std::borrow::Cow::into_owned)
                .unwrap_or_else(|_| a.value.to_string())
        })
    })
}

/// `xl/` and `workbook.xml` of `xl/workbook.xml`.
pub(super) fn split_path(p: &str) -> (&str, &str) {
    match p.rfind('/') {
        Some(i) => (&p[..=i], &p[i + 1..]),
        None => ("", p),
    }
}

/// A relationship target as a package path.
pub(super) fn resolve(dir: &str, target: &str) -> String {
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
pub(super) fn add_relationships(
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

pub(super) fn add_types(xml: &str, overrides: &[(String, &str)], vml: bool) -> String {
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
