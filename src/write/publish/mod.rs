//! The publication document (`publish`): the whole document a department
//! posts — cover, contents, the written parts and the official tables, in
//! the order the layout's `[document]` declares — as PDF ([`pdf`]) and as
//! its editable twin, .docx ([`docx`]).
//!
//! Assembled once ([`assemble`]) into a [`Publication`] both writers draw:
//! the tables are the official workbook read back ([`super::preview`]), so
//! the document prints exactly the titles, header trees, merges, units and
//! figures the workbook does; the text of each part comes from the clerk's
//! finished 说明 (`--text`), else the workbook's own text sheet, else the
//! draft (`narrate`). [`unfinished`] lists what may not be posted: a
//! placeholder `【请填写：……】`, template wording, a part without text.

pub mod docx;
pub mod fonts;
pub mod pdf;

use crate::model::Budget;
use crate::narrate::{self, Draft};
use crate::spec::SpecSet;
use crate::text::{fill, norm};

use super::preview::{CellKind, PreviewTable};
use super::WriteError;

/// The name the document's written part goes by in findings.
pub const TEXT: &str = "公开文件的说明";

/// The forms the document is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Pdf,
    Docx,
}

impl Form {
    /// The form an output path asks for, by its extension.
    pub fn of(path: &std::path::Path) -> Option<Form> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("pdf") => Some(Form::Pdf),
            Some("docx") => Some(Form::Docx),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Form::Pdf => "pdf",
            Form::Docx => "docx",
        }
    }
}

/// A document written: its bytes and what a clerk is told of it.
pub struct Written {
    pub bytes: Vec<u8>,
    /// Pages (PDF only: Word lays the .docx out itself).
    pub pages: Option<usize>,
    /// The font of each role, for the message after writing.
    pub fonts: Vec<String>,
}

/// `p` written in `form`.
///
/// # Errors
/// [`WriteError::Publish`]: no CJK font for the PDF, a font that cannot be
/// embedded, a .docx that cannot be packed.
pub fn render(p: &Publication, form: Form) -> Result<Written, WriteError> {
    match form {
        Form::Pdf => {
            let fonts = fonts::Fonts::shared().map_err(|e| WriteError::Publish(e.to_string()))?;
            let (bytes, pages) = pdf::bytes(p, fonts)?;
            Ok(Written {
                bytes,
                pages: Some(pages),
                fonts: fonts.describe(),
            })
        }
        Form::Docx => Ok(Written {
            bytes: docx::bytes(p)?,
            pages: None,
            fonts: docx::FONTS.iter().map(ToString::to_string).collect(),
        }),
    }
}

/// The document as both writers draw it.
#[derive(Debug, Clone)]
pub struct Publication {
    /// The cover's lines, the first the document's title.
    pub cover: Vec<String>,
    /// The contents page's heading; none: no contents.
    pub contents: Option<String>,
    pub parts: Vec<Part>,
    pub department: String,
    pub year: i32,
}

/// One part: its heading and what it holds.
#[derive(Debug, Clone)]
pub struct Part {
    pub title: String,
    /// Its line in the contents.
    pub entry: String,
    /// Its heading is printed (a table part may go straight to its tables).
    pub heading: bool,
    pub body: Body,
    /// Where its text came from (`--text`, `工作簿“部门编制说明”表`, `说明草稿`).
    pub source: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Body {
    Text(Vec<Para>),
    Tables(Vec<Table>),
}

/// A paragraph of the written part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Para {
    pub text: String,
    /// A sub-heading (`一、2024年“三公”经费预算情况说明`).
    pub heading: bool,
}

/// One official table as printed.
#[derive(Debug, Clone)]
pub struct Table {
    /// Its contents line (its title).
    pub entry: String,
    /// The lines above the header: (left, centre, right) of each.
    pub above: Vec<[String; 3]>,
    /// Which of `above` is the title (printed large).
    pub title_line: Option<usize>,
    /// Header rows, then body rows; merged cells as in the workbook.
    pub head: Vec<Vec<Cell>>,
    pub body: Vec<Vec<Cell>>,
    /// Lines printed under the table (the empty-table note, footnotes).
    pub notes: Vec<String>,
    pub columns: usize,
}

impl Table {
    /// Each column's natural width: its widest single-column cell as
    /// `measure` gives it (padding included), a header capped at `caps.0`
    /// and a name at `caps.1` (they wrap rather than widen their column),
    /// no column under `floor`.
    pub fn natural_widths(
        &self,
        floor: f32,
        caps: (f32, f32),
        measure: impl Fn(&str) -> f32,
    ) -> Vec<f32> {
        let mut want = vec![floor; self.columns];
        for (rows, head) in [(&self.head, true), (&self.body, false)] {
            for (row, starts) in rows.iter().zip(starts(rows, self.columns)) {
                for (c, col) in row.iter().zip(starts) {
                    if c.colspan != 1 || col >= self.columns {
                        continue;
                    }
                    let cap = match (head, c.kind) {
                        (true, _) => caps.0,
                        (false, CellKind::Label) => caps.1,
                        _ => f32::MAX,
                    };
                    want[col] = want[col].max(measure(&c.text).min(cap));
                }
            }
        }
        want
    }
}

/// The grid column each cell of `rows` starts in: a merged cell reaching
/// down from a row above covers its columns in the rows below.
pub fn starts(rows: &[Vec<Cell>], columns: usize) -> Vec<Vec<usize>> {
    let mut covered = vec![0u32; columns];
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut col = 0usize;
        let mut at = Vec::with_capacity(row.len());
        for c in row {
            while covered.get(col).is_some_and(|&n| n > 0) {
                col += 1;
            }
            at.push(col);
            for n in covered.iter_mut().skip(col).take(c.colspan as usize) {
                *n = c.rowspan;
            }
            col += c.colspan as usize;
        }
        for n in &mut covered {
            *n = n.saturating_sub(1);
        }
        out.push(at);
    }
    out
}

/// One cell: a covered cell of a merge is not listed (as in HTML).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub rowspan: u32,
    pub colspan: u32,
    pub kind: CellKind,
}

/// What the document is made from.
pub struct Inputs<'a> {
    pub specs: &'a SpecSet,
    pub current: &'a Budget,
    pub prior: Option<&'a Budget>,
    pub sources: &'a crate::source::SourceMap,
    pub catalogue: &'a crate::catalogue::Catalogue,
    /// The clerk's finished 说明 (`--text`), as read.
    pub text: Option<&'a str>,
}

/// The most table rows a publication is laid out with (about 460 pages):
/// a real department's document has a few hundred, and the .docx of 11,000
/// rows already takes 585 MB to build.
pub const MAX_ROWS: usize = 10_000;

/// The rows the tables of `b` print, about.
fn printed_rows(b: &Budget) -> usize {
    use crate::model::Table as T;
    b.tables
        .values()
        .map(|t| match t {
            T::Grid(g) => g.blocks.iter().map(|k| k.rows.len() + 1).sum(),
            T::TwoSided(t) => t.lines.len() + t.expenditure.len(),
            T::Form(f) => f.tasks.len() + f.indicators.len(),
        })
        .sum()
}

/// The layout has no `[document]`.
pub fn no_document(specs: &SpecSet) -> String {
    format!(
        "版式“{}”没有声明公开文件的结构（layout.toml 的 [document]），无法生成公开文件",
        specs.layout.name
    )
}

/// The publication of `inputs`.
///
/// # Errors
/// [`WriteError`] when the tables print more than [`MAX_ROWS`] rows, or the
/// official workbook cannot be written or read back.
pub fn assemble(inputs: &Inputs) -> Result<Publication, WriteError> {
    let specs = inputs.specs;
    let b = inputs.current;
    let rows = printed_rows(b);
    if rows > MAX_ROWS {
        return Err(WriteError::Publish(format!(
            "“{}”的表格共 {rows} 行，超过公开文件 {MAX_ROWS} 行（约 460 页）的上限；这样大的部门请按预算单位分别生成公开文件，或用 budget-tables convert 生成公开报表（工作簿不受此限）",
            b.department
        )));
    }
    let doc = &specs.layout.document;
    let draft = narrate::draft(&narrate::Inputs {
        specs,
        current: b,
        prior: inputs.prior,
        sources: inputs.sources,
    });
    let given = inputs.text.map(|t| split_text(t, specs, b));
    let tables = tables(b, specs, inputs.catalogue)?;
    let mut parts = Vec::new();
    for (i, p) in doc.parts.iter().enumerate() {
        let title = fill(&p.title, b.year, &b.department);
        let entry = fill(p.entry(), b.year, &b.department);
        if p.tables {
            parts.push(Part {
                title,
                entry,
                heading: !p.no_heading,
                body: Body::Tables(tables.clone()),
                source: None,
            });
            continue;
        }
        let (paras, source) = text_of_part(i, p, &given, b, &draft);
        parts.push(Part {
            title,
            entry,
            heading: true,
            body: Body::Text(paras),
            source,
        });
    }
    Ok(Publication {
        cover: cover(specs, b),
        contents: doc.contents.clone(),
        parts,
        department: b.department.clone(),
        year: b.year,
    })
}

/// The cover: the workbook's own when it fills it (with the department's
/// line added when it lacks one), else the layout's.
fn cover(specs: &SpecSet, b: &Budget) -> Vec<String> {
    let declared: Vec<String> = specs
        .layout
        .document
        .cover
        .iter()
        .map(|l| fill(l, b.year, &b.department))
        .collect();
    if b.cover.is_empty() {
        return declared;
    }
    let mut lines = b.cover.clone();
    let names = |l: &str| norm(l).contains(&norm(&b.department));
    if !lines.iter().any(|l| names(l)) {
        lines.extend(declared.into_iter().filter(|l| names(l)));
    }
    lines
}

/// A part's text and where it came from: the `--text` part, the workbook's
/// sheet, the draft's section — the first that says anything.
fn text_of_part(
    index: usize,
    p: &crate::layout::document::Part,
    given: &Option<Vec<Vec<String>>>,
    b: &Budget,
    draft: &Draft,
) -> (Vec<Para>, Option<String>) {
    if let Some(lines) = given.as_ref().and_then(|g| g.get(index)) {
        if !lines.is_empty() {
            return (
                lines.iter().map(|l| para(l)).collect(),
                Some("--text".into()),
            );
        }
    }
    if let Some(text) = p.sheet.as_ref().and_then(|s| b.texts.get(s)) {
        let paras: Vec<Para> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(para)
            .collect();
        if !paras.is_empty() {
            let sheet = p.sheet.as_deref().unwrap_or_default();
            return (paras, Some(format!("工作簿“{sheet}”表")));
        }
    }
    let wanted = norm(&fill(p.section(), b.year, &b.department));
    if let Some(s) = draft.sections.iter().find(|s| norm(&s.title) == wanted) {
        let paras: Vec<Para> = s
            .paragraphs
            .iter()
            .map(|x| Para {
                text: x.text.clone(),
                heading: x.heading,
            })
            .collect();
        if !paras.is_empty() {
            return (paras, Some("说明草稿（narrate）".into()));
        }
    }
    (Vec::new(), None)
}

/// A line of text as a paragraph: a short numbered line without a
/// sentence's end is a sub-heading.
fn para(line: &str) -> Para {
    let text = line.trim().trim_start_matches('#').trim().to_string();
    Para {
        heading: is_heading(&text),
        text,
    }
}

fn is_heading(text: &str) -> bool {
    let n = norm(text);
    let numbered = crate::text::strip_numbering(&n).len() < n.len();
    let ends = text
        .chars()
        .last()
        .is_some_and(|c| matches!(c, '。' | '；' | '，' | '：' | ';' | ',' | ':' | '.'));
    numbered && !ends && text.chars().count() <= 40
}

/// The `--text` split into the document's parts by their titles (or
/// contents lines): the lines after a part's title, up to the next title,
/// are that part's. Lines before the first title (the document's own title,
/// its unit line) are left out.
fn split_text(text: &str, specs: &SpecSet, b: &Budget) -> Vec<Vec<String>> {
    let parts = &specs.layout.document.parts;
    let keys: Vec<Vec<String>> = parts
        .iter()
        .map(|p| {
            let mut k = vec![
                norm(&fill(&p.title, b.year, &b.department)),
                norm(&fill(p.entry(), b.year, &b.department)),
                norm(&fill(p.section(), b.year, &b.department)),
            ];
            k.extend(
                k.clone()
                    .iter()
                    .map(|x| crate::text::strip_numbering(x).to_string()),
            );
            k.retain(|x| !x.is_empty());
            k
        })
        .collect();
    let mut out = vec![Vec::new(); parts.len()];
    let mut at: Option<usize> = None;
    for line in text.lines() {
        let clean = line.trim().trim_start_matches('#').trim();
        if clean.is_empty() {
            continue;
        }
        let n = norm(clean);
        if let Some(i) = keys.iter().position(|k| k.contains(&n)) {
            at = Some(i);
            continue;
        }
        if let Some(i) = at {
            out[i].push(clean.to_string());
        }
    }
    out
}

/// The official tables as printed: the official workbook written and read back.
fn tables(
    b: &Budget,
    specs: &SpecSet,
    catalogue: &crate::catalogue::Catalogue,
) -> Result<Vec<Table>, WriteError> {
    let bytes = super::official::workbook_bytes_with(b, specs, catalogue)?;
    let preview = super::preview::preview(&bytes, specs, &[])
        .map_err(|e| WriteError::Publish(format!("公开报表无法读回：{e}")))?;
    Ok(specs
        .tables
        .iter()
        .filter_map(|spec| {
            let t = preview
                .tables
                .iter()
                .find(|t| t.name == spec.sheet_name())?;
            let form = spec.kind() == crate::spec::TableKind::Form;
            Some(table(t, spec.title_for(b.year, &b.department), form))
        })
        .collect())
}

/// One sheet read back, parted into the lines above, header, body and notes
/// (a form has no header to repeat: its rows are all its own).
fn table(t: &PreviewTable, entry: String, form: bool) -> Table {
    let columns = t
        .rows
        .iter()
        .map(|r| r.iter().map(|c| c.colspan as usize).sum::<usize>())
        .max()
        .unwrap_or(0);
    let cell = |c: &super::preview::PreviewCell| Cell {
        text: c.text.clone(),
        rowspan: c.rowspan,
        colspan: c.colspan,
        kind: c.kind,
    };
    let mut above = Vec::new();
    let mut title_line = None;
    let mut head = Vec::new();
    let mut body: Vec<Vec<Cell>> = Vec::new();
    let mut notes = Vec::new();
    for row in &t.rows {
        if row
            .iter()
            .all(|c| c.text.trim().is_empty() && c.kind == CellKind::Title)
        {
            continue;
        }
        if row.first().is_some_and(|c| c.kind == CellKind::Title) {
            let mut line: [String; 3] = Default::default();
            let mut col = 0usize;
            for c in row {
                let text = c.text.trim();
                if !text.is_empty() {
                    // Spanning the middle of the row: centred; at the right edge: right.
                    let slot = if c.colspan as usize >= columns.saturating_sub(1).max(1) && col == 0
                        || (col > 0 && col + (c.colspan as usize) < columns)
                    {
                        1
                    } else if col == 0 {
                        0
                    } else {
                        2
                    };
                    if slot == 1 && col == 0 && c.colspan as usize == columns {
                        title_line.get_or_insert(above.len());
                    }
                    line[slot] = text.to_string();
                }
                col += c.colspan as usize;
            }
            above.push(line);
        } else if !form && row.iter().any(|c| c.kind == CellKind::Head) && body.is_empty() {
            head.push(row.iter().map(cell).collect());
        } else if row.len() == 1 && row[0].colspan as usize == columns && columns > 1 {
            notes.push(row[0].text.clone());
        } else {
            body.push(row.iter().map(cell).collect());
        }
    }
    Table {
        entry,
        above,
        title_line,
        head,
        body,
        notes,
        columns,
    }
}

/// One place in the document that may not be posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfinished {
    pub part: String,
    /// The paragraph, from 1 (none: the part as a whole).
    pub paragraph: Option<usize>,
    pub what: String,
}

impl std::fmt::Display for Unfinished {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.paragraph {
            Some(n) => write!(f, "“{}”第 {n} 段：{}", self.part, self.what),
            None => write!(f, "“{}”：{}", self.part, self.what),
        }
    }
}

/// Every placeholder, template wording and empty part of `p`.
pub fn unfinished(p: &Publication, specs: &SpecSet) -> Vec<Unfinished> {
    let residue = &specs.layout.narrative.residue;
    let opening = placeholder_opening(&specs.layout.narrative.placeholder);
    let mut out = Vec::new();
    for part in &p.parts {
        let Body::Text(paras) = &part.body else {
            continue;
        };
        if paras.is_empty() {
            out.push(Unfinished {
                part: part.title.clone(),
                paragraph: None,
                what: "没有文字（--text 中没有这一部分的标题，工作簿中也没有填写）".into(),
            });
        }
        for (i, para) in paras.iter().enumerate() {
            let found = placeholders(&para.text, &opening).into_iter().chain(
                residue
                    .iter()
                    .filter(|w| !w.starts_with('【') && para.text.contains(w.as_str()))
                    .map(|w| format!("留有模板文字“{w}”")),
            );
            out.extend(found.map(|what| Unfinished {
                part: part.title.clone(),
                paragraph: Some(i + 1),
                what,
            }));
        }
    }
    out
}

/// How the layout's placeholder opens (`【请填写`): a bracket that does not
/// open so is the text's own (`沪府〔2016〕`, `【2016】`).
fn placeholder_opening(pattern: &str) -> String {
    let head = pattern.split('{').next().unwrap_or_default();
    let head = head.trim_end_matches(['：', ':']);
    if head.chars().count() < 2 {
        "【请填写".to_string()
    } else {
        head.to_string()
    }
}

/// Each placeholder of a text (from `opening` to its `】`), as a finding's words.
fn placeholders(text: &str, opening: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(s) = rest.find(opening) {
        let end = rest[s..]
            .find('】')
            .map_or(rest.len(), |len| s + len + '】'.len_utf8());
        out.push(format!("待填写“{}”", &rest[s..end]));
        rest = &rest[end..];
    }
    out
}

/// The contents' lines: each part (level 0), and each table under the
/// table part (level 1).
pub fn contents_lines(p: &Publication) -> Vec<(String, u8)> {
    let mut out = Vec::new();
    for part in &p.parts {
        out.push((part.entry.clone(), 0));
        if let Body::Tables(ts) = &part.body {
            out.extend(ts.iter().map(|t| (t.entry.clone(), 1)));
        }
    }
    out
}

/// The whole written part as one text (titles on their own lines), for the
/// check of the 说明 against the tables.
pub fn text_of(p: &Publication) -> String {
    let mut out = String::new();
    for part in &p.parts {
        if let Body::Text(paras) = &part.body {
            out.push_str(&part.title);
            out.push('\n');
            for para in paras {
                out.push_str(&para.text);
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_numbered_short_line_is_a_heading_and_a_sentence_is_not() {
        assert!(is_heading("一、2024年“三公”经费预算情况说明"));
        assert!(is_heading("（二）机构设置"));
        assert!(!is_heading(
            "（一）因公出国（境）费0万元，比2023年预算持平。"
        ));
        assert!(!is_heading("主要职能包括："));
    }

    #[test]
    fn placeholders_are_listed_each() {
        let opening = placeholder_opening("【请填写：{what}】");
        assert_eq!(opening, "【请填写");
        assert_eq!(
            placeholders("收入【请填写：原因】，支出【请填写：用途】。", &opening),
            vec!["待填写“【请填写：原因】”", "待填写“【请填写：用途】”"]
        );
        assert!(placeholders("沪发改投【2016】12号", &opening).is_empty());
    }

    #[test]
    fn a_given_text_is_split_by_the_parts_titles() {
        let specs = SpecSet::builtin_layout("shanghai-budget-department").unwrap();
        let b = Budget::new(&specs, "某街道办事处".into(), 2025);
        let text = "上海市2025年部门预算\n一、部门主要职能\n职能一。\n职能二。\n某街道办事处机构设置\n下设两个科室。\n其他相关情况说明\n一、三公经费\n";
        let parts = split_text(text, &specs, &b);
        assert_eq!(parts[0], vec!["职能一。", "职能二。"]);
        assert_eq!(parts[1], vec!["下设两个科室。"]);
        assert!(parts[2].is_empty());
        assert_eq!(parts[5], vec!["一、三公经费"]);
    }
}
