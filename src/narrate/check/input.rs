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
    Ok(text)
}
