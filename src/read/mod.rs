//! The tolerant reader: xlsx, xls and ods workbooks (or the canonical JSON)
//! into the [`Budget`] model, with structural findings.
//!
//! Tables are found by their titles anywhere in any sheet; headers are
//! recognized by structure after normalization; amounts are read from numbers
//! or from text as people type it. What cannot be read as a budget workbook at
//! all is a [`ReadError`]; what is wrong inside a readable workbook is a
//! [`Diagnostic`].

mod cells;
mod form;
mod grid;
mod guard;
mod header;
mod link;
mod merges;
mod narrative;
mod ods;
pub mod pdf;
pub mod rules;
pub mod sheet;
mod two_sided;
mod xlsx;

use std::path::Path;

use crate::catalogue::Catalogue;
use crate::diag::Diagnostic;
use crate::model::{json, Budget, Table};
use crate::source::SourceMap;
use crate::spec::{RowKey, SpecSet, TableKind};
use crate::text;

pub use sheet::{Cell, Sheet};

/// The input cannot be read as a budget workbook at all.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("找不到输入文件 {0}；请检查文件路径")]
    NotFound(String),
    #[error("无法读取 {path}：{source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{0} 是空文件；请重新导出或重新发送该工作簿")]
    Empty(String),
    #[error("{0} 是一个文件夹，不是文件；请给出工作簿文件的路径（处理整个文件夹请用 budget-tables batch）")]
    Folder(String),
    #[error("{0} 不是普通文件（是管道、设备或套接字），不能作为输入；请给出工作簿文件的路径")]
    NotRegular(String),
    #[error("{0} 不是电子表格（xlsx、xls、ods）、PDF，也不是 budget-tables 的 JSON；请用 Excel 或 WPS 另存为 xlsx 后再试")]
    NotSpreadsheet(String),
    #[error("{0} 是 Word 文档（说明），不是填报工作簿；请把它作为说明与工作簿一起核对（网页上放在“说明”处，命令行用 check 工作簿 --narrative 说明.docx）")]
    WordDocument(String),
    #[error("{0} 设有密码或权限保护（已加密），无法读取；请提供未加密的电子版 PDF，或填报工作簿")]
    EncryptedPdf(String),
    #[error("{0} 是扫描件，没有文字层，无法读取；请提供电子版 PDF 或工作簿")]
    ScannedPdf(String),
    #[error(
        "{0} 设有打开密码（已加密），无法读取；请在 Excel 或 WPS 中取消密码后另存为 xlsx 再试"
    )]
    Encrypted(String),
    #[error("{path} 已损坏，无法作为电子表格打开（{detail}）；请重新导出或重新发送该工作簿")]
    Corrupt { path: String, detail: String },
    #[error(
        "{path} 的工作表“{sheet}”无法读取（{detail}）；请在 Excel 中打开该表，清除错误单元格后另存"
    )]
    Sheet {
        path: String,
        sheet: String,
        detail: String,
    },
    #[error("{path} 超出处理上限：{what}，上限为 {limit}；请删除多余的行、列或工作表后另存再试")]
    TooLarge {
        path: String,
        what: String,
        limit: String,
    },
    #[error("{0} 中找不到任何预算表（各表按其标题识别）；请使用 budget-tables template 生成的模板填报，或用 budget-tables layouts 查看各版式的表名")]
    NoTables(String),
    #[error("{path} 与表格规格不符：{detail}；请用与该 JSON 对应的表格规格（--templates）")]
    Model { path: String, detail: String },
    #[error("{path} 同样符合版式“{first}”和“{second}”（各找到 {found} 张表），无法判断；请用 --layout 指定其中之一")]
    AmbiguousLayout {
        path: String,
        first: String,
        second: String,
        found: usize,
    },
    #[error("{path} 不像任何已载入的版式的表格：{closest}。如它是另一个地区或口径的表，请把该版式的目录放进用户版式目录，或用 --templates 指向它（见 docs/layouts.md）；如是其中一个版式，请核对各表的标题，或用 --layout 指定")]
    NoLayoutMatches { path: String, closest: String },
    #[error("{path} 是版式“{layout}”的模型，没有这个版式；可用 budget-tables layouts 列出已载入的版式，或用 --templates 指定版式目录")]
    UnknownLayout { path: String, layout: String },
    #[error("{path}：{source}")]
    Json {
        path: String,
        source: json::JsonError,
    },
}

impl ReadError {
    pub(crate) fn from_calamine(path: &str, e: calamine::Error) -> ReadError {
        let detail = e.to_string();
        if detail.to_lowercase().contains("password") || detail.contains("encrypt") {
            ReadError::Encrypted(path.into())
        } else {
            ReadError::Corrupt {
                path: path.into(),
                detail,
            }
        }
    }
}

/// The extensions of the files the reader takes (a folder of inputs is
/// these): workbooks, published PDFs and models.
pub const INPUT_EXTENSIONS: &[&str] = &["xlsx", "xls", "ods", "pdf", "json"];

/// Whether a file name has one of the [`INPUT_EXTENSIONS`] (any case).
pub fn is_input_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| INPUT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// A budget read from a file, and what was found wrong inside it.
#[derive(Debug, Clone)]
pub struct ReadOutcome {
    pub budget: Budget,
    pub diagnostics: Vec<Diagnostic>,
    /// Where each figure was read (empty for JSON input).
    pub sources: SourceMap,
    /// The workbook's sheets as read (empty for JSON), for an annotated copy.
    pub sheets: Vec<Sheet>,
    /// A published PDF's written part (说明), and where its sheets' rows were printed.
    pub pdf: Option<PdfText>,
}

/// What a PDF adds to what was read: its text and its pages.
#[derive(Debug, Clone, Default)]
pub struct PdfText {
    pub document: pdf::Document,
    pub places: pdf::Places,
}

/// Reads a workbook (xlsx, xls, ods) or a canonical JSON model.
///
/// # Errors
/// [`ReadError`] when the file is missing, not a spreadsheet, encrypted,
/// corrupt, or holds none of the tables.
///
/// # Examples
/// ```no_run
/// let specs = budget_tables::spec::SpecSet::builtin()?;
/// let out = budget_tables::read::read_path("samples/shenzhen-zwfw-2024.xlsx".as_ref(), &specs)?;
/// assert_eq!(out.budget.year, 2024);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_path(path: &Path, specs: &SpecSet) -> Result<ReadOutcome, ReadError> {
    load_path(path)?.interpret(specs)
}

/// [`read_path`] with a catalogue of one's own (`--catalogue`): it settles
/// which code a two-sided table's line gets where the tables disagree.
///
/// # Errors
/// As [`read_path`].
pub fn read_path_with(
    path: &Path,
    specs: &SpecSet,
    catalogue: &Catalogue,
) -> Result<ReadOutcome, ReadError> {
    load_path(path)?.interpret_with(specs, catalogue)
}

/// Reads a workbook or JSON model in whichever of `layouts` it is in;
/// returns that layout's index with what was read.
///
/// # Errors
/// As [`read_path`] and [`Loaded::detect`].
pub fn read_path_any(
    path: &Path,
    layouts: &[SpecSet],
    catalogue: &Catalogue,
) -> Result<(usize, ReadOutcome), ReadError> {
    let loaded = load_path(path)?;
    let i = loaded.detect(layouts)?;
    let catalogue = catalogue.for_layout(layouts[i].catalogue.as_deref());
    Ok((i, loaded.interpret_with(&layouts[i], &catalogue)?))
}

/// A file loaded but not yet read against the specs: its sheets, or the
/// model a JSON file holds. Loading needs no specs, so a caller can load the
/// specs meanwhile.
#[derive(Debug)]
pub struct Loaded {
    shown: String,
    content: Content,
}

#[derive(Debug)]
enum Content {
    Model(Box<Budget>),
    Sheets(Vec<Sheet>),
    Pdf(Box<pdf::PdfRead>),
}

impl Loaded {
    /// Reads the budget tables out of the loaded file.
    ///
    /// # Errors
    /// [`ReadError::NoTables`] when no table is found; [`ReadError::Model`]
    /// when a JSON model does not fit the specs.
    pub fn interpret(self, specs: &SpecSet) -> Result<ReadOutcome, ReadError> {
        match Catalogue::shared() {
            Some(c) => self.interpret_with(specs, c),
            None => self.interpret_with(specs, &Catalogue::default()),
        }
    }

    /// [`Loaded::interpret`] with the catalogue given.
    ///
    /// # Errors
    /// As [`Loaded::interpret`].
    pub fn interpret_with(
        self,
        specs: &SpecSet,
        catalogue: &Catalogue,
    ) -> Result<ReadOutcome, ReadError> {
        let shown = self.shown;
        match self.content {
            Content::Model(budget) => {
                fits(&budget, specs).map_err(|detail| ReadError::Model {
                    path: shown,
                    detail,
                })?;
                Ok(ReadOutcome {
                    budget: *budget,
                    diagnostics: Vec::new(),
                    sources: SourceMap::default(),
                    sheets: Vec::new(),
                    pdf: None,
                })
            }
            Content::Pdf(p) => {
                let pdf::PdfRead {
                    sheets,
                    text,
                    places,
                } = *p;
                let mut out = read_sheets_with(&sheets, specs, catalogue)
                    .ok_or(ReadError::NoTables(shown))?;
                cover_department(&mut out, &text, specs);
                other_tables(&mut out, &sheets, specs);
                tables_without_lines(&mut out, &text, specs);
                out.sheets = sheets;
                // Each paragraph of the written part is a row of its own sheet.
                for i in 0..text.pages.len() {
                    out.sources.insert(
                        crate::source::text_line(pdf::TEXT, i),
                        pdf::TEXT,
                        i as u32,
                        0,
                    );
                }
                out.pdf = Some(PdfText {
                    document: text,
                    places,
                });
                Ok(out)
            }
            Content::Sheets(sheets) => {
                let mut out = read_sheets_with(&sheets, specs, catalogue)
                    .ok_or(ReadError::NoTables(shown))?;
                out.sheets = sheets;
                Ok(out)
            }
        }
    }
}

impl Loaded {
    /// The sheets loaded (none for a JSON model).
    fn sheets(&self) -> &[Sheet] {
        match &self.content {
            Content::Model(_) => &[],
            Content::Sheets(s) => s,
            Content::Pdf(p) => &p.sheets,
        }
    }

    /// Which of the `layouts` the file is in: a JSON model names its own; a
    /// workbook is in the layout whose tables' titles it holds the most of.
    ///
    /// # Errors
    /// [`ReadError::UnknownLayout`] for a model of a layout not offered,
    /// [`ReadError::NoTables`] when no layout finds a table,
    /// [`ReadError::AmbiguousLayout`] when two find as many.
    pub fn detect(&self, layouts: &[SpecSet]) -> Result<usize, ReadError> {
        match &self.content {
            Content::Model(b) => layouts
                .iter()
                .position(|l| l.layout.id == b.layout)
                .ok_or_else(|| ReadError::UnknownLayout {
                    path: self.shown.clone(),
                    layout: b.layout.clone(),
                }),
            Content::Sheets(_) | Content::Pdf(_) => {
                let sheets = self.sheets();
                if layouts.len() == 1 {
                    return Ok(0);
                }
                let found: Vec<Vec<usize>> = layouts
                    .iter()
                    .map(|l| {
                        let found = header::locate(sheets, l, &mut Vec::new());
                        let mut tables: Vec<usize> = found.iter().map(|f| f.spec).collect();
                        tables.sort_unstable();
                        tables.dedup();
                        tables
                    })
                    .collect();
                let counts: Vec<usize> = found.iter().map(Vec::len).collect();
                let best = counts.iter().copied().max().unwrap_or(0);
                if best == 0 {
                    return Err(ReadError::NoTables(self.shown.clone()));
                }
                // Fewer than half of a layout's tables is not that layout: a
                // region's workbook read as another's gives a list of false
                // errors (its tables "missing") instead of the real cause.
                let fits = |i: usize| counts[i] * 2 >= layouts[i].tables.len();
                if !(0..layouts.len()).any(fits) {
                    return Err(ReadError::NoLayoutMatches {
                        path: self.shown.clone(),
                        closest: closest_layouts(layouts, &found),
                    });
                }
                let tied: Vec<usize> = (0..layouts.len()).filter(|&i| counts[i] == best).collect();
                match tied[..] {
                    [one] => Ok(one),
                    _ => Err(ReadError::AmbiguousLayout {
                        path: self.shown.clone(),
                        first: layouts[tied[0]].layout.id.clone(),
                        second: layouts[tied[1]].layout.id.clone(),
                        found: best,
                    }),
                }
            }
        }
    }
}

/// The layouts that found most of an input's tables, best first, each with
/// what it found (`shenzhen-budget 找到 12 张表中的 3 张：收支总表、…`).
fn closest_layouts(layouts: &[SpecSet], found: &[Vec<usize>]) -> String {
    let mut order: Vec<usize> = (0..layouts.len())
        .filter(|&i| !found[i].is_empty())
        .collect();
    order.sort_by_key(|&i| std::cmp::Reverse(found[i].len()));
    order
        .iter()
        .take(3)
        .map(|&i| {
            let l = &layouts[i];
            let names: Vec<&str> = found[i]
                .iter()
                .map(|&t| l.tables[t].title.as_str())
                .collect();
            format!(
                "最接近的“{}”（{}）只找到 {} 张表中的 {} 张（{}）",
                l.layout.name,
                l.layout.id,
                l.tables.len(),
                names.len(),
                names.join("、")
            )
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// Loads a file's sheets (or its JSON model) without the specs.
///
/// # Errors
/// As [`read_path`], except a workbook without tables, found by [`Loaded::interpret`].
pub fn load_path(path: &Path) -> Result<Loaded, ReadError> {
    let bytes = read_file(path)?;
    load_bytes(&bytes, &path.display().to_string())
}

/// Reads a whole input file, refusing one past [`sheet::MAX_FILE_BYTES`]
/// before reading it.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, ReadError> {
    let shown = path.display().to_string();
    let io = |source: std::io::Error| {
        if source.kind() == std::io::ErrorKind::NotFound {
            ReadError::NotFound(shown.clone())
        } else {
            ReadError::Io {
                path: shown.clone(),
                source,
            }
        }
    };
    // Follows a link to what it names; a pipe or device is never opened (it
    // could block for ever).
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(ReadError::Folder(shown));
    }
    if !meta.is_file() {
        return Err(ReadError::NotRegular(shown));
    }
    if meta.len() > sheet::MAX_FILE_BYTES {
        return Err(ReadError::TooLarge {
            path: shown,
            what: format!("文件 {} 字节", meta.len()),
            limit: format!("{} 字节", sheet::MAX_FILE_BYTES),
        });
    }
    std::fs::read(path).map_err(io)
}

/// Reads a workbook or JSON model held in memory; `shown` names it in messages.
///
/// # Errors
/// As [`read_path`].
pub fn read_bytes(bytes: &[u8], shown: &str, specs: &SpecSet) -> Result<ReadOutcome, ReadError> {
    load_bytes(bytes, shown)?.interpret(specs)
}

/// Loads a workbook or JSON model held in memory, as [`load_path`].
///
/// # Errors
/// As [`load_path`].
pub fn load_bytes(bytes: &[u8], shown: &str) -> Result<Loaded, ReadError> {
    let shown = shown.to_string();
    if bytes.is_empty() {
        return Err(ReadError::Empty(shown));
    }
    let content = match sniff(bytes) {
        Kind::Json => {
            let s = String::from_utf8_lossy(bytes);
            Content::Model(Box::new(json::from_str(&s).map_err(|source| {
                ReadError::Json {
                    path: shown.clone(),
                    source,
                }
            })?))
        }
        Kind::Encrypted => return Err(ReadError::Encrypted(shown)),
        Kind::Word => return Err(ReadError::WordDocument(shown)),
        Kind::Pdf => Content::Pdf(Box::new(pdf::load(bytes, &shown)?)),
        Kind::Other => return Err(ReadError::NotSpreadsheet(shown)),
        Kind::Spreadsheet => Content::Sheets(sheet::load_bytes(bytes, &shown)?),
    };
    Ok(Loaded { shown, content })
}

/// A JSON model must be of the specs' layout and hold only tables the specs
/// describe, each of its spec's kind and unit.
fn fits(b: &Budget, specs: &SpecSet) -> Result<(), String> {
    if b.layout != specs.layout.id {
        return Err(format!(
            "该 JSON 是版式“{}”的模型，与版式“{}”（{}）不符",
            b.layout, specs.layout.id, specs.layout.name
        ));
    }
    for (id, unit) in &b.amount_units {
        if let Some(spec) = specs.get(id) {
            if spec.unit.label() != unit {
                return Err(format!(
                    "{}的金额单位应为{}，JSON 中为{unit}",
                    spec.sheet_name(),
                    spec.unit.label()
                ));
            }
        }
    }
    for (id, t) in &b.tables {
        let Some(spec) = specs.get(id) else {
            return Err(format!("没有表 {id} 的规格"));
        };
        let kind = match t {
            Table::TwoSided(_) => TableKind::TwoSided,
            Table::Grid(_) => TableKind::Grid,
            Table::Form(_) => TableKind::Form,
        };
        if kind != spec.kind() {
            return Err(format!(
                "{}应为 {:?} 类表格，JSON 中为 {kind:?}",
                spec.sheet_name(),
                spec.kind()
            ));
        }
        known_amount_keys(t, spec)?;
    }
    Ok(())
}

/// Every amount of a JSON table is keyed by one of its spec's column or
/// line ids: an unknown key would be carried along and never checked.
fn known_amount_keys(t: &Table, spec: &crate::spec::TableSpec) -> Result<(), String> {
    if let Table::TwoSided(t) = t {
        if let Some(l) = t
            .lines
            .keys()
            .find(|l| !spec.fixed_lines().any(|f| f.id == **l))
        {
            return Err(format!("{}中有未知的行“{l}”", spec.sheet_name()));
        }
    }
    let allowed: Vec<&str> = match t {
        Table::Grid(_) | Table::TwoSided(_) => {
            spec.value_columns().map(|c| c.id.as_str()).collect()
        }
        Table::Form(_) => spec
            .form()
            .iter()
            .flat_map(|f| f.amounts.iter().map(|a| a.id.as_str()))
            .collect(),
    };
    let maps: Vec<&crate::model::Amounts> = match t {
        Table::Grid(g) => g
            .blocks
            .iter()
            .flat_map(|b| b.total.iter().chain(b.rows.iter().map(|r| &r.amounts)))
            .collect(),
        Table::TwoSided(t) => t
            .lines
            .values()
            .chain(t.expenditure.iter().map(|e| &e.amounts))
            .collect(),
        Table::Form(f) => std::iter::once(&f.sum)
            .chain(f.tasks.iter().map(|t| &t.amounts))
            .collect(),
    };
    for m in maps {
        if let Some(k) = m.keys().find(|k| !allowed.contains(k)) {
            return Err(format!(
                "{}中有未知的金额列“{k}”（应为 {} 之一）",
                spec.sheet_name(),
                allowed.join("、")
            ));
        }
    }
    Ok(())
}

enum Kind {
    Json,
    Spreadsheet,
    Encrypted,
    /// A Word document (.docx): a 说明, not a workbook.
    Word,
    Pdf,
    Other,
}

fn sniff(bytes: &[u8]) -> Kind {
    let trimmed = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(bytes)
        .iter()
        .find(|b| !b.is_ascii_whitespace());
    if trimmed == Some(&b'{') {
        return Kind::Json;
    }
    if bytes.starts_with(b"PK\x03\x04") {
        // A .docx is a zip too: named by its main part, which no workbook has.
        let has = |name: &[u8]| bytes.windows(name.len()).any(|w| w == name);
        if has(b"word/document.xml") && !has(b"xl/workbook.xml") {
            return Kind::Word;
        }
        return Kind::Spreadsheet;
    }
    if pdf::guard::is_pdf(bytes) {
        return Kind::Pdf;
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        // An encrypted xlsx is an OLE container holding an `EncryptedPackage` stream.
        let marker: Vec<u8> = "EncryptedPackage"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        if bytes.windows(marker.len()).any(|w| w == marker.as_slice()) {
            return Kind::Encrypted;
        }
        return Kind::Spreadsheet;
    }
    Kind::Other
}

/// One table found in a sheet: its title cell and the rows it owns.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Found {
    pub spec: usize,
    pub sheet: usize,
    pub title_row: u32,
    pub title_col: u32,
    /// One past the last row of the table's region.
    pub end_row: u32,
    /// The year its title names (`2026年部门…`).
    pub year: Option<i32>,
}

/// Reads loaded sheets; `None` when no table is found at all.
pub fn read_sheets(sheets: &[Sheet], specs: &SpecSet) -> Option<ReadOutcome> {
    match Catalogue::shared() {
        Some(c) => read_sheets_with(sheets, specs, c),
        None => read_sheets_with(sheets, specs, &Catalogue::default()),
    }
}

/// [`read_sheets`] with the catalogue given.
pub fn read_sheets_with(
    sheets: &[Sheet],
    specs: &SpecSet,
    catalogue: &Catalogue,
) -> Option<ReadOutcome> {
    let mut diags = Vec::new();
    let mut sources = SourceMap::default();
    let found = header::locate(sheets, specs, &mut diags);
    if found.is_empty() {
        return None;
    }
    let mut all = Gathered::default();
    // Tables keyed by name learn the unit names from the tables read before
    // them: the tables keyed by code are read side by side first, then those
    // keyed by name side by side with the units known by then, each noting
    // the questions it asked about unit names. Taken in table order, a table
    // whose questions get other answers from the units known by its turn is
    // read again. Findings, sources and model are those of a reading one by one.
    let (by_code, by_name): (Vec<&Found>, Vec<&Found>) = found
        .iter()
        .partition(|f| specs.tables[f.spec].row_key != RowKey::Name);
    for wave in [
        sorted_by_number(by_code, specs),
        sorted_by_number(by_name, specs),
    ] {
        let known = all.known_units();
        let reads = crate::par::map(&wave, |f| read_one(sheets, specs, f, &known));
        for (f, one) in wave.iter().zip(reads) {
            let one = if one.asked.is_empty() {
                one
            } else {
                let known = all.known_units();
                if one
                    .asked
                    .iter()
                    .all(|(unit, yes)| known.contains(unit) == *yes)
                {
                    one
                } else {
                    read_one(sheets, specs, f, &known)
                }
            };
            all.take(one, &mut diags, &mut sources);
        }
    }
    let Gathered {
        department,
        mut year,
        mut tables,
        units,
    } = all;
    if year.0.is_empty() {
        let read: Vec<usize> = found.iter().map(|f| f.sheet).collect();
        if let Some((y, sheet)) = narrative::cover_year(sheets, &read, specs) {
            year.add(Some(y), &format!("“{sheet}”"));
        }
    }
    tables.sort_by_key(|(i, _)| *i);

    let dept = department
        .settle(
            (&rules::DEPT, &rules::DEPT_MISSING, "部门名称"),
            where_to_write(specs),
            &mut diags,
        )
        .unwrap_or_default();
    let yr = year
        .settle(
            (&rules::YEAR, &rules::YEAR_MISSING, "年度"),
            "请在各表标题中写明年度（如“2025年…”）".into(),
            &mut diags,
        )
        .and_then(|y| y.parse().ok())
        .unwrap_or(0);
    let mut budget = Budget::new(specs, dept.clone(), yr);
    for (i, t) in tables {
        budget.tables.insert(specs.tables[i].id.clone(), t);
    }
    budget.units = units
        .into_iter()
        .filter(|u| *u != dept && !u.is_empty())
        .collect();
    name_unnamed_blocks(&mut budget);
    for spec in &specs.tables {
        if !budget.tables.contains_key(&spec.id)
            && !diags.iter().any(|d| {
                d.table.as_deref() == Some(&spec.sheet_name())
                    && d.rule == crate::read::rules::HEADER.id
            })
        {
            diags.push(
                crate::read::rules::TABLE_MISSING.finding(format!("工作簿中没有找到“{}”", spec.title))
                    .table(spec.sheet_name())
                    .hint(format!(
                        "请在任一工作表中加入标题为“{}”的表格（可从 budget-tables template 生成的模板复制）",
                        spec.title_for(yr, &budget.department)
                    )),
            );
        }
    }
    link::link_two_sided(&mut budget, specs, &sources, catalogue, &mut diags);
    budget.texts = narrative::read(sheets, specs, &mut sources);
    budget.cover = narrative::cover(sheets, specs);
    Some(ReadOutcome {
        budget,
        diagnostics: diags,
        sources,
        sheets: Vec::new(),
        pdf: None,
    })
}

/// A table printed without its 编制单位 line is the department's: its block
/// is named after it, as the department's other tables name theirs.
fn name_unnamed_blocks(budget: &mut Budget) {
    let dept = budget.department.clone();
    for t in budget.tables.values_mut() {
        if let Table::Grid(g) = t {
            for b in g.blocks.iter_mut().filter(|b| b.unit.is_empty()) {
                b.unit.clone_from(&dept);
            }
        }
    }
    if budget.units.is_empty() && !dept.is_empty() {
        budget.units.push(dept);
    }
}

/// The department a published PDF's cover names (the layout's
/// `cover_department`), which the document is published under: it is the
/// model's; tables that name another get a warning.
fn cover_department(out: &mut ReadOutcome, text: &pdf::Document, specs: &SpecSet) {
    use crate::text::norm;
    let patterns: Vec<String> = specs
        .layout
        .cover_department
        .iter()
        .map(|p| norm(p))
        .collect();
    let found = text
        .text
        .lines()
        .zip(&text.pages)
        .enumerate()
        .take_while(|(_, (_, page))| **page <= 2)
        .find_map(|(i, (line, _))| {
            let n = norm(line);
            patterns.iter().find_map(|p| {
                let d = crate::text::match_pattern(p, &n)?.department?;
                let d = crate::text::as_typed(line, &d)?.trim().to_string();
                (!d.is_empty()).then_some((i, d))
            })
        });
    let Some((line, cover)) = found else {
        return;
    };
    let budget = &mut out.budget;
    if norm(&budget.department) == norm(&cover) {
        return;
    }
    if !budget.department.is_empty() {
        out.diagnostics.push(
            rules::DEPT
                .finding(format!(
                    "封面写部门名称“{cover}”，表中写“{}”",
                    budget.department
                ))
                .expected(cover.clone())
                .actual(budget.department.clone())
                .at(pdf::TEXT, line as u32, 0)
                .hint("表中的部门名称应与封面一致，请改正表头"),
        );
    }
    let old = std::mem::replace(&mut budget.department, cover.clone());
    for t in budget.tables.values_mut() {
        if let Table::Grid(g) = t {
            for b in g
                .blocks
                .iter_mut()
                .filter(|b| b.unit.is_empty() || b.unit == old)
            {
                b.unit.clone_from(&cover);
            }
        }
    }
    for u in budget.units.iter_mut().filter(|u| **u == old) {
        u.clone_from(&cover);
    }
}

/// Each table of a PDF that is none of the layout's (a 项目绩效目标表, a
/// list of the units) is named with its page, once: it was not read.
fn other_tables(out: &mut ReadOutcome, sheets: &[Sheet], specs: &SpecSet) {
    let found = header::locate(sheets, specs, &mut Vec::new());
    for (i, sheet) in sheets.iter().enumerate() {
        if found.iter().any(|f| f.sheet == i) {
            continue;
        }
        // Its caption, or else its first row's labels.
        let title = (0..sheet.height())
            .map(|r| {
                sheet
                    .row_cells(r)
                    .map(|(_, c)| c.text().trim().to_string())
                    .filter(|t| !t.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .find(|t| !t.is_empty())
            .unwrap_or_default();
        let title: String = title.chars().take(40).collect();
        out.diagnostics.push(
            rules::PDF_OTHER
                .finding(format!("这张表格“{title}”不是本版式的表，未读取"))
                .at(&sheet.name, 0, 0)
                .hint("如它应是本版式的一张表，请核对其标题和表头是否与模板一致"),
        );
    }
}

/// A table missing from a PDF whose title is printed all the same: it is
/// laid out without ruling lines (or as a picture), which the reader does
/// not take apart; said so at its page, not as a table left out.
fn tables_without_lines(out: &mut ReadOutcome, text: &pdf::Document, specs: &SpecSet) {
    use crate::text::norm;
    let lines: Vec<String> = text.text.lines().map(norm).collect();
    for d in out
        .diagnostics
        .iter_mut()
        .filter(|d| d.rule == rules::TABLE_MISSING.id)
    {
        let Some(spec) = specs
            .tables
            .iter()
            .find(|s| d.table.as_deref() == Some(&s.sheet_name()))
        else {
            continue;
        };
        let titles = [
            norm(&spec.title_for(out.budget.year, &out.budget.department)),
            norm(&spec.title),
        ];
        // A line that is the title, not a contents entry (`……12`).
        let at = lines.iter().position(|l| {
            !l.contains('…')
                && !l.contains("..")
                && titles
                    .iter()
                    .any(|t| l.ends_with(t.as_str()) && l.len() <= t.len() + 12)
        });
        match at {
            Some(i) => {
                let shown = spec.title_for(out.budget.year, &out.budget.department);
                *d = rules::TABLE_MISSING
                    .finding(format!("印有“{shown}”，但其下没有画出表格线的表格，无法逐格读取"))
                    .table(spec.sheet_name())
                    .at(pdf::TEXT, i as u32, 0)
                    .hint("本工具按表格线读取 PDF 中的表；请从 WPS、Word 或 Excel 导出带表格线的 PDF，或改为检查填报工作簿");
            }
            None => {
                d.message = format!("PDF 中没有找到“{}”", spec.title);
                d.hint = Some("请核对公开文件是否漏印了这张表".into());
            }
        }
    }
}

/// Where a workbook of this layout states its department.
fn where_to_write(specs: &SpecSet) -> String {
    let label = specs
        .tables
        .iter()
        .map(|t| t.name_label.as_str())
        .find(|l| !l.is_empty())
        .unwrap_or("部门名称");
    match &specs.layout.heading {
        Some(_) => {
            format!("请在各表的“{label}”处，或各表标题上方的“××部门××年度…”一行写明部门名称")
        }
        None => format!("请在各表标题下方的“{label}”处填写部门名称"),
    }
}

fn sorted_by_number<'a>(mut v: Vec<&'a Found>, specs: &SpecSet) -> Vec<&'a Found> {
    v.sort_by_key(|f| specs.tables[f.spec].number);
    v
}

/// The normalized unit names a table keyed by name may start a block with,
/// and the questions asked about them.
pub(crate) struct Known<'a> {
    units: &'a [String],
    asked: std::cell::RefCell<Vec<(String, bool)>>,
}

impl<'a> Known<'a> {
    fn new(units: &'a [String]) -> Known<'a> {
        Known {
            units,
            asked: Default::default(),
        }
    }

    pub(crate) fn contains(&self, unit: &String) -> bool {
        let yes = self.units.contains(unit);
        self.asked.borrow_mut().push((unit.clone(), yes));
        yes
    }
}

/// What the tables read so far add up to.
#[derive(Default)]
struct Gathered {
    department: Votes,
    year: Votes,
    tables: Vec<(usize, Table)>,
    units: Vec<String>,
}

impl Gathered {
    fn take(&mut self, one: One, diags: &mut Vec<Diagnostic>, sources: &mut SourceMap) {
        diags.extend(one.diags);
        sources.extend(one.sources);
        for (d, y) in one.votes {
            self.department.add(d, &one.name);
            self.year.add(y, &one.name);
        }
        if let Some((i, t)) = one.table {
            if let Table::Grid(g) = &t {
                for b in &g.blocks {
                    if !self.units.contains(&b.unit) {
                        self.units.push(b.unit.clone());
                    }
                }
            }
            self.tables.push((i, t));
        }
    }

    /// Normalized names of the units seen so far, and of the department.
    fn known_units(&self) -> Vec<String> {
        self.units
            .iter()
            .chain(self.department.first().iter())
            .map(|u| text::norm(u))
            .collect()
    }
}

/// One table as read, with what it says about the department and year, its
/// findings and where its figures came from.
struct One {
    name: String,
    /// The unit names asked about while reading, and the answers.
    asked: Vec<(String, bool)>,
    table: Option<(usize, Table)>,
    votes: Vec<(Option<String>, Option<String>)>,
    diags: Vec<Diagnostic>,
    sources: SourceMap,
}

/// Reads the table found at `f`; `known` are the normalized unit names known
/// so far (for tables keyed by name).
fn read_one(sheets: &[Sheet], specs: &SpecSet, f: &Found, known: &[String]) -> One {
    let spec = &specs.tables[f.spec];
    let sheet = &sheets[f.sheet];
    let mut one = One {
        name: spec.sheet_name(),
        asked: Vec::new(),
        table: None,
        votes: Vec::new(),
        diags: Vec::new(),
        sources: SourceMap::default(),
    };
    if spec.kind() == TableKind::Form {
        if let Some((t, info)) = form::read(sheet, spec, f, &mut one.diags, &mut one.sources) {
            one.votes
                .push((info.department, info.year.map(|y| y.to_string())));
            one.table = Some((f.spec, Table::Form(t)));
        }
        return one;
    }
    let Some(h) = header::recognize(sheet, spec, f, &mut one.diags) else {
        return one;
    };
    let h = h.with_heading(sheet, f, specs.layout.heading.as_deref());
    one.votes
        .push((h.department.clone(), h.year.map(|y| y.to_string())));
    let mut ctx = cells::Ctx::new(
        sheet,
        (&spec.id, &one.name),
        (h.unit, spec.unit),
        &mut one.diags,
        &mut one.sources,
    );
    let table = match spec.kind() {
        TableKind::TwoSided => Table::TwoSided(two_sided::read(&mut ctx, spec, &h, f)),
        _ => {
            let known = Known::new(known);
            let (g, years) = grid::read(&mut ctx, spec, &h, f, &known);
            one.asked = known.asked.into_inner();
            for y in years {
                one.votes.push((None, Some(y.to_string())));
            }
            Table::Grid(g)
        }
    };
    one.table = Some((f.spec, table));
    one
}

/// Values read from several tables that should agree (department, year).
#[derive(Default)]
struct Votes(Vec<(String, String)>);

impl Votes {
    fn add<T: ToString>(&mut self, v: Option<T>, table: &str) {
        if let Some(v) = v {
            let s = v.to_string();
            if !s.is_empty() {
                self.0.push((s, table.to_string()));
            }
        }
    }

    fn first(&self) -> Option<String> {
        self.0.first().map(|(v, _)| v.clone())
    }

    /// The value all tables agree on; a warning per table that differs, an
    /// error (with `hint`, where to write it) when none states it.
    fn settle(
        &self,
        (rule, missing, what): (&crate::rule::Rule, &crate::rule::Rule, &str),
        hint: String,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<String> {
        let Some((first, from)) = self.0.first() else {
            diags.push(missing.finding(format!("工作簿中找不到{what}")).hint(hint));
            return None;
        };
        for (v, table) in &self.0[1..] {
            if text::norm(v) != text::norm(first) {
                diags.push(
                    rule.finding(format!("{table}的{what}与{from}不一致"))
                        .table(table.clone())
                        .expected(first.clone())
                        .actual(v.clone())
                        .hint(format!("各表的{what}应当相同，请统一")),
                );
            }
        }
        Some(first.clone())
    }
}
