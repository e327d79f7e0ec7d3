//! User-facing findings: severity, rule id, table, sheet, cell, expected and
//! actual, and a fix hint, all in Chinese.

use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
/// How serious a finding is: an error blocks the output, a warning asks for a look, a notice informs.
pub enum Severity {
    /// 错误: the output is refused until it is fixed.
    Error,
    /// 警告: worth a look (尾数差异, an unusual figure).
    Warning,
    /// 提示: information (a code not in the catalogue).
    Notice,
}

impl Severity {
    /// The word printed for it (`错误`, `警告`, `提示`).
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
            Severity::Notice => "提示",
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// How serious the finding is.
    pub severity: Severity,
    /// Stable rule id (`S-AMOUNT`, `S-TABLE-MISSING`, …).
    pub rule: String,
    /// `表3 支出总表`.
    pub table: Option<String>,
    /// The sheet the finding is on, as the workbook names it.
    pub sheet: Option<String>,
    /// `D12`.
    pub cell: Option<String>,
    /// The page of a published PDF the finding is on (from 1); `sheet` and
    /// `cell` are then of the table as read (its sheet named after the page
    /// it starts on), for an annotated copy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// The row's label as printed (`201 一般公共服务支出`).
    pub row_label: Option<String>,
    /// The column's header path (`2024年政府采购项目/小计`).
    pub column_label: Option<String>,
    /// What is wrong, in Chinese, for the clerk.
    pub message: String,
    /// The value the rule expects there.
    pub expected: Option<String>,
    /// The value found there.
    pub actual: Option<String>,
    /// actual − expected.
    pub difference: Option<String>,
    /// Every cell the rule read (`'表3 支出总表'!D9`), the finding's own first;
    /// each shares its sheet's name (a finding of a long sum reads many).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cells: Vec<crate::source::Loc>,
    /// The cell most likely wrong: the one shared by the most broken rules.
    pub suspect: Option<String>,
    /// How to fix it.
    pub hint: Option<String>,
    /// A finding of the 说明 (the written part), not of the tables: it
    /// blocks only the publication document, never the tables' outputs.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub text: bool,
}

impl Diagnostic {
    /// A finding of a rule, not yet placed.
    pub fn new(severity: Severity, rule: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity,
            rule: rule.into(),
            table: None,
            sheet: None,
            cell: None,
            page: None,
            row_label: None,
            column_label: None,
            message: message.into(),
            expected: None,
            actual: None,
            difference: None,
            cells: Vec::new(),
            suspect: None,
            hint: None,
            text: false,
        }
    }

    /// Marks the finding as one of the 说明.
    pub fn of_text(mut self, text: bool) -> Self {
        self.text = text;
        self
    }

    /// An error of a rule.
    pub fn error(rule: &str, message: impl Into<String>) -> Diagnostic {
        Self::new(Severity::Error, rule, message)
    }

    /// A warning of a rule.
    pub fn warning(rule: &str, message: impl Into<String>) -> Diagnostic {
        Self::new(Severity::Warning, rule, message)
    }

    /// A notice of a rule.
    pub fn notice(rule: &str, message: impl Into<String>) -> Diagnostic {
        Self::new(Severity::Notice, rule, message)
    }

    /// Names the table the finding is about.
    pub fn table(mut self, t: impl Into<String>) -> Self {
        self.table = Some(t.into());
        self
    }

    /// Places the finding at a cell (0-based row and column).
    pub fn at(mut self, sheet: &str, row: u32, col: u32) -> Self {
        self.sheet = Some(sheet.to_string());
        self.cell = Some(crate::text::cell_address(row, col));
        self
    }

    /// Places the finding on a sheet, without a cell.
    pub fn in_sheet(mut self, sheet: &str) -> Self {
        self.sheet = Some(sheet.to_string());
        self
    }

    /// Sets the expected value.
    pub fn expected(mut self, e: impl Into<String>) -> Self {
        self.expected = Some(e.into());
        self
    }

    /// Sets the value found.
    pub fn actual(mut self, a: impl Into<String>) -> Self {
        self.actual = Some(a.into());
        self
    }

    /// Names the row and column as the table prints them.
    pub fn labels(mut self, row: impl Into<String>, column: impl Into<String>) -> Self {
        let (r, c) = (row.into(), column.into());
        self.row_label = (!r.is_empty()).then_some(r);
        self.column_label = (!c.is_empty()).then_some(c);
        self
    }

    /// Sets the difference between the expected and the found value.
    pub fn difference(mut self, d: impl Into<String>) -> Self {
        self.difference = Some(d.into());
        self
    }

    /// Sets how to fix it.
    pub fn hint(mut self, h: impl Into<String>) -> Self {
        self.hint = Some(h.into());
        self
    }

    /// `'表3 支出总表'!D12`, or the sheet alone; `第12页` in a PDF.
    pub fn location(&self) -> Option<String> {
        if let Some(p) = self.page {
            return Some(format!("第{p}页"));
        }
        match (&self.sheet, &self.cell) {
            (Some(s), Some(c)) => Some(format!("'{s}'!{c}")),
            (Some(s), None) => Some(format!("'{s}'")),
            _ => None,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}]", self.severity.label(), self.rule)?;
        if let Some(t) = &self.table {
            write!(f, " {t}")?;
        }
        if let Some(l) = self.location() {
            write!(f, " {l}")?;
        }
        match (&self.row_label, &self.column_label) {
            (Some(r), Some(c)) => write!(f, " [{r} | {c}]")?,
            (Some(r), None) => write!(f, " [{r}]")?,
            (None, Some(c)) => write!(f, " [{c}]")?,
            (None, None) => {}
        }
        write!(f, "：{}", self.message)?;
        if let Some(e) = &self.expected {
            write!(f, "；应为：{e}")?;
        }
        if let Some(a) = &self.actual {
            write!(f, "；实际：{a}")?;
        }
        if let Some(d) = &self.difference {
            write!(f, "；差额：{d}")?;
        }
        if let Some(s) = &self.suspect {
            write!(f, "；最可能出错的单元格：{s}")?;
        }
        if let Some(h) = &self.hint {
            write!(f, "。修改建议：{h}")?;
        }
        Ok(())
    }
}

impl Diagnostic {
    /// The table number from `表3 支出总表` (0 for workbook-wide findings).
    pub fn table_number(&self) -> u32 {
        self.table
            .as_deref()
            .and_then(|t| t.strip_prefix('表'))
            .map(|t| {
                t.chars()
                    .take_while(char::is_ascii_digit)
                    .collect::<String>()
            })
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }
}

/// Orders findings by table, then errors before warnings before notices
/// (stable). Tables go by their number where their name has one (`表3 …`),
/// the others (`部门收支总表`) after them in the order they first appear.
pub fn sort(d: &mut Vec<Diagnostic>) {
    let order = sorted_indices(d.iter());
    let mut slots: Vec<Option<Diagnostic>> = std::mem::take(d).into_iter().map(Some).collect();
    d.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

/// [`sort`], then errors first, warnings next, notices last (the printed
/// 检查结果: what must be fixed comes first).
pub fn sort_by_severity(d: &mut Vec<Diagnostic>) {
    sort(d);
    d.sort_by_key(|x| x.severity);
}

/// The findings in the order of [`sort`], without moving them.
pub fn in_table_order(d: &[Diagnostic]) -> Vec<&Diagnostic> {
    sorted_indices(d.iter())
        .into_iter()
        .map(|i| &d[i])
        .collect()
}

/// The indices of `d` in the order of [`sort`]; each table's rank is
/// computed once, not per comparison.
fn sorted_indices<'a>(d: impl Iterator<Item = &'a Diagnostic>) -> Vec<usize> {
    let mut seen: foldhash::HashMap<Option<&str>, u64> = foldhash::HashMap::default();
    let mut keyed: Vec<(u64, Severity, usize)> = d
        .enumerate()
        .map(|(i, x)| {
            let next = seen.len() as u64;
            let rank = *seen
                .entry(x.table.as_deref())
                .or_insert_with(|| match x.table_number() {
                    0 if x.table.is_none() => 0,
                    0 => 1_000_000 + next,
                    n => u64::from(n),
                });
            (rank, x.severity, i)
        })
        .collect();
    keyed.sort_by_key(|&(rank, severity, _)| (rank, severity));
    keyed.into_iter().map(|(_, _, i)| i).collect()
}

/// True when any finding is an error.
pub fn has_errors(d: &[Diagnostic]) -> bool {
    d.iter().any(|x| x.severity == Severity::Error)
}

/// True when any finding of the tables (not of the 说明) is an error: what
/// stops the tables' outputs.
pub fn has_table_errors(d: &[Diagnostic]) -> bool {
    d.iter().any(|x| x.severity == Severity::Error && !x.text)
}

/// Errors, warnings and notices of a list of findings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// 错误.
    pub errors: usize,
    /// 警告.
    pub warnings: usize,
    /// 提示.
    pub notices: usize,
}

impl Counts {
    /// The counts of the findings `keep` lets through.
    pub fn of(d: &[Diagnostic], keep: impl Fn(&Diagnostic) -> bool) -> Counts {
        let mut c = Counts::default();
        for x in d.iter().filter(|x| keep(x)) {
            match x.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Notice => c.notices += 1,
            }
        }
        c
    }

    /// `1 个错误，2 个警告，0 个提示`.
    pub fn label(&self) -> String {
        format!(
            "{} 个错误，{} 个警告，{} 个提示",
            self.errors, self.warnings, self.notices
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_points_at_the_cell() {
        let d = Diagnostic::error("S-AMOUNT", "金额不是数字")
            .table("表3 支出总表")
            .at("表3 支出总表", 11, 3)
            .actual("约100")
            .hint("请填写数字");
        assert_eq!(
            d.to_string(),
            "错误 [S-AMOUNT] 表3 支出总表 '表3 支出总表'!D12：金额不是数字；实际：约100。修改建议：请填写数字"
        );
    }
}
