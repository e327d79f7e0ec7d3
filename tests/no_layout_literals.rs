//! The Rust code holds mechanisms; a particular layout's table ids, table
//! numbers, classification codes and item labels live in its folder under
//! `templates/`. This test reads every source file (comments and the unit
//! tests at a file's end left out) and fails on such a literal.

mod common;

use common::root;

/// What a layout's particulars look like in code. The class/款/项 structure
/// (3, 5 and 7 digits) and the units 万元 and 元 are universal and allowed.
const FORBIDDEN: &[(&str, &str)] = &[
    ("\"t0", "a table id"),
    ("\"t1", "a table id"),
    ("表1", "a table number"),
    ("表2", "a table number"),
    ("表3", "a table number"),
    ("表4", "a table number"),
    ("表5", "a table number"),
    ("表6", "a table number"),
    ("表7", "a table number"),
    ("表8", "a table number"),
    ("表9", "a table number"),
    ("工资福利支出", "an economic class"),
    ("商品和服务支出", "an economic class"),
    ("对个人和家庭的补助", "an economic class"),
    ("三公", "a table's subject"),
    ("收支总表", "a table title"),
    ("支出总表", "a table title"),
    ("绩效目标", "a table title"),
    ("政府性基金", "a fund"),
    ("国有资本经营", "a fund"),
    (
        "部门预算对比",
        "a title (the layout's kind decides 预算 or 决算)",
    ),
    (
        "部门预算汇总",
        "a title (the layout's kind decides 预算 or 决算)",
    ),
    ("年度部门决算", "a layout's heading"),
    ("单位:万元", "a unit (each table declares its own)"),
    ("单位：万元", "a unit (each table declares its own)"),
    ("单位:元", "a unit (each table declares its own)"),
    ("其中:财政拨款", "an item of a table"),
    ("一般公共预算", "a fund"),
    ("收入总计", "a table's line"),
    ("支出总计", "a table's line"),
];

/// Lines of code: comments and the `#[cfg(test)]` module at the end dropped.
fn code_lines(text: &str) -> Vec<(usize, &str)> {
    text.lines()
        .enumerate()
        .take_while(|(_, l)| l.trim() != "#[cfg(test)]")
        .map(|(i, l)| (i + 1, l.split("//").next().unwrap_or("")))
        .filter(|(_, l)| !l.trim().is_empty())
        .collect()
}

/// A classification code in a string literal: `"` then 3 to 7 digits then `"`.
fn has_code_literal(line: &str) -> bool {
    line.split('"')
        .skip(1)
        .step_by(2)
        .any(|s| (3..=7).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
}

#[test]
fn no_layout_particulars_in_rust() {
    let mut found = Vec::new();
    let mut stack = vec![root().join("src")];
    let mut files = 0;
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            // The page's script and markup too: they show what the layouts say.
            if p.extension()
                .is_none_or(|x| !matches!(x.to_str(), Some("rs" | "js" | "html")))
            {
                continue;
            }
            files += 1;
            let text = std::fs::read_to_string(&p).unwrap();
            for (n, line) in code_lines(&text) {
                for (needle, what) in FORBIDDEN {
                    if line.contains(needle) {
                        found.push(format!(
                            "{}:{n}: {what} ({needle}): {}",
                            p.display(),
                            line.trim()
                        ));
                    }
                }
                // Markup quotes its numbers (`min="1990"`): codes are looked for in code.
                if p.extension().is_some_and(|x| x != "html") && has_code_literal(line) {
                    found.push(format!(
                        "{}:{n}: a classification code: {}",
                        p.display(),
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(files > 40, "{files}");
    assert!(
        found.is_empty(),
        "layout particulars in src/:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scan_finds_what_it_looks_for() {
    let sample = "let a = b.line(\"t01\", \"x\"); // 表1 in a comment is fine\nlet c = \"30212\";\n#[cfg(test)]\nlet d = \"t09\";";
    let lines = code_lines(sample);
    assert_eq!(lines.len(), 2);
    assert!(lines[0].1.contains("\"t01\"") && !lines[0].1.contains("表1"));
    assert!(has_code_literal(lines[1].1));
    assert!(!has_code_literal("let s = \"12\";"));
}
