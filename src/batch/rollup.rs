//! The roll-up per year: `汇总-<year>.xlsx` (one row per input, links to each
//! department's outputs, and a rules × departments matrix) and its JSON.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Formula, Url, Worksheet};

use super::ledger::Ledger;
use super::{out_err, records_err, BatchError, Entry, Status, Streamed};
use crate::diff::Rate;
use crate::io::write_atomic_with;
use crate::write::new_workbook;

/// Writes one roll-up per year found (inputs without a year go in every one).
///
/// Entries are read from the ledger as each sheet is written, a few passes
/// per year; only the plan of the sheets (figure labels, counts, which rule
/// fails where) stays in memory.
pub(crate) fn write_all(
    output: &Path,
    ledger: &Ledger,
    rules: &Descriptions,
    kinds: &Kinds,
) -> Result<Vec<String>, BatchError> {
    let mut years = BTreeSet::new();
    for e in ledger.iter() {
        if let Some(y) = e.map_err(|e| records_err(output, e))?.year {
            years.insert(y);
        }
    }
    let groups: Vec<(String, Option<i32>)> = if years.is_empty() {
        vec![("未知年度".into(), None)]
    } else {
        years.iter().map(|y| (y.to_string(), Some(*y))).collect()
    };
    let mut written = Vec::new();
    for (year, only) in groups {
        let pick = move |e: &Entry| only.is_none_or(|y| e.year.is_none_or(|x| x == y));
        let name = format!("汇总-{year}");
        let xlsx = output.join(format!("{name}.xlsx"));
        let mut book = workbook(&year, ledger, &pick, rules, kinds).map_err(|e| match e {
            RollupError::Write(e) => out_err(&xlsx, e),
            RollupError::Records(e) => records_err(output, e),
        })?;
        // Saved straight into the file: the packed workbook is never held whole.
        write_atomic_with(&xlsx, &[], |w| {
            book.save_to_writer(w)
                .map_err(|e| std::io::Error::other(crate::write::WriteError::from(e)))
        })
        .map_err(|e| out_err(&xlsx, e))?;
        drop(book);
        let json = output.join(format!("{name}.json"));
        // Streamed from the ledger: no JSON tree of every department in memory.
        let doc = Doc {
            year: &year,
            entries: Streamed(ledger, &pick),
        };
        write_atomic_with(&json, &[], |w| {
            serde_json::to_writer_pretty(w, &doc).map_err(std::io::Error::other)
        })
        .map_err(|e| out_err(&json, e))?;
        written.push(format!("{name}.xlsx"));
    }
    Ok(written)
}

/// (layout id, rule id) → what the rule checks.
pub(crate) type Descriptions = BTreeMap<(String, String), String>;

/// Each layout's kind (预算, 决算), by layout id.
pub(crate) type Kinds = BTreeMap<String, String>;

/// `2024年部门预算汇总`: the kind of the layouts the year's departments are
/// in (each, first met first, where they are of several).
fn title(year: &str, plan: &Plan, kinds: &Kinds) -> String {
    let mut of: Vec<&str> = Vec::new();
    for k in plan.layouts.keys().filter_map(|l| kinds.get(l)) {
        if !of.contains(&k.as_str()) {
            of.push(k);
        }
    }
    let kind = if of.is_empty() {
        "预算".to_string()
    } else {
        of.join("、")
    };
    format!("{year}年部门{kind}汇总")
}

/// Why a roll-up workbook could not be built.
#[derive(Debug, thiserror::Error)]
enum RollupError {
    #[error(transparent)]
    Write(#[from] crate::write::WriteError),
    #[error(transparent)]
    Records(#[from] std::io::Error),
}

impl From<rust_xlsxwriter::XlsxError> for RollupError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        RollupError::Write(e.into())
    }
}

#[derive(serde::Serialize)]
struct Doc<'a> {
    year: &'a str,
    entries: Streamed<'a>,
}

/// Up to this many departments a roll-up sheet carries what rust_xlsxwriter
/// holds to the end of the sheet: a cell hyperlink per output (about 3 KB a
/// department, with the copy it makes when it saves) and a width per
/// department column (about 0.5 KB). Beyond, outputs are linked by
/// `HYPERLINK` formulas, written with their row and forgotten, and the rules
/// sheet's department columns keep the default width, so memory stays flat
/// for a province's ten thousand departments.
const PER_CELL_EXTRAS_UP_TO: usize = 1_000;

/// A sheet has at most 16,384 columns: the rules sheet takes this many
/// departments (after its two label columns), then goes on in another sheet.
const DEPARTMENTS_PER_RULES_SHEET: usize = 16_384 - 2;

/// What one year's workbook will hold, from one pass over its entries.
#[derive(Debug, Default)]
struct Plan {
    /// Each layout, in the order first met: its rows and roll-up figures.
    layouts: indexmap::IndexMap<String, Rows>,
    /// The roll-up figures over all layouts, first met first.
    all_figures: Vec<String>,
    /// Rows without a layout, and in all.
    unknown: usize,
    total: usize,
    /// Inputs read as a department: the rules sheet's columns.
    departments: usize,
    /// The widest department name, in display columns (CJK counts 2).
    widest_department: usize,
    /// Failing rule → what it checks and where it fails (department column, count).
    rules: BTreeMap<String, RuleRow>,
}

/// The rows of one layout, and its roll-up figures (first met first).
#[derive(Debug, Default)]
struct Rows {
    rows: usize,
    figures: Vec<String>,
}

#[derive(Debug, Default)]
struct RuleRow {
    what: Vec<String>,
    hits: Vec<(usize, usize)>,
}

/// Which entries a summary sheet shows.
enum Only {
    All,
    Layout(String),
    Unknown,
}

impl Only {
    fn keeps(&self, e: &Entry) -> bool {
        match self {
            Only::All => true,
            Only::Layout(l) => e.layout.as_deref() == Some(l.as_str()),
            Only::Unknown => e.layout.is_none(),
        }
    }
}

/// One summary sheet to write.
struct Sheet<'a> {
    name: String,
    only: Only,
    figures: &'a [String],
    rows: usize,
}

impl Plan {
    fn of(
        ledger: &Ledger,
        pick: &dyn Fn(&Entry) -> bool,
        descriptions: &Descriptions,
    ) -> std::io::Result<Plan> {
        let mut plan = Plan::default();
        for e in ledger.iter() {
            let e = e?;
            if pick(&e) {
                plan.add(&e, descriptions);
            }
        }
        Ok(plan)
    }

    fn add(&mut self, e: &Entry, descriptions: &Descriptions) {
        self.total += 1;
        let labels = e.figures.keys();
        match &e.layout {
            Some(l) => {
                let of = self.layouts.entry(l.clone()).or_default();
                of.rows += 1;
                add_new(&mut of.figures, labels.clone());
            }
            None => self.unknown += 1,
        }
        add_new(&mut self.all_figures, labels);
        let Some(d) = &e.department else {
            return;
        };
        self.widest_department = self.widest_department.max(crate::text::display_width(d));
        let column = self.departments;
        self.departments += 1;
        for (rule, n) in &e.rules {
            let row = self.rules.entry(rule.clone()).or_default();
            row.hits.push((column, *n));
            // A rule id means what the layout of the departments that broke it says.
            let key = (e.layout.clone().unwrap_or_default(), rule.clone());
            if let Some(d) = descriptions.get(&key) {
                if !row.what.contains(d) {
                    row.what.push(d.clone());
                }
            }
        }
    }

    /// One summary sheet per layout when the inputs are of several.
    fn sheets(&self) -> Vec<Sheet<'_>> {
        if self.layouts.len() <= 1 {
            return vec![Sheet {
                name: "汇总".into(),
                only: Only::All,
                figures: &self.all_figures,
                rows: self.total,
            }];
        }
        let mut out: Vec<Sheet> = self
            .layouts
            .iter()
            .map(|(l, of)| Sheet {
                name: format!("汇总-{l}").chars().take(31).collect(),
                only: Only::Layout(l.clone()),
                figures: &of.figures,
                rows: of.rows,
            })
            .collect();
        if self.unknown > 0 {
            out.push(Sheet {
                name: "未识别".into(),
                only: Only::Unknown,
                figures: &[],
                rows: self.unknown,
            });
        }
        out
    }
}

/// Appends the labels not in `list` yet, in the order met.
fn add_new<'a>(list: &mut Vec<String>, labels: impl Iterator<Item = &'a String>) {
    for k in labels {
        if !list.contains(k) {
            list.push(k.clone());
        }
    }
}

fn fill(s: Status) -> Color {
    match s {
        Status::Passed => Color::RGB(0xC6_EF_CE),
        Status::Warnings => Color::RGB(0xFF_EB_9C),
        Status::TextErrors => Color::RGB(0xFC_D5_B4),
        Status::Errors | Status::Conflict | Status::Failed => Color::RGB(0xFF_C7_CE),
        Status::Unreadable => Color::RGB(0xD9_D9_D9),
    }
}

fn workbook(
    year: &str,
    ledger: &Ledger,
    pick: &dyn Fn(&Entry) -> bool,
    descriptions: &Descriptions,
    kinds: &Kinds,
) -> Result<rust_xlsxwriter::Workbook, RollupError> {
    let plan = Plan::of(ledger, pick, descriptions)?;
    let mut wb = new_workbook(&title(year, &plan, kinds))?;
    let cell = Format::new()
        .set_border(FormatBorder::Thin)
        .set_font_name("宋体");
    let head = cell
        .clone()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_background_color(Color::RGB(0xF2_F2_F2));
    let amount = cell.clone().set_num_format("#,##0.00");
    let rate = cell.clone().set_num_format("0.0%");
    let link = cell
        .clone()
        .set_font_color(Color::Blue)
        .set_underline(rust_xlsxwriter::FormatUnderline::Single);
    let styles = Styles {
        cell: cell.clone(),
        head: head.clone(),
        amount,
        rate,
        link,
    };
    for sheet in plan.sheets() {
        summary(&mut wb, &sheet, ledger, pick, &styles)?;
    }
    rules_sheets(&mut wb, &plan, ledger, pick, &styles)?;
    Ok(wb)
}

/// Which rule fails where: rules down (with what each checks), departments
/// across — only inputs read as a department get a column, at most
/// [`DEPARTMENTS_PER_RULES_SHEET`] to a sheet.
fn rules_sheets(
    wb: &mut rust_xlsxwriter::Workbook,
    plan: &Plan,
    ledger: &Ledger,
    pick: &dyn Fn(&Entry) -> bool,
    st: &Styles,
) -> Result<(), RollupError> {
    let sheets = plan
        .departments
        .div_ceil(DEPARTMENTS_PER_RULES_SHEET)
        .max(1);
    for k in 0..sheets {
        let first = k * DEPARTMENTS_PER_RULES_SHEET;
        let columns = first..(first + DEPARTMENTS_PER_RULES_SHEET).min(plan.departments);
        let name = if k == 0 {
            "规则×部门".to_string()
        } else {
            format!("规则×部门{}", k + 1)
        };
        rules_sheet(wb, &name, plan, columns, ledger, pick, st)?;
    }
    Ok(())
}

/// One rules sheet, for the departments whose column numbers are in `columns`.
fn rules_sheet(
    wb: &mut rust_xlsxwriter::Workbook,
    name: &str,
    plan: &Plan,
    columns: std::ops::Range<usize>,
    ledger: &Ledger,
    pick: &dyn Fn(&Entry) -> bool,
    st: &Styles,
) -> Result<(), RollupError> {
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(name)?;
    let wrapped = st.cell.clone().set_text_wrap();
    // Within the 16,384 columns of a sheet: the column fits a u16.
    let col = |j: usize| (j - columns.start + 2) as u16;
    let sized = columns.len() <= PER_CELL_EXTRAS_UP_TO;
    // Narrow columns wrap a name onto more lines (about 8 display columns to a
    // line): the heading row is made tall enough for the widest.
    let lines = if sized {
        4
    } else {
        plan.widest_department.div_ceil(8).max(4)
    };
    ws.set_row_height(0, 15 * lines as u32)?;
    ws.write_string_with_format(0, 0, "规则", &st.head)?;
    ws.write_string_with_format(0, 1, "核对内容", &st.head)?;
    ws.set_column_width(0, 14)?;
    ws.set_column_width(1, 40)?;
    let mut j = 0;
    for e in ledger.iter() {
        let e = e?;
        let Some(department) = e.department.as_deref().filter(|_| pick(&e)) else {
            continue;
        };
        if columns.contains(&j) {
            ws.write_string_with_format(0, col(j), department, &st.head)?;
            if sized {
                ws.set_column_width(col(j), 12)?;
            }
        }
        j += 1;
    }
    let bad = st.cell.clone().set_background_color(Color::RGB(0xFF_C7_CE));
    for (i, (rule, row)) in plan.rules.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string_with_format(r, 0, rule, &st.cell)?;
        let what = row.what.join("；");
        // LibreOffice does not grow a row for wrapped text: as tall as its lines.
        let lines = (crate::text::display_width(&what) as f64 / 39.0)
            .ceil()
            .max(1.0);
        ws.set_row_height(r, 15.0 * lines)?;
        ws.write_string_with_format(r, 1, &what, &wrapped)?;
        let mut hits = row.hits.iter().peekable();
        for j in columns.clone() {
            while hits.next_if(|(c, _)| *c < j).is_some() {}
            match hits.next_if(|(c, _)| *c == j) {
                Some((_, n)) => ws.write_number_with_format(r, col(j), *n as f64, &bad)?,
                None => ws.write_blank(r, col(j), &st.cell)?,
            };
        }
    }
    if plan.rules.is_empty() {
        ws.write_string(1, 0, "所有部门均未触发错误或警告规则")?;
    }
    ws.set_freeze_panes(1, 2)?;
    print_wide(ws, 54.0 + 12.0 * columns.len() as f64)?;
    Ok(())
}

/// Landscape A4 with the heading row and the two label columns on every
/// page, at 60% or more.
fn print_wide(ws: &mut Worksheet, width: f64) -> Result<(), crate::write::WriteError> {
    crate::write::frame::print_wide(ws, width, 2)?;
    ws.set_repeat_rows(0, 0)?;
    Ok(())
}

/// The formats the roll-up sheets share.
struct Styles {
    cell: Format,
    head: Format,
    amount: Format,
    rate: Format,
    link: Format,
}

/// Where a summary sheet's columns are.
struct Columns<'a> {
    figures: &'a [String],
    first_figure: u16,
    change: u16,
    last: u16,
    /// Outputs linked by cell hyperlinks (else by formulas).
    cell_links: bool,
}

/// The labels of the linked outputs, as the entries name them.
const LINKED: [&str; 4] = ["公开报表", "检查结果", "标注副本", "年度对比"];

/// One summary sheet: a row per input, then the totals.
fn summary(
    wb: &mut rust_xlsxwriter::Workbook,
    sheet: &Sheet,
    ledger: &Ledger,
    pick: &dyn Fn(&Entry) -> bool,
    st: &Styles,
) -> Result<(), RollupError> {
    // Constant-memory sheets: a roll-up of thousands of rows never sits in memory whole.
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(&sheet.name)?;
    let figures = sheet.figures;
    // `收入总计增减额（万元）`: the unit stays last.
    let change_label = figures.first().map_or("增减额".to_string(), |f| {
        match f.rfind('（').filter(|_| f.ends_with('）')) {
            Some(i) => format!("{}增减额{}", &f[..i], &f[i..]),
            None => format!("{f}增减额"),
        }
    });
    let mut cols: Vec<(&str, f64)> = vec![
        ("输入文件", 22.0),
        ("部门", 24.0),
        ("年度", 7.0),
        ("状态", 9.0),
        ("错误", 6.0),
        ("警告", 6.0),
        ("提示", 6.0),
    ];
    cols.extend(figures.iter().map(|f| (f.as_str(), 13.0)));
    let first_figure = 7u16;
    let change = first_figure + figures.len() as u16;
    cols.extend([(change_label.as_str(), 13.0), ("增减率", 8.0)]);
    cols.extend(LINKED.iter().map(|l| (*l, 10.0)));
    cols.extend([("说明核对", 34.0), ("说明", 40.0)]);
    let at = Columns {
        figures,
        first_figure,
        change,
        last: cols.len() as u16 - 1,
        cell_links: sheet.rows <= PER_CELL_EXTRAS_UP_TO,
    };
    for (c, (h, w)) in cols.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &st.head)?;
        ws.set_column_width(c as u16, *w)?;
    }
    let mut totals = Totals::new(figures.len());
    let mut r = 0;
    for e in ledger.iter() {
        let e = e?;
        if pick(&e) && sheet.only.keeps(&e) {
            r += 1;
            summary_row(ws, r, &e, &at, st)?;
            totals.add(&e, figures);
        }
    }
    total_row(ws, r + 1, &totals, first_figure, st)?;
    // Each figure's column as wide as its heading and its total (a narrow
    // column prints ### for a city's total, and cuts “三公”经费（万元）).
    for (i, (label, sum)) in figures.iter().zip(&totals.sums).enumerate() {
        let total = sum.map_or(0, |s| {
            crate::amount::grouped_len(crate::amount::Amount::round(s))
        });
        let width = (crate::text::display_width(label).max(total) + 3).max(13);
        let c = first_figure + i as u16;
        ws.set_column_width(c, width as f64)?;
        cols[c as usize].1 = width as f64;
    }
    ws.set_freeze_panes(1, 2)?;
    ws.autofilter(0, 0, r, at.last)?;
    print_wide(ws, cols.iter().map(|c| c.1).sum())?;
    Ok(())
}

/// One input's row of a summary sheet.
fn summary_row(
    ws: &mut Worksheet,
    r: u32,
    e: &Entry,
    at: &Columns,
    st: &Styles,
) -> Result<(), crate::write::WriteError> {
    let cell = &st.cell;
    let wrapped = &cell.clone().set_text_wrap();
    ws.write_string_with_format(r, 0, &e.file, cell)?;
    ws.write_string_with_format(r, 1, e.department.as_deref().unwrap_or(""), cell)?;
    match e.year {
        Some(y) => ws.write_number_with_format(r, 2, y as f64, cell)?,
        None => ws.write_blank(r, 2, cell)?,
    };
    ws.write_string_with_format(
        r,
        3,
        e.status.label(),
        &cell.clone().set_background_color(fill(e.status)),
    )?;
    for (c, n) in [(4u16, e.errors), (5, e.warnings), (6, e.notices)] {
        ws.write_number_with_format(r, c, n as f64, cell)?;
    }
    let values = at
        .figures
        .iter()
        .map(|f| e.figures.get(f).copied().flatten())
        .chain([e.change.as_ref().and_then(|c| c.change)]);
    for (c, a) in (at.first_figure..).zip(values) {
        match a {
            Some(a) => ws.write_number_with_format(r, c, a.to_f64(), &st.amount)?,
            None => ws.write_blank(r, c, &st.amount)?,
        };
    }
    let rate_value = e.change.as_ref().map_or(Rate::None, |c| c.rate);
    crate::write::diff::rate_cell(ws, (r, at.change + 1), rate_value, [&st.rate, cell, cell])?;
    for (c, label) in (at.change + 2..).zip(LINKED) {
        match e.outputs.iter().find(|(l, _)| l == label) {
            Some((_, p)) if at.cell_links => link_cell(ws, (r, c), p, label, &st.link)?,
            Some((_, p)) => link_formula(ws, (r, c), p, label, &st.link)?,
            None => {
                ws.write_blank(r, c, cell)?;
            }
        }
    }
    let narrative = e.narrative.map(|n| n.label()).unwrap_or_default();
    ws.write_string_with_format(r, at.last - 1, &narrative, wrapped)?;
    let note = [
        e.message.as_deref(),
        e.no_prior.as_deref(),
        e.no_publication.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("；");
    ws.write_string_with_format(r, at.last, &note, wrapped)?;
    Ok(())
}

/// How many departments a sheet lists, and each figure's sum over those that
/// have it (`None` once a sum would overflow).
struct Totals {
    departments: usize,
    sums: Vec<Option<rust_decimal::Decimal>>,
}

impl Totals {
    fn new(figures: usize) -> Totals {
        Totals {
            departments: 0,
            sums: vec![Some(rust_decimal::Decimal::ZERO); figures],
        }
    }

    fn add(&mut self, e: &Entry, figures: &[String]) {
        if e.department.is_some() {
            self.departments += 1;
        }
        for (sum, f) in self.sums.iter_mut().zip(figures) {
            if let Some(a) = e.figures.get(f).copied().flatten() {
                *sum = sum.and_then(|s| s.checked_add(a.value()));
            }
        }
    }
}

/// The last row: how many departments, and the sum of each figure.
fn total_row(
    ws: &mut Worksheet,
    r: u32,
    totals: &Totals,
    first: u16,
    st: &Styles,
) -> Result<(), crate::write::WriteError> {
    let bold = st.cell.clone().set_bold();
    ws.write_string_with_format(r, 0, "合计", &bold)?;
    ws.write_string_with_format(r, 1, format!("{} 个部门", totals.departments), &bold)?;
    for (c, sum) in (first..).zip(&totals.sums) {
        match sum {
            Some(sum) => ws.write_number_with_format(
                r,
                c,
                crate::amount::Amount::round(*sum).to_f64(),
                &st.amount.clone().set_bold(),
            )?,
            None => ws.write_blank(r, c, &bold)?,
        };
    }
    Ok(())
}

fn link_cell(
    ws: &mut Worksheet,
    (r, c): (u32, u16),
    rel: &str,
    text: &str,
    f: &Format,
) -> Result<(), crate::write::WriteError> {
    // A relative link: the roll-up and the department folders move together.
    ws.write_url_with_format(r, c, Url::new(format!("file:///{rel}")).set_text(text), f)?;
    Ok(())
}

/// A link as a `HYPERLINK` formula with its text as the cached result; the
/// path is relative to the roll-up's folder, as the cell hyperlinks' are
/// (LibreOffice exports these cells to HTML as the same relative links).
fn link_formula(
    ws: &mut Worksheet,
    (r, c): (u32, u16),
    rel: &str,
    text: &str,
    f: &Format,
) -> Result<(), crate::write::WriteError> {
    let quoted = |s: &str| s.replace('"', "\"\"");
    let formula = Formula::new(format!(
        "=HYPERLINK(\"{}\",\"{}\")",
        quoted(rel),
        quoted(text)
    ))
    .set_result(text);
    ws.write_formula_with_format(r, c, formula, f)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
    use std::io::{Cursor, Read};

    /// `n` departments of 2024, each with its published workbook; the last
    /// breaks rule `t01.total` twice.
    fn ledger(dir: &Path, n: usize) -> Ledger {
        let ledger = Ledger::new(dir, n).unwrap();
        for i in 0..n {
            let mut e = Entry::new(format!("{i}.xlsx"));
            e.department = Some(format!("部门{i}"));
            e.year = Some(2024);
            e.layout = Some("shenzhen-budget".into());
            e.status = Status::Passed;
            e.figures.insert(
                "收入总计".into(),
                Some(crate::amount::Amount::round("1.25".parse().unwrap())),
            );
            e.outputs
                .push(("公开报表".into(), format!("2024/部门{i}/公开报表.xlsx")));
            if i == n - 1 {
                e.status = Status::Errors;
                e.rules.insert("t01.total".into(), 2);
            }
            ledger.put(i, &e).unwrap();
        }
        ledger
    }

    fn descriptions() -> Descriptions {
        [(
            ("shenzhen-budget".to_string(), "t01.total".to_string()),
            "收入总计等于支出总计".to_string(),
        )]
        .into()
    }

    fn sheet_xml(book: &[u8], n: usize) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(book)).unwrap();
        let mut xml = String::new();
        zip.by_name(&format!("xl/worksheets/sheet{n}.xml"))
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        xml
    }

    fn book(n: usize) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let ledger = ledger(dir.path(), n);
        workbook("2024", &ledger, &|_| true, &descriptions(), &Kinds::new())
            .unwrap()
            .save_to_buffer()
            .unwrap()
    }

    #[test]
    fn up_to_the_limit_outputs_are_cell_hyperlinks_and_columns_sized_beyond_it_formulas() {
        let at_limit = book(PER_CELL_EXTRAS_UP_TO);
        let xml = sheet_xml(&at_limit, 1);
        assert_eq!(xml.matches("<hyperlink ").count(), PER_CELL_EXTRAS_UP_TO);
        assert!(!xml.contains("HYPERLINK("));
        // Each department's column in the rules sheet is 12 wide.
        assert!(sheet_xml(&at_limit, 2).contains(r#"<col min="3" max="1002" width="12.7109375""#));
        let past = book(PER_CELL_EXTRAS_UP_TO + 1);
        assert!(!sheet_xml(&past, 2).contains(r#"<col min="3""#));
        let xml = sheet_xml(&past, 1);
        assert!(!xml.contains("<hyperlink"));
        assert_eq!(xml.matches("HYPERLINK(").count(), PER_CELL_EXTRAS_UP_TO + 1);
        assert!(xml.contains(
            r#"<f>HYPERLINK("2024/部门1000/公开报表.xlsx","公开报表")</f><v>公开报表</v>"#
        ));
        // The total row still sums every department: 1,001 × 1.25.
        let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(past)).unwrap();
        let sheet = wb.worksheet_range("汇总").unwrap();
        assert_eq!(
            sheet.get_value((1002, 0)),
            Some(&Data::String("合计".into()))
        );
        assert_eq!(
            sheet.get_value((1002, 1)),
            Some(&Data::String("1001 个部门".into()))
        );
        assert_eq!(sheet.get_value((1002, 7)), Some(&Data::Float(1251.25)));
    }

    #[test]
    fn departments_past_a_sheets_columns_go_on_in_a_second_rules_sheet() {
        let n = DEPARTMENTS_PER_RULES_SHEET + 1;
        let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(book(n))).unwrap();
        assert_eq!(wb.sheet_names(), ["汇总", "规则×部门", "规则×部门2"]);
        let first = wb.worksheet_range("规则×部门").unwrap();
        assert_eq!(first.width(), DEPARTMENTS_PER_RULES_SHEET + 2);
        assert_eq!(
            first.get_value((0, 16_383)),
            Some(&Data::String("部门16381".into()))
        );
        let second = wb.worksheet_range("规则×部门2").unwrap();
        let row: Vec<&Data> = second.rows().nth(1).unwrap().iter().collect();
        assert_eq!(
            row,
            [
                &Data::String("t01.total".into()),
                &Data::String("收入总计等于支出总计".into()),
                &Data::Float(2.0)
            ]
        );
        assert_eq!(
            second.get_value((0, 2)),
            Some(&Data::String("部门16382".into()))
        );
    }
}
