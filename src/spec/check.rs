//! A layout's declarations checked against its tables when it is loaded: every
//! table, line, column, row set and condition a rule, headline, roll-up figure
//! or narrative figure names exists, and each rule has what its kind needs.

use super::{SpecError, SpecSet};
use crate::layout::CrossRule;

impl SpecSet {
    /// Every table, line, row set and condition a layout names exists, and
    /// each rule has what its kind needs.
    pub(crate) fn check_layout(&self, path: &str) -> Result<(), SpecError> {
        let bad = |message: String| SpecError::Invalid {
            path: path.to_string(),
            message,
        };
        let mut ids = std::collections::HashSet::new();
        for rule in &self.layout.rules {
            for (id, _) in rule.ids() {
                if !ids.insert(id.clone()) {
                    return Err(bad(format!("规则 {id} 重复")));
                }
            }
            let within = |what: &str| format!("规则 {}：{what}", rule.id());
            if let Some(c) = rule.when() {
                if !self.layout.conditions.contains_key(c) {
                    return Err(bad(within(&format!("条件 {c} 没有在 [conditions] 中声明"))));
                }
            }
            match rule {
                CrossRule::Cells(r) => {
                    if r.pairs.is_empty() {
                        return Err(bad(within("cells 规则应有 pairs")));
                    }
                    for p in &r.pairs {
                        for c in std::iter::once(&p.left).chain(&p.right) {
                            self.check_cell(c).map_err(|m| bad(within(&m)))?;
                        }
                    }
                }
                CrossRule::Rows(r) => {
                    if r.right.is_empty() {
                        return Err(bad(within("rows 规则应有 right")));
                    }
                    for s in std::iter::once(&r.left).chain(&r.right) {
                        let t = self
                            .get(&s.table)
                            .ok_or_else(|| bad(within(&format!("没有表 {}", s.table))))?;
                        for c in s.col.iter().chain(&s.cols) {
                            if !t.columns.iter().any(|x| x.id == *c)
                                && !t
                                    .form()
                                    .iter()
                                    .any(|f| f.amounts.iter().any(|a| a.id == *c))
                            {
                                return Err(bad(within(&format!("表 {} 没有列 {c}", s.table))));
                            }
                        }
                    }
                }
                CrossRule::EmptyIffZero(r) => {
                    self.check_cell(&r.cell).map_err(|m| bad(within(&m)))?;
                    self.get(&r.table)
                        .ok_or_else(|| bad(within(&format!("没有表 {}", r.table))))?;
                }
            }
        }
        for (name, c) in &self.layout.conditions {
            for r in &c.all_zero {
                self.check_cell(r)
                    .map_err(|m| bad(format!("条件 {name}：{m}")))?;
            }
        }
        let st = &self.layout.sentences;
        if !self.layout.headlines.is_empty()
            && [&st.up, &st.down, &st.same, &st.new, &st.gone]
                .iter()
                .any(|p| p.is_empty())
        {
            return Err(bad(
                "有 [[headlines]] 时应在 [sentences] 中给出 up、down、same、new、gone 五种句式"
                    .into(),
            ));
        }
        for h in &self.layout.headlines {
            for c in &h.cells {
                self.check_cell(c)
                    .map_err(|m| bad(format!("总览“{}”：{m}", h.label)))?;
            }
        }
        for f in &self.layout.rollup {
            for c in &f.cells {
                self.check_cell(c)
                    .map_err(|m| bad(format!("汇总“{}”：{m}", f.label)))?;
            }
        }
        let n = &self.layout.narrative;
        n.check().map_err(&bad)?;
        for (id, c) in n.cells() {
            self.check_cell(c)
                .map_err(|m| bad(format!("说明数字 {id}：{m}")))?;
        }
        for s in n.row_sets() {
            let t = self
                .get(&s.table)
                .ok_or_else(|| bad(format!("说明：没有表 {}", s.table)))?;
            if let Some(c) = &s.col {
                if !t.columns.iter().any(|x| x.id == *c) {
                    return Err(bad(format!("说明：表 {} 没有列 {c}", s.table)));
                }
            }
        }
        let sheets: Vec<String> = self
            .layout
            .text_sheets
            .iter()
            .map(|t| t.name.clone())
            .collect();
        let sections: Vec<String> = n.sections.iter().map(|s| s.title.clone()).collect();
        self.layout
            .document
            .check(&sheets, &sections)
            .map_err(&bad)?;
        for y in &self.layout.year_checks {
            self.get(&y.table)
                .ok_or_else(|| bad(format!("跨年度核对 {}：没有表 {}", y.id, y.table)))?;
        }
        Ok(())
    }

    /// A cell reference names an existing table, line and column.
    fn check_cell(&self, c: &crate::layout::CellRef) -> Result<(), String> {
        let t = self
            .get(&c.table)
            .ok_or_else(|| format!("没有表 {}", c.table))?;
        if let Some(l) = &c.line {
            if !t.fixed_lines().any(|x| x.id == *l) {
                return Err(format!("表 {} 没有行 {l}", c.table));
            }
        }
        let has_col = |id: &str| {
            t.columns.iter().any(|x| x.id == id)
                || t.form()
                    .iter()
                    .any(|f| f.amounts.iter().any(|a| a.id == id))
        };
        if let Some(col) = &c.col {
            if !has_col(col) {
                return Err(format!("表 {} 没有列 {col}", c.table));
            }
        } else if c.line.is_none() {
            return Err(format!("表 {} 的单元格应指明列（col）", c.table));
        }
        Ok(())
    }
}
