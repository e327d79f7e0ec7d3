//! The `[narrative]` part of a layout file: the 说明's sections and their
//! sentence patterns (for `narrate`), and how its figures are named in a
//! written text (for `check --narrative`).

use indexmap::IndexMap;
use serde::Deserialize;

use super::{CellRef, RowSet, Sentences};

/// The written part of a layout.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct NarrativeSpec {
    /// The document's title (`{department}{year}年部门预算`).
    #[serde(default)]
    pub title: String,
    /// What only a person can supply: `【请填写：{what}】`.
    #[serde(default)]
    pub placeholder: String,
    /// Amounts grouped in thousands (`44,972.11`) or not (`15621.11`).
    #[serde(default)]
    pub grouping: bool,
    /// Decimals every amount is printed with (`0.00万元`); none: trailing zeros dropped.
    #[serde(default)]
    pub decimals: Option<u32>,
    /// Named wordings of a change (`{x.change}`); `default` unless a figure names another.
    #[serde(default)]
    pub changes: IndexMap<String, Sentences>,
    /// The figures the sections speak of, by id.
    #[serde(default)]
    pub figures: Vec<NarrativeFigure>,
    /// The sections of the draft, in order.
    #[serde(default)]
    pub sections: Vec<Section>,
    /// Rows whose printed names are items a text may state (科目, 项目类别),
    /// in the order their figures are preferred.
    #[serde(default)]
    pub names: Vec<RowSet>,
    /// Wording of a blank template left in print (`XXX`, `增加（减少）`).
    #[serde(default)]
    pub residue: Vec<String>,
    /// Counts a text states (`6个项目绩效目标`), by the words after the number.
    #[serde(default)]
    pub counts: Vec<CountSpec>,
    /// Words that mark a prior-year figure no table holds (`执行数`): left unchecked.
    #[serde(default)]
    pub unchecked_prior: Vec<String>,
    /// Words a reason follows (`主要原因是`, `主要用于`): nothing after them is an error.
    #[serde(default)]
    pub reason_markers: Vec<String>,
    /// Words that state a reason (`主要原因`, `主要是`), as opposed to a content.
    #[serde(default)]
    pub reason_words: Vec<String>,
    /// A change of at least this many percent (or from or to zero) needs one of
    /// `reason_words` in its paragraph or the next; none: not checked.
    #[serde(default)]
    pub reason_threshold: Option<rust_decimal::Decimal>,
    /// Old names of renamed 科目 (`医疗卫生与计划生育支出` → `卫生健康支出`).
    #[serde(default)]
    pub renamed: Vec<Renamed>,
    /// Other spellings of a word in item names that a text may use and that
    /// name the same item (`其它` for `其他`, `公务车` for `公务用车`).
    #[serde(default)]
    pub variants: Vec<Variant>,
    /// Words of the other scope in this one's texts (a 单位预算 saying `部门预算`).
    #[serde(default)]
    pub wrong_scope: Vec<String>,
    /// Items a text must state once it speaks of their group (every 三公 item).
    #[serde(default)]
    pub required: Vec<Required>,
    /// Words that mark a figure of this year no table holds (a 决算's `年初预算`
    /// of a 科目): the amount after them is not tied.
    #[serde(default)]
    pub not_in_tables: Vec<String>,
    /// The chapters a document of this layout must have, in order (N-CHAP-01/02).
    #[serde(default)]
    pub chapters: Vec<Chapter>,
    /// The words under a table that say it is empty (`本表为空表`, `本表无数据`).
    #[serde(default)]
    pub empty_statements: Vec<String>,
    /// A change of more than this many percent (or from zero) that the text
    /// does not explain is a warning (N-SWING-01); 50 when not given.
    #[serde(default)]
    pub swing_threshold: Option<rust_decimal::Decimal>,
}

/// A chapter of the written part.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Chapter {
    /// Its heading (`{department}主要职能`, `第三部分 部门预算支出具体情况`);
    /// found in a text without its number, `{department}` written or not.
    pub heading: String,
    /// The workbook's text sheet that holds the chapter, if it has one.
    #[serde(default)]
    pub sheet: Option<String>,
    /// Its parts, each a heading that must be there with content.
    #[serde(default)]
    pub parts: Vec<String>,
}

/// Items a text states together: once a text speaks of `when`, each figure.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Required {
    /// The word that opens the group (`三公`).
    pub when: String,
    /// The figures (ids) each to be named.
    pub figures: Vec<String>,
}

/// A 科目 renamed: a text still using the old name is wrong.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Renamed {
    /// The wording written.
    pub old: String,
    /// The wording it becomes.
    pub new: String,
    /// Since when (`2018年`), for the message.
    #[serde(default)]
    pub since: String,
}

/// Another spelling of a word of the tables' item names.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    /// The word as a text may write it (`其它`).
    pub written: String,
    /// The word in the tables' names (`其他`).
    pub means: String,
}

/// A count a text states.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CountSpec {
    /// The rows of this figure (an `each_row` figure), or `units` (the 预算单位).
    pub of: String,
    /// As shown in a finding (`项目个数`).
    pub label: String,
    /// The words right after the number (`个项目`, `家基层单位`).
    pub after: Vec<String>,
}

/// One figure of the 说明.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct NarrativeFigure {
    /// The figure's id, as sentence patterns name it.
    pub id: String,
    /// The cells summed (as the headlines sum them).
    #[serde(default)]
    pub cells: Vec<CellRef>,
    /// Or one figure per row of these rows (`{each}` paragraphs).
    #[serde(default)]
    pub each_row: Option<RowSet>,
    /// How a text names it (`部门预算收入`, `收入预算`); a row is named by its name.
    #[serde(default)]
    pub names: Vec<String>,
    /// The `[narrative.changes]` wording of its change.
    #[serde(default)]
    pub change: Option<String>,
    /// Decimals it is printed with (`0.00万元`), over the layout's `decimals`.
    #[serde(default)]
    pub decimals: Option<u32>,
    /// A total whose change the text explains item by item (三公): it needs
    /// no reason of its own.
    #[serde(default)]
    pub explained_by_parts: bool,
}

/// One section (`第二部分 部门预算收支总体情况`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// The section's title as printed.
    pub title: String,
    #[serde(default)]
    /// Its paragraphs, in order.
    pub paragraphs: Vec<Paragraph>,
}

/// A paragraph's pattern: plain text, or with options.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Paragraph {
    /// A sentence pattern alone.
    Plain(String),
    /// A pattern with its conditions and row set.
    Full(ParagraphSpec),
}

/// A paragraph's pattern with its options.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ParagraphSpec {
    /// The sentence pattern.
    pub text: String,
    /// Repeated for each row of this figure (`{item}`, `{item.name}`, `{n}`).
    #[serde(default)]
    pub each: Option<String>,
    /// Appended to an `each` paragraph whose row changed by more than the
    /// layout's `swing_threshold` (or from zero): where the draft asks for the
    /// reason of a large change, and only there (N-SWING-01 asks for it).
    #[serde(default)]
    pub swing: Option<String>,
    /// Written only when the prior year is given.
    #[serde(default)]
    pub prior_only: bool,
    /// A sub-heading, not a paragraph.
    #[serde(default)]
    pub heading: bool,
}

impl Paragraph {
    /// The paragraph as one form, whichever way it was written.
    pub fn spec(&self) -> ParagraphSpec {
        match self {
            Paragraph::Plain(text) => ParagraphSpec {
                text: text.clone(),
                each: None,
                swing: None,
                prior_only: false,
                heading: false,
            },
            Paragraph::Full(p) => p.clone(),
        }
    }
}

impl NarrativeSpec {
    /// A narrative figure by id.
    pub fn figure(&self, id: &str) -> Option<&NarrativeFigure> {
        self.figures.iter().find(|f| f.id == id)
    }

    /// The wording of a figure's change.
    pub fn change_of(&self, f: &NarrativeFigure) -> Option<&Sentences> {
        self.changes.get(f.change.as_deref().unwrap_or("default"))
    }

    /// Every figure a pattern names exists, each figure's wording is declared,
    /// and a pattern's braces close: a layout error is found when the layout is
    /// loaded, not in a clerk's draft.
    pub fn check(&self) -> Result<(), String> {
        if self.sections.is_empty() {
            return Ok(());
        }
        if self.placeholder.is_empty() {
            return Err("[narrative] 应给出 placeholder（如“【请填写：{what}】”）".into());
        }
        for f in &self.figures {
            if self.change_of(f).is_none() {
                return Err(format!(
                    "说明数字 {}：[narrative.changes] 中没有句式 {}",
                    f.id,
                    f.change.as_deref().unwrap_or("default")
                ));
            }
            if f.cells.is_empty() == f.each_row.is_none() {
                return Err(format!("说明数字 {}：应给出 cells 或 each_row 之一", f.id));
            }
        }
        for q in &self.required {
            for f in &q.figures {
                if self.figure(f).is_none_or(|x| x.names.is_empty()) {
                    return Err(format!(
                        "required（{}）：{f} 应是有 names 的说明数字",
                        q.when
                    ));
                }
            }
        }
        for c in &self.counts {
            let known = c.of == "units" || self.figure(&c.of).is_some_and(|f| f.each_row.is_some());
            if !known {
                return Err(format!(
                    "个数“{}”：of = {} 应是 units 或有 each_row 的说明数字",
                    c.label, c.of
                ));
            }
        }
        for s in &self.sections {
            for p in &s.paragraphs {
                let p = p.spec();
                if let Some(e) = &p.each {
                    if self.figure(e).and_then(|f| f.each_row.as_ref()).is_none() {
                        return Err(format!(
                            "“{}”：each = {e} 应是有 each_row 的说明数字",
                            s.title
                        ));
                    }
                }
                let tokens = super::template::parse(&p.text)
                    .map_err(|m| format!("“{}”的段落“{}”：{m}", s.title, p.text))?;
                for name in super::template::names(&tokens) {
                    let known = super::template::BUILTINS.contains(&name.as_str())
                        || (name == "item" && p.each.is_some())
                        || self.figure(&name).is_some();
                    if !known {
                        return Err(format!("“{}”：没有说明数字 {name}", s.title));
                    }
                }
            }
        }
        Ok(())
    }

    /// The cells the figures read, for the layout's cell check.
    pub fn cells(&self) -> impl Iterator<Item = (&str, &CellRef)> {
        self.figures
            .iter()
            .flat_map(|f| f.cells.iter().map(move |c| (f.id.as_str(), c)))
    }

    /// The row sets the figures and names read.
    pub fn row_sets(&self) -> impl Iterator<Item = &RowSet> {
        self.figures
            .iter()
            .filter_map(|f| f.each_row.as_ref())
            .chain(&self.names)
    }
}
