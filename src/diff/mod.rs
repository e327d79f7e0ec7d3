//! Year-over-year comparison of two budgets of one department: rows matched by
//! stable key (预算单位 + 科目编码, or the normalized item name), never by
//! position; the headline figures with the official-style sentences; and the
//! cross-year check of 表9's prior-year row.

mod lines;
pub mod sentence;

use serde::Serialize;

use crate::amount::Amount;
use crate::model::Budget;
use crate::spec::SpecSet;
use lines::{table_lines, Line};

/// The whole comparison, also the JSON form of `diff --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    /// The layout both years were read in.
    pub layout: String,
    pub department: String,
    pub prior_year: i32,
    pub year: i32,
    /// 预算 or 决算 (the layout's kind), for titles.
    pub kind: String,
    /// The unit the headlines are in (the layout's text unit, 万元).
    pub unit: String,
    pub headlines: Vec<Headline>,
    pub tables: Vec<TableDiff>,
    /// The layout's checks across years (those of `consistency` and the ones that held).
    pub year_checks: Vec<YearCheckInfo>,
    /// The layout's checks across years that failed.
    pub consistency: Vec<Mismatch>,
    /// The table and column whose 科目 the overview's chart ranks (the
    /// layout's first narrative `names` set), beside the headlines.
    #[serde(skip)]
    pub items_from: Option<(String, String)>,
}

/// A check across years the diff ran.
#[derive(Debug, Clone, Serialize)]
pub struct YearCheckInfo {
    pub id: String,
    pub description: String,
}

/// One headline figure of 总览.
#[derive(Debug, Clone, Serialize)]
pub struct Headline {
    pub label: String,
    #[serde(flatten)]
    pub change: Change,
    pub sentence: String,
    /// A total of other headlines (left out of the chart of items).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub total: bool,
}

pub use crate::change::{Change, Rate};

/// One table compared.
#[derive(Debug, Clone, Serialize)]
pub struct TableDiff {
    pub id: String,
    pub number: u32,
    pub sheet: String,
    /// The unit of its amounts (万元 or 元), as the table declares.
    pub unit: String,
    /// Amount columns: (id, header path).
    pub columns: Vec<(String, String)>,
    pub rows: Vec<DiffRow>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    #[serde(rename = "")]
    Same,
    #[serde(rename = "新增")]
    New,
    #[serde(rename = "取消")]
    Cancelled,
    #[serde(rename = "名称变更")]
    Renamed,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Same => "",
            Status::New => "新增",
            Status::Cancelled => "取消",
            Status::Renamed => "名称变更",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DiffRow {
    #[serde(skip)]
    id: String,
    pub unit: String,
    pub key: String,
    pub code: Option<String>,
    pub name: String,
    /// The prior year's name when it changed.
    pub prior_name: Option<String>,
    /// 0 a unit's total or a fixed line, 1 类 / first level, 2 款, 3 项.
    pub level: u8,
    pub status: Status,
    pub cells: Vec<Change>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Mismatch {
    /// The layout's check (`[[year_checks]]`).
    pub check: String,
    pub unit: String,
    pub column: String,
    /// This year's row stating last year's figure.
    pub stated: Option<Amount>,
    /// Last year's published figure.
    pub published: Option<Amount>,
}

/// Compares `prior` with `current`, table by table in spec order.
///
/// # Examples
/// ```no_run
/// use budget_tables::{diff, read, spec::SpecSet};
/// let specs = SpecSet::builtin()?;
/// let a = read::read_path("samples/shenzhen-zwfw-2023.xlsx".as_ref(), &specs)?.budget;
/// let b = read::read_path("samples/shenzhen-zwfw-2024.xlsx".as_ref(), &specs)?.budget;
/// let d = diff::compare(&a, &b, &specs);
/// assert!(d.headlines[0].sentence.contains("下降35.5%"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn compare(prior: &Budget, current: &Budget, specs: &SpecSet) -> Diff {
    let mut tables = Vec::new();
    for spec in &specs.tables {
        let (Some(a), Some(b)) = (prior.tables.get(&spec.id), current.tables.get(&spec.id)) else {
            continue;
        };
        let (cols, pa) = table_lines(spec, a, prior.year);
        let (_, pb) = table_lines(spec, b, current.year);
        tables.push(TableDiff {
            id: spec.id.clone(),
            number: spec.number,
            sheet: spec.sheet_name(),
            unit: spec.unit.label().to_string(),
            columns: cols.clone(),
            rows: merge(&pa, &pb, &cols),
        });
    }
    Diff {
        items_from: specs
            .layout
            .narrative
            .names
            .first()
            .and_then(|s| Some((s.table.clone(), s.col.clone()?))),
        layout: specs.layout.id.clone(),
        department: current.department.clone(),
        prior_year: prior.year,
        kind: specs.layout.kind.clone(),
        unit: specs.layout.text_unit.clone(),
        year: current.year,
        headlines: sentence::headlines(prior, current, specs),
        tables,
        year_checks: specs
            .layout
            .year_checks
            .iter()
            .map(|c| YearCheckInfo {
                id: c.id.clone(),
                description: c.description.clone(),
            })
            .collect(),
        consistency: consistency(prior, current, specs),
    }
}

/// Rows of both years in the current year's order; a row only last year is
/// placed after the row it followed then.
fn merge(prior: &[Line], current: &[Line], cols: &[(String, String)]) -> Vec<DiffRow> {
    let cells = |a: Option<&Line>, b: Option<&Line>| -> Vec<Change> {
        cols.iter()
            .map(|(id, _)| {
                Change::new(
                    a.and_then(|l| l.amounts.get(id).copied().flatten()),
                    b.and_then(|l| l.amounts.get(id).copied().flatten()),
                )
            })
            .collect()
    };
    let mut out: Vec<DiffRow> = current
        .iter()
        .map(|b| {
            let a = prior.iter().find(|a| a.id == b.id);
            let status = match a {
                None => Status::New,
                Some(a) if !b.fixed && crate::text::norm(&a.name) != crate::text::norm(&b.name) => {
                    Status::Renamed
                }
                Some(_) => Status::Same,
            };
            DiffRow {
                id: b.id.clone(),
                unit: b.unit.clone(),
                key: b.key.clone(),
                code: b.code.clone(),
                name: b.name.clone(),
                prior_name: a
                    .filter(|_| status == Status::Renamed)
                    .map(|a| a.name.clone()),
                level: b.level,
                status,
                cells: cells(a, Some(b)),
            }
        })
        .collect();
    for (i, a) in prior.iter().enumerate() {
        if current.iter().any(|b| b.id == a.id) {
            continue;
        }
        let row = DiffRow {
            id: a.id.clone(),
            unit: a.unit.clone(),
            key: a.key.clone(),
            code: a.code.clone(),
            name: a.name.clone(),
            prior_name: None,
            level: a.level,
            status: Status::Cancelled,
            cells: cells(Some(a), None),
        };
        // After the nearest earlier prior row that is already placed.
        let at = prior[..i]
            .iter()
            .rev()
            .find_map(|p| out.iter().position(|r| r.id == p.id))
            .map_or(0, |p| p + 1);
        out.insert(at, row);
    }
    out
}

/// The layout's checks across years: this year's row stating last year's
/// figures must repeat the row last year published.
fn consistency(prior: &Budget, current: &Budget, specs: &SpecSet) -> Vec<Mismatch> {
    let mut out = Vec::new();
    for check in &specs.layout.year_checks {
        let (Some(a), Some(b)) = (prior.grid(&check.table), current.grid(&check.table)) else {
            continue;
        };
        for (bi, blk) in b.blocks.iter().enumerate() {
            let last = if bi == 0 {
                a.blocks.first()
            } else {
                a.blocks
                    .iter()
                    .find(|x| crate::text::norm(&x.unit) == crate::text::norm(&blk.unit))
            };
            let Some(last) = last else { continue };
            let Some(stated) = blk.rows.iter().find(|r| r.key == check.current_row) else {
                continue;
            };
            let Some(published) = last.rows.iter().find(|r| r.key == check.prior_row) else {
                continue;
            };
            for (col, v) in stated.amounts.iter() {
                let p = published.amounts.amount(col);
                if *v != p {
                    out.push(Mismatch {
                        check: check.id.clone(),
                        unit: blk.unit.clone(),
                        column: specs
                            .get(&check.table)
                            .map_or(col.to_string(), |s| s.column_title(col, current.year)),
                        stated: *v,
                        published: p,
                    });
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

    #[test]
    fn rates_round_half_away_and_new_is_new() {
        let c = Change::new(a("69673.69"), a("44972.11"));
        assert_eq!(c.change, a("-24701.58"));
        assert_eq!(c.rate, Rate::Percent("-35.5".parse().unwrap()));
        assert_eq!(Change::new(a("0.00"), a("5.00")).rate, Rate::New);
        assert_eq!(Change::new(None, a("5.00")).rate, Rate::New);
        assert_eq!(Change::new(a("0.00"), a("0.00")).rate, Rate::None);
        assert_eq!(
            Change::new(a("400.00"), a("304.00")).rate,
            Rate::Percent("-24.0".parse().unwrap())
        );
    }
}
