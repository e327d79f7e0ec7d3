//! `budget-tables batch` and `sample`.

mod common;

use std::path::Path;

use common::*;
use predicates::str::contains;

fn hash_dir(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = budget_tables::batch::discover(dir, None)
        .files
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    out.sort();
    out
}

#[test]
fn generated_departments_all_pass_and_a_broken_file_does_not_stop_the_rest() {
    let dir = tmp();
    let input = dir.path().join("in");
    let out = dir.path().join("out");
    bin()
        .args(["sample", "--count", "12", "-o"])
        .arg(&input)
        .assert()
        .success()
        .stdout(contains("已生成 12 个部门"));
    std::fs::create_dir_all(input.join("sub")).unwrap();
    std::fs::write(
        input.join("sub/损坏.xlsx"),
        b"PK\x03\x04 not really a workbook",
    )
    .unwrap();
    std::fs::write(input.join("~$lock.xlsx"), b"office lock file").unwrap();
    let before = hash_dir(&input);
    batch(&input, &out)
        .args(["--jobs", "2"])
        .assert()
        .code(2)
        .stdout(contains(
            "共 13 个输入：通过 12，有警告 0，有错误 0，说明有错误 0，无法读取 1，冲突 0",
        ))
        .stderr(contains("sub/损坏.xlsx：无法读取"));
    assert_eq!(
        hash_dir(&input),
        before,
        "nothing written inside the input folder"
    );
    let r = rollup(&out, 2023);
    let entries = r["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 13);
    let broken = entries
        .iter()
        .find(|e| e["file"] == "sub/损坏.xlsx")
        .unwrap();
    assert_eq!(broken["status"], "无法读取");
    let first = entries
        .iter()
        .find(|e| e["file"] == "dept-0001.xlsx")
        .unwrap();
    assert_eq!(first["department"], "深圳市发展和改革委员会");
    assert_eq!(first["status"], "通过");
    assert_eq!(first["figures"]["收入总计（万元）"], "69673.69");
    let folder = out.join(first["folder"].as_str().unwrap());
    for f in ["公开报表.xlsx", "模型.json", "检查结果.json"] {
        assert!(folder.join(f).is_file(), "{f}");
    }
    // A department of two units: the department block is the sum of both.
    let two = entries
        .iter()
        .find(|e| e["file"] == "dept-0005.xlsx")
        .unwrap();
    let model: budget_tables::model::Budget = budget_tables::model::json::from_str(
        &std::fs::read_to_string(out.join(two["folder"].as_str().unwrap()).join("模型.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(model.units.len(), 2);
    assert_eq!(model.grid("t03").unwrap().blocks.len(), 3);
    // The tables keyed by name learn the second unit from the others.
    assert_eq!(model.grid("t04").unwrap().blocks.len(), 3);
    assert_eq!(model.grid("t05").unwrap().blocks.len(), 3);
    let sheets = load(&out.join("汇总-2023.xlsx"));
    assert_eq!(
        sheets.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["汇总", "规则×部门"]
    );
    assert!(!out.join(".budget-tables-staging").exists());
}

#[test]
fn two_inputs_for_one_department_conflict_and_neither_wins() {
    let dir = tmp();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::copy(sample_xlsx(), input.join("a.xlsx")).unwrap();
    std::fs::copy(sample_json(), input.join("b.json")).unwrap();
    let out = dir.path().join("out");
    batch(&input, &out)
        .assert()
        .code(1)
        .stdout(contains("冲突 2"));
    let r = rollup(&out, 2024);
    for e in r["entries"].as_array().unwrap() {
        assert_eq!(e["status"], "冲突");
        assert!(e["message"].as_str().unwrap().contains("a.xlsx、b.json"));
    }
    assert!(!out.join("2024").exists());
}

#[test]
fn prior_year_gives_the_diff_and_the_change() {
    let dir = tmp();
    let (input, prior, out) = (
        dir.path().join("in"),
        dir.path().join("prior"),
        dir.path().join("out"),
    );
    std::fs::create_dir_all(&input).unwrap();
    std::fs::create_dir_all(&prior).unwrap();
    std::fs::copy(sample_xlsx(), input.join("本年.xlsx")).unwrap();
    std::fs::copy(
        root().join("samples/shenzhen-zwfw-2023.xlsx"),
        prior.join("x.xlsx"),
    )
    .unwrap();
    batch(&input, &out)
        .arg("--prior-dir")
        .arg(&prior)
        .assert()
        .success()
        .stdout(contains("有警告 1"));
    let r = rollup(&out, 2024);
    let e = &r["entries"][0];
    assert_eq!(
        (e["change"]["change"].as_str(), e["change"]["rate"].as_str()),
        (Some("-24701.58"), Some("-35.5"))
    );
    assert_eq!(e["folder"], "2024/深圳市政务服务和数据管理局(本级)");
    assert!(out
        .join("2024/深圳市政务服务和数据管理局(本级)/年度对比.xlsx")
        .is_file());
    assert!(
        out.join("2024/深圳市政务服务和数据管理局(本级)/检查结果标注.xlsx")
            .is_file(),
        "warnings are annotated"
    );
}

#[test]
fn hostile_department_names_stay_inside_the_output() {
    let dir = tmp();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let mut m = sample_model();
    m.department = "../../逃逸/\u{7}局".into();
    std::fs::write(
        input.join("evil.json"),
        budget_tables::model::json::to_string(&m),
    )
    .unwrap();
    let out = dir.path().join("out");
    batch(&input, &out).assert().success();
    let r = rollup(&out, 2024);
    let folder = r["entries"][0]["folder"].as_str().unwrap();
    assert_eq!(folder, "2024/逃逸_\u{7}局".replace('\u{7}', "_"));
    assert!(out.join(folder).join("模型.json").is_file());
    assert!(!dir.path().join("逃逸").exists());
}

/// Names that differ only in characters a folder name cannot hold, or only in
/// case, and a name equal to another's numbered folder: each department gets
/// a folder of its own, never another's.
#[test]
fn departments_whose_folder_names_meet_each_get_their_own_folder() {
    let dir = tmp();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let names = ["甲/乙", "甲_乙", "甲_乙-2", "ABC局", "abc局"];
    for (i, name) in names.iter().enumerate() {
        let mut m = sample_model();
        m.department = (*name).into();
        std::fs::write(
            input.join(format!("{i}.json")),
            budget_tables::model::json::to_string(&m),
        )
        .unwrap();
    }
    let out = dir.path().join("out");
    batch(&input, &out).assert().success();
    let r = rollup(&out, 2024);
    let mut folders = Vec::new();
    for e in r["entries"].as_array().unwrap() {
        let folder = e["folder"].as_str().unwrap();
        let model = std::fs::read_to_string(out.join(folder).join("模型.json")).unwrap();
        let m = budget_tables::model::json::from_str(&model).unwrap();
        assert_eq!(Some(m.department.as_str()), e["department"].as_str());
        folders.push(folder.to_string());
    }
    assert_eq!(
        folders,
        [
            "2024/甲_乙",
            "2024/甲_乙-2",
            "2024/甲_乙-2-2",
            "2024/ABC局",
            "2024/abc局-2"
        ]
    );
}

#[test]
fn output_inside_input_is_refused() {
    let dir = tmp();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::copy(sample_json(), input.join("a.json")).unwrap();
    batch(&input, &input.join("out"))
        .assert()
        .code(2)
        .stderr(contains("在输入目录"));
    batch(&dir.path().join("nope"), &dir.path().join("o"))
        .assert()
        .code(2)
        .stderr(contains("找不到输入目录"));
}

#[test]
fn ctrl_c_stops_cleanly() {
    let dir = tmp();
    let input = dir.path().join("in");
    let out = dir.path().join("out");
    departments(&input, 300);
    let exe = assert_cmd::cargo::cargo_bin("budget-tables");
    let mut child = std::process::Command::new(exe)
        .arg("batch")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args(["--jobs", "1"])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(400));
    let _ = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(130),
        "interrupted long before 300 departments are done"
    );
    {
        assert!(!out.join(".budget-tables-staging").exists());
        assert!(!out.join("汇总-2023.xlsx").exists());
    }
    fn all_files(d: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                all_files(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    all_files(&out, &mut files);
    assert!(
        files.iter().all(|p| !p.to_string_lossy().ends_with(".tmp")),
        "{files:?}"
    );
}

/// The roll-up's figure headings carry their unit, so a city's 元 and 万元
/// layouts never add up in one column, and each figure column is as wide as
/// its heading and its total (#29 item 11: no ### in 合计, no cut heading).
#[test]
fn roll_up_figures_carry_their_unit_and_fit_their_totals() {
    let d = tmp();
    let input = d.path().join("in");
    std::fs::create_dir(&input).unwrap();
    for f in ["shenzhen-zwfw-2024.xlsx", "shanghai-wanli-2024.xlsx"] {
        std::fs::copy(root().join("samples").join(f), input.join(f)).unwrap();
    }
    let out = d.path().join("out");
    // 万里 2024's 说明 has an error: exit 1, its tables written all the same.
    batch(&input, &out).assert().code(1);
    let book = out.join("汇总-2024.xlsx");
    let sheets = load(&book);
    let heads: Vec<Vec<String>> = sheets
        .iter()
        .map(|s| (0..30).map(|c| s.get(0, c).text()).collect())
        .collect();
    for label in [
        "收入总计（万元）",
        "收入预算（元）",
        "基本支出（万元）",
        "基本支出（元）",
        "“三公”经费（万元）",
        "收入预算增减额（元）",
    ] {
        assert!(
            heads.iter().any(|h| h.iter().any(|x| x == label)),
            "{label} in {heads:?}"
        );
    }
    let head = &heads[0];
    // The column of 收入预算（元） is wide enough for the 合计 of 156,211,123.00.
    let at = head.iter().position(|h| h == "收入预算（元）").unwrap() + 1;
    let xml = zip_part(&book, "xl/worksheets/sheet1.xml");
    let width: f64 = xml
        .split("<col ")
        .find(|c| c.contains(&format!("min=\"{at}\" max=\"{at}\"")))
        .and_then(|c| c.split("width=\"").nth(1))
        .and_then(|w| w.split('"').next())
        .and_then(|w| w.parse().ok())
        .unwrap();
    assert!(width >= "156,211,123.00".len() as f64, "{width}");
}
