//! A layout's declarations checked against its tables when it is loaded: every
//! table, line, column, row set and condition a rule, headline, roll-up figure
//! or narrative figure names exists, and each rule has what its kind needs.

use super::SpecSet;
use crate::layout::CrossRule;

impl SpecSet {
    /// Every problem of the layout file's declarations against its tables:
    /// every table, line, row set and condition it names exists, and each
    /// rule has what its kind needs; all at once (`layouts --check` prints
    /// them together).
    pub(crate) fn layout_problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.rule_problems(&mut out);
        for (name, c) in &self.layout.conditions {
            for r in &c.all_zero {
                self.note_cell(&mut out, r, &format!("条件 {name}："));
            }
        }
        let st = &self.layout.sentences;
        if !self.layout.headlines.is_empty()
            && [&st.up, &st.down, &st.same, &st.new, &st.gone]
                .iter()
                .any(|p| p.is_empty())
        {
            out.push(
                "有 [[headlines]] 时应在 [sentences] 中给出 up、down、same、new、gone 五种句式"
                    .into(),
            );
        }
        for h in &self.layout.headlines {
            for c in &h.cells {
                self.note_cell(&mut out, c, &format!("总览“{}”：", h.label));
            }
        }
        for f in &self.layout.rollup {
            for c in &f.cells {
                self.note_cell(&mut out, c, &format!("汇总“{}”：", f.label));
            }
        }
        let n = &self.layout.narrative;
        if let Err(m) = n.check() {
            out.push(m);
        }
        for (id, c) in n.cells() {
            self.note_cell(&mut out, c, &format!("说明数字 {id}："));
        }
        for s in n.row_sets() {
            match self.get(&s.table) {
                None => out.push(format!("说明：没有表 {}", s.table)),
                Some(t) => {
                    if let Some(c) = s
                        .col
                        .as_ref()
                        .filter(|c| !t.columns.iter().any(|x| x.id == **c))
                    {
                        out.push(format!("说明：表 {} 没有列 {c}", s.table));
                    }
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
        if let Err(m) = self.layout.document.check(&sheets, &sections) {
            out.push(m);
        }
        for y in &self.layout.year_checks {
            if self.get(&y.table).is_none() {
                out.push(format!("跨年度核对 {}：没有表 {}", y.id, y.table));
            }
        }
        out
    }

    fn rule_problems(&self, out: &mut Vec<String>) {
        let mut ids = std::collections::HashSet::new();
        for rule in &self.layout.rules {
            for (id, _) in rule.ids() {
                if !ids.insert(id.clone()) {
                    out.push(format!("规则 {id} 重复"));
                }
            }
            let within = format!("规则 {}：", rule.id());
            if let Some(c) = rule.when() {
                if !self.layout.conditions.contains_key(c) {
                    out.push(format!("{within}条件 {c} 没有在 [conditions] 中声明"));
                }
            }
            match rule {
                CrossRule::Cells(r) => {
                    if r.pairs.is_empty() {
                        out.push(format!("{within}cells 规则应有 pairs"));
                    }
                    for p in &r.pairs {
                        for c in std::iter::once(&p.left).chain(&p.right) {
                            self.note_cell(out, c, &within);
                        }
                    }
                }
                CrossRule::Rows(r) => {
                    if r.right.is_empty() {
                        out.push(format!("{within}rows 规则应有 right"));
                    }
                    for s in std::iter::once(&r.left).chain(&r.right) {
                        let Some(t) = self.get(&s.table) else {
                            out.push(format!("{within}没有表 {}", s.table));
                            continue;
                        };
                        for c in s.col.iter().chain(&s.cols) {
                            if !has_column(t, c) {
                                out.push(format!("{within}表 {} 没有列 {c}", s.table));
                            }
                        }
                    }
                }
                CrossRule::EmptyIffZero(r) => {
                    self.note_cell(out, &r.cell, &within);
                    if self.get(&r.table).is_none() {
                        out.push(format!("{within}没有表 {}", r.table));
                    }
                }
            }
        }
    }

    fn note_cell(&self, out: &mut Vec<String>, c: &crate::layout::CellRef, within: &str) {
        if let Err(m) = self.check_cell(c) {
            out.push(format!("{within}{m}"));
        }
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
        if let Some(col) = &c.col {
            if !has_column(t, col) {
                return Err(format!("表 {} 没有列 {col}", c.table));
            }
        } else if c.line.is_none() {
            return Err(format!("表 {} 的单元格应指明列（col）", c.table));
        }
        Ok(())
    }
}

/// Whether table `t` has the column `id` (a grid's or a form's amount).
fn has_column(t: &super::TableSpec, id: &str) -> bool {
    t.columns.iter().any(|x| x.id == id)
        || t.form()
            .iter()
            .any(|f| f.amounts.iter().any(|a| a.id == id))
}
