//! `budget-tables layouts`: the loaded layouts, where each comes from, and
//! their tables; `layouts --check DIR`: a bureau's layout folder proved
//! sound before a department uses it.

use std::path::Path;
use std::process::ExitCode;

use budget_tables::diag::{Diagnostic, Severity};
use budget_tables::spec::{sources, SpecError, SpecSet};
use budget_tables::write::template::{workbook_bytes, TemplateOptions};

use super::{CmdError, EXIT_ERRORS};

pub fn run(layouts: &[SpecSet]) -> Result<ExitCode, CmdError> {
    let mut out = String::new();
    for specs in layouts {
        let l = &specs.layout;
        out.push_str(&format!(
            "{}\t{}（{}，{}，{}口径，版本 {}）\t来源：{}\n",
            l.id,
            l.name,
            l.region,
            l.kind,
            l.scope,
            l.version,
            specs.origin.describe()
        ));
        for t in &specs.tables {
            out.push_str(&format!(
                "  {}\t{}\t{}\n",
                t.id,
                t.sheet_name(),
                t.unit.label()
            ));
        }
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// The year the check's blank template is written for.
const YEAR: i32 = 2025;

/// `layouts --check DIR`: every layout folder at `dir` (itself or its
/// subfolders) loaded with every problem collected, its id compared with
/// the other loaded layouts', and its blank template written, read back and
/// checked. Exit 1 when any layout has a problem.
pub fn check(dir: &Path, others: &[SpecSet]) -> Result<ExitCode, CmdError> {
    let folders = sources::layout_folders(dir, true)?;
    let mut problems = 0;
    for folder in &folders {
        let found = problems_of(folder, others);
        match found.as_slice() {
            [] => println!("{}：没有发现问题", folder.display()),
            all => {
                println!("{}：{} 个问题", folder.display(), all.len());
                for (i, p) in all.iter().enumerate() {
                    println!("  {}. {p}", i + 1);
                }
            }
        }
        problems += found.len();
    }
    if problems == 0 {
        println!(
            "共 {} 个版式，没有发现问题：各表规格与 layout.toml 的声明一致，空白模板能按本版式读回且没有错误。",
            folders.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "共 {problems} 个问题；改正后再运行 budget-tables layouts --check {}",
        dir.display()
    );
    Ok(ExitCode::from(EXIT_ERRORS))
}

/// The problems of one layout folder, in the words printed.
fn problems_of(folder: &Path, others: &[SpecSet]) -> Vec<String> {
    let specs = match SpecSet::check_dir(folder) {
        Ok(s) => s,
        Err(all) => return all.iter().map(SpecError::to_string).collect(),
    };
    let mut found = Vec::new();
    let (same_id, rest): (Vec<SpecSet>, Vec<SpecSet>) = others
        .iter()
        .filter(|s| !is_itself(s, &specs, folder))
        .cloned()
        .partition(|s| s.layout.id == specs.layout.id);
    if let Some(first) = same_id.first() {
        found.push(format!(
            "版式 id“{}”已被 {} 的版式使用；请在 layout.toml 中换一个 id",
            specs.layout.id,
            first.origin.describe()
        ));
    }
    found.extend(template_problems(&specs, rest));
    found
}

/// Whether the loaded layout `s` is the folder being checked: loaded from
/// that folder, or the built-in layout compiled from it.
fn is_itself(s: &SpecSet, checked: &SpecSet, folder: &Path) -> bool {
    match &s.origin {
        sources::Origin::Builtin => {
            let mut same = checked.clone();
            same.origin = sources::Origin::Builtin;
            format!("{s:?}") == format!("{same:?}")
        }
        sources::Origin::Templates(p) | sources::Origin::Env(p) | sources::Origin::User(p) => {
            std::fs::canonicalize(p).ok() == std::fs::canonicalize(folder).ok()
        }
    }
}

/// What goes wrong when the layout's own blank template is read back among
/// `others`: another layout taken for it, a table not found, an error.
fn template_problems(specs: &SpecSet, mut others: Vec<SpecSet>) -> Vec<String> {
    let blank = workbook_bytes(
        specs,
        &TemplateOptions {
            department: "示例部门".to_string(),
            year: YEAR,
        },
    );
    let blank = match blank {
        Ok(b) => b,
        Err(e) => return vec![format!("空白模板写不出：{e}")],
    };
    others.push(specs.clone());
    let ours = others.len() - 1;
    let read = budget_tables::read::load_bytes(&blank, "空白模板").and_then(|loaded| {
        let i = loaded.detect(&others)?;
        if i != ours {
            return Ok(Err(format!(
                "空白模板被当作版式“{}”（{}）读取：两者的表标题太像；请让本版式的 title 或 printed_title 与之区分",
                others[i].layout.id, others[i].layout.name
            )));
        }
        loaded.interpret(specs).map(Ok)
    });
    let read = match read {
        Ok(Ok(r)) => r,
        Ok(Err(m)) => return vec![m],
        Err(e) => return vec![format!("空白模板读不回：{e}")],
    };
    let opts = match budget_tables::validate::Options::builtin() {
        Ok(o) => o,
        Err(e) => return vec![e.to_string()],
    };
    let checked = budget_tables::pipeline::check(&read, specs, &opts);
    checked
        .findings
        .iter()
        .filter(|d| d.severity == Severity::Error && !d.text && !asks_for_data(d, specs))
        .map(|d| format!("空白模板读回后：{}", where_and_what(d)))
        .collect()
}

/// A finding a blank template gives because it is blank (no rows yet,
/// amounts not filled), not because of its layout.
fn asks_for_data(d: &Diagnostic, specs: &SpecSet) -> bool {
    use budget_tables::read::rules::{EMPTY, UNIT_ROW};
    use budget_tables::validate::rules::BLANK;
    d.rule == EMPTY.id
        || d.rule == UNIT_ROW.id
        || specs
            .tables
            .iter()
            .any(|t| d.rule == BLANK.id_for(t.number))
}

fn where_and_what(d: &Diagnostic) -> String {
    match d.location() {
        Some(place) => format!("[{}] {place} {}", d.rule, d.message),
        None => format!("[{}] {}", d.rule, d.message),
    }
}
