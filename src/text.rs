//! Text normalization shared by header recognition, title search and amount parsing.
//!
//! Finance staff type the same label many ways: full-width or half-width
//! brackets and digits, Chinese or ASCII quotes, stray spaces and line breaks
//! from wrapped header cells. Everything that is compared goes through [`norm`].

use unicode_normalization::UnicodeNormalization;

/// Canonical form for comparing labels: NFKC (full-width → half-width), no
/// whitespace at all, no quote characters.
pub fn norm(s: &str) -> String {
    let keep = |c: &char| !c.is_whitespace() && !is_quote(*c);
    let mut out = String::with_capacity(s.len());
    // Labels are nearly always ASCII and CJK ideographs, which NFKC leaves as
    // they are; the normalizer's tables are consulted only for the rest.
    if s.chars().all(nfkc_stable)
        || unicode_normalization::is_nfkc_quick(s.chars())
            == unicode_normalization::IsNormalized::Yes
    {
        out.extend(s.chars().filter(keep));
    } else {
        out.extend(s.nfkc().filter(keep));
    }
    out
}

/// The part of `raw` that normalizes to `wanted` (a name captured from
/// normalized text, given back as typed: `（本级）`, not `(本级)`).
pub fn as_typed<'a>(raw: &'a str, wanted: &str) -> Option<&'a str> {
    if wanted.is_empty() || raw.len() > 300 {
        return None;
    }
    let bounds: Vec<usize> = raw
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(raw.len()))
        .collect();
    for (a, &start) in bounds.iter().enumerate() {
        for &end in &bounds[a + 1..] {
            let n = norm(&raw[start..end]);
            if n == wanted {
                return Some(raw[start..end].trim());
            }
            if !wanted.starts_with(&n) {
                break;
            }
        }
    }
    None
}

/// Characters that NFKC maps to themselves whatever surrounds them: no
/// decomposition, and none combines with a neighbour.
fn nfkc_stable(c: char) -> bool {
    c.is_ascii()
        || ('\u{4E00}'..='\u{9FFF}').contains(&c)
        || matches!(
            c,
            '、' | '。'
                | '“'
                | '”'
                | '‘'
                | '’'
                | '《'
                | '》'
                | '【'
                | '】'
                | '「'
                | '」'
                | '『'
                | '』'
                | '—'
        )
}

fn is_quote(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '“' | '”' | '‘' | '’' | '「' | '」' | '『' | '』' | '〝' | '〞'
    )
}

/// Strips an outline number such as `一、`, `1.`, `（二）` or `3、` from the start
/// of a normalized label.
pub fn strip_numbering(normed: &str) -> &str {
    let s = normed;
    if let Some(rest) = s.strip_prefix('(') {
        if let Some(end) = rest.find(')') {
            let inner = &rest[..end];
            if !inner.is_empty() && inner.chars().all(is_numeral) {
                return &rest[end + 1..];
            }
        }
    }
    let digits: usize = s
        .char_indices()
        .take_while(|(_, c)| is_numeral(*c))
        .map(|(i, c)| i + c.len_utf8())
        .last()
        .unwrap_or(0);
    if digits > 0 {
        let rest = &s[digits..];
        for sep in ['、', '.', ':'] {
            if let Some(r) = rest.strip_prefix(sep) {
                return r;
            }
        }
    }
    s
}

/// True when the label starts with a Chinese outline numeral and `、`
/// (`一、一般公共服务支出`): the mark of a 类 line in tables 1 and 6.
pub fn has_chinese_numbering(normed: &str) -> bool {
    let n: usize = normed
        .chars()
        .take_while(|c| CHINESE_NUMERALS.contains(*c))
        .count();
    n > 0 && normed.chars().nth(n) == Some('、')
}

/// Whether a normalized label starts with a numbered sub-item mark (`(一)`).
pub fn has_paren_numbering(normed: &str) -> bool {
    normed.starts_with('(') && strip_numbering(normed).len() < normed.len()
}

const CHINESE_NUMERALS: &str = "一二三四五六七八九十百";

fn is_numeral(c: char) -> bool {
    c.is_ascii_digit() || CHINESE_NUMERALS.contains(c)
}

/// Chinese outline numeral for 1-based `n` (1 → 一, 12 → 十二, 20 → 二十).
pub fn chinese_numeral(n: usize) -> String {
    const D: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0 => "零".into(),
        1..=9 => D[n].into(),
        10..=19 => format!("十{}", D[n % 10]),
        20..=99 => format!("{}十{}", D[n / 10], D[n % 10]),
        _ => n.to_string(),
    }
}

/// Values captured by the placeholders of a label pattern.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Captures {
    /// The year the pattern's `{year}` matched.
    pub year: Option<i32>,
    /// The department the pattern's `{department}` matched.
    pub department: Option<String>,
}

/// Matches normalized `text` against a normalized pattern that may hold
/// `{year}`, `{prior_year}` (four digits) and `{department}` (any text).
/// `{prior_year}` is reported as `year = captured + 1`.
pub fn match_pattern(pattern: &str, text: &str) -> Option<Captures> {
    // Every cell of a sheet is tried against every title: most fail on a
    // literal part of the pattern, found without trying each split of the text.
    if !literals(pattern).all(|lit| text.contains(lit)) {
        return None;
    }
    let mut caps = Captures::default();
    if match_from(pattern, text, &mut caps) {
        Some(caps)
    } else {
        None
    }
}

/// A label pattern whose literal runs are searched for once built: a cell is
/// first looked at for them (most cells of a body fail there), and only then
/// tried against the placeholders.
#[derive(Debug, Clone)]
pub struct Pattern {
    text: String,
    literals: Vec<memchr::memmem::Finder<'static>>,
}

impl Pattern {
    /// A label pattern (`{year}年部门收支总表`).
    pub fn new(pattern: &str) -> Pattern {
        Pattern {
            text: pattern.to_string(),
            literals: literals(pattern)
                .map(|l| memchr::memmem::Finder::new(l).into_owned())
                .collect(),
        }
    }

    /// As [`match_pattern`].
    pub fn matches(&self, text: &str) -> Option<Captures> {
        if !self
            .literals
            .iter()
            .all(|f| f.find(text.as_bytes()).is_some())
        {
            return None;
        }
        let mut caps = Captures::default();
        match_from(&self.text, text, &mut caps).then_some(caps)
    }
}

/// The literal runs of a pattern, between its placeholders.
fn literals(pattern: &str) -> impl Iterator<Item = &str> {
    let mut rest = pattern;
    std::iter::from_fn(move || loop {
        if rest.is_empty() {
            return None;
        }
        for ph in ["{year}", "{prior_year}", "{department}"] {
            if let Some(r) = rest.strip_prefix(ph) {
                rest = r;
            }
        }
        let end = ["{year}", "{prior_year}", "{department}"]
            .iter()
            .filter_map(|ph| rest.find(ph))
            .min()
            .unwrap_or(rest.len());
        let (lit, r) = rest.split_at(end);
        rest = r;
        if !lit.is_empty() {
            return Some(lit);
        }
    })
}

fn match_from(pattern: &str, text: &str, caps: &mut Captures) -> bool {
    if pattern.is_empty() {
        return text.is_empty();
    }
    for (ph, prior) in [("{year}", false), ("{prior_year}", true)] {
        if let Some(rest) = pattern.strip_prefix(ph) {
            let digits: String = text.chars().take(4).collect();
            if digits.len() != 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
                return false;
            }
            let y: i32 = digits.parse().unwrap_or(0);
            let y = if prior { y + 1 } else { y };
            if caps.year.is_some_and(|old| old != y) {
                return false;
            }
            caps.year = Some(y);
            return match_from(rest, &text[4..], caps);
        }
    }
    if let Some(rest) = pattern.strip_prefix("{department}") {
        // The department is followed by a literal suffix: try the longest match first.
        let ends: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        for &end in ends.iter().rev() {
            if end == 0 {
                continue;
            }
            let mut trial = caps.clone();
            trial.department = Some(text[..end].to_string());
            if match_from(rest, &text[end..], &mut trial) {
                *caps = trial;
                return true;
            }
        }
        return false;
    }
    let mut pc = pattern.chars();
    let mut tc = text.chars();
    match (pc.next(), tc.next()) {
        (Some(p), Some(t)) if p == t => match_from(pc.as_str(), tc.as_str(), caps),
        _ => false,
    }
}

/// Fills `{year}`, `{prior_year}` and `{department}` into a label.
pub fn fill(pattern: &str, year: i32, department: &str) -> String {
    if !pattern.contains('{') {
        return pattern.to_string();
    }
    pattern
        .replace("{prior_year}", &(year - 1).to_string())
        .replace("{year}", &year.to_string())
        .replace("{department}", department)
}

/// Display width of a label: CJK characters count 2 columns.
pub fn display_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// Excel-style column letters for a 0-based column index.
pub fn column_letters(mut col: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// `A1`-style address for 0-based row and column.
pub fn cell_address(row: u32, col: u32) -> String {
    format!("{}{}", column_letters(col), row + 1)
}

/// `D12` as 0-based (row, col); `None` when it is not an A1 address.
pub fn parse_cell_address(a: &str) -> Option<(u32, u32)> {
    let letters = a.bytes().take_while(u8::is_ascii_uppercase).count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let row: u32 = a[letters..].parse().ok()?;
    let col = a.as_bytes()[..letters]
        .iter()
        .fold(0u32, |acc, b| acc * 26 + u32::from(b - b'A' + 1));
    (row > 0).then(|| (row - 1, col - 1))
}

/// A written sentence's form for matching: NFKC (full-width digits,
/// brackets and punctuation to half width), no whitespace (PDFs split
/// `11, 452. 25`), no quotation marks (`“三公”经费` and `"三公"经费` are one name).
pub fn normalize(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfkc()
        .filter(|c| {
            !c.is_whitespace() && !matches!(c, '"' | '“' | '”' | '\'' | '‘' | '’' | '「' | '」')
        })
        .collect()
}

/// Whether a character takes two columns (Chinese, full-width forms).
pub fn is_wide(c: char) -> bool {
    unicode_width::UnicodeWidthChar::width(c) == Some(2)
}

/// `N` random bytes from the operating system, as hex (tokens, batch ids,
/// temporary names).
///
/// # Errors
/// The system has no randomness to give.
pub fn random_hex<const N: usize>() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_captured_name_is_given_back_as_typed() {
        let raw = " 上海市普陀区社会福利院（本级） 2024 年度部门决算表";
        let caps = match_pattern("{department}{year}年度部门决算表", &norm(raw)).unwrap();
        assert_eq!(
            caps.department.as_deref(),
            Some("上海市普陀区社会福利院(本级)")
        );
        assert_eq!(
            as_typed(raw, "上海市普陀区社会福利院(本级)"),
            Some("上海市普陀区社会福利院（本级）")
        );
        assert_eq!(as_typed(raw, "别的部门"), None);
    }

    #[test]
    fn literals_lie_between_placeholders() {
        let l: Vec<&str> =
            literals("{department}{year}年部门{prior_year}收支总表{department}").collect();
        assert_eq!(l, vec!["年部门", "收支总表"]);
        assert_eq!(literals("收支总表").collect::<Vec<_>>(), vec!["收支总表"]);
        assert_eq!(literals("{year}").count(), 0);
        assert!(match_pattern("{year}年{department}收支总表", "2024年某局收支总表").is_some());
        assert!(match_pattern("{year}年{department}收支总表", "2024年某局收入总表").is_none());
    }

    #[test]
    fn the_fast_path_agrees_with_nfkc() {
        let stable: Vec<char> = (0u32..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|c| nfkc_stable(*c))
            .collect();
        assert_eq!(stable.len(), 128 + 0x5200 + 15);
        for c in &stable {
            let alone: String = c.to_string().nfkc().collect();
            assert_eq!(alone, c.to_string(), "U+{:04X}", *c as u32);
        }
        // Nothing in the set composes with what follows it.
        let mixed: String = stable.iter().step_by(7).collect();
        assert_eq!(mixed.nfkc().collect::<String>(), mixed);
    }

    #[test]
    fn norm_folds_widths_spaces_quotes() {
        assert_eq!(norm("因公出国 （境）\n费用"), "因公出国(境)费用");
        assert_eq!(norm("财政拨款“三公”经费支出表"), "财政拨款三公经费支出表");
        assert_eq!(norm("财政拨款\"三公\"经费支出表"), "财政拨款三公经费支出表");
        assert_eq!(norm("单位：万元"), "单位:万元");
        assert_eq!(norm("１２３"), "123");
    }

    #[test]
    fn numbering_is_stripped() {
        assert_eq!(strip_numbering("一、财政拨款"), "财政拨款");
        assert_eq!(strip_numbering("1.一般公共预算拨款"), "一般公共预算拨款");
        assert_eq!(strip_numbering("(二)收入总表"), "收入总表");
        assert_eq!(strip_numbering("财政拨款"), "财政拨款");
        assert!(has_chinese_numbering("十一、国防支出"));
        assert!(!has_chinese_numbering("一般公共服务支出"));
    }

    #[test]
    fn numerals() {
        assert_eq!(chinese_numeral(1), "一");
        assert_eq!(chinese_numeral(10), "十");
        assert_eq!(chinese_numeral(12), "十二");
        assert_eq!(chinese_numeral(21), "二十一");
    }

    #[test]
    fn patterns_capture_year_and_department() {
        let c = match_pattern("{year}年预算数", "2024年预算数").unwrap();
        assert_eq!(c.year, Some(2024));
        let c = match_pattern("{prior_year}年", "2023年").unwrap();
        assert_eq!(c.year, Some(2024));
        assert!(match_pattern("{year}年预算数", "年预算数").is_none());
        let c = match_pattern(
            "{department}整体支出绩效目标表",
            "某局(本级)整体支出绩效目标表",
        )
        .unwrap();
        assert_eq!(c.department.as_deref(), Some("某局(本级)"));
        assert!(match_pattern("{department}整体支出绩效目标表", "整体支出绩效目标表").is_none());
    }

    #[test]
    fn addresses() {
        assert_eq!(cell_address(11, 3), "D12");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
    }
}
