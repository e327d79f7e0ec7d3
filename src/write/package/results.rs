//! The 检查结果 sheet: one row per finding, printed with its header repeated.

use super::*;

/// Columns of the 检查结果 sheet: heading and width in characters. The
/// first [`PRINTED`] are what a reader needs on paper (where, what is wrong,
/// how to fix) and make the print area; the rest stay on screen.
pub(super) const COLUMNS: [(&str, f64); 13] = [
    ("序号", 5.0),
    ("级别", 5.0),
    ("表", 20.0),
    ("单元格", 9.0),
    ("问题", 56.0),
    ("修改建议", 36.0),
    ("最可能出错的单元格", 24.0),
    ("应为", 16.0),
    ("实际", 16.0),
    ("差额", 12.0),
    ("行", 24.0),
    ("列", 18.0),
    ("规则", 13.0),
];

/// How many of [`COLUMNS`] are printed.
pub(super) const PRINTED: usize = 6;

pub(super) fn results_sheet(findings: &[Diagnostic], st: &ResultStyles) -> String {
    let mut sorted = findings.to_vec();
    crate::diag::sort_by_severity(&mut sorted);
    let mut rows = String::new();
    let mut links = String::new();
    let head: Vec<String> = COLUMNS.iter().map(|(h, _)| (*h).to_string()).collect();
    rows.push_str(&row_xml(0, &head, &[st.head; 13], 20.0));
    for (i, d) in sorted.iter().enumerate() {
        let r = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let sev = match d.severity {
            Severity::Error => st.severity[0],
            Severity::Warning => st.severity[1],
            Severity::Notice => st.severity[2],
        };
        let own = d.location();
        let values = [
            (i + 1).to_string(),
            d.severity.label().to_string(),
            d.table.clone().unwrap_or_default(),
            d.cell.clone().unwrap_or_default(),
            d.message.clone(),
            d.hint.clone().unwrap_or_default(),
            d.suspect.clone().unwrap_or_default(),
            d.expected.clone().unwrap_or_default(),
            d.actual.clone().unwrap_or_default(),
            d.difference.clone().unwrap_or_default(),
            d.row_label.clone().unwrap_or_default(),
            d.column_label.clone().unwrap_or_default(),
            d.rule.clone(),
        ];
        let mut styles = [st.body; 13];
        styles[1] = sev;
        for (col, target) in [(3usize, own.as_deref()), (6, d.suspect.as_deref())] {
            if let Some(t) = target.filter(|_| !values[col].is_empty()) {
                styles[col] = st.link;
                links.push_str(&format!(
                    r#"<hyperlink ref="{}" location="{}" display="{}"/>"#,
                    cell_address(r, u32::try_from(col).unwrap_or(0)),
                    esc(t),
                    esc(&values[col])
                ));
            }
        }
        rows.push_str(&row_xml(r, &values, &styles, row_height(&values)));
    }
    if sorted.is_empty() {
        rows.push_str(&row_xml(1, &["未发现问题".to_string()], &[st.body], 15.0));
    }
    let cols: String = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, (_, w))| {
            format!(
                r#"<col min="{0}" max="{0}" width="{w}" customWidth="1"/>"#,
                i + 1
            )
        })
        .collect();
    let hyperlinks = if links.is_empty() {
        String::new()
    } else {
        format!("<hyperlinks>{links}</hyperlinks>")
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{REL_NS}"><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>{rows}</sheetData>{hyperlinks}<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.6" header="0.3" footer="0.3"/><pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/><headerFooter><oddFooter>&amp;C检查结果 第 &amp;P 页，共 &amp;N 页</oddFooter></headerFooter></worksheet>"#
    )
}

/// A row tall enough for its wrapped texts (LibreOffice and Excel do not grow
/// a row written with a height, and do not grow one on opening).
pub(super) fn row_height(values: &[String]) -> f64 {
    let lines = values
        .iter()
        .zip(COLUMNS)
        .map(|(v, (_, w))| {
            // A column of width w holds about w narrow or w/2 wide characters.
            // Two characters of slack: a wrapped line rarely fills its width.
            let per_line = (w - 2.0).max(1.0);
            v.split('\n')
                .map(|part| {
                    let width = display_width(part) as f64;
                    (width / per_line).ceil().max(1.0)
                })
                .sum::<f64>()
        })
        .fold(1.0, f64::max);
    (lines * 15.0 + 3.0).min(409.0)
}

pub(super) fn row_xml(r: u32, values: &[String], styles: &[u32], height: f64) -> String {
    let mut s = format!(r#"<row r="{}" ht="{height}" customHeight="1">"#, r + 1);
    for (c, (v, st)) in values.iter().zip(styles).enumerate() {
        let at = cell_address(r, u32::try_from(c).unwrap_or(0));
        if v.is_empty() {
            s.push_str(&format!(r#"<c r="{at}" s="{st}"/>"#));
        } else {
            s.push_str(&format!(
                r#"<c r="{at}" s="{st}" t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>"#,
                esc(v)
            ));
        }
    }
    s.push_str("</row>");
    s
}

/// Text as XML character data: escaped, without the control characters XML
/// cannot hold.
pub(super) fn esc(s: &str) -> String {
    let clean: String = s
        .chars()
        .filter(|&c| c >= ' ' || matches!(c, '\t' | '\n' | '\r'))
        .collect();
    quick_xml::escape::escape(clean.as_str()).into_owned()
}
