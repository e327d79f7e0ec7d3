//! The comments (批注) part and its VML drawing, the clerk's own notes kept.

use super::*;

pub(super) fn comments_xml(notes: &[((u32, u32), &Mark)]) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><authors><author>{AUTHOR}</author></authors><commentList>{}</commentList></comments>"#,
        comment_elements("", notes, 0)
    )
}

pub(super) const AUTHOR: &str = "budget-tables";

/// The `<comment>` elements of `notes` (element prefix `p`), by author `author`.
pub(super) fn comment_elements(p: &str, notes: &[((u32, u32), &Mark)], author: usize) -> String {
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

pub(super) const SHAPETYPE: &str = r#"<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>"#;

/// Shape ids live in blocks of 1024 per drawing; a high block keeps clear of
/// the input's own drawings.
pub(super) fn vml_block(sheet: usize) -> usize {
    100 + sheet
}

pub(super) fn vml_xml(sheet: usize, notes: &[((u32, u32), &Mark)]) -> String {
    let block = vml_block(sheet);
    format!(
        r#"<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{block}"/></o:shapelayout>{SHAPETYPE}{}</xml>"#,
        vml_shapes(block, notes)
    )
}

/// One hidden note shape per cell (shown on hover, as Excel's own).
pub(super) fn vml_shapes(block: usize, notes: &[((u32, u32), &Mark)]) -> String {
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
pub(super) fn merge_notes(
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
