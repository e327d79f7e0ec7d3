//! Merged ranges of xlsx worksheets, found by scanning each sheet's XML for
//! its `<mergeCell ref="…"/>` elements.
//!
//! calamine offers the same through a second full XML parse of every sheet,
//! which cost as much as reading the cells. A `<` cannot appear unescaped in
//! XML text or attribute values, so every `<mergeCell` (or `<x:mergeCell`) in
//! the bytes is a real element and a byte search finds them all. Whatever this
//! scan cannot settle (an unknown part layout, an odd reference) answers
//! `None`, and the caller asks calamine instead.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use calamine::Dimensions;
use memchr::memmem;

/// A workbook's archive with its worksheet parts by sheet name.
#[derive(Clone)]
pub struct Merges<'a> {
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    parts: HashMap<String, String>,
    names: Vec<String>,
}

impl<'a> Merges<'a> {
    /// Reads the workbook part and its relationships; `None` when the
    /// package does not follow the usual layout.
    pub fn open(bytes: &'a [u8]) -> Option<Merges<'a>> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
        let workbook = part(&mut zip, "xl/workbook.xml")?;
        let rels = part(&mut zip, "xl/_rels/workbook.xml.rels")?;
        let mut targets = HashMap::new();
        for el in elements(&rels, b"Relationship") {
            let (id, target) = (attr(el, b"Id")?, attr(el, b"Target")?);
            let path = match target.strip_prefix('/') {
                Some(abs) => abs.to_string(),
                None => format!("xl/{target}"),
            };
            targets.insert(id, path);
        }
        let mut parts = HashMap::new();
        let mut names = Vec::new();
        for el in elements(&workbook, b"sheet") {
            let name = attr(el, b"name")?;
            let id = attr(el, b"r:id")?;
            parts.insert(name.clone(), targets.get(&id)?.clone());
            names.push(name);
        }
        Some(Merges { zip, parts, names })
    }

    /// The sheet names in workbook order, as the workbook part lists them.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The uncompressed size of the sheet's XML part.
    pub fn size(&mut self, sheet: &str) -> Option<u64> {
        Some(self.zip.by_name(self.parts.get(sheet)?).ok()?.size())
    }

    /// The merged ranges (in document order) of the sheet named `sheet`, and its first cell
    /// reference beyond Excel's grid, from one read of its XML.
    pub fn scan(&mut self, sheet: &str) -> Option<Scan> {
        let xml = part(&mut self.zip, self.parts.get(sheet)?)?;
        // One past the limit is enough to refuse the sheet.
        let merges = elements(&xml, b"mergeCell")
            .take(super::sheet::MAX_MERGES + 1)
            .map(|el| range(&attr(el, b"ref")?))
            .collect::<Option<Vec<_>>>()?;
        Some(Scan {
            merges,
            bad_reference: first_bad_reference(&xml),
        })
    }
}

/// What one read of a sheet's XML tells.
pub struct Scan {
    pub merges: Vec<Dimensions>,
    /// A row or cell reference beyond Excel's grid, which the cell reader
    /// would wrap onto a real cell.
    pub bad_reference: Option<String>,
}

/// Excel's grid: 1,048,576 rows, 16,384 columns.
const EXCEL_ROWS: u32 = 1_048_576;
const EXCEL_COLS: u32 = 16_384;

/// The first `r` attribute of a `<row>` or `<c>` element that is no
/// reference inside Excel's grid.
pub(crate) fn first_bad_reference(xml: &[u8]) -> Option<String> {
    for at in memchr::memchr_iter(b'<', xml) {
        let rest = &xml[at + 1..];
        // Half of all tags close an element.
        if rest.first() == Some(&b'/') {
            continue;
        }
        let name_len = rest
            .iter()
            .take_while(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'/' | b'>'))
            .count();
        let name = &rest[..name_len];
        let local = name.rsplit(|b| *b == b':').next().unwrap_or(name);
        let is_row = match local {
            b"row" => true,
            b"c" => false,
            _ => continue,
        };
        let Some(end) = memchr::memchr(b'>', rest) else {
            break;
        };
        let Some(raw) = raw_attr(&rest[..end], b"r") else {
            continue;
        };
        // An escaped reference is rare: only it is copied.
        let r: std::borrow::Cow<str> = if raw.contains('&') {
            match unescape(raw) {
                Some(r) => r.into(),
                None => continue,
            }
        } else {
            raw.into()
        };
        let ok = if is_row {
            r.len() <= 7
                && r.bytes().all(|b| b.is_ascii_digit())
                && r.parse::<u32>()
                    .is_ok_and(|n| (1..=EXCEL_ROWS).contains(&n))
        } else {
            cell(&r).is_some_and(|(row, col)| row < EXCEL_ROWS && col < EXCEL_COLS)
        };
        if !ok {
            return Some(r.into_owned());
        }
    }
    None
}

/// For a package whose layout the scan cannot follow: the first bad
/// reference in any part under a `worksheets/` folder, with the part's name.
pub(crate) fn first_bad_reference_in_any_sheet(bytes: &[u8]) -> Option<(String, String)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let names: Vec<String> = (0..zip.len())
        .filter_map(|i| Some(zip.by_index_raw(i).ok()?.name().ok()?.to_string()))
        .filter(|n| n.to_ascii_lowercase().contains("worksheets/"))
        .collect();
    names.into_iter().find_map(|n| {
        let xml = part(&mut zip, &n)?;
        first_bad_reference(&xml).map(|r| (n, r))
    })
}

fn part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Option<Vec<u8>> {
    let mut f = zip.by_name(name).ok()?;
    // The archive's declared sizes were checked against the limits before.
    let mut out = Vec::with_capacity(usize::try_from(f.size()).ok()?);
    f.read_to_end(&mut out).ok()?;
    Some(out)
}

/// The opening tags `<name …>` or `<prefix:name …>` in `xml`, each up to its `>`.
pub(crate) fn elements<'a>(xml: &'a [u8], name: &'a [u8]) -> impl Iterator<Item = &'a [u8]> + 'a {
    memmem::find_iter(xml, name).filter_map(move |at| {
        let after = xml.get(at + name.len())?;
        if !matches!(after, b' ' | b'\t' | b'\r' | b'\n' | b'/' | b'>') {
            return None;
        }
        let head = &xml[..at];
        let open = match head.last()? {
            b'<' => at - 1,
            b':' => {
                let prefix = head[..head.len() - 1]
                    .iter()
                    .rev()
                    .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
                    .count();
                let lt = (at - 1 - prefix).checked_sub(1)?;
                (prefix > 0 && head.get(lt) == Some(&b'<')).then_some(lt)?
            }
            _ => return None,
        };
        let end = memchr::memchr(b'>', &xml[at..])?;
        Some(&xml[open..at + end])
    })
}

/// The unescaped value of attribute `key` within one tag.
pub(crate) fn attr(tag: &[u8], key: &[u8]) -> Option<String> {
    unescape(raw_attr(tag, key)?)
}

/// The value of attribute `key` within one tag, as written (entities kept).
fn raw_attr<'a>(tag: &'a [u8], key: &[u8]) -> Option<&'a str> {
    let mut from = 0;
    while let Some(i) = memmem::find(&tag[from..], key) {
        let at = from + i;
        from = at + key.len();
        if at == 0 || !tag[at - 1].is_ascii_whitespace() {
            continue;
        }
        let rest = trim_start(&tag[from..]);
        let Some(rest) = rest.strip_prefix(b"=") else {
            continue;
        };
        let rest = trim_start(rest);
        let quote = *rest.first()?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let end = memchr::memchr(quote, &rest[1..])?;
        return std::str::from_utf8(&rest[1..1 + end]).ok();
    }
    None
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

fn unescape(s: &str) -> Option<String> {
    if !s.contains('&') {
        return Some(s.to_string());
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find(';')? + i;
        let entity = &rest[i + 1..end];
        let c = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = match entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => entity.strip_prefix('#')?.parse().ok()?,
                };
                char::from_u32(code)?
            }
        };
        out.push(c);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// `A1:C3` (or a single `B2`) as 0-based (row, column) corners.
fn range(r: &str) -> Option<Dimensions> {
    let (a, b) = r.split_once(':').unwrap_or((r, r));
    let (start, end) = (cell(a)?, cell(b)?);
    (start.0 <= end.0 && start.1 <= end.1).then(|| Dimensions::new(start, end))
}

fn cell(s: &str) -> Option<(u32, u32)> {
    let s = s.trim_start_matches('$');
    let letters = s.bytes().take_while(u8::is_ascii_alphabetic).count();
    let (col, row) = s.split_at(letters);
    if letters == 0 || letters > 3 {
        return None;
    }
    let row = row.trim_start_matches('$');
    if row.is_empty() || !row.bytes().all(|b| b.is_ascii_digit()) || row.len() > 7 {
        return None;
    }
    let col = col.bytes().fold(0u32, |n, b| {
        n * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1
    });
    let row: u32 = row.parse().ok()?;
    (row > 0).then(|| (row - 1, col - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(xml: &str, name: &str) -> Vec<String> {
        elements(xml.as_bytes(), name.as_bytes())
            .map(|t| String::from_utf8(t.to_vec()).unwrap())
            .collect()
    }

    #[test]
    fn finds_plain_and_prefixed_elements_only() {
        let xml = r#"<x:worksheet><sheetData><row><c t="inlineStr"><is><t>mergeCell ref="A1:B1"</t></is></c></row></sheetData><x:mergeCells count="2"><x:mergeCell ref="A1:B2"/><mergeCell
 ref = 'C3' /></x:mergeCells></x:worksheet>"#;
        assert_eq!(
            tags(xml, "mergeCell"),
            vec![r#"<x:mergeCell ref="A1:B2"/"#, "<mergeCell\n ref = 'C3' /"]
        );
        let found: Vec<_> = elements(xml.as_bytes(), b"mergeCell")
            .map(|t| range(&attr(t, b"ref").unwrap()).unwrap())
            .collect();
        assert_eq!(
            found,
            vec![
                Dimensions::new((0, 0), (1, 1)),
                Dimensions::new((2, 2), (2, 2))
            ]
        );
    }

    #[test]
    fn attributes_are_matched_whole_and_unescaped() {
        let tag = br#"<sheet xname="no" name="R&amp;D &#x8868;1" sheetId="1" r:id="rId7""#;
        assert_eq!(attr(tag, b"name").as_deref(), Some("R&D 表1"));
        assert_eq!(attr(tag, b"r:id").as_deref(), Some("rId7"));
        assert_eq!(attr(tag, b"id"), None);
    }

    #[test]
    fn agrees_with_calamine_on_real_workbooks() {
        use calamine::Reader;
        let mut files: Vec<std::path::PathBuf> = std::fs::read_dir("samples")
            .unwrap()
            .chain(std::fs::read_dir("tests/fixtures").into_iter().flatten())
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
            // An encrypted workbook is no zip package at all.
            .filter(|p| !p.to_string_lossy().contains("encrypted"))
            .collect();
        files.sort();
        assert!(files.len() >= 2, "{files:?}");
        let mut compared = 0;
        for f in files {
            let bytes = std::fs::read(&f).unwrap();
            let mut wb: calamine::Xlsx<_> =
                calamine::open_workbook_from_rs(Cursor::new(&bytes[..])).unwrap();
            let mut scan = Merges::open(&bytes).expect("usual layout");
            for name in wb.sheet_names() {
                let theirs = wb.merge_cells_by_sheet_name(&name).unwrap();
                assert_eq!(
                    scan.scan(&name).unwrap().merges,
                    theirs,
                    "{} {name}",
                    f.display()
                );
                compared += theirs.len();
            }
        }
        assert!(compared > 100, "{compared}");
    }

    #[test]
    fn references_beyond_the_grid_are_found() {
        let ok = br#"<worksheet><sheetData><row r="7"><c r="B7" t="s"><v>1</v></c><c><v>2</v></c></row></sheetData><cols><col min="1"/></cols></worksheet>"#;
        assert_eq!(first_bad_reference(ok), None);
        let wrapped = br#"<x:sheetData><x:row r="7"><x:c r = "B4294967303"><x:v>1</x:v></x:c></x:row></x:sheetData>"#;
        assert_eq!(first_bad_reference(wrapped).as_deref(), Some("B4294967303"));
        let row = br#"<sheetData><row r="4294967303"/></sheetData>"#;
        assert_eq!(first_bad_reference(row).as_deref(), Some("4294967303"));
        assert_eq!(
            first_bad_reference(br#"<c r="XFE1"/>"#).as_deref(),
            Some("XFE1")
        );
        assert_eq!(first_bad_reference(br#"<c r="XFD1048576"/>"#), None);
    }

    #[test]
    fn references_convert_or_refuse() {
        assert_eq!(cell("A1"), Some((0, 0)));
        assert_eq!(cell("$AB$12"), Some((11, 27)));
        assert_eq!(cell("XFD1048576"), Some((1_048_575, 16_383)));
        for bad in ["", "A", "1", "A0", "ABCD1", "A1B", "Ａ1", "A99999999"] {
            assert_eq!(cell(bad), None, "{bad}");
        }
        assert_eq!(range("B2:A1"), None);
    }
}
