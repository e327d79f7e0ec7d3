//! Validation of a read budget: the accounting identities inside each table,
//! the classification hierarchy, cross-table consistency and the catalogue of
//! codes. Sum rules are data in the specs; the rest lives here.
//!
//! Published figures are rounded to 0.01 万元, so a sum may be off by a cent
//! per addend: a difference inside the rounding envelope,
//! `step × (addends − 1)` and at least `step`, is a 尾数差异 warning; beyond
//! it, an error.

mod blanks;
mod cross;
mod names;
pub mod rules;
mod tables;
mod text;

use rust_decimal::Decimal;

use crate::amount::{grouped, Amount};
pub use crate::catalogue;
use crate::catalogue::Catalogue;
use crate::diag::{Diagnostic, Severity};
use crate::model::Budget;
use crate::source::{CellKey, SourceMap};
use crate::spec::{Relation, SpecSet, TableSpec, Unit};

/// How strictly to check.
#[derive(Debug, Clone)]
pub struct Options {
    /// Rounding step of published figures (0.01 万元).
    pub step: Decimal,
    /// The code↔name catalogue the names are checked against.
    pub catalogue: Catalogue,
}

impl Options {
    /// # Errors
    /// When the shipped catalogue is malformed (a build defect).
    pub fn builtin() -> Result<Options, catalogue::CatalogueError> {
        Ok(Options {
            step: Decimal::new(1, 2),
            catalogue: Catalogue::builtin()?,
        })
    }

    /// The options for a layout: its own classification codes added to the
    /// catalogue when it has a file of them.
    pub fn for_layout(&self, specs: &SpecSet) -> std::borrow::Cow<'_, Options> {
        use std::borrow::Cow;
        match self.catalogue.for_layout(specs.catalogue.as_deref()) {
            Cow::Owned(catalogue) => Cow::Owned(Options {
                step: self.step,
                catalogue,
            }),
            Cow::Borrowed(_) => Cow::Borrowed(self),
        }
    }
}

/// Checks `budget` and returns the findings, errors first within each table.
///
/// # Examples
/// ```no_run
/// use budget_tables::{read, spec::SpecSet, validate};
/// let specs = SpecSet::builtin()?;
/// let out = read::read_path("samples/shenzhen-zwfw-2024.xlsx".as_ref(), &specs)?;
/// let findings = validate::validate(&out.budget, &specs, &out.sources, &validate::Options::builtin()?);
/// assert!(!budget_tables::diag::has_errors(&findings));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn validate(
    budget: &Budget,
    specs: &SpecSet,
    sources: &SourceMap,
    opts: &Options,
) -> Vec<Diagnostic> {
    let mut v = Checker {
        budget,
        specs,
        sources,
        opts,
        out: Vec::new(),
    };
    for spec in &specs.tables {
        crate::cancel::checkpoint();
        if budget.tables.contains_key(&spec.id) {
            tables::check(&mut v, spec);
        }
    }
    crate::cancel::checkpoint();
    cross::check(&mut v);
    names::check(&mut v);
    text::check(&mut v);
    suspects(&mut v.out);
    unknown_codes_per_table(v.out)
}

/// How many codes a grouped not-in-catalogue notice names before `等`.
const CODES_LISTED: usize = 10;

/// A 财政局's table of codes the catalogue lacks (20106 财政事务 and its 项)
/// gets one notice naming them all, not one notice per code; every code's
/// cell stays in `cells`.
fn unknown_codes_per_table(found: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let id = rules::NOT_IN_CATALOGUE.id;
    let mut per_table: std::collections::HashMap<Option<String>, Vec<usize>> =
        std::collections::HashMap::new();
    for (i, d) in found.iter().enumerate().filter(|(_, d)| d.rule == id) {
        per_table.entry(d.table.clone()).or_default().push(i);
    }
    per_table.retain(|_, v| v.len() > 1);
    if per_table.is_empty() {
        return found;
    }
    let mut merged: std::collections::HashMap<usize, Diagnostic> = std::collections::HashMap::new();
    let mut dropped = std::collections::HashSet::new();
    for idx in per_table.values() {
        let names: Vec<String> = idx
            .iter()
            .map(|&i| found[i].row_label.clone().unwrap_or_default())
            .collect();
        let mut d = found[idx[0]].clone();
        let listed = names
            .iter()
            .take(CODES_LISTED)
            .cloned()
            .collect::<Vec<_>>()
            .join("、");
        let more = if names.len() > CODES_LISTED {
            "等"
        } else {
            ""
        };
        d.message = format!(
            "{} 个科目编码不在科目目录中，未能核对名称：{listed}{more}",
            names.len()
        );
        d.row_label = None;
        d.actual = Some(names.join("、"));
        d.cells = idx.iter().flat_map(|&i| found[i].cells.clone()).collect();
        merged.insert(idx[0], d);
        dropped.extend(idx[1..].iter().copied());
    }
    found
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !dropped.contains(i))
        .map(|(i, d)| merged.remove(&i).unwrap_or(d))
        .collect()
}

/// A wrong figure usually breaks several identities at once (its row and its
/// column); the cell shared by the most broken ones is named as the suspect.
fn suspects(found: &mut [Diagnostic]) {
    let mut count: foldhash::HashMap<&crate::source::Loc, usize> = foldhash::HashMap::default();
    for d in found.iter().filter(|d| d.severity == Severity::Error) {
        for c in &d.cells {
            *count.entry(c).or_default() += 1;
        }
    }
    let picks: Vec<Option<String>> = found
        .iter()
        .map(|d| {
            if d.severity != Severity::Error {
                return None;
            }
            let best = d.cells.iter().map(|c| count[c]).max()?;
            let top: Vec<&crate::source::Loc> =
                d.cells.iter().filter(|c| count[*c] == best).collect();
            (best >= 2 && top.len() == 1).then(|| top[0].to_string())
        })
        .collect();
    for (d, s) in found.iter_mut().zip(picks) {
        // A rule that knows its suspect (a missing row's place, a cell typed
        // in 元) keeps it.
        let Some(s) = s.filter(|_| d.suspect.is_none()) else {
            continue;
        };
        // A finding at a cell that agrees with the other tables leads with
        // the one that does not, so nobody edits the right figure.
        if d.location().as_deref() != Some(s.as_str()) {
            d.message = format!("最可能出错的是 {s}，不是本格：{}", d.message);
        }
        d.suspect = Some(s);
    }
}

/// One operand of a sum, with its label for messages.
pub(crate) struct Term<'a> {
    /// Borrowed where it can be: a big department has a term per unit, row and column.
    pub label: std::borrow::Cow<'a, str>,
    pub value: Option<Amount>,
    /// The operand's cell.
    pub key: CellKey<'a>,
    /// Its table's unit, when it may differ from the checked cell's.
    pub unit: Option<Unit>,
}

impl<'a> Term<'a> {
    pub fn new(
        label: impl Into<std::borrow::Cow<'a, str>>,
        value: Option<Amount>,
        key: CellKey<'a>,
    ) -> Term<'a> {
        Term {
            label: label.into(),
            value,
            key,
            unit: None,
        }
    }

    /// The term of a table in `unit`.
    pub fn in_unit(mut self, unit: Unit) -> Term<'a> {
        self.unit = Some(unit);
        self
    }
}

/// An amount in 万元, converted as published (half up to 0.01 万元).
fn in_wan(a: Amount, unit: Unit) -> Amount {
    match unit {
        Unit::Wan => a,
        Unit::Yuan => Amount::round(a.value() / Decimal::from(10_000)),
    }
}

/// The reader's findings followed by the validator's, without a 未填写 finding
/// on a cell the reader already reported (an unreadable amount is not blank).
pub fn combine(read: Vec<Diagnostic>, validation: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let flagged: std::collections::HashSet<(Option<String>, Option<String>)> = read
        .iter()
        .filter(|d| d.cell.is_some())
        .map(|d| (d.sheet.clone(), d.cell.clone()))
        .collect();
    // The reader's findings go in front of the checker's, in the checker's
    // buffer: hundreds of thousands of findings are not copied into a second one.
    let mut all = validation;
    all.retain(|d| {
        !(d.rule.contains("-BLANK-") && flagged.contains(&(d.sheet.clone(), d.cell.clone())))
    });
    all.splice(0..0, read);
    blanks::group(all)
}

/// The one operand of a broken sum in a 万元 table that, divided by 10,000,
/// makes it hold within `envelope`: (0 for the total, i + 1 for part i, its
/// value). None when no operand or more than one does.
fn unit_slip(
    unit: Unit,
    total: Amount,
    parts: &[Term],
    zero: Option<Amount>,
    relation: Relation,
    envelope: Decimal,
) -> Option<(usize, Amount)> {
    if unit != Unit::Wan {
        return None;
    }
    let ten_thousand = Decimal::from(10_000);
    let values: Vec<Decimal> = std::iter::once(Some(total))
        .chain(parts.iter().map(|p| p.value.or(zero)))
        .map(|v| v.map(Amount::value))
        .collect::<Option<_>>()?;
    let fits = |i: usize| {
        let v = values[i];
        let meant = v / ten_thousand;
        // Exactly 10,000 times a figure of whole fen: 13,500 for 1.35.
        if v.abs() < Decimal::from(100) || meant.round_dp(2) != meant {
            return false;
        }
        let mut vs = values.clone();
        vs[i] = meant;
        let Some(sum) = crate::amount::checked_sum(vs[1..].iter().copied()) else {
            return false;
        };
        relation.off(vs[0] - sum) <= envelope
    };
    let found: Vec<usize> = (0..values.len()).filter(|&i| fits(i)).collect();
    match found[..] {
        [one] => Some((one, Amount::round(values[one]))),
        _ => None,
    }
}

/// True when `total (=|≥) Σ parts` holds exactly or cannot be checked (a blank
/// operand): the labels of a finding are then never built.
pub(crate) fn holds(
    zero_blanks: bool,
    total: Option<Amount>,
    parts: impl IntoIterator<Item = Option<Amount>>,
    relation: Relation,
) -> bool {
    let Some(total) = total.or(zero_blanks.then_some(Amount::ZERO)) else {
        return true;
    };
    let mut values = Vec::new();
    for p in parts {
        match p.or(zero_blanks.then_some(Amount::ZERO)) {
            Some(a) => values.push(a.value()),
            None => return true,
        }
    }
    let Some(sum) = crate::amount::checked_sum(values) else {
        return false;
    };
    match relation {
        Relation::Eq => total.value() == sum,
        Relation::Ge => total.value() >= sum,
        Relation::Le => total.value() <= sum,
    }
}

/// Where a finding points and what it is about.
pub(crate) struct Place<'s> {
    pub spec: &'s TableSpec,
    /// The cell.
    pub key: CellKey<'s>,
    pub row: String,
    pub column: String,
}

pub(crate) struct Checker<'a> {
    pub budget: &'a Budget,
    pub specs: &'a SpecSet,
    pub sources: &'a SourceMap,
    pub opts: &'a Options,
    pub out: Vec<Diagnostic>,
}

impl Checker<'_> {
    /// A finding at `place`, with its cell when the model came from a workbook.
    pub fn finding(
        &self,
        severity: Severity,
        rule: &str,
        place: &Place,
        message: String,
    ) -> Diagnostic {
        let mut d = Diagnostic::new(severity, rule, message)
            .table(place.spec.sheet_name())
            .labels(place.row.clone(), place.column.clone());
        if let Some(loc) = self.sources.get(&place.key) {
            d = d.at(&loc.sheet, loc.row, loc.col);
        }
        d
    }

    /// `'sheet'!A1` of a cell, when the model came from a workbook.
    pub fn cell(&self, key: &CellKey) -> Option<crate::source::Loc> {
        self.sources.get(key)
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.out.push(d);
    }

    /// The rounding envelope for a sum of `addends` figures of a 万元 table
    /// (`--rounding-step`, in 万元).
    pub fn envelope(&self, addends: usize) -> Decimal {
        let n = Decimal::from(addends.saturating_sub(1).max(1));
        self.opts.step * n
    }

    /// [`Checker::envelope`] for figures in `unit`: a 元 table prints its
    /// figures to the fen, so its envelope is one fen per addend whatever the
    /// 万元 step (a 540-元 slip stays an error under `--rounding-step 1000`).
    pub fn envelope_in(&self, addends: usize, unit: Unit) -> Decimal {
        match unit {
            Unit::Wan => self.envelope(addends),
            Unit::Yuan => Decimal::new(1, 2) * Decimal::from(addends.saturating_sub(1).max(1)),
        }
    }

    /// Checks `total (=|≥) Σ parts`. Blank operands are reported by the blank
    /// rule, not here. Returns false when a finding was made.
    pub fn sum(
        &mut self,
        rule: &str,
        place: &Place,
        total: Option<Amount>,
        parts: &[Term],
        relation: Relation,
        what: &str,
    ) -> bool {
        let formula = parts
            .iter()
            .map(|p| p.label.as_ref())
            .collect::<Vec<_>>()
            .join(" + ");
        self.compare(rule, place, total, parts, relation, what, &formula)
    }

    /// Checks `result = minuend − subtrahend` (表9 增减变化金额).
    pub fn difference(
        &mut self,
        rule: &str,
        place: &Place,
        result: Option<Amount>,
        minuend: Term,
        subtrahend: Term,
        what: &str,
    ) -> bool {
        let formula = format!("{} − {}", minuend.label, subtrahend.label);
        let neg = Term {
            label: subtrahend.label,
            value: subtrahend.value.map(|a| Amount::ZERO - a),
            key: subtrahend.key,
            unit: subtrahend.unit,
        };
        self.compare(
            rule,
            place,
            result,
            &[minuend, neg],
            Relation::Eq,
            what,
            &formula,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn compare(
        &mut self,
        rule: &str,
        place: &Place,
        total: Option<Amount>,
        parts: &[Term],
        relation: Relation,
        what: &str,
        formula: &str,
    ) -> bool {
        let zero = self.zero_blanks().then_some(Amount::ZERO);
        let Some(total) = total.or(zero) else {
            return true;
        };
        if parts.iter().any(|p| p.value.or(zero).is_none()) {
            return true;
        }
        // Tables of different units (元 and 万元) are compared in 万元, as the
        // published texts do; the conversion's rounding is 尾数差异.
        let unit = place.spec.unit;
        let mixed = parts.iter().any(|p| p.unit.is_some_and(|u| u != unit));
        let total = if mixed { in_wan(total, unit) } else { total };
        let sum = crate::amount::checked_sum(
            parts
                .iter()
                .filter_map(|p| {
                    let v = p.value.or(zero)?;
                    Some(if mixed {
                        in_wan(v, p.unit.unwrap_or(unit))
                    } else {
                        v
                    })
                })
                .map(Amount::value),
        )
        .unwrap_or(Decimal::MAX);
        let diff = total.value().saturating_sub(sum);
        let off = relation.off(diff);
        if off.is_zero() {
            return true;
        }
        let envelope = if mixed {
            self.envelope(parts.len().max(2))
        } else {
            self.envelope_in(parts.len().max(2), unit)
        };
        let sign = relation.sign();
        let expected = match relation {
            Relation::Eq => grouped(Amount::round(sum)),
            _ => format!("{sign} {}", grouped(Amount::round(sum))),
        };
        // A sum within one table: a whole table typed in 元 breaks only the
        // rules tying it to others, and is one X-UNIT-01 for the table.
        let within = parts.iter().all(|p| p.key.table() == place.key.table());
        let slip = (off > envelope && within)
            .then(|| unit_slip(unit, total, parts, zero, relation, envelope))
            .flatten();
        let d = if off <= envelope {
            self.finding(
                Severity::Warning,
                rule,
                place,
                format!(
                    "尾数差异：{what}应 {sign} {formula}，相差在四舍五入允许范围（±{}）内",
                    grouped(Amount::round(envelope))
                ),
            )
            .hint("各数分别四舍五入到分时会有这种差异，可以公开；如能调整，请使合计与分项一致")
        } else if let Some((at, typed)) = slip {
            let key = if at == 0 {
                &place.key
            } else {
                &parts[at - 1].key
            };
            return self.slipped(rule, place, key, typed, what, formula, total, sum);
        } else {
            self.finding(
                Severity::Error,
                rule,
                place,
                format!("{what}应 {sign} {formula}"),
            )
            .hint("请核对该数及其各分项，修改错误的数字")
        };
        let mut d = d
            .expected(expected)
            .actual(grouped(total))
            .difference(grouped(Amount::round(diff)));
        if mixed {
            d.message
                .push_str("（以元为单位的表已换算为万元比较，四舍五入到分）");
        }
        d.cells = std::iter::once(&place.key)
            .chain(parts.iter().map(|p| &p.key))
            .filter_map(|k| self.cell(k))
            .collect();
        self.push(d);
        false
    }

    /// A broken sum whose operand `key` holds `typed`, 10,000 times what
    /// makes the sum hold: that cell was typed in 元 in a 万元 table. The sum's
    /// finding leads with it (its suspect, its fix), and the cell gets one
    /// X-UNIT-01 of its own, so no one edits the right total.
    #[allow(clippy::too_many_arguments)]
    fn slipped(
        &mut self,
        rule: &str,
        place: &Place,
        key: &CellKey,
        typed: Amount,
        what: &str,
        formula: &str,
        total: Amount,
        sum: Decimal,
    ) -> bool {
        let meant = grouped(Amount::round(typed.value() / Decimal::from(10_000)));
        let loc = self.cell(key);
        let at = loc
            .as_ref()
            .map_or_else(|| "该格".to_string(), ToString::to_string);
        let own = loc
            .as_ref()
            .is_some_and(|l| *key == place.key || self.cell(&place.key).as_ref() == Some(l));
        let sign = Relation::Eq.sign();
        let mut d = self
            .finding(Severity::Error, rule, place, format!("{what}应 {sign} {formula}"))
            .expected(grouped(Amount::round(sum)))
            .actual(grouped(total))
            .difference(grouped(Amount::round(total.value().saturating_sub(sum))))
            .hint(format!(
                "请先把 {at} 的 {} 改为 {meant}（本表单位为万元，该格疑似以元填写）；改正后本行相符",
                grouped(typed)
            ));
        if !own {
            d.message = format!(
                "最可能出错的是 {at}（疑似以元填写），不是本格：{}",
                d.message
            );
        }
        d.suspect = loc.as_ref().map(ToString::to_string);
        d.cells = loc.iter().cloned().collect();
        self.push(d);
        let told = self.out.iter().any(|x| {
            x.rule == rules::YUAN_SLIP.id
                && loc.is_some()
                && x.suspect.as_deref() == Some(at.as_str())
        });
        if !told {
            let mut slip = rules::YUAN_SLIP
                .finding(format!(
                    "疑似以元填写：{at} 为 {}，是按万元应填的 {meant} 的 10,000 倍；按 {meant} 时{what}相符",
                    grouped(typed)
                ))
                .table(place.spec.sheet_name())
                .expected(meant.clone())
                .actual(grouped(typed))
                .hint(format!("本表单位为万元，请把该格改为 {meant}"));
            if let Some(l) = &loc {
                slip = slip.at(&l.sheet, l.row, l.col);
                slip.suspect = Some(at.clone());
                slip.cells = vec![l.clone()];
            }
            self.push(slip);
        }
        false
    }

    /// Whether the layout prints a zero as a blank cell (`blank_is_zero`).
    pub fn zero_blanks(&self) -> bool {
        self.specs.layout.blank_is_zero
    }

    /// Reports a required amount left blank (blank is not zero).
    pub fn blank(&mut self, place: &Place) {
        if self.zero_blanks() {
            return;
        }
        let rule = rules::BLANK.id_for(place.spec.number);
        // No cell at all: the row itself was not found (missing, or its name mistyped).
        let d = if self.cell(&place.key).is_none() && !place.row.is_empty() {
            self.finding(
                Severity::Error,
                &rule,
                place,
                format!("表中找不到“{}”这一行：该行缺失，或项目名称写错", place.row),
            )
            .expected(format!("“{}”行及其金额", place.row))
            .actual("没有该行")
            .hint(format!(
                "请按模板补上“{}”行，或把写错的项目名称改为“{}”",
                place.row, place.row
            ))
        } else {
            self.finding(Severity::Error, &rule, place, "金额未填写".into())
                .expected("一个金额（没有发生额请填写 0）")
                .actual("空白")
                .hint("空白表示“未填写”，不等于 0；没有发生额请填写 0")
        };
        self.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_grows_with_addends() {
        let specs = SpecSet::builtin().unwrap();
        let b = Budget::new(&specs, String::new(), 2024);
        let src = SourceMap::default();
        let opts = Options::builtin().unwrap();
        let c = Checker {
            budget: &b,
            specs: &specs,
            sources: &src,
            opts: &opts,
            out: vec![],
        };
        assert_eq!(c.envelope(1), Decimal::new(1, 2));
        assert_eq!(c.envelope(2), Decimal::new(1, 2));
        assert_eq!(c.envelope(6), Decimal::new(5, 2));
    }
}
