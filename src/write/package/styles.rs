//! The styles part: a fill per severity added, and each flagged cell's style pointed at it.

use super::*;

pub(super) fn patch_styles(
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

pub(super) fn solid_fill(p: &str, rgb: u32) -> String {
    format!(
        r#"<{p}fill><{p}patternFill patternType="solid"><{p}fgColor rgb="FF{rgb:06X}"/><{p}bgColor indexed="64"/></{p}patternFill></{p}fill>"#
    )
}

/// `element` (`<font>…</font>`) with `child` first inside it.
pub(super) fn insert_child(element: &str, child: &str) -> String {
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
pub(super) fn strip_color(font: &str) -> String {
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
pub(super) fn cell_styles(
    xml: &str,
    marks: &SheetMarks,
) -> Result<HashMap<(u32, u32), u32>, PatchError> {
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
