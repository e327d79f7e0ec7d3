//! Money: [`Amount`] is a `Decimal` in 万元 that always carries exactly two
//! decimals, and the parsers that turn what people type into one.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use unicode_normalization::UnicodeNormalization;

/// An amount in 万元 with exactly two decimals.
///
/// Serialized as a JSON string (`"44037.77"`) so no float ever touches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(Decimal);

/// The largest magnitude an amount may have, in the unit of its table: 10^15.
/// No budget comes near it (a whole country's budget is about 10^13 元), and
/// sums of up to 10^13 such amounts still fit in a `Decimal`, so arithmetic on
/// amounts that passed this check cannot overflow.
pub const MAX_ABS: Decimal = Decimal::from_parts(0xA4C6_8000, 0x3_8D7E, 0, false, 0);

impl Amount {
    /// Zero 元 / 万元.
    pub const ZERO: Amount = Amount(Decimal::ZERO);

    /// True when the amount is within [`MAX_ABS`].
    pub fn within_limit(d: Decimal) -> bool {
        d.abs() <= MAX_ABS
    }

    /// `self + o`, `None` on overflow.
    pub fn checked_add(self, o: Amount) -> Option<Amount> {
        self.0.checked_add(o.0).map(Amount::round)
    }

    /// Rounds half away from zero (四舍五入) to two decimals.
    pub fn round(d: Decimal) -> Amount {
        let mut r = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        r.rescale(2);
        Amount(r)
    }

    /// Exact: `None` when `d` has more than two significant decimals.
    pub fn exact(d: Decimal) -> Option<Amount> {
        let r = Amount::round(d);
        (r.0 == d).then_some(r)
    }

    /// The exact decimal value.
    pub fn value(self) -> Decimal {
        self.0
    }

    /// The amount without its sign.
    pub fn abs(self) -> Amount {
        Amount(self.0.abs())
    }

    /// Whether the amount is exactly zero.
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// The nearest `f64`, for writing a spreadsheet number cell. Two-decimal
    /// values below 2^53/100 come back exactly through the shortest round trip.
    pub fn to_f64(self) -> f64 {
        use rust_decimal::prelude::ToPrimitive;
        self.0.to_f64().unwrap_or(0.0)
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

// Amounts are bounded by MAX_ABS when read, so these never reach the limits
// of `Decimal`; saturating keeps a hostile model from aborting the process.
impl std::ops::Add for Amount {
    type Output = Amount;
    fn add(self, o: Amount) -> Amount {
        Amount::round(self.0.saturating_add(o.0))
    }
}

impl std::ops::Sub for Amount {
    type Output = Amount;
    fn sub(self, o: Amount) -> Amount {
        Amount::round(self.0.saturating_sub(o.0))
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let dec = Decimal::from_str(&s)
            .map_err(|_| serde::de::Error::custom(format!("金额 \"{s}\" 不是数字")))?;
        if !Amount::within_limit(dec) {
            return Err(serde::de::Error::custom(format!(
                "金额 \"{s}\" 超出上限（绝对值不超过 {MAX_ABS}）"
            )));
        }
        Amount::exact(dec)
            .ok_or_else(|| serde::de::Error::custom(format!("金额 \"{s}\" 超过两位小数")))
    }
}

/// Σ `values`, `None` on overflow (only a model that bypassed the reading
/// limits can get there).
pub fn checked_sum(values: impl IntoIterator<Item = Decimal>) -> Option<Decimal> {
    values
        .into_iter()
        .try_fold(Decimal::ZERO, rust_decimal::Decimal::checked_add)
}

/// Thousands-separator grouping used in messages: 44,037.77.
/// Characters of [`grouped`]`(a)`, without building it: column widths are
/// taken from every figure of a table.
pub fn grouped_len(a: Amount) -> usize {
    let int = a.0.trunc().abs().mantissa().unsigned_abs();
    let digits = int.checked_ilog10().map_or(1, |d| d as usize + 1);
    usize::from(a.0.is_sign_negative() && !a.0.is_zero()) + digits + (digits - 1) / 3 + 3
}

/// The amount with thousands separators and its own decimals (`1,234.50`).
pub fn grouped(a: Amount) -> String {
    let s = a.to_string();
    let (sign, s) = s.strip_prefix('-').map_or(("", s.as_str()), |r| ("-", r));
    let (int, frac) = s.split_once('.').unwrap_or((s, "00"));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}.{frac}")
}

/// [`grouped`] of a whole number: `10,000`.
pub fn grouped_whole(d: Decimal) -> String {
    let g = grouped(Amount::round(d.round()));
    g.trim_end_matches(".00").to_string()
}

/// Why a cell's text is not an amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseAmountError {
    #[error("“{0}”不是数字")]
    /// The cell holds text that is not a number.
    NotANumber(String),
    #[error("“{0}”超出可表示的金额范围")]
    /// The number is beyond what an exact decimal holds.
    Overflow(String),
    #[error("“{0}”超出金额上限（绝对值不超过 1,000,000,000,000,000）")]
    /// The number is beyond any budget figure (a typing slip).
    TooLarge(String),
}

/// Parses what people type in an amount cell: thousands separators, stray
/// inner spaces (`492. 42`), full-width digits, `(12.00)` and `−12` as
/// negatives. Blank text is `Ok(None)`: blank is not zero.
///
/// # Errors
/// [`ParseAmountError`] when the text is not a plain number.
///
/// # Examples
/// ```
/// use budget_tables::amount::parse_text;
/// use rust_decimal::Decimal;
/// assert_eq!(parse_text("44,037.77").unwrap(), Some("44037.77".parse::<Decimal>().unwrap()));
/// assert_eq!(parse_text("492. 42").unwrap(), Some("492.42".parse::<Decimal>().unwrap()));
/// assert_eq!(parse_text("  ").unwrap(), None);
/// ```
pub fn parse_text(raw: &str) -> Result<Option<Decimal>, ParseAmountError> {
    let mut s: String = raw
        .nfkc()
        .filter(|c| !c.is_whitespace() && *c != ',')
        .map(|c| if c == '\u{2212}' { '-' } else { c })
        .collect();
    if s.is_empty() {
        return Ok(None);
    }
    let mut negative = false;
    if s.starts_with('(') && s.ends_with(')') && s.len() > 2 {
        negative = true;
        s = s[1..s.len() - 1].to_string();
    }
    let plain = s
        .strip_prefix(['-', '+'])
        .unwrap_or(&s)
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.');
    if !plain
        || s.chars().filter(|c| *c == '.').count() > 1
        || !s.chars().any(|c| c.is_ascii_digit())
    {
        return Err(ParseAmountError::NotANumber(raw.trim().to_string()));
    }
    let d =
        Decimal::from_str(&s).map_err(|_| ParseAmountError::Overflow(raw.trim().to_string()))?;
    if !Amount::within_limit(d) {
        return Err(ParseAmountError::TooLarge(raw.trim().to_string()));
    }
    Ok(Some(if negative { -d } else { d }))
}

/// Converts a spreadsheet float to the shortest decimal that prints the same
/// (0.1 + 0.2 → 0.3), never keeping binary noise.
///
/// # Errors
/// [`ParseAmountError::Overflow`] for NaN, infinities and values beyond `Decimal`.
pub fn from_f64(v: f64) -> Result<Decimal, ParseAmountError> {
    use rust_decimal::prelude::FromPrimitive;
    if !v.is_finite() {
        return Err(ParseAmountError::Overflow(v.to_string()));
    }
    if let Some(d) = cents(v) {
        return Ok(d);
    }
    // `{}` on f64 prints the shortest string that round-trips.
    let shortest = format!("{v}");
    if v.abs() > 1e15 {
        return Err(ParseAmountError::TooLarge(shortest));
    }
    Decimal::from_str(&shortest)
        .or_else(|_| Decimal::from_scientific(&format!("{v:e}")))
        .ok()
        .or_else(|| Decimal::from_f64(v))
        .ok_or(ParseAmountError::Overflow(shortest))
}

/// `v` when it is the double nearest to a figure of at most two decimals (as
/// almost every amount typed in a workbook is), without formatting it: that
/// figure is then the shortest decimal that round-trips, which is what
/// [`from_f64`] returns, its trailing zeros dropped as `{}` drops them.
fn cents(v: f64) -> Option<Decimal> {
    // Below 2^53 / 1000 the doubles are far closer than a cent apart.
    if v == 0.0 || v.abs() >= 9.0e12 {
        return None;
    }
    let n = (v * 100.0).round();
    (n / 100.0 == v).then(|| Decimal::new(n as i64, 2).normalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cents_agree_with_the_shortest_round_trip() {
        let slow = |v: f64| Decimal::from_str(&format!("{v}")).unwrap();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut hits = 0;
        for i in 0..200_000u64 {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let magnitude = 10f64.powi((i % 14) as i32);
            let v = match i % 4 {
                0 => ((x >> 11) % 1_000_000_000) as f64 / 100.0,
                1 => {
                    -(((x >> 11) as f64 / (1u64 << 53) as f64) * magnitude * 100.0).round() / 100.0
                }
                2 => (x >> 11) as f64 / (1u64 << 53) as f64 * magnitude,
                _ => ((x >> 11) % 100_000) as f64 * 0.01 + 0.1,
            };
            if let Some(c) = cents(v) {
                hits += 1;
                let s = slow(v);
                assert_eq!((c, c.scale()), (s, s.scale()), "{v}");
            }
        }
        assert!(hits > 100_000, "{hits}");
        assert_eq!(cents(0.1 + 0.2), None);
        assert_eq!(cents(-0.0), None);
        assert_eq!(from_f64(-0.0).unwrap().to_string(), slow(-0.0).to_string());
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn grouped_len_is_the_length_of_grouped() {
        let mut cases: Vec<Amount> = [
            "0",
            "-0.00",
            "0.05",
            "-0.5",
            "9.99",
            "999.99",
            "1000",
            "-1000.01",
            "44037.77",
            "123456789.12",
            "-99999999999.99",
        ]
        .iter()
        .map(|s| Amount::round(d(s)))
        .collect();
        cases.extend((-2000..2000).map(|i| Amount::round(Decimal::new(i * 7919, 2))));
        for a in cases {
            assert_eq!(grouped_len(a), grouped(a).len(), "{a}");
        }
    }

    #[test]
    fn parses_what_people_type() {
        assert_eq!(parse_text("36, 202. 77").unwrap(), Some(d("36202.77")));
        assert_eq!(
            parse_text("４４，０３７．７７").unwrap(),
            Some(d("44037.77"))
        );
        assert_eq!(parse_text("(12.50)").unwrap(), Some(d("-12.50")));
        assert_eq!(parse_text("−3").unwrap(), Some(d("-3")));
        assert_eq!(parse_text("").unwrap(), None);
        assert!(matches!(
            parse_text("约100"),
            Err(ParseAmountError::NotANumber(_))
        ));
        assert!(parse_text("1.2.3").is_err());
        assert!(parse_text("-").is_err());
        assert!(matches!(
            parse_text("99999999999999999999999999999999"),
            Err(ParseAmountError::Overflow(_))
        ));
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(Amount::round(d("2.345")).to_string(), "2.35");
        assert_eq!(Amount::round(d("-2.345")).to_string(), "-2.35");
        assert_eq!(Amount::round(d("7")).to_string(), "7.00");
        assert!(Amount::exact(d("1.234")).is_none());
    }

    #[test]
    fn floats_become_shortest_decimals() {
        assert_eq!(from_f64(0.1 + 0.2).unwrap(), d("0.30000000000000004"));
        assert_eq!(from_f64(44037.77).unwrap(), d("44037.77"));
        assert_eq!(
            Amount::round(from_f64(44037.77).unwrap()).to_f64(),
            44037.77
        );
        assert!(from_f64(f64::NAN).is_err());
    }

    #[test]
    fn grouping() {
        assert_eq!(grouped(Amount::round(d("44037.77"))), "44,037.77");
        assert_eq!(grouped(Amount::round(d("-1234567"))), "-1,234,567.00");
        assert_eq!(grouped(Amount::round(d("5"))), "5.00");
    }

    #[test]
    fn json_form_keeps_two_decimals() {
        let a = Amount::round(d("171.1"));
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"171.10\"");
        let b: Amount = serde_json::from_str("\"171.1\"").unwrap();
        assert_eq!(b.to_string(), "171.10");
        assert!(serde_json::from_str::<Amount>("\"1.005\"").is_err());
    }
}
