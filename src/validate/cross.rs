//! Rules across tables, as the layout declares them (`[[rules]]` of its
//! `layout.toml`): cell against cells, rows against rows matched by code,
//! name or key, and a table that has figures exactly when a cell elsewhere is
//! not zero. Each finding points at the cell of the table that is checked
//! against the others.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use super::tables::{column_label, leaf_label, row_label};
use super::{Checker, Place, Term};
use rust_decimal::Decimal;

use crate::amount::Amount;
use crate::diag::Severity;
use crate::layout::{
    Blocks, CellRef, CellsRule, CrossRule, EmptyIffZeroRule, MatchBy, Policy, RowSet, RowsRule,
    Unmatched,
};
use crate::model::query::{self, FoundRow};
use crate::model::{Amounts, Table};
use crate::source::{self, CellKey, LABEL};
use crate::spec::TableSpec;
use crate::text::norm;

mod missing;

pub(crate) fn check(v: &mut Checker) {
    let specs = v.specs;
    let mut carriers = missing::Carriers::new(v);
    for rule in &specs.layout.rules {
        crate::cancel::checkpoint();
        if let Some(name) = rule.when() {
            if !condition_holds(v, name) {
                continue;
            }
        }
        match rule {
            CrossRule::Cells(r) => cells(v, r),
            CrossRule::Rows(r) => rows(v, r, &mut carriers),
            CrossRule::EmptyIffZero(r) => empty_iff_zero(v, r),
        }
    }
}

/// A named condition of the layout: every cell it lists is blank or zero.
fn condition_holds(v: &Checker, name: &str) -> bool {
    let Some(c) = v.specs.layout.conditions.get(name) else {
        return false;
    };
    // Without the table the condition reads, nothing is known: the rule waits.
    c.all_zero.iter().all(|r| match resolve(v, r) {
        Some(cell) => cell.value.is_none_or(Amount::is_zero),
        None => false,
    })
}

/// A cell a layout names, found in the model.
struct Cell<'a> {
    spec: &'a TableSpec,
    key: CellKey<'a>,
    value: Option<Amount>,
    /// How the row is printed (`本年支出合计`, `2010301 行政运行`, `合计行`).
    row: String,
    /// The column heading, empty for a line of a one-column side.
    column: String,
    /// How the cell is named in a formula (`表1“本年支出合计”`).
    label: String,
}

impl<'a> Cell<'a> {
    fn place(&self) -> Place<'a> {
        Place {
            spec: self.spec,
            key: self.key,
            row: self.row.clone(),
            column: self.column.clone(),
        }
    }

    fn term(self) -> Term<'a> {
        Term::new(self.label, self.value, self.key).in_unit(self.spec.unit)
    }
}

/// Finds the cell `r` names ([`query::cell`]), with how a finding names it;
/// `None` when its table, row or line is absent.
fn resolve<'a>(v: &Checker<'a>, r: &'a CellRef) -> Option<Cell<'a>> {
    let found = query::cell(r, v.budget, v.specs)?;
    let (spec, col, year) = (found.spec, found.col, v.budget.year);
    let n = spec.number;
    let column = || column_label(spec, col, year);
    let (row, column, label) = match found.row {
        FoundRow::Line(line) => {
            let name = column_label(spec, line, 0);
            let column = if spec.line_columns(line).len() > 1 {
                column()
            } else {
                String::new()
            };
            let label = if column.is_empty() {
                format!("表{n}“{name}”")
            } else {
                format!("表{n}“{name}”“{column}”")
            };
            (name, column, label)
        }
        FoundRow::Total(unit) => {
            let column = column();
            let label = format!("表{n}合计行“{column}”");
            (row_label(unit, None), column, label)
        }
        FoundRow::Grid(x) => {
            let column = column();
            let label = format!("表{n} {}“{column}”", x.key);
            let unit = v
                .budget
                .grid(&spec.id)
                .and_then(|g| g.blocks.first())
                .map_or("", |b| b.unit.as_str());
            (row_label(unit, Some(x)), column, label)
        }
        FoundRow::Task(_, t) => (t.name.clone(), column(), format!("表{n}任务“{}”", t.name)),
        FoundRow::Sum => {
            let column = column();
            let label = format!("表{n}“{column}”");
            let row = spec.form().map_or(String::new(), |fs| fs.sum_label.clone());
            (row, column, label)
        }
    };
    Some(Cell {
        spec,
        key: found.key,
        value: found.value,
        row,
        column,
        label,
    })
}

/// `left (=|≥|≤) Σ right`, pair by pair; a pair whose cells are absent is skipped.
fn cells<'a>(v: &mut Checker<'a>, rule: &'a CellsRule) {
    let mut scale = Scale::default();
    for pair in &rule.pairs {
        let Some(left) = resolve(v, &pair.left) else {
            continue;
        };
        let right: Option<Vec<Cell>> = pair
            .right
            .iter()
            .map(|r| resolve(v, r).or_else(|| pair.absent_is_zero.then(|| absent(v, r)).flatten()))
            .collect();
        let Some(right) = right else { continue };
        scale.add(&left, &right);
        if scale.right_place.is_none() {
            scale.right_place = right.first().map(Cell::place);
        }
        let zero_blanks = v.zero_blanks();
        if pair.skip_blank
            && right
                .iter()
                .any(|c| c.value.is_none_or(|x| zero_blanks && x.is_zero()))
        {
            continue;
        }
        let what = match &pair.what {
            Some(w) => w.clone(),
            None if left.column.is_empty() => format!("“{}”", left.row),
            None => format!("“{}”", left.column),
        };
        let place = left.place();
        // Several columns of one row read best by their leaf headings.
        let one_row = right.len() > 1
            && right
                .iter()
                .all(|c| c.spec.id == right[0].spec.id && c.row == right[0].row);
        let terms: Vec<Term> = right
            .into_iter()
            .zip(&pair.right)
            .map(|(c, r)| match (&r.col, one_row) {
                (Some(col), true) => {
                    Term::new(leaf_label(c.spec, col, v.budget.year), c.value, c.key)
                }
                _ => c.term(),
            })
            .collect();
        v.sum(&rule.id, &place, left.value, &terms, rule.relation, &what);
        scale.place.get_or_insert(place);
    }
    scale.report(v, &rule.id);
}

/// A right cell whose row the table does not list: zero, for a table that
/// lists only the rows with money (`absent_is_zero`).
fn absent<'a>(v: &Checker<'a>, r: &'a CellRef) -> Option<Cell<'a>> {
    let spec = v.specs.get(&r.table)?;
    v.budget.tables.get(&r.table)?;
    let col = r.col.as_deref()?;
    let row = r.row.as_deref().or(r.row_name.as_deref())?;
    let column = column_label(spec, col, v.budget.year);
    Some(Cell {
        spec,
        key: source::grid(&spec.id, 0, row, col),
        value: Some(Amount::ZERO),
        label: format!("表{} {row}“{column}”（未列，按 0）", spec.number),
        row: row.to_string(),
        column,
    })
}

/// The size of the figures a rule compares, left against right, in 万元: a
/// table typed in 元 under a 万元 heading is 10,000 times what the tables it
/// ties to imply, whatever the relation says.
#[derive(Default)]
struct Scale<'a> {
    left: Decimal,
    right: Decimal,
    tables: Option<(&'a TableSpec, &'a TableSpec)>,
    /// Where a finding points: the first cell compared on each side.
    place: Option<Place<'a>>,
    right_place: Option<Place<'a>>,
}

impl<'a> Scale<'a> {
    fn add(&mut self, left: &Cell<'a>, right: &[Cell<'a>]) {
        if let Some(first) = right.first() {
            self.add_values(
                (left.spec, left.value),
                first.spec,
                right.iter().map(|c| (c.value, c.spec.unit)),
            );
        }
    }

    fn add_values(
        &mut self,
        (spec, value): (&'a TableSpec, Option<Amount>),
        right_spec: &'a TableSpec,
        right: impl Iterator<Item = (Option<Amount>, crate::spec::Unit)>,
    ) {
        let wan = |a: Option<Amount>, u| a.map(|a| super::in_wan(a, u).value().abs());
        let l = wan(value, spec.unit).unwrap_or_default();
        let r: Decimal = right.filter_map(|(a, u)| wan(a, u)).sum();
        if l.is_zero() || r.is_zero() {
            return;
        }
        self.left += l;
        self.right += r;
        self.tables.get_or_insert((spec, right_spec));
    }

    /// One finding for the rule `rule` when one side is about 10,000 times the other.
    fn report(self, v: &mut Checker<'a>, rule: &str) {
        let (Some((l, r)), Some(left_place), Some(right_place)) =
            (self.tables, self.place, self.right_place)
        else {
            return;
        };
        if self.right.is_zero() || self.left.is_zero() {
            return;
        }
        let ratio = self.left / self.right;
        let (big, small, factor, place) = if is_yuan_factor(ratio) {
            (l, r, ratio, left_place)
        } else if is_yuan_factor(self.right / self.left) {
            (r, l, self.right / self.left, right_place)
        } else {
            return;
        };
        let unit = big.unit.label();
        let factor = crate::amount::grouped_whole(factor);
        let table = big.sheet_name();
        // Two rules tying the same tables see the same mistake: one finding.
        if v.out.iter().any(|d| {
            d.rule == crate::validate::rules::YUAN_SLIP.id
                && d.table.as_deref() == Some(table.as_str())
        }) {
            return;
        }
        let d = v
            .finding(
                Severity::Error,
                crate::validate::rules::YUAN_SLIP.id,
                &place,
                format!(
                    "疑似以元填报：{table} 的数约为 表{} 对应数的 {factor} 倍，而表头标明“单位：{unit}”（按 {} 比较）",
                    small.number, rule,
                ),
            )
            .expected(format!("与 表{} 同一数量级", small.number))
            .actual(format!("约 {factor} 倍"))
            .hint(format!(
                "请确认 {table} 的金额单位：如按元填写，请全部除以 10,000 后按{unit}填写"
            ));
        v.push(d);
    }
}

/// Between 10^3.5 and 10^4.5: 元 read as 万元.
fn is_yuan_factor(ratio: Decimal) -> bool {
    ratio >= Decimal::from(3_162) && ratio <= Decimal::from(31_623)
}

/// One row of a row set ([`query::rows`]): how it is matched and named.
struct RowAt<'a> {
    row: query::SetRow<'a>,
    spec: &'a TableSpec,
    /// The 预算单位 of its block (normalized), for `blocks = each`.
    unit: String,
    /// What it is matched by.
    key: String,
    code: Option<&'a str>,
    name: &'a str,
    /// How the row is printed.
    printed: String,
    amounts: &'a Amounts,
}

impl<'a> RowAt<'a> {
    fn key(&self, col: &'a str) -> CellKey<'a> {
        self.row.key_of(col)
    }

    fn column(&self, v: &Checker, col: &str) -> String {
        match self.row.at {
            query::At::Expenditure(_) if self.spec.sides()[1].1.len() < 2 => String::new(),
            _ => column_label(self.spec, col, v.budget.year),
        }
    }

    fn place(&self, v: &Checker, col: &'a str) -> Place<'a> {
        Place {
            spec: self.spec,
            key: self.key(col),
            row: self.printed.clone(),
            column: if col == LABEL {
                // The cell that names the row: its code, where the table has one.
                self.spec
                    .column(crate::spec::ColumnKind::Code)
                    .filter(|_| self.code.is_some())
                    .map_or(String::new(), |c| c.path.join("/"))
            } else {
                self.column(v, col)
            },
        }
    }
}

/// The rows of a set, in order, each with what it is matched by (rows
/// without it, such as an uncoded row matched by code, are left out).
fn rows_of<'a>(v: &Checker<'a>, set: &'a RowSet, by: MatchBy, blocks: Blocks) -> Vec<RowAt<'a>> {
    query::rows(&set.table, set.rows, blocks, v.budget, v.specs)
        .into_iter()
        .filter_map(|r| {
            let total = r.at == query::At::Grid && r.key.is_empty();
            let key = if total {
                String::new()
            } else {
                match by {
                    MatchBy::Code => r.code?.to_string(),
                    MatchBy::Name => norm(r.name),
                    MatchBy::Key => match r.at {
                        query::At::Grid => r.key.to_string(),
                        query::At::Expenditure(i) => v
                            .budget
                            .two_sided(&set.table)
                            .map_or(String::new(), |t| t.expenditure[i].key()),
                        query::At::Task(_) => norm(r.name),
                    },
                }
            };
            let key = match r.at {
                query::At::Task(_) => norm(r.name),
                _ => key,
            };
            let printed = match r.at {
                query::At::Grid => row_label(r.unit, r.grid_row),
                query::At::Expenditure(_) => match r.code {
                    Some(c) => format!("{c} {}", r.name),
                    None => r.name.to_string(),
                },
                query::At::Task(_) => r.name.to_string(),
            };
            Some(RowAt {
                spec: r.spec,
                unit: if r.at == query::At::Grid {
                    norm(r.unit)
                } else {
                    String::new()
                },
                key,
                code: r.code,
                name: r.name,
                printed,
                amounts: r.amounts,
                row: r,
            })
        })
        .collect()
}

/// `{name}`, `{code}`, `{left}`, `{right}`, `{column}`, `{row}` filled in.
fn fill(template: &str, row: &RowAt, left: &str, right: &str, column: &str) -> String {
    template
        .replace("{name}", row.name)
        .replace("{code}", row.code.unwrap_or(""))
        .replace("{left}", left)
        .replace("{right}", right)
        .replace("{column}", column)
        .replace("{row}", &row.printed)
}

/// The columns compared: (left column, right column) pairs.
fn column_pairs<'a>(left: &'a RowSet, right: &'a RowSet) -> Vec<(&'a str, &'a str)> {
    if !left.cols.is_empty() {
        return left.cols.iter().map(|c| (c.as_str(), c.as_str())).collect();
    }
    match (&left.col, &right.col) {
        (Some(l), Some(r)) => vec![(l.as_str(), r.as_str())],
        (Some(l), None) => vec![(l.as_str(), l.as_str())],
        _ => Vec::new(),
    }
}

/// Rows of one table against the rows of others, matched by code, name or key.
fn rows<'a>(v: &mut Checker<'a>, rule: &'a RowsRule, carriers: &mut missing::Carriers<'a>) {
    let left_set = &rule.left;
    if v.specs.get(&left_set.table).is_none() || !v.budget.tables.contains_key(&left_set.table) {
        return;
    }
    let sources: Vec<(&'a RowSet, Vec<RowAt<'a>>)> = rule
        .right
        .iter()
        .filter(|s| v.budget.tables.contains_key(&s.table))
        .map(|s| (s, rows_of(v, s, rule.match_by, rule.blocks)))
        .collect();
    if sources.is_empty() {
        return;
    }
    let lefts = rows_of(v, left_set, rule.match_by, rule.blocks);
    let name_of = |id: &str| {
        v.specs
            .get(id)
            .map_or(id.to_string(), |s| format!("表{}", s.number))
    };
    let left_name = name_of(&left_set.table);
    let right_name = rule
        .right
        .iter()
        .map(|s| name_of(&s.table))
        .collect::<Vec<_>>()
        .join("、");
    // Right rows by (unit, key), in the order first seen.
    let mut index: HashMap<(&str, &str), Vec<(&'a RowSet, &RowAt<'a>)>> = HashMap::new();
    let mut order: Vec<(&str, &str)> = Vec::new();
    for (set, rows) in &sources {
        for r in rows {
            let k = (unit_of(rule, r), r.key.as_str());
            let e = index.entry(k).or_default();
            if e.is_empty() {
                order.push(k);
            }
            e.push((*set, r));
        }
    }
    let units_right: HashSet<&str> = index.keys().map(|k| k.0).collect();
    let right_specs: Vec<&TableSpec> = sources
        .iter()
        .filter_map(|(s, _)| v.specs.get(&s.table))
        .collect();
    let left_spec: Vec<&TableSpec> = v.specs.get(&left_set.table).into_iter().collect();
    // The left column a missing row is judged by (its first compared one).
    let left_col = rule
        .right
        .first()
        .and_then(|r| column_pairs(left_set, r).first().map(|x| x.0))
        .unwrap_or_default();
    let mut scale = Scale::default();
    let mut seen: HashSet<(&str, &str)> = HashSet::new();
    for l in &lefts {
        let unit = unit_of(rule, l);
        if rule.blocks == Blocks::Each && !units_right.contains(unit) {
            continue;
        }
        let k = (unit, l.key.as_str());
        seen.insert(k);
        let Some(found) = index.get(&k) else {
            let id = rule
                .unmatched_left
                .as_ref()
                .and_then(|u| u.id.as_deref())
                .unwrap_or(&rule.id);
            if rule.unmatched_left.is_some() && carriers.blame(v, id, &right_specs, l, left_col) {
                continue;
            }
            unmatched_left(v, rule, l, &left_name, &right_name);
            continue;
        };
        for (lc, _) in column_pairs(left_set, found[0].0) {
            let mut terms = Vec::new();
            for (set, x) in found {
                for (c, rc) in column_pairs(left_set, set) {
                    if c == lc {
                        terms.push(term_of(v, x, rc, &l.printed));
                    }
                }
            }
            scale.add_values(
                (l.spec, l.amounts.amount(lc)),
                found[0].1.spec,
                terms
                    .iter()
                    .map(|t| (t.value, t.unit.unwrap_or(l.spec.unit))),
            );
            scale.place.get_or_insert_with(|| l.place(v, lc));
            if scale.right_place.is_none() {
                let (set, r) = found[0];
                let rc = column_pairs(left_set, set)
                    .into_iter()
                    .find(|(c, _)| *c == lc)
                    .map_or(lc, |(_, rc)| rc);
                scale.right_place = Some(r.place(v, rc));
            }
            compare_row(v, rule, l, lc, &terms, &left_name, &right_name);
        }
    }
    scale.report(v, &rule.id);
    let Some(u) = &rule.unmatched_right else {
        return;
    };
    if u.policy == Policy::Zero {
        return;
    }
    for k in order {
        if seen.contains(&k) {
            continue;
        }
        if rule.blocks == Blocks::Department || lefts.iter().any(|l| unit_of(rule, l) == k.0) {
            let (set, r) = index[&k][0];
            if u.policy == Policy::ReportNonzero {
                let col = set.col.as_deref().or(left_set.col.as_deref()).unwrap_or("");
                let zero = v.zero_blanks().then_some(Amount::ZERO);
                if r.amounts.amount(col).or(zero).is_none_or(Amount::is_zero) {
                    continue;
                }
            }
            let col = set.col.as_deref().or(left_set.col.as_deref()).unwrap_or("");
            if carriers.blame(v, u.id.as_deref().unwrap_or(&rule.id), &left_spec, r, col) {
                continue;
            }
            let place = r.place(v, LABEL);
            report(v, rule, u, r, place, &left_name, &right_name);
        }
    }
}

fn unit_of<'a>(rule: &RowsRule, r: &'a RowAt) -> &'a str {
    match rule.blocks {
        Blocks::Department => "",
        Blocks::Each => r.unit.as_str(),
    }
}

/// A right row's figure as a term of a sum.
fn term_of<'a>(v: &Checker, r: &RowAt<'a>, col: &'a str, left_printed: &str) -> Term<'a> {
    let n = r.spec.number;
    let column = r.column(v, col);
    let label = if r.at_total() || r.printed == left_printed || column.is_empty() {
        format!("表{n} {}", r.printed)
    } else {
        format!("表{n}“{}”{column}", r.name)
    };
    Term::new(label, r.amounts.amount(col), r.key(col)).in_unit(r.spec.unit)
}

impl RowAt<'_> {
    fn at_total(&self) -> bool {
        self.row.at == query::At::Grid && self.row.key.is_empty()
    }
}

fn compare_row<'a>(
    v: &mut Checker<'a>,
    rule: &RowsRule,
    l: &RowAt<'a>,
    col: &'a str,
    terms: &[Term<'a>],
    left: &str,
    right: &str,
) {
    let place = l.place(v, col);
    let column = if place.column.is_empty() {
        column_label(l.spec, col, v.budget.year)
    } else {
        place.column.clone()
    };
    let what = match &rule.what {
        Some(w) => fill(w, l, left, right, &column),
        None => format!("“{column}”"),
    };
    v.sum(
        &rule.id,
        &place,
        l.amounts.amount(col),
        terms,
        rule.relation,
        &what,
    );
}

fn unmatched_left<'a>(
    v: &mut Checker<'a>,
    rule: &'a RowsRule,
    l: &RowAt<'a>,
    left: &str,
    right: &str,
) {
    let Some(u) = &rule.unmatched_left else {
        return;
    };
    let set = &rule.left;
    let cols = column_pairs(set, rule.right.first().unwrap_or(set));
    match u.policy {
        // A coded row with money is not asked to be zero: the other side
        // lacks its code (or this side has a wrong one).
        Policy::Zero if l.code.is_some() && cols.iter().any(|(c, _)| nonzero(l, c)) => {
            let Some((lc, _)) = cols.iter().copied().find(|(c, _)| nonzero(l, c)) else {
                return;
            };
            let code = l.code.unwrap_or_default();
            let d = v
                .finding(
                    Severity::Error,
                    &rule.id,
                    &l.place(v, lc),
                    format!("{right} 没有科目 {code} {}，而{left}此行有金额", l.name),
                )
                .expected(format!(
                    "{right} 列有科目 {code}，或本行科目编码改为{right}所列的编码"
                ))
                .actual("没有")
                .hint(format!(
                    "请核对本行的科目编码；编码无误时请在{right} 补列该科目"
                ));
            v.push(d);
        }
        Policy::Zero => {
            for (lc, _) in cols {
                let zero = Term::new(
                    format!("{right}“{}”", l.printed),
                    Some(Amount::ZERO),
                    l.key(lc),
                );
                compare_row(v, rule, l, lc, &[zero], left, right);
            }
        }
        Policy::Report | Policy::ReportNonzero => {
            let Some((lc, _)) = cols.first().copied() else {
                return;
            };
            let value = l.amounts.amount(lc);
            if u.policy == Policy::ReportNonzero && value.is_none_or(Amount::is_zero) {
                return;
            }
            let place = l.place(v, lc);
            report(v, rule, u, l, place, left, right);
        }
    }
}

fn nonzero(r: &RowAt, col: &str) -> bool {
    r.amounts.amount(col).is_some_and(|a| !a.is_zero())
}

fn report<'a>(
    v: &mut Checker<'a>,
    rule: &RowsRule,
    u: &Unmatched,
    r: &RowAt<'a>,
    place: Place<'a>,
    left: &str,
    right: &str,
) {
    let id = u.id.as_deref().unwrap_or(&rule.id);
    let column = place.column.clone();
    let d = v
        .finding(
            Severity::Error,
            id,
            &place,
            fill(&u.message, r, left, right, &column),
        )
        .expected(fill(&u.expected, r, left, right, &column))
        .actual("没有")
        .hint(fill(&u.hint, r, left, right, &column));
    v.push(d);
}

/// A table has figures exactly when the cell is not zero.
fn empty_iff_zero<'a>(v: &mut Checker<'a>, rule: &'a EmptyIffZeroRule) {
    let (id, cell) = (&rule.table, &rule.cell);
    let (Some(s), Some(t)) = (v.specs.get(id), v.budget.tables.get(id)) else {
        return;
    };
    let Some(Cell {
        label,
        value,
        key: income_key,
        ..
    }) = resolve(v, cell)
    else {
        return;
    };
    let Some(income) = value.or(v.zero_blanks().then_some(Amount::ZERO)) else {
        return;
    };
    let empty = t.has_no_figures();
    if empty == income.is_zero() {
        return;
    }
    let Table::Grid(g) = t else { return };
    let place = Place {
        spec: s,
        key: source::grid(&s.id, 0, "", first_amount(s)),
        row: row_label(g.blocks.first().map_or("", |b| b.unit.as_str()), None),
        column: column_label(s, first_amount(s), v.budget.year),
    };
    let note = s.empty_note.as_deref().unwrap_or("本表无数据");
    let (msg, hint) = if empty {
        (
            format!(
                "{label}为 {}，但本表没有支出数",
                crate::amount::grouped(income)
            ),
            "有该项资金收入的，本表应列出相应支出".to_string(),
        )
    } else {
        (
            format!("{label}为 0，但本表有支出数"),
            format!(
                "没有该项资金收入的，本表应为空表（合计 0，注“{}”）",
                note.trim_start_matches("注:").trim_end_matches('。')
            ),
        )
    };
    let mut d = v
        .finding(Severity::Error, &rule.id, &place, msg)
        .expected(if empty {
            "有支出数"
        } else {
            "无发生额"
        })
        .actual(if empty {
            "无发生额"
        } else {
            "有支出数"
        })
        .hint(hint);
    // The cells that hold figures, and the other table's cell, are what to look at.
    let mut keys = vec![income_key];
    for (bi, b) in g.blocks.iter().enumerate() {
        let rows = b
            .total
            .iter()
            .map(|t| ("", t))
            .chain(b.rows.iter().map(|r| (r.key.as_str(), &r.amounts)));
        for (key, amounts) in rows {
            keys.extend(
                amounts
                    .iter()
                    .filter(|(_, a)| a.is_some_and(|x| !x.is_zero()))
                    .map(|(c, _)| source::grid(&s.id, bi, key, c)),
            );
        }
    }
    d.cells = keys.iter().filter_map(|k| v.cell(k)).collect();
    v.push(d);
}

fn first_amount(s: &TableSpec) -> &str {
    s.amount_columns().next().map_or("", |c| c.id.as_str())
}
