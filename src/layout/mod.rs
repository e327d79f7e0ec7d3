//! What a layout declares about itself rather than about one table: its
//! identity, the rules across its tables, the headline figures of a diff, the
//! figures of a batch roll-up and the checks across years. Read from the
//! `layout.toml` of the layout's folder under `templates/`; the Rust code
//! holds the mechanisms, this file the particulars (see docs/layouts.md).

use indexmap::IndexMap;
use serde::Deserialize;

pub mod document;
pub mod narrative;
pub mod template;

/// The `layout.toml` of a layout folder.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayoutInfo {
    /// Stable id (`shenzhen-budget`), recorded in every model.
    pub id: String,
    /// Bumped when the layout changes in a way models notice.
    pub version: u32,
    /// Chinese name (`深圳市部门预算公开（12 张表）`).
    pub name: String,
    /// 深圳市, 上海市, 全国 …
    pub region: String,
    /// 预算 or 决算.
    pub kind: String,
    /// 部门 or 单位.
    pub scope: String,
    /// What the layout's figures are published in, for sentences (万元).
    #[serde(default = "default_text_unit")]
    pub text_unit: String,
    /// The heading of the set printed above each table's title
    /// (`{department}{year}年度部门决算表`): the department and year are read from it.
    #[serde(default)]
    pub heading: Option<String>,
    /// How a published document's cover names the department
    /// (`预算主管部门：{department}`, `{department}{year}年度部门决算`): a PDF's
    /// department is its cover's, the name the document is published under.
    #[serde(default)]
    pub cover_department: Vec<String>,
    /// The layout prints zero as a blank cell (Shanghai, 决算): a blank is
    /// zero, not "not filled".
    #[serde(default)]
    pub blank_is_zero: bool,
    /// The brackets its published tables print in names (`half`: 维修(护)费,
    /// `full`: 维修（护）费); the official output writes names so. None: as typed.
    #[serde(default)]
    pub name_brackets: Option<Brackets>,
    /// The rounding step of published figures, per table unit.
    #[serde(default)]
    pub rounding: IndexMap<String, rust_decimal::Decimal>,
    /// Named conditions rules may depend on.
    #[serde(default)]
    pub conditions: IndexMap<String, Condition>,
    /// Rules across tables.
    #[serde(default)]
    pub rules: Vec<CrossRule>,
    /// The headline figures of the diff's 总览.
    #[serde(default)]
    pub headlines: Vec<Headline>,
    /// How a headline's sentence is worded.
    #[serde(default)]
    pub sentences: Sentences,
    /// The figures of each department in the batch roll-up.
    #[serde(default)]
    pub rollup: Vec<Figure>,
    /// Checks across years: this year's prior-year figures against last year's.
    #[serde(default)]
    pub year_checks: Vec<YearCheck>,
    /// The 填表说明 sheet of the blank template, its first line the heading
    /// (none: no such sheet).
    #[serde(default)]
    pub instructions: Vec<String>,
    /// Sheets of text (职能, 机构设置, 编制说明 …) the official workbook has
    /// beside its tables; recognised and skipped when reading, written empty
    /// in the template.
    #[serde(default)]
    pub text_sheets: Vec<TextSheet>,
    /// The written part (说明): sections and sentence patterns, and how a text names the figures.
    #[serde(default)]
    pub narrative: narrative::NarrativeSpec,
    /// The publication document (`publish`): cover, contents, parts in order.
    #[serde(default)]
    pub document: document::DocumentSpec,
    /// How the generated benchmark departments vary (`sample`).
    #[serde(default)]
    pub sample: SampleInfo,
    /// A file of the layout's own classification codes (CSV, as
    /// `templates/catalogue.csv`), beside its `layout.toml`: added to the
    /// catalogue for its inputs.
    #[serde(default)]
    pub catalogue: Option<String>,
}

/// A sheet of text beside the tables.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TextSheet {
    /// The sheet's name.
    pub name: String,
    /// Its heading (`{department}`, `{year}` filled in).
    #[serde(default)]
    pub title: String,
    /// Written after the tables (before them otherwise).
    #[serde(default)]
    pub after_tables: bool,
    /// Its text is the department's narrative, kept in the model (`texts`)
    /// and written into the official workbook.
    #[serde(default)]
    pub narrative: bool,
}

/// How `sample` varies the departments it derives from a layout's sample.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct SampleInfo {
    /// Codes swapped in every third department: (from, to, the new name).
    #[serde(default)]
    pub recode: Vec<Recode>,
}

/// One code swapped by `sample`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Recode {
    /// The code in the real data.
    pub from: String,
    /// The code it becomes in the sample.
    pub to: String,
    /// The name printed with the new code.
    pub name: String,
}

fn default_text_unit() -> String {
    "万元".into()
}

/// The sentence patterns of a figure compared with last year's. Each may
/// hold `{year}`, `{prior_year}`, `{subject}`, `{current}`, `{prior}`,
/// `{change}` (the change's size) and `{rate}` (its percentage).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Sentences {
    /// The figure grew.
    #[serde(default)]
    pub up: String,
    /// It fell.
    #[serde(default)]
    pub down: String,
    /// It is the same.
    #[serde(default)]
    pub same: String,
    /// It is new (nothing last year).
    #[serde(default)]
    pub new: String,
    /// It is gone (nothing this year).
    #[serde(default)]
    pub gone: String,
    /// Amounts grouped in thousands (`44,972.11`) or not (`15621.11`).
    #[serde(default)]
    pub grouping: bool,
    /// Decimals of a rate (`{rate}`): 1 (`35.5%`) unless the texts print more (决算: `12.08%`).
    #[serde(default = "one")]
    pub rate_decimals: u32,
}

fn one() -> u32 {
    1
}

impl Default for Sentences {
    fn default() -> Sentences {
        Sentences {
            up: String::new(),
            down: String::new(),
            same: String::new(),
            new: String::new(),
            gone: String::new(),
            grouping: false,
            rate_decimals: one(),
        }
    }
}

/// A cell of a table, as a layout file names it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CellRef {
    /// The table's id.
    pub table: String,
    /// A fixed line of a two-sided table.
    pub line: Option<String>,
    /// A row of a grid table by its key (code, item name or fixed-row id);
    /// `@total` is the block's total row.
    pub row: Option<String>,
    /// A row of a grid table by its printed name (where codes differ between
    /// regions but names do not).
    pub row_name: Option<String>,
    /// A task of a form, by name.
    pub task: Option<String>,
    /// The form's 金额合计 row.
    #[serde(default)]
    pub sum: bool,
    /// The column id (a line's own column when it has one only).
    pub col: Option<String>,
}

/// `total (=|≥|≤) Σ parts`: how a total relates to its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// total = Σ parts.
    #[default]
    Eq,
    /// total ≥ Σ parts (a 小计 and its 其中 parts).
    Ge,
    /// total ≤ Σ parts.
    Le,
}

impl Relation {
    /// `=`, `≥` or `≤`.
    pub fn sign(self) -> &'static str {
        match self {
            Relation::Eq => "=",
            Relation::Ge => "≥",
            Relation::Le => "≤",
        }
    }

    /// How far `total − Σ parts` (`diff`) is from holding: its size for `=`,
    /// the shortfall for `≥`, the excess for `≤`; zero when it holds.
    pub fn off(self, diff: rust_decimal::Decimal) -> rust_decimal::Decimal {
        use rust_decimal::Decimal;
        match self {
            Relation::Eq => diff.abs(),
            Relation::Ge => (-diff).max(Decimal::ZERO),
            Relation::Le => diff.max(Decimal::ZERO),
        }
    }
}

/// Bracket width in printed names.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Brackets {
    /// Half-width brackets: `(` `)`.
    Half,
    /// Full-width brackets: `（` `）`.
    Full,
}

impl Brackets {
    /// `name` with its brackets in this width.
    pub fn apply(self, name: &str) -> std::borrow::Cow<'_, str> {
        let (from, to) = match self {
            Brackets::Half => (['（', '）'], ['(', ')']),
            Brackets::Full => (['(', ')'], ['（', '）']),
        };
        if !name.contains(from) {
            return std::borrow::Cow::Borrowed(name);
        }
        std::borrow::Cow::Owned(
            name.chars()
                .map(|c| match c {
                    c if c == from[0] => to[0],
                    c if c == from[1] => to[1],
                    c => c,
                })
                .collect(),
        )
    }
}

/// The rows of a table a rule compares.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// The expenditure lines of a two-sided table.
    Expenditure,
    /// Its 类 lines only (a table that also lists 款 and 项 under them).
    ExpenditureClasses,
    /// The rows of a grid table that have a code.
    Coded,
    /// The rows of a grid table whose code is a 类 (3 digits).
    Classes,
    /// The rows of a grid table whose code is a 项 (7 digits).
    Items,
    /// Every row of a grid table, its total row first.
    All,
    /// Every row of a grid table but its total row.
    Rows,
    /// The total row of a grid table.
    Total,
    /// The tasks of a form.
    Tasks,
}

/// A set of rows of one table and the column(s) compared.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RowSet {
    /// The table's id.
    pub table: String,
    /// Which rows: all coded rows, the 类 rows, a named row …
    pub rows: RowKind,
    /// One column (on the other side, the other set's own column).
    pub col: Option<String>,
    /// Columns compared one by one with the same ids on the other side.
    #[serde(default)]
    pub cols: Vec<String>,
}

/// How rows are matched across tables.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum MatchBy {
    /// By 科目编码.
    #[default]
    Code,
    /// By the normalized name.
    Name,
    /// By the row key (code, name or fixed-row id; the total row by itself).
    Key,
}

/// Which blocks of grid tables take part.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Blocks {
    /// The department's own block.
    #[default]
    Department,
    /// Every block, matched across tables by the 预算单位's name.
    Each,
}

/// What becomes of a row found on one side only.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// An error on that row.
    Report,
    /// An error when its figure is not zero.
    ReportNonzero,
    /// Compared against zero.
    Zero,
}

/// A row found on one side only: what to do, and the words of the finding
/// (`{name}`, `{code}`, `{left}`, `{right}` are filled in).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Unmatched {
    /// Whether such a row is an error, a notice, or allowed.
    pub policy: Policy,
    /// The finding's rule id, when not the rule's own.
    pub id: Option<String>,
    /// For the rule catalogue, when the id is the rule's own.
    pub description: Option<String>,
    #[serde(default)]
    /// The finding's message pattern.
    pub message: String,
    #[serde(default)]
    /// The finding's expected-value pattern.
    pub expected: String,
    #[serde(default)]
    /// The finding's hint pattern.
    pub hint: String,
}

/// One pair of a cells rule.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Pair {
    /// The cell compared.
    pub left: CellRef,
    /// The cells whose sum it must equal (or bound).
    pub right: Vec<CellRef>,
    /// The subject of the finding, when not the left cell's name.
    pub what: Option<String>,
    /// Skipped when a right cell is blank or its row is absent (or when the
    /// layout prints zero as blank, when it is zero).
    #[serde(default)]
    pub skip_blank: bool,
    /// A right cell whose row the table does not list counts as zero (a table
    /// that lists only the items with money).
    #[serde(default)]
    pub absent_is_zero: bool,
}

/// A rule across tables, of one of three kinds (`check = "cells" | "rows" |
/// "empty_iff_zero"`): each kind has exactly the fields it needs.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(tag = "check", rename_all = "snake_case")]
pub enum CrossRule {
    /// Cell against cells: `left (=|≥|≤) Σ right`, pair by pair.
    Cells(CellsRule),
    /// Rows of one table against rows of others, matched by code, name or key.
    Rows(Box<RowsRule>),
    /// A table has figures exactly when a cell elsewhere is not zero.
    EmptyIffZero(EmptyIffZeroRule),
}

/// `left (=|≥|≤) Σ right`, pair by pair.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CellsRule {
    /// Stable rule id (`X-T3-T1-01`).
    pub id: String,
    /// What it checks, for the rule catalogue and docs/rules.md.
    pub description: String,
    /// Where the rule comes from (a published identity, a template).
    #[serde(default)]
    pub source: String,
    /// A named condition under which it runs.
    pub when: Option<String>,
    #[serde(default)]
    /// How the left cell relates to the right cells' sum (`=`, `≥`).
    pub relation: Relation,
    /// The subject of a value finding (`{name}`, `{code}`, `{column}`, `{row}`).
    pub what: Option<String>,
    /// The cells compared, pair by pair.
    pub pairs: Vec<Pair>,
}

/// Rows of one table against rows of others.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RowsRule {
    /// Stable rule id (`X-TOTAL-01`).
    pub id: String,
    /// What the rule checks, for the rule catalogue.
    pub description: String,
    #[serde(default)]
    /// Where the identity comes from (the template's note, a regulation).
    pub source: String,
    /// A named condition under which it runs.
    pub when: Option<String>,
    #[serde(default)]
    /// How the left rows relate to the right rows (`=`, `≥`).
    pub relation: Relation,
    /// The subject of a value finding (`{name}`, `{code}`, `{column}`, `{row}`).
    pub what: Option<String>,
    /// The rows compared.
    pub left: RowSet,
    /// The rows they must equal (summed across the sets).
    pub right: Vec<RowSet>,
    #[serde(default, rename = "match")]
    /// How rows are paired: by code or by name.
    pub match_by: MatchBy,
    #[serde(default)]
    /// Which 预算单位 blocks are compared.
    pub blocks: Blocks,
    /// What to do with a left row no right set has.
    pub unmatched_left: Option<Unmatched>,
    /// What to do with a right row the left set lacks.
    pub unmatched_right: Option<Unmatched>,
}

/// A table has figures exactly when a cell elsewhere is not zero.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct EmptyIffZeroRule {
    /// Stable rule id.
    pub id: String,
    /// What the rule checks, for the rule catalogue.
    pub description: String,
    #[serde(default)]
    /// Where the identity comes from.
    pub source: String,
    /// A named condition under which it runs.
    pub when: Option<String>,
    /// The table that is empty…
    pub table: String,
    /// …exactly when this cell is zero.
    pub cell: CellRef,
}

/// A condition: every listed cell blank or zero.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// What the condition means, in words.
    pub description: String,
    #[serde(default)]
    /// The cells that must all be blank or zero.
    pub all_zero: Vec<CellRef>,
}

/// A figure read from a model: the sum of its cells (blank cells left out;
/// none filled: no figure).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    /// Short label (the 总览 / 汇总 column).
    pub label: String,
    #[serde(default)]
    /// The cells summed.
    pub cells: Vec<CellRef>,
}

/// A headline figure of the diff: its label, the subject of its sentence,
/// and where it is read; or one headline per row of a table.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Headline {
    /// The short label (the 总览 column).
    pub label: String,
    /// The subject of the sentence (`{department}部门预算收入`; `{name}` for a row).
    pub subject: String,
    #[serde(default)]
    /// The cells summed.
    pub cells: Vec<CellRef>,
    /// One headline per row of these rows (either year's), in order.
    pub each_row: Option<RowSet>,
    /// Decimals printed as the text prints them for this figure (`0.00万元`);
    /// none: trailing zeros dropped (`25万元`).
    #[serde(default)]
    pub decimals: Option<u32>,
    /// A total of other figures (收入总计, 基本支出): the 总览 chart of the
    /// largest changes shows items, not their totals.
    #[serde(default)]
    pub total: bool,
}

/// A check across years: the current model's `current` cell equals the
/// prior model's `prior` cell, for each column listed.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct YearCheck {
    /// Stable rule id.
    pub id: String,
    /// What the rule checks, for the rule catalogue.
    pub description: String,
    /// The table both years hold.
    pub table: String,
    /// The row of this year's model that states last year's figures.
    pub current_row: String,
    /// The row of last year's model that holds them.
    pub prior_row: String,
}

impl CrossRule {
    /// Stable rule id (`X-T3-T1-01`).
    pub fn id(&self) -> &str {
        match self {
            CrossRule::Cells(r) => &r.id,
            CrossRule::Rows(r) => &r.id,
            CrossRule::EmptyIffZero(r) => &r.id,
        }
    }

    /// What it checks.
    pub fn description(&self) -> &str {
        match self {
            CrossRule::Cells(r) => &r.description,
            CrossRule::Rows(r) => &r.description,
            CrossRule::EmptyIffZero(r) => &r.description,
        }
    }

    /// Where it comes from (empty when not said).
    pub fn source(&self) -> &str {
        match self {
            CrossRule::Cells(r) => &r.source,
            CrossRule::Rows(r) => &r.source,
            CrossRule::EmptyIffZero(r) => &r.source,
        }
    }

    /// The named condition under which it runs.
    pub fn when(&self) -> Option<&str> {
        match self {
            CrossRule::Cells(r) => r.when.as_deref(),
            CrossRule::Rows(r) => r.when.as_deref(),
            CrossRule::EmptyIffZero(r) => r.when.as_deref(),
        }
    }

    /// A comparison of figures (a sum, within the rounding envelope a warning),
    /// not a statement of emptiness.
    pub fn compares(&self) -> bool {
        !matches!(self, CrossRule::EmptyIffZero(_))
    }

    /// Every rule id this rule can report, with its catalogue description.
    pub fn ids(&self) -> Vec<(String, String)> {
        let mut out = vec![(self.id().to_string(), self.description().to_string())];
        if let CrossRule::Rows(r) = self {
            for u in [&r.unmatched_left, &r.unmatched_right]
                .into_iter()
                .flatten()
            {
                if let (Some(id), Some(d)) = (&u.id, &u.description) {
                    if !out.iter().any(|(x, _)| x == id) {
                        out.push((id.clone(), d.clone()));
                    }
                }
            }
        }
        out
    }

    /// The tables the rule reads, in order of appearance.
    pub fn tables(&self) -> Vec<&str> {
        let all: Vec<&str> = match self {
            CrossRule::Cells(r) => r
                .pairs
                .iter()
                .flat_map(|p| std::iter::once(&p.left).chain(&p.right))
                .map(|c| c.table.as_str())
                .collect(),
            CrossRule::Rows(r) => std::iter::once(&r.left)
                .chain(&r.right)
                .map(|s| s.table.as_str())
                .collect(),
            CrossRule::EmptyIffZero(r) => vec![r.table.as_str(), r.cell.table.as_str()],
        };
        let mut out: Vec<&str> = Vec::new();
        for x in all {
            if !out.contains(&x) {
                out.push(x);
            }
        }
        out
    }
}

impl CellRef {
    /// A reference to a fixed `line`, or a grid `row` by key, in column `col`.
    pub fn at(table: &str, line: Option<&str>, row: Option<&str>, col: Option<&str>) -> CellRef {
        CellRef {
            table: table.into(),
            line: line.map(Into::into),
            row: row.map(Into::into),
            row_name: None,
            task: None,
            sum: false,
            col: col.map(Into::into),
        }
    }
}
