//! A written 说明 read from a file: .docx, or UTF-8 text.

/// The most text a 说明 may have (bytes of UTF-8): a real one has tens of
/// kilobytes.
pub const MAX_TEXT_BYTES: usize = 4 << 20;

/// The text of a written 说明 file: .docx, or UTF-8 text (.txt, .md).
///
/// # Errors
/// A file that cannot be read, a .docx that is not a Word document, or a text
/// file that is not UTF-8 — each in words a clerk can act on.
pub fn read_text(path: &std::path::Path) -> Result<String, String> {
    let unreadable = |e: std::io::Error| format!("无法读取说明文件 {}：{e}", path.display());
    let too_long = |size: u64| {
        format!(
            "说明文件 {} 的文字有 {:.1} MB，超过 {} MB 的上限（一份说明通常只有几十 KB）；请只给出说明的文字部分",
            path.display(),
            size as f64 / f64::from(1u32 << 20),
            MAX_TEXT_BYTES >> 20
        )
    };
    let size = std::fs::metadata(path).map_err(unreadable)?.len();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    // A file far beyond the limit is not read at all; a .docx's text is
    // measured once taken out.
    if size > 8 * MAX_TEXT_BYTES as u64 {
        return Err(too_long(size));
    }
    let bytes = std::fs::read(path).map_err(unreadable)?;
    let text = match ext.as_deref() {
        Some("docx") => {
            crate::narrate::docx::text_of(&bytes).map_err(|m| format!("{}：{m}", path.display()))
        }
        Some("txt" | "md") => {
            let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
            String::from_utf8(b.to_vec()).map_err(|_| {
                format!(
                    "{} 不是 UTF-8 编码的文字文件；请在记事本中“另存为”并选择 UTF-8 编码",
                    path.display()
                )
            })
        }
        Some("doc") => Err(format!(
            "{} 是旧版 Word（.doc）文件；请在 Word 或 WPS 中另存为 .docx 后再检查",
            path.display()
        )),
        _ => Err(format!(
            "说明文件只能是 .docx、.txt 或 .md：{}",
            path.display()
        )),
    }?;
    if text.len() > MAX_TEXT_BYTES {
        return Err(too_long(text.len() as u64));
    }
    Ok(if text.contains('\u{c}') {
        rejoin_wrapped(&text)
    } else {
        text
    })
}

/// The text of a PDF saved by `pdftotext -layout` (its pages parted by form
/// feeds) with each paragraph on one line again: a line set flush left
/// goes on the line before it, unless that one ends a sentence or either is
/// a table row (columns parted by runs of spaces). A paragraph's first line
/// is set in, so it is never joined to the one before.
pub fn rejoin_wrapped(text: &str) -> String {
    let is_row = |l: &str| l.trim().contains("   ");
    let mut out = String::with_capacity(text.len());
    let mut prev: Option<&str> = None;
    for line in text.split('\n') {
        let line = line.trim_end_matches('\r');
        let flush = line.chars().next().is_some_and(|c| !c.is_whitespace());
        let joins = prev.is_some_and(|p| {
            let p = p.trim_end();
            !p.trim().is_empty()
                && !p.ends_with(['。', '！', '？', '；'])
                && !is_row(p)
                && !is_row(line)
        });
        if flush && joins {
            out.push_str(line.trim_end());
        } else {
            if prev.is_some() {
                out.push('\n');
            }
            out.push_str(line.trim_end());
        }
        prev = Some(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_text_gets_its_paragraphs_back() {
        let pdf = "     2024年，收入预算15621.11万元，比2023年预算减少\n876.75万元；事业收入0.00万元。\n    支出预算15621.11万元。国有资本经营预\n算拨款支出预算0.00万元，比2023年预算持平。\n\u{c}  项目        合计       基本支出\n201   一般公共服务支出   100   100\n";
        assert_eq!(
            rejoin_wrapped(pdf),
            "     2024年，收入预算15621.11万元，比2023年预算减少876.75万元；事业收入0.00万元。\n    支出预算15621.11万元。国有资本经营预算拨款支出预算0.00万元，比2023年预算持平。\n\u{c}  项目        合计       基本支出\n201   一般公共服务支出   100   100\n"
        );
    }
}
