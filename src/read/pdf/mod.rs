//! Published PDFs: the tables become sheets as a workbook would hold them
//! (their titles and meta lines above, the header tree's merged cells where
//! the ruling leaves cells open, a table continued over pages joined, a
//! repeated header dropped), read by the same reader as workbooks; the text
//! outside the tables is the 说明, its lines rejoined into paragraphs.
//!
//! Every row of a sheet and every line of the text keeps the page it was
//! printed on ([`Places`]), so a finding names the page a reader turns to.

mod extract;
pub(crate) mod guard;
mod layout;
mod text;

use calamine::Dimensions;

use super::sheet::{Cell, Sheet, MAX_CELLS};
use super::ReadError;
use layout::{Grid, PageLayout, TextLine};

/// What a PDF holds: its tables as sheets and its written part.
#[derive(Debug, Clone)]
pub struct PdfRead {
    pub sheets: Vec<Sheet>,
    pub text: Document,
    pub places: Places,
}

/// The written part of a document: its paragraphs, one per line, and the
/// page of each (from 1).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    pub text: String,
    pub pages: Vec<u32>,
    /// The box of each paragraph on its first page (as [`Places::boxes`]).
    pub boxes: Vec<[f32; 4]>,
}

/// Where the rows of each sheet read from a PDF were printed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Places {
    /// Sheet name → the page (from 1) of each of its rows.
    pub rows: std::collections::BTreeMap<String, Vec<u32>>,
    /// Sheet name → each row's cells' text (to name a row as a reader finds it).
    pub texts: std::collections::BTreeMap<String, Vec<Vec<String>>>,
    /// Sheet name → each row's cells' boxes on their page (left, top, right,
    /// bottom, in points from the page's top left as shown); none for a
    /// caption line.
    pub boxes: std::collections::BTreeMap<String, Vec<Vec<[f32; 4]>>>,
    /// The pages of the file.
    pub pages: u32,
    /// Each page's way from the coordinates of the boxes back to its own
    /// (PDF user space), an affine transform's six coefficients.
    pub to_user: Vec<[f64; 6]>,
}

/// The name the written part of a PDF is checked under; its paragraphs are
/// the rows of a sheet of this name in [`Places`].
pub const TEXT: &str = "说明";

impl Places {
    /// The page a sheet's row was printed on.
    pub fn page(&self, sheet: &str, row: u32) -> Option<u32> {
        self.rows.get(sheet)?.get(row as usize).copied()
    }

    /// A cell as a reader finds it: its page and its row's code and name
    /// (`第9页“210 11 02 事业单位医疗”一行`).
    pub fn describe(&self, sheet: &str, row: u32, col: u32) -> Option<String> {
        let page = self.page(sheet, row)?;
        Some(match self.label(sheet, row, col) {
            Some(l) => format!("第{page}页“{l}”一行"),
            None => format!("第{page}页"),
        })
    }

    /// The words that name a cell's row (`210 11 02 事业单位医疗`).
    pub fn label(&self, sheet: &str, row: u32, col: u32) -> Option<String> {
        self.texts
            .get(sheet)
            .and_then(|t| t.get(row as usize))
            .map(|cells| row_label(cells, col as usize))
            .filter(|l| !l.is_empty())
    }

    /// `text` with each location of a table read (`'第11页'!E13`) given as
    /// a reader finds it (`第11页“2080905 …”一行`).
    pub fn rewrite(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find('\'') {
            out.push_str(&rest[..start]);
            let tail = &rest[start..];
            let shown = tail[1..].find("'!").and_then(|end| {
                let cell_len = tail[end + 3..]
                    .find(|c: char| !c.is_ascii_alphanumeric())
                    .unwrap_or(tail.len() - end - 3);
                let whole = &tail[..end + 3 + cell_len];
                let (sheet, (row, col)) = crate::source::parse_location(whole)?;
                Some((whole.len(), self.describe(&sheet, row, col)?))
            });
            match shown {
                Some((len, s)) => {
                    out.push_str(&s);
                    rest = &tail[len..];
                }
                None => {
                    out.push('\'');
                    rest = &tail[1..];
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// The box of a sheet's cell on its page, if it is a table cell.
    pub fn cell_box(&self, sheet: &str, row: u32, col: u32) -> Option<[f32; 4]> {
        self.boxes
            .get(sheet)?
            .get(row as usize)?
            .get(col as usize)
            .copied()
    }
}

/// Reads a PDF held in memory.
///
/// # Errors
/// [`ReadError`] for a file that is no PDF, encrypted, damaged, scanned (no
/// text), or past the limits.
pub fn load(bytes: &[u8], shown: &str) -> Result<PdfRead, ReadError> {
    guard::check(bytes, shown)?;
    let pdf = hayro_syntax::Pdf::new(bytes.to_vec()).map_err(|e| match e {
        hayro_syntax::LoadPdfError::Decryption(_) => ReadError::EncryptedPdf(shown.to_string()),
        hayro_syntax::LoadPdfError::Invalid => ReadError::Corrupt {
            path: shown.to_string(),
            detail: "PDF 的结构无法解析".into(),
        },
    })?;
    let pages = pdf.pages().len();
    if pages > guard::MAX_PAGES {
        return Err(ReadError::TooLarge {
            path: shown.to_string(),
            what: format!("PDF 有 {pages} 页"),
            limit: format!("{} 页", guard::MAX_PAGES),
        });
    }
    let content = crate::panics::guarded(|| extract::pages(&pdf, MAX_CELLS))
        .ok_or_else(|| super::sheet::corrupt_inside(shown))?;
    let (content, whole) = content;
    if !whole {
        return Err(ReadError::TooLarge {
            path: shown.to_string(),
            what: "PDF 中的文字超过上限".into(),
            limit: format!("{MAX_CELLS} 个字"),
        });
    }
    if content
        .iter()
        .all(|p| p.glyphs.iter().all(|g| g.text.trim().is_empty()))
    {
        return Err(ReadError::ScannedPdf(shown.to_string()));
    }
    let layouts: Vec<PageLayout> = content.iter().map(layout::page).collect();
    Ok(assemble(&layouts))
}

/// A table being built into a sheet.
struct Building {
    name: String,
    rows: Vec<Vec<Cell>>,
    merges: Vec<Dimensions>,
    pages: Vec<u32>,
    boxes: Vec<Vec<[f32; 4]>>,
    /// Its captions' text, normalized (repeated on a page it goes on to).
    captions: Vec<String>,
    /// Its first grid (whose columns the sheet has) and the texts of its
    /// rows (for a repeated header).
    first: Grid,
    head: Vec<Vec<String>>,
}

/// The sheets and the text of a document, from its pages.
fn assemble(pages: &[PageLayout]) -> PdfRead {
    let mut sheets: Vec<Building> = Vec::new();
    let mut document = text::Builder::default();
    for (pi, page) in pages.iter().enumerate() {
        let page_no = pi as u32 + 1;
        let mut used = vec![false; page.lines.len()];
        let mut above = 0.0f32;
        let mut started_here = 0;
        for grid in &page.grids {
            let captions = captions(page, grid, above, &mut used);
            above = grid.bottom();
            // A table goes on over a page with no caption, or with its
            // caption printed again (a spreadsheet's print titles).
            let caption_texts: Vec<String> = captions
                .iter()
                .map(|l| crate::text::norm(&l.text()))
                .collect();
            let going_on = match sheets.last() {
                Some(s)
                    if (captions.is_empty() || caption_texts == s.captions)
                        && s.pages.last() < Some(&page_no) =>
                {
                    grid.columns_within(&s.first)
                }
                _ => None,
            };
            if let Some(map) = going_on {
                let s = sheets.last_mut().expect("matched above");
                continue_with(s, grid, &map, page_no);
                continue;
            }
            started_here += 1;
            let name = if started_here == 1 {
                format!("第{page_no}页")
            } else {
                format!("第{page_no}页（{started_here}）")
            };
            let mut b = Building {
                name,
                rows: Vec::new(),
                merges: Vec::new(),
                pages: Vec::new(),
                boxes: Vec::new(),
                captions: caption_texts,
                first: grid.clone(),
                head: grid_texts(grid),
            };
            for line in &captions {
                b.rows.push(caption_row(line, grid));
                b.pages.push(page_no);
                b.boxes.push(Vec::new());
            }
            let same: Vec<usize> = (0..grid.xs.len()).collect();
            add_grid(&mut b, grid, &same, page_no, 0);
            sheets.push(b);
        }
        // The captions too: the document reads as printed, a table's title
        // before the note under it.
        for line in &page.lines {
            document.add(line, page, page_no);
        }
    }
    let mut places = Places {
        pages: pages.len() as u32,
        ..Places::default()
    };
    let sheets = sheets
        .into_iter()
        .map(|b| {
            places.rows.insert(b.name.clone(), b.pages);
            places.boxes.insert(b.name.clone(), b.boxes);
            places.texts.insert(
                b.name.clone(),
                b.rows
                    .iter()
                    .map(|r| r.iter().map(|c| c.text().trim().to_string()).collect())
                    .collect(),
            );
            Sheet::new(b.name, b.rows, b.merges)
        })
        .collect();
    let text = document.finish();
    places.rows.insert(TEXT.to_string(), text.pages.clone());
    places.boxes.insert(
        TEXT.to_string(),
        text.boxes.iter().map(|b| vec![*b]).collect(),
    );
    places.to_user = pages.iter().map(|p| p.to_user).collect();
    PdfRead {
        sheets,
        text,
        places,
    }
}

/// The lines just above a table that name it (heading, title, meta line):
/// up to four, each close to the next, none above `limit` (the table before).
fn captions(page: &PageLayout, grid: &Grid, limit: f32, used: &mut [bool]) -> Vec<TextLine> {
    let mut picked: Vec<usize> = Vec::new();
    let mut edge = grid.top();
    for (i, l) in page.lines.iter().enumerate().rev() {
        if l.y >= grid.top() || l.y <= limit || used[i] {
            continue;
        }
        let gap = edge - l.y;
        if gap > 4.0 * l.size.max(10.0) || picked.len() == 4 {
            break;
        }
        // The running text before a table is not its caption.
        if is_running_text(l, grid) {
            break;
        }
        picked.push(i);
        edge = l.y - l.size;
    }
    picked.reverse();
    for &i in &picked {
        used[i] = true;
    }
    picked.into_iter().map(|i| page.lines[i].clone()).collect()
}

/// Whether a line above a table is running text rather than its caption:
/// it ends a sentence (or leads into the table with `：`), or it runs past the table's sides (a paragraph set
/// to the page's width over a narrower table).
fn is_running_text(l: &TextLine, grid: &Grid) -> bool {
    let text = l.text();
    let wider = l.x0 < grid.left() - l.size || l.x1 > grid.right() + l.size;
    text.ends_with(['。', '；', ';', '：'])
        || (wider && l.pieces.len() == 1 && text.chars().count() >= 12)
}

/// A caption line as a row: its first piece in the first column, a piece on
/// the right half (`单位：元`) in the last column, others where they stand.
fn caption_row(line: &TextLine, grid: &Grid) -> Vec<Cell> {
    let (_, cols) = grid.size();
    let mut row = vec![Cell::Empty; cols];
    let mid = (grid.left() + grid.right()) / 2.0;
    for (i, (x0, _, text)) in line.pieces.iter().enumerate() {
        let c = if i == 0 {
            0
        } else if *x0 > mid {
            cols - 1
        } else {
            grid.xs
                .partition_point(|x| x <= x0)
                .saturating_sub(1)
                .min(cols - 1)
        };
        row[c] = match &row[c] {
            Cell::Text(t) => Cell::Text(format!("{t} {text}")),
            _ => Cell::Text(text.clone()),
        };
    }
    row
}

/// The rows of a grid from `from` on, with its merged cells; `map` places
/// each of the grid's column boundaries among the sheet's (a cell spanning
/// joined columns is a merge).
fn add_grid(b: &mut Building, grid: &Grid, map: &[usize], page: u32, from: usize) {
    let (rows, cols) = grid.size();
    let width = map.last().copied().unwrap_or(cols);
    let offset = b.rows.len() as u32;
    for r in from..rows {
        let mut row = vec![Cell::Empty; width];
        let mut boxes = vec![[0.0; 4]; width];
        for (c, &at) in map.iter().take(cols).enumerate() {
            if let Some(t) = grid.text_at(r, c).filter(|t| !t.is_empty()) {
                row[at] = Cell::Text(t.to_string());
            }
            let g = &grid.regions[grid.region[r][c]];
            let cell = [
                grid.xs[g.cols.0],
                grid.ys[g.rows.0],
                grid.xs[g.cols.1 + 1],
                grid.ys[g.rows.1 + 1],
            ];
            for slot in &mut boxes[at..map[c + 1]] {
                *slot = cell;
            }
        }
        b.rows.push(row);
        b.pages.push(page);
        b.boxes.push(boxes);
    }
    for g in &grid.regions {
        let (c0, c1) = (map[g.cols.0], map[g.cols.1 + 1] - 1);
        if g.rows.0 < from || (g.rows.0 == g.rows.1 && c0 == c1) {
            continue;
        }
        let at = |r: usize| offset + (r - from) as u32;
        b.merges.push(Dimensions::new(
            (at(g.rows.0), c0 as u32),
            (at(g.rows.1), c1 as u32),
        ));
    }
}

/// The words that name cell `col` of a row: the nearest name at or left of
/// it and the codes just before that name (`210 11 02 事业单位医疗`); the
/// row's first words when there is none.
fn row_label(cells: &[String], col: usize) -> String {
    let figure = |t: &str| crate::amount::parse_text(t).ok().flatten().is_some();
    let upto = col.min(cells.len().saturating_sub(1));
    let is_name = |c: &usize| !cells[*c].is_empty() && !figure(&cells[*c]);
    let name = (0..=upto)
        .rev()
        .find(is_name)
        .or_else(|| (upto..cells.len()).find(is_name));
    let words: Vec<&str> = match name {
        // The code before the name, whole or in parts (`7 11 02`).
        Some(n) => {
            let code = |t: &str| t.len() <= 7 && t.bytes().all(|b| b.is_ascii_digit());
            let first = (0..n)
                .rev()
                .take_while(|&c| code(&cells[c]))
                .last()
                .unwrap_or(n);
            (first..=n)
                .map(|c| cells[c].as_str())
                .filter(|t| !t.is_empty())
                .collect()
        }
        None => cells
            .iter()
            .map(String::as_str)
            .filter(|t| !t.is_empty())
            .take(2)
            .collect(),
    };
    let label = words.join(" ");
    match label.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &label[..i]),
        None => label,
    }
}

/// The text of each row of a grid (for telling a repeated header).
fn grid_texts(grid: &Grid) -> Vec<Vec<String>> {
    let (rows, cols) = grid.size();
    (0..rows)
        .map(|r| {
            (0..cols)
                .map(|c| {
                    grid.text_at(r, c)
                        .map(crate::text::norm)
                        .unwrap_or_default()
                })
                .collect()
        })
        .collect()
}

/// A table going on from the page before: its rows appended, the header
/// the page repeats left out.
fn continue_with(b: &mut Building, grid: &Grid, map: &[usize], page: u32) {
    let texts = grid_texts(grid);
    let repeated = texts
        .iter()
        .zip(&b.head)
        .take_while(|(a, h)| a == h && a.iter().any(|t| !t.is_empty()))
        .count();
    // A repeat is of header rows only: never the whole page of figures.
    let repeated = if repeated == texts.len() { 0 } else { repeated };
    add_grid(b, grid, map, page, repeated);
}

/// Every text line outside the tables: (page, baseline, left, right, size,
/// text), for looking into how a document was read.
#[doc(hidden)]
pub fn debug_lines(bytes: &[u8]) -> Vec<(u32, f32, f32, f32, f32, String)> {
    let Ok(pdf) = hayro_syntax::Pdf::new(bytes.to_vec()) else {
        return Vec::new();
    };
    let (content, _) = extract::pages(&pdf, MAX_CELLS);
    let mut out = Vec::new();
    for (i, p) in content.iter().enumerate() {
        for l in layout::page(p).lines {
            out.push((i as u32 + 1, l.y, l.x0, l.x1, l.size, l.text()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_real_documents_read_as_tables_and_text() {
        let dir = std::path::Path::new("../shared/reference/shanghai/pdf");
        let Ok(bytes) = std::fs::read(dir.join("putuo-wanli-2024-budget.pdf")) else {
            return;
        };
        let r = load(&bytes, "wanli.pdf").unwrap();
        assert!(r.sheets.len() >= 9, "{}", r.sheets.len());
        assert!(r.text.text.contains("主要职能"), "{}", &r.text.text[..200]);
    }
}
