//! Finding the statements of a figure in a written text: amounts with their
//! unit, changes with their direction word, percentages, 持平 and counts.
//!
//! Texts come from Word, from a workbook's cells and from PDFs, so a sentence
//! is compared in a normalized form: NFKC (full-width digits, brackets and
//! punctuation to half width), no whitespace (PDFs split `11, 452. 25`), no
//! quotation marks (`“三公”经费` and `"三公"经费` are one name).

use rust_decimal::Decimal;

/// One sentence of a text.
#[derive(Debug, Clone)]
pub struct Sentence {
    /// As written (trimmed), for quoting.
    pub text: String,
    /// Normalized, for matching.
    pub norm: String,
    /// The text's line (paragraph) it starts on, from 0.
    pub line: usize,
    /// The sentence's paragraph, from 0 (a paragraph is one non-blank line).
    pub paragraph: usize,
}

pub use crate::text::normalize;

/// The sentences of `text`: split after 。；;！？ and at each line's end.
pub fn sentences(text: &str) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut paragraph = 0;
    for (line, l) in text.lines().enumerate() {
        if l.trim().is_empty() {
            continue;
        }
        paragraph += 1;
        let mut start = 0;
        for (end, _) in super::sentence_ends(l) {
            let t = l[start..end].trim();
            if !t.is_empty() {
                out.push(Sentence {
                    text: t.to_string(),
                    norm: normalize(t),
                    line,
                    paragraph: paragraph - 1,
                });
            }
            start = end;
        }
    }
    out
}

/// Up or down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

/// What a number in a sentence states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A figure (`收入预算15621.11万元`).
    Amount,
    /// A change of a figure (`减少876.75万元`).
    Change(Direction),
    /// A rate of change (`下降35.5%`).
    Rate(Direction),
    /// A share (`占76.23%`).
    Share,
    /// A percentage with no word saying which.
    Percent,
    /// A count (`6个项目`).
    Count,
}

/// A money unit or other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Yuan,
    Wan,
    Yi,
    Percent,
    /// 个, 家, 辆.
    Count,
}

impl Unit {
    pub fn label(self) -> &'static str {
        match self {
            Unit::Yuan => "元",
            Unit::Wan => "万元",
            Unit::Yi => "亿元",
            Unit::Percent => "%",
            Unit::Count => "",
        }
    }
}

/// One number of a sentence with what it states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub kind: Kind,
    pub value: Decimal,
    pub unit: Unit,
    /// Decimals as written (`171.1` → 1).
    pub decimals: u32,
    /// Byte range of the number and unit in the normalized sentence.
    pub start: usize,
    pub end: usize,
    /// Its clause (from the last separator before it) speaks of another year.
    pub other_year: bool,
    /// As written (`24,701.58万元`).
    pub written: String,
}

/// Words before a number saying it grew or fell.
pub const UP: [&str; 5] = ["增加", "增长", "上升", "提高", "增幅"];
pub const DOWN: [&str; 6] = ["减少", "下降", "降低", "减幅", "降幅", "压减"];

/// The statements of a normalized sentence; `other_year` marks (`上年`, `2023年`).
///
/// One pass over the sentence: each number's clause, direction word and
/// year mark are found from positions gathered once, so a sentence of any
/// length costs time in proportion to its length.
pub fn statements(norm: &str, other_years: &[String]) -> Vec<Statement> {
    let numbers = numbers(norm);
    let asks = placeholders(norm);
    let clauses = clause_starts(norm, &numbers);
    let up = Marks::of(norm, &UP);
    let down = Marks::of(norm, &DOWN);
    let years = Marks::of(norm, other_years);
    let mut ask = asks.iter().peekable();
    let mut out = Vec::new();
    for (i, &(start, end, value, decimals)) in numbers.iter().enumerate() {
        // A number inside 【请填写：……】 is the draft's hint, not a statement.
        while ask.next_if(|&&(_, e)| e <= start).is_some() {}
        if ask.peek().is_some_and(|&&(s, _)| s <= start) {
            continue;
        }
        let rest = &norm[end..];
        let Some((unit, ulen)) = unit_at(rest) else {
            continue;
        };
        let clause_start = clauses[i];
        let clause = &norm[clause_start..start];
        let direction = match (
            up.last_within(clause_start, start),
            down.last_within(clause_start, start),
        ) {
            (Some(u), Some(d)) => Some(if u >= d {
                Direction::Up
            } else {
                Direction::Down
            }),
            (Some(_), None) => Some(Direction::Up),
            (None, Some(_)) => Some(Direction::Down),
            (None, None) => None,
        };
        let kind = match unit {
            Unit::Percent if clause.contains('占') => Kind::Share,
            Unit::Percent => direction.map_or(Kind::Percent, Kind::Rate),
            Unit::Count => Kind::Count,
            _ => direction.map_or(Kind::Amount, Kind::Change),
        };
        let other_year = years.last_within(clause_start, start).is_some();
        out.push(Statement {
            kind,
            value,
            unit,
            decimals,
            start,
            end: end + ulen,
            other_year,
            written: norm[start..end + ulen].to_string(),
        });
    }
    out
}

/// Where words of a list occur in a sentence: (end, start) of each
/// occurrence, by end.
struct Marks(Vec<(usize, usize)>);

impl Marks {
    fn of<S: AsRef<str>>(norm: &str, words: &[S]) -> Marks {
        let mut at: Vec<(usize, usize)> = words
            .iter()
            .map(AsRef::as_ref)
            .filter(|w| !w.is_empty())
            .flat_map(|w| norm.match_indices(w).map(|(i, m)| (i + m.len(), i)))
            .collect();
        at.sort_unstable();
        Marks(at)
    }

    /// The end of the last occurrence lying wholly in `from..to`. No word
    /// holds a clause separator, so none straddles a clause's start: the
    /// last one ending by `to` is the one, or there is none.
    fn last_within(&self, from: usize, to: usize) -> Option<usize> {
        let n = self.0.partition_point(|&(end, _)| end <= to);
        let &(end, start) = self.0[..n].last()?;
        (start >= from).then_some(end)
    }
}

/// Where each number's clause starts: after the last separator before it
/// that is not inside an earlier number.
fn clause_starts(norm: &str, numbers: &[(usize, usize, Decimal, u32)]) -> Vec<usize> {
    let mut out = Vec::with_capacity(numbers.len());
    let (mut last, mut pos) = (0usize, 0usize);
    for &(start, end, _, _) in numbers {
        for (i, c) in norm[pos..start].char_indices() {
            if matches!(c, ',' | ';' | ':' | '、' | '。' | '!' | '?') {
                last = pos + i + c.len_utf8();
            }
        }
        out.push(last);
        pos = end.max(start);
    }
    out
}

/// Rates and shares written without their `%` (`增长13.95。`), as written.
pub fn bare_rates(norm: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (start, end, _, _) in numbers(norm) {
        let before = &norm[..start];
        let rate_word = ["增长", "下降", "增幅", "降幅", "占"]
            .iter()
            .any(|w| before.ends_with(w));
        let rest = &norm[end..];
        let bare = rest.is_empty() || rest.starts_with(['。', ',', ';', '，', '；', '、']);
        if rate_word && bare {
            out.push(norm[start..end].to_string());
        }
    }
    out
}

/// The byte ranges of the 【…】 placeholders of a sentence.
fn placeholders(norm: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open = None;
    for (i, c) in norm.char_indices() {
        match c {
            '【' => open = Some(i),
            '】' => {
                if let Some(s) = open.take() {
                    out.push((s, i + c.len_utf8()));
                }
            }
            _ => {}
        }
    }
    out
}

/// The unit right after a number.
fn unit_at(rest: &str) -> Option<(Unit, usize)> {
    for (word, unit) in [
        ("万元", Unit::Wan),
        ("亿元", Unit::Yi),
        ("元", Unit::Yuan),
        // `减少102万`: 万元 without its 元.
        ("万", Unit::Wan),
        ("%", Unit::Percent),
        ("个", Unit::Count),
        ("家", Unit::Count),
        ("辆", Unit::Count),
    ] {
        if rest.starts_with(word) {
            return Some((unit, word.len()));
        }
    }
    None
}

/// Every number of a normalized sentence: (start, end, value, decimals).
/// Thousands separators are read as such only in groups of three; a year
/// (`2024年`) or a list number (`1.`) is a number too, and has no unit.
fn numbers(norm: &str) -> Vec<(usize, usize, Decimal, u32)> {
    let b = norm.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() || (i > 0 && (b[i - 1].is_ascii_digit() || b[i - 1] == b'.')) {
            i += 1;
            continue;
        }
        let start = i;
        let mut j = i;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        // Groups of three after commas.
        while j + 3 < b.len()
            && b[j] == b','
            && b[j + 1..j + 4].iter().all(u8::is_ascii_digit)
            && (j + 4 == b.len() || !b[j + 4].is_ascii_digit())
        {
            j += 4;
        }
        let mut decimals = 0;
        if j + 1 < b.len() && b[j] == b'.' && b[j + 1].is_ascii_digit() {
            j += 1;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
                decimals += 1;
            }
        }
        let digits: String = norm[start..j].chars().filter(|c| *c != ',').collect();
        if let Ok(v) = digits.parse::<Decimal>() {
            out.push((start, j, v, decimals));
        }
        i = j.max(i + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<(Kind, String, bool)> {
        statements(&normalize(s), &["2023年".to_string(), "上年".to_string()])
            .into_iter()
            .map(|x| (x.kind, x.value.to_string(), x.other_year))
            .collect()
    }

    #[test]
    fn amounts_changes_and_rates() {
        assert_eq!(
            kinds("2024年部门预算支出44,972.11万元,较2023年年初预算减少24,701.58万元,下降35.5%。"),
            vec![
                (Kind::Amount, "44972.11".into(), false),
                (Kind::Change(Direction::Down), "24701.58".into(), true),
                (Kind::Rate(Direction::Down), "35.5".into(), false),
            ]
        );
    }

    #[test]
    fn pdf_spacing_and_full_width() {
        assert_eq!(
            kinds("信息化服务类项目(非运维服务部分)11, 452. 25 万元，占７６．２３％"),
            vec![
                (Kind::Amount, "11452.25".into(), false),
                (Kind::Share, "76.23".into(), false),
            ]
        );
    }

    #[test]
    fn years_and_list_numbers_state_nothing() {
        assert_eq!(
            kinds("1. 2023年当年预算执行数为60.13万元，设置6个项目。"),
            vec![
                (Kind::Amount, "60.13".into(), true),
                (Kind::Count, "6".into(), false),
            ]
        );
    }
}
