//! The rule catalogue: every rule id the validator can report, with its
//! severity, the tables it reads and what it checks. `docs/rules.md` is this
//! catalogue as Markdown (a test keeps them equal).

use crate::spec::{Classification, ColumnKind, RowKey, SpecSet, TableKind, TableSpec};

/// One rule.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RuleInfo {
    pub id: String,
    /// 错误 / 警告 / 提示; sums are 错误 beyond the rounding envelope, 警告 (尾数差异) within.
    pub severity: &'static str,
    pub tables: String,
    pub description: String,
}

const SUM: &str = "错误（差额在尾数范围内为警告）";

fn rule(
    id: impl Into<String>,
    severity: &'static str,
    tables: impl Into<String>,
    description: impl Into<String>,
) -> RuleInfo {
    RuleInfo {
        id: id.into(),
        severity,
        tables: tables.into(),
        description: description.into(),
    }
}

/// A column or line label with its year placeholders read as 本年 / 上年.
fn label(spec: &TableSpec, id: &str) -> String {
    unyear(&super::tables::column_label_raw(spec, id))
}

/// The labels of `ids` joined as a sum (`基本支出 + 项目支出`).
fn joined(spec: &TableSpec, ids: &[String]) -> String {
    ids.iter()
        .map(|p| label(spec, p))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// `{year}年…` as 本年…, `{prior_year}年…` as 上年….
fn unyear(s: &str) -> String {
    s.replace("{prior_year}年", "上年")
        .replace("{year}年", "本年")
        .replace("{prior_year}", "上年")
        .replace("{year}", "本年")
}

/// A test a table's spec passes or not.
type Pick<'a> = dyn Fn(&TableSpec) -> bool + 'a;

/// The tables (`表3、表7`) whose spec satisfies `pick`, or `None` when none does.
fn tables_where(specs: &SpecSet, pick: impl Fn(&TableSpec) -> bool) -> Option<String> {
    let list: Vec<String> = specs
        .tables
        .iter()
        .filter(|s| pick(s))
        .map(|s| format!("表{}", s.number))
        .collect();
    (!list.is_empty()).then(|| list.join("、"))
}

/// Every rule, table by table, then the cross-table and catalogue rules.
pub fn catalogue(specs: &SpecSet) -> Vec<RuleInfo> {
    let mut out = vec![
        rule("S-TABLE-MISSING", "错误", "全部", "工作簿中缺少某张表"),
        rule("S-TABLE-DUP", "错误", "全部", "同一张表出现在两个工作表中"),
        rule("S-HEADER", "错误", "全部", "表头无法识别（缺列、列名改动）"),
        rule(
            "S-AMOUNT",
            "错误",
            "全部",
            "金额单元格不是数字（文字、日期、逻辑值、错误值、超出范围）",
        ),
        rule("S-FORMULA", "错误", "全部", "公式没有保存计算结果"),
        rule(
            "S-ROUND",
            "警告",
            "全部",
            "金额超过两位小数，已四舍五入到分",
        ),
        rule(
            "S-UNIT-YUAN",
            "警告",
            "全部",
            "表以“元”为单位，已换算为该表规定的单位",
        ),
        rule(
            "S-DUPKEY",
            "错误",
            "全部",
            "同一预算单位内科目编码或项目重复",
        ),
        rule("S-NAME-MISSING", "错误", "全部", "有金额但没有项目名称"),
        rule("S-DEPT", "警告", "全部", "各表部门名称不一致"),
        rule("S-DEPT-MISSING", "错误", "全部", "找不到部门名称"),
        rule("S-YEAR", "警告", "全部", "各表年度不一致"),
        rule("S-YEAR-MISSING", "错误", "全部", "找不到预算年度"),
    ];
    let grid = |s: &TableSpec| s.kind == TableKind::Grid;
    let coded = |s: &TableSpec| grid(s) && s.row_key == RowKey::Code;
    let structural: [(&str, &str, &Pick<'_>); 8] = [
        ("S-CODE", "科目编码含非数字字符", &coded),
        ("S-CODE-MISSING", "有金额但没有科目编码", &coded),
        (
            "S-UNIT-ROW",
            "缺少预算单位合计行或预算单位名称",
            &|s: &TableSpec| grid(s) && s.row_key != RowKey::Name,
        ),
        ("S-FIXED", "无法识别的固定行", &|s: &TableSpec| {
            s.row_key == RowKey::Fixed
        }),
        (
            "S-FIXED-MISSING",
            "预算单位缺少某一固定行",
            &|s: &TableSpec| s.row_key == RowKey::Fixed,
        ),
        (
            "S-LINE",
            "收入栏有无法识别的项目",
            &|s: &TableSpec| s.kind == TableKind::TwoSided,
        ),
        ("S-EMPTY", "表中没有任何数据行", &grid),
        ("S-FORM", "表单缺少栏目", &|s: &TableSpec| {
            s.kind == TableKind::Form
        }),
    ];
    for (id, what, pick) in structural {
        if let Some(t) = tables_where(specs, pick) {
            out.push(rule(id, "错误", t, what));
        }
    }
    let linked = |s: &TableSpec| !s.link_codes_from.is_empty();
    if let Some(t) = tables_where(specs, linked) {
        let mut from: Vec<&String> = specs
            .tables
            .iter()
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
        out.push(rule(
            "S-LINK",
            "警告",
            t,
            format!("支出栏项目在{from}中找不到对应科目编码"),
        ));
    }
    for s in &specs.tables {
        let t = format!("表{}", s.number);
        let n = s.number;
        // Where the layout prints zero as a blank, a blank is zero: no such rule runs.
        if !specs.layout.blank_is_zero {
            out.push(rule(
                format!("T{n}-BLANK-01"),
                "错误",
                &t,
                "金额未填写（空白不等于 0，无发生额应填 0）",
            ));
        }
        for r in &s.sums {
            let sign = r.relation.sign();
            let parts = joined(s, &r.parts);
            let scope = match s.kind {
                TableKind::TwoSided => "",
                TableKind::Grid => "每一行：",
                TableKind::Form => "每项任务及金额合计行：",
            };
            out.push(rule(
                &r.id,
                SUM,
                &t,
                format!("{scope}{} {sign} {parts}", label(s, &r.total)),
            ));
        }
        for (rules, scope, note) in [
            (&s.column_sums, "支出栏每一行：", ""),
            (&s.row_sums, "每一金额列：", "（表中有则计入）"),
        ] {
            for r in rules {
                let sum = format!(
                    "{} {} {}",
                    label(s, &r.total),
                    r.relation.sign(),
                    joined(s, &r.parts)
                );
                out.push(rule(&r.id, SUM, &t, format!("{scope}{sum}{note}")));
            }
        }
        if let Some(total) = &s.expenditure_total {
            out.push(rule(
                format!("T{n}-EXP-01"),
                SUM,
                &t,
                format!("{} = 支出栏各类级科目之和", label(s, total)),
            ));
        }
        if s.kind == TableKind::TwoSided || s.classification.is_some() {
            out.push(rule(
                format!("T{n}-HIER-01"),
                SUM,
                &t,
                "类级科目 = 其各款级科目之和（每一金额列）",
            ));
        }
        if s.kind == TableKind::TwoSided || s.classification == Some(Classification::Function) {
            out.push(rule(
                format!("T{n}-HIER-02"),
                SUM,
                &t,
                "款级科目 = 其各项级科目之和（每一金额列）",
            ));
        }
        if s.classification.is_some() && s.row_key == RowKey::Code {
            let lens = s
                .classification
                .map(|c| {
                    c.code_lengths()
                        .iter()
                        .map(std::string::ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("/")
                })
                .unwrap_or_default();
            out.push(rule(
                format!("T{n}-CODE-01"),
                "错误",
                &t,
                format!("科目编码长度应为 {lens} 位"),
            ));
            out.push(rule(
                format!("T{n}-CODE-02"),
                "错误",
                &t,
                "款、项科目的上级科目应列在表中",
            ));
        }
        if s.classification.is_some() && s.row_key == RowKey::Name {
            out.push(rule(
                format!("T{n}-CODE-03"),
                "提示",
                &t,
                format!(
                    "项目名称无法对应经济分类科目（按{}和科目目录），不参与类、款核对",
                    tables_where(specs, |x| {
                        x.classification == Some(Classification::Economic)
                            && x.row_key == RowKey::Code
                    })
                    .unwrap_or_default()
                ),
            ));
        }
        // A block's total row: a 预算单位 row, or the row labelled as the total.
        let units = s.column(ColumnKind::Unit).is_some();
        let total_row = match &s.total_label {
            _ if units => Some("预算单位合计行".to_string()),
            Some(l) => Some(format!("“{l}”行")),
            // The block's total row has no label of its own (表5 项目支出总表).
            None if s.rows_sum_to_total => Some("合计行".to_string()),
            None => None,
        };
        if let (true, Some(total_row)) =
            (s.classification.is_some() || s.rows_sum_to_total, total_row)
        {
            let what = if s.rows_sum_to_total {
                "各项目类别"
            } else {
                "各类级科目"
            };
            out.push(rule(
                format!("T{n}-COL-01"),
                SUM,
                &t,
                format!("{total_row} = {what}之和（每一金额列）"),
            ));
        }
        if s.kind == TableKind::Grid && units {
            out.push(rule(
                format!("T{n}-COL-02"),
                SUM,
                &t,
                "有多个预算单位时，部门各行 = 所属各预算单位同一行之和",
            ));
        }
        if let Some(d) = &s.difference {
            let name = |id: &str| {
                s.fixed_rows
                    .iter()
                    .find(|l| l.id == id)
                    .map_or(id.to_string(), |l| unyear(&l.label))
            };
            out.push(rule(
                format!("T{n}-YEAR-01"),
                SUM,
                &t,
                format!(
                    "{} = {} − {}（每一金额列）",
                    name(&d.result),
                    name(&d.minuend),
                    name(&d.subtrahend)
                ),
            ));
        }
        if s.kind == TableKind::Form {
            out.push(rule(
                format!("T{n}-TASK-01"),
                SUM,
                &t,
                "金额合计 = 各项任务之和（总额、其中:财政拨款、其中:其他资金）",
            ));
            out.push(rule(
                format!("T{n}-IND-01"),
                "错误",
                &t,
                "每条绩效指标都有一级、二级、三级指标和目标值",
            ));
        }
    }
    for r in &specs.layout.rules {
        let tables = r
            .tables()
            .iter()
            .map(|id| {
                specs
                    .get(id)
                    .map_or(id.to_string(), |s| format!("表{}", s.number))
            })
            .collect::<Vec<_>>()
            .join("、");
        let severity = match r.check {
            crate::layout::CheckKind::EmptyIffZero => "错误",
            _ => SUM,
        };
        let described = if r.source.is_empty() {
            r.description.clone()
        } else {
            format!("{}（出处：{}）", r.description, r.source)
        };
        out.push(rule(&r.id, severity, &tables, described));
        for u in [&r.unmatched_left, &r.unmatched_right]
            .into_iter()
            .flatten()
        {
            if let (Some(id), Some(d)) = (&u.id, &u.description) {
                if id != &r.id {
                    out.push(rule(id, "错误", &tables, d));
                }
            }
        }
    }
    if specs
        .layout
        .rules
        .iter()
        .any(|r| r.check != crate::layout::CheckKind::EmptyIffZero)
    {
        out.push(rule(
            super::cross::UNIT_RULE,
            "错误",
            "表间规则所比较的表",
            "一张表的数约为与之勾稽的表对应数的 10,000 倍（或万分之一）：疑似以元填报而表头标明万元",
        ));
    }
    let coded = specs
        .tables
        .iter()
        .filter(|s| s.classification.is_some() && s.row_key == RowKey::Code)
        .map(|s| format!("表{}", s.number))
        .collect::<Vec<_>>()
        .join("、");
    out.extend([
        rule(
            "C-CODE-01",
            "提示",
            &coded,
            "科目编码不在科目目录中（可能是新增科目）",
        ),
        rule("C-NAME-01", "警告", &coded, "科目名称与科目目录不一致"),
        rule(
            super::names::RULE,
            "错误",
            &coded,
            "同一科目编码在各表的名称不一致（报在少数表一方；持平时以科目目录为准）",
        ),
        rule(
            "S-TEXT-LONG",
            "错误",
            "全部",
            "文字超过 Excel 单元格的上限（32,767 个字符）",
        ),
    ]);
    // The written part's rules, where the layout says how a 说明 names its figures.
    if !specs.layout.narrative.figures.is_empty() {
        let texts: Vec<&str> = specs
            .layout
            .text_sheets
            .iter()
            .filter(|t| t.narrative)
            .map(|t| t.name.as_str())
            .collect();
        let where_ = if texts.is_empty() {
            "说明（--narrative）".to_string()
        } else {
            format!("说明（--narrative）及工作表{}", texts.join("、"))
        };
        for r in crate::narrate::check::RULES
            .iter()
            .chain(crate::narrate::document::RULES.iter())
        {
            out.push(rule(r.id, r.severity.label(), &where_, r.description));
        }
    }
    out
}

/// The catalogues of `layouts` as the Markdown of `docs/rules.md`: one
/// section per layout.
pub fn markdown(layouts: &[SpecSet]) -> String {
    let mut s = String::from(
        "# 核对规则 / Validation rules\n\n\
         由 `budget-tables rules` 生成（`--layout ID` 只列一个版式）；表内求和规则写在各版式目录 `templates/<版式>/*.toml` 的 \
         `[[sums]]` 中，表间规则写在该目录的 `layout.toml` 的 `[[rules]]` 中。\n\
         Generated by `budget-tables rules`; sum rules are declared in the table specs, cross-table rules in each layout's `layout.toml`.\n\n\
         尾数差异：公开数字四舍五入到分，求和可能差几分。差额不超过 0.01 ×（加数个数 − 1）、且至少 0.01 时为警告（尾数差异），超过为错误；\
         步长可用 `--rounding-step` 调整。\n",
    );
    for specs in layouts {
        let l = &specs.layout;
        s.push_str(&format!(
            "\n## {}（`{}`）\n\n{}，{}，{}口径，{} 张表。\n\n| 规则 | 级别 | 涉及的表 | 内容 |\n| --- | --- | --- | --- |\n",
            l.name,
            l.id,
            l.region,
            l.kind,
            l.scope,
            specs.tables.len()
        ));
        for r in catalogue(specs) {
            s.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                r.id, r.severity, r.tables, r.description
            ));
        }
    }
    s.push_str(&peers_markdown());
    s
}

/// One rule of a peer system, by its meaning, with the rules of ours that
/// check the same (`src/validate/peer_rules.toml`).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerRule {
    pub rule: String,
    pub ours: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(serde::Deserialize)]
struct PeerRules {
    peer: Vec<PeerRule>,
}

/// The peer systems' rules and ours that correspond.
pub fn peer_rules() -> Vec<PeerRule> {
    toml::from_str::<PeerRules>(include_str!("peer_rules.toml"))
        .map(|p| p.peer)
        .unwrap_or_default()
}

fn peers_markdown() -> String {
    let mut s = String::from(
        "\n## 与同类系统规则的对应\n\n\
         同类系统 GovBudgetChecker（核对已公开的预算、决算 PDF，规则文件 v3_3）的规则，按含义列出本工具中对应的规则\
         （`src/validate/peer_rules.toml`）。\n\n| 同类系统的规则 | 本工具的规则 | 说明 |\n| --- | --- | --- |\n",
    );
    for p in peer_rules() {
        let ours = if p.ours.is_empty() {
            "—".to_string()
        } else {
            p.ours
                .iter()
                .map(|o| format!("`{o}`"))
                .collect::<Vec<_>>()
                .join("、")
        };
        s.push_str(&format!(
            "| {} | {ours} | {} |\n",
            p.rule,
            p.note.as_deref().unwrap_or("")
        ));
    }
    s
}
