//! The draft as a Word document (docx-rs): a title, the amount unit, one
//! heading per section, body paragraphs indented two characters, and every
//! 【请填写：……】 highlighted so none is printed by mistake.

use docx_rs::{
    AlignmentType, Docx, LineSpacing, LineSpacingType, PageMargin, Paragraph, Run, RunFonts,
    SpecialIndentType, Style, StyleType,
};

use super::Draft;

/// 三号 (16 pt) body text, in half-points.
const BODY: usize = 32;
/// Fixed document dates: the same draft gives the same bytes.
pub(crate) const FIXED_DATE: &str = "2000-01-01T00:00:00Z";

/// The bytes of the .docx of `d`.
///
/// # Errors
/// Only if the archive cannot be assembled in memory (a zip error).
pub fn bytes(d: &Draft) -> Result<Vec<u8>, String> {
    let mut doc = Docx::new()
        .default_fonts(
            RunFonts::new()
                .east_asia("仿宋")
                .ascii("Times New Roman")
                .hi_ansi("Times New Roman"),
        )
        .default_size(BODY)
        .page_size(11906, 16838)
        .page_margin(
            PageMargin::new()
                .top(2098)
                .bottom(1984)
                .left(1588)
                .right(1474),
        )
        .created_at(FIXED_DATE)
        .updated_at(FIXED_DATE)
        .add_style(heading("Heading1", "heading 1", 1, 32))
        .add_style(heading("Heading2", "heading 2", 2, 32))
        .add_style(heading("Title", "Title", 0, 44));
    doc = doc.add_paragraph(
        Paragraph::new()
            .style("Title")
            .align(AlignmentType::Center)
            .add_run(Run::new().add_text(&d.title)),
    );
    doc = doc.add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Right)
            .add_run(Run::new().add_text(format!("金额单位：{}", d.unit))),
    );
    for s in &d.sections {
        doc = doc.add_paragraph(
            Paragraph::new()
                .style("Heading1")
                .keep_next(true)
                .add_run(Run::new().add_text(&s.title)),
        );
        for p in &s.paragraphs {
            let para = if p.heading {
                Paragraph::new().style("Heading2").keep_next(true)
            } else {
                // Two characters of 三号 (2 × 16 pt = 640 twips), 28 pt lines.
                Paragraph::new()
                    .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
                    .line_spacing(
                        LineSpacing::new()
                            .line(560)
                            .line_rule(LineSpacingType::Exact),
                    )
            };
            doc = doc.add_paragraph(runs(para, &p.text));
        }
    }
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut out)
        .map_err(|e| format!("无法生成 docx：{e}"))?;
    Ok(out.into_inner())
}

/// A heading style LibreOffice and Word show in their navigator.
fn heading(id: &str, name: &str, level: usize, size: usize) -> Style {
    let s = Style::new(id, StyleType::Paragraph)
        .name(name)
        .bold()
        .size(size)
        .fonts(RunFonts::new().east_asia("黑体"))
        .line_spacing(LineSpacing::new().before(240).after(120));
    if level == 0 {
        s.align(AlignmentType::Center)
    } else {
        s.outline_lvl(level - 1)
    }
}

/// The text as runs, each 【…】 highlighted.
fn runs(mut p: Paragraph, text: &str) -> Paragraph {
    let mut rest = text;
    while let Some(start) = rest.find('【') {
        let Some(len) = rest[start..].find('】') else {
            break;
        };
        let end = start + len + '】'.len_utf8();
        if start > 0 {
            p = p.add_run(Run::new().add_text(&rest[..start]));
        }
        p = p.add_run(Run::new().add_text(&rest[start..end]).highlight("yellow"));
        rest = &rest[end..];
    }
    if !rest.is_empty() {
        p = p.add_run(Run::new().add_text(rest));
    }
    p
}

/// The text of a .docx, one paragraph per line (for `check --narrative`).
///
/// # Errors
/// When the file is not a Word document (no `word/document.xml`).
pub fn text_of(bytes: &[u8]) -> Result<String, String> {
    use quick_xml::events::Event;
    use quick_xml::name::QName;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|_| "不是 docx 文件（无法作为 zip 打开）；请在 Word 或 WPS 中打开并另存为 .docx，或另存为 UTF-8 的 .txt 后再检查".to_string())?;
    let mut xml = String::new();
    {
        use std::io::Read;
        let part = archive
            .by_name("word/document.xml")
            .map_err(|_| "不是 Word 文档（缺少 word/document.xml）；请在 Word 或 WPS 中打开并另存为 .docx，或另存为 UTF-8 的 .txt 后再检查".to_string())?;
        // A document's text is far below this; a bomb stops here.
        part.take(64 << 20)
            .read_to_string(&mut xml)
            .map_err(|e| format!("无法读取 word/document.xml：{e}；请在 Word 或 WPS 中打开并另存为 .docx，或另存为 UTF-8 的 .txt 后再检查"))?;
    }
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut out = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if e.name() == QName("w:t") => in_text = true,
            Ok(Event::End(e)) if e.name() == QName("w:t") => in_text = false,
            Ok(Event::End(e)) if e.name() == QName("w:p") => out.push('\n'),
            Ok(Event::Empty(e)) if e.name() == QName("w:tab") => out.push('\t'),
            Ok(Event::Empty(e)) if (e.name() == QName("w:br") || e.name() == QName("w:cr")) => {
                out.push('\n');
            }
            Ok(Event::Text(t)) if in_text => out.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) if in_text => {
                if let Some(c) = quick_xml::escape::resolve_xml_entity(&r) {
                    out.push_str(c);
                } else if let Ok(Some(c)) = r.resolve_char_ref() {
                    out.push(c);
                }
            }
            Ok(Event::Eof) => break,
            Err(e) => return Err(format!("word/document.xml 无法解析：{e}；请在 Word 或 WPS 中打开并另存为 .docx，或另存为 UTF-8 的 .txt 后再检查")),
            _ => {}
        }
    }
    Ok(out)
}
