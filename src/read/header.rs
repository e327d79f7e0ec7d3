//! Finding tables by title and recognizing their header blocks by structure.

use foldhash::HashSet;

use indexmap::IndexMap;

use super::sheet::{Cell, Sheet};
use super::Found;
use crate::diag::Diagnostic;
use crate::spec::{Column, ColumnKind, SpecSet, TableSpec, Unit};
use crate::text::{match_pattern, norm, Pattern};

/// How far below its title a table's header may start.
const HEADER_SEARCH_ROWS: u32 = 12;

/// Finds each table's title; later titles of the same table in the same sheet
/// are page-break copies, in another sheet a duplicate (reported, first kept).
pub(crate) fn locate(sheets: &[Sheet], specs: &SpecSet, diags: &mut Vec<Diagnostic>) -> Vec<Found> {
    let titles = Titles::new(specs);
    // Every text cell is tried against every title: the sheets are searched side by side.
    let numbered: Vec<(usize, &Sheet)> = sheets.iter().enumerate().collect();
    let mut hits: Vec<Found> = crate::par::map(&numbered, |&(si, sheet)| {
        let mut hits = Vec::new();
        for row in 0..sheet.height() {
            for (col, cell) in sheet.row_cells(row) {
                let Cell::Text(text) = cell else { continue };
                if let Some((spec, year)) = titles.find(text) {
                    hits.push(Found {
                        spec,
                        sheet: si,
                        title_row: row,
                        title_col: col,
                        end_row: sheet.height(),
                        year,
                    });
                }
            }
        }
        hits
    })
    .into_iter()
    .flatten()
    .collect();
    // A title that no header follows (a mention in an instructions sheet) is not a table.
    hits.retain(|h| {
        header_start(
            &sheets[h.sheet],
            &specs.tables[h.spec],
            &Labels::of(&specs.tables[h.spec]),
            h.title_row,
            h.title_row + 1 + HEADER_SEARCH_ROWS,
        )
        .is_some()
    });
    let mut tables: Vec<Found> = Vec::new();
    for h in &hits {
        match tables.iter().find(|t| t.spec == h.spec) {
            None => tables.push(*h),
            Some(t) if t.sheet == h.sheet => {}
            Some(t) => {
                let spec = &specs.tables[h.spec];
                diags.push(
                    crate::read::rules::TABLE_DUP
                        .finding(format!("“{}”出现了两次", spec.title))
                        .table(spec.sheet_name())
                        .at(&sheets[h.sheet].name, h.title_row, h.title_col)
                        .expected(format!("只在工作表“{}”中出现一次", sheets[t.sheet].name))
                        .hint("请删除重复的表格，只保留一份"),
                );
            }
        }
    }
    // A table's region ends where another table's title starts in the same sheet.
    for t in &mut tables {
        let next = hits
            .iter()
            .filter(|h| h.sheet == t.sheet && h.spec != t.spec && h.title_row > t.title_row)
            .map(|h| h.title_row)
            .min();
        if let Some(n) = next {
            t.end_row = n;
        }
    }
    tables
}

/// Normalized titles of every spec, computed once per workbook.
struct Titles {
    plain: Vec<String>,
    printed: Vec<Option<Pattern>>,
}

impl Titles {
    fn new(specs: &SpecSet) -> Titles {
        Titles {
            plain: specs.tables.iter().map(|s| norm(&s.title)).collect(),
            printed: specs
                .tables
                .iter()
                .map(|s| s.printed_title.as_ref().map(|p| Pattern::new(&norm(p))))
                .collect(),
        }
    }

    /// The spec whose title this cell holds, if any (`表3 支出总表` and
    /// `支出总表` alike), with the year the title names.
    fn find(&self, cell: &str) -> Option<(usize, Option<i32>)> {
        if cell.len() > 300 {
            return None;
        }
        let n = norm(cell);
        if n.is_empty() {
            return None;
        }
        let stripped = strip_table_mark(&n);
        for candidate in [n.as_str(), stripped] {
            if let Some(i) = self.plain.iter().position(|t| *t == candidate) {
                return Some((i, None));
            }
        }
        self.printed.iter().enumerate().find_map(|(i, p)| {
            let caps = p.as_ref()?.matches(stripped)?;
            Some((i, caps.year))
        })
    }
}

/// Strips a leading `表3` mark.
fn strip_table_mark(n: &str) -> &str {
    match n.strip_prefix('表') {
        Some(rest) => {
            let digits = rest.chars().take_while(char::is_ascii_digit).count();
            if digits > 0 {
                &rest[digits..]
            } else {
                n
            }
        }
        None => n,
    }
}

/// A recognized header: where it is and which sheet column holds each spec column.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    pub last_row: u32,
    /// Spec column id → sheet column.
    pub cols: IndexMap<String, u32>,
    pub year: Option<i32>,
    pub department: Option<String>,
    /// The unit the meta line declares (`单位：元`), if it declares one.
    pub unit: Option<Unit>,
    /// The sheet columns of the code, in order (one, or its 类 | 款 | 项 parts).
    pub code: Vec<u32>,
    /// The second half's columns of a side-by-side table.
    pub second: Option<IndexMap<String, u32>>,
    /// Normalized labels of the header block, to skip page-break copies.
    labels: HashSet<String>,
    title: Pattern,
    name_label: String,
    /// The layout's heading above every title, normalized (see [`Header::with_heading`]).
    heading: Option<Pattern>,
    /// The label of the 栏次 row under the header, normalized.
    column_numbers: Option<String>,
}

/// A table's header labels with the other wordings its layout accepts,
/// normalized once.
struct Labels(Vec<(String, Vec<String>)>);

impl Labels {
    fn of(spec: &TableSpec) -> Labels {
        Labels(
            spec.header_aliases
                .iter()
                .map(|(k, v)| (norm(k), v.iter().map(|a| norm(a)).collect()))
                .collect(),
        )
    }

    /// Whether the printed label `have` is the spec's `want` (or one of its
    /// other wordings), with what its placeholders captured.
    fn matches(&self, want: &str, have: &str) -> Option<crate::text::Captures> {
        match_pattern(want, have).or_else(|| {
            let (_, others) = self.0.iter().find(|(k, _)| k == want)?;
            others.iter().find_map(|o| match_pattern(o, have))
        })
    }
}

/// First row after the title holding the first column's top header label.
fn header_start(
    sheet: &Sheet,
    spec: &TableSpec,
    labels: &Labels,
    title_row: u32,
    limit: u32,
) -> Option<u32> {
    let first = norm(
        spec.columns
            .first()
            .map(|c| c.path[0].as_str())
            .unwrap_or_default(),
    );
    if first.is_empty() {
        // Forms have no header tree: their own reader looks for their labels.
        return (spec.form().is_some()).then_some(title_row + 1);
    }
    (title_row + 1..limit.min(sheet.height())).find(|&r| {
        sheet
            .row_cells(r)
            .any(|(_, c)| labels.matches(&first, &norm(&c.text())).is_some())
    })
}

/// Recognizes the header below a title and maps every spec column to a sheet column.
pub(crate) fn recognize(
    sheet: &Sheet,
    spec: &TableSpec,
    f: &Found,
    diags: &mut Vec<Diagnostic>,
) -> Option<Header> {
    let table = spec.sheet_name();
    let names = Labels::of(spec);
    let start = header_start(
        sheet,
        spec,
        &names,
        f.title_row,
        (f.title_row + 1 + HEADER_SEARCH_ROWS).min(f.end_row),
    )?;
    let (department, unit) = title_block(sheet, spec, f.title_row, start);
    // A code printed in one column where the spec splits it (or split where
    // the spec prints it whole): both occur in real documents of one layout.
    // The deeper header is tried first, so that a 类 | 款 | 项 row under
    // 功能分类科目编码 is not taken for a body row.
    let alternative = spec.code_alternative();
    let mut variants: Vec<&[Column]> = vec![&spec.columns];
    variants.extend(alternative.as_deref());
    variants.sort_by_key(|v| std::cmp::Reverse(depth_of(v)));
    let mut failure = None;
    let mut found = None;
    for columns in variants {
        let depth = depth_of(columns);
        let rows = header_rows(sheet, start, f.end_row, depth + 1);
        if rows.len() < depth {
            continue;
        }
        match match_header(sheet, columns, &names, &rows) {
            Ok(m) => {
                found = Some(m);
                break;
            }
            // The spec's own columns say best what is missing.
            Err(missing) if std::ptr::eq(columns, spec.columns.as_slice()) => {
                failure = Some((missing, rows));
            }
            Err(missing) => {
                failure.get_or_insert((missing, rows));
            }
        }
    }
    let Some(HeaderMatch {
        cols: (cols, year),
        columns: used,
        rows,
        grid,
        paths,
    }) = found
    else {
        let d = match failure {
            None => header_error(&table, sheet, start, f.title_col, "表头不完整"),
            Some((missing, rows)) => {
                header_error(&table, sheet, rows[0], f.title_col, "表头无法识别")
                    .expected(format!("表头应含有列“{}”", missing.join("/")))
                    .hint("请按 budget-tables template 生成的模板恢复表头（可以增删空行空列，但不要改动表头文字和顺序）")
            }
        };
        diags.push(d);
        return None;
    };
    let attempt = |columns: &[Column], from: usize| {
        match_columns(columns, &paths, &names, false, from)
            .or_else(|_| match_columns(columns, &paths, &names, true, from))
    };
    let second = match &spec.halves() {
        None => None,
        Some(_) => {
            let from = cols.values().max().map_or(0, |c| *c as usize + 1);
            match attempt(&spec.columns, from) {
                Ok((c, _)) => Some(c),
                Err(missing) => {
                    diags.push(
                        header_error(&table, sheet, rows[0], f.title_col, "右半表头无法识别")
                            .expected(format!("右半表头应含有列“{}”", missing.join("/")))
                            .hint("本表左右两半的表头相同，请按模板恢复右半的表头"),
                    );
                    return None;
                }
            }
        }
    };
    let labels = grid
        .iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .cloned()
        .collect();
    let code = used
        .iter()
        .filter(|c| matches!(c.kind, ColumnKind::Code | ColumnKind::CodePart))
        .filter_map(|c| cols.get(&c.id).copied())
        .collect();
    Some(Header {
        last_row: *rows.last().unwrap_or(&start),
        code,
        cols,
        year: year.or(f.year),
        department,
        unit,
        second,
        labels,
        title: Pattern::new(&norm(spec.printed_title())),
        name_label: norm(&spec.name_label),
        heading: None,
        column_numbers: spec.column_numbers().map(norm),
    })
}

/// A header matched: the spec columns' sheet columns (and year), the
/// columns matched, the header's rows, labels and column paths.
struct HeaderMatch<'c> {
    cols: ColumnMatch,
    columns: &'c [Column],
    rows: Vec<u32>,
    grid: Vec<Vec<String>>,
    paths: Vec<Vec<String>>,
}

/// Matches `columns` against the header rows `rows` (the header's depth and
/// one more). The labels under a group are sometimes printed one row down,
/// on the 合计 row of an empty table (a Word template's 本年支出 above a row
/// `合计 … 合计 基本支出 项目支出`): when the header's own rows fail, the row
/// below is tried too, its labels taken under groups only.
fn match_header<'c>(
    sheet: &Sheet,
    columns: &'c [Column],
    names: &Labels,
    rows: &[u32],
) -> Result<HeaderMatch<'c>, Vec<String>> {
    let depth = depth_of(columns);
    let mut missing = Vec::new();
    for n in [depth, depth + 1] {
        if rows.len() < n {
            break;
        }
        let rows = &rows[..n];
        let mut grid = header_grid(sheet, rows);
        if n > depth {
            keep_under_groups(&mut grid);
        }
        let paths = column_paths(&grid);
        match match_columns(columns, &paths, names, false, 0)
            .or_else(|_| match_columns(columns, &paths, names, true, 0))
        {
            Ok(cols) => {
                return Ok(HeaderMatch {
                    cols,
                    columns,
                    rows: rows.to_vec(),
                    grid,
                    paths,
                })
            }
            Err(m) if n == depth => missing = m,
            Err(_) => {}
        }
    }
    Err(missing)
}

/// Clears the last row's labels but those under a label that spans several
/// columns in the row above (a group whose leaves were printed a row down).
fn keep_under_groups(grid: &mut [Vec<String>]) {
    let [.., above, last] = grid else {
        return;
    };
    for c in 0..last.len() {
        let label = &above[c];
        let group = !label.is_empty()
            && (c > 0 && above[c - 1] == *label || above.get(c + 1) == Some(label));
        if !group {
            last[c].clear();
        }
    }
}

/// How many rows a header of these columns takes: its longest path.
fn depth_of(columns: &[Column]) -> usize {
    columns.iter().map(|c| c.path.len()).max().unwrap_or(0)
}

/// The first `depth` non-blank rows from `start`.
fn header_rows(sheet: &Sheet, start: u32, end: u32, depth: usize) -> Vec<u32> {
    (start..end)
        .filter(|&r| !sheet.row_is_blank(r))
        .take(depth)
        .collect()
}

/// The header rows' normalized labels, merged ranges filled in.
fn header_grid(sheet: &Sheet, rows: &[u32]) -> Vec<Vec<String>> {
    let width = sheet.width();
    let mut grid: Vec<Vec<String>> = rows
        .iter()
        .map(|&r| (0..width).map(|c| norm(&sheet.get(r, c).text())).collect())
        .collect();
    fill_merges(sheet, rows, &mut grid);
    fill_right(&mut grid);
    grid
}

/// Each sheet column's header path, top to bottom, repeats dropped.
fn column_paths(grid: &[Vec<String>]) -> Vec<Vec<String>> {
    let width = grid.first().map_or(0, Vec::len);
    (0..width)
        .map(|c| {
            let mut p: Vec<String> = Vec::new();
            for row in grid {
                if !row[c].is_empty() && p.last() != Some(&row[c]) {
                    p.push(row[c].clone());
                }
            }
            p
        })
        .collect()
}

fn header_error(table: &str, sheet: &Sheet, row: u32, col: u32, what: &str) -> Diagnostic {
    crate::read::rules::HEADER
        .finding(format!("{table}的{what}"))
        .table(table)
        .at(&sheet.name, row, col)
}

/// Reads the 部门名称 and 单位 lines between the title and the header.
fn title_block(
    sheet: &Sheet,
    spec: &TableSpec,
    title_row: u32,
    header_row: u32,
) -> (Option<String>, Option<Unit>) {
    let label = norm(&spec.name_label);
    let mut department = None;
    let mut unit = None;
    for r in title_row + 1..header_row {
        let cells: Vec<(u32, String)> = sheet.row_cells(r).map(|(c, x)| (c, x.text())).collect();
        for (i, (_, t)) in cells.iter().enumerate() {
            let n = norm(t);
            if let Some(rest) = n.strip_prefix(&label) {
                let rest = rest.trim_start_matches(':');
                department = if rest.is_empty() {
                    cells
                        .get(i + 1)
                        .map(|(_, v)| clean_label(v))
                        .filter(|v| !norm(v).starts_with("单位:"))
                } else {
                    // Keep the name as typed, only without the label.
                    let raw = clean_label(t);
                    let pos = raw
                        .find(['：', ':'])
                        .map(|p| p + raw[p..].chars().next().map_or(1, char::len_utf8));
                    Some(pos.map_or(rest.to_string(), |p| raw[p..].trim().to_string()))
                };
            }
            if let Some(p) = n.find("单位:") {
                if !n[..p].ends_with(&label) {
                    let rest = &n[p + "单位:".len()..];
                    unit = if rest.starts_with('元') {
                        Some(Unit::Yuan)
                    } else if rest.starts_with("万元") {
                        Some(Unit::Wan)
                    } else {
                        unit
                    };
                }
            }
        }
    }
    (department.filter(|d| !d.is_empty()), unit)
}

/// Fills every cell of a merged range inside the header with its top-left
/// label. Each header row is swept once from left to right, so a cell is
/// filled at most once whatever the number of merges: merges do not overlap
/// in a sound workbook, and in a damaged one the leftmost wins.
fn fill_merges(sheet: &Sheet, rows: &[u32], grid: &mut [Vec<String>]) {
    let width = grid.first().map_or(0, Vec::len) as u32;
    // (top row's index, merge) for the merges that start in a header row
    // inside the used width.
    let mut starting: Vec<(usize, &calamine::Dimensions)> = sheet
        .merges
        .iter()
        .filter(|m| m.start.1 < width)
        .filter_map(|m| Some((rows.iter().position(|&r| r == m.start.0)?, m)))
        .collect();
    starting.sort_by_key(|(_, m)| (m.start.1, m.start.0));
    for (i, &r) in rows.iter().enumerate() {
        let mut filled_to = 0u32;
        for &(top, m) in &starting {
            if r < m.start.0 || r > m.end.0 {
                continue;
            }
            let label = grid[top][m.start.1 as usize].clone();
            let end = m.end.1.min(width - 1);
            for c in m.start.1.max(filled_to)..=end {
                let cell = &mut grid[i][c as usize];
                if cell.is_empty() {
                    cell.clone_from(&label);
                }
            }
            filled_to = filled_to.max(end + 1);
        }
    }
}

/// Where merges are not recorded (ODS, unmerged copies), a group label sits in
/// its first column only: carry it right while the columns share their parents.
fn fill_right(grid: &mut [Vec<String>]) {
    for h in 0..grid.len() {
        for c in 1..grid[h].len() {
            if !grid[h][c].is_empty() || grid[h][c - 1].is_empty() {
                continue;
            }
            let same_parents = (0..h).all(|p| grid[p][c] == grid[p][c - 1]);
            let has_below = (h + 1..grid.len()).any(|b| !grid[b][c].is_empty());
            if same_parents && has_below {
                grid[h][c] = grid[h][c - 1].clone();
            }
        }
    }
}

/// Matches spec columns to sheet columns in order. `loose` accepts a sheet path
/// that is a suffix of the spec path (group labels not carried).
/// Spec column id → sheet column, and the year read from the header.
type ColumnMatch = (IndexMap<String, u32>, Option<i32>);

fn match_columns(
    columns: &[Column],
    paths: &[Vec<String>],
    names: &Labels,
    loose: bool,
    from: usize,
) -> Result<ColumnMatch, Vec<String>> {
    let mut cols = IndexMap::new();
    let mut year = None;
    let mut next = from;
    for col in columns {
        let want: Vec<String> = col.path.iter().map(|l| norm(l)).collect();
        let hit = (next..paths.len()).find_map(|c| {
            let have = &paths[c];
            if have.is_empty() || have.len() > want.len() || (!loose && have.len() != want.len()) {
                return None;
            }
            let tail = &want[want.len() - have.len()..];
            let mut y = None;
            for (w, h) in tail.iter().zip(have) {
                let caps = names.matches(w, h)?;
                y = caps.year.or(y);
            }
            Some((c, y))
        });
        match hit {
            Some((c, y)) => {
                cols.insert(col.id.clone(), c as u32);
                year = year.or(y);
                next = c + 1;
            }
            None => return Err(col.path.clone()),
        }
    }
    Ok((cols, year))
}

/// How far above its title a table's heading may stand.
const HEADING_ROWS: u32 = 3;

impl Header {
    /// Takes the department and year from the layout's heading above the
    /// title (`上海市XX局2024年度部门决算表`) where the title block names none,
    /// and learns the heading so that its copies in the body are skipped.
    pub fn with_heading(mut self, sheet: &Sheet, f: &Found, heading: Option<&str>) -> Header {
        let Some(pattern) = heading.map(norm) else {
            return self;
        };
        let found = (f.title_row.saturating_sub(HEADING_ROWS)..f.title_row)
            .rev()
            .flat_map(|r| {
                sheet
                    .row_cells(r)
                    .map(|(_, c)| c.text())
                    .collect::<Vec<_>>()
            })
            .find_map(|t| {
                let n = norm(&t);
                // A blank template's heading names the year only.
                match_pattern(&pattern, &n)
                    .or_else(|| match_pattern(&pattern.replace("{department}", ""), &n))
                    .map(|caps| (t, caps))
            });
        if let Some((raw, caps)) = found {
            self.year = self.year.or(caps.year);
            if self.department.is_none() {
                self.department = caps
                    .department
                    .and_then(|d| crate::text::as_typed(&raw, &d).map(str::to_string));
            }
        }
        self.heading = Some(Pattern::new(&pattern));
        self
    }

    /// A row that only repeats the title, the 表N mark, the 部门名称/单位 lines
    /// or header labels: a page-break copy, skipped.
    pub fn is_decoration(&self, sheet: &Sheet, row: u32) -> bool {
        // The 栏次 row (`栏次 | | 1 | 2 | 3`) numbers the columns: no figures.
        if let Some(label) = &self.column_numbers {
            let first = sheet
                .row_cells(row)
                .map(|(_, c)| c.text())
                .find(|t| !t.trim().is_empty());
            if first.is_some_and(|t| norm(&t) == *label) {
                return true;
            }
        }
        // A number can neither start the 部门名称 line nor be a title or mark:
        // at most a header label typed as a number. Body rows are mostly
        // numbers, so their text is built only while it could still matter.
        let numbers_plain = self
            .name_label
            .chars()
            .next()
            .is_some_and(|c| !c.is_ascii_digit() && !matches!(c, '-' | '.'));
        let mut any = false;
        let mut all_ok = true;
        let first = self.name_label.chars().next();
        for (_, c) in sheet.row_cells(row) {
            any = true;
            if numbers_plain && matches!(c, Cell::Number(_) | Cell::Int(_)) {
                all_ok = all_ok && self.labels.contains(&norm(&c.text()));
                continue;
            }
            let text = c.text();
            // Once the row is known not to be header text, only the 部门名称
            // line is left to find: a cell without its first character is not it.
            if !all_ok && first.is_some_and(|f| !text.contains(f)) {
                continue;
            }
            let n = norm(&text);
            // The 部门名称 line, whatever else it holds (the name, 单位:万元).
            if n.starts_with(&self.name_label) {
                return true;
            }
            all_ok = all_ok && self.is_header_text(&n);
        }
        any && all_ok
    }

    /// Text a header block or page-break copy of it may hold.
    fn is_header_text(&self, n: &str) -> bool {
        let is_mark = n
            .strip_prefix('表')
            .is_some_and(|d| !d.is_empty() && d.chars().all(|x| x.is_ascii_digit()));
        self.labels.contains(n)
            || self.title.matches(n).is_some()
            || self
                .heading
                .as_ref()
                .is_some_and(|h| h.matches(n).is_some())
            || self.title.matches(strip_table_mark(n)).is_some()
            || is_mark
            || n.starts_with("单位:")
    }
}

/// A note or instruction row: its first cell starts with 注, 备注, 说明 or
/// 填表说明, or the row is one sentence alone (the official template's
/// instruction under an empty table: `无…的，仍保留该表格式，并在本表下方作下述说明：`).
pub(crate) fn is_note(sheet: &Sheet, row: u32) -> bool {
    let mut filled = sheet
        .row_cells(row)
        .map(|(_, c)| norm(&c.text()))
        .filter(|t| !t.is_empty());
    let Some(n) = filled.next() else {
        return false;
    };
    ["注:", "备注", "说明:", "填表说明", "注1", "注2"]
        .iter()
        .any(|p| n.starts_with(p))
        || (filled.next().is_none() && is_sentence(&n))
}

/// Text that reads as a sentence, not as a code, name or label: long, with
/// a clause break, ending as a sentence ends.
fn is_sentence(n: &str) -> bool {
    n.chars().count() >= 12 && n.contains(',') && (n.ends_with(':') || n.ends_with('。'))
}

/// A label as typed, without line breaks and surrounding spaces.
pub(crate) fn clean_label(s: &str) -> String {
    s.split(['\n', '\r'])
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("")
        .trim()
        .to_string()
}
