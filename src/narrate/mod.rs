//! The written part (说明): a draft of every figure sentence, filled from the
//! model by the layout's `[narrative]` patterns (`narrate`), and the check of
//! a written text against the tables (`check --narrative`, [`check`]).
//!
//! What only a person can supply (reasons, 职能, the split of 政府采购 no table
//! holds) is a visible placeholder `【请填写：……】`, never invented.

pub mod check;
pub mod document;
pub mod docx;
pub mod figures;
pub use crate::layout::narrative as spec;
pub mod rules;
pub mod statements;

use serde::Serialize;

use crate::amount::Amount;
use crate::change::{amount_text, amount_text_fixed, sentence};
use crate::change::{Change, Rate};
use crate::layout::narrative::{NarrativeFigure, ParagraphSpec};
use crate::layout::template::{self, Segment};
use crate::layout::{CellRef, Sentences};
use crate::model::Budget;
use crate::source::SourceMap;
use crate::spec::SpecSet;
use figures::{describe, rows_of, sum_of, NamedRow};

/// The JSON form's format name and version.
pub const FORMAT: &str = "budget-tables/narrative";
pub const FORMAT_VERSION: u32 = 1;

/// A draft 说明, also the JSON of `narrate --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct Draft {
    pub format: &'static str,
    pub format_version: u32,
    pub layout: String,
    pub department: String,
    pub year: i32,
    pub prior_year: Option<i32>,
    pub title: String,
    pub unit: String,
    pub sections: Vec<DraftSection>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DraftSection {
    pub title: String,
    pub paragraphs: Vec<DraftParagraph>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DraftParagraph {
    /// A sub-heading (`一、深圳市……(本级)`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub heading: bool,
    pub text: String,
    pub sentences: Vec<DraftSentence>,
}

/// One sentence, with the figures it states and the cells they came from.
#[derive(Debug, Clone, Serialize)]
pub struct DraftSentence {
    pub text: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<FigureUse>,
    /// What a person must fill in (`变动原因`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub placeholders: Vec<String>,
}

/// A figure printed in a sentence.
#[derive(Debug, Clone, Serialize)]
pub struct FigureUse {
    /// The layout's figure id (`income_total`), with the row's name for a row.
    pub figure: String,
    /// What of it is printed: `current`, `prior`, `change` or `count`.
    pub printed: &'static str,
    /// As printed.
    pub text: String,
    pub current: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prior: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<String>,
    /// The table cells summed (`'表1 部门收支总表'!B6`).
    pub cells: Vec<String>,
}

/// The inputs of a draft.
pub struct Inputs<'a> {
    pub specs: &'a SpecSet,
    pub current: &'a Budget,
    pub prior: Option<&'a Budget>,
    /// Where the current model's figures were read (empty for JSON input).
    pub sources: &'a SourceMap,
}

/// The draft of the layout's 说明 for `current` (changes against `prior`).
///
/// # Errors
/// None at run time: the patterns were checked when the layout was loaded;
/// a layout without `[narrative]` sections gives a draft without sections.
pub fn draft(inputs: &Inputs) -> Draft {
    let n = &inputs.specs.layout.narrative;
    let sections = n
        .sections
        .iter()
        .map(|s| DraftSection {
            title: fill_plain(&s.title, inputs),
            paragraphs: s
                .paragraphs
                .iter()
                .flat_map(|p| paragraphs(&p.spec(), inputs))
                .collect(),
        })
        .collect();
    Draft {
        format: FORMAT,
        format_version: FORMAT_VERSION,
        layout: inputs.specs.layout.id.clone(),
        department: inputs.current.department.clone(),
        year: inputs.current.year,
        prior_year: inputs.prior.map(|p| p.year),
        title: fill_plain(&n.title, inputs),
        unit: inputs.specs.layout.text_unit.clone(),
        sections,
    }
}

/// A title's `{year}` and `{department}`.
fn fill_plain(text: &str, inputs: &Inputs) -> String {
    text.replace("{year}", &inputs.current.year.to_string())
        .replace("{department}", &inputs.current.department)
}

/// The paragraphs of one pattern: one, or one per row of its `each` figure;
/// none when it needs the prior year and there is none, or a figure outside
/// any `[…]` is unknown.
fn paragraphs(p: &ParagraphSpec, inputs: &Inputs) -> Vec<DraftParagraph> {
    if p.prior_only && inputs.prior.is_none() {
        return Vec::new();
    }
    let Ok(segments) = template::parse(&p.text) else {
        return Vec::new();
    };
    let items: Vec<Option<Item>> = match p.each.as_deref().and_then(|e| each_items(e, inputs)) {
        Some(items) => items.into_iter().map(Some).collect(),
        None => vec![None],
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let scope = Scope {
            inputs,
            item: item.as_ref(),
            n: i + 1,
        };
        let mut r = Rendered::default();
        if scope.render(&segments, &mut r) {
            if let Some(extra) = p.swing.as_deref().filter(|_| scope.item_swings()) {
                let mut more = Rendered::default();
                if let Ok(s) = template::parse(extra) {
                    if scope.render(&s, &mut more) {
                        r.append(more);
                    }
                }
            }
            out.push(r.into_paragraph(p.heading));
        }
    }
    out
}

/// Whether a figure changed by more than the layout's `swing_threshold`
/// (50% when not given), or from zero, and is not zero now: a change whose
/// reason the text must give (N-SWING-01), and the draft asks for.
pub(crate) fn is_swing(
    n: &crate::layout::narrative::NarrativeSpec,
    prior: rust_decimal::Decimal,
    current: rust_decimal::Decimal,
) -> bool {
    use rust_decimal::Decimal;
    let threshold = n.swing_threshold.unwrap_or(Decimal::from(50));
    prior != current
        && !current.is_zero()
        && (prior.is_zero() || ((current - prior) * Decimal::ONE_HUNDRED / prior).abs() > threshold)
}

/// A row of an `each` figure.
struct Item<'a> {
    figure: &'a NarrativeFigure,
    row: NamedRow,
}

/// The rows of figure `id` this year, in table order.
fn each_items<'a>(id: &str, inputs: &Inputs<'a>) -> Option<Vec<Item<'a>>> {
    let f = inputs.specs.layout.narrative.figure(id)?;
    let set = f.each_row.as_ref()?;
    Some(
        rows_of(set, inputs.current, inputs.specs)
            .into_iter()
            .map(|row| Item { figure: f, row })
            .collect(),
    )
}

/// A figure resolved for one paragraph.
struct Resolved<'a> {
    label: String,
    cells: Vec<CellRef>,
    wording: Option<&'a Sentences>,
    /// For a row: its name, and its amount in either year.
    row: Option<(String, Option<Amount>, Option<Amount>)>,
    figure: &'a NarrativeFigure,
}

struct Scope<'a, 'b> {
    inputs: &'b Inputs<'a>,
    item: Option<&'b Item<'a>>,
    n: usize,
}

#[derive(Default)]
struct Rendered {
    text: String,
    uses: Vec<(usize, FigureUse)>,
    asks: Vec<(usize, String)>,
}

impl Rendered {
    fn append(&mut self, other: Rendered) {
        let base = self.text.len();
        self.text.push_str(&other.text);
        self.uses
            .extend(other.uses.into_iter().map(|(o, u)| (o + base, u)));
        self.asks
            .extend(other.asks.into_iter().map(|(o, a)| (o + base, a)));
    }

    fn into_paragraph(self, heading: bool) -> DraftParagraph {
        let mut sentences = Vec::new();
        let mut start = 0;
        for (end, _) in sentence_ends(&self.text) {
            let in_range = |o: &usize| *o >= start && *o < end;
            sentences.push(DraftSentence {
                text: self.text[start..end].trim().to_string(),
                figures: self
                    .uses
                    .iter()
                    .filter(|(o, _)| in_range(o))
                    .map(|(_, u)| u.clone())
                    .collect(),
                placeholders: self
                    .asks
                    .iter()
                    .filter(|(o, _)| in_range(o))
                    .map(|(_, a)| a.clone())
                    .collect(),
            });
            start = end;
        }
        sentences.retain(|s| !s.text.is_empty());
        DraftParagraph {
            heading,
            text: self.text,
            sentences,
        }
    }
}

/// The byte offsets just past each sentence's end (。；; and the text's end).
pub fn sentence_ends(text: &str) -> Vec<(usize, char)> {
    let mut out: Vec<(usize, char)> = text
        .char_indices()
        .filter(|(_, c)| matches!(c, '。' | '；' | ';' | '！' | '？'))
        .map(|(i, c)| (i + c.len_utf8(), c))
        .collect();
    if out.last().is_none_or(|(e, _)| *e < text.len()) {
        out.push((text.len(), '\n'));
    }
    out
}

impl<'a> Scope<'a, '_> {
    /// Renders `segments` into `out`; false when a figure outside `[…]` is unknown.
    fn render(&self, segments: &[Segment], out: &mut Rendered) -> bool {
        for s in segments {
            match s {
                Segment::Lit(t) => out.text.push_str(t),
                Segment::Ask(what) => {
                    out.asks.push((out.text.len(), what.clone()));
                    let p = &self.inputs.specs.layout.narrative.placeholder;
                    out.text.push_str(&p.replace("{what}", what));
                }
                Segment::Optional(inner) => {
                    let mut r = Rendered::default();
                    if self.render(inner, &mut r) {
                        out.append(r);
                    }
                }
                Segment::Token { name, attr } => match self.token(name, attr.as_deref()) {
                    Some((text, used)) => {
                        if let Some(u) = used {
                            out.uses.push((out.text.len(), u));
                        }
                        out.text.push_str(&text);
                    }
                    None => return false,
                },
            }
        }
        true
    }

    /// The text of a token, with the figure it printed.
    fn token(&self, name: &str, attr: Option<&str>) -> Option<(String, Option<FigureUse>)> {
        let b = self.inputs.current;
        let plain = |s: String| Some((s, None));
        match (name, attr) {
            ("year", None) => plain(b.year.to_string()),
            ("prior_year", None) => plain(self.inputs.prior?.year.to_string()),
            ("department", None) => plain(b.department.clone()),
            ("n", None) => plain(self.n.to_string()),
            ("units", Some("count")) => plain(b.units.len().max(1).to_string()),
            ("units", Some("names")) => plain(if b.units.is_empty() {
                b.department.clone()
            } else {
                b.units.join("、")
            }),
            ("item", Some("name")) => plain(self.item?.row.name.trim().to_string()),
            ("item", Some("path")) => plain(figures::code_path(&self.item?.row, b)?),
            _ => {
                let f = self.resolve(name)?;
                self.figure_token(&f, attr)
            }
        }
    }

    /// Whether this paragraph's row changed by more than the layout's
    /// `swing_threshold` (or from zero), as N-SWING-01 counts a swing.
    fn item_swings(&self) -> bool {
        if self.inputs.prior.is_none() {
            return false;
        }
        let Some((_, Some(cur), prior)) = self.resolve("item").and_then(|r| r.row) else {
            return false;
        };
        // A row last year lacked is new: from zero.
        let prior = prior.map_or(rust_decimal::Decimal::ZERO, Amount::value);
        is_swing(&self.inputs.specs.layout.narrative, prior, cur.value())
    }

    fn resolve(&self, name: &str) -> Option<Resolved<'a>> {
        let n = &self.inputs.specs.layout.narrative;
        if name == "item" {
            let item = self.item?;
            let prior = self.inputs.prior.and_then(|p| {
                let set = item.figure.each_row.as_ref()?;
                let key = crate::text::norm(&item.row.name);
                // The same row last year: by its code (a 项 name such as
                // 一般行政管理事务 repeats under many 款), else by its name.
                let same = |r: &NamedRow| match (&r.code, &item.row.code) {
                    (Some(a), Some(b)) => a == b,
                    _ => r.place == item.row.place || crate::text::norm(&r.name) == key,
                };
                rows_of(set, p, self.inputs.specs)
                    .into_iter()
                    .find(same)?
                    .amount
            });
            return Some(Resolved {
                label: format!("{}:{}", item.figure.id, item.row.name),
                cells: item.row.cell_ref().into_iter().collect(),
                wording: n.change_of(item.figure),
                row: Some((item.row.name.clone(), item.row.amount, prior)),
                figure: item.figure,
            });
        }
        let f = n.figure(name)?;
        Some(Resolved {
            label: f.id.clone(),
            cells: f.cells.clone(),
            wording: n.change_of(f),
            row: None,
            figure: f,
        })
    }

    fn amounts(&self, f: &Resolved) -> (Option<Amount>, Option<Amount>) {
        if let Some((_, cur, prior)) = &f.row {
            return (*cur, *prior);
        }
        let specs = self.inputs.specs;
        (
            sum_of(&f.cells, self.inputs.current, specs),
            self.inputs.prior.and_then(|p| sum_of(&f.cells, p, specs)),
        )
    }

    fn figure_token(
        &self,
        f: &Resolved,
        attr: Option<&str>,
    ) -> Option<(String, Option<FigureUse>)> {
        let n = &self.inputs.specs.layout.narrative;
        let (cur, prior) = self.amounts(f);
        let decimals = f.figure.decimals.or(n.decimals);
        let money = |a: Amount| match decimals {
            Some(d) => amount_text_fixed(a, n.grouping, d),
            None => amount_text(a, n.grouping),
        };
        let rate_decimals = f.wording.map_or(1, |w| w.rate_decimals);
        let change = Change::with_rate_decimals(prior, cur, rate_decimals);
        let (printed, text) = match attr {
            None => ("current", money(cur?)),
            Some("prior") => {
                self.inputs.prior?;
                ("prior", money(prior.unwrap_or(Amount::ZERO)))
            }
            Some("count") => {
                let set = f.figure.each_row.as_ref()?;
                let rows = rows_of(set, self.inputs.current, self.inputs.specs);
                ("count", rows.len().to_string())
            }
            Some("direction") => {
                self.inputs.prior?;
                let d = change.change.unwrap_or(Amount::ZERO).value();
                let word = if d.is_zero() {
                    "持平"
                } else if d.is_sign_negative() {
                    "减少"
                } else {
                    "增加"
                };
                ("change", word.to_string())
            }
            Some("change") => {
                let prior_year = self.inputs.prior?.year;
                let wording = f.wording?;
                let text = sentence(
                    wording,
                    "",
                    (self.inputs.current.year, prior_year),
                    &Change::with_rate_decimals(
                        Some(prior.unwrap_or(Amount::ZERO)),
                        Some(cur.unwrap_or(Amount::ZERO)),
                        rate_decimals,
                    ),
                    decimals,
                );
                ("change", text)
            }
            _ => return None,
        };
        let inputs = self.inputs;
        let used = FigureUse {
            figure: f.label.clone(),
            printed,
            text: text.clone(),
            current: cur,
            prior,
            change: inputs.prior.and(change.change),
            rate: match change.rate {
                Rate::Percent(r) if inputs.prior.is_some() => Some(r.to_string()),
                Rate::New if inputs.prior.is_some() => Some("新增".into()),
                _ => None,
            },
            cells: f
                .cells
                .iter()
                .map(|c| describe(c, inputs.current, inputs.specs, inputs.sources))
                .collect(),
        };
        Some((text, Some(used)))
    }
}

/// The draft as Markdown: `#` the document, `##` each section.
pub fn markdown(d: &Draft) -> String {
    let mut out = format!("# {}\n\n金额单位：{}\n", d.title, d.unit);
    for s in &d.sections {
        out.push_str(&format!("\n## {}\n", s.title));
        for p in &s.paragraphs {
            if p.heading {
                out.push_str(&format!("\n### {}\n", p.text));
            } else {
                out.push_str(&format!("\n{}\n", p.text));
            }
        }
    }
    out
}
