//! Folder and file names made from department names: no path separators, no
//! `..`, no control or reserved characters, never empty.

/// A safe single path component for `name`.
///
/// # Examples
/// ```
/// use budget_tables::batch::names::safe_component;
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
    let s: String = s.chars().take(80).collect();
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
}
