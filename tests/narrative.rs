//! The written part: `narrate` drafts the 说明 from the tables, `check
//! --narrative` ties every figure of a written 说明 to the tables. The real
//! published Shenzhen text (tests/fixtures/narrative/) is the test.

mod common;

use std::path::{Path, PathBuf};

use budget_tables::narrate::check::{check, Against, TextSource};
use budget_tables::narrate::statements::normalize;
use budget_tables::read::{self, ReadOutcome};
use budget_tables::spec::SpecSet;
use common::*;

fn published() -> String {
    std::fs::read_to_string(root().join("tests/fixtures/narrative/shenzhen-zwfw-2024-published.md"))
        .unwrap()
}

fn prior_xlsx() -> PathBuf {
    root().join("samples/shenzhen-zwfw-2023.xlsx")
}

fn read(path: &Path) -> ReadOutcome {
    read::read_path(path, &specs()).unwrap()
}

/// The draft's sentences (`narrate --format json`), with the prior year.
fn drafted(current: &Path, prior: &Path) -> Vec<String> {
    let out = bin()
        .arg("narrate")
        .arg(current)
        .arg("--prior")
        .arg(prior)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v = common::stdout_json(&out);
    let mut all = Vec::new();
    for s in v["sections"].as_array().unwrap() {
        for p in s["paragraphs"].as_array().unwrap() {
            for t in p["sentences"].as_array().unwrap() {
                all.push(t["text"].as_str().unwrap().to_string());
            }
        }
    }
    all
}

/// A sentence compared up to spacing, punctuation width, quotes and its list
/// number (`1.`, `(一)`, `- `): the published order of items is not the tables'.
fn key(s: &str) -> String {
    let n = normalize(s);
    let n = n.trim_start_matches('-');
    let n = match n.find('.') {
        Some(i) if i <= 2 && n[..i].chars().all(|c| c.is_ascii_digit()) => &n[i + 1..],
        _ => n,
    };
    let n = match (n.starts_with('('), n.find(')')) {
        (true, Some(i)) if n[1..i].chars().all(|c| "一二三四五六七八九十".contains(c)) => {
            &n[i + 1..]
        }
        _ => n,
    };
    n.to_string()
}

/// The draft's sentence reads as the published one, each 【请填写：……】 standing
/// for whatever the department wrote there.
fn reads_as(draft: &str, published: &str) -> bool {
    let (d, p) = (key(draft), key(published));
    let mut parts: Vec<&str> = Vec::new();
    let mut rest = d.as_str();
    while let Some(i) = rest.find('【') {
        parts.push(&rest[..i]);
        match rest[i..].find('】') {
            Some(j) => rest = &rest[i + j + '】'.len_utf8()..],
            None => return false,
        }
    }
    parts.push(rest);
    if parts.iter().map(|p| p.len()).sum::<usize>() < 6 {
        // Only a placeholder: it reads as anything, so as nothing.
        return false;
    }
    if parts.len() == 1 {
        return d == p;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !p.starts_with(first) || !p.ends_with(last) || p.len() < first.len() + last.len() {
        return false;
    }
    // What a placeholder stands for is the department's own words, never a
    // change the tables determine (`较2023年年初预算减少96万元`).
    let own_words = |t: &str| !t.contains("年初预算");
    let mut at = first.len();
    for mid in &parts[1..parts.len() - 1] {
        match p[at..p.len() - last.len()].find(mid) {
            Some(i) if own_words(&p[at..at + i]) => at += i + mid.len(),
            _ => return false,
        }
    }
    own_words(&p[at..p.len() - last.len()])
}

/// Every figure sentence of 第二、三、四、五、六部分 of the published Shenzhen 2024
/// text that the tables determine, as published; with the draft's own wording
/// where it differs and why.
const PUBLISHED: [(&str, Option<(&str, &str)>); 27] = [
    ("2024 年深圳市政务服务和数据管理局(本级)部门预算收入44,972.11万元,较2023年年初预算减少24,701.58万元,下降35.5%。", None),
    ("2024年部门预算支出44,972.11万元,较2023年年初预算减少24,701.58万元,下降35.5%。", None),
    ("预算收支减少主要原因:", Some(("预算收支减少主要原因:【请填写：预算收支增减的主要原因】。", "公开文本把原因另起一段"))),
    ("深圳市政务服务和数据管理局(本级)预算 44,972.11 万元,包括人员支出 3,488.72 万元、公用经费 331.71 万元、对个人和家庭的补助支出 171.1 万元、项目支出 40,980.57 万元。", None),
    ("(一)人员支出 3,488.72 万元,主要是在职人员工资福利和社保缴费等相关支出。", None),
    ("(二)公用经费 331.71 万元,主要包括公用综合定额经费、 因公出国费、物业管理费、工会经费和职工福利费等公用经费。", None),
    ("(三)对个人和家庭补助支出 171.1 万元,主要是退休人员 经费。", None),
    ("(四)项目支出40,980.57万元,具体包括:", None),
    ("1. 政务综合管理 20,439.03 万元,主要包括:发展规划综合管理 1,261.12 万元,根据我局发展规划处的综合业务职责,用于开展制度规划、电子政务评审等\"数字政府\"、\"智慧城市\"统筹管理工作;", Some(("5. 政务综合管理20,439.03万元,主要包括:【请填写：该类项目的主要内容】。", "公开文本的明细以分号分句，草稿留一处【请填写】"))),
    ("政务综合管理项目经费较 2023 年年初预算增加4,521.51 万元,增长 28.4%,主要原因是深圳市民生诉求业务运营项目、信创管理等项目预算经费增加。", Some(("政务综合管理经费较2023年年初预算增加4,521.51万元,增长28.4%,主要原因是【请填写：增减的主要原因】。", "公开文本此处写“项目经费”，另两类写“经费”；草稿统一写“经费”"))),
    ("- 2. 综合管理 1,915.51 万元, 主要包括: 行政综合管理 677.31 万元, 根据我局办公室的综合业务职责, 用于开展局内 财务、后勤、移动安全办公、设备维修维护、宣传等行政综合管 理工作;", Some(("6. 综合管理1,915.51万元,主要包括:【请填写：该类项目的主要内容】。", "同上，明细以分号分句"))),
    ("综合管理项目经费较 2023 年年初预算减少 110.3 万元, 下降 5.4%, 主要原因是移动安全办公服务项目、上年结转项目鹏城自进化智能体建设标准体系研究等项目预算经费减少。", Some(("综合管理经费较2023年年初预算减少110.3万元,下降5.4%,主要原因是【请填写：增减的主要原因】。", "同上，“项目经费”与“经费”"))),
    ("3. 预算准备金 304 万元, 主要包括: 每年上级部门安排或临时新增项目保障经费,较 2023 年年初预算减少 96 万元,下降 24%,主要原因一是压减预算经费;", Some(("4. 预算准备金304万元,主要包括:【请填写：该类项目的主要内容】。", "公开文本把增减并入内容句，草稿另起一句“预算准备金经费较2023年年初预算减少96万元,下降24%……”"))),
    ("4. 信息化新建项目(非政府投资项目)5,314.4万元,主要包括:2023年\"深治慧\"平台服务合同阶段款4,317.09万元,深圳市一体化协同办公平台项目合同尾款865.45万元,及部分上年结转项目用于本单位信息化新建项目(非政府投资项目)经费支出。", None),
    ("信息化新建项目(非政府投资项目)经费较2023年年初预算减少39,081.76万元,下降88%,主要原因是2022年\"深治慧\"平台服务、民生诉求一体化平台服务项目及深圳市一体化协同办公平台等项目预算经费减少。", None),
    ("5. 信息化运维项目 1,555. 39 万元, 主要包括: 信息化系统运行维护, 较 2023 年年初预算减少 257. 37 万元, 下降 14. 2%, 主要原因是指挥中心运维、深圳市投资项目在线监管平台升级拓展项目运行维护及上年结转项目等预算经费减少。", Some(("3. 信息化运维项目1,555.39万元,主要包括:【请填写：该类项目的主要内容】。", "同预算准备金：增减并入内容句"))),
    ("信息化服务类项目(非运维服务部分)经费较2023年年初预算增加11,452.25万元,增长100%,主要原因是根据我局2024年工作任务安排,市财政安排新增市级政务信息化项目预算经费。", Some(("信息化服务类项目(非运维服务部分)经费较2023年年初预算增加11,452.25万元,为新增,主要原因是【请填写：增减的主要原因】。", "上年为 0：增长率无从计算，公开文本写“增长100%”，草稿写“为新增”（check 对“增长100%”给出 N-RATE-02 警告）"))),
    ("深圳市政务服务和数据管理局(本级)纳入2024年部门预算的政府采购项目共计36,202.77万元,其中:货物类项目8.8万元、工程类项目0万元、服务类项目36,193.97万元。", None),
    ("2024年财政拨款\"三公\"经费预算73万元,较2023年年初预算增加56万元。", None),
    ("1. 因公出国(境)费用。", None),
    ("2024年预算数 56 万元,较 2023年4 年初预算增加 56 万元,主要是 2023年以前,我市各单位因公出国(境)经费年初预算数暂按 0 万元填报,在预算执行时根据市因公出国计划预审会议审定计划从预算准备金调剂安排。", Some(("2024年预算数56万元,较2023年年初预算增加56万元,主要是【请填写：用途及增减原因】。", "PDF 提取在“2023年”后多出一个“4”"))),
    ("- 2. 公务接待费。", None),
    ("2024年预算数 10 万元, 较 2023 年年初预算增加 0 万元, 主要是用于公函来访人员的公务接待, 2024年预算与上年保持一致, 无变化。", None),
    ("公务用车购置费 2024 年预算数 0 万元, 较 2023 年年初预算 增加 0 万元, 主要是本单位 2024 年未安排公务用车购置经费, 2024 年预算与上年保持一致, 无变化;", None),
    ("公务用车运行维护费 2024 年预算数 7 万元, 较 2023 年年初 预算增加 0 万元, 主要是用于机要通信用车、应急保障用车运行 维护费支出,公务用车保有量为 2 辆,2024 年预算与上年保持 一致,无变化。", None),
    ("本单位实施部门预算绩效管理的单位范围包括:深圳市政务服务和数据管理局(本级)共1家基层单位,均已编制整体支出绩效目标,按要求开展部门整体绩效自评。", None),
    ("2024年本单位所有项目支出预算纳入部门预算绩效管理, 涉及预算资金 40,980.57万元,设置并编报 6 个项目绩效目标。", None),
];

#[test]
fn the_shenzhen_draft_reproduces_the_published_figure_sentences() {
    let draft = drafted(&sample_xlsx(), &prior_xlsx());
    let text = published();
    let mut reproduced = 0;
    for (sentence, differs) in PUBLISHED {
        // Each listed sentence is in the published text as listed.
        assert!(
            normalize(&text).contains(&normalize(sentence)),
            "not in the published text: {sentence}"
        );
        let same: Vec<&String> = draft.iter().filter(|d| reads_as(d, sentence)).collect();
        match differs {
            None => {
                assert_eq!(same.len(), 1, "{sentence}\ndraft: {draft:#?}");
                reproduced += 1;
            }
            Some((ours, _why)) => {
                assert!(same.is_empty(), "now reproduced: {sentence}");
                assert!(draft.iter().any(|d| d == ours), "{ours}\ndraft: {draft:#?}");
            }
        }
    }
    assert_eq!((reproduced, PUBLISHED.len()), (18, 27));
    // The 第三部分 sub-items are summed from 表4; 第四部分 asks for the split no table holds.
    assert!(draft
        .iter()
        .any(|d| d.contains("货物类项目【请填写：货物类金额】万元")));
}

#[test]
fn without_a_prior_year_the_draft_leaves_out_every_change() {
    let out = bin()
        .arg("narrate")
        .arg(sample_xlsx())
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("2024年深圳市政务服务和数据管理局(本级)部门预算收入44,972.11万元。"));
    assert!(!s.contains("年初预算"), "no change without the prior year");
    assert!(!s.contains("预算收支减少主要原因"));
    assert!(s.contains("\"prior_year\": null"));
}

#[test]
fn the_draft_json_names_each_figure_and_its_cells() {
    let out = bin()
        .arg("narrate")
        .arg(sample_xlsx())
        .arg("--prior")
        .arg(prior_xlsx())
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["format"], "budget-tables/narrative");
    let first = &v["sections"][1]["paragraphs"][0]["sentences"][0];
    let income = &first["figures"][0];
    assert_eq!(income["figure"], "income_total");
    assert_eq!(income["text"], "44,972.11");
    assert_eq!(income["cells"][0], "'表1 收支总表'!B40");
    let change = &first["figures"][1];
    assert_eq!(
        (
            change["printed"].as_str(),
            change["prior"].as_str(),
            change["change"].as_str(),
            change["rate"].as_str()
        ),
        (
            Some("change"),
            Some("69673.69"),
            Some("-24701.58"),
            Some("-35.5")
        )
    );
}

#[test]
fn docx_and_markdown_drafts_carry_the_same_text_and_the_docx_opens_in_libreoffice() {
    let dir = tmp();
    let (md, docx, again) = (
        dir.path().join("说明.md"),
        dir.path().join("说明.docx"),
        dir.path().join("again.docx"),
    );
    for out in [&md, &docx, &again] {
        bin()
            .arg("narrate")
            .arg(sample_xlsx())
            .arg("--prior")
            .arg(prior_xlsx())
            .arg("-o")
            .arg(out)
            .assert()
            .success()
            .stdout(predicates::str::contains("28 处【请填写】待补充"));
    }
    assert_eq!(
        std::fs::read(&docx).unwrap(),
        std::fs::read(&again).unwrap()
    );
    let text = budget_tables::narrate::docx::text_of(&std::fs::read(&docx).unwrap()).unwrap();
    let markdown = std::fs::read_to_string(&md).unwrap();
    let body: Vec<&str> = markdown
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.trim_start_matches('#').trim())
        .collect();
    let paragraphs: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(paragraphs, body);
    let Some(soffice) = require_soffice() else {
        return;
    };
    if !require_tool("pdftotext", "poppler-utils") {
        return;
    }
    // LibreOffice's word processor (Debian's libreoffice-writer-nogui) opens .docx.
    if !Path::new("/usr/lib/libreoffice/program/libswlo.so").exists() {
        assert!(
            std::env::var("CI").is_err(),
            "libreoffice-writer-nogui is required in CI: run .ci/run"
        );
        eprintln!(
            "skipped: LibreOffice Writer not installed (apt-get install libreoffice-writer-nogui)"
        );
        return;
    }
    let pdf_dir = dir.path().join("pdf");
    std::fs::create_dir_all(&pdf_dir).unwrap();
    soffice_convert(&soffice, &docx, "pdf", &pdf_dir);
    let pages = pdf_pages(&pdf_dir.join("说明.pdf"));
    assert_eq!(pages.len(), 5, "A4 pages of the draft");
    let all: String = pages.concat().split_whitespace().collect();
    assert!(all.contains("第五部分财政拨款“三公”经费预算情况"), "{all}");
    assert!(all.contains("较2023年年初预算减少24,701.58万元,下降35.5%"));
}

#[test]
fn narrate_refuses_what_it_cannot_write() {
    let dir = tmp();
    bin()
        .arg("narrate")
        .arg(sample_xlsx())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("请用 -o 指定输出的说明文件"));
    bin()
        .arg("narrate")
        .arg(sample_xlsx())
        .arg("-o")
        .arg(dir.path().join("说明.txt"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "说明只能输出为 .docx、.md 或 .json 文件",
        ));
    // Another department's file is not this one's prior year.
    bin()
        .arg("narrate")
        .arg(root().join("samples/shanghai-wanli-2024.xlsx"))
        .arg("--prior")
        .arg(prior_xlsx())
        .arg("-o")
        .arg(dir.path().join("说明.md"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("版式不同"));
    bin()
        .arg("narrate")
        .arg(prior_xlsx())
        .arg("--prior")
        .arg(sample_xlsx())
        .arg("-o")
        .arg(dir.path().join("说明.md"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("应早于本年文件"));
    assert!(!dir.path().join("说明.md").exists());
}

// ------------------------------------------------------------ check --narrative

/// A finding as (rule, paragraph, expected, actual).
type Found = (String, String, Option<String>, Option<String>);

/// The findings of `check --narrative` on `text` (as one file), with the prior year if given.
fn narrative_findings(text: &str, prior: bool) -> (Vec<Found>, serde_json::Value) {
    let dir = tmp();
    let f = dir.path().join("说明.md");
    std::fs::write(&f, text).unwrap();
    let mut cmd = bin();
    cmd.arg("check")
        .arg(sample_xlsx())
        .arg("--narrative")
        .arg(&f)
        .args(["--format", "json"]);
    if prior {
        cmd.arg("--prior").arg(prior_xlsx());
    }
    let out = cmd.output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"].as_str().unwrap().starts_with("N-"))
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["row_label"].as_str().unwrap_or("").to_string(),
                d["expected"].as_str().map(str::to_string),
                d["actual"].as_str().map(str::to_string),
            )
        })
        .collect();
    (found, v["narrative"].clone())
}

#[test]
fn the_published_shenzhen_text_checks_clean_but_for_its_rate_from_zero() {
    let (found, counts) = narrative_findings(&published(), true);
    assert_eq!(
        found,
        [
            (
                "N-RATE-02".to_string(),
                "第 32 段".to_string(),
                Some("上年为 0，不写增长率（可写“为新增”）".to_string()),
                Some("100%".to_string())
            ),
            ("N-TIE-01".to_string(), String::new(), None, None),
        ]
    );
    assert_eq!(
        (
            &counts["sentences"],
            &counts["statements"],
            &counts["checked"],
            &counts["flagged"],
            &counts["unchecked"]
        ),
        (&110.into(), &96.into(), &49.into(), &1.into(), &47.into())
    );
    // Every figure of 第二部分 and every 三公 item is tied to its table figure.
    let list = counts["list"].as_array().unwrap();
    let tied = |written: &str, item: &str| {
        list.iter()
            .any(|s| s["written"] == written && s["item"] == item && s["outcome"] == "核对")
    };
    assert!(tied("24,701.58万元", "部门预算收入"));
    assert!(tied("35.5%", "部门预算支出"));
    assert!(tied("110.3万元", "表5“综合管理”"));
    assert!(tied("6个", "项目绩效目标个数"));
    assert!(tied("0万元", "公务用车购置费"));
    // The sub-items no table holds are listed, not skipped.
    assert!(list
        .iter()
        .any(|s| s["written"] == "1,261.12万元" && s["outcome"] == "未对应"));
}

#[test]
fn each_mutation_of_the_published_text_is_caught_by_its_rule() {
    let text = published();
    for (from, to, rule, expected, actual) in [
        (
            "部门预算收入44,972.11万元",
            "部门预算收入44,972.12万元",
            "N-FIG-01",
            "44,972.11 万元（'表1 收支总表'!B40）",
            "44,972.12万元",
        ),
        (
            "2024年部门预算支出44,972.11万元,较2023年年初预算减少",
            "2024年部门预算支出44,972.11万元,较2023年年初预算增加",
            "N-DIR-01",
            "减少24,701.58 万元",
            "24,701.58万元",
        ),
        (
            "较2023年年初预算减少24,701.58万元,下降35.5%。2024年",
            "较2023年年初预算减少24,701.58万元,下降35.8%。2024年",
            "N-RATE-01",
            "35.5%",
            "35.8%",
        ),
        (
            "预算准备金 304 万元",
            "预算准备金 304 元",
            "N-UNIT-01",
            "304.00 万元（'表5 项目支出总表'!B12）",
            "304元",
        ),
        (
            "减少 257. 37 万元",
            "减少 275. 37 万元",
            "N-CHG-01",
            "减少257.37 万元",
            "275.37万元",
        ),
        (
            "设置并编报 6 个项目绩效目标",
            "设置并编报 5 个项目绩效目标",
            "N-CNT-01",
            "6",
            "5",
        ),
        (
            "增长 28.4%",
            "增长（下降）28.4%",
            "N-TPL-01",
            "",
            "增长（下降）",
        ),
        (
            "减少 110.3 万元, 下降 5.4%",
            "与上年持平",
            "N-SAME-01",
            "减少110.30 万元",
            "持平",
        ),
        (
            "增长 28.4%,",
            "增长增长 28.4%,",
            "N-TYPO-01",
            "",
            "“增长”重复",
        ),
        ("下降 24%,", "下降 24,", "N-TYPO-01", "", "“24”缺少 %"),
        (
            "下降 24%,",
            "下降 2４%,",
            "N-TYPO-01",
            "",
            "“2４”全角、半角数字混写",
        ),
        (
            "主要原因是指挥中心运维",
            "主要原因是。指挥中心运维",
            "N-REASON-01",
            "",
            "主要原因是（空）",
        ),
        // 政务综合管理 +28.4% (over the layout's 10%) with its reason taken out.
        (
            ",主要原因是深圳市民生诉求业务运营项目、信创管理等项目预算经费增加。",
            "。",
            "N-REASON-02",
            "写明变动原因",
            "没有原因",
        ),
    ] {
        assert!(text.contains(from), "{from}");
        let (found, _) = narrative_findings(&text.replacen(from, to, 1), true);
        let hits: Vec<_> = found.iter().filter(|f| f.0 == rule).collect();
        assert_eq!(hits.len(), 1, "{rule}: {found:#?}");
        if !expected.is_empty() {
            assert_eq!(hits[0].2.as_deref(), Some(expected), "{rule}");
        }
        assert_eq!(hits[0].3.as_deref(), Some(actual), "{rule}");
    }
}

#[test]
fn without_the_prior_year_changes_are_listed_as_unchecked() {
    let (found, counts) = narrative_findings(&published(), false);
    let rules: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(rules, ["N-TIE-01", "N-PRIOR-01"]);
    assert_eq!(counts["flagged"], 0);
    let list = counts["list"].as_array().unwrap();
    let unchecked = list.iter().filter(|s| s["outcome"] == "未核对").count();
    // 第二部分 2 changes and 2 rates, 表5's 6 categories 6 and 6, 三公 5, 第八部分 1.
    assert_eq!(unchecked, 22);
}

#[test]
fn a_draft_checks_against_its_own_tables_with_nothing_but_its_placeholders() {
    for (current, prior) in [
        (sample_xlsx(), Some(prior_xlsx())),
        (
            root().join("samples/shanghai-wanli-2024.xlsx"),
            Some(root().join("samples/shanghai-wanli-2023.xlsx")),
        ),
        (root().join("samples/shanghai-fuliyuan-2024.xlsx"), None),
        (
            root().join("samples/shanghai-ghzy-2024-final-accounts.xlsx"),
            None,
        ),
    ] {
        let dir = tmp();
        let md = dir.path().join("草稿.md");
        let with_prior = |c: &mut assert_cmd::Command| {
            if let Some(p) = &prior {
                c.arg("--prior").arg(p);
            }
        };
        let mut narrate = bin();
        narrate.arg("narrate").arg(&current);
        with_prior(&mut narrate);
        narrate
            .arg("--allow-errors")
            .arg("-o")
            .arg(&md)
            .output()
            .unwrap();
        assert!(md.exists(), "{}", current.display());
        let mut check = bin();
        check.arg("check").arg(&current).arg("--narrative").arg(&md);
        with_prior(&mut check);
        let out = check.args(["--format", "json"]).output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let other: Vec<&serde_json::Value> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| {
                // A chapter holding only 【请填写】 is empty (N-CHAP-02) as well.
                d["table"] == "草稿.md"
                    && d["severity"] != "notice"
                    && !["N-TPL-01", "N-CHAP-02"].contains(&d["rule"].as_str().unwrap())
            })
            .collect();
        assert!(other.is_empty(), "{}: {other:#?}", current.display());
        let placeholders = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["table"] == "草稿.md" && d["rule"] == "N-TPL-01")
            .count();
        assert!(
            placeholders >= 5,
            "{}: every 【请填写】 is flagged until filled",
            current.display()
        );
    }
}

#[test]
fn a_written_docx_is_checked_and_bad_files_are_refused() {
    let dir = tmp();
    let docx = dir.path().join("说明.docx");
    bin()
        .arg("narrate")
        .arg(sample_xlsx())
        .arg("-o")
        .arg(&docx)
        .assert()
        .success();
    bin()
        .arg("check")
        .arg(sample_xlsx())
        .arg("--narrative")
        .arg(&docx)
        .assert()
        .stdout(predicates::str::contains(
            "说明：46 句，27 处数字表述，核对 27 处",
        ));
    let gbk = dir.path().join("说明.txt");
    std::fs::write(&gbk, [0xC4u8, 0xEA, 0xB6, 0xC8]).unwrap();
    for (file, needle) in [
        (gbk, "不是 UTF-8 编码"),
        (dir.path().join("说明.doc"), "无法读取说明文件"),
        (sample_xlsx(), "说明文件只能是 .docx、.txt 或 .md"),
    ] {
        bin()
            .arg("check")
            .arg(sample_xlsx())
            .arg("--narrative")
            .arg(&file)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(needle));
    }
    let big = dir.path().join("大.txt");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(33 << 20)
        .unwrap();
    bin()
        .arg("check")
        .arg(sample_xlsx())
        .arg("--narrative")
        .arg(&big)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("超过 4 MB 的上限"));
    // Just over the limit of text: read, measured, refused.
    let over = dir.path().join("长.txt");
    std::fs::write(&over, "本年收入预算100万元。\n".repeat((4 << 20) / 30 + 1)).unwrap();
    bin()
        .arg("check")
        .arg(sample_xlsx())
        .arg("--narrative")
        .arg(&over)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "的文字有 4.1 MB，超过 4 MB 的上限",
        ));
    let not_word = dir.path().join("假.docx");
    std::fs::write(&not_word, b"plain text").unwrap();
    bin()
        .arg("check")
        .arg(sample_xlsx())
        .arg("--narrative")
        .arg(&not_word)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("不是 docx 文件"));
}

#[test]
fn the_library_check_ties_a_text_without_the_command_line() {
    let specs = SpecSet::builtin().unwrap();
    let cur = read(&sample_xlsx());
    let prior = read(&prior_xlsx());
    let r = check(
        &TextSource {
            name: "说明".into(),
            text: "2024年部门预算支出44,972.11万元,较2023年年初预算增加24,701.58万元。",
            sheet: None,
        },
        &Against {
            specs: &specs,
            catalogue: &budget_tables::catalogue::Catalogue::builtin().unwrap(),
            current: &cur.budget,
            prior: Some(&prior.budget),
            sources: &cur.sources,
        },
    );
    // The direction word is wrong, and a 35.5% change is given no reason; the
    // text, taken as the whole 说明, leaves the large changes of six items unsaid.
    let rules: Vec<&str> = r.findings.iter().map(|d| d.rule.as_str()).collect();
    assert_eq!(
        rules,
        [
            "N-DIR-01",
            "N-REASON-02",
            "N-SWING-01",
            "N-SWING-01",
            "N-SWING-01",
            "N-SWING-01",
            "N-SWING-01",
            "N-SWING-01"
        ]
    );
    assert_eq!((r.statements, r.checked, r.flagged), (2, 2, 8));
    assert_eq!(r.findings[0].table.as_deref(), Some("说明"));
}

#[test]
fn the_published_final_accounts_text_shows_its_real_errors() {
    let out = bin()
        .arg("check")
        .arg(root().join("samples/shanghai-ghzy-2024-final-accounts.xlsx"))
        .arg("--narrative")
        .arg(root().join("tests/fixtures/narrative/putuo-ghzy-2024-final-accounts-published.txt"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // One 说明 per check: every finding of the text is the file's, none of
    // the workbook's own (empty) text sheets.
    let texts: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["text"] == true)
        .collect();
    assert!(!texts.is_empty());
    assert!(
        texts
            .iter()
            .all(|d| d["table"] == "putuo-ghzy-2024-final-accounts-published.txt"),
        "{texts:#?}"
    );
    let found: Vec<[String; 5]> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"].as_str().unwrap().starts_with("N-") && d["severity"] != "notice")
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap_or("").to_string();
            [
                s("rule"),
                s("severity"),
                s("row_label"),
                s("expected"),
                s("actual"),
            ]
        })
        .collect();
    let f = |r: &str, sev: &str, p: &str, e: &str, a: &str| [r, sev, p, e, a].map(str::to_string);
    assert_eq!(
        found,
        [
            // The sample workbook's 说明 sheets are empty, but the text given
            // replaces them (#29 item 14): no N-CHAP-03 for them.
            // “增长 13.95。”: the rate without its %.
            f("N-TYPO-01", "warning", "第 12 段", "", "“13.95”缺少 %"),
            // 表1 prints 236.63, 表5 236.64: the text took 表1's (one fen).
            f(
                "N-FIG-01",
                "warning",
                "第 14 段",
                "236.64 万元（'表5 一般公共预算财政拨款支出决算表'!C14）",
                "236.63万元"
            ),
            // Under 一般公共预算财政拨款基本支出 the text gives 表3's all-funds 基本支出 and its 人员经费.
            f(
                "N-FIG-01",
                "error",
                "第 31 段",
                "5,364.75 万元（'表5 一般公共预算财政拨款支出决算表'!D6）",
                "5377.64万元"
            ),
            f(
                "N-FIG-01",
                "error",
                "第 31 段",
                "4,884.09 万元（'表6 一般公共预算财政拨款基本支出决算表'!C45）",
                "4896.98万元"
            ),
            // The template's “下降（增长）” left in print.
            f("N-TPL-01", "error", "第 36 段", "", "下降（增长）"),
        ]
    );
    let n = &v["narrative"];
    assert_eq!(
        (
            &n["sentences"],
            &n["statements"],
            &n["checked"],
            &n["unchecked"]
        ),
        // The text given only: the workbook's two sheet titles are not counted.
        (&139.into(), &146.into(), &28.into(), &118.into())
    );
}

#[test]
fn a_unit_text_copied_from_a_department_and_a_missing_sangong_item_are_caught() {
    let texts: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            root().join("tests/fixtures/shanghai/putuo-fuliyuan-2024-unit-budget.narrative.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let other = texts["其他相关情况说明"].as_str().unwrap().to_string();
    let run = |text: &str| -> Vec<(String, String)> {
        let dir = tmp();
        let f = dir.path().join("其他.txt");
        std::fs::write(&f, text).unwrap();
        let out = bin()
            .arg("check")
            .arg(root().join("samples/shanghai-fuliyuan-2024.xlsx"))
            .arg("--narrative")
            .arg(&f)
            .args(["--format", "json"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| {
                d["table"] == "其他.txt"
                    && ["N-SCOPE-01", "N-MISS-01"].contains(&d["rule"].as_str().unwrap())
            })
            .map(|d| {
                (
                    d["rule"].as_str().unwrap().to_string(),
                    d["message"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    // As published: neither.
    assert_eq!(run(&other), []);
    // A 单位 text that says 本部门 (copied from a 部门 version).
    let copied = other.replacen("本单位政府采购预算", "本部门政府采购预算", 1);
    let found = run(&copied);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "N-SCOPE-01");
    assert!(found[0].1.contains("“本部门”不是本版式（单位）的说法"));
    // The 公务接待费 line left out of the 三公 part.
    let line = other
        .lines()
        .find(|l| l.starts_with("（三）公务接待费"))
        .unwrap();
    let found = run(&other.replace(line, ""));
    assert_eq!(
        found,
        [(
            "N-MISS-01".to_string(),
            "说明讲了“三公”，但没有说公务接待费".to_string()
        )]
    );
}

// ------------------------------------------------ the document as a whole

/// (rule, message) of the findings of `rules` when `workbook` is checked with
/// `text` as its 说明 (and its prior year).
fn document_findings(
    workbook: &Path,
    text: &str,
    prior: Option<&Path>,
    rules: &[&str],
) -> Vec<(String, String)> {
    let dir = tmp();
    let f = dir.path().join("说明.txt");
    std::fs::write(&f, text).unwrap();
    let mut cmd = bin();
    cmd.arg("check")
        .arg(workbook)
        .arg("--narrative")
        .arg(&f)
        .args(["--format", "json"]);
    if let Some(p) = prior {
        cmd.arg("--prior").arg(p);
    }
    let v = serde_json::from_slice::<serde_json::Value>(&cmd.output().unwrap().stdout).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["table"] == "说明.txt" && rules.contains(&d["rule"].as_str().unwrap()))
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pair(rule: &str, message: &str) -> (String, String) {
    (rule.to_string(), message.to_string())
}

#[test]
fn a_chapter_left_out_or_left_empty_is_named() {
    const CHAP: [&str; 2] = ["N-CHAP-01", "N-CHAP-02"];
    let text = published();
    assert_eq!(document_findings(&sample_xlsx(), &text, None, &CHAP), []);
    let start = text.find("# 第四部分 政府采购预算情况").unwrap();
    let end = text.find("# 第五部分").unwrap();
    let part = &text[start..end];
    // The whole part taken out.
    assert_eq!(
        document_findings(&sample_xlsx(), &text.replace(part, ""), None, &CHAP),
        [pair("N-CHAP-01", "缺少“第四部分 政府采购预算情况”一节")]
    );
    // Its heading left with nothing under it, or only a placeholder.
    for under in ["\n\n", "\n\n【请填写：政府采购预算情况】\n\n"] {
        let emptied = text.replace(part, &format!("# 第四部分 政府采购预算情况{under}"));
        assert_eq!(
            document_findings(&sample_xlsx(), &emptied, None, &CHAP),
            [pair(
                "N-CHAP-02",
                "“第四部分 政府采购预算情况”一节只有标题，没有内容"
            )]
        );
    }
    // A text of one part (the 决算's 情况说明) is checked for that part's eleven sections only.
    let ghzy = root().join("samples/shanghai-ghzy-2024-final-accounts.xlsx");
    let accounts = std::fs::read_to_string(
        root().join("tests/fixtures/narrative/putuo-ghzy-2024-final-accounts-published.txt"),
    )
    .unwrap();
    assert_eq!(document_findings(&ghzy, &accounts, None, &CHAP), []);
    let line = accounts
        .lines()
        .find(|l| l.starts_with("十、预算绩效管理情况"))
        .unwrap();
    assert_eq!(
        document_findings(&ghzy, &accounts.replace(line, ""), None, &CHAP),
        [pair("N-CHAP-01", "缺少“十、预算绩效管理情况”一节")]
    );
}

#[test]
fn a_workbook_whose_narrative_sheets_are_empty_is_warned_and_still_converts() {
    let ghzy = root().join("samples/shanghai-ghzy-2024-final-accounts.xlsx");
    let out = bin()
        .arg("check")
        .arg(&ghzy)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let chapters: Vec<(String, String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "N-CHAP-03")
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap_or("").to_string();
            (s("severity"), s("sheet"), s("message"))
        })
        .collect();
    let w = |sheet: &str, m: &str| ("warning".to_string(), sheet.to_string(), m.to_string());
    // The sample carries the tables of the published 决算, not its text.
    assert_eq!(
        chapters,
        [
            w("部门概况", "说明工作表“部门概况”（概况）空着"),
            w(
                "决算情况说明",
                "说明工作表“决算情况说明”（2024年度部门决算情况说明）空着"
            ),
            w("名词解释", "说明工作表“名词解释”（名词解释）空着"),
        ]
    );
    // The Shanghai budgets carry their published texts: every chapter and part is there.
    for s in [
        "shanghai-wanli-2023.xlsx",
        "shanghai-wanli-2024.xlsx",
        "shanghai-fuliyuan-2024.xlsx",
    ] {
        let out = bin()
            .arg("check")
            .arg(root().join("samples").join(s))
            .args(["--format", "json"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let rules: Vec<&str> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["rule"].as_str().unwrap())
            .collect();
        assert!(
            !rules.iter().any(|r| r.starts_with("N-CHAP")),
            "{s}: {rules:?}"
        );
    }
}

#[test]
fn a_table_with_figures_under_an_empty_table_note_and_an_empty_table_without_one() {
    const EMPTY: [&str; 2] = ["N-EMPTY-01", "N-EMPTY-02"];
    // The published 万里 2024 budget prints its 三公 table with 47.91 under “故本表为空表”.
    let sangong = std::fs::read_to_string(
        root().join("tests/fixtures/narrative/putuo-wanli-2024-sangong-table.txt"),
    )
    .unwrap();
    assert_eq!(
        document_findings(&root().join("samples/shanghai-wanli-2024.xlsx"), &sangong, None, &EMPTY),
        [pair(
            "N-EMPTY-01",
            "部门“三公”经费和机关运行费预算表有数字，表下却注明“注:本部门2024年无“三公”经费和机关运行经费预算，故本表为空表。”"
        )]
    );
    // Shenzhen's two fund tables, both empty, each with its note; then one note taken out.
    let funds = std::fs::read_to_string(
        root().join("tests/fixtures/narrative/shenzhen-zwfw-2024-fund-tables.md"),
    )
    .unwrap();
    assert_eq!(document_findings(&sample_xlsx(), &funds, None, &EMPTY), []);
    let last = funds.rfind("注: 本表本年无发生额。").unwrap();
    let without = format!(
        "{}{}",
        &funds[..last],
        &funds[last + "注: 本表本年无发生额。".len()..]
    );
    assert_eq!(
        document_findings(&sample_xlsx(), &without, None, &EMPTY),
        [pair(
            "N-EMPTY-02",
            "表11 国有资本经营预算支出表没有数字，表下没有注明为空表"
        )]
    );
}

#[test]
fn a_subject_named_with_words_left_out_is_named_with_the_tables_name() {
    let ghzy = root().join("samples/shanghai-ghzy-2024-final-accounts.xlsx");
    let accounts = std::fs::read_to_string(
        root().join("tests/fixtures/narrative/putuo-ghzy-2024-final-accounts-published.txt"),
    )
    .unwrap();
    // As published: “事业单位退休人员支出”, “城乡社区管理事务” are no near misses.
    assert_eq!(
        document_findings(&ghzy, &accounts, None, &["N-NAME-02"]),
        []
    );
    let from = "行政事业单位养老支出（款）";
    assert!(accounts.contains(from));
    let mutated = accounts.replacen(from, "行政单位养老支出（款）", 1);
    assert_eq!(
        document_findings(&ghzy, &mutated, None, &["N-NAME-02"]),
        [pair(
            "N-NAME-02",
            "说明写作“行政单位养老支出”，表中科目名称为“行政事业单位养老支出”"
        )]
    );
}

#[test]
fn a_large_change_the_text_never_speaks_of_is_a_warning() {
    let text = published();
    let prior = prior_xlsx();
    assert_eq!(
        document_findings(&sample_xlsx(), &text, Some(&prior), &["N-SWING-01"]),
        []
    );
    let line = text
        .lines()
        .find(|l| l.contains("4. 信息化新建项目"))
        .unwrap();
    assert_eq!(
        document_findings(&sample_xlsx(), &text.replace(line, ""), Some(&prior), &["N-SWING-01"]),
        [pair(
            "N-SWING-01",
            "表5“信息化新建项目(非政府投资项目)”较上年下降88.03%（44,396.16 → 5,314.40），说明中没有讲到"
        )]
    );
    // Without the prior year there is nothing to compare.
    assert_eq!(
        document_findings(
            &sample_xlsx(),
            &text.replace(line, ""),
            None,
            &["N-SWING-01"]
        ),
        []
    );
}

#[test]
fn table_of_contents_dots_and_table_titles_are_not_flagged() {
    let fuliyuan = root().join("samples/shanghai-fuliyuan-2024.xlsx");
    let text = "一、单位主要职能    ……………………………………………… 1\n8．2024年预算单位一般公共预算基本支出部门预算经济分类预算表\n";
    assert_eq!(
        document_findings(&fuliyuan, text, None, &["N-TPL-01", "N-SCOPE-01"]),
        []
    );
    // The same words in a sentence are still caught.
    let copied = "本部门2024年预算单位编制情况如下……\n";
    assert_eq!(
        document_findings(&fuliyuan, copied, None, &["N-TPL-01", "N-SCOPE-01"])
            .iter()
            .map(|(r, _)| r.as_str())
            .collect::<Vec<_>>(),
        ["N-TPL-01", "N-SCOPE-01"]
    );
}

/// An empty 说明 is flagged as one empty sheet beside filled ones is (#29
/// item 5): a filled template whose text sheets are all empty gets one
/// N-CHAP-03 per chapter sheet, not "0 个错误，0 个警告"; a workbook without
/// the sheets gets them as missing.
#[test]
fn a_workbook_with_no_text_at_all_is_flagged_chapter_by_chapter() {
    use budget_tables::read::{Cell, Sheet};
    let d = tmp();
    let sample = root().join("samples/shanghai-wanli-2024.xlsx");
    let chapters = [
        "部门主要职能",
        "部门机构设置",
        "名词解释",
        "部门编制说明",
        "其他相关情况说明",
    ];
    let sheets = load(&sample);
    let emptied: Vec<Sheet> = sheets
        .iter()
        .map(|s| {
            if !chapters.contains(&s.name.as_str()) {
                return s.clone();
            }
            edit(s, |rows| {
                for row in rows.iter_mut().skip(1) {
                    for c in row.iter_mut() {
                        *c = Cell::Empty;
                    }
                }
            })
        })
        .collect();
    let without: Vec<Sheet> = sheets
        .iter()
        .filter(|s| !chapters.contains(&s.name.as_str()))
        .cloned()
        .collect();
    for (name, sheets, state) in [
        ("emptied.xlsx", emptied, "空着"),
        ("without.xlsx", without, "缺少"),
    ] {
        let p = d.path().join(name);
        write_sheets(&p, &sheets, true);
        let out = bin()
            .args(["check", "--format", "json"])
            .arg(&p)
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let flagged: Vec<(String, String)> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "N-CHAP-03")
            .map(|f| {
                (
                    f["sheet"].as_str().unwrap().to_string(),
                    f["actual"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let expected: Vec<(String, String)> = chapters
            .iter()
            .map(|c| (c.to_string(), state.to_string()))
            .collect();
        assert_eq!(flagged, expected, "{name}");
        assert_eq!(v["text_findings"]["warnings"], 5, "{name}");
    }
}

/// The Shanghai draft follows the official template (2026): one sentence per
/// 科目 (“xx”科目x,xxx万元，主要用于……), no invented 预算执行数 sentence, and
/// amounts with thousands separators (#29 item 10).
#[test]
fn the_shanghai_draft_follows_the_official_template() {
    let d = tmp();
    let md = d.path().join("说明.md");
    bin()
        .arg("narrate")
        .arg(root().join("samples/shanghai-wanli-2024.xlsx"))
        .arg("--prior")
        .arg(root().join("samples/shanghai-wanli-2023.xlsx"))
        .arg("-o")
        .arg(&md)
        .assert()
        .success()
        .stdout(predicates::str::contains("（57 处【请填写】待补充）"));
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.contains(
        "1. “一般公共服务支出（类）统计信息事务（款）专项普查活动（项）”科目25.77万元，主要用于【请填写：主要用途】。"
    ));
    assert!(text.contains(
        "支出预算15,621.11万元，其中：财政拨款支出预算15,621.11万元，比2023年预算减少876.75万元。"
    ));
    assert!(!text.contains("预算执行数"));
    // A large change (here from 15.00 to 30.00) asks for its reason, by the
    // 科目's full path; a small one does not.
    assert!(text.contains(
        "7. “公共安全支出（类）司法（款）公共法律服务（项）”科目30.00万元，主要用于【请填写：主要用途】。“公共安全支出（类）司法（款）公共法律服务（项）”比2023年预算增加15.00万元，主要原因是【请填写：增减的主要原因】。"
    ));
    assert!(text.contains(
        "2. “一般公共服务支出（类）群众团体事务（款）一般行政管理事务（项）”科目42.60万元，主要用于【请填写：主要用途】。\n"
    ));
}
