//! The dictionary of a layout's 说明: the items a text may state (figures,
//! named rows, counts), every name that points at one, and where names occur in a sentence.

use super::*;

/// An item a text can name, with its figure in either year.
#[derive(Debug, Clone)]
pub(super) struct Item {
    /// As shown in a finding (`部门预算收入`, `表5“政务综合管理”`).
    pub(super) label: String,
    /// Its name as a text writes it (normalized), and a row's code.
    pub(super) name: String,
    pub(super) code: Option<String>,
    pub(super) candidates: Vec<Candidate>,
    /// A count (`6个项目`): the number of rows.
    pub(super) count: Option<usize>,
}

#[derive(Debug, Clone)]
pub(super) struct Candidate {
    pub(super) current: Option<Amount>,
    pub(super) prior: Option<Amount>,
    pub(super) cell: String,
}

/// A name found in a sentence.
#[derive(Debug, Clone, Copy)]
pub(super) struct Mention {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) item: usize,
}

pub(super) struct Dictionary {
    pub(super) items: Vec<Item>,
    /// (normalized name, item, strict), longest names first; a strict name
    /// (a table's row name) counts only where it starts a word.
    pub(super) names: Vec<(String, usize, bool)>,
    /// (normalized words after a count, item).
    pub(super) counts: Vec<(String, usize)>,
    /// The item of each named figure, by id.
    pub(super) by_figure: std::collections::HashMap<String, usize>,
    /// The 科目 names of the layout's `names` tables (normalized), for near misses.
    pub(super) subjects: Vec<String>,
    /// Every name a row of the tables or the catalogue has (normalized).
    pub(super) known: std::collections::HashSet<String>,
}

/// Whether a text speaking of `b` speaks of `a`: the same cell, a 科目 below
/// it (a 类 is explained by its 款), or the same name but for its last words
/// (`因公出国(境)费` and `因公出国(境)费用` in two tables).
pub(super) fn related(a: &Item, b: &Item) -> bool {
    let cell = a
        .candidates
        .iter()
        .any(|x| b.candidates.iter().any(|y| x.cell == y.cell));
    let codes = match (&a.code, &b.code) {
        (Some(above), Some(below)) => below.starts_with(above.as_str()),
        _ => false,
    };
    let common = a
        .name
        .chars()
        .zip(b.name.chars())
        .take_while(|(x, y)| x == y)
        .count();
    let shorter = a.name.chars().count().min(b.name.chars().count());
    cell || codes || (common >= 4 && common + 1 >= shorter)
}

/// `上年`, `去年` and the prior year (`2023年`).
pub(super) fn other_years(a: &Against) -> Vec<String> {
    vec![
        format!("{}年", a.current.year - 1),
        "上年".into(),
        "去年".into(),
    ]
}

/// The items of the layout and the names that point at them.
pub(super) fn dictionary(a: &Against) -> Dictionary {
    let n = &a.specs.layout.narrative;
    let mut items: Vec<Item> = Vec::new();
    let mut names: Vec<(String, usize, bool)> = Vec::new();
    let mut by_name: std::collections::HashMap<String, usize> = Default::default();
    let mut by_figure: std::collections::HashMap<String, usize> = Default::default();
    let department = &a.current.department;
    let mut counts = Vec::new();
    for f in &n.figures {
        if f.cells.is_empty() {
            continue;
        }
        let cell = f
            .cells
            .iter()
            .map(|c| describe(c, a.current, a.specs, a.sources))
            .collect::<Vec<_>>()
            .join(" + ");
        let label = f
            .names
            .first()
            .map_or(f.id.clone(), |x| x.replace("{department}", department));
        items.push(Item {
            name: normalize(&label),
            code: None,
            label,
            candidates: vec![Candidate {
                current: sum_of(&f.cells, a.current, a.specs),
                prior: a.prior.and_then(|p| sum_of(&f.cells, p, a.specs)),
                cell,
            }],
            count: None,
        });
        let id = items.len() - 1;
        by_figure.insert(f.id.clone(), id);
        for name in &f.names {
            names.push((
                normalize(&name.replace("{department}", department)),
                id,
                false,
            ));
        }
    }
    let mut add_row =
        |row: &NamedRow, name: String, prior: Option<Amount>, items: &mut Vec<Item>| {
            let key = normalize(&name);
            if key.chars().count() < 2 {
                return;
            }
            let table = a.specs.get(&row.table).map_or(0, |s| s.number);
            let cand = Candidate {
                current: row.amount,
                prior,
                cell: row
                    .loc(a.sources)
                    .map_or_else(|| format!("表{table}“{}”", row.name), |l| l.to_string()),
            };
            match by_name.get(&key) {
                Some(&i) => items[i].candidates.push(cand),
                None => {
                    items.push(Item {
                        label: format!("表{table}“{}”", name.trim()),
                        name: normalize(&row.name),
                        code: row.code.clone(),
                        candidates: vec![cand],
                        count: None,
                    });
                    by_name.insert(key.clone(), items.len() - 1);
                    names.push((key, items.len() - 1, true));
                }
            }
        };
    for set in n.row_sets() {
        let rows = rows_of(set, a.current, a.specs);
        let prior_rows = a
            .prior
            .map(|p| rows_of(set, p, a.specs))
            .unwrap_or_default();
        for row in &rows {
            let prior = prior_rows
                .iter()
                .find(|p| match (&p.code, &row.code) {
                    (Some(x), Some(y)) => x == y,
                    _ => normalize(&p.name) == normalize(&row.name),
                })
                .and_then(|p| p.amount)
                .or(a.prior.map(|_| Amount::ZERO));
            add_row(row, row.name.clone(), prior, &mut items);
            if let Some(path) = code_path(row, a.current) {
                add_row(row, path, prior, &mut items);
            }
        }
    }
    for c in &n.counts {
        let count = if c.of == "units" {
            a.current.units.len().max(1)
        } else {
            n.figure(&c.of)
                .and_then(|f| f.each_row.as_ref())
                .map_or(0, |set| rows_of(set, a.current, a.specs).len())
        };
        items.push(Item {
            label: c.label.clone(),
            name: normalize(&c.label),
            code: None,
            candidates: Vec::new(),
            count: Some(count),
        });
        for w in &c.after {
            counts.push((normalize(w), items.len() - 1));
        }
    }
    let spelled = other_spellings(&names, &n.variants);
    names.extend(spelled);
    names.sort_by(|x, y| y.0.len().cmp(&x.0.len()).then(x.0.cmp(&y.0)));
    counts.sort_by_key(|x| std::cmp::Reverse(x.0.len()));
    let (subjects, known) = subject_names(a);
    Dictionary {
        items,
        names,
        counts,
        by_figure,
        subjects,
        known,
    }
}

/// Each name written with a variant of one of its words (`其它行政事业单位养老支出`
/// for `其他行政事业单位养老支出`), for the same item; a spelling that is some
/// other item's own name is left to that item.
fn other_spellings(
    names: &[(String, usize, bool)],
    variants: &[crate::layout::narrative::Variant],
) -> Vec<(String, usize, bool)> {
    let own: std::collections::HashSet<&str> = names.iter().map(|n| n.0.as_str()).collect();
    let mut out = Vec::new();
    for v in variants {
        let (means, written) = (normalize(&v.means), normalize(&v.written));
        for (name, item, strict) in names {
            if name.contains(&means) {
                let other = name.replace(&means, &written);
                if !own.contains(other.as_str()) {
                    out.push((other, *item, *strict));
                }
            }
        }
    }
    out
}

/// The 科目 names of the `names` tables, and every row name of the tables (a
/// text may name any of them as they are; so too the catalogue's names).
pub(super) fn subject_names(a: &Against) -> (Vec<String>, std::collections::HashSet<String>) {
    let mut subjects: Vec<String> = a
        .specs
        .layout
        .narrative
        .names
        .iter()
        .flat_map(|set| rows_of(set, a.current, a.specs))
        .map(|r| normalize(&r.name))
        .collect();
    subjects.sort();
    subjects.dedup();
    let known: std::collections::HashSet<String> = a
        .current
        .tables
        .values()
        .flat_map(crate::model::Table::row_names)
        .map(|n| normalize(&n))
        .collect();
    (subjects, known)
}

/// The names in a sentence, overlaps resolved for the longest; a name inside a
/// longer unknown word (`发展规划综合管理`) does not count.
pub(super) fn mentions(norm: &str, dict: &Dictionary, department: &str) -> Vec<Mention> {
    let mut found: Vec<Mention> = Vec::new();
    // The ranges taken so far, start → end; they never overlap.
    let mut taken: std::collections::BTreeMap<usize, usize> = Default::default();
    let overlaps = |taken: &std::collections::BTreeMap<usize, usize>, start: usize, end: usize| {
        taken
            .range(..end)
            .next_back()
            .is_some_and(|(_, &e)| e > start)
    };
    for (name, item, strict) in &dict.names {
        let mut from = 0;
        while let Some(i) = norm[from..].find(name.as_str()) {
            let start = from + i;
            let end = start + name.len();
            from = start + name.len().max(1);
            if overlaps(&taken, start, end) {
                continue;
            }
            if *strict && !clean_start(norm, start, department) {
                continue;
            }
            taken.insert(start, end);
            found.push(Mention {
                start,
                end,
                item: *item,
            });
        }
    }
    found.sort_by_key(|m| m.start);
    found
}

/// A name starts a word: at the start, after punctuation, a digit or a
/// function character, or right after the department's name.
pub(super) fn clean_start(norm: &str, start: usize, department: &str) -> bool {
    let Some(prev) = norm[..start].chars().next_back() else {
        return true;
    };
    if !is_cjk(prev) {
        return true;
    }
    "年括中的是及和为含即其对在于与、：".contains(prev) || norm[..start].ends_with(department)
}
