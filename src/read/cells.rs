//! Reading one cell as an amount, a code or a label, with findings that name the cell.

use rust_decimal::Decimal;

use super::sheet::{Cell, Sheet};
use crate::amount::{self, Amount};
use crate::diag::Diagnostic;
use crate::source::SourceMap;
use crate::spec::Unit;

/// Where the reader is: the sheet, the table, the declared unit, the findings so far.
pub(crate) struct Ctx<'a> {
    pub sheet: &'a Sheet,
    pub table: String,
    /// The unit the table declares on its meta line, when it differs from
    /// the spec's: every amount is converted from it.
    pub from: Option<(Unit, Unit)>,
    pub diags: &'a mut Vec<Diagnostic>,
    pub sources: &'a mut SourceMap,
    /// The spec id, the first part of every source key.
    pub id: String,
}

const TEN_THOUSAND: Decimal = Decimal::from_parts(10000, 0, 0, false, 0);

impl<'a> Ctx<'a> {
    /// `declared` is the unit the sheet's meta line names, `unit` the spec's.
    pub fn new(
        sheet: &'a Sheet,
        (id, table): (&str, &str),
        (declared, unit): (Option<Unit>, Unit),
        diags: &'a mut Vec<Diagnostic>,
        sources: &'a mut SourceMap,
    ) -> Ctx<'a> {
        let from = declared.filter(|d| *d != unit).map(|d| (d, unit));
        if let Some((d, u)) = from {
            let (d, u) = (d.label(), u.label());
            diags.push(
                crate::read::rules::UNIT_YUAN
                    .finding(format!(
                        "{table}以“{d}”为单位，已换算为{u}（四舍五入到两位小数）"
                    ))
                    .table(table)
                    .in_sheet(&sheet.name)
                    .expected(format!("单位:{u}"))
                    .actual(format!("单位:{d}"))
                    .hint(format!("本表公开时以{u}为单位，请核对换算后的金额")),
            );
        }
        Ctx {
            sheet,
            table: table.to_string(),
            from,
            diags,
            sources,
            id: id.to_string(),
        }
    }

    /// Records where a figure of the model was read.
    pub fn record(&mut self, key: crate::source::CellKey, row: u32, col: u32) {
        self.sources.insert(key, &self.sheet.name, row, col);
    }

    fn push(&mut self, d: Diagnostic, row: u32, col: u32) {
        let d = d.table(self.table.clone()).at(&self.sheet.name, row, col);
        self.diags.push(d);
    }

    pub fn error(
        &mut self,
        rule: &crate::rule::Rule,
        message: String,
        row: u32,
        col: u32,
        hint: &str,
    ) {
        self.push(rule.finding(message).hint(hint), row, col);
    }

    /// Text of a label cell, as typed (line breaks removed).
    pub fn label(&self, row: u32, col: Option<&u32>) -> String {
        col.map(|&c| super::header::clean_label(&self.sheet.get(row, c).text()))
            .unwrap_or_default()
    }

    /// A 科目编码 cell as text (`201`, not `201.0`); `None` when blank. Not
    /// checked here: a total row may print its label across the code cells.
    pub fn code(&mut self, row: u32, col: Option<&u32>) -> Option<String> {
        let &c = col?;
        let code = crate::text::norm(&self.sheet.get(row, c).text());
        (!code.is_empty()).then_some(code)
    }

    /// A code printed in parts (类 | 款 | 项): the parts joined, each after the
    /// first two digits (`2` typed for `02`); `None` when all are blank.
    pub fn code_parts(&mut self, row: u32, cols: &[u32]) -> Option<String> {
        let mut code = String::new();
        for (i, &c) in cols.iter().enumerate() {
            let part = crate::text::norm(&self.sheet.get(row, c).text());
            if part.is_empty() {
                continue;
            }
            if i > 0 && part.len() == 1 && part.bytes().all(|b| b.is_ascii_digit()) {
                code.push('0');
                // A number cell loses its leading zero by nature; printed
                // text that lacks it is what readers of the table see.
                if matches!(self.sheet.get(row, c), Cell::Text(_)) {
                    self.push(
                        crate::read::rules::CODE_PAD
                            .finding(format!(
                                "科目编码的这一部分印为“{part}”，已按两位读作“0{part}”"
                            ))
                            .actual(part.clone())
                            .expected(format!("0{part}"))
                            .hint("款、项编码各为两位，请印成两位（如 02）"),
                        row,
                        c,
                    );
                }
            }
            code.push_str(&part);
        }
        (!code.is_empty()).then_some(code)
    }

    /// Reports a code with other characters than digits at its cell.
    pub fn bad_code(&mut self, row: u32, col: u32, code: &str) {
        self.push(
            crate::read::rules::CODE
                .finding("科目编码应只含数字")
                .actual(code)
                .hint("请填写政府收支分类科目编码（只含数字：类 3 位，款、项各加 2 位）"),
            row,
            col,
        );
    }

    /// An amount in 万元; `None` for a blank cell (and for an unreadable one, reported).
    pub fn amount(&mut self, row: u32, col: u32) -> Option<Amount> {
        let cell = self.sheet.get(row, col).clone();
        let d = match &cell {
            Cell::Empty => return None,
            Cell::Number(f) => amount::from_f64(*f),
            Cell::Int(i) => Ok(Decimal::from(*i)),
            Cell::Text(s) => match amount::parse_text(s) {
                Ok(None) => return None,
                Ok(Some(d)) => Ok(d),
                Err(e) => Err(e),
            },
            Cell::Bool(_) | Cell::Date(_) => {
                let what = if matches!(cell, Cell::Bool(_)) {
                    "逻辑值"
                } else {
                    "日期"
                };
                self.push(
                    crate::read::rules::AMOUNT
                        .finding(format!("金额单元格是{what}，不是数字"))
                        .actual(cell.text())
                        .hint("请把单元格格式设为“数值”，重新填写金额"),
                    row,
                    col,
                );
                return None;
            }
            Cell::Error(e) => {
                self.push(
                    crate::read::rules::AMOUNT
                        .finding(format!("金额单元格是错误值 {e}"))
                        .actual(e.clone())
                        .hint("请修正公式或直接填写金额"),
                    row,
                    col,
                );
                return None;
            }
            Cell::FormulaNoValue(f) => {
                self.push(
                    crate::read::rules::FORMULA
                        .finding("公式没有计算结果（文件未保存计算值）")
                        .actual(format!("={f}"))
                        .hint("请在 Excel 或 WPS 中打开后保存一次，或直接填写金额"),
                    row,
                    col,
                );
                return None;
            }
        };
        let d = match d {
            Ok(d) => d,
            Err(e) => {
                self.push(
                    crate::read::rules::AMOUNT
                        .finding(format!("金额{e}"))
                        .actual(cell.text())
                        .hint("请只填写数字（可带千分位逗号），不要填写文字、单位或符号"),
                    row,
                    col,
                );
                return None;
            }
        };
        if !Amount::within_limit(d) {
            self.push(
                crate::read::rules::AMOUNT
                    .finding(format!(
                        "金额{}",
                        amount::ParseAmountError::TooLarge(cell.text())
                    ))
                    .actual(cell.text())
                    .hint("请核对金额和单位；预算金额不会达到这个数量级"),
                row,
                col,
            );
            return None;
        }
        // Binary noise from a float cache (0.30000000000000004) is not a third
        // decimal; typed text has none, so any third decimal there counts.
        let noise = match cell {
            Cell::Number(_) => Decimal::new(1, 9),
            _ => Decimal::ZERO,
        };
        if (Amount::round(d).value() - d).abs() > noise {
            self.push(
                crate::read::rules::ROUND
                    .finding("金额超过两位小数，已四舍五入到分")
                    .expected(Amount::round(d).to_string())
                    .actual(d.to_string())
                    .hint("公开金额保留两位小数，请核对该数"),
                row,
                col,
            );
        }
        let d = match self.from {
            Some((Unit::Yuan, Unit::Wan)) => d / TEN_THOUSAND,
            Some((Unit::Wan, Unit::Yuan)) => d.saturating_mul(TEN_THOUSAND),
            _ => d,
        };
        Some(Amount::round(d))
    }

    /// A rate in percent (`12.5`, `12.5%`; `-` or `—` where there is none),
    /// never converted between units.
    pub fn rate(&mut self, row: u32, col: u32) -> Option<Amount> {
        let cell = self.sheet.get(row, col).clone();
        let parsed = match &cell {
            Cell::Empty => return None,
            Cell::Number(f) => amount::from_f64(*f).map(Some),
            Cell::Int(i) => Ok(Some(Decimal::from(*i))),
            Cell::Text(s) if matches!(s.trim(), "-" | "—" | "－" | "/") => return None,
            Cell::Text(s) => amount::parse_text(s.trim().trim_end_matches(['%', '％'])),
            _ => Err(amount::ParseAmountError::NotANumber(cell.text())),
        };
        match parsed {
            Ok(d) => d.map(Amount::round),
            Err(e) => {
                self.push(
                    crate::read::rules::AMOUNT
                        .finding(format!("百分比{e}"))
                        .actual(cell.text())
                        .hint("请填写百分数的数值（12.5 或 12.5%），没有时空着"),
                    row,
                    col,
                );
                None
            }
        }
    }

    /// The figures of one row: amounts, and rates at the sheet columns `rates`.
    pub fn figures(
        &mut self,
        row: u32,
        cols: &[(std::sync::Arc<str>, u32)],
        rates: &[u32],
    ) -> crate::model::Amounts {
        let read: Vec<(std::sync::Arc<str>, Option<Amount>)> = cols
            .iter()
            .map(|(id, c)| {
                let v = if rates.contains(c) {
                    self.rate(row, *c)
                } else {
                    self.amount(row, *c)
                };
                (id.clone(), v)
            })
            .collect();
        crate::model::Amounts::of_distinct_columns(read)
    }

    /// Amounts of the given columns (shared id, sheet column) on one row.
    pub fn amounts(
        &mut self,
        row: u32,
        cols: &[(std::sync::Arc<str>, u32)],
    ) -> crate::model::Amounts {
        crate::model::Amounts::of_distinct_columns(
            cols.iter()
                .map(|(id, c)| (id.clone(), self.amount(row, *c))),
        )
    }
}
