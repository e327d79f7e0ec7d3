//! The annotated copy of a published PDF: the original file byte for byte,
//! with one incremental update appended (ISO 32000-1 §7.5.6) that adds a
//! highlight over each flagged figure or sentence, its finding as the note.
//! Nothing of the original is rewritten, so its signature-free content,
//! fonts and layout stay exactly as published; any PDF reader shows the
//! notes and can remove them.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use hayro_syntax::object::{Array, MaybeRef};

use super::WriteError;
use crate::diag::{Diagnostic, Severity};
use crate::read::pdf::{Places, TEXT};

/// One highlight: its page (from 1), box (as [`Places::boxes`]), colour
/// and note.
struct Mark {
    page: u32,
    area: [f32; 4],
    severity: Severity,
    notes: Vec<String>,
}

/// The annotated copy of the PDF `original` (as read into `places`).
///
/// # Errors
/// [`WriteError::Pdf`] when the file's structure cannot be extended (a page
/// object not found, no `startxref`).
pub fn copy_of(
    original: &[u8],
    places: &Places,
    findings: &[Diagnostic],
) -> Result<Vec<u8>, WriteError> {
    let marks = marks(places, findings);
    let pdf = hayro_syntax::Pdf::new(original.to_vec())
        .map_err(|_| WriteError::Pdf("PDF 的结构无法解析".into()))?;
    let tail = Tail::of(original)?;
    let mut out = original.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut next = tail.size;
    let mut offsets: Vec<(u32, u16, usize)> = Vec::new();
    let mut by_page: BTreeMap<u32, Vec<&Mark>> = BTreeMap::new();
    for m in &marks {
        by_page.entry(m.page).or_default().push(m);
    }
    for (page_no, marks) in by_page {
        let Some(page) = pdf.pages().get(page_no as usize - 1) else {
            continue;
        };
        let dict = page.raw();
        let id = dict
            .obj_id()
            .ok_or_else(|| WriteError::Pdf(format!("第{page_no}页没有对象编号")))?;
        let (num, gen) = (id.obj_number, u16::try_from(id.gen_number).unwrap_or(0));
        let to_user = places
            .to_user
            .get(page_no as usize - 1)
            .copied()
            .unwrap_or([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
        let mut refs = existing_annots(&pdf, dict);
        for m in marks {
            let rect = user_rect(m.area, to_user);
            let (annot, appearance) = (next, next + 1);
            next += 2;
            offsets.push((appearance, 0, out.len()));
            write_object(
                &mut out,
                appearance,
                0,
                &appearance_stream(rect, m.severity),
            );
            offsets.push((annot, 0, out.len()));
            write_object(
                &mut out,
                annot,
                0,
                &highlight(rect, m, (num, gen), appearance),
            );
            let _ = write!(refs, " {annot} 0 R");
        }
        let body = with_annots(dict.data(), &refs)
            .ok_or_else(|| WriteError::Pdf(format!("第{page_no}页的页面对象无法解析")))?;
        offsets.push((num, gen, out.len()));
        write_object(&mut out, num, gen, &body);
    }
    write_xref(&mut out, &offsets, next, &tail);
    Ok(out)
}

/// The highlights of the findings that name a place: each table cell (its
/// own, and the one most likely wrong) and each 说明 paragraph once, all its
/// findings in its note.
fn marks(places: &Places, findings: &[Diagnostic]) -> Vec<Mark> {
    let mut out: Vec<Mark> = Vec::new();
    let mut add = |page: u32, area: [f32; 4], d: &Diagnostic, note: String| {
        if let Some(m) = out.iter_mut().find(|m| m.page == page && m.area == area) {
            m.severity = m.severity.min(d.severity);
            if !m.notes.contains(&note) {
                m.notes.push(note);
            }
        } else {
            out.push(Mark {
                page,
                area,
                severity: d.severity,
                notes: vec![note],
            });
        }
    };
    for d in findings {
        let own = d
            .sheet
            .as_deref()
            .zip(d.cell.as_deref().and_then(crate::text::parse_cell_address));
        if let Some((sheet, (row, col))) = own {
            let area = if sheet == TEXT {
                places.cell_box(sheet, row, 0)
            } else {
                places.cell_box(sheet, row, col)
            };
            if let (Some(page), Some(area)) =
                (places.page(sheet, row), area.filter(|a| a[2] > a[0]))
            {
                add(page, area, d, d.to_string());
            }
        }
    }
    out
}

/// A box of the read coordinates as a rectangle of the page's own.
fn user_rect(a: [f32; 4], t: [f64; 6]) -> [f64; 4] {
    let at = |x: f32, y: f32| {
        let (x, y) = (f64::from(x), f64::from(y));
        (t[0] * x + t[2] * y + t[4], t[1] * x + t[3] * y + t[5])
    };
    let (p, q) = (at(a[0], a[1]), at(a[2], a[3]));
    [p.0.min(q.0), p.1.min(q.1), p.0.max(q.0), p.1.max(q.1)]
}

fn color(s: Severity) -> &'static str {
    match s {
        Severity::Error => "1 0.35 0.35",
        Severity::Warning => "1 0.78 0.1",
        Severity::Notice => "0.55 0.75 1",
    }
}

fn num(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn rect_text(r: [f64; 4]) -> String {
    format!("[{} {} {} {}]", num(r[0]), num(r[1]), num(r[2]), num(r[3]))
}

/// A text string as UTF-16BE with its byte order mark, in hex.
fn text_string(s: &str) -> String {
    let mut out = String::from("<FEFF");
    for u in s.encode_utf16() {
        let _ = write!(out, "{u:04X}");
    }
    out.push('>');
    out
}

fn highlight(r: [f64; 4], m: &Mark, page: (u32, u16), appearance: u32) -> Vec<u8> {
    let quad = format!(
        "[{} {} {} {} {} {} {} {}]",
        num(r[0]),
        num(r[3]),
        num(r[2]),
        num(r[3]),
        num(r[0]),
        num(r[1]),
        num(r[2]),
        num(r[1])
    );
    format!(
        "<< /Type /Annot /Subtype /Highlight /Rect {} /QuadPoints {quad} /C [{}] /CA 0.45 /F 4 /P {} {} R /T {} /Contents {} /AP << /N {appearance} 0 R >> >>",
        rect_text(r),
        color(m.severity),
        page.0,
        page.1,
        text_string("budget-tables"),
        text_string(&m.notes.join("\n\n")),
    )
    .into_bytes()
}

/// The highlight's look: its box filled in the colour, multiplied onto the
/// page so the figure under it stays legible.
fn appearance_stream(r: [f64; 4], s: Severity) -> Vec<u8> {
    let content = format!(
        "q /G0 gs {} rg {} {} {} {} re f Q",
        color(s),
        num(r[0]),
        num(r[1]),
        num(r[2] - r[0]),
        num(r[3] - r[1])
    );
    let mut v = format!(
        "<< /Type /XObject /Subtype /Form /BBox {} /Resources << /ExtGState << /G0 << /CA 0.45 /ca 0.45 /BM /Multiply >> >> >> /Length {} >>\nstream\n",
        rect_text(r),
        content.len()
    )
    .into_bytes();
    v.extend_from_slice(content.as_bytes());
    v.extend_from_slice(b"\nendstream");
    v
}

fn write_object(out: &mut Vec<u8>, num: u32, gen: u16, body: &[u8]) {
    out.extend_from_slice(format!("{num} {gen} obj\n").as_bytes());
    out.extend_from_slice(body);
    out.extend_from_slice(b"\nendobj\n");
}

/// The references of the annotations a page has already, as written.
fn existing_annots(pdf: &hayro_syntax::Pdf, page: &hayro_syntax::object::Dict<'_>) -> String {
    let array: Option<Array<'_>> = match page.get_raw::<Array<'_>>(b"Annots") {
        Some(MaybeRef::NotRef(a)) => Some(a),
        Some(MaybeRef::Ref(r)) => pdf.xref().get::<Array<'_>>(r.into()),
        None => None,
    };
    array
        .map(|a| {
            let d = a.data();
            let inner = d.strip_prefix(b"[").unwrap_or(d);
            let inner = inner.strip_suffix(b"]").unwrap_or(inner);
            String::from_utf8_lossy(inner).trim().to_string()
        })
        .unwrap_or_default()
}

/// The page dictionary `dict` (as written) with its `/Annots` entry
/// replaced by the array of `refs`; `None` when it is no dictionary.
fn with_annots(dict: &[u8], refs: &str) -> Option<Vec<u8>> {
    let end = dict.iter().rposition(|b| *b == b'>')?;
    if end == 0 || dict[end - 1] != b'>' || !dict.starts_with(b"<<") {
        return None;
    }
    let mut body = dict[..end - 1].to_vec();
    if let Some((from, to)) = entry_span(&body, b"/Annots") {
        body.drain(from..to);
    }
    body.extend_from_slice(format!(" /Annots [{}] >>", refs.trim()).as_bytes());
    Some(body)
}

/// Where the entry `key` of a dictionary's bytes (without its closing
/// `>>`) starts and its value ends, at the dictionary's own level.
fn entry_span(d: &[u8], key: &[u8]) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    let mut i = 0;
    while i < d.len() {
        match d[i] {
            b'(' => i = skip_string(d, i),
            b'%' => {
                while i < d.len() && d[i] != b'\n' && d[i] != b'\r' {
                    i += 1;
                }
            }
            b'<' if d.get(i + 1) == Some(&b'<') => {
                depth += 1;
                i += 2;
            }
            b'>' if d.get(i + 1) == Some(&b'>') => {
                depth = depth.saturating_sub(1);
                i += 2;
            }
            b'<' => {
                while i < d.len() && d[i] != b'>' {
                    i += 1;
                }
                i += 1;
            }
            b'[' => {
                depth += 1;
                i += 1;
            }
            b']' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'/' if depth == 1
                && d[i..].starts_with(key)
                && d.get(i + key.len()).is_none_or(|c| is_delimiter(*c)) =>
            {
                let from = i;
                let to = value_end(d, i + key.len())?;
                return Some((from, to));
            }
            _ => i += 1,
        }
    }
    None
}

fn is_delimiter(c: u8) -> bool {
    c.is_ascii_whitespace() || b"()<>[]{}/%".contains(&c)
}

/// The end of a literal string starting at `i` (its `(`).
fn skip_string(d: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < d.len() {
        match d[i] {
            b'\\' => i += 1,
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    i
}

/// The end of the value that starts after `i` (past white space): an
/// array, a dictionary, a reference `n g R`, or one token.
fn value_end(d: &[u8], mut i: usize) -> Option<usize> {
    while i < d.len() && d[i].is_ascii_whitespace() {
        i += 1;
    }
    let close = |open: &[u8], close: &[u8], mut i: usize| {
        let mut depth = 0usize;
        while i < d.len() {
            if d[i] == b'(' {
                i = skip_string(d, i);
                continue;
            }
            if d[i..].starts_with(open) {
                depth += 1;
                i += open.len();
            } else if d[i..].starts_with(close) {
                depth -= 1;
                i += close.len();
                if depth == 0 {
                    return Some(i);
                }
            } else {
                i += 1;
            }
        }
        None
    };
    match d.get(i)? {
        b'[' => close(b"[", b"]", i),
        b'<' if d.get(i + 1) == Some(&b'<') => close(b"<<", b">>", i),
        _ => {
            // One token, or the three of a reference.
            let token = |mut j: usize| {
                while j < d.len() && d[j].is_ascii_whitespace() {
                    j += 1;
                }
                let start = j;
                while j < d.len() && !is_delimiter(d[j]) {
                    j += 1;
                }
                (start, j)
            };
            let (_, a) = token(i);
            let (s2, b) = token(a);
            let (s3, c) = token(b);
            let is_ref = d[i..a].iter().all(u8::is_ascii_digit)
                && d[s2..b].iter().all(u8::is_ascii_digit)
                && b > s2
                && &d[s3..c] == b"R";
            Some(if is_ref { c } else { a })
        }
    }
}

/// What the file's last cross-reference section says: where it is, the
/// object count, and the trailer entries an update carries on.
struct Tail {
    startxref: usize,
    size: u32,
    root: String,
    info: Option<String>,
    id: Option<String>,
}

impl Tail {
    fn of(pdf: &[u8]) -> Result<Tail, WriteError> {
        let bad = || WriteError::Pdf("找不到 PDF 的交叉引用表（startxref）".into());
        let at = memchr::memmem::rfind(pdf, b"startxref").ok_or_else(bad)?;
        let digits: String = pdf[at + 9..]
            .iter()
            .skip_while(|b| b.is_ascii_whitespace())
            .take_while(|b| b.is_ascii_digit())
            .map(|b| char::from(*b))
            .collect();
        let startxref: usize = digits.parse().map_err(|_| bad())?;
        let section = pdf.get(startxref..).ok_or_else(bad)?;
        // A table's trailer follows it; a cross-reference stream's dictionary is its own.
        let dict_at = if section.starts_with(b"xref") {
            memchr::memmem::find(section, b"trailer").ok_or_else(bad)? + 7
        } else {
            memchr::memmem::find(section, b"<<").ok_or_else(bad)?
        };
        let dict = &section[dict_at..];
        let dict = &dict[dict.iter().position(|b| *b == b'<').ok_or_else(bad)?..];
        let end = value_end(dict, 0).ok_or_else(bad)?;
        let dict = &dict[..end - 2];
        let value = |key: &[u8]| {
            entry_span(dict, key).map(|(from, to)| {
                String::from_utf8_lossy(&dict[from + key.len()..to])
                    .trim()
                    .to_string()
            })
        };
        Ok(Tail {
            startxref,
            size: value(b"/Size")
                .and_then(|s| s.parse().ok())
                .ok_or_else(bad)?,
            root: value(b"/Root").ok_or_else(bad)?,
            info: value(b"/Info"),
            id: value(b"/ID"),
        })
    }
}

/// The update's cross-reference table (one subsection per object) and trailer.
fn write_xref(out: &mut Vec<u8>, offsets: &[(u32, u16, usize)], size: u32, tail: &Tail) {
    let at = out.len();
    let mut x = String::from("xref\n");
    let mut sorted = offsets.to_vec();
    sorted.sort_unstable();
    for (num, gen, offset) in sorted {
        let _ = write!(x, "{num} 1\n{offset:010} {gen:05} n\r\n");
    }
    let _ = write!(
        x,
        "trailer\n<< /Size {size} /Root {} /Prev {}",
        tail.root, tail.startxref
    );
    if let Some(info) = &tail.info {
        let _ = write!(x, " /Info {info}");
    }
    if let Some(id) = &tail.id {
        let _ = write!(x, " /ID {id}");
    }
    let _ = write!(x, " >>\nstartxref\n{at}\n%%EOF\n");
    out.extend_from_slice(x.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_dictionary_gets_its_annotations_whatever_it_had() {
        let plain = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>";
        assert_eq!(
            String::from_utf8(with_annots(plain, "9 0 R").unwrap()).unwrap(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]  /Annots [9 0 R] >>"
        );
        let listed = b"<</Type/Page/Annots[5 0 R 6 0 R]/Contents 7 0 R>>";
        let refs = "5 0 R 6 0 R 9 0 R";
        assert_eq!(
            String::from_utf8(with_annots(listed, refs).unwrap()).unwrap(),
            "<</Type/Page/Contents 7 0 R /Annots [5 0 R 6 0 R 9 0 R] >>"
        );
        let referred = b"<</Annots 12 0 R/Type/Page/Resources<</Font<</F1 3 0 R>>>>>>";
        assert_eq!(
            String::from_utf8(with_annots(referred, "9 0 R").unwrap()).unwrap(),
            "<</Type/Page/Resources<</Font<</F1 3 0 R>>>> /Annots [9 0 R] >>"
        );
        // A key inside a nested dictionary or a string is not the page's.
        let nested = b"<</Type/Page/X<</Annots 4 0 R>>/T(/Annots [1 0 R])>>";
        assert!(entry_span(&nested[..nested.len() - 2], b"/Annots").is_none());
    }

    #[test]
    fn notes_are_utf16_text_strings() {
        assert_eq!(text_string("表1"), "<FEFF88680031>");
    }
}
