//! The canonical model: one department's budget for one year, every table
//! keyed by stable row keys and stable column ids. Documented in
//! `docs/model.md`, schema in `docs/model.schema.json`.

mod amounts;
pub mod json;
pub mod query;

pub use amounts::Amounts;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::amount::Amount;

/// The `format` field of the JSON form.
pub const FORMAT: &str = "budget-tables/model";
/// Bumped on any incompatible change of the JSON form (2: the layout is
/// recorded, tables carry their units, two-sided lines their columns).
pub const FORMAT_VERSION: u32 = 2;

/// One department's published budget (or final accounts) in one layout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    /// Always `budget-tables`.
    pub format: String,
    /// The model's format version (see docs/model.md).
    pub format_version: u32,
    /// The layout's id (`shenzhen-budget`) and version.
    pub layout: String,
    /// The version of the layout it was read with.
    pub layout_version: u32,
    /// 部门名称 (or 单位名称 for a 单位 layout).
    pub department: String,
    /// The budget year (`2024`).
    pub year: i32,
    /// The unit of each table's amounts (`万元` or `元`), by table id.
    pub amount_units: IndexMap<String, String>,
    /// The 预算单位 the department covers (itself alone when it has no subordinate units).
    pub units: Vec<String>,
    /// Tables by spec id, in table order.
    pub tables: IndexMap<String, Table>,
    /// The text of the layout's narrative sheets (部门编制说明, 其他相关情况说明 …)
    /// by sheet name, paragraphs separated by `\n`, their heading left out.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub texts: IndexMap<String, String>,
    /// The cover's lines as the workbook's cover sheet prints them
    /// (`上海市普陀区2024年区级部门预算`), when the layout names one and it is filled.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cover: Vec<String>,
}

impl Budget {
    /// An empty model of the layout `specs`, its tables' units filled in.
    pub fn new(specs: &crate::spec::SpecSet, department: String, year: i32) -> Budget {
        Budget {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            layout: specs.layout.id.clone(),
            layout_version: specs.layout.version,
            department,
            year,
            amount_units: specs
                .tables
                .iter()
                .map(|t| (t.id.clone(), t.unit.label().to_string()))
                .collect(),
            units: Vec::new(),
            tables: IndexMap::new(),
            texts: IndexMap::new(),
            cover: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
/// One table's figures, in its shape.
pub enum Table {
    /// Income | expenditure side by side.
    TwoSided(TwoSidedTable),
    /// Rows of amounts, per 预算单位 block.
    Grid(GridTable),
    /// The 整体支出绩效目标表 form.
    Form(FormTable),
}

/// Income | expenditure side by side: fixed lines by id, and the
/// expenditure lines by function code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct TwoSidedTable {
    /// Income lines and the totals rows of both sides, by the spec's line ids;
    /// each with the amounts of its side's columns.
    pub lines: IndexMap<String, Amounts>,
    /// Expenditure lines (支出功能分类 类/款/项), in printed order.
    pub expenditure: Vec<ExpenditureLine>,
}

impl TwoSidedTable {
    /// The amount of a fixed line in column `col`.
    pub fn amount(&self, line: &str, col: &str) -> Option<Amount> {
        self.lines.get(line).and_then(|a| a.amount(col))
    }
}

/// Level of a classification code: 类 (3 digits), 款 (5), 项 (7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Level {
    #[serde(rename = "类")]
    /// 类.
    Lei,
    #[serde(rename = "款")]
    /// 款.
    Kuan,
    #[serde(rename = "项")]
    /// 项.
    Xiang,
}

impl Level {
    /// Level of a function code (3/5/7 digits) or economic code (3/5 digits).
    pub fn of_code(code: &str) -> Option<Level> {
        match code.len() {
            3 => Some(Level::Lei),
            5 => Some(Level::Kuan),
            7 => Some(Level::Xiang),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
/// One line of a two-sided table's expenditure side.
pub struct ExpenditureLine {
    /// The function code, linked through tables 7/10/11 (tables 1 and 6 print no codes).
    pub code: Option<String>,
    /// Its level, when known from the code or the numbering.
    pub level: Option<Level>,
    /// The item's name as printed (without its `一、` numbering).
    pub name: String,
    /// By the expenditure side's column ids.
    pub amounts: Amounts,
}

impl ExpenditureLine {
    /// Stable key: the code, or the level and name when the code is unknown.
    pub fn key(&self) -> String {
        match &self.code {
            Some(c) => c.clone(),
            None => format!("{:?}:{}", self.level, crate::text::norm(&self.name)),
        }
    }
}

/// Tables 2–5, 7–11: blocks of rows per 预算单位, the department's first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct GridTable {
    /// The 预算单位 blocks, the department's first.
    pub blocks: Vec<UnitBlock>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
/// One 预算单位's rows and total.
pub struct UnitBlock {
    /// 预算单位 (the department itself for the first block).
    pub unit: String,
    /// The unit's total row; absent in tables without one (表9).
    pub total: Option<Amounts>,
    /// Its rows, in order.
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
/// One row of a grid.
pub struct Row {
    /// 科目编码, the item name, or the fixed-row id (表9: prior/current/change).
    pub key: String,
    /// The 科目编码, as text (leading zeros kept).
    pub code: Option<String>,
    /// 科目名称, 支出项目类别 or 年度 as printed.
    pub name: String,
    /// Its amounts by column id.
    pub amounts: Amounts,
}

/// Table 12, 单位整体支出绩效目标表.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FormTable {
    /// The 单位名称 of the form.
    pub unit_name: String,
    /// The 主管部门.
    pub supervisor: String,
    /// The tasks and their amounts.
    pub tasks: Vec<Task>,
    /// 金额合计 by amount id (total / fiscal / other).
    pub sum: Amounts,
    /// 年度总体目标.
    pub goal: String,
    /// The performance indicators.
    pub indicators: Vec<Indicator>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
/// One task of the form.
pub struct Task {
    /// The task's name.
    pub name: String,
    /// What the task is.
    pub content: String,
    /// Its amounts by the form's amount ids.
    pub amounts: Amounts,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
/// One performance indicator.
pub struct Indicator {
    /// 一级指标.
    pub level1: String,
    /// 二级指标.
    pub level2: String,
    /// 三级指标.
    pub level3: String,
    /// 目标值.
    pub target: String,
}

impl Table {
    /// The names its rows print (科目, items, expenditure lines, tasks).
    pub fn row_names(&self) -> Vec<String> {
        match self {
            Table::Grid(g) => g
                .blocks
                .iter()
                .flat_map(|b| b.rows.iter().map(|r| r.name.clone()))
                .collect(),
            Table::TwoSided(t) => t.expenditure.iter().map(|l| l.name.clone()).collect(),
            Table::Form(f) => f.tasks.iter().map(|t| t.name.clone()).collect(),
        }
    }

    /// True when no amount in the table is filled with a non-zero figure.
    pub fn has_no_figures(&self) -> bool {
        let zero = |a: &Amounts| {
            a.values()
                .all(|v| v.is_none_or(super::amount::Amount::is_zero))
        };
        match self {
            Table::Grid(g) => g.blocks.iter().all(|b| {
                b.total.as_ref().is_none_or(zero) && b.rows.iter().all(|r| zero(&r.amounts))
            }),
            Table::TwoSided(t) => {
                t.lines.values().all(zero) && t.expenditure.iter().all(|l| zero(&l.amounts))
            }
            Table::Form(f) => zero(&f.sum) && f.tasks.iter().all(|t| zero(&t.amounts)),
        }
    }
}

impl Budget {
    /// A grid table by id.
    pub fn grid(&self, id: &str) -> Option<&GridTable> {
        match self.tables.get(id) {
            Some(Table::Grid(g)) => Some(g),
            _ => None,
        }
    }

    /// A two-sided table by id.
    pub fn two_sided(&self, id: &str) -> Option<&TwoSidedTable> {
        match self.tables.get(id) {
            Some(Table::TwoSided(t)) => Some(t),
            _ => None,
        }
    }

    /// A fixed line of a two-sided table, in column `col`.
    pub fn line(&self, table: &str, id: &str, col: &str) -> Option<Amount> {
        self.two_sided(table).and_then(|t| t.amount(id, col))
    }

    /// A figure of the department's own block of a grid table (`key` empty: its total row).
    pub fn dept(&self, table: &str, key: &str, col: &str) -> Option<Amount> {
        self.grid(table).and_then(|g| g.amount(0, key, col))
    }

    /// A form by id.
    pub fn form(&self, id: &str) -> Option<&FormTable> {
        match self.tables.get(id) {
            Some(Table::Form(f)) => Some(f),
            _ => None,
        }
    }
}

impl GridTable {
    /// The amount of `col` on the row keyed `key` in block `block`; `key` empty is the block total.
    pub fn amount(&self, block: usize, key: &str, col: &str) -> Option<Amount> {
        let b = self.blocks.get(block)?;
        let amounts = if key.is_empty() {
            b.total.as_ref()?
        } else {
            &b.rows.iter().find(|r| r.key == key)?.amounts
        };
        amounts.get(col).copied().flatten()
    }
}
