//! Table layouts as data: one TOML file per table under `templates/`.
//!
//! A spec gives the title, the table number, the header tree (as each leaf
//! column's path from the top header row down), the row-key kind and the
//! footnotes. The same spec drives the blank template, the reader and the
//! writer; a region's or year's layout is added by adding specs, not code.

use std::path::Path;

use serde::Deserialize;

use crate::layout::LayoutInfo;
mod check;
pub mod shape;
pub mod sources;

pub use sources::Origin;

pub use shape::{GridSpec, Shape, TwoSidedSpec};

pub use crate::layout::Relation;
use crate::text;

/// What went wrong loading the specs.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("无法读取表格规格 {path}：{source}")]
    /// A spec file could not be read.
    Io {
        /// The file.
        path: String,
        /// The system's error.
        source: std::io::Error,
    },
    #[error("表格规格 {path} 格式错误：{message}")]
    /// A spec file is not valid TOML for its fields.
    Parse {
        /// The file.
        path: String,
        /// What the parser says.
        message: String,
    },
    #[error("表格规格 {path} 无效：{message}")]
    /// A spec is well-formed but contradicts itself or its layout.
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    #[error("目录 {0} 中没有表格规格（*.toml）")]
    /// The folder holds no table spec.
    Empty(String),
    #[error("目录 {0} 中没有版式文件 layout.toml；每个版式目录应有一个 layout.toml 和各表的规格")]
    /// The folder has no `layout.toml`.
    NoLayoutFile(String),
    #[error("没有名为“{0}”的版式；可用 budget-tables layouts 列出已载入的版式")]
    /// No loaded layout has this id.
    UnknownLayout(String),
    #[error("目录 {0} 既不是版式目录（没有 layout.toml），也没有含 layout.toml 的子目录；请指向一个版式目录，或放着若干版式目录的目录（见 docs/layouts.md）")]
    /// A folder given for layouts holds none.
    NoLayouts(String),
    #[error("版式 id“{id}”重复：{first} 与 {second} 都有；请改其中一个的 layout.toml 中的 id")]
    /// Two places give the same layout id.
    Clash {
        /// The id.
        id: String,
        /// Where it was first loaded from.
        first: String,
        /// Where it was given again.
        second: String,
    },
}

/// How a table is laid out and keyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    /// Income | expenditure side by side (tables 1 and 6).
    TwoSided,
    /// Rows of amounts under a header tree, grouped by 预算单位.
    Grid,
    /// A form (table 12).
    Form,
}

/// The unit a table's amounts are in, as its meta line prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
pub enum Unit {
    #[default]
    #[serde(rename = "万元")]
    /// 万元.
    Wan,
    #[serde(rename = "元")]
    /// 元.
    Yuan,
}

impl Unit {
    /// The unit as printed (`万元`, `元`).
    pub fn label(self) -> &'static str {
        match self {
            Unit::Wan => "万元",
            Unit::Yuan => "元",
        }
    }

    /// How many 元 one unit is.
    pub fn yuan(self) -> i64 {
        match self {
            Unit::Wan => 10_000,
            Unit::Yuan => 1,
        }
    }
}

/// What identifies a row of a grid table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RowKey {
    /// 科目编码 (with the 预算单位 column starting each unit's block).
    #[default]
    Code,
    /// The item name (支出项目类别); a unit's block starts at its total row.
    Name,
    /// One row per 预算单位 (表2).
    Unit,
    /// Fixed rows per unit, matched by label (表9's years).
    Fixed,
    /// One row of figures right below the header, no label column (a
    /// 三公 table of one line): read as the department's total row.
    Single,
}

/// The role of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    #[default]
    /// An amount column (the default).
    Amount,
    /// 预算单位.
    Unit,
    /// 科目编码, kept as text.
    Code,
    /// One part of a code printed in several cells (类 | 款 | 项), in order;
    /// the parts after the first are two digits (`2` typed for `02` is read as `02`).
    CodePart,
    /// 科目名称 / 支出项目类别 / 年度: the row label.
    Name,
    /// A free label column (the 项目 columns of two-sided tables).
    Label,
    /// A rate in percent (增减%, 完成率): read and printed as a number,
    /// never summed; what it must equal is declared in the table's `rates`.
    Rate,
    /// 行次: each printed row's number (1, 2, 3 …), written by the tool and
    /// not read; in a two-sided table it follows its side's label column.
    LineNo,
}

impl ColumnKind {
    /// Whether the column holds figures (an amount or a rate).
    pub fn holds_figures(self) -> bool {
        matches!(self, ColumnKind::Amount | ColumnKind::Rate)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
/// One leaf column of a table's header tree.
pub struct Column {
    /// Stable id, the key of the amount in the model.
    pub id: String,
    #[serde(default)]
    /// What the column holds.
    pub kind: ColumnKind,
    /// Header labels from the top header row down to this leaf; may hold `{year}`.
    pub path: Vec<String>,
    /// Width in character units; computed from the labels when absent.
    pub width: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
/// A fixed line (two-sided tables) or fixed row (grids): id and printed label.
pub struct Line {
    /// Stable id, the key of its amounts in the model.
    pub id: String,
    /// The label as printed.
    pub label: String,
    /// Other wordings of the label seen in real workbooks (`一般公共预算资金`).
    #[serde(default)]
    pub aliases: Vec<String>,
}

impl Line {
    /// The label and its aliases.
    pub fn labels(&self) -> impl Iterator<Item = &String> {
        std::iter::once(&self.label).chain(&self.aliases)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
/// One row under a two-sided table's lines: a left line, a right line, or both.
pub struct FooterRow {
    /// The income side's line (本年收入合计).
    pub left: Option<Line>,
    /// The expenditure side's line (本年支出合计).
    pub right: Option<Line>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
/// The labels and amounts of a form (整体支出绩效目标表).
pub struct FormSpec {
    /// The line that states the year.
    pub year_line: String,
    /// The 单位名称 label.
    pub unit_label: String,
    /// The 主管部门 label.
    pub supervisor_label: String,
    /// The label of the tasks block.
    pub tasks_label: String,
    /// The task name column's label.
    pub task_name_label: String,
    /// The task content column's label.
    pub task_content_label: String,
    /// The label over the amount columns.
    pub amount_group_label: String,
    /// The amount columns, in order.
    pub amounts: Vec<Line>,
    /// The label of the tasks' total row.
    pub sum_label: String,
    /// The label of the 年度总体目标 row.
    pub goal_label: String,
    /// The label of the indicators block.
    pub indicators_label: String,
    /// The four indicator column labels (一级、二级、三级指标、目标值).
    pub indicator_labels: Vec<String>,
    #[serde(default = "default_indicator_rows")]
    /// Blank indicator rows in the fill-in template.
    pub indicator_rows: u32,
    /// Column widths of the printed form, in character units.
    #[serde(default)]
    pub widths: Vec<f64>,
}

fn default_indicator_rows() -> u32 {
    30
}

/// `total (=|≥) Σ parts`, by column id (grid, form) or line id (two-sided).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SumRule {
    /// Stable rule id (`T3-ROW-01`).
    pub id: String,
    /// The total, by column or line id (`line:column` on a two-sided table).
    pub total: String,
    /// The parts summed.
    pub parts: Vec<String>,
    #[serde(default)]
    /// How the total relates to the parts' sum (`=`, `≥`).
    pub relation: Relation,
}

/// `rate = of ÷ base × 100`, on every row of a grid (增减% = 增减额 ÷ 上年数;
/// 完成率 = 决算数 ÷ 预算数); blank where the base is zero or blank.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateRule {
    /// Stable rule id (`T2-RATE-01`).
    pub id: String,
    /// The rate column (`kind = "rate"`).
    pub rate: String,
    /// The amount column divided.
    pub of: String,
    /// The amount column divided by.
    pub base: String,
    /// Decimals the rate is printed with.
    #[serde(default = "two")]
    pub decimals: u32,
}

fn two() -> u32 {
    2
}

/// Which classification a table's codes belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    /// 支出功能分类: 类 3 digits, 款 5, 项 7.
    Function,
    /// 部门预算支出经济分类: 类 3 digits, 款 5.
    Economic,
}

impl Classification {
    /// The code lengths of 类, 款 (and 项).
    pub fn code_lengths(self) -> &'static [usize] {
        match self {
            Classification::Function => &[3, 5, 7],
            Classification::Economic => &[3, 5],
        }
    }
}

/// A code and its name.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeName {
    /// The code.
    pub code: String,
    /// Its name.
    pub name: String,
}

/// Which rows a side-by-side table prints in its left half.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Halves {
    /// Code prefixes of the left half's rows (the rest go right).
    pub left: Vec<String>,
}

/// `result = minuend − subtrahend`, between fixed rows, in every column.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Difference {
    /// The row holding the difference.
    pub result: String,
    /// The row subtracted from.
    pub minuend: String,
    /// The row subtracted.
    pub subtrahend: String,
}

/// One table's layout: what every shape has, and its [`Shape`] with what
/// only that shape has. Read from the flat TOML of a table file through
/// [`shape::RawTableSpec`], which refuses a field of another shape.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "shape::RawTableSpec")]
pub struct TableSpec {
    /// Stable table id (`t03`), the key of the table in the model.
    pub id: String,
    /// The table's number in its set (`表3`).
    pub number: u32,
    /// The table's name (`支出总表`).
    pub title: String,
    /// The title as printed when it differs (`{department}整体支出绩效目标表`).
    pub printed_title: Option<String>,
    /// The sheet's name when it is not `表N 标题`.
    pub sheet_name: Option<String>,
    /// The unit the table's amounts are in (and printed in).
    pub unit: Unit,
    /// What keys the table's rows in the model.
    pub row_key: RowKey,
    /// The label before the department name (`部门名称`, `编制部门`).
    pub name_label: String,
    /// What follows the label on the meta line (`:` or the full-width `：`).
    pub colon: String,
    /// Whether the sheet starts with its `表N` mark above the title.
    pub mark: bool,
    /// Notes printed under the table.
    pub footnotes: Vec<String>,
    /// Printed instead of figures when the table has none (`注:本表本年无发生额。`).
    pub empty_note: Option<String>,
    /// The label of a 栏次 row printed under the header, numbering the
    /// figure columns 1, 2, 3 … (`栏次`); none: no such row.
    pub column_numbers: Option<String>,
    /// Blank input rows in the fill-in template.
    pub template_rows: u32,
    /// The leaf columns, each with its header path.
    pub columns: Vec<Column>,
    /// Identities between the amounts of one row (grid, form) or between the
    /// fixed lines (two-sided): declared here, checked by the validator.
    pub sums: Vec<SumRule>,
    /// Other printings of a header label seen in published documents
    /// (`{year}年“三公”经费预算数` for `“三公”经费预算数`): label → its
    /// other wordings, each may hold `{year}`. The label is what is written.
    pub header_aliases: indexmap::IndexMap<String, Vec<String>>,
    /// How the table is laid out, with the fields only that layout has.
    pub shape: Shape,
}

impl TableSpec {
    /// A column's (or line's, or form amount's) heading as printed
    /// (`2024年政府采购项目/小计`); the id itself when it names none.
    pub fn column_title(&self, id: &str, year: i32) -> String {
        text::fill(&self.column_title_raw(id), year, "")
    }

    /// [`TableSpec::column_title`] with its year placeholders unfilled.
    pub fn column_title_raw(&self, id: &str) -> String {
        self.columns
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.path.join("/"))
            .or_else(|| {
                self.fixed_lines()
                    .chain(self.fixed_rows())
                    .find(|l| l.id == id)
                    .map(|l| l.label.clone())
            })
            .or_else(|| {
                self.form().and_then(|f| {
                    f.amounts
                        .iter()
                        .find(|a| a.id == id)
                        .map(|a| a.label.clone())
                })
            })
            .unwrap_or_else(|| id.to_string())
    }

    /// `表3 支出总表`: the sheet name and the table's name in messages.
    pub fn sheet_name(&self) -> String {
        self.sheet_name
            .clone()
            .unwrap_or_else(|| format!("表{} {}", self.number, self.title))
    }

    /// The title pattern as printed (may hold `{department}`).
    pub fn printed_title(&self) -> &str {
        self.printed_title.as_deref().unwrap_or(&self.title)
    }

    /// The title to print: the printed form filled in, or the plain title when
    /// it needs a department that is not known yet (blank template).
    pub fn title_for(&self, year: i32, department: &str) -> String {
        match &self.printed_title {
            Some(p) if !department.is_empty() || !p.contains("{department}") => {
                text::fill(p, year, department)
            }
            _ => text::fill(&self.title, year, department),
        }
    }

    /// The columns as printed: twice over for a side-by-side table.
    pub fn printed_columns(&self) -> Vec<Column> {
        let mut out = self.columns.clone();
        if self.halves().is_some() {
            out.extend(self.columns.iter().map(|c| Column {
                id: format!("{}~2", c.id),
                ..c.clone()
            }));
        }
        out
    }

    /// Header depth: the longest column path.
    pub fn depth(&self) -> usize {
        self.columns.iter().map(|c| c.path.len()).max().unwrap_or(0)
    }

    /// The amount columns, in order.
    pub fn amount_columns(&self) -> impl Iterator<Item = &Column> {
        self.columns.iter().filter(|c| c.kind == ColumnKind::Amount)
    }

    /// The first printed row's number row (栏次): its label when the table
    /// prints one under the header (`栏次`), numbering its figure columns.
    pub fn column_numbers(&self) -> Option<&str> {
        self.column_numbers.as_deref()
    }

    /// The columns holding figures: amounts and rates, in order.
    pub fn value_columns(&self) -> impl Iterator<Item = &Column> {
        self.columns.iter().filter(|c| c.kind.holds_figures())
    }

    /// How many label cells (code, name …) come before the first figure or
    /// 行次 column: a row's printed label is merged over them.
    pub fn leading_labels(&self) -> usize {
        self.columns
            .iter()
            .take_while(|c| !c.kind.holds_figures() && c.kind != ColumnKind::LineNo)
            .count()
    }

    /// The first column of a kind.
    pub fn column(&self, kind: ColumnKind) -> Option<&Column> {
        self.columns.iter().find(|c| c.kind == kind)
    }

    /// The columns with the code printed the other way: one column where the
    /// spec splits it into parts (its parts' common heading, the first
    /// part's id), or 类 | 款 (| 项) parts where the spec prints it whole.
    /// `None` for a table without a code.
    pub fn code_alternative(&self) -> Option<Vec<Column>> {
        let codes = self.code_columns();
        let first = codes.first()?;
        let at = self.columns.iter().position(|c| c.id == first.id)?;
        let mut out: Vec<Column> = self.columns[..at].to_vec();
        if first.kind == ColumnKind::CodePart {
            let parent = first.path[..first.path.len().saturating_sub(1)].to_vec();
            out.push(Column {
                id: first.id.clone(),
                kind: ColumnKind::Code,
                path: if parent.is_empty() {
                    first.path.clone()
                } else {
                    parent
                },
                width: None,
            });
        } else {
            let levels: &[&str] = match self.classification() {
                Some(Classification::Economic) => &["类", "款"],
                _ => &["类", "款", "项"],
            };
            for (i, l) in levels.iter().enumerate() {
                let mut path = first.path.clone();
                path.push((*l).to_string());
                out.push(Column {
                    id: if i == 0 {
                        first.id.clone()
                    } else {
                        format!("{}-{l}", first.id)
                    },
                    kind: ColumnKind::CodePart,
                    path,
                    width: None,
                });
            }
        }
        out.extend(self.columns[at + codes.len()..].iter().cloned());
        Some(out)
    }

    /// The columns that print a code: the one code column, or its parts in order.
    pub fn code_columns(&self) -> Vec<&Column> {
        self.columns
            .iter()
            .filter(|c| matches!(c.kind, ColumnKind::Code | ColumnKind::CodePart))
            .collect()
    }

    /// A two-sided table's sides: each its label column and its amount
    /// columns, in order (a side starts at a label column).
    pub fn sides(&self) -> [(Option<&Column>, Vec<&Column>); 2] {
        let mut sides: [(Option<&Column>, Vec<&Column>); 2] =
            [(None, Vec::new()), (None, Vec::new())];
        let mut side = None;
        for c in &self.columns {
            match c.kind {
                ColumnKind::Label => {
                    side = Some(if side.is_none() { 0 } else { 1 });
                    sides[side.unwrap_or(0)].0 = Some(c);
                }
                ColumnKind::Amount => {
                    if let Some(i) = side {
                        sides[i].1.push(c);
                    }
                }
                _ => {}
            }
        }
        sides
    }

    /// Whether each side of a two-sided table prints a 行次 column after its
    /// label column.
    pub fn line_no_sides(&self) -> [bool; 2] {
        let mut out = [false, false];
        let mut side = None;
        for (i, c) in self.columns.iter().enumerate() {
            match c.kind {
                ColumnKind::Label => side = Some(if side.is_none() { 0 } else { 1 }),
                ColumnKind::LineNo if i > 0 && self.columns[i - 1].kind == ColumnKind::Label => {
                    out[side.unwrap_or(0)] = true;
                }
                _ => {}
            }
        }
        out
    }

    /// The amount columns of the side a fixed line stands on.
    pub fn line_columns(&self, line: &str) -> Vec<&Column> {
        let [left, right] = self.sides();
        if self.left_lines().any(|l| l.id == line) {
            left.1
        } else {
            right.1
        }
    }

    fn validate(&self, path: &str) -> Result<(), SpecError> {
        let invalid = |message: String| SpecError::Invalid {
            path: path.to_string(),
            message,
        };
        let mut ids = std::collections::HashSet::new();
        for (i, c) in self.columns.iter().enumerate() {
            let after_label = i > 0 && self.columns[i - 1].kind == ColumnKind::Label;
            if c.kind == ColumnKind::Rate && self.kind() != TableKind::Grid {
                return Err(invalid(format!(
                    "百分比列 {}（kind = \"rate\"）只能用于格表（kind = \"grid\"）",
                    c.id
                )));
            }
            if c.kind == ColumnKind::LineNo && self.kind() == TableKind::TwoSided && !after_label {
                return Err(invalid(format!(
                    "两栏表的行次列 {} 应紧跟在该栏的项目列（kind = \"label\"）之后",
                    c.id
                )));
            }
            if c.path.is_empty() {
                return Err(invalid(format!("列 {} 没有表头路径", c.id)));
            }
            if !ids.insert(c.id.as_str()) {
                return Err(invalid(format!("列 id {} 重复", c.id)));
            }
        }
        let ids: Vec<&str> = match &self.shape {
            Shape::TwoSided(t) => t.fixed_lines().map(|l| l.id.as_str()).collect(),
            Shape::Grid(_) => self.amount_columns().map(|c| c.id.as_str()).collect(),
            Shape::Form(f) => f.amounts.iter().map(|a| a.id.as_str()).collect(),
        };
        let columns: Vec<&str> = self.columns.iter().map(|c| c.id.as_str()).collect();
        for rule in &self.sums {
            for id in std::iter::once(&rule.total).chain(&rule.parts) {
                // A two-sided term may name its column: `line:column`.
                let (id, col) = match id.split_once(':') {
                    Some((l, c)) if self.kind() == TableKind::TwoSided => (l, Some(c)),
                    _ => (id.as_str(), None),
                };
                if col.is_some_and(|c| !columns.contains(&c)) || !ids.contains(&id) {
                    return Err(invalid(format!(
                        "规则 {} 引用了不存在的列或行 {}{}",
                        rule.id,
                        id,
                        col.map(|c| format!(":{c}")).unwrap_or_default()
                    )));
                }
            }
        }
        match &self.shape {
            Shape::Form(f) => {
                if f.amounts.is_empty() || f.indicator_labels.len() != 4 {
                    return Err(invalid(
                        "表单应有金额列（amounts）和四个指标栏目（一级、二级、三级指标、目标值）"
                            .into(),
                    ));
                }
            }
            Shape::TwoSided(_) => {
                let labels = self
                    .columns
                    .iter()
                    .filter(|c| c.kind == ColumnKind::Label)
                    .count();
                let [left, right] = self.sides();
                if labels != 2
                    || left.1.is_empty()
                    || right.1.is_empty()
                    || self.columns.first().map(|c| c.kind) != Some(ColumnKind::Label)
                {
                    return Err(invalid(
                        "两栏式表格应依次有：收入项目列、收入金额列（一列或多列）、支出项目列、支出金额列（一列或多列）"
                            .into(),
                    ));
                }
                let mut line_ids = std::collections::HashSet::new();
                for l in self.fixed_lines() {
                    if !line_ids.insert(l.id.as_str()) {
                        return Err(invalid(format!("行 id {} 重复", l.id)));
                    }
                }
            }
            Shape::Grid(g) => {
                if self.amount_columns().next().is_none() {
                    return Err(invalid("没有金额列".into()));
                }
                for r in &g.rates {
                    let kind = |id: &str| self.columns.iter().find(|c| c.id == id).map(|c| c.kind);
                    if kind(&r.rate) != Some(ColumnKind::Rate) {
                        return Err(invalid(format!(
                            "rates 规则 {} 的 rate = \"{}\" 应是 kind = \"rate\" 的列",
                            r.id, r.rate
                        )));
                    }
                    for id in [&r.of, &r.base] {
                        if kind(id) != Some(ColumnKind::Amount) {
                            return Err(invalid(format!("rates 规则 {} 的 {id} 应是金额列", r.id)));
                        }
                    }
                }
                let code = if self.column(ColumnKind::CodePart).is_some() {
                    ColumnKind::CodePart
                } else {
                    ColumnKind::Code
                };
                let needs = match self.row_key {
                    // One block for the department: its total row by label, or fixed rows.
                    RowKey::Code if g.total_label.is_some() || !g.fixed_rows.is_empty() => {
                        vec![code, ColumnKind::Name]
                    }
                    RowKey::Code => vec![ColumnKind::Unit, code, ColumnKind::Name],
                    RowKey::Name => vec![ColumnKind::Name],
                    RowKey::Unit => vec![ColumnKind::Unit],
                    RowKey::Fixed => vec![ColumnKind::Unit, ColumnKind::Name],
                    RowKey::Single => vec![],
                };
                for k in needs {
                    if self.column(k).is_none() {
                        return Err(invalid(format!(
                            "按 {:?} 取行键的表缺少 {:?} 列",
                            self.row_key, k
                        )));
                    }
                }
                if self.row_key == RowKey::Fixed && g.fixed_rows.is_empty() {
                    return Err(invalid("固定行表格缺少 fixed_rows".into()));
                }
            }
        }
        Ok(())
    }
}

/// One layout: its declarations ([`LayoutInfo`], from `layout.toml`) and
/// its table specs, in table order.
#[derive(Debug, Clone)]
pub struct SpecSet {
    /// The layout file's declarations.
    pub layout: LayoutInfo,
    /// The table specs, in table order.
    pub tables: Vec<TableSpec>,
    /// Where it was loaded from.
    pub origin: Origin,
    /// The layout's own classification codes (its `catalogue` file).
    pub catalogue: Option<std::sync::Arc<crate::catalogue::Catalogue>>,
}

/// The `*.toml` files of `dir` with their text, in name order.
fn toml_files(dir: &Path) -> Result<Vec<(std::path::PathBuf, String)>, SpecError> {
    let io = |path: &Path, source| SpecError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
        let p = entry.map_err(|e| io(dir, e))?.path();
        if p.extension().is_some_and(|e| e == "toml") {
            let s = std::fs::read_to_string(&p).map_err(|e| io(&p, e))?;
            files.push((p, s));
        }
    }
    files.sort();
    Ok(files)
}

/// A TOML error in the words of the output: where (line and column) and
/// what, the parser's common complaints in Chinese.
fn toml_message(src: &str, e: &toml::de::Error) -> String {
    let place = e.span().map(|span| {
        let before = &src[..span.start.min(src.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        format!("第 {line} 行第 {col} 列：")
    });
    let m = e.message().trim();
    let said = [
        ("unknown field ", "未知字段 "),
        ("unknown variant ", "未知取值 "),
        ("missing field ", "缺少字段 "),
        ("invalid type: ", "类型不对："),
        ("duplicate key ", "重复的键 "),
    ]
    .iter()
    .find_map(|(en, zh)| m.strip_prefix(en).map(|rest| format!("{zh}{rest}")))
    .unwrap_or_else(|| m.to_string())
    .replace(", expected one of ", "；可用的有：")
    .replace(", expected ", "；应为 ");
    format!("{}{said}", place.unwrap_or_default())
}

/// The name of a layout folder's own file.
pub const LAYOUT_FILE: &str = "layout.toml";

/// The built-in layouts: each folder of `templates/` as (file name, JSON) pairs (see `build.rs`).
#[allow(clippy::type_complexity)]
const BUILTIN: &[(&str, &[(&str, &str)])] = include!(concat!(env!("OUT_DIR"), "/builtin_specs.rs"));

/// The layout used when none is named.
pub const DEFAULT_LAYOUT: &str = "shenzhen-budget";

impl SpecSet {
    /// The default built-in layout (Shenzhen's twelve tables).
    ///
    /// # Errors
    /// [`SpecError`] if a compiled-in spec is invalid (a build defect).
    pub fn builtin() -> Result<SpecSet, SpecError> {
        Self::builtin_layout(DEFAULT_LAYOUT)
    }

    /// A built-in layout by id.
    ///
    /// # Errors
    /// [`SpecError::UnknownLayout`] for an id no built-in layout has.
    pub fn builtin_layout(id: &str) -> Result<SpecSet, SpecError> {
        let (folder, files) = BUILTIN
            .iter()
            .find(|(folder, _)| *folder == id)
            .ok_or_else(|| SpecError::UnknownLayout(id.to_string()))?;
        Self::from_json_files(folder, files)
    }

    /// Every built-in layout, in folder order.
    ///
    /// # Errors
    /// [`SpecError`] if a compiled-in spec is invalid (a build defect).
    pub fn builtin_all() -> Result<Vec<SpecSet>, SpecError> {
        BUILTIN
            .iter()
            .map(|(folder, files)| Self::from_json_files(folder, files))
            .collect()
    }

    fn from_json_files(folder: &str, files: &[(&str, &str)]) -> Result<SpecSet, SpecError> {
        let parse_err = |name: &str, e: serde_json::Error| SpecError::Parse {
            path: format!("templates/{folder}/{name}"),
            message: e.to_string(),
        };
        let (_, layout_src) = files
            .iter()
            .find(|(name, _)| *name == LAYOUT_FILE)
            .ok_or_else(|| SpecError::NoLayoutFile(format!("templates/{folder}")))?;
        let layout = serde_json::from_str(layout_src).map_err(|e| parse_err(LAYOUT_FILE, e));
        let tables = files
            .iter()
            .filter(|(name, _)| *name != LAYOUT_FILE)
            .map(|(name, src)| {
                let spec = serde_json::from_str(src).map_err(|e| parse_err(name, e));
                (format!("templates/{folder}/{name}"), spec)
            });
        let place = format!("templates/{folder}");
        let layout_file = format!("{place}/{LAYOUT_FILE}");
        Self::assemble(layout, tables, &place, layout_file, Origin::Builtin)
            .map_err(|mut all| all.swap_remove(0))
    }

    /// Loads a layout folder: its `layout.toml` and every other `*.toml` in it.
    ///
    /// # Errors
    /// [`SpecError`] when the folder cannot be read, has no layout file, or a
    /// spec is invalid: the first of [`SpecSet::check_dir`]'s problems.
    pub fn from_dir(dir: &Path) -> Result<SpecSet, SpecError> {
        Self::check_dir(dir).map_err(|mut all| all.swap_remove(0))
    }

    /// Loads a layout folder as [`SpecSet::from_dir`] does, collecting every
    /// problem instead of stopping at the first: each file that does not
    /// parse or contradicts itself, then (when every file is sound) each
    /// declaration of `layout.toml` that names a table, line or column the
    /// tables lack.
    ///
    /// # Errors
    /// Every problem found, at least one.
    pub fn check_dir(dir: &Path) -> Result<SpecSet, Vec<SpecError>> {
        let files = toml_files(dir).map_err(|e| vec![e])?;
        let layout_path = dir.join(LAYOUT_FILE);
        let Some((_, layout_src)) = files.iter().find(|(p, _)| *p == layout_path) else {
            return Err(vec![if files.is_empty() {
                SpecError::Empty(dir.display().to_string())
            } else {
                SpecError::NoLayoutFile(dir.display().to_string())
            }]);
        };
        let layout = toml::from_str(layout_src).map_err(|e| SpecError::Parse {
            path: layout_path.display().to_string(),
            message: toml_message(layout_src, &e),
        });
        let tables = files
            .iter()
            .filter(|(p, _)| *p != layout_path)
            .map(|(p, src)| {
                let spec = toml::from_str(src).map_err(|e| SpecError::Parse {
                    path: p.display().to_string(),
                    message: toml_message(src, &e),
                });
                (p.display().to_string(), spec)
            });
        Self::assemble(
            layout,
            tables,
            &dir.display().to_string(),
            layout_path.display().to_string(),
            Origin::Templates(dir.to_path_buf()),
        )
    }

    /// A layout from its parsed files, every problem collected: each file
    /// that does not parse or contradicts itself, then (when every file is
    /// sound) its own catalogue file and each declaration of `layout.toml`
    /// that names a table, line or column the tables lack. Built-in and
    /// folder layouts both come through here.
    fn assemble(
        layout: Result<LayoutInfo, SpecError>,
        files: impl Iterator<Item = (String, Result<TableSpec, SpecError>)>,
        place: &str,
        layout_file: String,
        origin: Origin,
    ) -> Result<SpecSet, Vec<SpecError>> {
        let mut problems = Vec::new();
        let layout = layout.map_err(|e| problems.push(e)).ok();
        let mut tables: Vec<TableSpec> = Vec::new();
        for (path, spec) in files {
            match spec.and_then(|spec| spec.validate(&path).map(|()| spec)) {
                Err(e) => problems.push(e),
                Ok(spec)
                    if tables
                        .iter()
                        .any(|t| t.id == spec.id || t.number == spec.number) =>
                {
                    problems.push(SpecError::Invalid {
                        path,
                        message: format!("表 id {} 或编号 {} 重复", spec.id, spec.number),
                    });
                }
                Ok(spec) => tables.push(spec),
            }
        }
        if tables.is_empty() && problems.is_empty() {
            problems.push(SpecError::Empty(place.to_string()));
        }
        let (Some(layout), true) = (layout, problems.is_empty()) else {
            return Err(problems);
        };
        tables.sort_by_key(|t| t.number);
        let invalid = |message: String| SpecError::Invalid {
            path: layout_file.clone(),
            message,
        };
        let catalogue = match (&layout.catalogue, &origin) {
            (None, _) => None,
            (Some(file), Origin::Builtin) => {
                return Err(vec![invalid(format!(
                "内置版式不能有自己的科目目录 {file}；请把其中的编码并入 templates/catalogue.csv"
            ))])
            }
            (Some(file), Origin::Templates(dir) | Origin::Env(dir) | Origin::User(dir)) => {
                match crate::catalogue::Catalogue::from_path(&dir.join(file)) {
                    Ok(c) => Some(std::sync::Arc::new(c)),
                    Err(e) => {
                        return Err(vec![invalid(format!(
                            "科目目录 catalogue = \"{file}\"：{e}"
                        ))])
                    }
                }
            }
        };
        let set = SpecSet {
            layout,
            tables,
            origin,
            catalogue,
        };
        let problems: Vec<SpecError> = set.layout_problems().into_iter().map(invalid).collect();
        if problems.is_empty() {
            Ok(set)
        } else {
            Err(problems)
        }
    }

    /// A table spec by id.
    pub fn get(&self, id: &str) -> Option<&TableSpec> {
        self.tables.iter().find(|t| t.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiled_layouts_are_the_templates_folders() {
        let built = SpecSet::builtin_all().unwrap();
        assert!(!built.is_empty());
        for b in built {
            let mut read = SpecSet::from_dir(&Path::new("templates").join(&b.layout.id)).unwrap();
            read.origin = Origin::Builtin;
            assert_eq!(format!("{b:?}"), format!("{read:?}"), "{}", b.layout.id);
        }
    }

    #[test]
    fn builtin_has_the_twelve_tables() {
        let s = SpecSet::builtin().unwrap();
        assert_eq!(s.layout.id, "shenzhen-budget");
        assert_eq!(s.tables.len(), 12);
        let counts: Vec<usize> = s
            .tables
            .iter()
            .map(|t| t.amount_columns().count())
            .collect();
        // Leaf amount columns as printed: 表2 15, 表3 9, 表4 12, 表5 14, 表9 18.
        assert_eq!(counts, vec![2, 15, 9, 12, 14, 2, 3, 3, 18, 3, 3, 0]);
        assert_eq!(s.tables[8].sheet_name(), "表9 财政拨款“三公”经费支出表");
        assert_eq!(s.get("t05").unwrap().depth(), 4);
        assert_eq!(s.get("t09").unwrap().depth(), 3);
    }

    #[test]
    fn a_bad_spec_or_layout_is_refused_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("x.toml"),
            "id = \"t1\"\nnumber = 1\ntitle = \"x\"\nkind = \"grid\"\nname_label = \"部门名称\"\n",
        )
        .unwrap();
        let err = SpecSet::from_dir(dir.path()).unwrap_err();
        assert!(
            err.to_string().contains("没有版式文件 layout.toml"),
            "{err}"
        );
        std::fs::write(
            dir.path().join(LAYOUT_FILE),
            "id = \"toy\"\nversion = 1\nname = \"玩具\"\nregion = \"某市\"\nkind = \"预算\"\nscope = \"部门\"\n",
        )
        .unwrap();
        let err = SpecSet::from_dir(dir.path()).unwrap_err();
        assert!(err.to_string().contains("x.toml"), "{err}");
        assert!(SpecSet::builtin_layout("nowhere").is_err());
        // A rate column is a grid's: a two-sided table cannot place it.
        let two_sided =
            std::fs::read_to_string("tests/fixtures/hubei-final/01-shouru-zhichu-juesuan.toml")
                .unwrap()
                .replacen("kind = \"line_no\"", "kind = \"rate\"", 1);
        let t: Result<TableSpec, _> = toml::from_str(&two_sided);
        let err = t.unwrap().validate("t.toml").unwrap_err().to_string();
        assert!(
            err.contains("百分比列 income_no（kind = \"rate\"）只能用于格表"),
            "{err}"
        );
    }
}
