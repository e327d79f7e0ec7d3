//! The year-over-year diff workbook: 总览 with the headline figures, their
//! sentences and a chart of the largest changes, then one sheet per table.

use rust_xlsxwriter::{
    Chart, ChartAxisLabelPosition, ChartFormat, ChartPoint, ChartSolidFill, ChartType, Color,
    ConditionalFormatCell, ConditionalFormatCellRule, Format, FormatAlign, FormatBorder, Worksheet,
};

use super::frame::put;
use super::{new_workbook, WriteError};
use crate::amount::Amount;
use crate::diff::{Change, Diff, Rate, Status, TableDiff};

const UP: u32 = 0xFF_C7_CE;
const DOWN: u32 = 0xC6_EF_CE;

struct Looks {
    title: Format,
    header: Format,
    text: Format,
    wrap: Format,
    amount: Format,
    rate: Format,
    status: Format,
    indent: [Format; 4],
}

impl Looks {
    fn new() -> Looks {
        let base = Format::new()
            .set_font_name("宋体")
            .set_font_size(10)
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter);
        Looks {
            title: Format::new()
                .set_font_name("宋体")
                .set_font_size(16)
                .set_bold()
                .set_align(FormatAlign::Center),
            header: base
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_background_color(Color::RGB(0xF2_F2_F2)),
            text: base.clone(),
            wrap: base.clone().set_text_wrap(),
            amount: base
                .clone()
                .set_num_format("#,##0.00")
                .set_align(FormatAlign::Right),
            rate: base
                .clone()
                .set_num_format("0.0%")
                .set_align(FormatAlign::Right),
            status: base
                .clone()
                .set_bold()
                .set_font_color(Color::RGB(0xC0_00_00))
                .set_align(FormatAlign::Center),
            indent: [
                base.clone().set_bold(),
                base.clone(),
                base.clone().set_indent(1),
                base.set_indent(2),
            ],
        }
    }
}

/// The diff workbook as bytes.
///
/// # Errors
/// [`WriteError`] when the workbook cannot be assembled.
pub fn workbook_bytes(d: &Diff) -> Result<Vec<u8>, WriteError> {
    let mut wb = new_workbook(&title(d))?;
    let lk = Looks::new();
    let ws = wb.add_worksheet();
    overview(ws, d, &lk)?;
    for t in &d.tables {
        let ws = wb.add_worksheet();
        table(ws, d, t, &lk)?;
    }
    Ok(wb.save_to_buffer()?)
}

/// `某局2023—2024年部门预算对比` (决算 for final accounts).
fn title(d: &Diff) -> String {
    format!(
        "{}{}—{}年部门{}对比",
        d.department, d.prior_year, d.year, d.kind
    )
}

fn amount(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    a: Option<Amount>,
    lk: &Looks,
) -> Result<(), WriteError> {
    match a {
        Some(a) => ws.write_number_with_format(r, c, a.to_f64(), &lk.amount)?,
        None => ws.write_blank(r, c, &lk.amount)?,
    };
    Ok(())
}

fn change_cells(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    ch: &Change,
    lk: &Looks,
) -> Result<(), WriteError> {
    amount(ws, r, c, ch.prior, lk)?;
    amount(ws, r, c + 1, ch.current, lk)?;
    amount(ws, r, c + 2, ch.change, lk)?;
    rate_cell(ws, (r, c + 3), ch.rate, [&lk.rate, &lk.status, &lk.rate])
}

/// A rate as a percentage cell, `新增` as text, or blank; `formats` are
/// (percent, text, blank).
pub(crate) fn rate_cell(
    ws: &mut Worksheet,
    (r, c): (u32, u16),
    rate: Rate,
    formats: [&Format; 3],
) -> Result<(), WriteError> {
    match rate {
        Rate::Percent(p) => {
            use rust_decimal::prelude::ToPrimitive;
            let fraction = (p / rust_decimal::Decimal::ONE_HUNDRED)
                .to_f64()
                .unwrap_or(0.0);
            ws.write_number_with_format(r, c, fraction, formats[0])?;
        }
        Rate::New => {
            ws.write_string_with_format(r, c, "新增", formats[1])?;
        }
        Rate::None => {
            ws.write_blank(r, c, formats[2])?;
        }
    }
    Ok(())
}

/// Increases red, decreases green, on a column of changes.
fn colour_changes(ws: &mut Worksheet, first: u32, last: u32, col: u16) -> Result<(), WriteError> {
    if last < first {
        return Ok(());
    }
    let up = ConditionalFormatCell::new()
        .set_rule(ConditionalFormatCellRule::GreaterThan(0))
        .set_format(Format::new().set_background_color(Color::RGB(UP)));
    let down = ConditionalFormatCell::new()
        .set_rule(ConditionalFormatCellRule::LessThan(0))
        .set_format(Format::new().set_background_color(Color::RGB(DOWN)));
    ws.add_conditional_format(first, col, last, col, &up)?;
    ws.add_conditional_format(first, col, last, col, &down)?;
    Ok(())
}

/// Landscape A4, the header rows and the label columns on every page, one
/// page wide only while that prints at 60% or more (`width` in characters;
/// 0 for a sheet that always fits).
fn page(
    ws: &mut Worksheet,
    header_last: u32,
    freeze_col: u16,
    width: f64,
) -> Result<(), WriteError> {
    super::frame::print_wide(ws, width, freeze_col)?;
    ws.set_repeat_rows(0, header_last)?;
    ws.set_footer("&C第 &P 页，共 &N 页");
    ws.set_freeze_panes(header_last + 1, freeze_col)?;
    Ok(())
}

fn overview(ws: &mut Worksheet, d: &Diff, lk: &Looks) -> Result<(), WriteError> {
    ws.set_name("总览")?;
    let label_width = fitting(d.headlines.iter().map(|h| h.label.as_str()), 26.0);
    for (c, w) in [label_width, 14.0, 14.0, 14.0, 10.0, 72.0]
        .iter()
        .enumerate()
    {
        ws.set_column_width(c as u16, *w)?;
    }
    put(ws, (0, 0, 0, 5), &title(d), &lk.title)?;
    ws.write_string(1, 5, format!("单位:{}", d.unit))?;
    for (c, h) in [
        "项目",
        &format!("{}年", d.prior_year),
        &format!("{}年", d.year),
        "增减额",
        "增减率",
        "说明",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(2, c as u16, *h, &lk.header)?;
    }
    let mut r = 3;
    for h in &d.headlines {
        ws.write_string_with_format(r, 0, &h.label, &lk.wrap)?;
        change_cells(ws, r, 1, &h.change, lk)?;
        ws.write_string_with_format(r, 5, &h.sentence, &lk.wrap)?;
        // As tall as the longer of the wrapped label and sentence.
        let lines = (crate::text::display_width(&h.sentence) as f64 / 70.0)
            .ceil()
            .max((crate::text::display_width(&h.label) as f64 / (label_width - 1.0)).ceil())
            .max(1.0);
        ws.set_row_height(r, lines * 13.5 + 4.0)?;
        r += 1;
    }
    colour_changes(ws, 3, r - 1, 3)?;
    r += 1;
    for check in &d.year_checks {
        ws.write_string_with_format(
            r,
            0,
            format!("跨年度核对：{}", check.description),
            &lk.indent[0],
        )?;
        r += 1;
        let failed: Vec<&crate::diff::Mismatch> = d
            .consistency
            .iter()
            .filter(|m| m.check == check.id)
            .collect();
        if failed.is_empty() {
            ws.write_string(
                r,
                0,
                format!(
                    "一致：本年所列{}年数与{}年公开的数相同。",
                    d.prior_year, d.prior_year
                ),
            )?;
            r += 1;
            continue;
        }
        for (c, h) in ["预算单位", "列", "本年所列上年数", "上年公开数"]
            .iter()
            .enumerate()
        {
            ws.write_string_with_format(r, c as u16, *h, &lk.header)?;
        }
        r += 1;
        for m in failed {
            ws.write_string_with_format(r, 0, &m.unit, &lk.text)?;
            ws.write_string_with_format(r, 1, &m.column, &lk.text)?;
            amount(ws, r, 2, m.stated, lk)?;
            amount(ws, r, 3, m.published, lk)?;
            r += 1;
        }
    }
    // The largest changes of items — the headlines that are no totals and
    // the 科目 without sub-items — as a bar chart fed by a small table beside it.
    let mut top: Vec<(&str, Amount)> = d
        .headlines
        .iter()
        .filter(|h| !h.total)
        .filter_map(|h| h.change.change.map(|c| (h.label.as_str(), c)))
        .chain(leaf_items(d))
        .filter(|(_, c)| !c.is_zero())
        .collect();
    top.sort_by(|a, b| b.1.abs().cmp(&a.1.abs()).then(a.0.cmp(b.0)));
    top.truncate(8);
    if top.is_empty() {
        page(ws, 2, 1, 0.0)?;
        return Ok(());
    }
    // Under the figures, in their columns: the page stays as wide as they are.
    let (tr, tc) = (r + 1, 0u16);
    ws.write_string_with_format(tr, tc, "变化最大的项目", &lk.header)?;
    ws.write_string_with_format(tr, tc + 1, "增减额", &lk.header)?;
    for (i, (label, c)) in top.iter().enumerate() {
        ws.write_string_with_format(tr + 1 + i as u32, tc, *label, &lk.wrap)?;
        ws.write_number_with_format(tr + 1 + i as u32, tc + 1, c.to_f64(), &lk.amount)?;
    }
    let chart_row = tr + top.len() as u32 + 2;
    ws.insert_chart(chart_row, 0, &change_chart(&top, (tr, tc)))?;
    page(ws, 2, 1, 0.0)?;
    Ok(())
}

/// The 科目 without sub-items of the table the layout names for items, with
/// their change in the headlines' unit (万元).
fn leaf_items(d: &Diff) -> Vec<(&str, Amount)> {
    let Some((table, col)) = &d.items_from else {
        return Vec::new();
    };
    let Some(t) = d.tables.iter().find(|t| &t.id == table) else {
        return Vec::new();
    };
    let Some(j) = t.columns.iter().position(|(id, _)| id == col) else {
        return Vec::new();
    };
    let yuan = t.unit == crate::spec::Unit::Yuan.label();
    t.rows
        .iter()
        .enumerate()
        .filter(|(i, r)| {
            r.code.is_some() && r.level >= 1 && t.rows.get(i + 1).is_none_or(|n| n.level <= r.level)
        })
        .filter_map(|(_, r)| {
            let c = r.cells.get(j)?.change?;
            let c = if yuan {
                Amount::round(c.value() / rust_decimal::Decimal::from(10_000))
            } else {
                c
            };
            Some((r.name.as_str(), c))
        })
        .collect()
}

/// The bar chart of the largest changes: red up, green down (as the tables
/// colour them), values at the bar ends, item names at the left edge clear of
/// bars that go below zero.
fn change_chart(top: &[(&str, Amount)], (tr, tc): (u32, u16)) -> Chart {
    let last = tr + top.len() as u32;
    let points: Vec<ChartPoint> = top
        .iter()
        .map(|(_, c)| {
            let colour = if c.value().is_sign_negative() {
                Color::RGB(0x00_80_3C)
            } else {
                Color::RGB(0xC0_00_00)
            };
            ChartPoint::new().set_format(
                ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(colour)),
            )
        })
        .collect();
    let mut chart = Chart::new(ChartType::Bar);
    chart.title().set_name("增减额最大的项目（万元）");
    chart
        .add_series()
        .set_categories(("总览", tr + 1, tc, last, tc))
        .set_values(("总览", tr + 1, tc + 1, last, tc + 1))
        .set_name("增减额")
        .set_points(&points);
    // No value labels on the bars: beside a long bar they wrapped
    // ("3,355.6 5"); the table above the chart gives each value.
    chart.legend().set_hidden();
    // Bars run right (增) and left (减): the names sit at the left edge.
    chart
        .y_axis()
        .set_reverse()
        .set_label_position(ChartAxisLabelPosition::Low);
    chart.set_width(760).set_height(60 + 36 * top.len() as u32);
    chart
}

/// A table of at most this many rows (三公: one, or its years) prints one page wide.
const SHORT_TABLE: usize = 3;

/// Rows and columns zero (or blank) in both years are hidden, so neither
/// the screen nor the print is pages of zeros; unhiding shows them. Returns
/// how many amount columns stay shown.
fn hide_zeros(
    ws: &mut Worksheet,
    t: &TableDiff,
    first: u32,
    first_col: u16,
) -> Result<usize, WriteError> {
    let nothing = |c: &crate::diff::Change| {
        c.prior.is_none_or(Amount::is_zero) && c.current.is_none_or(Amount::is_zero)
    };
    for (i, row) in t.rows.iter().enumerate() {
        if row.level > 0 && row.cells.iter().all(nothing) {
            ws.set_row_hidden(first + i as u32)?;
        }
    }
    let mut shown = 0;
    for j in 0..t.columns.len() {
        if t.rows.iter().all(|r| r.cells.get(j).is_none_or(nothing)) {
            for k in 0..4 {
                ws.set_column_hidden(first_col + 4 * j as u16 + k)?;
            }
        } else {
            shown += 1;
        }
    }
    Ok(shown)
}

/// A column as wide as its longest text (in characters, a Chinese one two),
/// between `min` and 50: a text wider wraps instead of being cut.
fn fitting<'a>(texts: impl Iterator<Item = &'a str>, min: f64) -> f64 {
    let widest = texts
        .map(|t| crate::text::display_width(t) as f64)
        .fold(0.0, f64::max);
    (widest + 2.0).clamp(min, 50.0)
}

fn table(ws: &mut Worksheet, d: &Diff, t: &TableDiff, lk: &Looks) -> Result<(), WriteError> {
    ws.set_name(&t.sheet)?;
    let labels = ["预算单位", "科目编码", "名称", "状态"];
    // The title and the unit over the label columns, which print on every
    // page of a wide table: each page says what it is.
    put(
        ws,
        (0, 0, 0, labels.len() as u16 - 1),
        &format!("{}（{}年 → {}年）", t.sheet, d.prior_year, d.year),
        &lk.title,
    )?;
    ws.write_string(1, 0, format!("单位:{}", t.unit))?;
    for (c, h) in labels.iter().enumerate() {
        put(ws, (2, c as u16, 3, c as u16), h, &lk.header)?;
    }
    for (j, (_, label)) in t.columns.iter().enumerate() {
        let c = labels.len() as u16 + 4 * j as u16;
        put(ws, (2, c, 2, c + 3), label, &lk.header)?;
        for (k, h) in [
            format!("{}年", d.prior_year),
            format!("{}年", d.year),
            "增减额".into(),
            "增减率".into(),
        ]
        .iter()
        .enumerate()
        {
            ws.write_string_with_format(3, c + k as u16, h, &lk.header)?;
            ws.set_column_width(c + k as u16, if k == 3 { 9.0 } else { 13.0 })?;
        }
    }
    ws.set_row_height(2, 30)?;
    // The unit and name columns as wide as what they hold: nothing is cut.
    let unit_width = fitting(t.rows.iter().map(|r| r.unit.as_str()), 12.0);
    let name_width = fitting(t.rows.iter().map(|r| r.name.as_str()), 20.0);
    for (c, w) in [unit_width, 10.0, name_width + 4.0, 8.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    let first = 4u32;
    for (i, row) in t.rows.iter().enumerate() {
        let r = first + i as u32;
        let name = match (&row.prior_name, row.status) {
            (Some(p), Status::Renamed) => format!("{}（原：{p}）", row.name),
            _ => row.name.clone(),
        };
        // Every row names its 预算单位: a filtered or split page still says whose it is.
        ws.write_string_with_format(r, 0, row.unit.as_str(), &lk.text)?;
        ws.write_string_with_format(r, 1, row.code.as_deref().unwrap_or(""), &lk.text)?;
        ws.write_string_with_format(r, 2, &name, &lk.indent[row.level.min(3) as usize])?;
        ws.write_string_with_format(r, 3, row.status.label(), &lk.status)?;
        for (j, ch) in row.cells.iter().enumerate() {
            change_cells(ws, r, labels.len() as u16 + 4 * j as u16, ch, lk)?;
        }
    }
    let last = first + t.rows.len() as u32;
    let shown = hide_zeros(ws, t, first, labels.len() as u16)?;
    for j in 0..t.columns.len() {
        colour_changes(
            ws,
            first,
            last.saturating_sub(1),
            labels.len() as u16 + 4 * j as u16 + 2,
        )?;
    }
    // Fold 款 under their 类 and 项 under their 款.
    for depth in [2u8, 3] {
        let mut i = 0;
        while i < t.rows.len() {
            if t.rows[i].level >= depth {
                let start = i;
                while i < t.rows.len() && t.rows[i].level >= depth {
                    i += 1;
                }
                ws.group_rows(first + start as u32, first + i as u32 - 1)?;
            } else {
                i += 1;
            }
        }
    }
    // The print fits the columns left shown; a short table (三公: one row)
    // prints one page wide whatever its width, not one column per page.
    let width = if t.rows.len() <= SHORT_TABLE {
        0.0
    } else {
        unit_width + name_width + 22.0 + 48.0 * shown as f64
    };
    page(ws, 3, labels.len() as u16, width)?;
    Ok(())
}
