//! The validator's rules: the identities inside each table, the codes and
//! names, the 10,000× slip between tables. (The sums and cross-table rules a
//! layout declares in its files carry their ids there.)

use crate::diag::Severity;
use crate::rule::{tables_where, Rule, Scope};
use crate::spec::{Classification, ColumnKind, RowKey, SpecSet, TableKind, TableSpec};

use Severity::{Error, Notice, Warning};

const fn each(
    id: &'static str,
    severity: Severity,
    sum: bool,
    describe: fn(&SpecSet, &TableSpec) -> Option<String>,
    description: &'static str,
) -> Rule {
    Rule {
        id,
        severity,
        sum,
        scope: Scope::Table(describe),
        description,
    }
}

/// Every amount cell of a table is filled or blank-as-zero.
pub const BLANK: Rule = each(
    "T{n}-BLANK-01",
    Error,
    false,
    // Where the layout prints zero as a blank, a blank is zero: no such rule runs.
    |l, _| (!l.layout.blank_is_zero).then(|| BLANK.description.to_string()),
    "金额未填写（空白不等于 0，无发生额应填 0）",
);
/// A two-sided table's expenditure total equals the sum of its 类 lines.
pub const EXPENDITURE: Rule = each(
    "T{n}-EXP-01",
    Error,
    true,
    |_, s| {
        let total = s.two_sided()?.expenditure_total.as_deref()?;
        Some(format!("{} = 支出栏各类级科目之和", label(s, total)))
    },
    "支出栏合计 = 支出栏各类级科目之和",
);
/// A 类 row equals the sum of its 款 rows.
pub const HIER_CLASS: Rule = each(
    "T{n}-HIER-01",
    Error,
    true,
    |_, s| {
        (s.kind() == TableKind::TwoSided || s.classification().is_some())
            .then(|| HIER_CLASS.description.to_string())
    },
    "类级科目 = 其各款级科目之和（每一金额列）",
);
/// A 款 row equals the sum of its 项 rows.
pub const HIER_KUAN: Rule = each(
    "T{n}-HIER-02",
    Error,
    true,
    |_, s| {
        (s.kind() == TableKind::TwoSided || s.classification() == Some(Classification::Function))
            .then(|| HIER_KUAN.description.to_string())
    },
    "款级科目 = 其各项级科目之和（每一金额列）",
);
/// A code has a 类, 款 or 项 length.
pub const CODE_LENGTH: Rule = each(
    "T{n}-CODE-01",
    Error,
    false,
    |_, s| {
        let c = s.classification().filter(|_| s.row_key == RowKey::Code)?;
        let lens: Vec<String> = c.code_lengths().iter().map(ToString::to_string).collect();
        Some(format!("科目编码长度应为 {} 位", lens.join("/")))
    },
    "科目编码长度应为分类规定的位数",
);
/// A 款 or 项 row follows its 类 or 款.
pub const CODE_PARENT: Rule = each(
    "T{n}-CODE-02",
    Error,
    false,
    |_, s| {
        (s.classification().is_some() && s.row_key == RowKey::Code)
            .then(|| CODE_PARENT.description.to_string())
    },
    "款、项科目的上级科目应列在表中",
);
/// An item named without its code is one the economic tables code.
pub const CODE_BY_NAME: Rule = each(
    "T{n}-CODE-03",
    Notice,
    false,
    |l, s| {
        (s.classification().is_some() && s.row_key == RowKey::Name).then(|| {
            format!(
                "项目名称无法对应经济分类科目（按{}和科目目录），不参与类、款核对",
                tables_where(l, |x| {
                    x.classification() == Some(Classification::Economic)
                        && x.row_key == RowKey::Code
                })
                .unwrap_or_default()
            )
        })
    },
    "项目名称无法对应经济分类科目，不参与类、款核对",
);
/// A block's total row equals the sum of its first-level rows.
pub const COLUMN_TOTAL: Rule = each(
    "T{n}-COL-01",
    Error,
    true,
    |_, s| {
        // A block's total row: a 预算单位 row, or the row labelled as the total.
        let units = s.column(ColumnKind::Unit).is_some();
        let by_rows = s.grid().is_some_and(|g| g.rows_sum_to_total);
        let total_row = match s.total_label() {
            _ if units => "预算单位合计行".to_string(),
            Some(l) => format!("“{l}”行"),
            // The block's total row has no label of its own (表5 项目支出总表).
            None if by_rows => "合计行".to_string(),
            None => return None,
        };
        if s.classification().is_none() && !by_rows {
            return None;
        }
        let what = if by_rows {
            "各项目类别"
        } else {
            "各类级科目"
        };
        Some(format!("{total_row} = {what}之和（每一金额列）"))
    },
    "合计行 = 各类级科目（或各项目类别）之和",
);
/// The 预算单位 blocks sum to the department's block.
pub const UNITS: Rule = each(
    "T{n}-COL-02",
    Error,
    true,
    |_, s| {
        (s.kind() == TableKind::Grid && s.column(ColumnKind::Unit).is_some())
            .then(|| UNITS.description.to_string())
    },
    "有多个预算单位时，部门各行 = 所属各预算单位同一行之和",
);
/// 增减变化 = 本年 − 上年.
pub const YEARS: Rule = each(
    "T{n}-YEAR-01",
    Error,
    true,
    |_, s| {
        let d = s.grid()?.difference.as_ref()?;
        let name = |id: &str| {
            s.fixed_rows()
                .iter()
                .find(|l| l.id == id)
                .map_or(id.to_string(), |l| unyear(&l.label))
        };
        Some(format!(
            "{} = {} − {}（每一金额列）",
            name(&d.result),
            name(&d.minuend),
            name(&d.subtrahend)
        ))
    },
    "增减变化 = 本年 − 上年（每一金额列）",
);
/// A form's total equals the sum of its tasks.
pub const TASKS: Rule = each(
    "T{n}-TASK-01",
    Error,
    true,
    |_, s| {
        let f = s.form()?;
        let labels: Vec<&str> = f.amounts.iter().map(|a| a.label.as_str()).collect();
        Some(format!(
            "{} = 各项任务之和（{}）",
            f.sum_label,
            labels.join("、")
        ))
    },
    "表单的合计行 = 各项任务之和（每一金额栏）",
);
/// A form's indicators are filled in full.
pub const INDICATORS: Rule = each(
    "T{n}-IND-01",
    Error,
    false,
    |_, s| (s.kind() == TableKind::Form).then(|| INDICATORS.description.to_string()),
    "每条绩效指标都有一级、二级、三级指标和目标值",
);

/// The rules of each table, in catalogue order; the sums a table's spec
/// declares come right after the first.
pub const TABLE_RULES: &[&Rule] = &[
    &BLANK,
    &EXPENDITURE,
    &HIER_CLASS,
    &HIER_KUAN,
    &CODE_LENGTH,
    &CODE_PARENT,
    &CODE_BY_NAME,
    &COLUMN_TOTAL,
    &UNITS,
    &YEARS,
    &TASKS,
    &INDICATORS,
];

/// The tables whose rows carry codes of a classification (`表3、表7`).
fn coded_tables(specs: &SpecSet) -> String {
    specs
        .tables
        .iter()
        .filter(|s| s.classification().is_some() && s.row_key == RowKey::Code)
        .map(|s| format!("表{}", s.number))
        .collect::<Vec<_>>()
        .join("、")
}

/// Every layout's coded tables, the rule's own description.
fn coded_scope(specs: &SpecSet) -> Option<(String, String)> {
    Some((coded_tables(specs), String::new()))
}

const fn coded(id: &'static str, severity: Severity, description: &'static str) -> Rule {
    Rule {
        id,
        severity,
        sum: false,
        scope: Scope::Layout(coded_scope),
        description,
    }
}

/// A cell exactly 10,000 times what it should be: typed in 元 in a 万元 table.
pub const YUAN_SLIP: Rule = Rule {
    id: "X-UNIT-01",
    severity: Error,
    sum: false,
    scope: Scope::Layout(|l| {
        l.layout
            .rules
            .iter()
            .any(crate::layout::CrossRule::compares)
            .then(|| ("表间规则所比较的表".to_string(), String::new()))
    }),
    description:
        "一张表的数约为与之勾稽的表对应数的 10,000 倍（或万分之一）：疑似以元填报而表头标明万元",
};
/// A code the catalogue does not hold.
pub const NOT_IN_CATALOGUE: Rule = coded(
    "C-CODE-01",
    Notice,
    "科目编码不在科目目录中（可能是新增科目）",
);
/// A name that differs from the catalogue's for its code.
pub const NAME_VS_CATALOGUE: Rule = coded("C-NAME-01", Warning, "科目名称与科目目录不一致");
/// One code named differently in two tables.
pub const NAME_ACROSS_TABLES: Rule = coded(
    "C-NAME-02",
    Error,
    "同一科目编码在各表的名称不一致（报在少数表一方；持平时以科目目录为准）",
);
/// A text cell longer than a printed cell holds.
pub const TEXT_LONG: Rule = Rule {
    id: "S-TEXT-LONG",
    severity: Error,
    sum: false,
    scope: Scope::All,
    description: "文字超过 Excel 单元格的上限（32,767 个字符）",
};

/// The rules across the tables, in catalogue order (after the layout's own).
pub const LAYOUT_RULES: &[&Rule] = &[
    &YUAN_SLIP,
    &NOT_IN_CATALOGUE,
    &NAME_VS_CATALOGUE,
    &NAME_ACROSS_TABLES,
    &TEXT_LONG,
];

/// A column or line label with its year placeholders read as 本年 / 上年.
pub(crate) fn label(spec: &TableSpec, id: &str) -> String {
    unyear(&spec.column_title_raw(id))
}

/// `{year}年…` as 本年…, `{prior_year}年…` as 上年….
pub(crate) fn unyear(s: &str) -> String {
    s.replace("{prior_year}年", "上年")
        .replace("{year}年", "本年")
        .replace("{prior_year}", "上年")
        .replace("{year}", "本年")
}
