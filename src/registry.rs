//! The rule catalogue: every rule id a layout's input can be reported
//! under, with its severity, the tables it concerns and what it checks —
//! a loop over the declarations of each stage ([`crate::rule::Rule`]) and
//! the layout's own (its sums and cross-table rules). `docs/rules.md` is
//! this catalogue as Markdown (a test keeps them equal).

use crate::rule::{Rule, Scope};
use crate::spec::{SpecSet, TableKind, TableSpec};

/// One rule.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RuleInfo {
    /// The rule id (`T3-ROW-01`, `X-TOTAL-01`).
    pub id: String,
    /// 错误 / 警告 / 提示; sums are 错误 beyond the rounding envelope, 警告 (尾数差异) within.
    pub severity: &'static str,
    /// The tables it applies to, as printed.
    pub tables: String,
    /// What it checks.
    pub description: String,
}

const SUM: &str = "错误（差额在尾数范围内为警告）";

fn info(
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

/// The labels of `ids` joined as a sum (`基本支出 + 项目支出`).
fn joined(spec: &TableSpec, ids: &[String]) -> String {
    ids.iter()
        .map(|p| label(spec, p))
        .collect::<Vec<_>>()
        .join(" + ")
}

use crate::validate::rules::label;

/// The entry of a rule of the code for a layout: none when it does not apply.
/// (A [`Scope::Table`] rule gives one per table, see [`table_entries`].)
fn entry(specs: &SpecSet, r: &Rule, text_where: &str) -> Option<RuleInfo> {
    let (tables, description) = match r.scope {
        Scope::All => ("全部".to_string(), r.description.to_string()),
        Scope::Tables(pick) => (
            crate::rule::tables_where(specs, |s| pick(specs, s))?,
            r.description.to_string(),
        ),
        Scope::Layout(f) => {
            let (t, d) = f(specs)?;
            (
                t,
                if d.is_empty() {
                    r.description.to_string()
                } else {
                    d
                },
            )
        }
        Scope::Text => (text_where.to_string(), r.description.to_string()),
        Scope::Table(_) => return None,
    };
    Some(info(r.id, r.severity_label(), tables, description))
}

/// The entries of one table: its rules of the code, the sums its spec
/// declares right after the first.
fn table_entries(specs: &SpecSet, s: &TableSpec, out: &mut Vec<RuleInfo>) {
    let t = format!("表{}", s.number);
    for (k, r) in crate::validate::rules::TABLE_RULES.iter().enumerate() {
        if let Scope::Table(describe) = r.scope {
            if let Some(d) = describe(specs, s) {
                out.push(info(r.id_for(s.number), r.severity_label(), &t, d));
            }
        }
        if k == 0 {
            declared_sums(s, &t, out);
        }
    }
}

/// The sums a table's spec declares.
fn declared_sums(s: &TableSpec, t: &str, out: &mut Vec<RuleInfo>) {
    for r in &s.sums {
        let scope = match s.kind() {
            TableKind::TwoSided => "",
            TableKind::Grid => "每一行：",
            TableKind::Form => "每项任务及金额合计行：",
        };
        out.push(info(
            &r.id,
            SUM,
            t,
            format!(
                "{scope}{} {} {}",
                label(s, &r.total),
                r.relation.sign(),
                joined(s, &r.parts)
            ),
        ));
    }
    let none = Vec::new();
    for (rules, scope, note) in [
        (
            s.two_sided().map_or(&none, |t| &t.column_sums),
            "支出栏每一行：",
            "",
        ),
        (
            s.grid().map_or(&none, |g| &g.row_sums),
            "每一金额列：",
            "（表中有则计入）",
        ),
    ] {
        for r in rules {
            let sum = format!(
                "{} {} {}",
                label(s, &r.total),
                r.relation.sign(),
                joined(s, &r.parts)
            );
            out.push(info(&r.id, SUM, t, format!("{scope}{sum}{note}")));
        }
    }
    for r in s.grid().map_or(&[][..], |g| &g.rates) {
        let (rate, base) = (label(s, &r.rate), label(s, &r.base));
        out.push(info(
            &r.id,
            "错误",
            t,
            format!(
                "每一行：{rate} = {} ÷ {base} × 100（保留 {} 位小数，末位差 1 不计；{base}为 0 或空白时空着）",
                label(s, &r.of),
                r.decimals
            ),
        ));
    }
}

/// The cross-table rules the layout declares.
fn declared_cross(specs: &SpecSet, out: &mut Vec<RuleInfo>) {
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
        let severity = if r.compares() { SUM } else { "错误" };
        let described = if r.source().is_empty() {
            r.description().to_string()
        } else {
            format!("{}（出处：{}）", r.description(), r.source())
        };
        out.push(info(r.id(), severity, &tables, described));
        if let crate::layout::CrossRule::Rows(rows) = r {
            for u in [&rows.unmatched_left, &rows.unmatched_right]
                .into_iter()
                .flatten()
            {
                if let (Some(id), Some(d)) = (&u.id, &u.description) {
                    if id != &rows.id {
                        out.push(info(id, "错误", &tables, d));
                    }
                }
            }
        }
    }
}

/// Where a layout's 说明 is checked (`说明（--narrative）及工作表…`).
fn text_where(specs: &SpecSet) -> String {
    let texts: Vec<&str> = specs
        .layout
        .text_sheets
        .iter()
        .filter(|t| t.narrative)
        .map(|t| t.name.as_str())
        .collect();
    if texts.is_empty() {
        "说明（--narrative）".to_string()
    } else {
        format!("说明（--narrative）及工作表{}", texts.join("、"))
    }
}

/// Every rule of a layout: the reader's, table by table, then the
/// cross-table and catalogue rules, then those of the written part (where
/// the layout says how a 说明 names its figures).
pub fn catalogue(specs: &SpecSet) -> Vec<RuleInfo> {
    let text = text_where(specs);
    let mut out: Vec<RuleInfo> = crate::read::rules::RULES
        .iter()
        .filter_map(|r| entry(specs, r, &text))
        .collect();
    for s in &specs.tables {
        table_entries(specs, s, &mut out);
    }
    declared_cross(specs, &mut out);
    out.extend(
        crate::validate::rules::LAYOUT_RULES
            .iter()
            .filter_map(|r| entry(specs, r, &text)),
    );
    if !specs.layout.narrative.figures.is_empty() {
        out.extend(
            crate::narrate::rules::RULES
                .iter()
                .filter_map(|r| entry(specs, r, &text)),
        );
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
    let mut listed = std::collections::HashSet::new();
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
            listed.insert(r.id);
        }
    }
    s.push_str(&peers_markdown(&listed));
    s
}

/// One rule of a peer system, by its meaning, with the rules of ours that
/// check the same (`src/validate/peer_rules.toml`).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerRule {
    /// The other tool's rule, as its documents name it.
    pub rule: String,
    /// Our rule ids that check the same.
    pub ours: Vec<String>,
    #[serde(default)]
    /// How ours differ, if they do.
    pub note: Option<String>,
}

#[derive(serde::Deserialize)]
struct PeerRules {
    peer: Vec<PeerRule>,
}

/// The peer systems' rules and ours that correspond.
pub fn peer_rules() -> Vec<PeerRule> {
    toml::from_str::<PeerRules>(include_str!("validate/peer_rules.toml"))
        .map(|p| p.peer)
        .unwrap_or_default()
}

/// The peer table, naming only our rules that the layouts listed have
/// (`rules --layout X` does not name another layout's rule ids).
fn peers_markdown(listed: &std::collections::HashSet<String>) -> String {
    let mut s = String::from(
        "\n## 与同类系统规则的对应\n\n\
         同类系统 GovBudgetChecker（核对已公开的预算、决算 PDF，规则文件 v3_3）的规则，按含义列出本工具中对应的规则\
         （`src/validate/peer_rules.toml`）。\n\n| 同类系统的规则 | 本工具的规则 | 说明 |\n| --- | --- | --- |\n",
    );
    for p in peer_rules() {
        let ours: Vec<String> = p
            .ours
            .iter()
            .filter(|o| listed.contains(*o))
            .map(|o| format!("`{o}`"))
            .collect();
        let ours = if ours.is_empty() {
            "—".to_string()
        } else {
            ours.join("、")
        };
        s.push_str(&format!(
            "| {} | {ours} | {} |\n",
            p.rule,
            p.note.as_deref().unwrap_or("")
        ));
    }
    s
}
