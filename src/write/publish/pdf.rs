//! The publication as PDF: laid out here (pages, lines, table grids, page
//! numbers, contents), drawn by krilla, fonts embedded and subsetted.
//!
//! Text pages follow the national standard for official documents (GB/T
//! 9704: A4, 三号 body text on 28-point lines); tables are set in 宋体 on
//! portrait pages, landscape when wider than a portrait page, continued
//! tables repeat their header, and a row is never split.

use std::collections::BTreeSet;

use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::Document;

use super::fonts::{Fonts, Role};
use super::{Body, Cell, Para, Publication, Table};
use crate::write::preview::CellKind;
use crate::write::WriteError;

const A4: (f32, f32) = (595.28, 841.89);
/// GB/T 9704 margins: top 37 mm, bottom 35 mm, left 28 mm, right 26 mm.
const TEXT_MARGINS: Margins = Margins {
    top: 104.9,
    bottom: 99.2,
    left: 79.4,
    right: 73.7,
};
const TABLE_MARGINS: Margins = Margins {
    top: 56.7,
    bottom: 62.0,
    left: 48.0,
    right: 48.0,
};
const BODY_SIZE: f32 = 16.0;
const BODY_LINE: f32 = 28.0;
const TITLE_SIZE: f32 = 22.0;
const TABLE_SIZE: f32 = 10.0;
const MIN_TABLE_SIZE: f32 = 6.5;
const PAD: f32 = 3.0;
const RULE: f32 = 0.6;

#[derive(Clone, Copy)]
struct Margins {
    top: f32,
    bottom: f32,
    left: f32,
    right: f32,
}

enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        face: usize,
        text: String,
        /// Extra space after each character but the last, in points (a justified line).
        spacing: f32,
    },
}

/// One page laid out.
struct Page {
    landscape: bool,
    ops: Vec<Op>,
    /// Ruling segments, in hundredths of a point, deduplicated.
    rules: BTreeSet<(i64, i64, i64, i64)>,
    /// Its printed number (none: cover and contents).
    number: Option<u32>,
}

impl Page {
    fn size(&self) -> (f32, f32) {
        if self.landscape {
            (A4.1, A4.0)
        } else {
            A4
        }
    }
}

/// What a part or table begins on, for the contents and the outline.
struct Mark {
    title: String,
    page: usize,
    y: f32,
    level: u8,
}

/// The pages being laid out.
struct Layout<'a> {
    fonts: &'a Fonts,
    pages: Vec<Page>,
    marks: Vec<Mark>,
    y: f32,
    next_number: u32,
    /// The page drawn on when not the last (the contents, drawn last on pages kept for it).
    at: Option<usize>,
}

impl<'a> Layout<'a> {
    fn new_page(&mut self, landscape: bool, numbered: bool) {
        let number = numbered.then(|| {
            self.next_number += 1;
            self.next_number
        });
        self.pages.push(Page {
            landscape,
            ops: Vec::new(),
            rules: BTreeSet::new(),
            number,
        });
        self.y = if landscape {
            TABLE_MARGINS.top
        } else {
            TEXT_MARGINS.top
        };
    }

    fn page(&mut self) -> &mut Page {
        let i = self.at.unwrap_or(self.pages.len() - 1);
        &mut self.pages[i]
    }

    fn text(&mut self, x: f32, y: f32, size: f32, role: Role, text: &str) {
        self.spaced(x, y, size, role, text, 0.0);
    }

    fn spaced(&mut self, x: f32, y: f32, size: f32, role: Role, text: &str, spacing: f32) {
        let face = self.fonts.face_for(role, text);
        self.page().ops.push(Op::Text {
            x,
            y,
            size,
            face,
            text: text.to_string(),
            spacing,
        });
    }

    fn width(&self, role: Role, text: &str, size: f32) -> f32 {
        self.fonts
            .width(self.fonts.face_for(role, text), text, size)
    }

    fn rule(&mut self, x1: f32, y1: f32, x2: f32, y2: f32) {
        let q = |v: f32| (v * 100.0).round() as i64;
        self.page().rules.insert((q(x1), q(y1), q(x2), q(y2)));
    }

    fn mark(&mut self, title: &str, level: u8) {
        self.marks.push(Mark {
            title: title.to_string(),
            page: self.pages.len() - 1,
            y: self.y,
            level,
        });
    }

    fn centred(&mut self, text: &str, size: f32, role: Role, left: f32, width: f32) {
        for line in wrap(self, role, text, size, width, 0.0) {
            let w = self.width(role, &line, size);
            let y = self.y + size;
            self.text(left + (width - w).max(0.0) / 2.0, y, size, role, &line);
            self.y += size * 1.5;
        }
    }
}

/// The PDF of `p` and its number of pages.
///
/// # Errors
/// [`WriteError::Publish`] when a font cannot be embedded.
pub fn bytes(p: &Publication, fonts: &Fonts) -> Result<(Vec<u8>, usize), WriteError> {
    let mut l = Layout {
        fonts,
        pages: Vec::new(),
        marks: Vec::new(),
        y: 0.0,
        next_number: 0,
        at: None,
    };
    cover(&mut l, p);
    let entries = super::contents_lines(p);
    let contents_pages = if p.contents.is_some() {
        let per_page =
            ((A4.1 - TEXT_MARGINS.top - TEXT_MARGINS.bottom - 60.0) / BODY_LINE) as usize;
        entries.len().div_ceil(per_page.max(1)).max(1)
    } else {
        0
    };
    let first_body = l.pages.len() + contents_pages;
    for _ in 0..contents_pages {
        l.new_page(false, false);
    }
    for part in &p.parts {
        match &part.body {
            Body::Text(paras) => text_part(&mut l, &part.title, paras),
            Body::Tables(tables) => {
                if part.heading {
                    l.new_page(false, true);
                    l.mark(&part.title, 0);
                    l.y = A4.1 / 3.0;
                    l.centred(
                        &part.title,
                        TITLE_SIZE,
                        Role::Heading,
                        TEXT_MARGINS.left,
                        text_width(),
                    );
                } else {
                    // The contents points at the first table.
                    l.marks.push(Mark {
                        title: part.title.clone(),
                        page: l.pages.len(),
                        y: TABLE_MARGINS.top,
                        level: 0,
                    });
                }
                for t in tables {
                    table(&mut l, t);
                }
            }
        }
    }
    if let Some(title) = &p.contents {
        contents(
            &mut l,
            title,
            &entries,
            first_body - contents_pages,
            contents_pages,
        );
    }
    Ok((draw(&l, p, fonts)?, l.pages.len()))
}

fn text_width() -> f32 {
    A4.0 - TEXT_MARGINS.left - TEXT_MARGINS.right
}

fn cover(l: &mut Layout, p: &Publication) {
    l.new_page(false, false);
    let (left, width) = (TEXT_MARGINS.left, text_width());
    l.y = 220.0;
    if let Some(first) = p.cover.first() {
        l.centred(first, 26.0, Role::Heading, left, width);
    }
    l.y = 520.0;
    for line in p.cover.iter().skip(1) {
        l.centred(line, 18.0, Role::Body, left, width);
        l.y += 12.0;
    }
}

/// The contents, drawn last on the pages kept for it: every part's and
/// table's page number is known by then.
fn contents(l: &mut Layout, title: &str, lines: &[(String, u8)], first: usize, count: usize) {
    // Marks were made in the order of the contents' lines.
    let entries: Vec<(String, u8, u32)> = lines
        .iter()
        .zip(&l.marks)
        .map(|((text, level), m)| {
            let page = l.pages.get(m.page).and_then(|p| p.number).unwrap_or(1);
            (text.clone(), *level, page)
        })
        .collect();
    let (left, width) = (TEXT_MARGINS.left, text_width());
    let bottom = A4.1 - TEXT_MARGINS.bottom;
    l.at = Some(first);
    l.y = TEXT_MARGINS.top;
    l.centred(title, TITLE_SIZE, Role::Heading, left, width);
    l.y += 20.0;
    for (text, level, page) in entries {
        if l.y + BODY_LINE > bottom {
            let next = l.at.map_or(first, |a| a + 1);
            if next >= first + count {
                break;
            }
            l.at = Some(next);
            l.y = TEXT_MARGINS.top;
        }
        let size = if level == 0 { BODY_SIZE } else { 14.0 };
        let indent = f32::from(level) * 2.0 * BODY_SIZE;
        let number = page.to_string();
        let base = l.y + size;
        let text = fit(l, Role::Body, &text, size, width - indent - 40.0);
        let w = l.width(Role::Body, &text, size);
        l.text(left + indent, base, size, Role::Body, &text);
        let nw = l.width(Role::Body, &number, size);
        l.text(left + width - nw, base, size, Role::Body, &number);
        // Leader dots as Word sets them (`……` would read as template residue).
        let dot = l.width(Role::Body, ".", size).max(1.0);
        let room = width - indent - w - nw - 8.0;
        let n = (room / dot).floor().max(0.0) as usize;
        if n > 0 {
            l.text(
                left + indent + w + 4.0,
                base,
                size,
                Role::Body,
                &".".repeat(n),
            );
        }
        l.y += BODY_LINE;
    }
    l.at = None;
}

/// A line shortened with `…` to fit `width`.
fn fit(l: &Layout, role: Role, text: &str, size: f32, width: f32) -> String {
    if l.width(role, text, size) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        out.push(c);
        if l.width(role, &out, size) > width - size {
            out.pop();
            break;
        }
    }
    out + "…"
}

fn text_part(l: &mut Layout, title: &str, paras: &[Para]) {
    l.new_page(false, true);
    l.mark(title, 0);
    let (left, width) = (TEXT_MARGINS.left, text_width());
    l.centred(title, TITLE_SIZE, Role::Heading, left, width);
    l.y += BODY_LINE / 2.0;
    let bottom = A4.1 - TEXT_MARGINS.bottom;
    for para in paras {
        let role = if para.heading {
            Role::Heading
        } else {
            Role::Body
        };
        let lines = wrap(l, role, &para.text, BODY_SIZE, width, 2.0 * BODY_SIZE);
        let count = lines.len();
        for (i, line) in lines.into_iter().enumerate() {
            // A heading is not left alone at a page's foot.
            let keep = if para.heading { 2.0 } else { 1.0 };
            if l.y + BODY_LINE * keep > bottom || (i > 0 && l.y + BODY_LINE > bottom) {
                l.new_page(false, true);
            }
            let x = if i == 0 { left + 2.0 * BODY_SIZE } else { left };
            let base = l.y + BODY_SIZE + (BODY_LINE - BODY_SIZE) / 2.0;
            // Every line but a paragraph's last is set full width, as Word
            // and WPS justify: a line ending short ends its paragraph.
            let spacing = if i + 1 < count {
                let slack = left + width - x - l.width(role, &line, BODY_SIZE);
                let gaps = line.chars().count().saturating_sub(1).max(1) as f32;
                (slack / gaps).clamp(0.0, BODY_SIZE)
            } else {
                0.0
            };
            l.spaced(x, base, BODY_SIZE, role, &line, spacing);
            l.y += BODY_LINE;
        }
    }
}

/// Lines of `text` no wider than `width` (the first `indent` narrower):
/// broken between characters of Chinese, never inside a number or a Latin
/// word, never before a closing mark or after an opening one.
fn wrap(l: &Layout, role: Role, text: &str, size: f32, width: f32, indent: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut room = width - indent;
    for token in tokens(text) {
        let candidate = format!("{line}{token}");
        if !line.is_empty() && l.width(role, &candidate, size) > room {
            lines.push(std::mem::take(&mut line));
            room = width;
            let token = token.trim_start().to_string();
            // A token wider than a whole line is cut where it must be.
            if l.width(role, &token, size) > room {
                for c in token.chars() {
                    if !line.is_empty() && l.width(role, &format!("{line}{c}"), size) > room {
                        lines.push(std::mem::take(&mut line));
                    }
                    line.push(c);
                }
            } else {
                line = token;
            }
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

const CLOSING: &str = "，。、；：？！）》」』”’％,.;:?!)]%";
const OPENING: &str = "（《「『“‘([";

/// The unbreakable pieces of a text: a run of Latin letters, digits and
/// their marks, or one Chinese character, with closing marks kept on the
/// piece before and opening marks on the piece after.
fn tokens(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut pending_open = String::new();
    let mut latin = false;
    for c in text.chars() {
        let is_latin = c.is_ascii_alphanumeric() || (latin && matches!(c, '.' | ',' | '-' | '/'));
        if CLOSING.contains(c) && !(latin && matches!(c, '.' | ',')) {
            match out.last_mut() {
                Some(last) if pending_open.is_empty() => last.push(c),
                _ => pending_open.push(c),
            }
            latin = false;
            continue;
        }
        if OPENING.contains(c) {
            pending_open.push(c);
            latin = false;
            continue;
        }
        if is_latin && latin && pending_open.is_empty() {
            if let Some(last) = out.last_mut() {
                last.push(c);
                continue;
            }
        }
        let mut t = std::mem::take(&mut pending_open);
        t.push(c);
        out.push(t);
        latin = is_latin;
    }
    if !pending_open.is_empty() {
        out.push(pending_open);
    }
    out
}

/// A table's column widths and type size.
struct Grid {
    widths: Vec<f32>,
    size: f32,
    landscape: bool,
}

fn grid(l: &Layout, t: &Table) -> Grid {
    let want = t.natural_widths(
        4.0 * TABLE_SIZE,
        (7.0 * TABLE_SIZE, 20.0 * TABLE_SIZE),
        |text| l.width(Role::Table, text, TABLE_SIZE) + 2.0 * PAD,
    );
    let total: f32 = want.iter().sum();
    let portrait = A4.0 - TABLE_MARGINS.left - TABLE_MARGINS.right;
    let landscape = total > portrait;
    let avail = if landscape {
        A4.1 - TABLE_MARGINS.left - TABLE_MARGINS.right
    } else {
        portrait
    };
    let scale = (avail / total).min(1.0);
    let size = (TABLE_SIZE * scale).max(MIN_TABLE_SIZE);
    let stretch = avail / total;
    Grid {
        widths: want.iter().map(|w| w * stretch).collect(),
        size,
        landscape,
    }
}

/// Heights of rows whose cells wrap; a merged cell's lines are spread over the rows it spans.
fn heights(
    l: &Layout,
    rows: &[Vec<Cell>],
    g: &Grid,
    lines: &mut Vec<Vec<Vec<String>>>,
) -> Vec<f32> {
    let lh = g.size * 1.3;
    let mut h = vec![g.size + 2.0 * PAD + 4.0; rows.len()];
    let mut spans = Vec::new();
    let n = g.widths.len();
    for (r, (row, starts)) in rows.iter().zip(super::starts(rows, n)).enumerate() {
        let mut out = Vec::new();
        for (c, col) in row.iter().zip(starts) {
            let w: f32 = g.widths[col.min(n)..(col + c.colspan as usize).min(n)]
                .iter()
                .sum();
            let ls = if c.text.is_empty() {
                vec![String::new()]
            } else {
                wrap(l, Role::Table, &c.text, g.size, w - 2.0 * PAD, 0.0)
            };
            let need = ls.len() as f32 * lh + 2.0 * PAD;
            if c.rowspan == 1 {
                h[r] = h[r].max(need);
            } else {
                spans.push((r, c.rowspan as usize, need));
            }
            out.push(ls);
        }
        lines.push(out);
    }
    for (r, span, need) in spans {
        let end = (r + span).min(h.len());
        let have: f32 = h[r..end].iter().sum();
        if need > have {
            h[end - 1] += need - have;
        }
    }
    h
}

fn table(l: &mut Layout, t: &Table) {
    let g = grid(l, t);
    let width: f32 = g.widths.iter().sum();
    let left = TABLE_MARGINS.left;
    l.new_page(g.landscape, true);
    l.mark(&t.entry, 1);
    for (i, [a, b, c]) in t.above.iter().enumerate() {
        if Some(i) == t.title_line {
            l.y += 4.0;
            l.centred(b, 16.0, Role::Heading, left, width);
            l.y += 4.0;
            continue;
        }
        let size = 10.5;
        let base = l.y + size;
        if !a.is_empty() {
            l.text(left, base, size, Role::Table, a);
        }
        if !b.is_empty() {
            let w = l.width(Role::Heading, b, size);
            l.text(left + (width - w) / 2.0, base, size, Role::Heading, b);
        }
        if !c.is_empty() {
            let w = l.width(Role::Table, c, size);
            l.text(left + width - w, base, size, Role::Table, c);
        }
        l.y += size * 1.8;
    }
    let mut head_lines = Vec::new();
    let head_h = heights(l, &t.head, &g, &mut head_lines);
    let mut body_lines = Vec::new();
    let body_h = heights(l, &t.body, &g, &mut body_lines);
    let bottom = |l: &Layout| l.page_height() - TABLE_MARGINS.bottom;
    rows(l, &t.head, &head_lines, &head_h, &g, left);
    // Rows tied by a merged cell are kept on one page, as are the rows of
    // a single row: a row is never split.
    for block in blocks(&t.body) {
        let need: f32 = body_h[block.clone()].iter().sum();
        if l.y + need > bottom(l) {
            l.new_page(g.landscape, true);
            rows(l, &t.head, &head_lines, &head_h, &g, left);
        }
        rows(
            l,
            &t.body[block.clone()],
            &body_lines[block.clone()],
            &body_h[block],
            &g,
            left,
        );
    }
    for note in &t.notes {
        l.y += 4.0;
        for line in wrap(l, Role::Table, note, 10.5, width, 0.0) {
            if l.y + 16.0 > bottom(l) {
                l.new_page(g.landscape, true);
            }
            l.text(left, l.y + 10.5, 10.5, Role::Table, &line);
            l.y += 16.0;
        }
    }
}

/// The body's rows in runs that merged cells tie together.
fn blocks(body: &[Vec<Cell>]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut r = 0;
    while r < body.len() {
        let mut end = r + 1;
        let mut k = r;
        while k < end {
            let reach = body[k]
                .iter()
                .map(|c| k + c.rowspan.max(1) as usize)
                .max()
                .unwrap_or(k + 1);
            end = end.max(reach.min(body.len()));
            k += 1;
        }
        out.push(r..end);
        r = end;
    }
    out
}

impl Layout<'_> {
    fn page_height(&self) -> f32 {
        self.pages.last().map_or(A4.1, |p| p.size().1)
    }
}

/// Draws rows of cells from the current position (merged cells spanning rows below).
fn rows(
    l: &mut Layout,
    rows: &[Vec<Cell>],
    lines: &[Vec<Vec<String>>],
    h: &[f32],
    g: &Grid,
    left: f32,
) {
    let mut xs = vec![left];
    for w in &g.widths {
        xs.push(xs.last().copied().unwrap_or(left) + w);
    }
    let lh = g.size * 1.3;
    let n = g.widths.len();
    let mut y = l.y;
    for (r, (row, starts)) in rows.iter().zip(super::starts(rows, n)).enumerate() {
        for (k, (c, col)) in row.iter().zip(starts).enumerate() {
            let end = (col + c.colspan as usize).min(n);
            let (x1, x2) = (xs[col.min(n)], xs[end]);
            let span_end = (r + c.rowspan as usize).min(h.len());
            let y2 = y + h[r..span_end].iter().sum::<f32>();
            l.rule(x1, y, x2, y);
            l.rule(x1, y2, x2, y2);
            l.rule(x1, y, x1, y2);
            l.rule(x2, y, x2, y2);
            let ls = &lines[r][k];
            let block = ls.len() as f32 * lh;
            let mut base = y + (y2 - y - block) / 2.0 + g.size;
            for line in ls {
                if !line.is_empty() {
                    let w = l.width(Role::Table, line, g.size);
                    let x = match c.kind {
                        CellKind::Amount => x2 - PAD - w,
                        CellKind::Head | CellKind::Title => x1 + (x2 - x1 - w) / 2.0,
                        CellKind::Label => x1 + PAD,
                    };
                    l.text(x, base, g.size, Role::Table, line);
                }
                base += lh;
            }
        }
        y += h[r];
    }
    l.y = y;
}

/// The laid-out pages drawn with krilla.
fn draw(l: &Layout, p: &Publication, fonts: &Fonts) -> Result<Vec<u8>, WriteError> {
    let mut doc = Document::new();
    let mut kfonts: Vec<Option<Font>> = Vec::new();
    let mut font = |i: usize| -> Result<Font, WriteError> {
        if kfonts.len() <= i {
            kfonts.resize(i + 1, None);
        }
        if let Some(f) = &kfonts[i] {
            return Ok(f.clone());
        }
        let face = fonts.face(i);
        let data: std::sync::Arc<dyn AsRef<[u8]> + Send + Sync> = face.data.clone();
        let f = Font::new(data.into(), face.index)
            .ok_or_else(|| WriteError::Publish(format!("字体 {} 无法嵌入", face.file.display())))?;
        kfonts[i] = Some(f.clone());
        Ok(f)
    };
    for page in &l.pages {
        let (w, h) = page.size();
        let settings = PageSettings::from_wh(w, h)
            .ok_or_else(|| WriteError::Publish("页面尺寸无效".into()))?;
        let mut pg = doc.start_page_with(settings);
        let mut s = pg.surface();
        if !page.rules.is_empty() {
            let mut pb = PathBuilder::new();
            for &(x1, y1, x2, y2) in &page.rules {
                let f = |v: i64| v as f32 / 100.0;
                pb.move_to(f(x1), f(y1));
                pb.line_to(f(x2), f(y2));
            }
            if let Some(path) = pb.finish() {
                s.set_fill(None);
                s.set_stroke(Some(Stroke {
                    width: RULE,
                    ..Stroke::default()
                }));
                s.draw_path(&path);
                s.set_stroke(None);
            }
        }
        s.set_fill(Some(Fill::default()));
        for op in &page.ops {
            let Op::Text {
                x,
                y,
                size,
                face,
                text,
                spacing,
            } = op;
            // Set from our own glyph lookup, not shaped again per string:
            // shaping built a face plan from the whole CJK font for every
            // cell (a 100-unit department took 108 s), and the glyphs are then
            // exactly as wide as the text was measured for its line.
            let glyphs = justified(fonts, *face, text, *spacing / *size);
            s.draw_glyphs(
                Point::from_xy(*x, *y),
                &glyphs,
                font(*face)?,
                text,
                *size,
                false,
            );
        }
        if let Some(n) = page.number {
            let label = format!("— {n} —");
            let face = fonts.face_for(Role::Table, &label);
            let size = 12.0;
            let lw = fonts.width(face, &label, size);
            let glyphs = justified(fonts, face, &label, 0.0);
            s.draw_glyphs(
                Point::from_xy((w - lw) / 2.0, h - 36.0),
                &glyphs,
                font(face)?,
                &label,
                size,
                false,
            );
        }
        s.finish();
        pg.finish();
    }
    doc.set_outline(outline(l));
    doc.set_metadata(
        Metadata::new()
            .title(p.cover.first().cloned().unwrap_or_default())
            .authors(vec![p.department.clone()])
            .language("zh-CN".into())
            .creator("budget-tables".into()),
    );
    doc.finish()
        .map_err(|e| WriteError::Publish(format!("{e:?}")))
}

/// The glyphs of a line, one per character: each advance widened by `extra`
/// em (a justified line; 0 for any other), the last's left as it is.
fn justified(fonts: &Fonts, face: usize, text: &str, extra: f32) -> Vec<KrillaGlyph> {
    let glyphs = fonts.glyphs(face, text);
    let last = glyphs.len().saturating_sub(1);
    glyphs
        .into_iter()
        .enumerate()
        .map(|(i, (gid, advance, range))| {
            let widen = if i < last { extra } else { 0.0 };
            KrillaGlyph::new(
                GlyphId::new(gid),
                advance + widen,
                0.0,
                0.0,
                0.0,
                range,
                None,
            )
        })
        .collect()
}

/// Bookmarks: each part, its tables beneath it.
fn outline(l: &Layout) -> Outline {
    let mut o = Outline::new();
    let mut current: Option<OutlineNode> = None;
    for m in &l.marks {
        let node = OutlineNode::new(
            m.title.clone(),
            XyzDestination::new(m.page, Point::from_xy(0.0, m.y)),
        );
        if m.level == 0 {
            if let Some(done) = current.take() {
                o.push_child(done);
            }
            current = Some(node);
        } else if let Some(parent) = current.as_mut() {
            parent.push_child(node);
        } else {
            o.push_child(node);
        }
    }
    if let Some(done) = current {
        o.push_child(done);
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_closing_marks_are_never_broken_off() {
        assert_eq!(
            tokens("收入15,621.11万元。"),
            vec!["收", "入", "15,621.11", "万", "元。"]
        );
        assert_eq!(tokens("（一）财政"), vec!["（一）", "财", "政"]);
        assert_eq!(tokens("增长12.5%，"), vec!["增", "长", "12.5%，"]);
    }
}
