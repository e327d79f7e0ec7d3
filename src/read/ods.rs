//! OpenDocument spreadsheets (`.ods`), read from `content.xml` in one
//! streaming pass.
//!
//! ODS compresses repetition into attributes: a row or cell may say it is
//! repeated a million times. A library that expands those before anything is
//! counted turns a 38 KB file into gigabytes. Here empty repeats only move the
//! position, and a repeated cell with content is placed through the
//! workbook's [`CellBudget`], so the limits hold before any memory is taken.

use std::io::{BufReader, Cursor, Read};

use calamine::Dimensions;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::QName;
use quick_xml::Reader;

use super::sheet::{
    too_big, too_many_merges, too_many_sheets, Cell, CellBudget, Full, Grid, Sheet, MAX_COLS,
    MAX_MERGES, MAX_ROWS, MAX_SHEETS,
};
use super::ReadError;

/// Reads every sheet of an ODS package (the zip guard has run).
pub(crate) fn load(
    bytes: &[u8],
    shown: &str,
    budget: &CellBudget,
) -> Result<Vec<Sheet>, ReadError> {
    let corrupt = |detail: String| ReadError::Corrupt {
        path: shown.to_string(),
        detail,
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(e.to_string()))?;
    let part = zip
        .by_name("content.xml")
        .map_err(|_| corrupt("缺少 content.xml".into()))?;
    let mut xml = Reader::from_reader(BufReader::new(part));
    xml.config_mut().expand_empty_elements = true;
    Loader {
        xml,
        shown,
        budget,
        buf: Vec::new(),
        at: (String::new(), 0),
    }
    .sheets()
}

struct Loader<'a, R: Read> {
    xml: Reader<BufReader<R>>,
    shown: &'a str,
    budget: &'a CellBudget,
    buf: Vec<u8>,
    /// The sheet and row being read, for a message.
    at: (String, u32),
}

/// One cell of a row as written: its value, how often it repeats, its span.
struct Written {
    cell: Cell,
    repeat: u32,
    span: (u32, u32),
}

impl<R: Read> Loader<'_, R> {
    fn corrupt(&self, detail: impl ToString) -> ReadError {
        ReadError::Corrupt {
            path: self.shown.to_string(),
            detail: detail.to_string(),
        }
    }

    fn next(&mut self) -> Result<Event<'static>, ReadError> {
        self.buf.clear();
        match self.xml.read_event_into(&mut self.buf) {
            Ok(e) => Ok(e.into_owned()),
            Err(e) => Err(self.corrupt(e)),
        }
    }

    fn sheets(mut self) -> Result<Vec<Sheet>, ReadError> {
        let mut sheets = Vec::new();
        loop {
            match self.next()? {
                Event::Start(e) if e.name() == QName("table:table") => {
                    if sheets.len() == MAX_SHEETS {
                        return Err(too_many_sheets(self.shown, MAX_SHEETS + 1));
                    }
                    let name = attr(&e, "table:name").unwrap_or_default();
                    sheets.push(self.table(name)?);
                }
                Event::Eof => return Ok(sheets),
                _ => {}
            }
        }
    }

    /// One `<table:table>`, up to its end tag.
    fn table(&mut self, name: String) -> Result<Sheet, ReadError> {
        let mut grid = Grid::new(self.budget);
        let mut merges = Vec::new();
        let mut row: u32 = 0;
        let mut depth = 0usize;
        loop {
            match self.next()? {
                Event::Start(e) if e.name() == QName("table:table-row") => {
                    self.at = (name.clone(), row.min(MAX_ROWS));
                    let repeat = count(&e, "table:number-rows-repeated");
                    let cells = self.row()?;
                    self.place(&name, &mut grid, &mut merges, row, repeat, &cells)?;
                    row = row.saturating_add(repeat);
                }
                // A table nested in a cell, or a shape: skipped whole.
                Event::Start(e) if e.name() == QName("table:table") => depth += 1,
                Event::End(e) if e.name() == QName("table:table") => {
                    if depth == 0 {
                        break;
                    }
                    depth -= 1;
                }
                Event::Eof => return Err(self.corrupt("content.xml 在表格中途结束")),
                _ => {}
            }
        }
        let rows = grid
            .into_rows()
            .map_err(|full| too_many(self.shown, &name, full))?;
        Ok(Sheet::new(name, rows, merges))
    }

    /// The cells of one `<table:table-row>`, up to its end tag.
    fn row(&mut self) -> Result<Vec<Written>, ReadError> {
        let mut cells = Vec::new();
        loop {
            match self.next()? {
                Event::Start(e)
                    if e.name() == QName("table:table-cell")
                        || e.name() == QName("table:covered-table-cell") =>
                {
                    let repeat = count(&e, "table:number-columns-repeated");
                    let span = (
                        count(&e, "table:number-rows-spanned"),
                        count(&e, "table:number-columns-spanned"),
                    );
                    let cell = self.cell(&e)?;
                    cells.push(Written { cell, repeat, span });
                }
                Event::End(e) if e.name() == QName("table:table-row") => return Ok(cells),
                Event::Eof => return Err(self.corrupt("content.xml 在行中途结束")),
                _ => {}
            }
        }
    }

    /// A cell's value, reading its content up to its end tag.
    fn cell(&mut self, e: &BytesStart) -> Result<Cell, ReadError> {
        let end = e.name().as_ref().to_string();
        let kind = attr(e, "office:value-type").unwrap_or_default();
        let error = attr(e, "calcext:value-type").as_deref() == Some("error");
        let formula = attr(e, "table:formula").filter(|f| !f.is_empty());
        let text = self.text(&end)?;
        crate::cancel::checkpoint();
        let value = match kind.as_str() {
            "float" | "percentage" | "currency" => match attr(e, "office:value") {
                Some(v) => match v.trim().parse::<f64>() {
                    Ok(f) => Cell::Number(f),
                    Err(_) => Cell::Text(v),
                },
                None => Cell::Empty,
            },
            "boolean" => match attr(e, "office:boolean-value") {
                Some(v) => Cell::Bool(v.eq_ignore_ascii_case("true")),
                None => Cell::Empty,
            },
            "date" => attr(e, "office:date-value").map_or(Cell::Empty, Cell::Date),
            "time" => attr(e, "office:time-value").map_or(Cell::Empty, Cell::Date),
            "string" if error => Cell::Error(text),
            "string" => match attr(e, "office:string-value") {
                Some(v) => Cell::Text(v),
                None => Cell::Text(text),
            },
            _ => Cell::Empty,
        };
        Ok(match (value, formula) {
            (v, Some(f)) if v.is_empty() => Cell::FormulaNoValue(
                f.trim_start_matches("of:")
                    .trim_start_matches('=')
                    .to_string(),
            ),
            (Cell::Text(s), _) if s.is_empty() => Cell::Empty,
            (v, _) => v,
        })
    }

    /// The text of a cell's paragraphs (one line each), notes left out; no
    /// longer than the workbook's text room (`text:s` spaces counted).
    fn text(&mut self, end: &str) -> Result<String, ReadError> {
        let mut s = String::new();
        let mut paragraphs = 0usize;
        let mut note = 0usize;
        loop {
            if s.len() > self.budget.text_left() {
                return Err(too_many(
                    self.shown,
                    &self.at.0,
                    Full {
                        at: (self.at.1, 0),
                        text: true,
                    },
                ));
            }
            match self.next()? {
                Event::End(e) if e.name().as_ref() == end && note == 0 => return Ok(s),
                Event::Start(e) if e.name() == QName("office:annotation") => note += 1,
                Event::End(e) if e.name() == QName("office:annotation") => {
                    note = note.saturating_sub(1);
                }
                _ if note > 0 => {}
                Event::Start(e) if e.name() == QName("text:p") => {
                    if paragraphs > 0 {
                        s.push('\n');
                    }
                    paragraphs += 1;
                }
                Event::Start(e) if e.name() == QName("text:s") => {
                    let n = count(&e, "text:c").min(1024);
                    s.extend(std::iter::repeat_n(' ', n as usize));
                }
                Event::Start(e) if e.name() == QName("text:tab") => s.push('\t'),
                Event::Start(e) if e.name() == QName("text:line-break") => s.push('\n'),
                Event::Text(t) => s.push_str(&t.xml10_content()),
                Event::GeneralRef(r) => {
                    if let Some(c) = quick_xml::escape::resolve_xml_entity(&r) {
                        s.push_str(c);
                    } else if let Ok(Some(c)) = r.resolve_char_ref() {
                        s.push(c);
                    }
                }
                Event::Eof => return Err(self.corrupt("content.xml 在单元格中途结束")),
                _ => {}
            }
        }
    }

    /// Places a row's cells `repeat` times from row `first`; empty cells only
    /// move the column, so empty repeats cost nothing.
    fn place(
        &self,
        sheet: &str,
        grid: &mut Grid,
        merges: &mut Vec<Dimensions>,
        first: u32,
        repeat: u32,
        cells: &[Written],
    ) -> Result<(), ReadError> {
        let mut filled: Vec<(u32, &Written)> = Vec::new();
        let mut col: u32 = 0;
        for w in cells {
            if !w.cell.is_empty() || w.span != (1, 1) {
                filled.push((col, w));
            }
            col = col.saturating_add(w.repeat);
        }
        if filled.is_empty() {
            return Ok(());
        }
        let widest = filled
            .iter()
            .map(|(c, w)| c.saturating_add(w.repeat))
            .max()
            .unwrap_or(0);
        let last_row = first.saturating_add(repeat - 1);
        if last_row >= MAX_ROWS || widest > MAX_COLS {
            let at = (
                last_row.min(MAX_ROWS),
                widest.saturating_sub(1).min(MAX_COLS),
            );
            return Err(too_big(self.shown, sheet, at));
        }
        let per_row: u64 = filled.iter().map(|(_, w)| u64::from(w.repeat)).sum();
        if per_row.saturating_mul(u64::from(repeat)) > grid.room() as u64 {
            return Err(too_many(
                self.shown,
                sheet,
                Full {
                    at: (first, filled[0].0),
                    text: false,
                },
            ));
        }
        // A long text repeated is paid for before it is copied once.
        let text_per_row: u64 = filled
            .iter()
            .map(|(_, w)| u64::from(w.repeat).saturating_mul(w.cell.text_len() as u64))
            .sum();
        if text_per_row.saturating_mul(u64::from(repeat)) > grid.text_room() as u64 {
            return Err(too_many(
                self.shown,
                sheet,
                Full {
                    at: (first, filled[0].0),
                    text: true,
                },
            ));
        }
        let spans = filled.iter().filter(|(_, w)| w.span != (1, 1)).count() as u64;
        let merges_after =
            (merges.len() as u64).saturating_add(spans.saturating_mul(u64::from(repeat)));
        if merges_after > MAX_MERGES as u64 {
            return Err(too_many_merges(self.shown, sheet));
        }
        for r in first..=last_row {
            for (c, w) in &filled {
                for k in 0..w.repeat {
                    if !w.cell.is_empty() {
                        grid.put(r, c + k, w.cell.clone())
                            .map_err(|full| too_many(self.shown, sheet, full))?;
                    }
                    if w.span != (1, 1) {
                        let end = (
                            r.saturating_add(w.span.0 - 1).min(MAX_ROWS),
                            (c + k).saturating_add(w.span.1 - 1).min(MAX_COLS),
                        );
                        merges.push(Dimensions::new((r, c + k), end));
                    }
                }
            }
        }
        Ok(())
    }
}

fn too_many(shown: &str, sheet: &str, full: Full) -> ReadError {
    super::sheet::too_many_cells(shown, sheet, full)
}

/// An attribute's unescaped value.
fn attr(e: &BytesStart, key: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(std::borrow::Cow::into_owned)
        })
}

/// A repeat or span count: at least 1; an unreadable one counts as 1.
fn count(e: &BytesStart, key: &str) -> u32 {
    attr(e, key)
        .and_then(|v| v.trim().parse::<u32>().ok())
        .unwrap_or(1)
        .max(1)
}
