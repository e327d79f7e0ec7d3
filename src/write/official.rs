//! The official workbook, as published: one sheet per table.

use std::borrow::Cow;

use rust_xlsxwriter::{Format, Worksheet};

use super::frame::{self, Mode, Page};
use super::style::Styles;
use super::{form, new_workbook, WriteError};
use crate::amount::{grouped_len, Amount};
use crate::catalogue::Catalogue;
use crate::model::{Budget, GridTable, Level, Table, TwoSidedTable};
use crate::spec::{
    ColumnKind, GridSpec, RowKey, Shape, SpecSet, TableKind, TableSpec, TwoSidedSpec, Unit,
};
use crate::text::{display_width, norm};

/// One body cell before it is written.
#[derive(Debug, Clone)]
pub(crate) enum Out<'a> {
    /// Borrowed from the model: the rows are only written, never kept.
    Text(Cow<'a, str>, Look),
    Amount(Option<Amount>),
    /// A bold label merged over this many cells (`合计` over code and name).
    Span(Cow<'a, str>, u16),
    /// A cell a span covers.
    Covered,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Look {
    Plain,
    Bold,
    Indent1,
    Indent2,
    Code,
}

impl Out<'_> {
    fn width(&self) -> usize {
        match self {
            Out::Text(s, Look::Indent1) => display_width(s) + 2,
            Out::Text(s, Look::Indent2) => display_width(s) + 4,
            Out::Text(s, _) => display_width(s),
            Out::Amount(a) => a.map_or(0, grouped_len),
            Out::Span(..) | Out::Covered => 0,
        }
    }
}

/// The official workbook as bytes: deterministic for the same budget.
///
/// # Errors
/// [`WriteError`] when the budget holds a table the specs do not describe, or
/// the workbook cannot be assembled.
pub fn workbook_bytes(budget: &Budget, specs: &SpecSet) -> Result<Vec<u8>, WriteError> {
    match Catalogue::shared() {
        Some(c) => workbook_bytes_with(budget, specs, c),
        None => workbook_bytes_with(budget, specs, &Catalogue::default()),
    }
}

/// [`workbook_bytes`] with the catalogue given (`--catalogue`): it supplies
/// the level of an item that no table of the department codes.
///
/// # Errors
/// As [`workbook_bytes`].
pub fn workbook_bytes_with(
    budget: &Budget,
    specs: &SpecSet,
    catalogue: &Catalogue,
) -> Result<Vec<u8>, WriteError> {
    for (id, t) in &budget.tables {
        let fits = matches!(
            (specs.get(id).map(TableSpec::kind), t),
            (Some(TableKind::Grid), Table::Grid(_))
                | (Some(TableKind::TwoSided), Table::TwoSided(_))
                | (Some(TableKind::Form), Table::Form(_))
        );
        if !fits {
            return Err(WriteError::UnknownTable(id.clone()));
        }
    }
    let mut wb = new_workbook(&format!(
        "{}{}年部门{}",
        budget.department, budget.year, specs.layout.kind
    ))?;
    let st = Styles::new();
    let heading = specs.layout.heading.as_deref();
    let jobs: Vec<(&TableSpec, &Table)> = specs
        .tables
        .iter()
        .filter_map(|spec| budget.tables.get(&spec.id).map(|t| (spec, t)))
        .collect();
    let page = Page {
        year: budget.year,
        department: &budget.department,
        heading,
        mode: Mode::Official,
    };
    // The narrative the model holds, in the sheets the layout places around the tables.
    let narrative = |wb: &mut rust_xlsxwriter::Workbook, after: bool| -> Result<(), WriteError> {
        for t in specs
            .layout
            .text_sheets
            .iter()
            .filter(|t| t.after_tables == after)
        {
            if let Some(text) = budget.texts.get(&t.name) {
                let mut ws = Worksheet::new();
                frame::text_sheet(&mut ws, t, &st, page, Some(text))?;
                wb.push_worksheet(ws);
            }
            // The cover as the department filled it, kept for the publication.
            let cover = specs.layout.document.cover_sheet.as_ref();
            if cover == Some(&t.name) && !budget.cover.is_empty() {
                let mut ws = Worksheet::new();
                ws.set_name(&t.name)?;
                ws.set_column_width(0, 80)?;
                for (i, line) in budget.cover.iter().enumerate() {
                    let f = if i == 0 {
                        &st.text_heading
                    } else {
                        &st.text_body
                    };
                    ws.write_string_with_format(2 * i as u32, 0, line, f)?;
                }
                wb.push_worksheet(ws);
            }
        }
        Ok(())
    };
    narrative(&mut wb, false)?;
    // The tables' rows are prepared side by side.
    let prepared = crate::par::map(&jobs, |&(spec, table)| {
        body_rows(specs, budget, spec, table, catalogue)
    });
    let body_rows_in_all: usize = prepared.iter().flatten().map(Vec::len).sum();
    // A body sheet gives the row after its last.
    let sheet = |ws: &mut Worksheet, i: usize| -> Result<Option<u32>, WriteError> {
        let (spec, table) = jobs[i];
        match (&prepared[i], table) {
            (Some(rows), _) => body_sheet(ws, spec, &st, budget, heading, rows, table).map(Some),
            (None, Table::Form(f)) => {
                form::write(ws, spec, &st, budget.year, &budget.department, Some(f)).map(|()| None)
            }
            (None, _) => Err(WriteError::UnknownTable(spec.id.clone())),
        }
    };
    if body_rows_in_all < ROWS_THROUGH_FILES {
        // The sheets are independent: built side by side when cores are free.
        for ws in crate::par::map(&(0..jobs.len()).collect::<Vec<_>>(), |&i| {
            let mut ws = Worksheet::new();
            sheet(&mut ws, i).map(|_| ws)
        }) {
            wb.push_worksheet(ws?);
        }
    } else {
        // A big department's body sheets are written row by row, each into a
        // temporary file of its own (rust_xlsxwriter's constant-memory mode),
        // so its cells are never all held at once; side by side, the formats
        // registered first, in a fixed order, so that their numbers do not
        // depend on which sheet used one first.
        return super::through_temp_files(|| {
            write_through_files(&mut wb, &jobs, &prepared, &st, sheet)?;
            narrative(&mut wb, true)?;
            Ok(wb.save_to_buffer()?)
        });
    }
    narrative(&mut wb, true)?;
    Ok(wb.save_to_buffer()?)
}

/// The body sheets of a big department, each written row by row through a
/// temporary file; forms in memory.
fn write_through_files(
    wb: &mut rust_xlsxwriter::Workbook,
    jobs: &[(&TableSpec, &Table)],
    prepared: &[Option<Vec<Vec<Out<'_>>>>],
    st: &Styles,
    sheet: impl Fn(&mut Worksheet, usize) -> Result<Option<u32>, WriteError> + Sync,
) -> Result<(), WriteError> {
    {
        for f in st.all() {
            wb.register_format(f);
        }
        let first = wb.worksheets().len();
        for (i, (_, table)) in jobs.iter().enumerate() {
            if let Table::Form(_) = table {
                let mut ws = Worksheet::new();
                sheet(&mut ws, i)?;
                wb.push_worksheet(ws);
            } else {
                wb.add_worksheet_with_constant_memory()?;
            }
        }
        let sheets = &mut wb.worksheets_mut()[first..first + jobs.len()];
        let written = crate::par::map_mut(sheets, |i, ws| match prepared[i] {
            Some(_) => sheet(ws, i)?.map_or(Ok(()), |next| frame::end_rows(ws, next)),
            // A form, written above.
            None => Ok(()),
        });
        written.into_iter().collect::<Result<(), WriteError>>()?;
    }
    Ok(())
}

/// From this many body rows on (a department of about twenty units), the
/// body sheets are written through temporary files. Below, they are built in
/// memory: a batch of ten thousand small departments would otherwise create
/// and delete a dozen files per department, and file creation slows down as
/// the file system tracks that many recently deleted files.
const ROWS_THROUGH_FILES: usize = 2_000;

/// A body sheet's rows as published; `None` for a form, which has no rows.
fn body_rows<'a>(
    specs: &'a SpecSet,
    budget: &'a Budget,
    spec: &'a TableSpec,
    table: &'a Table,
    catalogue: &Catalogue,
) -> Option<Vec<Vec<Out<'a>>>> {
    let rows = match (table, &spec.shape) {
        (Table::Grid(g), Shape::Grid(gs)) => {
            grid_rows(spec, gs, g, &name_levels(specs, budget, spec, catalogue))
        }
        (Table::TwoSided(t), Shape::TwoSided(ts)) => two_sided_rows(spec, ts, t),
        _ => return None,
    };
    Some(published_names(
        number_lines(spec, rows),
        specs.layout.name_brackets,
    ))
}

fn body_sheet(
    ws: &mut Worksheet,
    spec: &TableSpec,
    st: &Styles,
    b: &Budget,
    heading: Option<&str>,
    rows: &[Vec<Out>],
    table: &Table,
) -> Result<u32, WriteError> {
    let content: Vec<usize> = (0..spec.printed_columns().len())
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(Out::width)
                .max()
                .unwrap_or(0)
        })
        .collect();
    let widths = frame::column_widths(spec, &content);
    let page = Page {
        year: b.year,
        department: &b.department,
        heading,
        mode: Mode::Official,
    };
    let f = frame::draw(ws, spec, st, page, &widths)?;
    let mut row = f.first_data_row;
    let whole = spec.unit == Unit::Yuan && all_whole(rows.iter().flatten());
    for r in rows {
        if row % 1024 == 0 {
            crate::cancel::checkpoint();
        }
        for (c, out) in r.iter().enumerate() {
            write_out(ws, st, (row, c as u16), out, whole)?;
        }
        row += 1;
    }
    let mut notes: Vec<String> = Vec::new();
    if let (true, Some(n)) = (table.has_no_figures(), spec.empty_note.as_deref()) {
        notes.push(crate::text::fill(n, b.year, &b.department));
    }
    notes.extend(
        spec.footnotes
            .iter()
            .map(|n| crate::text::fill(n, b.year, &b.department)),
    );
    let notes: Vec<&str> = notes.iter().map(String::as_str).collect();
    frame::notes(ws, row, f.ncols - 1, &notes, st)
}

/// The 行次 columns filled: down each such column, every row whose label
/// (the cell before) is printed gets the next number, a two-sided table's
/// right side continuing from its left.
fn number_lines<'a>(spec: &TableSpec, mut rows: Vec<Vec<Out<'a>>>) -> Vec<Vec<Out<'a>>> {
    let mut n = 0;
    let line_nos = spec
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.kind == ColumnKind::LineNo)
        .map(|(i, _)| i);
    for k in line_nos {
        for r in &mut rows {
            let labelled = match k.checked_sub(1).and_then(|p| r.get(p)) {
                Some(Out::Text(t, _)) => !t.is_empty(),
                Some(_) | None => true,
            };
            if labelled && k < r.len() {
                n += 1;
                r[k] = Out::Text(Cow::Owned(n.to_string()), Look::Code);
            }
        }
    }
    rows
}

/// Whether every amount among `outs` is whole: a 元 table prints its amounts
/// without decimals (`257,700`) only then, as the published 元 tables do; one
/// figure with 分 gives every amount two decimals (`22,186,440.80` above
/// `100,000.00`), so a column never mixes the two.
pub(crate) fn all_whole<'a>(mut outs: impl Iterator<Item = &'a Out<'a>>) -> bool {
    outs.all(|o| match o {
        Out::Amount(Some(a)) => a.value().fract().is_zero(),
        _ => true,
    })
}

/// Writes one cell; `whole`: the table's amounts print without decimals
/// ([`all_whole`]).
pub(crate) fn write_out(
    ws: &mut Worksheet,
    st: &Styles,
    (row, col): (u32, u16),
    out: &Out,
    whole: bool,
) -> Result<(), WriteError> {
    match out {
        Out::Text(s, look) => {
            let f: &Format = match look {
                Look::Plain => &st.label,
                Look::Bold => &st.label_bold,
                Look::Indent1 => &st.indent1,
                Look::Indent2 => &st.indent2,
                Look::Code => &st.code,
            };
            if s.is_empty() {
                ws.write_blank(row, col, f)?;
            } else {
                // Always a string cell: a label such as "=1+1" must never become a formula.
                ws.write_string_with_format(row, col, s.as_ref(), f)?;
            }
        }
        Out::Amount(Some(a)) => {
            let f = if whole { &st.amount_whole } else { &st.amount };
            ws.write_number_with_format(row, col, a.to_f64(), f)?;
        }
        Out::Amount(None) => {
            ws.write_blank(row, col, &st.amount)?;
        }
        Out::Span(s, n) => {
            frame::put(ws, (row, col, row, col + n - 1), s, &st.label_bold)?;
        }
        Out::Covered => {}
    }
    Ok(())
}

fn indent(level: Option<Level>) -> Look {
    match level {
        Some(Level::Kuan) => Look::Indent1,
        Some(Level::Xiang) => Look::Indent2,
        _ => Look::Plain,
    }
}

/// The rows with their names' brackets as the layout's published tables
/// print them (a clerk's 因公出国（境）费用 is 因公出国(境)费用 in Shenzhen).
fn published_names(
    rows: Vec<Vec<Out<'_>>>,
    brackets: Option<crate::layout::Brackets>,
) -> Vec<Vec<Out<'_>>> {
    let Some(b) = brackets else { return rows };
    rows.into_iter()
        .map(|row| {
            row.into_iter()
                .map(|o| match o {
                    Out::Text(s, look) => match b.apply(&s) {
                        Cow::Owned(t) => Out::Text(Cow::Owned(t), look),
                        Cow::Borrowed(_) => Out::Text(s, look),
                    },
                    other => other,
                })
                .collect()
        })
        .collect()
}

/// The level (类/款) of each item of a table keyed by economic item names
/// (表4 基本支出总表), from the names of the coded economic tables of the
/// budget and the catalogue: it prints its 款 indented as 表8 does.
fn name_levels(
    specs: &SpecSet,
    budget: &Budget,
    spec: &TableSpec,
    catalogue: &Catalogue,
) -> std::collections::HashMap<String, Level> {
    use crate::spec::Classification;
    let mut out = std::collections::HashMap::new();
    if spec.row_key != RowKey::Name || spec.classification() != Some(Classification::Economic) {
        return out;
    }
    for s in specs.tables.iter().filter(|s| {
        s.classification() == Some(Classification::Economic) && s.row_key == RowKey::Code
    }) {
        if let Some(Table::Grid(g)) = budget.tables.get(&s.id) {
            for r in g.blocks.iter().flat_map(|b| &b.rows) {
                if let Some(level) = r.code.as_deref().and_then(Level::of_code) {
                    out.entry(norm(&r.name)).or_insert(level);
                }
            }
        }
    }
    if let Some(Table::Grid(g)) = budget.tables.get(&spec.id) {
        let c = catalogue;
        for r in g.blocks.iter().flat_map(|b| &b.rows) {
            if let std::collections::hash_map::Entry::Vacant(slot) = out.entry(norm(&r.name)) {
                if let Some(level) = c.economic_code_of(&r.name).and_then(Level::of_code) {
                    slot.insert(level);
                }
            }
        }
    }
    out
}

/// Body rows of a grid table, one `Out` per spec column; `levels` gives the
/// level of rows keyed by name.
pub(crate) fn grid_rows<'a>(
    spec: &'a TableSpec,
    gs: &'a GridSpec,
    g: &'a GridTable,
    levels: &std::collections::HashMap<String, Level>,
) -> Vec<Vec<Out<'a>>> {
    let mut rows = Vec::new();
    let blank = || Out::Text(Cow::Borrowed(""), Look::Plain);
    // Tables that print their total row last label it across the code and name cells.
    let at_bottom = spec.total_label();
    let labels = spec.leading_labels();
    let total_row =
        |b: &'a crate::model::UnitBlock, total: &'a crate::model::Amounts| -> Vec<Out<'a>> {
            if let Some(label) = at_bottom {
                return labelled_row(spec, label, total, labels);
            }
            spec.columns
                .iter()
                .map(|c| match c.kind {
                    ColumnKind::Amount | ColumnKind::Rate => Out::Amount(total.amount(&c.id)),
                    ColumnKind::Unit => Out::Text(Cow::Borrowed(&b.unit), Look::Plain),
                    ColumnKind::Name if spec.row_key == RowKey::Name => {
                        Out::Text(Cow::Borrowed(&b.unit), Look::Bold)
                    }
                    _ => blank(),
                })
                .collect()
        };
    let parts = spec.code_columns().len();
    let first = at_bottom.is_none() || gs.total_first;
    for b in &g.blocks {
        if let (Some(total), true) = (&b.total, first) {
            rows.push(total_row(b, total));
        }
        for (i, r) in b.rows.iter().enumerate() {
            // A fixed row of a coded table (`人员经费合计`) is labelled across the label cells.
            let fixed =
                spec.row_key != RowKey::Fixed && spec.fixed_rows().iter().any(|l| l.id == r.key);
            if fixed {
                rows.push(labelled_row(spec, &r.name, &r.amounts, labels));
                continue;
            }
            let level = r.code.as_deref().and_then(Level::of_code).or_else(|| {
                // Only a table keyed by names has levels to look up.
                (!levels.is_empty())
                    .then(|| levels.get(&norm(&r.name)).copied())
                    .flatten()
            });
            let mut part = 0;
            rows.push(
                spec.columns
                    .iter()
                    .map(|c| match c.kind {
                        ColumnKind::Amount | ColumnKind::Rate => {
                            Out::Amount(r.amounts.amount(&c.id))
                        }
                        ColumnKind::Unit if b.total.is_none() && i == 0 => {
                            Out::Text(Cow::Borrowed(&b.unit), Look::Plain)
                        }
                        ColumnKind::Unit => blank(),
                        ColumnKind::Code => Out::Text(
                            Cow::Borrowed(r.code.as_deref().unwrap_or_default()),
                            Look::Code,
                        ),
                        ColumnKind::CodePart => {
                            part += 1;
                            Out::Text(code_part(r.code.as_deref(), part - 1, parts), Look::Code)
                        }
                        ColumnKind::Name | ColumnKind::Label => {
                            Out::Text(Cow::Borrowed(&r.name), indent(level))
                        }
                        ColumnKind::LineNo => blank(),
                    })
                    .collect(),
            );
        }
        if let (Some(total), false) = (&b.total, first) {
            rows.push(total_row(b, total));
        }
    }
    match &spec.halves() {
        Some(h) => side_by_side(spec, g, rows, &h.left),
        None => rows,
    }
}

/// A row printing `label` in bold across its first `labels` cells, then its amounts.
fn labelled_row<'a>(
    spec: &'a TableSpec,
    label: &'a str,
    amounts: &'a crate::model::Amounts,
    labels: usize,
) -> Vec<Out<'a>> {
    spec.columns
        .iter()
        .enumerate()
        .map(|(i, c)| match c.kind {
            ColumnKind::Amount | ColumnKind::Rate => Out::Amount(amounts.amount(&c.id)),
            ColumnKind::LineNo => Out::Text(Cow::Borrowed(""), Look::Code),
            _ if i == 0 && labels > 1 => Out::Span(Cow::Borrowed(label), labels as u16),
            _ if i == 0 => Out::Text(Cow::Borrowed(label), Look::Bold),
            _ => Out::Covered,
        })
        .collect()
}

/// The rows of a side-by-side table: those whose code starts with a left
/// prefix (and the first fixed row) down the left half, the rest down the
/// right, the fixed rows (`人员经费合计 | 公用经费合计`) last on both.
fn side_by_side<'a>(
    spec: &'a TableSpec,
    g: &'a GridTable,
    rows: Vec<Vec<Out<'a>>>,
    left: &[String],
) -> Vec<Vec<Out<'a>>> {
    let width = spec.columns.len();
    let (mut l, mut r, mut fixed_l, mut fixed_r) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let keyed = g.blocks.iter().flat_map(|b| b.rows.iter());
    for (row, model) in rows.into_iter().zip(keyed) {
        let is_fixed = spec.fixed_rows().iter().position(|f| f.id == model.key);
        match (is_fixed, model.code.as_deref()) {
            (Some(0), _) => fixed_l.push(row),
            (Some(_), _) => fixed_r.push(row),
            (None, Some(c)) if left.iter().any(|p| c.starts_with(p.as_str())) => l.push(row),
            _ => r.push(row),
        }
    }
    let blank = || -> Vec<Out<'a>> {
        (0..width)
            .map(|i| {
                if spec.columns[i].kind == ColumnKind::Amount {
                    Out::Amount(None)
                } else {
                    Out::Text(Cow::Borrowed(""), Look::Plain)
                }
            })
            .collect()
    };
    let n = l.len().max(r.len());
    let (mut l, mut r) = (l.into_iter(), r.into_iter());
    let mut out: Vec<Vec<Out<'a>>> = (0..n)
        .map(|_| {
            let mut row = l.next().unwrap_or_else(blank);
            row.extend(r.next().unwrap_or_else(blank));
            row
        })
        .collect();
    let (mut fl, mut fr) = (fixed_l.into_iter(), fixed_r.into_iter());
    for _ in 0..fl.len().max(fr.len()) {
        let mut row = fl.next().unwrap_or_else(blank);
        row.extend(fr.next().unwrap_or_else(blank));
        out.push(row);
    }
    out
}

/// The `i`-th of `n` parts of a code printed in cells (类 3 digits, then 2 a part).
fn code_part(code: Option<&str>, i: usize, n: usize) -> Cow<'_, str> {
    let Some(code) = code else {
        return Cow::Borrowed("");
    };
    let (start, end) = if i == 0 {
        (0, 3)
    } else {
        (3 + 2 * (i - 1), 3 + 2 * i)
    };
    // A code that does not split (not all digits, too long) stays whole in its first cell.
    let splits = code.len() <= 3 + 2 * (n - 1) && code.bytes().all(|b| b.is_ascii_digit());
    match (splits, i) {
        (true, _) => Cow::Borrowed(code.get(start..end.min(code.len())).unwrap_or("")),
        (false, 0) => Cow::Borrowed(code),
        (false, _) => Cow::Borrowed(""),
    }
}

/// Whether a line has a figure other than zero (a blank or zero line is not
/// printed where the layout prints only the lines used).
fn has_figure(a: &crate::model::Amounts) -> bool {
    a.values().any(|v| v.is_some_and(|x| !x.is_zero()))
}

/// Body rows of a two-sided table: income lines beside expenditure lines,
/// then the totals rows on both sides.
pub(crate) fn two_sided_rows<'a>(
    spec: &'a TableSpec,
    ts: &'a TwoSidedSpec,
    t: &'a TwoSidedTable,
) -> Vec<Vec<Out<'a>>> {
    let [left, right] = spec.sides();
    let side_cols = [left.1, right.1];
    let numbered = spec.line_no_sides();
    // A side's cells of one row: its label, its 行次 (numbered later), then
    // an amount per column.
    let cells = |side: usize, label: Out<'a>, amounts: Option<&'a crate::model::Amounts>| {
        std::iter::once(label)
            .chain(numbered[side].then_some(Out::Text(Cow::Borrowed(""), Look::Code)))
            .chain(
                side_cols[side]
                    .iter()
                    .map(move |c| Out::Amount(amounts.and_then(|a| a.amount(&c.id)))),
            )
    };
    let blank = || Out::Text(Cow::Borrowed(""), Look::Plain);
    let mut rows = Vec::new();
    // The expenditure side: a section's lines (`一、本年支出`), then the 类,
    // 款 and 项 lines, the 类 numbered by what is printed.
    let mut lei = 0;
    let heads = ts.expenditure_lines.iter().map(|l| {
        (
            Out::Text(Cow::Borrowed(l.label.as_str()), Look::Plain),
            t.lines.get(&l.id),
        )
    });
    let lines = t
        .expenditure
        .iter()
        .filter(|e| !ts.print_used_only || has_figure(&e.amounts))
        .map(|e| {
            let label = if e.level == Some(Level::Lei) {
                lei += 1;
                Cow::Owned(ts.class_label(lei, &e.name))
            } else {
                Cow::Borrowed(e.name.as_str())
            };
            (Out::Text(label, indent(e.level)), Some(&e.amounts))
        });
    let right: Vec<(Out<'a>, Option<&'a crate::model::Amounts>)> = heads.chain(lines).collect();
    let n = ts.income_lines.len().max(right.len());
    let mut right = right.into_iter();
    for i in 0..n {
        let mut r = Vec::with_capacity(spec.columns.len());
        match ts.income_lines.get(i) {
            Some(l) => r.extend(cells(
                0,
                Out::Text(Cow::Borrowed(&l.label), Look::Plain),
                t.lines.get(&l.id),
            )),
            None => r.extend(cells(0, blank(), None)),
        }
        match right.next() {
            Some((label, amounts)) => r.extend(cells(1, label, amounts)),
            None => r.extend(cells(1, blank(), None)),
        }
        rows.push(r);
    }
    for f in &ts.footer_rows {
        let mut r = Vec::with_capacity(spec.columns.len());
        for (side, line) in [&f.left, &f.right].into_iter().enumerate() {
            match line {
                Some(l) => r.extend(cells(
                    side,
                    Out::Text(Cow::Borrowed(&l.label), Look::Bold),
                    t.lines.get(&l.id),
                )),
                None => r.extend(cells(side, blank(), None)),
            }
        }
        rows.push(r);
    }
    rows
}
