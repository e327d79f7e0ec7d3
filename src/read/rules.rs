//! The reader's rules: what can be wrong inside a readable workbook.

use crate::diag::Severity;
use crate::rule::{Rule, Scope};
use crate::spec::{RowKey, SpecSet, TableKind, TableSpec};

const fn all(id: &'static str, severity: Severity, description: &'static str) -> Rule {
    Rule {
        id,
        severity,
        sum: false,
        scope: Scope::All,
        description,
    }
}

const fn tables(
    id: &'static str,
    severity: Severity,
    pick: fn(&SpecSet, &TableSpec) -> bool,
    description: &'static str,
) -> Rule {
    Rule {
        id,
        severity,
        sum: false,
        scope: Scope::Tables(pick),
        description,
    }
}

use Severity::{Error, Notice, Warning};

pub const TABLE_MISSING: Rule = all("S-TABLE-MISSING", Error, "工作簿中缺少某张表");
pub const PDF_OTHER: Rule = all(
    "S-PDF-OTHER",
    Notice,
    "PDF 中有表格不是本版式的表（如项目的填报表），未读取",
);
pub const TABLE_DUP: Rule = all("S-TABLE-DUP", Error, "同一张表出现在两个工作表中");
pub const HEADER: Rule = all("S-HEADER", Error, "表头无法识别（缺列、列名改动）");
pub const AMOUNT: Rule = all(
    "S-AMOUNT",
    Error,
    "金额单元格不是数字（文字、日期、逻辑值、错误值、超出范围）",
);
pub const FORMULA: Rule = all("S-FORMULA", Error, "公式没有保存计算结果");
pub const ROUND: Rule = all("S-ROUND", Warning, "金额超过两位小数，已四舍五入到分");
pub const UNIT_YUAN: Rule = all(
    "S-UNIT-YUAN",
    Warning,
    "表以“元”为单位，已换算为该表规定的单位",
);
pub const DUPKEY: Rule = all("S-DUPKEY", Error, "同一预算单位内科目编码或项目重复");
pub const NAME_MISSING: Rule = all("S-NAME-MISSING", Error, "有金额但没有项目名称");
pub const DEPT: Rule = all("S-DEPT", Warning, "各表部门名称不一致");
pub const DEPT_MISSING: Rule = all("S-DEPT-MISSING", Error, "找不到部门名称");
pub const YEAR: Rule = all("S-YEAR", Warning, "各表年度不一致");
pub const YEAR_MISSING: Rule = all("S-YEAR-MISSING", Error, "找不到预算年度");
pub const YEAR_GIVEN: Rule = all("S-YEAR-GIVEN", Error, "工作簿写的年度与 --year 给出的不同");

fn grid(_: &SpecSet, s: &TableSpec) -> bool {
    s.kind() == TableKind::Grid
}

fn coded(l: &SpecSet, s: &TableSpec) -> bool {
    grid(l, s) && s.row_key == RowKey::Code
}

fn fixed(_: &SpecSet, s: &TableSpec) -> bool {
    s.row_key == RowKey::Fixed
}

pub const CODE: Rule = tables("S-CODE", Error, coded, "科目编码含非数字字符");
pub const CODE_PRINTED: Rule = tables(
    "S-CODE-PRINTED",
    Warning,
    coded,
    "分列印出的科目编码类级部分不是 3 位（如 7 11 02），已按所在位置读出",
);
pub const CODE_PAD: Rule = tables(
    "S-CODE-PAD",
    Notice,
    coded,
    "分列印出的款、项编码只有一位（如 301 2），已按两位读作 02",
);
pub const CODE_MISSING: Rule = tables("S-CODE-MISSING", Error, coded, "有金额但没有科目编码");
pub const UNIT_ROW: Rule = tables(
    "S-UNIT-ROW",
    Error,
    |l, s| grid(l, s) && s.row_key != RowKey::Name,
    "缺少预算单位合计行或预算单位名称",
);
pub const FIXED: Rule = tables("S-FIXED", Error, fixed, "无法识别的固定行");
pub const FIXED_MISSING: Rule = tables("S-FIXED-MISSING", Error, fixed, "预算单位缺少某一固定行");
pub const LINE: Rule = tables(
    "S-LINE",
    Error,
    |_, s| s.kind() == TableKind::TwoSided,
    "收入栏有无法识别的项目",
);
pub const EMPTY: Rule = tables("S-EMPTY", Error, grid, "表中没有任何数据行");
pub const FORM: Rule = tables(
    "S-FORM",
    Error,
    |_, s| s.kind() == TableKind::Form,
    "表单缺少栏目",
);
pub const LINK: Rule = Rule {
    id: "S-LINK",
    severity: Warning,
    sum: false,
    scope: Scope::Layout(link_scope),
    description: "支出栏项目在编码所在的表中找不到对应科目编码",
};
pub const PLACEHOLDER: Rule = tables(
    "S-PLACEHOLDER",
    Notice,
    grid,
    "模板中的占位行（“…”）没有填写，已忽略",
);

/// The two-sided tables that take their codes from others, and from which.
fn link_scope(specs: &SpecSet) -> Option<(String, String)> {
    let t = crate::rule::tables_where(specs, |s| {
        s.two_sided().is_some_and(|t| !t.link_codes_from.is_empty())
    })?;
    let mut from: Vec<&String> = specs
        .tables
        .iter()
        .filter_map(|s| s.two_sided())
        .flat_map(|s| &s.link_codes_from)
        .collect();
    let mut seen = std::collections::HashSet::new();
    from.retain(|id| seen.insert(*id));
    let from = from
        .iter()
        .filter_map(|id| specs.get(id))
        .map(|x| format!("表{}", x.number))
        .collect::<Vec<_>>()
        .join("、");
    Some((t, format!("支出栏项目在{from}中找不到对应科目编码")))
}

/// The reader's rules, in catalogue order.
pub const RULES: &[&Rule] = &[
    &TABLE_MISSING,
    &TABLE_DUP,
    &PDF_OTHER,
    &HEADER,
    &AMOUNT,
    &FORMULA,
    &ROUND,
    &UNIT_YUAN,
    &DUPKEY,
    &NAME_MISSING,
    &DEPT,
    &DEPT_MISSING,
    &YEAR,
    &YEAR_MISSING,
    &YEAR_GIVEN,
    &CODE,
    &CODE_PRINTED,
    &CODE_PAD,
    &CODE_MISSING,
    &UNIT_ROW,
    &FIXED,
    &FIXED_MISSING,
    &LINE,
    &EMPTY,
    &FORM,
    &LINK,
    &PLACEHOLDER,
];
