//! The headline figures and their official-style sentences:
//! “2024年…部门预算收入44,972.11万元,较2023年年初预算减少24,701.58万元,下降35.5%。”

use crate::change::sentence;
use crate::layout::CellRef;
use crate::model::query::{self, sum_of};
use crate::model::Budget;
use crate::spec::SpecSet;

use super::{Change, Headline};

/// The headline figures of 总览, as the layout declares them, in its order.
pub fn headlines(prior: &Budget, current: &Budget, specs: &SpecSet) -> Vec<Headline> {
    let d = &current.department;
    let mut out = Vec::new();
    for h in &specs.layout.headlines {
        let mut push = |label: String, subject: String, cells: &[CellRef]| {
            let change = Change::with_rate_decimals(
                sum_of(cells, prior, specs),
                sum_of(cells, current, specs),
                specs.layout.sentences.rate_decimals,
            );
            let sentence = sentence(
                &specs.layout.sentences,
                &subject,
                (current.year, prior.year),
                &change,
                h.decimals,
            );
            out.push(Headline {
                label,
                change,
                sentence,
                total: h.total,
            });
        };
        match &h.each_row {
            None => push(
                h.label.clone(),
                h.subject.replace("{department}", d),
                &h.cells,
            ),
            Some(set) => {
                // Each row of either year, this year's order first.
                let mut rows: Vec<(String, String)> = Vec::new();
                let mut seen = std::collections::HashSet::new();
                for b in [current, prior] {
                    for r in query::rows_of(set, b, specs) {
                        if r.at == query::At::Grid && !r.key.is_empty() && seen.insert(r.key) {
                            rows.push((r.key.to_string(), r.name.to_string()));
                        }
                    }
                }
                for (key, name) in rows {
                    let cell = CellRef::at(&set.table, None, Some(&key), set.col.as_deref());
                    let fill = |t: &str| t.replace("{name}", &name).replace("{department}", d);
                    push(
                        fill(&h.label),
                        fill(&h.subject),
                        std::slice::from_ref(&cell),
                    );
                }
            }
        }
    }
    out
}
