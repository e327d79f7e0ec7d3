//! A model as a Frictionless Tabular Data Package described as a Fiscal Data
//! Package: `datapackage.json` beside one CSV per table ([`super::csv`]), a
//! Table Schema for each (codes as strings, amounts as numbers in the table's
//! unit), and each column mapped to the fiscal concept it holds through the
//! Fiscal Data Package's `columnType` (the year `date:fiscal-year`, the
//! 预算单位 `administrative-classification:generic:label`, a 功能分类 code
//! `functional-classification:generic:code`, an 经济分类 code
//! `economic-classification:generic:code`, an amount `value`).

use serde_json::{json, Value};

use super::csv::{Role, TableCsv};
use crate::model::Budget;
use crate::spec::{Classification, SpecSet, TableSpec};

/// The files of a data package: `datapackage.json` first, then the CSVs.
///
/// # Errors
/// None in practice: writing to memory does not fail.
pub fn files(budget: &Budget, specs: &SpecSet) -> Result<Vec<(String, Vec<u8>)>, csv::Error> {
    let tables = super::csv::tables(budget, specs);
    let resources: Vec<Value> = tables.iter().map(|t| resource(t, specs, budget)).collect();
    let descriptor = json!({
        "profile": "tabular-data-package",
        "name": package_name(budget, specs),
        "title": format!("{}{}年{}", budget.department, budget.year, specs.layout.kind),
        "description": format!("{}（版式 {}）的公开表格，由 budget-tables 从规范模型写出。", specs.layout.name, specs.layout.id),
        "keywords": ["fiscal", specs.layout.kind.as_str()],
        "fiscalPeriod": {"start": format!("{}-01-01", budget.year), "end": format!("{}-12-31", budget.year)},
        "countryCode": "CN",
        "resources": resources,
    });
    let mut out = vec![(
        "datapackage.json".to_string(),
        serde_json::to_vec_pretty(&descriptor).unwrap_or_default(),
    )];
    for t in &tables {
        out.push((t.file.clone(), super::csv::bytes(t, false)?));
    }
    Ok(out)
}

/// A package name: lower case letters, digits, `-`, `.`, `_` only.
fn package_name(budget: &Budget, specs: &SpecSet) -> String {
    format!("budget-tables-{}-{}", slug(&specs.layout.id), budget.year)
}

/// A name as Frictionless names must be: lower-case ASCII letters and
/// digits, anything else a `-`.
fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// The resource of one table's CSV.
fn resource(t: &TableCsv, specs: &SpecSet, budget: &Budget) -> Value {
    let spec = specs.get(t.id.split('-').next().unwrap_or(&t.id));
    let unit = spec.map_or("万元", |s| s.unit.label());
    let fields: Vec<Value> = t
        .header
        .iter()
        .map(|(name, role)| field(name, *role, spec, unit))
        .collect();
    let name = slug(&t.id);
    json!({
        "profile": "tabular-data-resource",
        "name": name,
        "title": t.file.trim_end_matches(".csv"),
        "path": t.file,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": true},
        "description": format!("{}{}年，金额单位：{unit}", budget.department, budget.year),
        "schema": {
            "fields": fields,
            "missingValues": [""],
        },
    })
}

/// One column's field: its type and fiscal concept.
fn field(name: &str, role: Role, spec: Option<&TableSpec>, unit: &str) -> Value {
    match role {
        Role::Year => json!({"name": name, "type": "integer", "columnType": "date:fiscal-year"}),
        Role::Unit => {
            json!({"name": name, "type": "string", "columnType": "administrative-classification:generic:label"})
        }
        Role::Side => {
            json!({"name": name, "type": "string", "constraints": {"enum": ["收入", "支出"]}})
        }
        Role::Code => {
            let concept = match spec.and_then(TableSpec::classification) {
                Some(Classification::Economic) => "economic-classification:generic:code",
                _ => "functional-classification:generic:code",
            };
            json!({"name": name, "type": "string", "columnType": concept, "constraints": {"pattern": "[0-9]*"}})
        }
        Role::Name => {
            let concept = match spec.and_then(TableSpec::classification) {
                Some(Classification::Economic) => "economic-classification:generic:label",
                Some(Classification::Function) => "functional-classification:generic:label",
                None => "activity:generic:program:label",
            };
            json!({"name": name, "type": "string", "columnType": concept})
        }
        Role::Text => json!({"name": name, "type": "string"}),
        Role::Amount => json!({
            "name": name,
            "type": "number",
            "columnType": "value",
            "unit": unit,
            "currency": "CNY",
        }),
    }
}
