//! The canonical model: one department's budget for one year, every table
//! keyed by stable row keys and stable column ids. Documented in
//! `docs/model.md`, schema in `docs/model.schema.json`.

mod amounts;
pub mod json;

pub use amounts::Amounts;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::amount::Amount;

/// The `format` field of the JSON form.
pub const FORMAT: &str = "budget-tables/model";
/// Bumped on any incompatible change of the JSON form.
pub const FORMAT_VERSION: u32 = 1;
/// All amounts are in 万元.
pub const UNIT: &str = "万元";

/// One department's published budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    pub format: String,
    pub format_version: u32,
    /// 部门名称.
    pub department: String,
    pub year: i32,
    /// Always `万元`.
    pub unit: String,
    /// The 预算单位 the department covers (itself alone when it has no subordinate units).
    pub units: Vec<String>,
    /// Tables by spec id (`t01` … `t12`), in table order.
    pub tables: IndexMap<String, Table>,
}

impl Budget {
    pub fn new(department: String, year: i32) -> Budget {
        Budget {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            department,
            year,
            unit: UNIT.into(),
            units: Vec::new(),
            tables: IndexMap::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Table {
    TwoSided(TwoSidedTable),
    Grid(GridTable),
    Form(FormTable),
}

/// Tables 1 and 6: fixed lines by id, and the expenditure lines by function code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct TwoSidedTable {
    /// Income lines and the totals rows of both sides, by the spec's line ids.
    pub lines: Amounts,
    /// Expenditure lines (支出功能分类 类/款/项), in printed order.
    pub expenditure: Vec<ExpenditureLine>,
}

/// Level of a classification code: 类 (3 digits), 款 (5), 项 (7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Level {
    #[serde(rename = "类")]
    Lei,
    #[serde(rename = "款")]
    Kuan,
    #[serde(rename = "项")]
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
pub struct ExpenditureLine {
    /// The function code, linked through tables 7/10/11 (tables 1 and 6 print no codes).
    pub code: Option<String>,
    pub level: Option<Level>,
    pub name: String,
    pub amount: Option<Amount>,
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
    pub blocks: Vec<UnitBlock>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitBlock {
    /// 预算单位 (the department itself for the first block).
    pub unit: String,
    /// The unit's total row; absent in tables without one (表9).
    pub total: Option<Amounts>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    /// 科目编码, the item name, or the fixed-row id (表9: prior/current/change).
    pub key: String,
    pub code: Option<String>,
    /// 科目名称, 支出项目类别 or 年度 as printed.
    pub name: String,
    pub amounts: Amounts,
}

/// Table 12, 单位整体支出绩效目标表.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FormTable {
    pub unit_name: String,
    pub supervisor: String,
    pub tasks: Vec<Task>,
    /// 金额合计 by amount id (total / fiscal / other).
    pub sum: Amounts,
    /// 年度总体目标.
    pub goal: String,
    pub indicators: Vec<Indicator>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    pub name: String,
    pub content: String,
    pub amounts: Amounts,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub level1: String,
    pub level2: String,
    pub level3: String,
    pub target: String,
}

impl Table {
    /// True when no amount in the table is filled with a non-zero figure.
    pub fn has_no_figures(&self) -> bool {
        let zero = |a: &Amounts| a.values().all(|v| v.is_none_or(|x| x.is_zero()));
        match self {
            Table::Grid(g) => g.blocks.iter().all(|b| {
                b.total.as_ref().is_none_or(zero) && b.rows.iter().all(|r| zero(&r.amounts))
            }),
            Table::TwoSided(t) => {
                zero(&t.lines)
                    && t.expenditure
                        .iter()
                        .all(|l| l.amount.is_none_or(|x| x.is_zero()))
            }
            Table::Form(f) => zero(&f.sum) && f.tasks.iter().all(|t| zero(&t.amounts)),
        }
    }
}

impl Budget {
    pub fn grid(&self, id: &str) -> Option<&GridTable> {
        match self.tables.get(id) {
            Some(Table::Grid(g)) => Some(g),
            _ => None,
        }
    }

    pub fn two_sided(&self, id: &str) -> Option<&TwoSidedTable> {
        match self.tables.get(id) {
            Some(Table::TwoSided(t)) => Some(t),
            _ => None,
        }
    }

    /// A fixed line of a two-sided table (`t01`, `income_total`).
    pub fn line(&self, table: &str, id: &str) -> Option<Amount> {
        self.two_sided(table)
            .and_then(|t| t.lines.get(id).copied().flatten())
    }

    /// A figure of the department's own block of a grid table (`key` empty: its total row).
    pub fn dept(&self, table: &str, key: &str, col: &str) -> Option<Amount> {
        self.grid(table).and_then(|g| g.amount(0, key, col))
    }

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
