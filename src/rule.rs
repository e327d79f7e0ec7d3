//! One declaration per rule: its id, severity, the tables it applies to and
//! what it checks. The stage that raises a rule's findings declares it next
//! to the code (`read::rules`, `validate::rules`, `narrate::rules`) and raises
//! them through it; the catalogue (`budget-tables rules`, docs/rules.md) is a
//! loop over the same declarations ([`crate::registry`]). A rule a layout
//! declares in its files (a `[[sums]]` or `[[rules]]` entry) carries its id
//! and description there.

use crate::diag::{Diagnostic, Severity};
use crate::spec::{SpecSet, TableSpec};

/// One rule of the code.
#[derive(Debug)]
pub struct Rule {
    /// `S-HEADER`; a rule of each table holds `{n}` for the table's number
    /// (`T{n}-HIER-01`).
    pub id: &'static str,
    /// How serious its findings are.
    pub severity: Severity,
    /// A sum: an error beyond the rounding envelope, a 尾数差异 warning within.
    pub sum: bool,
    /// Which tables it concerns, for the catalogue.
    pub scope: Scope,
    /// What it checks (the catalogue's words; a [`Scope::Table`] or
    /// [`Scope::Layout`] rule may describe itself from the layout instead).
    pub description: &'static str,
}

/// Which tables of a layout a rule concerns.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// Every table (`全部`).
    All,
    /// The tables whose spec passes (listed `表3、表7`); no entry when none does.
    Tables(fn(&SpecSet, &TableSpec) -> bool),
    /// One entry per table (`T{n}-…`), described from the spec; none where the
    /// function gives none.
    Table(fn(&SpecSet, &TableSpec) -> Option<String>),
    /// One entry for the layout, (tables, description) made from it (an
    /// empty description: the rule's own); none where the function gives none.
    Layout(fn(&SpecSet) -> Option<(String, String)>),
    /// The written part (说明).
    Text,
}

impl Rule {
    /// A finding of this rule, at its declared severity.
    pub fn finding(&self, message: impl Into<String>) -> Diagnostic {
        self.finding_as(self.severity, message)
    }

    /// A finding of this rule at `severity` (a sum within the rounding
    /// envelope is a warning).
    pub fn finding_as(&self, severity: Severity, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(severity, self.id, message).of_text(self.of_text())
    }

    /// Whether its findings are of the 说明 rather than the tables.
    pub fn of_text(&self) -> bool {
        matches!(self.scope, Scope::Text)
    }

    /// The id of this rule for table `n` (`T{n}-HIER-01` → `T3-HIER-01`).
    pub fn id_for(&self, n: u32) -> String {
        self.id.replace("{n}", &n.to_string())
    }

    /// A finding of this rule for table `n`, at `severity`.
    pub fn finding_for(
        &self,
        n: u32,
        severity: Severity,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::new(severity, &self.id_for(n), message).of_text(self.of_text())
    }

    /// The catalogue's word for its severity.
    pub fn severity_label(&self) -> &'static str {
        if self.sum {
            "错误（差额在尾数范围内为警告）"
        } else {
            self.severity.label()
        }
    }
}

/// The tables (`表3、表7`) whose spec satisfies `pick`, or `None` when none does.
pub fn tables_where(specs: &SpecSet, pick: impl Fn(&TableSpec) -> bool) -> Option<String> {
    let list: Vec<String> = specs
        .tables
        .iter()
        .filter(|s| pick(s))
        .map(|s| format!("表{}", s.number))
        .collect();
    (!list.is_empty()).then(|| list.join("、"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_rule_takes_the_tables_number() {
        const R: Rule = Rule {
            id: "T{n}-HIER-01",
            severity: Severity::Error,
            sum: true,
            scope: Scope::All,
            description: "",
        };
        assert_eq!(R.id_for(3), "T3-HIER-01");
        let d = R.finding_for(7, Severity::Warning, "m");
        assert_eq!(
            (d.rule.as_str(), d.severity),
            ("T7-HIER-01", Severity::Warning)
        );
        assert_eq!(R.severity_label(), "错误（差额在尾数范围内为警告）");
    }
}
