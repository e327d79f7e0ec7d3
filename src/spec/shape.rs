//! A table's shape as a type: what only a two-sided table, a grid or a form
//! has lives in its variant, so code that needs a grid's fixed rows or a
//! form's amounts matches the shape and the compiler walks every shape.
//!
//! A table file stays flat TOML (`kind = "grid"` beside the grid's fields);
//! [`RawTableSpec`] reads it and [`TableSpec::try_from`] sorts the fields
//! into the shape, refusing a field that belongs to another shape.

use serde::Deserialize;

use super::{
    Classification, CodeName, Column, Difference, FooterRow, FormSpec, Halves, Line, RateRule,
    RowKey, SumRule, TableKind, TableSpec, Unit,
};

/// How a table is laid out, with the declarations only that layout has.
#[derive(Debug, Clone)]
pub enum Shape {
    /// Income | expenditure side by side (收支总表).
    TwoSided(TwoSidedSpec),
    /// Rows of amounts under a header tree.
    Grid(GridSpec),
    /// A form (整体支出绩效目标表).
    Form(FormSpec),
}

/// What only a two-sided table declares.
#[derive(Debug, Clone, Default)]
pub struct TwoSidedSpec {
    /// The income side's fixed lines, in order.
    pub income_lines: Vec<Line>,
    /// Fixed lines printed at the top of the expenditure side, above its 类
    /// (`一、本年支出`, a section's subtotal over the 类 beneath it, which are
    /// then numbered `（一）`, `（二）` …).
    pub expenditure_lines: Vec<Line>,
    /// The rows under the lines: 本年收入合计 | 本年支出合计 and the like.
    pub footer_rows: Vec<FooterRow>,
    /// Identities between the columns of the expenditure side, on every line
    /// of that side (合计 = 一般公共预算 + 政府性基金预算 + …).
    pub column_sums: Vec<SumRule>,
    /// The fixed line that sums the 类 expenditure lines.
    pub expenditure_total: Option<String>,
    /// Codes of expenditure lines known by name, beside those of the
    /// `link_codes_from` tables (every 类 the table lists, empty or not).
    pub link_codes: Vec<CodeName>,
    /// Tables whose 科目编码 name the expenditure lines.
    pub link_codes_from: Vec<String>,
    /// The published table prints only the expenditure lines with a figure,
    /// its 类 numbered by what is printed (`五、教育支出`), although the
    /// fill-in template lists every 类 of `link_codes`.
    pub print_used_only: bool,
}

impl TwoSidedSpec {
    /// Every fixed line, income lines first, then the footer rows left to right.
    pub fn fixed_lines(&self) -> impl Iterator<Item = &Line> {
        self.income_lines
            .iter()
            .chain(&self.expenditure_lines)
            .chain(
                self.footer_rows
                    .iter()
                    .flat_map(|f| f.left.iter().chain(f.right.iter())),
            )
    }

    /// Fixed lines of the right (expenditure) column: the lines above the
    /// 类, then footer rights.
    pub fn right_lines(&self) -> impl Iterator<Item = &Line> {
        self.expenditure_lines
            .iter()
            .chain(self.footer_rows.iter().filter_map(|f| f.right.as_ref()))
    }

    /// How the 类 of the expenditure side are numbered: under a section's
    /// line `（一）`, else `一、`.
    pub fn class_label(&self, n: usize, name: &str) -> String {
        let numeral = crate::text::chinese_numeral(n);
        if self.expenditure_lines.is_empty() {
            format!("{numeral}、{name}")
        } else {
            format!("（{numeral}）{name}")
        }
    }

    /// Fixed lines of the left (income) column: income lines then footer lefts.
    pub fn left_lines(&self) -> impl Iterator<Item = &Line> {
        self.income_lines
            .iter()
            .chain(self.footer_rows.iter().filter_map(|f| f.left.as_ref()))
    }
}

/// What only a grid declares.
#[derive(Debug, Clone, Default)]
pub struct GridSpec {
    /// The classification of the row codes (or names): enables the
    /// 类 = Σ 款 = Σ 项 hierarchy and the block total = Σ 类 check.
    pub classification: Option<Classification>,
    /// Every row is first-level: the block total is the sum of all rows.
    pub rows_sum_to_total: bool,
    /// Rows printed whatever the data (表9's 年度 rows), by id and label.
    pub fixed_rows: Vec<Line>,
    /// Rows that are the sum of other rows, by row key (`人员经费合计` = 301 + 303),
    /// in every amount column.
    pub row_sums: Vec<SumRule>,
    /// A fixed row that is the difference of two others (增减变化金额).
    pub difference: Option<Difference>,
    /// Rate columns and what each must equal (增减%).
    pub rates: Vec<RateRule>,
    /// The label of a block's total row when it is not its first row (`合计`,
    /// printed at the bottom). Without a 预算单位 column the table is the
    /// department's single block.
    pub total_label: Option<String>,
    /// The total row (`total_label`) is printed first, not last.
    pub total_first: bool,
    /// Two blocks of the same columns side by side (code | name | amount twice):
    /// rows whose code starts with one of these are printed in the left half.
    pub halves: Option<Halves>,
}

/// A table file as written: every shape's fields side by side. Only
/// [`TableSpec::try_from`] reads it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTableSpec {
    id: String,
    number: u32,
    title: String,
    printed_title: Option<String>,
    sheet_name: Option<String>,
    kind: TableKind,
    #[serde(default)]
    unit: Unit,
    #[serde(default)]
    row_key: RowKey,
    name_label: String,
    #[serde(default = "default_colon")]
    colon: String,
    #[serde(default = "default_true")]
    mark: bool,
    #[serde(default)]
    footnotes: Vec<String>,
    empty_note: Option<String>,
    #[serde(default = "default_template_rows")]
    template_rows: u32,
    column_numbers: Option<String>,
    #[serde(default)]
    columns: Vec<Column>,
    #[serde(default)]
    sums: Vec<SumRule>,
    #[serde(default)]
    header_aliases: indexmap::IndexMap<String, Vec<String>>,
    #[serde(default)]
    income_lines: Vec<Line>,
    #[serde(default)]
    expenditure_lines: Vec<Line>,
    #[serde(default)]
    footer_rows: Vec<FooterRow>,
    #[serde(default)]
    column_sums: Vec<SumRule>,
    expenditure_total: Option<String>,
    #[serde(default)]
    link_codes: Vec<CodeName>,
    #[serde(default)]
    link_codes_from: Vec<String>,
    #[serde(default)]
    print_used_only: bool,
    classification: Option<Classification>,
    #[serde(default)]
    rows_sum_to_total: bool,
    #[serde(default)]
    fixed_rows: Vec<Line>,
    #[serde(default)]
    row_sums: Vec<SumRule>,
    difference: Option<Difference>,
    #[serde(default)]
    rates: Vec<RateRule>,
    total_label: Option<String>,
    #[serde(default)]
    total_first: bool,
    halves: Option<Halves>,
    form: Option<FormSpec>,
}

fn default_colon() -> String {
    ":".into()
}

fn default_true() -> bool {
    true
}

fn default_template_rows() -> u32 {
    30
}

impl RawTableSpec {
    /// The fields that are set, each with the shape it belongs to.
    fn shape_fields(&self) -> [(&'static str, TableKind, bool); 18] {
        use TableKind::{Form, Grid, TwoSided};
        [
            ("income_lines", TwoSided, !self.income_lines.is_empty()),
            ("footer_rows", TwoSided, !self.footer_rows.is_empty()),
            (
                "expenditure_lines",
                TwoSided,
                !self.expenditure_lines.is_empty(),
            ),
            ("column_sums", TwoSided, !self.column_sums.is_empty()),
            (
                "expenditure_total",
                TwoSided,
                self.expenditure_total.is_some(),
            ),
            ("link_codes", TwoSided, !self.link_codes.is_empty()),
            (
                "link_codes_from",
                TwoSided,
                !self.link_codes_from.is_empty(),
            ),
            ("print_used_only", TwoSided, self.print_used_only),
            ("classification", Grid, self.classification.is_some()),
            ("rates", Grid, !self.rates.is_empty()),
            ("rows_sum_to_total", Grid, self.rows_sum_to_total),
            ("fixed_rows", Grid, !self.fixed_rows.is_empty()),
            ("row_sums", Grid, !self.row_sums.is_empty()),
            ("difference", Grid, self.difference.is_some()),
            ("total_label", Grid, self.total_label.is_some()),
            ("total_first", Grid, self.total_first),
            ("halves", Grid, self.halves.is_some()),
            ("form", Form, self.form.is_some()),
        ]
    }
}

/// The `kind` value a shape is written with.
pub(crate) fn kind_name(kind: TableKind) -> &'static str {
    match kind {
        TableKind::TwoSided => "two_sided",
        TableKind::Grid => "grid",
        TableKind::Form => "form",
    }
}

impl TryFrom<RawTableSpec> for TableSpec {
    type Error = String;

    /// # Errors
    /// A message naming a field of another shape (`kind = "grid"` with
    /// `income_lines`), or a form without its `[form]` section.
    fn try_from(raw: RawTableSpec) -> Result<Self, String> {
        let misplaced: Vec<String> = raw
            .shape_fields()
            .into_iter()
            .filter(|(_, kind, set)| *set && *kind != raw.kind)
            .map(|(field, kind, _)| {
                format!("{field}（只用于 kind = \"{}\" 的表）", kind_name(kind))
            })
            .collect();
        if !misplaced.is_empty() {
            return Err(format!(
                "kind = \"{}\" 的表不能有 {}",
                kind_name(raw.kind),
                misplaced.join("、")
            ));
        }
        let shape = match raw.kind {
            TableKind::TwoSided => Shape::TwoSided(TwoSidedSpec {
                income_lines: raw.income_lines,
                expenditure_lines: raw.expenditure_lines,
                footer_rows: raw.footer_rows,
                column_sums: raw.column_sums,
                expenditure_total: raw.expenditure_total,
                link_codes: raw.link_codes,
                link_codes_from: raw.link_codes_from,
                print_used_only: raw.print_used_only,
            }),
            TableKind::Grid => Shape::Grid(GridSpec {
                classification: raw.classification,
                rows_sum_to_total: raw.rows_sum_to_total,
                fixed_rows: raw.fixed_rows,
                row_sums: raw.row_sums,
                difference: raw.difference,
                rates: raw.rates,
                total_label: raw.total_label,
                total_first: raw.total_first,
                halves: raw.halves,
            }),
            TableKind::Form => Shape::Form(
                raw.form
                    .ok_or_else(|| "kind = \"form\" 的表缺少 [form] 段".to_string())?,
            ),
        };
        Ok(TableSpec {
            id: raw.id,
            number: raw.number,
            title: raw.title,
            printed_title: raw.printed_title,
            sheet_name: raw.sheet_name,
            unit: raw.unit,
            row_key: raw.row_key,
            name_label: raw.name_label,
            colon: raw.colon,
            mark: raw.mark,
            footnotes: raw.footnotes,
            empty_note: raw.empty_note,
            template_rows: raw.template_rows,
            column_numbers: raw.column_numbers,
            columns: raw.columns,
            sums: raw.sums,
            header_aliases: raw.header_aliases,
            shape,
        })
    }
}

impl TableSpec {
    /// The shape's kind, for messages and for matching a model table.
    pub fn kind(&self) -> TableKind {
        match self.shape {
            Shape::TwoSided(_) => TableKind::TwoSided,
            Shape::Grid(_) => TableKind::Grid,
            Shape::Form(_) => TableKind::Form,
        }
    }

    /// The grid declarations, when the table is a grid.
    pub fn grid(&self) -> Option<&GridSpec> {
        match &self.shape {
            Shape::Grid(g) => Some(g),
            _ => None,
        }
    }

    /// The two-sided declarations, when the table is two-sided.
    pub fn two_sided(&self) -> Option<&TwoSidedSpec> {
        match &self.shape {
            Shape::TwoSided(t) => Some(t),
            _ => None,
        }
    }

    /// The form declarations, when the table is a form.
    pub fn form(&self) -> Option<&FormSpec> {
        match &self.shape {
            Shape::Form(f) => Some(f),
            _ => None,
        }
    }

    /// A grid's classification of its row codes; `None` for other shapes.
    pub fn classification(&self) -> Option<Classification> {
        self.grid().and_then(|g| g.classification)
    }

    /// A grid's fixed rows; none for other shapes.
    pub fn fixed_rows(&self) -> &[Line] {
        self.grid().map_or(&[], |g| &g.fixed_rows)
    }

    /// A grid's bottom total label (`合计`); `None` for other shapes.
    pub fn total_label(&self) -> Option<&str> {
        self.grid().and_then(|g| g.total_label.as_deref())
    }

    /// Whether a grid prints two blocks of its columns side by side.
    pub fn halves(&self) -> Option<&Halves> {
        self.grid().and_then(|g| g.halves.as_ref())
    }

    /// Every fixed line of a two-sided table, income lines first; none for
    /// other shapes.
    pub fn fixed_lines(&self) -> impl Iterator<Item = &Line> {
        self.two_sided()
            .into_iter()
            .flat_map(TwoSidedSpec::fixed_lines)
    }

    /// Fixed lines of a two-sided table's income column; none for other shapes.
    pub fn left_lines(&self) -> impl Iterator<Item = &Line> {
        self.two_sided()
            .into_iter()
            .flat_map(TwoSidedSpec::left_lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(extra: &str, kind: &str) -> Result<TableSpec, String> {
        let src = format!(
            "id = \"t1\"\nnumber = 1\ntitle = \"x\"\nname_label = \"部门名称\"\nkind = \"{kind}\"\n{extra}"
        );
        toml::from_str::<TableSpec>(&src).map_err(|e| e.message().to_string())
    }

    #[test]
    fn a_field_of_another_shape_is_refused_by_name() {
        let err = parse("total_label = \"合计\"\nexpenditure_total = \"e\"", "grid").unwrap_err();
        assert_eq!(
            err,
            "kind = \"grid\" 的表不能有 expenditure_total（只用于 kind = \"two_sided\" 的表）"
        );
        let err = parse("classification = \"function\"", "two_sided").unwrap_err();
        assert_eq!(
            err,
            "kind = \"two_sided\" 的表不能有 classification（只用于 kind = \"grid\" 的表）"
        );
    }

    #[test]
    fn a_form_needs_its_form_section() {
        assert_eq!(
            parse("", "form").unwrap_err(),
            "kind = \"form\" 的表缺少 [form] 段"
        );
    }

    #[test]
    fn each_shape_keeps_its_own_fields() {
        let g = parse("total_label = \"合计\"\ntotal_first = true", "grid").unwrap();
        assert_eq!(g.kind(), TableKind::Grid);
        assert_eq!(g.total_label(), Some("合计"));
        assert!(g.grid().unwrap().total_first);
        assert!(g.two_sided().is_none() && g.form().is_none());
        let t = parse("expenditure_total = \"e\"", "two_sided").unwrap();
        assert_eq!(
            t.two_sided().unwrap().expenditure_total.as_deref(),
            Some("e")
        );
        assert_eq!(t.total_label(), None);
    }
}
