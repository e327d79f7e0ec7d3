//! A worksheet part: its flagged cells restyled and its comments drawing linked, rows streamed through.

use super::*;

/// `tag` (a start tag or a whole element) with `name="value"` set on its
/// start tag.
pub(super) fn set_attr(tag: &str, name: &str, value: &str) -> String {
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

/// The row and column being read, for rows and cells written without `r`.
#[derive(Default)]
pub(super) struct Pos {
    pub(super) row: u32,
    pub(super) col: u32,
    pub(super) started: bool,
}

impl Pos {
    pub(super) fn row(&mut self, e: &BytesStart) {
        self.row = match attr(e, "r").and_then(|r| r.parse::<u32>().ok()) {
            Some(r) => r.saturating_sub(1),
            None if self.started => self.row + 1,
            None => 0,
        };
        self.started = true;
        self.col = u32::MAX;
    }

    pub(super) fn cell(&mut self, e: &BytesStart) -> (u32, u32) {
        self.col = match attr(e, "r").and_then(|a| crate::text::parse_cell_address(&a)) {
            Some((_, c)) => c,
            None => self.col.wrapping_add(1),
        };
        (self.row, self.col)
    }
}

/// Inserts the sheet's flagged cells it lacks, restyles those it has, and
/// points at the comments' drawing.
pub(super) fn patch_sheet(
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
