//! A model as one CSV file per table: every row of the model with its
//! 预算单位, code and name, then its amounts, exact as the model holds them
//! (blank stays blank), headed by the columns' printed titles. With a byte
//! order mark for Excel and WPS (`--to csv`), without one inside a data
//! package (the CSV dialect of the Frictionless specifications).

use crate::amount::Amount;
use crate::model::{Amounts, Budget, Table};
use crate::spec::{SpecSet, TableSpec};

/// The role of a column of a table's CSV, for a schema that describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The fiscal year (the same on every row).
    Year,
    /// The 预算单位 (the administrative classification).
    Unit,
    /// Which side of a two-sided table (收入 / 支出).
    Side,
    /// The row's 科目编码 (a classification code; text, never a number).
    Code,
    /// The row's printed name.
    Name,
    /// A task's content (forms).
    Text,
    /// An amount, in the table's unit.
    Amount,
}

/// One table as a CSV: its header (title and role of each column) and rows.
#[derive(Debug, Clone)]
pub struct TableCsv {
    /// The table's id (`t03`) and the file's name (`表3 支出总表.csv`).
    pub id: String,
    pub file: String,
    pub header: Vec<(String, Role)>,
    pub rows: Vec<Vec<String>>,
}

fn amount(a: &Amounts, col: &str) -> String {
    a.amount(col)
        .as_ref()
        .map_or_else(String::new, Amount::to_string)
}

/// The CSV tables of a model, in table order; a form's performance
/// indicators are a second table of their own (`…绩效指标.csv`).
pub fn tables(budget: &Budget, specs: &SpecSet) -> Vec<TableCsv> {
    let year = budget.year.to_string();
    let mut out = Vec::new();
    for spec in &specs.tables {
        let Some(t) = budget.tables.get(&spec.id) else {
            continue;
        };
        let file = format!(
            "{}.csv",
            crate::io::names::safe_component(&spec.sheet_name())
        );
        let titles = |cols: &mut dyn Iterator<Item = &str>| -> Vec<(String, Role)> {
            cols.map(|c| (spec.column_title(c, budget.year), Role::Amount))
                .collect()
        };
        match t {
            Table::Grid(g) => {
                let cols: Vec<&str> = spec.value_columns().map(|c| c.id.as_str()).collect();
                let mut header = vec![
                    ("年度".to_string(), Role::Year),
                    ("预算单位".to_string(), Role::Unit),
                    ("科目编码".to_string(), Role::Code),
                    ("名称".to_string(), Role::Name),
                ];
                header.extend(titles(&mut cols.iter().copied()));
                let mut rows = Vec::new();
                for b in &g.blocks {
                    let total_name = spec.total_label().unwrap_or("合计");
                    for (code, name, amounts) in
                        b.total.iter().map(|t| (None, total_name, t)).chain(
                            b.rows
                                .iter()
                                .map(|r| (r.code.as_deref(), r.name.as_str(), &r.amounts)),
                        )
                    {
                        let mut row = vec![
                            year.clone(),
                            b.unit.clone(),
                            code.unwrap_or_default().to_string(),
                            name.to_string(),
                        ];
                        row.extend(cols.iter().map(|c| amount(amounts, c)));
                        rows.push(row);
                    }
                }
                out.push(TableCsv {
                    id: spec.id.clone(),
                    file,
                    header,
                    rows,
                });
            }
            Table::TwoSided(t) => out.push(two_sided(spec, t, &year, budget.year, file)),
            Table::Form(f) => {
                let cols: Vec<&str> = spec
                    .form()
                    .iter()
                    .flat_map(|fs| fs.amounts.iter().map(|a| a.id.as_str()))
                    .collect();
                let mut header = vec![
                    ("年度".to_string(), Role::Year),
                    ("预算单位".to_string(), Role::Unit),
                    ("任务名称".to_string(), Role::Name),
                    ("主要内容".to_string(), Role::Text),
                ];
                header.extend(titles(&mut cols.iter().copied()));
                let sum_label = spec.form().map_or("金额合计", |fs| fs.sum_label.as_str());
                let mut rows = Vec::new();
                for (name, content, amounts) in f
                    .tasks
                    .iter()
                    .map(|t| (t.name.as_str(), t.content.as_str(), &t.amounts))
                    .chain(std::iter::once((sum_label, "", &f.sum)))
                {
                    let mut row = vec![
                        year.clone(),
                        f.unit_name.clone(),
                        name.to_string(),
                        content.to_string(),
                    ];
                    row.extend(cols.iter().map(|c| amount(amounts, c)));
                    rows.push(row);
                }
                out.push(TableCsv {
                    id: spec.id.clone(),
                    file,
                    header,
                    rows,
                });
                let labels = spec
                    .form()
                    .map(|fs| fs.indicator_labels.clone())
                    .unwrap_or_default();
                let mut header = vec![("年度".to_string(), Role::Year)];
                header.extend((0..4).map(|i| {
                    (
                        labels
                            .get(i)
                            .cloned()
                            .unwrap_or_else(|| format!("指标{}", i + 1)),
                        Role::Text,
                    )
                }));
                out.push(TableCsv {
                    id: format!("{}-indicators", spec.id),
                    file: format!(
                        "{}绩效指标.csv",
                        crate::io::names::safe_component(&spec.sheet_name())
                    ),
                    header,
                    rows: f
                        .indicators
                        .iter()
                        .map(|i| {
                            vec![
                                year.clone(),
                                i.level1.clone(),
                                i.level2.clone(),
                                i.level3.clone(),
                                i.target.clone(),
                            ]
                        })
                        .collect(),
                });
            }
        }
    }
    out
}

/// A two-sided table: its fixed lines (收入, totals) and expenditure lines,
/// each with the amounts of its side's columns.
fn two_sided(
    spec: &TableSpec,
    t: &crate::model::TwoSidedTable,
    year: &str,
    y: i32,
    file: String,
) -> TableCsv {
    let sides = spec.sides();
    let cols: Vec<&str> = sides
        .iter()
        .flat_map(|(_, cols)| cols.iter().map(|c| c.id.as_str()))
        .collect();
    let mut header = vec![
        ("年度".to_string(), Role::Year),
        ("栏".to_string(), Role::Side),
        ("科目编码".to_string(), Role::Code),
        ("项目".to_string(), Role::Name),
    ];
    header.extend(cols.iter().map(|c| (spec.column_title(c, y), Role::Amount)));
    let side_of = |id: &str| {
        let on_right = sides[1]
            .1
            .iter()
            .any(|c| spec.line_columns(id).iter().any(|l| l.id == c.id));
        if on_right {
            "支出"
        } else {
            "收入"
        }
    };
    let mut rows = Vec::new();
    for l in spec.fixed_lines() {
        let Some(a) = t.lines.get(&l.id) else {
            continue;
        };
        let mut row = vec![
            year.to_string(),
            side_of(&l.id).to_string(),
            String::new(),
            l.label.clone(),
        ];
        row.extend(cols.iter().map(|c| amount(a, c)));
        rows.push(row);
    }
    for e in &t.expenditure {
        let mut row = vec![
            year.to_string(),
            "支出".to_string(),
            e.code.clone().unwrap_or_default(),
            e.name.clone(),
        ];
        row.extend(cols.iter().map(|c| amount(&e.amounts, c)));
        rows.push(row);
    }
    TableCsv {
        id: spec.id.clone(),
        file,
        header,
        rows,
    }
}

/// One table's CSV text (RFC 4180, CRLF line ends), with a byte order mark
/// when `bom`.
///
/// # Errors
/// None in practice: writing to memory does not fail.
pub fn bytes(t: &TableCsv, bom: bool) -> Result<Vec<u8>, csv::Error> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    w.write_record(t.header.iter().map(|(h, _)| h.as_str()))?;
    for r in &t.rows {
        w.write_record(r)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}
