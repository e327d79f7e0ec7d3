//! The 2024 sample survives every path: filled template → model → official
//! workbook → model → JSON, exactly; and the published figures are all there.

mod common;

use budget_tables::amount::Amount;
use budget_tables::model::{json, Level};
use budget_tables::write::official;
use common::*;

/// The amount of a line on a one-column side.
fn only(a: &budget_tables::model::Amounts) -> Option<Amount> {
    a.values().next().copied().flatten()
}

fn a(s: &str) -> Option<Amount> {
    Some(Amount::exact(s.parse().unwrap()).unwrap())
}

#[test]
fn sample_workbook_reads_to_the_sample_json() {
    let from_xlsx = read_ok(&sample_xlsx());
    assert_eq!(from_xlsx, sample_model());
}

#[test]
fn published_figures_are_in_the_model() {
    let b = read_ok(&sample_xlsx());
    assert_eq!(b.department, "深圳市政务服务和数据管理局(本级)");
    assert_eq!(b.year, 2024);
    assert_eq!(
        b.units,
        vec!["深圳市政务服务和数据管理局(本级)".to_string()]
    );
    assert_eq!(b.tables.len(), 12);

    let t1 = b.two_sided("t01").unwrap();
    assert_eq!(only(&t1.lines["fiscal"]), a("44037.77"));
    assert_eq!(only(&t1.lines["carry_in"]), a("934.34"));
    assert_eq!(only(&t1.lines["income_total"]), a("44972.11"));
    assert_eq!(only(&t1.lines["expense_subtotal"]), a("44972.11"));
    assert_eq!(only(&t1.lines["carry_out"]), a("0.00"));
    assert_eq!(t1.expenditure.len(), 16);
    let lei: Vec<(&str, &str)> = t1
        .expenditure
        .iter()
        .filter(|l| l.level == Some(Level::Lei))
        .map(|l| (l.code.as_deref().unwrap(), l.name.as_str()))
        .collect();
    assert_eq!(
        lei,
        vec![
            ("201", "一般公共服务支出"),
            ("208", "社会保障和就业支出"),
            ("210", "卫生健康支出"),
            ("221", "住房保障支出")
        ]
    );
    let gz = t1
        .expenditure
        .iter()
        .find(|l| l.code.as_deref() == Some("2210201"))
        .unwrap();
    assert_eq!(
        (
            gz.name.as_str(),
            gz.level,
            gz.amounts.amount("expense_amount")
        ),
        ("住房公积金", Some(Level::Xiang), a("239.00"))
    );

    let t2 = b.grid("t02").unwrap();
    assert_eq!(t2.amount(0, "", "total"), a("44972.11"));
    assert_eq!(t2.amount(0, "", "gpb_basic"), a("3991.53"));
    assert_eq!(t2.amount(0, "", "gpb_duty"), a("40046.23"));
    assert_eq!(t2.amount(0, "", "carry_in"), a("934.34"));

    let t3 = b.grid("t03").unwrap();
    assert_eq!(t3.blocks[0].rows.len(), 16);
    assert_eq!(t3.amount(0, "", "procurement"), a("36202.77"));
    assert_eq!(t3.amount(0, "2010302", "procurement_sme"), a("800.46"));
    assert_eq!(t3.amount(0, "2080506", "total"), a("109.00"));
    assert_eq!(t3.blocks[0].rows[1].name, "政府办公厅(室)及相关机构事务");

    let t4 = b.grid("t04").unwrap();
    assert_eq!(t4.blocks[0].rows.len(), 27);
    assert_eq!(t4.amount(0, "", "gpb"), a("3991.53"));
    assert_eq!(t4.amount(0, "因公出国(境)费用", "total"), a("56.00"));
    assert_eq!(t4.amount(0, "生活补助", "fiscal_subtotal"), a("10.00"));

    let t5 = b.grid("t05").unwrap();
    assert_eq!(
        t5.amount(0, "信息化新建项目(非政府投资项目)", "total"),
        a("5314.40")
    );
    assert_eq!(
        t5.amount(0, "信息化新建项目(非政府投资项目)", "gpb_duty"),
        a("5182.55")
    );
    assert_eq!(
        t5.amount(0, "信息化新建项目(非政府投资项目)", "carry_in"),
        a("131.85")
    );
    assert_eq!(t5.amount(0, "政务综合管理", "carry_in"), a("707.11"));
    assert_eq!(t5.amount(0, "", "carry_in"), a("934.34"));

    let t6 = b.two_sided("t06").unwrap();
    assert_eq!(only(&t6.lines["carry_in_gpb"]), a("934.34"));
    assert_eq!(t6.expenditure.len(), 16);

    assert_eq!(
        b.grid("t07").unwrap().amount(0, "2101101", "basic"),
        a("93.00")
    );
    let t8 = b.grid("t08").unwrap();
    assert_eq!(t8.blocks[0].rows.len(), 35);
    assert_eq!(t8.amount(0, "30227", "project"), a("36429.86"));
    assert_eq!(t8.amount(0, "302", "project"), a("40979.77"));
    assert_eq!(t8.amount(0, "31002", "total"), a("0.80"));

    let t9 = b.grid("t09").unwrap();
    let keys: Vec<&str> = t9.blocks[0].rows.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, vec!["prior", "current", "change"]);
    assert_eq!(t9.amount(0, "prior", "total_gpb"), a("17.00"));
    assert_eq!(t9.amount(0, "current", "total_gpb"), a("73.00"));
    assert_eq!(t9.amount(0, "current", "abroad_gpb"), a("56.00"));
    assert_eq!(t9.amount(0, "change", "abroad_gpb"), a("56.00"));
    assert_eq!(t9.amount(0, "current", "vehicle_operation_gpb"), a("7.00"));
    assert_eq!(t9.blocks[0].rows[0].name, "2023年");

    for id in ["t10", "t11"] {
        let g = b.grid(id).unwrap();
        assert_eq!(g.blocks.len(), 1);
        assert!(g.blocks[0].rows.is_empty());
        assert_eq!(g.amount(0, "", "total"), a("0.00"));
        assert!(b.tables[id].has_no_figures());
    }

    let t12 = b.form("t12").unwrap();
    assert_eq!(t12.unit_name, "深圳市政务服务和数据管理局(本级)");
    assert_eq!(t12.supervisor, "深圳市政务服务和数据管理局");
    assert_eq!(t12.tasks.len(), 7);
    assert_eq!(t12.tasks[2].name, "政务综合管理");
    assert_eq!(t12.tasks[2].amounts["total"], a("20439.03"));
    assert_eq!(t12.sum["total"], a("44972.11"));
    assert_eq!(t12.sum["other"], a("0.00"));
    assert_eq!(t12.indicators.len(), 24);
    let last = t12.indicators.last().unwrap();
    assert_eq!(
        (
            last.level1.as_str(),
            last.level2.as_str(),
            last.level3.as_str()
        ),
        ("满意度指标", "其他满意度指标", "不涉及")
    );
    assert_eq!(t12.indicators[1].target, "≥50家");
    assert!(t12
        .goal
        .starts_with("2024年深圳市政务服务和数据管理局(本级)年度总体目标包括"));
}

#[test]
fn official_workbook_reads_back_to_the_same_model() {
    let model = sample_model();
    let dir = tmp();
    let out = dir.path().join("official.xlsx");
    std::fs::write(&out, official::workbook_bytes(&model, &specs()).unwrap()).unwrap();
    let back = read_ok(&out);
    assert_eq!(back, model);
    assert_eq!(
        json::to_string(&back),
        std::fs::read_to_string(sample_json()).unwrap()
    );
}

#[test]
fn json_round_trip_is_the_identity() {
    let text = std::fs::read_to_string(sample_json()).unwrap();
    let model = json::from_str(&text).unwrap();
    assert_eq!(json::to_string(&model), text);
}

#[test]
fn official_workbook_is_deterministic() {
    let model = sample_model();
    let one = official::workbook_bytes(&model, &specs()).unwrap();
    let two = official::workbook_bytes(&model, &specs()).unwrap();
    assert_eq!(one, two);
}

#[test]
fn json_refuses_other_versions_and_floats() {
    let text = std::fs::read_to_string(sample_json()).unwrap();
    let v1 = text.replacen("\"format_version\": 2", "\"format_version\": 1", 1);
    assert_eq!(
        json::from_str(&v1).unwrap_err().to_string(),
        "JSON 模型版本 1 不受支持（本程序支持版本 2）"
    );
    let float = text.replacen("\"44037.77\"", "44037.77", 1);
    assert!(json::from_str(&float).is_err());
    let three = text.replacen("\"44037.77\"", "\"44037.775\"", 1);
    assert!(json::from_str(&three)
        .unwrap_err()
        .to_string()
        .contains("超过两位小数"));
}
