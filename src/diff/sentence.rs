//! The headline figures and their official-style sentences:
//! “2024年…部门预算收入44,972.11万元,较2023年年初预算减少24,701.58万元,下降35.5%。”

use crate::amount::{grouped, Amount};
use crate::model::{Amounts, Budget};
use crate::text::norm;

use super::{Change, Headline, Rate};

/// An amount as the published text prints it: grouped, trailing zeros dropped
/// (110.30 → 110.3, 56.00 → 56).
pub fn amount_text(a: Amount) -> String {
    let g = grouped(a.abs());
    match g.split_once('.') {
        Some((int, frac)) if frac.trim_end_matches('0').is_empty() => int.to_string(),
        Some((int, frac)) => format!("{int}.{}", frac.trim_end_matches('0')),
        None => g,
    }
}

/// A rate as printed: one decimal, `.0` dropped (24.0 → 24).
pub fn rate_text(r: rust_decimal::Decimal) -> String {
    let s = r.abs().to_string();
    s.strip_suffix(".0").unwrap_or(&s).to_string()
}

/// `{year}年{subject}{current}万元,较{prior}年年初预算{增加|减少}{Δ}万元,{增长|下降}{r}%。`
pub fn sentence(subject: &str, year: i32, prior_year: i32, c: &Change) -> String {
    match (c.prior, c.current) {
        (_, None) => match c.prior {
            Some(p) => format!(
                "{year}年无{subject}（{prior_year}年年初预算{}万元）。",
                amount_text(p)
            ),
            None => String::new(),
        },
        (p, Some(cur)) => {
            let head = format!("{year}年{subject}{}万元", amount_text(cur));
            let delta = c.change.unwrap_or(Amount::ZERO);
            let tail = match c.rate {
                Rate::New => "为新增".to_string(),
                Rate::Percent(r) if delta.value().is_sign_negative() => {
                    format!("下降{}%", rate_text(r))
                }
                Rate::Percent(r) => format!("增长{}%", rate_text(r)),
                Rate::None => String::new(),
            };
            if p.is_some() && delta.is_zero() {
                format!("{head},与{prior_year}年年初预算持平。")
            } else {
                let verb = if delta.value().is_sign_negative() {
                    "减少"
                } else {
                    "增加"
                };
                let tail = if tail.is_empty() {
                    String::new()
                } else {
                    format!(",{tail}")
                };
                format!(
                    "{head},较{prior_year}年年初预算{verb}{}万元{tail}。",
                    amount_text(delta)
                )
            }
        }
    }
}

fn sum(a: &Amounts, cols: &[&str]) -> Option<Amount> {
    let vals: Vec<Amount> = cols
        .iter()
        .filter_map(|c| a.get(c).copied().flatten())
        .collect();
    (!vals.is_empty()).then(|| vals.into_iter().fold(Amount::ZERO, |x, y| x + y))
}

/// 表9's current-year row of the department, the three funds of a column group
/// added; `None` when none of them is filled.
pub(crate) fn sangong(b: &Budget, group: &str) -> Option<Amount> {
    let row = b
        .grid("t09")?
        .blocks
        .first()?
        .rows
        .iter()
        .find(|r| r.key == "current")?;
    let cols: Vec<String> = ["gpb", "gov_fund", "soe_capital"]
        .iter()
        .map(|f| format!("{group}_{f}"))
        .collect();
    sum(
        &row.amounts,
        &cols.iter().map(String::as_str).collect::<Vec<_>>(),
    )
}

/// The 表4 row of a basic-expenditure class by name.
fn basic_class(b: &Budget, name: &str) -> Option<Amount> {
    b.dept("t04", &norm(name), "total")
}

/// The headline figures of 总览, in the order the published text gives them.
pub fn headlines(prior: &Budget, current: &Budget) -> Vec<Headline> {
    type Get = Box<dyn Fn(&Budget) -> Option<Amount>>;
    let d = current.department.clone();
    let mut items: Vec<(String, String, Get)> = vec![
        (
            "收入总计".into(),
            format!("{d}部门预算收入"),
            Box::new(|b| b.line("t01", "income_total", "income_amount")),
        ),
        (
            "支出总计".into(),
            format!("{d}部门预算支出"),
            Box::new(|b| b.line("t01", "expense_total", "expense_amount")),
        ),
        (
            "财政拨款收入".into(),
            "财政拨款收入".into(),
            Box::new(|b| b.line("t01", "fiscal", "income_amount")),
        ),
        (
            "上年结余、结转".into(),
            "上年结余、结转".into(),
            Box::new(|b| b.line("t01", "carry_in", "income_amount")),
        ),
        (
            "基本支出".into(),
            "基本支出".into(),
            Box::new(|b| b.dept("t04", "", "total")),
        ),
        (
            "人员支出".into(),
            "人员支出".into(),
            Box::new(|b| basic_class(b, "工资福利支出")),
        ),
        (
            "公用经费".into(),
            "公用经费".into(),
            Box::new(|b| basic_class(b, "商品和服务支出")),
        ),
        (
            "对个人和家庭的补助".into(),
            "对个人和家庭的补助支出".into(),
            Box::new(|b| basic_class(b, "对个人和家庭的补助")),
        ),
        (
            "项目支出".into(),
            "项目支出".into(),
            Box::new(|b| b.dept("t05", "", "total")),
        ),
    ];
    // Each project category of either year, this year's order first.
    let mut cats: Vec<(String, String)> = Vec::new();
    for b in [current, prior] {
        for r in b
            .grid("t05")
            .and_then(|g| g.blocks.first())
            .into_iter()
            .flat_map(|blk| &blk.rows)
        {
            if !cats.iter().any(|(k, _)| *k == r.key) {
                cats.push((r.key.clone(), r.name.clone()));
            }
        }
    }
    for (key, name) in cats {
        let k = key.clone();
        items.push((
            format!("项目支出：{name}"),
            name,
            Box::new(move |b| b.dept("t05", &k, "total")),
        ));
    }
    items.push((
        "政府采购".into(),
        "政府采购预算".into(),
        Box::new(|b| b.dept("t03", "", "procurement")),
    ));
    items.push((
        "“三公”经费".into(),
        "财政拨款“三公”经费预算".into(),
        Box::new(|b| sangong(b, "total")),
    ));
    for (label, group) in [
        ("因公出国(境)费用", "abroad"),
        ("公务接待费", "reception"),
        ("公务用车购置及运行维护费", "vehicle"),
        ("公务用车购置费", "vehicle_purchase"),
        ("公务用车运行维护费", "vehicle_operation"),
    ] {
        items.push((
            format!("“三公”经费：{label}"),
            label.to_string(),
            Box::new(move |b| sangong(b, group)),
        ));
    }
    items
        .into_iter()
        .map(|(label, subject, get)| {
            let change = Change::new(get(prior), get(current));
            let sentence = sentence(&subject, current.year, prior.year, &change);
            Headline {
                label,
                change,
                sentence,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> Option<Amount> {
        Some(Amount::exact(s.parse().unwrap()).unwrap())
    }

    #[test]
    fn official_style() {
        let c = Change::new(a("69673.69"), a("44972.11"));
        assert_eq!(
            sentence("深圳市政务服务和数据管理局(本级)部门预算收入", 2024, 2023, &c),
            "2024年深圳市政务服务和数据管理局(本级)部门预算收入44,972.11万元,较2023年年初预算减少24,701.58万元,下降35.5%。"
        );
        let c = Change::new(a("400.00"), a("304.00"));
        assert_eq!(
            sentence("预算准备金", 2024, 2023, &c),
            "2024年预算准备金304万元,较2023年年初预算减少96万元,下降24%。"
        );
        let c = Change::new(None, a("11452.25"));
        assert_eq!(
            sentence("信息化服务类项目", 2024, 2023, &c),
            "2024年信息化服务类项目11,452.25万元,较2023年年初预算增加11,452.25万元,为新增。"
        );
        let c = Change::new(a("10.00"), a("10.00"));
        assert_eq!(
            sentence("公务接待费", 2024, 2023, &c),
            "2024年公务接待费10万元,与2023年年初预算持平。"
        );
        assert_eq!(
            amount_text(Amount::exact("110.30".parse().unwrap()).unwrap()),
            "110.3"
        );
        assert_eq!(
            amount_text(Amount::exact("100.00".parse().unwrap()).unwrap()),
            "100"
        );
        assert_eq!(
            amount_text(Amount::exact("-24701.58".parse().unwrap()).unwrap()),
            "24,701.58"
        );
    }
}
