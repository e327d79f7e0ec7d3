//! The `[document]` section of a layout: the whole publication document a
//! department posts (cover, contents, the written parts and the tables, in
//! their published order). `publish` assembles it; no layout's parts are
//! known to Rust.

use serde::Deserialize;

/// The publication document of a layout.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct DocumentSpec {
    /// The cover's lines (`上海市{year}年部门预算`, `预算主管部门：{department}`),
    /// the first printed large as the document's title.
    #[serde(default)]
    pub cover: Vec<String>,
    /// The text sheet whose lines, when the workbook fills it, are the cover
    /// instead (a district's own `上海市普陀区2024年区级部门预算`).
    #[serde(default)]
    pub cover_sheet: Option<String>,
    /// The contents page's heading (`目  录`); none: no contents page.
    #[serde(default)]
    pub contents: Option<String>,
    /// The parts, in their published order.
    #[serde(default)]
    pub parts: Vec<Part>,
}

/// One part of the document: a written part or the tables.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Part {
    /// Printed at the head of its first page (`{department}主要职能`).
    pub title: String,
    /// Its line in the contents (`一、部门主要职能`); the title when absent.
    #[serde(default)]
    pub entry: Option<String>,
    /// The text sheet whose text fills it (a workbook's own 说明).
    #[serde(default)]
    pub sheet: Option<String>,
    /// The `[narrative]` section (by its title pattern) that drafts it; the
    /// part's title when absent.
    #[serde(default)]
    pub section: Option<String>,
    /// The part is the official tables, each on its own pages.
    #[serde(default)]
    pub tables: bool,
    /// Its own heading page is not printed (the tables follow the contents
    /// directly); the contents still lists it.
    #[serde(default)]
    pub no_heading: bool,
}

impl Part {
    /// The contents line's pattern.
    pub fn entry(&self) -> &str {
        self.entry.as_deref().unwrap_or(&self.title)
    }

    /// The narrative section's title pattern.
    pub fn section(&self) -> &str {
        self.section.as_deref().unwrap_or(&self.title)
    }
}

impl DocumentSpec {
    /// Whether the layout declares a document at all.
    pub fn is_declared(&self) -> bool {
        !self.parts.is_empty()
    }

    /// A declaration that cannot be assembled, in words.
    ///
    /// # Errors
    /// A part that is both tables and text, tables declared twice or never,
    /// a cover without lines.
    pub fn check(&self, text_sheets: &[String], sections: &[String]) -> Result<(), String> {
        if !self.is_declared() {
            return Ok(());
        }
        if self.cover.is_empty() {
            return Err("[document] 没有封面（cover）".into());
        }
        let tables = self.parts.iter().filter(|p| p.tables).count();
        if tables != 1 {
            return Err(format!(
                "[document] 应有且只有一个表格部分（tables = true），现有 {tables} 个"
            ));
        }
        for p in &self.parts {
            if p.tables && (p.sheet.is_some() || p.section.is_some()) {
                return Err(format!("[document] 部分“{}”既是表格又有文字", p.title));
            }
            if let Some(s) = &p.sheet {
                if !text_sheets.contains(s) {
                    return Err(format!(
                        "[document] 部分“{}”的 sheet = “{s}”不是 [[text_sheets]] 中的说明表",
                        p.title
                    ));
                }
            }
            if let Some(s) = &p.section {
                if !sections.contains(s) {
                    return Err(format!(
                        "[document] 部分“{}”的 section = “{s}”不是 [narrative] 的章节标题",
                        p.title
                    ));
                }
            }
        }
        if let Some(s) = &self.cover_sheet {
            if !text_sheets.contains(s) {
                return Err(format!(
                    "[document] 的 cover_sheet = “{s}”不是 [[text_sheets]] 中的表"
                ));
            }
        }
        Ok(())
    }
}
