//! Reader tolerance: what people do to spreadsheets still reads to the same model.

mod common;

use budget_tables::amount::{from_f64, grouped, Amount};
use budget_tables::read::{read_sheets, Cell, Sheet};
use calamine::Dimensions;
use common::*;

fn sample_sheets() -> Vec<Sheet> {
    load(&sample_xlsx())
}

fn roundtrip(sheets: &[Sheet], keep_merges: bool) -> budget_tables::model::Budget {
    let dir = tmp();
    let p = dir.path().join("edited.xlsx");
    write_sheets(&p, sheets, keep_merges);
    read_ok(&p)
}

/// Inserts rows at `at`, shifting cells and merges below.
fn insert_rows(s: &Sheet, at: u32, new: Vec<Vec<Cell>>) -> Sheet {
    let n = new.len() as u32;
    let mut rows = s.rows().to_vec();
    let tail = rows.split_off((at as usize).min(rows.len()));
    rows.extend(new);
    rows.extend(tail);
    let merges = s
        .merges
        .iter()
        .map(|m| {
            if m.start.0 >= at {
                Dimensions {
                    start: (m.start.0 + n, m.start.1),
                    end: (m.end.0 + n, m.end.1),
                }
            } else {
                *m
            }
        })
        .collect();
    Sheet::new(s.name.clone(), rows, merges)
}

/// Inserts an empty column at `at`.
fn insert_column(s: &Sheet, at: u32) -> Sheet {
    let rows = s
        .rows()
        .iter()
        .map(|r| {
            let mut r = r.clone();
            if r.len() > at as usize {
                r.insert(at as usize, Cell::Empty);
            }
            r
        })
        .collect();
    let merges = s
        .merges
        .iter()
        .map(|m| {
            let sh = |c: u32| if c >= at { c + 1 } else { c };
            Dimensions {
                start: (m.start.0, sh(m.start.1)),
                end: (m.end.0, sh(m.end.1)),
            }
        })
        .collect();
    Sheet::new(s.name.clone(), rows, merges)
}

/// Every number cell of a sheet becomes text as typed, through `f`.
fn numbers_as_text(s: &Sheet, f: impl Fn(&str) -> String) -> Sheet {
    edit(s, |rows| {
        for row in rows.iter_mut() {
            for cell in row.iter_mut() {
                if let Cell::Number(v) = cell {
                    let t = grouped(Amount::round(from_f64(*v).unwrap()));
                    *cell = Cell::Text(f(&t));
                }
            }
        }
    })
}

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap(),
            ',' => '，',
            '.' => '．',
            other => other,
        })
        .collect()
}

#[test]
fn sheets_reordered_and_renamed() {
    let mut sheets = sample_sheets();
    sheets.reverse();
    let sheets: Vec<Sheet> = sheets
        .iter()
        .enumerate()
        .map(|(i, s)| {
            Sheet::new(
                format!("Sheet{}", i + 1),
                s.rows().to_vec(),
                s.merges.clone(),
            )
        })
        .collect();
    assert_eq!(roundtrip(&sheets, true), sample_model());
}

#[test]
fn headers_without_merges_as_in_ods_or_unmerged_copies() {
    assert_eq!(roundtrip(&sample_sheets(), false), sample_model());
}

#[test]
fn amounts_typed_as_text() {
    let sheets: Vec<Sheet> = sample_sheets()
        .iter()
        .enumerate()
        .map(|(i, s)| match i % 3 {
            0 => numbers_as_text(s, std::string::ToString::to_string),
            1 => numbers_as_text(s, full_width),
            // Stray spaces as in the PDF extraction: "492. 42", "36, 202. 77".
            _ => numbers_as_text(s, |t| t.replace('.', ". ").replace(',', ", ")),
        })
        .collect();
    assert_eq!(roundtrip(&sheets, true), sample_model());
}

#[test]
fn blank_rows_blank_columns_repeated_header_and_instruction_rows() {
    let sheets: Vec<Sheet> = sample_sheets()
        .iter()
        .map(|s| {
            if !s.name.starts_with("表3")
                && !s.name.starts_with("表4")
                && !s.name.starts_with("表1 ")
            {
                return s.clone();
            }
            let first_data = if s.name.starts_with("表1 ") {
                find_row(s, "一、财政拨款")
            } else {
                find_row(s, "深圳市政务服务和数据管理局(本级)")
            };
            // A page-break copy of the title, name line and header, 5 rows into the body.
            let copy: Vec<Vec<Cell>> = s.rows()[..first_data as usize].to_vec();
            let s = insert_rows(s, first_data + 5, copy);
            let s = insert_rows(&s, first_data + 2, vec![vec![]]);
            let s = insert_rows(
                &s,
                first_data,
                vec![vec![Cell::Text(
                    "说明:本表由财务科填报，金额单位为万元。".into(),
                )]],
            );
            let s = insert_rows(&s, 0, vec![vec![], vec![]]);
            insert_column(&s, 0)
        })
        .collect();
    let b = roundtrip(&sheets, true);
    assert_eq!(b, sample_model());
}

#[test]
fn everything_at_once_in_memory() {
    let mut sheets: Vec<Sheet> = sample_sheets()
        .iter()
        .map(|s| numbers_as_text(s, full_width))
        .collect();
    sheets.rotate_left(5);
    let out = read_sheets(&sheets, &specs()).unwrap();
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
    assert_eq!(out.budget, sample_model());
}

#[test]
fn yuan_workbook_is_converted_with_a_warning() {
    // 表2 declared in 元: 449,721,100 元 → 44,972.11 万元.
    let sheets: Vec<Sheet> = sample_sheets()
        .iter()
        .map(|s| {
            if !s.name.starts_with("表2") {
                return s.clone();
            }
            edit(s, |rows| {
                for row in rows.iter_mut() {
                    for cell in row.iter_mut() {
                        match cell {
                            Cell::Text(t) if t == "单位:万元" => {
                                *cell = Cell::Text("单位：元".into());
                            }
                            Cell::Number(v) => *cell = Cell::Number((*v * 10000.0).round() + 0.4),
                            _ => {}
                        }
                    }
                }
            })
        })
        .collect();
    let out = read_sheets(&sheets, &specs()).unwrap();
    let d: Vec<String> = out
        .diagnostics
        .iter()
        .map(std::string::ToString::to_string)
        .collect();
    assert_eq!(d, vec!["警告 [S-UNIT-YUAN] 表2 收入总表 '表2 收入总表'：表2 收入总表以“元”为单位，已换算为万元（四舍五入到两位小数）；应为：单位:万元；实际：单位:元。修改建议：本表公开时以万元为单位，请核对换算后的金额".to_string()]);
    assert_eq!(out.budget, sample_model());
}
