//! Benchmark data: distinct, valid department budgets derived from the
//! bundled 2023 sample (which passes every rule with no finding). Each one has
//! its own name, its figures scaled by a whole factor (so every identity still
//! holds to the cent), every third one other function codes, and every fifth
//! one two 预算单位.

use crate::amount::Amount;
use crate::layout::Recode;
use crate::model::{json, Amounts, Budget, Table};
use crate::spec::SpecSet;

const BASE: &str = include_str!("../samples/shenzhen-zwfw-2023.json");

const DISTRICTS: &[&str] = &[
    "深圳市",
    "福田区",
    "罗湖区",
    "南山区",
    "宝安区",
    "龙岗区",
    "盐田区",
    "龙华区",
    "坪山区",
    "光明区",
];
const BUREAUS: &[&str] = &[
    "发展和改革委员会",
    "教育局",
    "科技创新局",
    "工业和信息化局",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "规划和自然资源局",
    "生态环境局",
    "住房和建设局",
    "交通运输局",
    "水务局",
    "商务局",
    "文化广电旅游体育局",
    "卫生健康委员会",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "国有资产监督管理委员会",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "城市管理和综合执法局",
    "政务服务和数据管理局",
    "地方金融管理局",
    "信访局",
    "档案馆",
    "机关事务管理局",
];

/// The base sample the generator derives from.
///
/// # Panics
/// Never in a release: the bundled JSON is checked by the tests.
pub fn base() -> Budget {
    json::from_str(BASE).expect("bundled sample JSON")
}

/// The `index`-th distinct department name.
pub fn name(index: usize) -> String {
    let per_round = DISTRICTS.len() * BUREAUS.len();
    let (round, i) = (index / per_round, index % per_round);
    let name = format!(
        "{}{}",
        DISTRICTS[i % DISTRICTS.len()],
        BUREAUS[(i / DISTRICTS.len()) % BUREAUS.len()]
    );
    if round == 0 {
        name
    } else {
        format!("{name}（第{}批）", round + 1)
    }
}

fn scale(a: &mut Amounts, m: i64) {
    for v in a.values_mut().flatten() {
        *v = Amount::round(v.value().saturating_mul(rust_decimal::Decimal::from(m)));
    }
}

fn scale_table(t: &mut Table, m: i64) {
    match t {
        Table::Grid(g) => {
            for b in &mut g.blocks {
                if let Some(total) = &mut b.total {
                    scale(total, m);
                }
                for r in &mut b.rows {
                    scale(&mut r.amounts, m);
                }
            }
        }
        Table::TwoSided(t) => {
            for l in t.lines.values_mut() {
                scale(l, m);
            }
            for e in &mut t.expenditure {
                scale(&mut e.amounts, m);
            }
        }
        Table::Form(f) => {
            scale(&mut f.sum, m);
            for t in &mut f.tasks {
                scale(&mut t.amounts, m);
            }
        }
    }
}

/// The layout's code swaps (`[[sample.recode]]`), applied in every table.
fn recode(b: &mut Budget, swaps: &[Recode]) {
    let find = |code: Option<&str>| swaps.iter().find(|r| code == Some(r.from.as_str()));
    for t in b.tables.values_mut() {
        match t {
            Table::Grid(g) => {
                for r in g.blocks.iter_mut().flat_map(|blk| blk.rows.iter_mut()) {
                    if let Some(s) = find(r.code.as_deref()) {
                        r.code = Some(s.to.clone());
                        r.key = s.to.clone();
                        r.name = s.name.clone();
                    }
                }
            }
            Table::TwoSided(t) => {
                for e in &mut t.expenditure {
                    if let Some(s) = find(e.code.as_deref()) {
                        e.code = Some(s.to.clone());
                        e.name = s.name.clone();
                    }
                }
            }
            Table::Form(_) => {}
        }
    }
}

/// Every text that names the base department names `to` instead: a
/// generated department's 绩效目标 and 说明 are its own.
fn rename_texts(b: &mut Budget, from: &str, to: &str) {
    if from.is_empty() {
        return;
    }
    for t in b.tables.values_mut() {
        if let Table::Form(f) = t {
            for text in [&mut f.goal, &mut f.supervisor]
                .into_iter()
                .chain(f.tasks.iter_mut().map(|t| &mut t.content))
            {
                *text = text.replace(from, to);
            }
        }
    }
    for text in b.texts.values_mut() {
        *text = text.replace(from, to);
    }
}

/// The `index`-th generated department: valid, distinct, deterministic.
pub fn generate(base: &Budget, specs: &SpecSet, index: usize) -> Budget {
    let units = if index % 5 == 4 { vec![1, 1] } else { vec![1] };
    build(base, specs, index, &units)
}

/// The `index`-th generated department with `units` 预算单位 of different
/// sizes (a big bureau, for benchmarks): each unit's figures are the base's
/// times its own whole factor, and the department's block their sum, so every
/// identity holds to the cent.
pub fn generate_units(base: &Budget, specs: &SpecSet, index: usize, units: usize) -> Budget {
    let scales: Vec<i64> = (0..units.max(1)).map(|i| 1 + (i % 4) as i64).collect();
    build(base, specs, index, &scales)
}

/// A department of one unit per entry of `scales` (one entry: the
/// department is its own only unit).
fn build(base: &Budget, specs: &SpecSet, index: usize, scales: &[i64]) -> Budget {
    let mut b = base.clone();
    if index % 3 == 2 {
        recode(&mut b, &specs.layout.sample.recode);
    }
    let dept = name(index);
    rename_texts(&mut b, &base.department, &dept);
    let m = 1 + (index * 7 % 9) as i64;
    let many = scales.len() > 1;
    let total: i64 = scales.iter().sum();
    b.department = dept.clone();
    for t in b.tables.values_mut() {
        scale_table(t, m);
    }
    let units: Vec<String> = match scales.len() {
        1 => vec![dept.clone()],
        2 => vec![format!("{dept}（本级）"), format!("{dept}信息中心")],
        n => std::iter::once(format!("{dept}（本级）"))
            .chain((1..n).map(|i| format!("{dept}所属单位{i:03}")))
            .collect(),
    };
    for t in b.tables.values_mut() {
        match t {
            Table::Grid(g) => {
                let unit = g.blocks[0].clone();
                g.blocks[0].unit = dept.clone();
                if many {
                    // The department is its units together: their sum.
                    let mut whole = unit.clone();
                    whole.unit = dept.clone();
                    scale_block(&mut whole, total);
                    g.blocks = std::iter::once(whole)
                        .chain(units.iter().zip(scales).map(|(u, s)| {
                            let mut blk = unit.clone();
                            blk.unit = u.clone();
                            scale_block(&mut blk, *s);
                            blk
                        }))
                        .collect();
                }
            }
            Table::Form(f) => {
                f.unit_name = dept.clone();
                if many {
                    scale(&mut f.sum, total);
                    for task in &mut f.tasks {
                        scale(&mut task.amounts, total);
                    }
                }
            }
            Table::TwoSided(_) if many => scale_table(t, total),
            Table::TwoSided(_) => {}
        }
    }
    b.units = units;
    b
}

fn scale_block(b: &mut crate::model::UnitBlock, m: i64) {
    if let Some(a) = &mut b.total {
        scale(a, m);
    }
    for r in &mut b.rows {
        scale(&mut r.amounts, m);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The errors and warnings of a generated department, as text.
    fn beyond_notices(
        b: &Budget,
        specs: &crate::spec::SpecSet,
        opts: &crate::validate::Options,
    ) -> Vec<String> {
        crate::validate::validate(b, specs, &Default::default(), opts)
            .iter()
            .filter(|d| d.severity != crate::diag::Severity::Notice)
            .map(std::string::ToString::to_string)
            .collect()
    }

    #[test]
    fn every_generated_department_passes() {
        let specs = crate::spec::SpecSet::builtin().unwrap();
        let opts = crate::validate::Options::builtin().unwrap();
        let base = base();
        for i in 0..15 {
            let bad = beyond_notices(&generate(&base, &specs, i), &specs, &opts);
            assert!(bad.is_empty(), "department {i}: {bad:#?}");
        }
        let recoded = generate(&base, &specs, 2);
        assert!(recoded.grid("t03").unwrap().blocks[0]
            .rows
            .iter()
            .any(|r| r.key == "2012902"));
        assert_eq!(
            generate(&base, &specs, 4).grid("t03").unwrap().blocks.len(),
            3
        );
    }

    #[test]
    fn a_department_of_many_units_passes() {
        let specs = crate::spec::SpecSet::builtin().unwrap();
        let opts = crate::validate::Options::builtin().unwrap();
        let b = generate_units(&base(), &specs, 2, 12);
        let t3 = b.grid("t03").unwrap();
        assert_eq!(t3.blocks.len(), 13, "the department and its 12 units");
        assert_eq!(t3.blocks[12].unit, format!("{}所属单位011", b.department));
        let bad = beyond_notices(&b, &specs, &opts);
        assert!(bad.is_empty(), "{bad:#?}");
    }

    #[test]
    fn names_are_distinct() {
        let names: std::collections::HashSet<String> = (0..1000).map(name).collect();
        assert_eq!(names.len(), 1000);
    }
}
