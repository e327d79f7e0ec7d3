//! Published PDFs read as exactly as workbooks: the four real documents of
//! tests/fixtures/pdf/ (万里街道 2023 and 2024 部门预算 from WPS Office,
//! 社会福利院 2024 单位预算 from WPS 表格, 规划资源局 2024 部门决算 from Word
//! 2010) give every published figure, the same tables as their workbooks,
//! and exactly the findings their documents deserve, each on its page.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use budget_tables::diag::Diagnostic;
use budget_tables::pipeline;
use budget_tables::read::ReadOutcome;
use budget_tables::spec::SpecSet;
use budget_tables::validate::Options;
use common::*;
use rust_decimal::Decimal;
use serde_json::Value;

fn pdf(name: &str) -> PathBuf {
    root()
        .join("tests/fixtures/pdf")
        .join(format!("{name}.pdf"))
}

fn read(path: &std::path::Path) -> (SpecSet, ReadOutcome) {
    let layouts = SpecSet::builtin_all().unwrap();
    let opts = Options::builtin().unwrap();
    let (i, out) = pipeline::read(path, &layouts, &opts).unwrap();
    (layouts[i].clone(), out)
}

fn findings(path: &std::path::Path) -> Vec<Diagnostic> {
    let (specs, out) = read(path);
    pipeline::check(&out, &specs, &Options::builtin().unwrap()).findings
}

/// The document's tables as JSON, with the expenditure lines that print
/// nothing left out (a fill-in template lists lines a document may drop).
fn tables(out: &ReadOutcome) -> Value {
    let mut v = serde_json::to_value(&out.budget.tables).unwrap();
    for t in v.as_object_mut().unwrap().values_mut() {
        if let Some(lines) = t.get_mut("expenditure").and_then(Value::as_array_mut) {
            lines.retain(|l| {
                l["amounts"]
                    .as_object()
                    .unwrap()
                    .values()
                    .any(|a| !a.is_null())
            });
        }
    }
    v
}

const DOCUMENTS: [(&str, &str); 4] = [
    ("putuo-wanli-2024-budget", "shanghai-wanli-2024"),
    ("putuo-wanli-2023-budget", "shanghai-wanli-2023"),
    ("putuo-fuliyuan-2024-unit-budget", "shanghai-fuliyuan-2024"),
    (
        "putuo-ghzy-2024-final-accounts",
        "shanghai-ghzy-2024-final-accounts",
    ),
];

#[test]
fn each_published_pdf_holds_the_tables_of_its_workbook() {
    for (doc, sample) in DOCUMENTS {
        let (specs, from_pdf) = read(&pdf(doc));
        let (_, from_xlsx) = read(&root().join("samples").join(format!("{sample}.xlsx")));
        assert_eq!(specs.layout.id, from_xlsx.budget.layout, "{doc}");
        assert_eq!(
            from_pdf.budget.department, from_xlsx.budget.department,
            "{doc}"
        );
        assert_eq!(from_pdf.budget.year, from_xlsx.budget.year, "{doc}");
        assert_eq!(from_pdf.budget.units, from_xlsx.budget.units, "{doc}");
        assert_eq!(
            from_pdf.budget.amount_units, from_xlsx.budget.amount_units,
            "{doc}"
        );
        assert!(
            tables(&from_pdf) == tables(&from_xlsx),
            "{doc}: the tables differ"
        );
    }
}

/// Every number of a table in a figures file (`tables["3"].rows[].values`),
/// exact, by table number; `null` (blank in print) left out.
fn published(doc: &str) -> BTreeMap<u32, Vec<Decimal>> {
    let path = root()
        .join("tests/fixtures/shanghai")
        .join(format!("{doc}.json"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut out: BTreeMap<u32, Vec<Decimal>> = BTreeMap::new();
    for (n, t) in v["tables"].as_object().unwrap() {
        let figures = out.entry(n.parse().unwrap()).or_default();
        for row in t["rows"].as_array().unwrap() {
            for x in row["values"].as_object().unwrap().values() {
                if let Some(num) = x.as_number() {
                    figures.push(num.to_string().parse::<Decimal>().unwrap().normalize());
                }
            }
        }
    }
    out
}

/// Every amount the model read, by table number.
fn read_figures(specs: &SpecSet, out: &ReadOutcome) -> BTreeMap<u32, Vec<Decimal>> {
    fn amounts(v: &Value, into: &mut Vec<Decimal>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    if k == "amounts" || k == "total" || k == "sum" || k == "lines" {
                        collect(x, into);
                    } else {
                        amounts(x, into);
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| amounts(x, into)),
            _ => {}
        }
    }
    fn collect(v: &Value, into: &mut Vec<Decimal>) {
        match v {
            Value::String(s) => into.push(s.parse::<Decimal>().unwrap().normalize()),
            Value::Object(m) => m.values().for_each(|x| collect(x, into)),
            Value::Array(a) => a.iter().for_each(|x| collect(x, into)),
            _ => {}
        }
    }
    let mut by: BTreeMap<u32, Vec<Decimal>> = BTreeMap::new();
    for (id, t) in &out.budget.tables {
        let n = specs.get(id).unwrap().number;
        amounts(&serde_json::to_value(t).unwrap(), by.entry(n).or_default());
    }
    by
}

/// Each table's figures as a multiset: blanks and zeros are one (a blank
/// prints nothing, the model keeps the blank).
fn counted(v: &[Decimal]) -> BTreeMap<Decimal, usize> {
    let mut m = BTreeMap::new();
    for d in v.iter().filter(|d| !d.is_zero()) {
        *m.entry(*d).or_insert(0) += 1;
    }
    m
}

#[test]
fn every_published_figure_is_read_exactly() {
    let mut tally = Vec::new();
    for (doc, _) in DOCUMENTS {
        let (specs, out) = read(&pdf(doc));
        let want = published(doc);
        let have = read_figures(&specs, &out);
        let mut total = 0;
        for (n, figures) in &want {
            let w = counted(figures);
            let h = counted(have.get(n).map_or(&[][..], Vec::as_slice));
            assert_eq!(
                w, h,
                "{doc} 表{n}: the figures read differ from the published ones"
            );
            total += w.values().sum::<usize>();
        }
        tally.push((doc, total));
    }
    // The non-zero figures of each document, all read.
    assert_eq!(
        tally,
        [
            ("putuo-wanli-2024-budget", 526),
            ("putuo-wanli-2023-budget", 520),
            ("putuo-fuliyuan-2024-unit-budget", 182),
            ("putuo-ghzy-2024-final-accounts", 234),
        ]
    );
}

/// (rule, page, row label) of each finding but the 说明's summary notices.
fn listed(d: &[Diagnostic]) -> Vec<(String, Option<u32>, String)> {
    d.iter()
        .map(|d| {
            (
                d.rule.clone(),
                d.page,
                d.row_label.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn expect(list: &[(&str, Option<u32>, &str)]) -> Vec<(String, Option<u32>, String)> {
    list.iter()
        .map(|(r, p, l)| ((*r).to_string(), *p, (*l).to_string()))
        .collect()
}

/// 万里 2024: 表8 prints two 款 codes with one digit (`301 2`); its 三公
/// table has figures under a note saying it is empty; the 说明 gives 住房公积金
/// as 352.67万元 where 表5 has 350.35, and a growth rate from a zero year.
#[test]
fn wanli_2024_gets_exactly_its_documents_findings() {
    let got = listed(&findings(&pdf("putuo-wanli-2024-budget")));
    assert_eq!(
        got,
        expect(&[
            ("S-CODE-PAD", Some(29), "301 2 津贴补贴"),
            ("S-CODE-PAD", Some(29), "301 7 绩效工资"),
            ("N-RATE-02", Some(7), "第 62 段"),
            ("N-FIG-01", Some(9), "第 85 段"),
            ("N-EMPTY-01", Some(31), ""),
            ("N-TIE-01", None, ""),
            ("N-PRIOR-01", None, ""),
        ])
    );
}

/// 万里 2023: its last pages are 项目绩效目标表 (named, not read); its 说明
/// gives two rates that the two years' figures do not give, one figure
/// that is not 表5's, and two growth rates from zero.
#[test]
fn wanli_2023_gets_exactly_its_documents_findings() {
    let got = listed(&findings(&pdf("putuo-wanli-2023-budget")));
    assert_eq!(
        got,
        expect(&[
            ("S-PDF-OTHER", Some(31), "财政项目支出绩效目标填报表"),
            ("S-PDF-OTHER", Some(32), "财政项目支出绩效目标填报表"),
            ("S-PDF-OTHER", Some(34), "财政项目支出绩效目标填报表"),
            ("S-PDF-OTHER", Some(35), "财政项目支出绩效目标填报表"),
            ("N-RATE-02", Some(6), "第 51 段"),
            ("N-RATE-01", Some(6), "第 52 段"),
            ("N-FIG-01", Some(7), "第 66 段"),
            ("N-RATE-01", Some(7), "第 66 段"),
            ("N-RATE-02", Some(8), "第 67 段"),
            ("N-TIE-01", None, ""),
            ("N-PRIOR-01", None, ""),
        ])
    );
}

/// 社会福利院 2024: 表3 and 表5 print 2101102 as `7 11 02`; 表1 and 表4 list
/// the 类 under its old name (医疗卫生与计划生育支出), so 210 is missing from
/// them; 表8 names economic codes by an old list; the 说明 has a figure that
/// is not 表5's, the old name, an empty 主要原因是 and template text.
#[test]
fn fuliyuan_2024_gets_exactly_its_documents_findings() {
    let got = listed(&findings(&pdf("putuo-fuliyuan-2024-unit-budget")));
    assert_eq!(
        got,
        expect(&[
            ("S-CODE-PRINTED", Some(9), "7 11 02 事业单位医疗"),
            ("S-CODE-PRINTED", Some(11), "7 11 02 事业单位医疗"),
            ("S-LINK", Some(7), "三、医疗卫生与计划生育支出"),
            ("S-LINK", Some(10), "三、医疗卫生与计划生育支出"),
            ("C-NAME-01", Some(14), "30108 机关事业单位基本养老保险费"),
            ("C-NAME-01", Some(14), "30202 咨询费"),
            ("C-NAME-01", Some(14), "30203 水费"),
            ("C-NAME-01", Some(14), "30204 电费"),
            ("C-NAME-01", Some(14), "30205 邮电费"),
            ("C-NAME-01", Some(14), "30206 办公设备购置费"),
            ("C-NAME-01", Some(14), "30207 工会经费"),
            ("C-NAME-01", Some(14), "30208 福利费"),
            ("C-CODE-01", Some(14), "30210 车辆运行费"),
            ("C-NAME-01", Some(14), "30211 事业单位离退休人员福利费"),
            ("C-NAME-01", Some(14), "30212 机关事业单位退休人员活动费"),
            ("C-NAME-01", Some(14), "30213 其他商品和服务支出"),
            ("C-NAME-01", Some(14), "303 离退休人员经费"),
            ("C-NAME-01", Some(14), "30301 退休费"),
            ("X-T1-T3-02", Some(7), "210 卫生健康支出"),
            ("X-T4-T5-02", Some(10), "210 卫生健康支出"),
            ("N-FIG-01", Some(6), "第 38 段"),
            ("N-FIG-01", Some(6), "第 38 段"),
            ("N-NAME-01", Some(6), "第 39 段"),
            ("N-REASON-01", Some(16), "第 65 段"),
            ("N-TPL-01", Some(16), "第 73 段"),
            ("N-TIE-01", None, ""),
            ("N-PRIOR-01", None, ""),
        ])
    );
}

/// 规划资源局 2024 决算: the tables' heading drops 普陀区 from the cover's
/// name; the 0.01 gaps of a 决算 rounded table by table (the anomalies of
/// its figures file, as warnings); the 说明 gives 表3's 基本支出 as 表5's,
/// drops a %, and keeps 下降（增长） from the template.
#[test]
fn ghzy_2024_gets_exactly_its_documents_findings() {
    let got = listed(&findings(&pdf("putuo-ghzy-2024-final-accounts")));
    assert_eq!(
        got,
        expect(&[
            ("S-DEPT", Some(1), ""),
            ("S-PDF-OTHER", Some(6), "序号"),
            ("T4-EXP-01", Some(13), "本年支出合计"),
            ("T4-EXP-01", Some(13), "本年支出合计"),
            ("F5-ROW-01", Some(15), "上海市普陀区规划和自然资源局 合计"),
            ("F5-ROW-01", Some(14), "212 城乡社区支出"),
            ("F5-ROW-01", Some(14), "21201 城乡社区管理事务"),
            ("F5-ROW-01", Some(14), "2120101 行政运行"),
            ("F6-SUM-01", Some(16), "人员经费合计"),
            ("T6-HIER-01", Some(16), "302 商品和服务支出"),
            ("X-F1-F3-01", Some(7), "210 卫生健康支出"),
            ("X-F1-F3-01", Some(7), "212 城乡社区支出"),
            ("X-F4-F5-01", Some(12), "210 卫生健康支出"),
            ("N-TYPO-01", Some(21), "第 78 段"),
            ("N-FIG-01", Some(21), "第 80 段"),
            ("N-FIG-01", Some(24), "第 97 段"),
            ("N-FIG-01", Some(24), "第 97 段"),
            ("N-TPL-01", Some(25), "第 101 段"),
            ("N-TIE-01", None, ""),
            ("N-PRIOR-01", None, ""),
        ])
    );
    let errors = findings(&pdf("putuo-ghzy-2024-final-accounts"))
        .into_iter()
        .filter(|d| d.rule == "N-FIG-01" && d.page == Some(24))
        .map(|d| d.to_string())
        .collect::<Vec<_>>();
    assert!(
        errors[0].contains("说明写一般公共预算财政拨款基本支出本年为 5377.64万元，表中为 5,364.75 万元（第15页“合计”一行）"),
        "{}",
        errors[0]
    );
}

/// A finding names the page, the table and the row a reader looks for.
#[test]
fn a_finding_reads_with_its_page_table_row_and_column() {
    let d = findings(&pdf("putuo-ghzy-2024-final-accounts"));
    let f = d
        .iter()
        .find(|d| d.rule == "F5-ROW-01" && d.row_label.as_deref() == Some("2120101 行政运行"))
        .unwrap();
    assert_eq!(
        f.to_string(),
        "警告 [F5-ROW-01] 表5 一般公共预算财政拨款支出决算表 第14页 [2120101 行政运行 | 合计]：尾数差异：“合计”应 = 基本支出 + 项目支出，相差在四舍五入允许范围（±0.01）内；应为：1,092.79；实际：1,092.80；差额：0.01。修改建议：各数分别四舍五入到分时会有这种差异，可以公开；如能调整，请使合计与分项一致"
    );
    let f = findings(&pdf("putuo-fuliyuan-2024-unit-budget"))
        .into_iter()
        .find(|d| d.rule == "X-T1-T3-02")
        .unwrap();
    assert!(
        f.to_string()
            .contains("应列在“208 社会保障和就业支出”（第7页“二、社会保障和就业支出”一行）之后"),
        "{f}"
    );
}

/// The written part is rebuilt into paragraphs: a sentence the page width
/// broke is one line of the text, the cover's title one line, page numbers
/// and the tables' cells left out.
#[test]
fn the_written_part_reads_as_paragraphs() {
    let (_, out) = read(&pdf("putuo-wanli-2024-budget"));
    let doc = &out.pdf.as_ref().unwrap().document;
    let lines: Vec<&str> = doc.text.lines().collect();
    assert_eq!(lines[0], "上海市普陀区2024年区级部门预算");
    assert_eq!(lines[1], "预算主管部门：上海市普陀区人民政府万里街道办事处");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("国有资本经营预算拨款支出预算0.00万元")),
        "a sentence broken over two lines is one"
    );
    assert_eq!(doc.pages.len(), lines.len());
    let (_, out) = read(&pdf("putuo-ghzy-2024-final-accounts"));
    let doc = &out.pdf.as_ref().unwrap().document;
    assert_eq!(
        doc.text.lines().next(),
        Some("上海市普陀区规划和自然资源局2024年度部门决算")
    );
    // A heading printed in fake bold (each glyph twice) reads once.
    assert!(doc
        .text
        .lines()
        .any(|l| l == "一、收入支出决算总体情况说明"));
}
