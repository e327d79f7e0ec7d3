//! The headline figures and their official-style sentences:
//! “2024年…部门预算收入44,972.11万元,较2023年年初预算减少24,701.58万元,下降35.5%。”

use crate::amount::{grouped, Amount};
use crate::layout::{CellRef, Sentences};
use crate::model::Budget;
use crate::narrate::figures::sum_of;
use crate::spec::SpecSet;

use super::{Change, Headline, Rate};

/// An amount as the published text prints it: trailing zeros dropped
/// (110.30 → 110.3, 56.00 → 56), grouped in thousands where the layout's
/// texts group them (44,972.11).
pub fn amount_text(a: Amount, grouping: bool) -> String {
    let g = if grouping {
        grouped(a.abs())
    } else {
        a.abs().to_string()
    };
    match g.split_once('.') {
        Some((int, frac)) if frac.trim_end_matches('0').is_empty() => int.to_string(),
        Some((int, frac)) => format!("{int}.{}", frac.trim_end_matches('0')),
        None => g,
    }
}

/// An amount with exactly `decimals` decimals (`0.00`), grouped or not.
pub fn amount_text_fixed(a: Amount, grouping: bool, decimals: u32) -> String {
    let v = Amount::exact(a.value().abs().round_dp(decimals)).unwrap_or(a);
    let g = if grouping { grouped(v) } else { v.to_string() };
    let (int, frac) = g.split_once('.').unwrap_or((&g, ""));
    let mut frac: String = frac.chars().take(decimals as usize).collect();
    while frac.len() < decimals as usize {
        frac.push('0');
    }
    if frac.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{frac}")
    }
}

/// A rate as printed: one decimal, `.0` dropped (24.0 → 24).
pub fn rate_text(r: rust_decimal::Decimal) -> String {
    let s = r.abs().to_string();
    s.strip_suffix(".0").unwrap_or(&s).to_string()
}

/// The sentence of a figure in both years, in the layout's patterns
/// (`{year}年{subject}{current}万元,较{prior_year}年年初预算减少{change}万元,下降{rate}%。`).
pub fn sentence(
    p: &Sentences,
    subject: &str,
    (year, prior_year): (i32, i32),
    c: &Change,
    decimals: Option<u32>,
) -> String {
    let delta = c.change.unwrap_or(Amount::ZERO);
    let pattern = match (c.prior, c.current) {
        (None, None) => return String::new(),
        (Some(_), None) => &p.gone,
        _ if delta.is_zero() => &p.same,
        _ => match c.rate {
            Rate::New => &p.new,
            _ if delta.value().is_sign_negative() => &p.down,
            _ => &p.up,
        },
    };
    let text = |a: Option<Amount>| {
        a.map_or(String::new(), |a| match decimals {
            Some(d) => amount_text_fixed(a, p.grouping, d),
            None => amount_text(a, p.grouping),
        })
    };
    let rate = match c.rate {
        Rate::Percent(r) => rate_text(r),
        _ => String::new(),
    };
    pattern
        .replace("{subject}", subject)
        .replace("{prior_year}", &prior_year.to_string())
        .replace("{year}", &year.to_string())
        .replace("{current}", &text(c.current))
        .replace("{prior}", &text(c.prior))
        .replace("{change}", &text(Some(delta)))
        .replace("{rate}", &rate)
}

/// The headline figures of 总览, as the layout declares them, in its order.
pub fn headlines(prior: &Budget, current: &Budget, specs: &SpecSet) -> Vec<Headline> {
    let d = &current.department;
    let mut out = Vec::new();
    for h in &specs.layout.headlines {
        let mut push = |label: String, subject: String, cells: &[CellRef]| {
            let change = Change::with_rate_decimals(
                sum_of(cells, prior, specs),
                sum_of(cells, current, specs),
                specs.layout.sentences.rate_decimals,
            );
            let sentence = sentence(
                &specs.layout.sentences,
                &subject,
                (current.year, prior.year),
                &change,
                h.decimals,
            );
            out.push(Headline {
                label,
                change,
                sentence,
                total: h.total,
            });
        };
        match &h.each_row {
            None => push(
                h.label.clone(),
                h.subject.replace("{department}", d),
                &h.cells,
            ),
            Some(set) => {
                // Each row of either year, this year's order first.
                let mut rows: Vec<(String, String)> = Vec::new();
                for b in [current, prior] {
                    for r in b
                        .grid(&set.table)
                        .and_then(|g| g.blocks.first())
                        .into_iter()
                        .flat_map(|blk| &blk.rows)
                    {
                        if !rows.iter().any(|(k, _)| *k == r.key) {
                            rows.push((r.key.clone(), r.name.clone()));
                        }
                    }
                }
                for (key, name) in rows {
                    let cell = CellRef {
                        table: set.table.clone(),
                        line: None,
                        row: Some(key),
                        row_name: None,
                        task: None,
                        sum: false,
                        col: set.col.clone(),
                    };
                    let fill = |t: &str| t.replace("{name}", &name).replace("{department}", d);
                    push(
                        fill(&h.label),
                        fill(&h.subject),
                        std::slice::from_ref(&cell),
                    );
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> Option<Amount> {
        Some(Amount::exact(s.parse().unwrap()).unwrap())
    }

    fn shenzhen() -> Sentences {
        crate::spec::SpecSet::builtin().unwrap().layout.sentences
    }

    fn sentence(subject: &str, year: i32, prior: i32, c: &Change) -> String {
        super::sentence(&shenzhen(), subject, (year, prior), c, None)
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
            amount_text(Amount::exact("110.30".parse().unwrap()).unwrap(), true),
            "110.3"
        );
        assert_eq!(
            amount_text(Amount::exact("100.00".parse().unwrap()).unwrap(), true),
            "100"
        );
        assert_eq!(
            amount_text(Amount::exact("-24701.58".parse().unwrap()).unwrap(), true),
            "24,701.58"
        );
    }
}
