//! The publication as .docx, the editable twin of the PDF: the same parts in
//! the same order, real Word tables (merged header cells, header rows
//! repeated on each page, rows kept whole), a landscape section for each
//! table wider than a portrait page, page numbers in the footer and a
//! contents field Word and WPS fill in when the document is opened.

use docx_rs::{
    AlignmentType, BreakType, Docx, FieldCharType, InstrPAGEREF, InstrText, LineSpacing,
    LineSpacingType, PageMargin, PageNum, PageOrientationType, Paragraph, Run, RunFonts,
    SectionProperty, SpecialIndentType, Style, StyleType, Tab, TabLeaderType, TabValueType,
    TableCell, TableLayoutType, TableRow, VAlignType, VMergeType, WidthType,
};

use super::{Body, Cell, Publication, Table};
use crate::narrate::docx::FIXED_DATE;
use crate::text::display_width;
use crate::write::preview::CellKind;
use crate::write::WriteError;

/// The fonts the .docx asks for (Word and WPS substitute what is missing).
pub const FONTS: [&str; 3] = [
    "正文（仿宋）：仿宋_GB2312 / 仿宋",
    "标题（黑体）：黑体",
    "表格（宋体）：宋体",
];
/// A4 in twips.
const A4: (u32, u32) = (11906, 16838);
/// Text width of a portrait page (GB/T 9704 margins) and of a landscape table page, in twips.
const PORTRAIT_TEXT: usize = 8845;
const LANDSCAPE_TEXT: usize = 15398;
/// 三号 body text, 五号 tables, in half-points.
const BODY: usize = 32;
const TABLE: usize = 20;

/// The bytes of the .docx of `p`.
///
/// # Errors
/// [`WriteError::Publish`] when the package cannot be assembled.
pub fn bytes(p: &Publication) -> Result<Vec<u8>, WriteError> {
    let mut doc = Docx::new()
        .default_fonts(
            RunFonts::new()
                .east_asia("仿宋_GB2312")
                .ascii("Times New Roman")
                .hi_ansi("Times New Roman"),
        )
        .default_size(BODY)
        .page_size(A4.0, A4.1)
        .page_margin(text_margins())
        .created_at(FIXED_DATE)
        .updated_at(FIXED_DATE)
        .add_style(heading("Heading1", "heading 1", 1, 32))
        .add_style(heading("Heading2", "heading 2", 2, 28))
        .add_style(heading("Title", "Title", 0, 44))
        .footer(
            docx_rs::Footer::new().add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .add_run(Run::new().add_text("— ").size(28))
                    .add_page_num(PageNum::new())
                    .add_run(Run::new().add_text(" —").size(28)),
            ),
        );
    doc = cover(doc, p);
    if let Some(title) = &p.contents {
        doc = doc.add_paragraph(
            Paragraph::new()
                .style("Title")
                .align(AlignmentType::Center)
                .add_run(Run::new().add_text(title)),
        );
        // Each line's page number is a PAGEREF field to the bookmark at its
        // heading: Word, WPS and LibreOffice compute it as they lay out.
        for (i, (text, level)) in super::contents_lines(p).into_iter().enumerate() {
            doc = doc.add_paragraph(contents_line(&text, level, i + 1));
        }
        doc = doc.add_paragraph(page_break());
    }
    let mut heads = Vec::new();
    let mut landscape_open = false;
    // Bookmarks in the order of the contents' lines.
    let mut mark = 0usize;
    let mut next_mark = || {
        mark += 1;
        mark
    };
    for part in &p.parts {
        match &part.body {
            Body::Text(paras) => {
                if landscape_open {
                    doc = doc.add_paragraph(section_end(true));
                    landscape_open = false;
                }
                doc = doc.add_paragraph(part_heading(&part.title, next_mark()));
                for para in paras {
                    doc = doc.add_paragraph(body_paragraph(&para.text, para.heading));
                }
            }
            Body::Tables(tables) => {
                let part_mark = next_mark();
                let mut pending = Vec::new();
                if part.heading {
                    doc = doc.add_paragraph(part_heading(&part.title, part_mark));
                } else {
                    // The part begins where its first table does.
                    pending.push(part_mark);
                }
                for t in tables {
                    pending.push(next_mark());
                    let natural = widths(t);
                    let wide = natural.iter().sum::<usize>() > PORTRAIT_TEXT;
                    // A section ends where the orientation changes.
                    if wide != landscape_open {
                        doc = doc.add_paragraph(section_end(landscape_open));
                        landscape_open = wide;
                    } else {
                        doc = doc.add_paragraph(page_break());
                    }
                    doc = table(doc, t, &natural, wide, &std::mem::take(&mut pending));
                    heads.push(t.head.len());
                }
            }
        }
    }
    if landscape_open {
        doc = doc.add_paragraph(section_end(true));
    }
    let mut xml = doc.build();
    xml.document = repeat_headers(&xml.document, &heads);
    let mut out = std::io::Cursor::new(Vec::new());
    xml.pack(&mut out)
        .map_err(|e| WriteError::Publish(format!("无法生成 docx：{e}")))?;
    Ok(out.into_inner())
}

fn text_margins() -> PageMargin {
    PageMargin::new()
        .top(2098)
        .bottom(1984)
        .left(1588)
        .right(1474)
}

fn table_margins() -> PageMargin {
    PageMargin::new()
        .top(1134)
        .bottom(1134)
        .left(720)
        .right(720)
}

/// A paragraph that ends the section before it (portrait, or landscape).
fn section_end(landscape: bool) -> Paragraph {
    let s = if landscape {
        SectionProperty::new()
            .page_size(
                docx_rs::PageSize::new()
                    .size(A4.1, A4.0)
                    .orient(PageOrientationType::Landscape),
            )
            .page_margin(table_margins())
    } else {
        SectionProperty::new()
            .page_size(docx_rs::PageSize::new().size(A4.0, A4.1))
            .page_margin(text_margins())
    };
    Paragraph::new().section_property(s)
}

fn page_break() -> Paragraph {
    Paragraph::new().add_run(Run::new().add_break(BreakType::Page))
}

fn cover(mut doc: Docx, p: &Publication) -> Docx {
    for _ in 0..6 {
        doc = doc.add_paragraph(Paragraph::new());
    }
    if let Some(first) = p.cover.first() {
        doc = doc.add_paragraph(
            Paragraph::new().align(AlignmentType::Center).add_run(
                Run::new()
                    .add_text(first)
                    .size(52)
                    .fonts(RunFonts::new().east_asia("黑体")),
            ),
        );
    }
    for _ in 0..8 {
        doc = doc.add_paragraph(Paragraph::new());
    }
    for line in p.cover.iter().skip(1) {
        doc = doc.add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(Run::new().add_text(line).size(36)),
        );
    }
    doc.add_paragraph(page_break())
}

/// A part's heading on a new page, bookmarked for its contents line.
fn part_heading(title: &str, mark: usize) -> Paragraph {
    bookmarked(
        Paragraph::new()
            .style("Heading1")
            .align(AlignmentType::Center)
            .page_break_before(true)
            .add_run(Run::new().add_text(title)),
        &[mark],
    )
}

/// `p` with a bookmark `_TocN` for each of `marks`.
fn bookmarked(mut p: Paragraph, marks: &[usize]) -> Paragraph {
    for &m in marks {
        p = p
            .add_bookmark_start(m, format!("_Toc{m}"))
            .add_bookmark_end(m);
    }
    p
}

/// One line of the contents: its text, a dotted leader, its page (a field).
fn contents_line(text: &str, level: u8, mark: usize) -> Paragraph {
    let size = if level == 0 { BODY } else { 28 };
    Paragraph::new()
        .indent(Some(i32::from(level) * 640), None, None, None)
        .add_tab(
            Tab::new()
                .val(TabValueType::Right)
                .leader(TabLeaderType::Dot)
                .pos(PORTRAIT_TEXT),
        )
        .add_run(Run::new().add_text(text).size(size))
        .add_run(Run::new().add_tab().size(size))
        .add_run(
            Run::new()
                .size(size)
                .add_field_char(FieldCharType::Begin, true)
                .add_instr_text(InstrText::PAGEREF(
                    InstrPAGEREF::new(format!("_Toc{mark}")).hyperlink(),
                ))
                .add_field_char(FieldCharType::Separate, false)
                .add_text("")
                .add_field_char(FieldCharType::End, false),
        )
}

/// A heading style LibreOffice, Word and WPS show in their navigator and contents.
fn heading(id: &str, name: &str, level: usize, size: usize) -> Style {
    let s = Style::new(id, StyleType::Paragraph)
        .name(name)
        .size(size)
        .fonts(RunFonts::new().east_asia("黑体"))
        .line_spacing(LineSpacing::new().before(240).after(240));
    if level == 0 {
        s.align(AlignmentType::Center)
    } else {
        s.outline_lvl(level - 1)
    }
}

fn body_paragraph(text: &str, heading: bool) -> Paragraph {
    let p = Paragraph::new()
        .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
        .line_spacing(
            LineSpacing::new()
                .line(560)
                .line_rule(LineSpacingType::Exact),
        );
    let run = Run::new().add_text(text);
    if heading {
        p.keep_next(true)
            .add_run(run.fonts(RunFonts::new().east_asia("黑体")))
    } else {
        p.add_run(run)
    }
}

/// Column widths in twips from the longest text of each column (a header
/// wraps beyond seven characters, a name beyond twenty).
fn widths(t: &Table) -> Vec<usize> {
    // One display column of 五号 type is about 105 twips; two of padding.
    let twips = |columns: usize| (columns * 105) as f32;
    t.natural_widths(twips(8), (twips(16), twips(42)), |text| {
        twips(display_width(text) + 2)
    })
    .into_iter()
    .map(|w| w as usize)
    .collect()
}

/// A table on a landscape page when its natural widths exceed a portrait page.
fn table(doc: Docx, t: &Table, natural: &[usize], wide: bool, marks: &[usize]) -> Docx {
    let mut doc = doc;
    for (i, [a, b, c]) in t.above.iter().enumerate() {
        let marks = if i == 0 { marks } else { &[] };
        let title = Some(i) == t.title_line;
        let text = [a.as_str(), b.as_str(), c.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("    ");
        let para = if title {
            Paragraph::new().align(AlignmentType::Center).add_run(
                Run::new()
                    .add_text(text)
                    .size(32)
                    .fonts(RunFonts::new().east_asia("黑体")),
            )
        } else if a.is_empty() && b.is_empty() {
            Paragraph::new()
                .align(AlignmentType::Right)
                .add_run(Run::new().add_text(text).size(TABLE))
        } else {
            Paragraph::new().add_run(Run::new().add_text(text).size(TABLE))
        };
        doc = doc.add_paragraph(bookmarked(para.keep_next(true), marks));
    }
    let avail = if wide { LANDSCAPE_TEXT } else { PORTRAIT_TEXT };
    let total: usize = natural.iter().sum::<usize>().max(1);
    let grid: Vec<usize> = natural.iter().map(|w| w * avail / total).collect();
    let mut rows = Vec::new();
    let mut covered: Vec<(u32, u32)> = vec![(0, 1); t.columns];
    for row in t.head.iter().chain(&t.body) {
        rows.push(TableRow::new(cells(row, &mut covered, &grid)).cant_split());
    }
    let table = docx_rs::Table::new(rows)
        .set_grid(grid)
        .layout(TableLayoutType::Fixed)
        .width(avail, WidthType::Dxa);
    doc = doc.add_table(table);
    for note in &t.notes {
        doc = doc.add_paragraph(Paragraph::new().add_run(Run::new().add_text(note).size(TABLE)));
    }
    doc
}

/// One row's cells, with a continuing cell where a merge from above covers
/// the grid (`covered`: rows still covered and the span, per column).
fn cells(row: &[Cell], covered: &mut [(u32, u32)], grid: &[usize]) -> Vec<TableCell> {
    let mut out = Vec::new();
    let mut col = 0usize;
    let mut it = row.iter();
    while col < covered.len() {
        if covered[col].0 > 0 {
            let span = covered[col].1 as usize;
            out.push(
                TableCell::new()
                    .vertical_merge(VMergeType::Continue)
                    .grid_span(span)
                    .add_paragraph(Paragraph::new()),
            );
            covered[col].0 -= 1;
            col += span;
            continue;
        }
        let Some(c) = it.next() else {
            break;
        };
        let span = (c.colspan as usize).max(1);
        let width: usize = grid[col.min(grid.len())..(col + span).min(grid.len())]
            .iter()
            .sum();
        let align = match c.kind {
            CellKind::Amount => AlignmentType::Right,
            CellKind::Head | CellKind::Title => AlignmentType::Center,
            CellKind::Label => AlignmentType::Left,
        };
        let mut cell = TableCell::new()
            .width(width, WidthType::Dxa)
            .vertical_align(VAlignType::Center)
            .add_paragraph(
                Paragraph::new().align(align).add_run(
                    Run::new()
                        .add_text(&c.text)
                        .size(TABLE)
                        .fonts(RunFonts::new().east_asia("宋体")),
                ),
            );
        if span > 1 {
            cell = cell.grid_span(span);
        }
        if c.rowspan > 1 {
            cell = cell.vertical_merge(VMergeType::Restart);
            covered[col] = (c.rowspan - 1, span as u32);
        }
        out.push(cell);
        col += span;
    }
    out
}

/// Marks the first `heads[i]` rows of the i-th table as header rows Word
/// repeats on each page (`w:tblHeader`, which docx-rs does not write).
fn repeat_headers(document: &[u8], heads: &[usize]) -> Vec<u8> {
    let xml = String::from_utf8_lossy(document);
    let mut out = String::with_capacity(xml.len() + heads.len() * 64);
    let mut parts = xml.split("<w:tbl>");
    out.push_str(parts.next().unwrap_or_default());
    for (i, part) in parts.enumerate() {
        out.push_str("<w:tbl>");
        let n = heads.get(i).copied().unwrap_or(0);
        let marked = part.replacen("<w:trPr>", "<w:trPr><w:tblHeader />", n);
        // `replacen` marks the first n rows, which are the header's.
        out.push_str(&marked);
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_header_rows_of_each_table_repeat() {
        let xml = b"<w:body><w:tbl><w:tr><w:trPr></w:trPr></w:tr><w:tr><w:trPr></w:trPr></w:tr><w:tr><w:trPr></w:trPr></w:tr></w:tbl><w:tbl><w:tr><w:trPr></w:trPr></w:tr></w:tbl></w:body>";
        let out = String::from_utf8(repeat_headers(xml, &[2, 0])).unwrap();
        assert_eq!(out.matches("<w:tblHeader />").count(), 2);
        assert!(out.ends_with("<w:tbl><w:tr><w:trPr></w:trPr></w:tr></w:tbl></w:body>"));
    }
}
