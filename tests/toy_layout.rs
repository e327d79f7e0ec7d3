//! A finance bureau adds its own layout without touching Rust: the two-table
//! toy layout of docs/layouts.md (tests/fixtures/toy-layout/), loaded with
//! `--templates`, goes through template → fill → check → convert → diff.

mod common;

use std::path::{Path, PathBuf};

use budget_tables::read::{Cell, Sheet};
use common::*;
use predicates::prelude::*;

fn layout_dir() -> PathBuf {
    root().join("tests/fixtures/toy-layout")
}

fn run(args: &[&str]) -> assert_cmd::assert::Assert {
    bin()
        .arg("--templates")
        .arg(layout_dir())
        .args(args)
        .assert()
}

/// 表1 filled with one 项 `item` under 201 / 20103, each row and the 合计
/// with `total` = `basic` + `project`.
fn with_item(s: &Sheet, item: (&str, &str), (total, basic, project): (f64, f64, f64)) -> Sheet {
    let first = find_row(s, "科目编码") + 1;
    // The 合计 row below the body (the header has a 合计 column too).
    let total_row = (first..s.height())
        .find(|&r| s.get(r, 0).text() == "合计")
        .unwrap();
    let lines = [
        ("201", "一般公共服务支出"),
        ("20103", "政府办公厅(室)及相关机构事务"),
        item,
    ];
    edit(s, |rows| {
        for (i, (code, name)) in lines.iter().enumerate() {
            let r = first + i as u32;
            set(rows, r, 0, Cell::Text((*code).into()));
            set(rows, r, 1, Cell::Text((*name).into()));
        }
        for r in (first..first + 3).chain([total_row]) {
            for (c, v) in [(2, total), (3, basic), (4, project)] {
                set(rows, r, c, Cell::Number(v));
            }
        }
    })
}

/// 表2's one row of 三公 figures filled with `values`.
fn with_sangong(s: &Sheet, values: &[f64; 4]) -> Sheet {
    let r = find_row(s, "合计") + 1;
    edit(s, |rows| {
        for (c, v) in values.iter().enumerate() {
            set(rows, r, c as u32, Cell::Number(*v));
        }
    })
}

/// The blank template of 示例县财政局 for `year`, written by `layout` (a
/// program with its layout flags) to `dir/name`.
fn blank_of(
    layout: impl Fn(&[&str]) -> assert_cmd::assert::Assert,
    dir: &Path,
    name: &str,
    year: i32,
) -> PathBuf {
    let blank = dir.join(name);
    let year = year.to_string();
    layout(&[
        "template",
        "--department",
        "示例县财政局",
        "--year",
        &year,
        "-o",
        blank.to_str().unwrap(),
    ])
    .success();
    blank
}

/// The blank template of `year`, filled: 201 / 20103 / 2010301 with `total`
/// = `basic` + `project`, the 合计 row, and the 三公 row.
fn filled(
    dir: &Path,
    name: &str,
    year: i32,
    (total, basic, project): (f64, f64, f64),
    sangong: [f64; 4],
) -> PathBuf {
    let blank = blank_of(run, dir, &format!("blank-{year}.xlsx"), year);
    let sheets: Vec<Sheet> = load(&blank)
        .iter()
        .map(|s| match s.name.as_str() {
            "表1 经费总表" => with_item(s, ("2010301", "行政运行"), (total, basic, project)),
            "表2 三公经费表" => with_sangong(s, &sangong),
            _ => s.clone(),
        })
        .collect();
    let out = dir.join(format!("{name}.xlsx"));
    write_sheets(&out, &sheets, true);
    out
}

#[test]
fn a_layout_added_as_files_only_runs_every_command() {
    let dir = tmp();
    let d = dir.path();
    run(&["layouts"])
        .success()
        .stdout(predicate::str::contains("toy-county"))
        .stdout(predicate::str::contains("表2 三公经费表"));
    // Its rules, generated from its declarations.
    run(&["rules", "--layout", "toy-county"])
        .success()
        .stdout(predicate::str::contains("`X-TOY-01`"))
        .stdout(predicate::str::contains("`TOY2-ROW-01`"));

    let current = filled(d, "2025", 2025, (100.0, 60.0, 40.0), [10.0, 0.0, 6.0, 4.0]);
    run(&["check", current.to_str().unwrap()])
        .success()
        .stdout(predicate::str::contains("检查通过"));

    // 三公 70 > 基本支出 60: the cross-table relation is caught at 表2's 合计 cell.
    let broken = filled(
        d,
        "broken",
        2025,
        (100.0, 60.0, 40.0),
        [70.0, 0.0, 66.0, 4.0],
    );
    run(&["check", broken.to_str().unwrap()])
        .code(1)
        .stdout(predicate::str::contains(
            "错误 [X-TOY-01] 表2 三公经费表 '表2 三公经费表'!A5",
        ))
        .stdout(predicate::str::contains("应为：≤ 60.00；实际：70.00"));

    // convert: the model records the layout; the official workbook reads back the same.
    let json = d.join("2025.json");
    let official = d.join("2025-official.xlsx");
    run(&[
        "convert",
        current.to_str().unwrap(),
        "-o",
        json.to_str().unwrap(),
    ])
    .success();
    run(&[
        "convert",
        json.to_str().unwrap(),
        "-o",
        official.to_str().unwrap(),
    ])
    .success();
    let model = std::fs::read_to_string(&json).unwrap();
    assert!(model.contains("\"layout\": \"toy-county\""), "{model}");
    let again = d.join("again.json");
    run(&[
        "convert",
        official.to_str().unwrap(),
        "-o",
        again.to_str().unwrap(),
    ])
    .success();
    assert_eq!(std::fs::read_to_string(&again).unwrap(), model);

    // diff: the headline figure in the layout's sentence.
    let prior = filled(d, "2024", 2024, (80.0, 50.0, 30.0), [10.0, 0.0, 6.0, 4.0]);
    let out = run(&[
        "diff",
        prior.to_str().unwrap(),
        current.to_str().unwrap(),
        "--format",
        "json",
    ])
    .success()
    .get_output()
    .stdout
    .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        v["headlines"][0]["sentence"],
        "示例县财政局经费合计100万元，比2024年增加20万元，增长25%"
    );
}

/// A copy of the toy layout as a bureau keeps it: in `config`'s user
/// layouts folder (`$XDG_CONFIG_HOME/budget-tables/layouts/toy-county`).
fn in_user_folder(config: &Path) -> PathBuf {
    let folder = config.join("budget-tables/layouts/toy-county");
    std::fs::create_dir_all(&folder).unwrap();
    for f in std::fs::read_dir(layout_dir()).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, folder.join(f.file_name().unwrap())).unwrap();
    }
    folder
}

/// A layout kept outside the repository is read beside the built-in ones
/// by check, batch and the web page, with no flag: from the user's layouts
/// folder or from BUDGET_TABLES_LAYOUTS (#30 item 1).
#[test]
fn a_layout_in_the_users_folder_or_the_environment_needs_no_flag() {
    let dir = tmp();
    let d = dir.path();
    let config = d.join("config");
    let folder = in_user_folder(&config);
    let current = filled(d, "2025", 2025, (100.0, 60.0, 40.0), [10.0, 0.0, 6.0, 4.0]);

    let listed = bin()
        .env("XDG_CONFIG_HOME", &config)
        .arg("layouts")
        .output()
        .unwrap();
    let listed = String::from_utf8(listed.stdout).unwrap();
    assert!(
        listed.contains("shenzhen-budget\t深圳市部门预算公开（12 张表）"),
        "{listed}"
    );
    assert!(listed.contains("版本 1）\t来源：内置\n"), "{listed}");
    assert!(
        listed.contains(&format!(
            "toy-county\t某县项目经费公开（2 张表）（示例县，预算，部门口径，版本 1）\t来源：用户版式目录 {}\n",
            folder.display()
        )),
        "{listed}"
    );

    bin()
        .env("XDG_CONFIG_HOME", &config)
        .args(["check", current.to_str().unwrap()])
        .assert()
        .success()
        .stdout(predicate::str::contains("toy-county"))
        .stdout(predicate::str::contains("检查通过"));
    bin()
        .env("BUDGET_TABLES_LAYOUTS", layout_dir())
        .args(["check", current.to_str().unwrap()])
        .assert()
        .success()
        .stdout(predicate::str::contains("检查通过"));

    // A city's batch with one department of each layout.
    let input = d.join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::copy(&current, input.join("toy.xlsx")).unwrap();
    std::fs::copy(
        root().join("samples/shenzhen-zwfw-2024.xlsx"),
        input.join("zwfw.xlsx"),
    )
    .unwrap();
    batch(&input, &d.join("out"))
        .env("XDG_CONFIG_HOME", &config)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "共 2 个输入：通过 1，有警告 1，有错误 0",
        ));

    let server = Server::start_with(&[], &[("XDG_CONFIG_HOME", &config)], None);
    let body = reqwest::blocking::get(server.api("/api/layouts"))
        .unwrap()
        .text()
        .unwrap();
    let list: serde_json::Value = serde_json::from_str(&body).unwrap();
    let toy = list
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == "toy-county")
        .unwrap_or_else(|| panic!("the page does not offer the user's layout: {body}"));
    assert_eq!(toy["origin"], format!("用户版式目录 {}", folder.display()));
}

/// A folder of layouts is given as it is kept; a copy of a built-in layout
/// under its own id is refused naming both places (#30 item 1).
#[test]
fn a_folder_of_layouts_adds_them_and_a_clash_names_both() {
    let dir = tmp();
    let config = dir.path().join("config");
    in_user_folder(&config);
    bin()
        .arg("--templates")
        .arg(config.join("budget-tables/layouts"))
        .args(["template", "--year", "2025", "-o"])
        .arg(dir.path().join("t.xlsx"))
        .assert()
        .success();
    assert!(load(&dir.path().join("t.xlsx"))
        .iter()
        .any(|s| s.name == "表2 三公经费表"));

    let clash = dir.path().join("copy");
    std::fs::create_dir(&clash).unwrap();
    for f in std::fs::read_dir(root().join("templates/shenzhen-budget")).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, clash.join(f.file_name().unwrap())).unwrap();
    }
    bin()
        .arg("--templates")
        .arg(&clash)
        .arg("layouts")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "版式 id“shenzhen-budget”重复：内置 与 --templates {} 都有；请改其中一个的 layout.toml 中的 id",
            clash.display()
        )));
}

/// A copy of the toy layout in `dir/name`, each file passed through `edit`.
fn toy_copy(dir: &Path, name: &str, edit: impl Fn(&str, String) -> String) -> PathBuf {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    for f in std::fs::read_dir(layout_dir()).unwrap() {
        let f = f.unwrap().path();
        let file = f.file_name().unwrap().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(&f).unwrap();
        std::fs::write(folder.join(&file), edit(&file, text)).unwrap();
    }
    folder
}

/// What `layouts --check DIR` printed, it having failed with exit code 1.
fn layouts_check_failing(dir: &Path) -> String {
    let out = bin()
        .args(["layouts", "--check"])
        .arg(dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    String::from_utf8(out.stdout).unwrap()
}

/// `layouts --check` proves a bureau's folder before a department uses
/// it, printing every problem at once: files that do not parse, then the
/// declarations naming what the tables lack (#30 item 5).
#[test]
fn layouts_check_prints_every_problem_of_a_folder_at_once() {
    let dir = tmp();
    let d = dir.path();
    bin()
        .args(["layouts", "--check"])
        .arg(layout_dir())
        .assert()
        .success()
        .stdout(predicate::str::contains("共 1 个版式，没有发现问题"));
    // The shipped layouts pass their own check.
    bin()
        .args(["layouts", "--check"])
        .arg(root().join("templates"))
        .assert()
        .success()
        .stdout(predicate::str::contains("共 4 个版式，没有发现问题"));

    let typos = toy_copy(d, "typos", |file, text| match file {
        "01-jingfei.toml" => text.replace("template_rows = 10", "template_row = 10"),
        "02-sangong.toml" => text.replacen("kind = \"grid\"", "kind = \"gird\"", 1),
        _ => text,
    });
    let text = layouts_check_failing(&typos);
    assert!(text.contains("：2 个问题\n"), "{text}");
    assert!(
        text.contains(
            "01-jingfei.toml 格式错误：第 11 行第 1 列：未知字段 `template_row`；可用的有：`id`"
        ),
        "{text}"
    );
    assert!(
        text.contains("02-sangong.toml 格式错误：第 5 行第 8 列：未知取值 `gird`；可用的有：`two_sided`, `grid`, `form`"),
        "{text}"
    );

    let names = toy_copy(d, "names", |file, text| match file {
        "layout.toml" => text
            .replace("col = \"basic\" }] }", "col = \"basics\" }] }")
            .replacen(
                "cells = [{ table = \"t01\"",
                "cells = [{ table = \"t03\"",
                1,
            ),
        _ => text,
    });
    let text = layouts_check_failing(&names);
    assert!(text.contains("：2 个问题\n"), "{text}");
    assert!(text.contains("1. 表格规格 "), "{text}");
    assert!(
        text.contains("layout.toml 无效：规则 X-TOY-01：表 t01 没有列 basics"),
        "{text}"
    );
    assert!(text.contains("：没有表 t03"), "{text}");

    // Its blank template must be its own: a layout whose tables are the
    // built-in Shenzhen ones under another id is read as Shenzhen's.
    let shadow = d.join("shadow");
    std::fs::create_dir(&shadow).unwrap();
    for f in std::fs::read_dir(root().join("templates/shenzhen-budget")).unwrap() {
        let f = f.unwrap().path();
        let text = std::fs::read_to_string(&f).unwrap();
        let text = if f.ends_with("layout.toml") {
            text.replacen("id = \"shenzhen-budget\"", "id = \"shadow\"", 1)
        } else {
            text
        };
        std::fs::write(shadow.join(f.file_name().unwrap()), text).unwrap();
    }
    bin()
        .args(["layouts", "--check"])
        .arg(&shadow)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("空白模板读不回"))
        .stdout(predicate::str::contains("shenzhen-budget"));
}

/// An empty table is one thing in every shape (#30 item 4): where blank is
/// not zero, a table with no figure is `S-EMPTY` (a grid with a 合计 row and
/// a one-row table were passed silently); where the layout prints zero as a
/// blank, it is all zero and the rules that read it compare it as zero (a
/// grid's were skipped, a two-sided table's compared as zero).
#[test]
fn an_empty_table_is_reported_or_zero_as_the_layout_prints_it() {
    let dir = tmp();
    let d = dir.path();
    let blank = blank_of(run, d, "blank.xlsx", 2025);
    let out = run(&["check", blank.to_str().unwrap()])
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    for t in ["表1 经费总表", "表2 三公经费表"] {
        assert!(
            text.contains(&format!(
                "错误 [S-EMPTY] {t} [示例县财政局 合计 | 合计]：表中没有任何金额。修改建议：本年无发生额的表也应在合计行填写 0（空白不等于 0）"
            )),
            "{text}"
        );
    }
    assert!(text.ends_with("2 个错误，0 个警告，0 个提示。\n"), "{text}");

    // The same layout printing zero as blank: 表1 left empty is zero, so
    // 表2's 三公 of 70 exceeds its 基本支出.
    let zero = toy_copy(d, "zero", |file, text| match file {
        "layout.toml" => text
            .replacen("id = \"toy-county\"", "id = \"toy-zero\"", 1)
            .replacen(
                "text_unit = \"万元\"",
                "text_unit = \"万元\"\nblank_is_zero = true",
                1,
            ),
        _ => text,
    });
    let with = |args: &[&str]| {
        bin()
            .arg("--templates")
            .arg(&zero)
            .args(["--layout", "toy-zero"])
            .args(args)
            .assert()
    };
    let blank = blank_of(with, d, "blank-zero.xlsx", 2025);
    with(&["check", blank.to_str().unwrap()])
        .success()
        .stdout(predicate::str::contains("检查通过"));
    let sheets: Vec<Sheet> = load(&blank)
        .iter()
        .map(|s| match s.name.as_str() {
            "表2 三公经费表" => with_sangong(s, &[70.0, 0.0, 66.0, 4.0]),
            _ => s.clone(),
        })
        .collect();
    let filled = d.join("sangong-only.xlsx");
    write_sheets(&filled, &sheets, true);
    with(&["check", filled.to_str().unwrap()])
        .code(1)
        .stdout(predicate::str::contains(
            "错误 [X-TOY-01] 表2 三公经费表 '表2 三公经费表'!A5",
        ))
        .stdout(predicate::str::contains("应为：≤ 0.00；实际：70.00"))
        .stdout(predicate::str::contains("S-EMPTY").not());
}

/// `blank`'s 表1 filled with one 项 of `code`/`name` under 201 / 20103
/// (100 = 60 + 40) and its 合计, 表2 with the 三公 row [10, 0, 6, 4].
fn filled_with_item(blank: &Path, out: &Path, code: &str, name: &str) {
    let sheets: Vec<Sheet> = load(blank)
        .iter()
        .map(|s| match s.name.as_str() {
            "表1 经费总表" => with_item(s, (code, name), (100.0, 60.0, 40.0)),
            "表2 三公经费表" => with_sangong(s, &[10.0, 0.0, 6.0, 4.0]),
            _ => s.clone(),
        })
        .collect();
    write_sheets(out, &sheets, true);
}

/// A layout's own catalogue file (`catalogue = "codes.csv"`) adds the
/// bureau's codes for its inputs only, on every command (#30 item 7).
#[test]
fn a_layouts_own_catalogue_knows_its_codes() {
    let dir = tmp();
    let d = dir.path();
    let local = toy_copy(d, "local", |file, text| match file {
        "layout.toml" => text
            .replacen("id = \"toy-county\"", "id = \"toy-local\"", 1)
            .replacen(
                "text_unit = \"万元\"",
                "text_unit = \"万元\"\ncatalogue = \"codes.csv\"",
                1,
            ),
        _ => text,
    });
    std::fs::write(
        local.join("codes.csv"),
        "code,name,level,year,source\n2010399,其他政府办公厅(室)及相关机构事务支出,项,2025,示例县财政局\n",
    )
    .unwrap();
    let blank = blank_of(run, d, "blank.xlsx", 2025);
    let input = d.join("in");
    std::fs::create_dir(&input).unwrap();
    let book = input.join("own-code.xlsx");
    filled_with_item(
        &blank,
        &book,
        "2010399",
        "其他政府办公厅(室)及相关机构事务支出",
    );

    // Read as the toy layout, the code is unknown …
    run(&["check", book.to_str().unwrap()])
        .success()
        .stdout(predicate::str::contains(
            "提示 [C-CODE-01] 表1 经费总表 '表1 经费总表'!A7 [2010399 其他政府办公厅(室)及相关机构事务支出 | 科目编码]：科目编码 2010399 不在科目目录中",
        ));
    // … as the layout that lists it, it is known: by check and by batch.
    let local_layout = |args: &[&str]| {
        bin()
            .env("BUDGET_TABLES_LAYOUTS", &local)
            .args(["--layout", "toy-local"])
            .args(args)
            .assert()
    };
    local_layout(&["check", book.to_str().unwrap()])
        .success()
        .stdout(predicate::str::contains("检查通过，未发现问题"));
    let out = d.join("out");
    local_layout(&[
        "batch",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ])
    .success()
    .stdout(predicate::str::contains("通过 1"));

    // A missing file is named when the layout is loaded.
    std::fs::remove_file(local.join("codes.csv")).unwrap();
    bin()
        .args(["layouts", "--check"])
        .arg(&local)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "科目目录 catalogue = \"codes.csv\"",
        ));
}
