//! A figure in two years: its change and rate, and the official-style
//! sentence that states it (“2024年…部门预算收入44,972.11万元,较2023年年初预算
//! 减少24,701.58万元,下降35.5%。”). The diff, the 说明 and the batch roll-up
//! all state changes this one way.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::amount::{grouped, Amount};
use crate::layout::Sentences;

/// A figure in both years.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Last year's figure; `None` when the item was absent.
    pub prior: Option<Amount>,
    /// This year's figure; `None` when the item is absent.
    pub current: Option<Amount>,
    /// current − prior.
    pub change: Option<Amount>,
    /// The change as a rate of last year's figure.
    pub rate: Rate,
}

/// The change as a percentage of the prior figure (one decimal unless the
/// layout's sentences say otherwise).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rate {
    /// The rate in percent, exact.
    Percent(Decimal),
    /// The prior figure is 0 (or absent) and the current one is not.
    New,
    /// Neither year has a figure, or both are 0.
    None,
}

impl Serialize for Rate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Rate::Percent(p) => s.serialize_str(&p.to_string()),
            Rate::New => s.serialize_str("新增"),
            Rate::None => s.serialize_none(),
        }
    }
}

/// Reads back what [`Rate`]'s `Serialize` wrote (a batch keeps its roll-up
/// rows on disk as JSON).
impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(Rate::None),
            Some(s) if s == "新增" => Ok(Rate::New),
            Some(s) => s
                .parse()
                .map(Rate::Percent)
                .map_err(|_| serde::de::Error::custom(format!("不是增减率：{s}"))),
        }
    }
}

impl Change {
    /// The change, its rate with one decimal.
    pub fn new(prior: Option<Amount>, current: Option<Amount>) -> Change {
        Self::with_rate_decimals(prior, current, 1)
    }

    /// The change, its rate with `decimals` decimals (决算 texts print 12.08%).
    pub fn with_rate_decimals(
        prior: Option<Amount>,
        current: Option<Amount>,
        decimals: u32,
    ) -> Change {
        let p = prior.unwrap_or(Amount::ZERO);
        let c = current.unwrap_or(Amount::ZERO);
        let change = (prior.is_some() || current.is_some()).then(|| c - p);
        let rate = match (prior, current) {
            (None, None) => Rate::None,
            _ if p.is_zero() && c.is_zero() => Rate::None,
            _ if p.is_zero() => Rate::New,
            _ => match percent(p.value(), c.value(), decimals) {
                Some(r) => Rate::Percent(r),
                None => Rate::None,
            },
        };
        Change {
            prior,
            current,
            change,
            rate,
        }
    }
}

/// (current − prior) / prior in percent, `decimals` decimals, half away from
/// zero; `None` when it does not fit a `Decimal`.
fn percent(prior: Decimal, current: Decimal, decimals: u32) -> Option<Decimal> {
    let mut r = current
        .checked_sub(prior)?
        .checked_mul(Decimal::ONE_HUNDRED)?
        .checked_div(prior)?
        .round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(decimals);
    Some(r)
}

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
