//! Random valid models round-trip exactly through the official workbook and JSON.

mod common;

use budget_tables::amount::Amount;
use budget_tables::model::*;
use budget_tables::read::read_sheets;
use budget_tables::spec::{RowKey, SpecSet, TableKind};
use budget_tables::text::fill;
use budget_tables::write::official;
use common::*;
use proptest::prelude::*;
use rust_decimal::Decimal;

/// splitmix64: a model generator driven by one proptest seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn word(&mut self, prefix: &str, alphabet: &str) -> String {
        let chars: Vec<char> = alphabet.chars().collect();
        let n = 1 + self.below(8) as usize;
        let mut s = prefix.to_string();
        for _ in 0..n {
            s.push(chars[self.below(chars.len() as u64) as usize]);
        }
        s
    }
    fn amount(&mut self) -> Option<Amount> {
        if self.below(10) == 0 {
            return None;
        }
        let cents = self.below(1_000_000_000_000) as i64 * if self.below(8) == 0 { -1 } else { 1 };
        Some(Amount::exact(Decimal::new(cents, 2)).unwrap())
    }
    fn amounts<'a>(&mut self, ids: impl Iterator<Item = &'a String>) -> Amounts {
        ids.map(|id| (id.clone(), self.amount())).collect()
    }
}

const ITEM: &str = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉";
const UNIT: &str = "东南西北春夏秋冬金木水火土";
// Free text may start with a formula character: it must come back as text.
const TEXT: &str = "=+-@天地玄黄宇宙洪荒日月盈昃辰宿列张(1)、，。%≥";

/// A 类/款/项 tree of codes with unique names.
fn code_tree(rng: &mut Rng, seven: bool, tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for l in 0..1 + rng.below(3) {
        let lei = format!("2{:02}", 10 + l * 7);
        out.push((lei.clone(), rng.word(&format!("{tag}类{l}"), ITEM)));
        for k in 0..rng.below(3) {
            let kuan = format!("{lei}{:02}", k + 1);
            out.push((kuan.clone(), rng.word(&format!("{tag}款{l}{k}"), ITEM)));
            if seven {
                for x in 0..rng.below(3) {
                    out.push((
                        format!("{kuan}{:02}", x + 1),
                        rng.word(&format!("{tag}项{l}{k}{x}"), ITEM),
                    ));
                }
            }
        }
    }
    out
}

fn model(seed: u64, specs: &SpecSet) -> Budget {
    let mut rng = Rng(seed);
    let department = rng.word("测试", UNIT) + "局";
    let year = 2000 + rng.below(100) as i32;
    let mut b = Budget::new(specs, department.clone(), year);
    let extra: Vec<String> = (0..rng.below(3))
        .map(|i| rng.word(&format!("单位{i}"), UNIT))
        .collect();
    let blocks: Vec<String> = std::iter::once(department.clone())
        .chain(extra.iter().cloned())
        .collect();
    b.units = if extra.is_empty() {
        vec![department.clone()]
    } else {
        extra.clone()
    };
    let t7_tree = code_tree(&mut rng, true, "功能");

    for spec in &specs.tables {
        let amount_ids: Vec<String> = spec.amount_columns().map(|c| c.id.clone()).collect();
        let table = match spec.kind() {
            TableKind::Grid => {
                let mut g = GridTable::default();
                for (bi, unit) in blocks.iter().enumerate() {
                    let total =
                        (spec.row_key != RowKey::Fixed).then(|| rng.amounts(amount_ids.iter()));
                    let rows: Vec<Row> = match spec.row_key {
                        RowKey::Unit => vec![],
                        RowKey::Single => Vec::new(),
                        RowKey::Fixed => spec
                            .fixed_rows()
                            .iter()
                            .map(|l| Row {
                                key: l.id.clone(),
                                code: None,
                                name: fill(&l.label, year, ""),
                                amounts: rng.amounts(amount_ids.iter()),
                            })
                            .collect(),
                        RowKey::Name => (0..rng.below(5))
                            .map(|i| {
                                let name = rng.word(&format!("项目{i}"), ITEM);
                                Row {
                                    key: budget_tables::text::norm(&name),
                                    code: None,
                                    name,
                                    amounts: rng.amounts(amount_ids.iter()),
                                }
                            })
                            .collect(),
                        RowKey::Code => {
                            let tree = if spec.id == "t07" && bi == 0 {
                                t7_tree.clone()
                            } else {
                                code_tree(&mut rng, spec.id != "t08", "科目")
                            };
                            tree.into_iter()
                                .map(|(code, name)| Row {
                                    key: code.clone(),
                                    code: Some(code),
                                    name,
                                    amounts: rng.amounts(amount_ids.iter()),
                                })
                                .collect()
                        }
                    };
                    g.blocks.push(UnitBlock {
                        unit: unit.clone(),
                        total,
                        rows,
                    });
                }
                Table::Grid(g)
            }
            TableKind::TwoSided => {
                let lines = spec
                    .fixed_lines()
                    .map(|l| {
                        let cols: Vec<String> = spec
                            .line_columns(&l.id)
                            .iter()
                            .map(|c| c.id.clone())
                            .collect();
                        (l.id.clone(), rng.amounts(cols.iter()))
                    })
                    .collect();
                let right: Vec<String> = spec.sides()[1].1.iter().map(|c| c.id.clone()).collect();
                let mut expenditure: Vec<ExpenditureLine> = t7_tree
                    .iter()
                    .map(|(c, n)| ExpenditureLine {
                        code: Some(c.clone()),
                        level: Level::of_code(c),
                        name: n.clone(),
                        amounts: rng.amounts(right.iter()),
                    })
                    .collect();
                if rng.below(2) == 0 {
                    // A line the coded tables do not know keeps no code.
                    expenditure.push(ExpenditureLine {
                        code: None,
                        level: Some(Level::Lei),
                        name: rng.word("未知", ITEM),
                        amounts: rng.amounts(right.iter()),
                    });
                }
                Table::TwoSided(TwoSidedTable { lines, expenditure })
            }
            TableKind::Form => {
                let fs = spec.form().unwrap();
                let ids: Vec<String> = fs.amounts.iter().map(|a| a.id.clone()).collect();
                let tasks = (0..1 + rng.below(6))
                    .map(|i| Task {
                        name: rng.word(&format!("任务{i}"), ITEM),
                        content: rng.word("", TEXT),
                        amounts: rng.amounts(ids.iter()),
                    })
                    .collect();
                let mut indicators = Vec::new();
                for l1 in 0..1 + rng.below(3) {
                    for l2 in 0..1 + rng.below(2) {
                        for _ in 0..1 + rng.below(2) {
                            indicators.push(Indicator {
                                level1: format!("一级{l1}"),
                                level2: format!("二级{l1}{l2}"),
                                level3: rng.word("指标", TEXT),
                                target: rng.word("≥", TEXT),
                            });
                        }
                    }
                }
                Table::Form(FormTable {
                    unit_name: rng.word("单位", UNIT),
                    supervisor: rng.word("主管", UNIT),
                    tasks,
                    sum: rng.amounts(ids.iter()),
                    goal: rng.word("目标", TEXT),
                    indicators,
                })
            }
        };
        b.tables.insert(spec.id.clone(), table);
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn official_workbook_round_trips(seed in any::<u64>()) {
        let specs = specs();
        let b = model(seed, &specs);
        let dir = tmp();
        let p = dir.path().join("m.xlsx");
        std::fs::write(&p, official::workbook_bytes(&b, &specs).unwrap()).unwrap();
        let out = read_sheets(&load(&p), &specs).unwrap();
        let errors: Vec<String> = out.diagnostics.iter().filter(|d| d.severity == budget_tables::diag::Severity::Error).map(std::string::ToString::to_string).collect();
        prop_assert!(errors.is_empty(), "{:#?}", errors);
        prop_assert_eq!(out.budget, b);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn json_round_trips(seed in any::<u64>()) {
        let b = model(seed, &specs());
        let text = json::to_string(&b);
        let back = json::from_str(&text).unwrap();
        prop_assert_eq!(json::to_string(&back), text);
        prop_assert_eq!(back, b);
    }
}
