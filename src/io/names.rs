//! Folder and file names made from department names: no path separators, no
//! `..`, no control or reserved characters, never empty.

/// The longest name made, in bytes of UTF-8: file systems take 255 bytes a
/// name (Windows 255 UTF-16 units), and a `-N` suffix may follow.
pub const MAX_NAME_BYTES: usize = 150;

/// `s` cut at a character boundary to at most `max` bytes, `…` marking a cut.
fn cut_to_bytes(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max - '…'.len_utf8();
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", s[..end].trim_end())
}

/// A safe single path component for `name`.
///
/// # Examples
/// ```
/// use budget_tables::io::names::safe_component;
/// assert_eq!(safe_component("../某局/办公室"), "某局_办公室");
/// assert_eq!(safe_component("CON"), "_CON");
/// assert_eq!(safe_component("  "), "未命名部门");
/// ```
pub fn safe_component(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    while s.contains("..") {
        s = s.replace("..", ".");
    }
    let s = s
        .trim_matches(|c: char| c == '.' || c == '_' || c.is_whitespace())
        .to_string();
    let s = cut_to_bytes(&s, MAX_NAME_BYTES);
    if s.is_empty() {
        return "未命名部门".into();
    }
    let stem = s.split('.').next().unwrap_or("").to_ascii_uppercase();
    let reserved = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (stem.len() == 4
            && (stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.as_bytes()[3].is_ascii_digit());
    if reserved {
        format!("_{s}")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_stay_inside() {
        for bad in [
            "..",
            "../../etc/passwd",
            "a/../../b",
            "x\u{0}y",
            "\u{7}",
            "C:\\Windows",
            "...",
            "/",
        ] {
            let s = safe_component(bad);
            assert!(
                !s.contains('/')
                    && !s.contains('\\')
                    && !s.contains("..")
                    && !s.chars().any(char::is_control),
                "{bad:?} → {s:?}"
            );
            assert!(!s.is_empty() && s != "." && s != "..");
        }
        assert_eq!(
            safe_component("深圳市政务服务和数据管理局(本级)"),
            "深圳市政务服务和数据管理局(本级)"
        );
        assert_eq!(safe_component("lpt1.txt"), "_lpt1.txt");
    }

    #[test]
    fn long_names_are_cut_by_bytes_at_a_character() {
        let emoji = "😀".repeat(70);
        let s = safe_component(&emoji);
        assert!(s.len() <= MAX_NAME_BYTES, "{}", s.len());
        assert!(s.ends_with('…'));
        assert!(s.starts_with("😀😀"));
        let han = "某".repeat(80);
        let s = safe_component(&han);
        assert_eq!(s, format!("{}…", "某".repeat(49)));
        assert_eq!(safe_component(&"某".repeat(50)), "某".repeat(50));
    }
}
