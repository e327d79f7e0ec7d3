//! The written part of a PDF as paragraphs. A PDF breaks text at the page's
//! width; a paragraph is rebuilt from where lines start and end: a line set
//! in (the first of a paragraph), a line that stops short of the right
//! margin (the last), a heading (`一、` `（二）` `第三部分`), a change of size.
//! A paragraph goes on over a page break. Page numbers are left out.

use super::layout::{join_lines, PageLayout, TextLine};
use super::Document;

/// The margins of a page's text.
#[derive(Clone, Copy)]
struct Margins {
    left: f32,
    right: f32,
}

fn margins(page: &PageLayout) -> Margins {
    let body: Vec<&TextLine> = page
        .lines
        .iter()
        .filter(|l| l.pieces.len() == 1 && l.text().chars().count() >= 12)
        .collect();
    let all: Vec<&TextLine> = if body.is_empty() {
        page.lines.iter().collect()
    } else {
        body
    };
    Margins {
        left: all.iter().map(|l| l.x0).fold(f32::MAX, f32::min),
        right: all.iter().map(|l| l.x1).fold(0.0, f32::max),
    }
}

/// Whether a line is a page number (`3`, `- 3 -`, `第 3 页`, `3/33`) in
/// the page's top or bottom margin.
fn page_number(line: &TextLine, page: &PageLayout) -> bool {
    let in_margin = line.y > page.height * 0.88 || line.y < page.height * 0.08;
    let t: String = line.text().chars().filter(|c| !c.is_whitespace()).collect();
    let t = t.trim_matches(|c| matches!(c, '-' | '—' | '–' | '·'));
    let t = t
        .strip_prefix('第')
        .and_then(|r| r.strip_suffix('页'))
        .unwrap_or(t);
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    in_margin
        && (digits(t)
            || t.split_once('/')
                .is_some_and(|(a, b)| digits(a) && digits(b)))
}

/// Whether a line opens a section (`一、`, `（二）`, `第三部分`, `1.`).
fn heading(text: &str) -> bool {
    let t = text.trim_start();
    let numerals = "一二三四五六七八九十";
    let mut chars = t.chars();
    let first = chars.next().unwrap_or(' ');
    (numerals.contains(first) && t.chars().find(|c| !numerals.contains(*c)) == Some('、'))
        || ((t.starts_with('（') || t.starts_with('('))
            && t.chars().nth(1).is_some_and(|c| numerals.contains(c)))
        || (t.starts_with('第') && t.contains("部分"))
}

/// The paragraphs of a document, built line by line.
#[derive(Default)]
pub(crate) struct Builder {
    /// Each paragraph: its text, its page and its box on that page.
    paragraphs: Vec<(String, u32, [f32; 4])>,
    /// The paragraph being built: its last line's right end, size and margins.
    open: Option<(f32, f32, Margins)>,
    /// The margins of the page being read.
    page: Option<(u32, Margins)>,
    /// The last line's baseline and size when it was a title line.
    title: Option<(f32, f32)>,
}

/// The smallest size of a cover's title (二号 and up; body text is 三号 at most).
const TITLE_SIZE: f32 = 20.0;

/// A line of a cover or title: large and centred on the page (a title too
/// long for one line is wrapped, each line centred).
fn is_title(line: &TextLine, page: &PageLayout) -> bool {
    let mid = (line.x0 + line.x1) / 2.0;
    line.size >= TITLE_SIZE
        && line.pieces.len() == 1
        && (mid - page.width / 2.0).abs() < 0.02 * page.width
}

impl Builder {
    /// Adds a line of page `page_no` (lines come in reading order).
    pub fn add(&mut self, line: &TextLine, page: &PageLayout, page_no: u32) {
        if page_number(line, page) {
            return;
        }
        let m = match self.page {
            Some((p, m)) if p == page_no => m,
            _ => {
                let m = margins(page);
                self.page = Some((page_no, m));
                m
            }
        };
        let text = line.text();
        let title_goes_on = self.title.is_some_and(|(y, size)| {
            is_title(line, page) && (line.size - size).abs() < 0.5 && line.y - y < 2.5 * size
        });
        self.title = is_title(line, page).then_some((line.y, line.size));
        let starts = match self.open {
            _ if title_goes_on => false,
            None => true,
            Some((last_right, last_size, last_m)) => {
                let ended_short = last_right < last_m.right - 1.5 * last_size;
                let set_in = line.x0 > m.left + 1.2 * line.size;
                let resized = (line.size - last_size).abs() > 1.0;
                ended_short || set_in || resized || line.pieces.len() > 1 || heading(&text)
            }
        };
        let area = [
            line.x0,
            line.y - line.size,
            line.x1,
            line.y + 0.25 * line.size,
        ];
        if starts || self.paragraphs.is_empty() {
            self.paragraphs.push((text, page_no, area));
        } else if let Some(p) = self.paragraphs.last_mut() {
            p.0 = join_lines(&p.0, &text);
            // The box covers the paragraph on the page it starts on.
            if p.1 == page_no {
                p.2 = [
                    p.2[0].min(area[0]),
                    p.2[1].min(area[1]),
                    p.2[2].max(area[2]),
                    p.2[3].max(area[3]),
                ];
            }
        }
        // A heading or a line of several pieces stands alone.
        self.open = if line.pieces.len() > 1
            || heading(&line.text()) && line.x1 < m.right - 3.0 * line.size
        {
            Some((f32::MIN, line.size, m))
        } else {
            Some((line.x1, line.size, m))
        };
    }

    /// The document: one paragraph a line.
    pub fn finish(self) -> Document {
        let mut text = String::new();
        let mut pages = Vec::new();
        let mut boxes = Vec::new();
        for (p, page, area) in self.paragraphs {
            text.push_str(&p);
            text.push('\n');
            pages.push(page);
            boxes.push(area);
        }
        Document { text, pages, boxes }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(x0: f32, x1: f32, y: f32, text: &str) -> TextLine {
        TextLine {
            y,
            x0,
            x1,
            size: 10.0,
            pieces: vec![(x0, x1, text.into())],
        }
    }

    #[test]
    fn lines_broken_at_the_margin_are_one_paragraph() {
        let page = PageLayout {
            width: 600.0,
            height: 800.0,
            to_user: [1.0, 0.0, 0.0, 1.0, 0.0, 0.0],
            grids: Vec::new(),
            lines: Vec::new(),
        };
        let mut b = Builder::default();
        let lines = [
            line(90.0, 500.0, 100.0, "一、部门主要职能"),
            line(90.0, 500.0, 120.0, "2024年国有资本经营预算拨款收入为国有资"),
            line(
                70.0,
                500.0,
                140.0,
                "本经营预算拨款支出预算0.00万元，政府采购服务预算",
            ),
            line(70.0, 300.0, 160.0, "983.05万元。"),
            line(90.0, 500.0, 180.0, "二、机构设置"),
            line(280.0, 300.0, 780.0, "3"),
        ];
        let page = PageLayout {
            lines: lines.to_vec(),
            ..page
        };
        for l in &lines {
            b.add(l, &page, 1);
        }
        let d = b.finish();
        assert_eq!(
            d.text,
            "一、部门主要职能\n2024年国有资本经营预算拨款收入为国有资本经营预算拨款支出预算0.00万元，政府采购服务预算983.05万元。\n二、机构设置\n"
        );
        assert_eq!(d.pages, [1, 1, 1]);
    }
}
