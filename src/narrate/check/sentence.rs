//! One sentence checked: each statement of a figure tied to the item it
//! speaks of and compared with the table (amounts, changes, rates, counts, 持平), and its wording.

use super::*;

pub(super) fn kind_label(k: Kind) -> &'static str {
    match k {
        Kind::Amount => "金额",
        Kind::Change(_) => "增减额",
        Kind::Rate(_) => "增减率",
        Kind::Share => "占比",
        Kind::Percent => "百分比",
        Kind::Count => "个数",
    }
}

/// Words that name no item: a clause of only these (and years, list numbers
/// and punctuation) before an amount speaks of the sentence's topic
/// (`2024年预算安排25.77万元`, `2023年当年预算执行数为60.13万元`).
pub(super) const GENERIC: [&str; 22] = [
    "预算数",
    "预算安排",
    "预算",
    "执行数",
    "当年",
    "年初",
    "安排",
    "其中",
    "合计",
    "共计",
    "万元",
    "为",
    "数",
    "是",
    "约",
    "较",
    "比",
    "与",
    "上年",
    "同期",
    "相比",
    "同比",
];

/// True if `clause` names no item (see [`GENERIC`]).
pub(super) fn generic(clause: &str) -> bool {
    // A placeholder left for a person (`【请填写：……】`) names no item either.
    let mut rest = String::new();
    let mut depth = 0;
    for c in clause.chars() {
        match c {
            '【' => depth += 1,
            '】' => depth = (depth as i32 - 1).max(0) as usize,
            _ if depth == 0 => rest.push(c),
            _ => {}
        }
    }
    for w in GENERIC
        .iter()
        .chain(&crate::narrate::statements::UP)
        .chain(&crate::narrate::statements::DOWN)
    {
        rest = rest.replace(w, "");
    }
    rest.chars()
        .all(|c| c.is_ascii_digit() || c.is_ascii_punctuation() || matches!(c, '、' | '。' | '年'))
}

/// A stated amount in the text's unit (万元).
pub(super) fn in_wan(s: &Statement) -> Decimal {
    match s.unit {
        Unit::Yuan => s.value / Decimal::from(10_000),
        Unit::Yi => s.value * Decimal::from(10_000),
        _ => s.value,
    }
}

/// Half a unit of the last decimal written, in the text's unit.
pub(super) fn tolerance(s: &Statement) -> Decimal {
    let half = Decimal::new(5, s.decimals + 1);
    match s.unit {
        Unit::Yuan => half / Decimal::from(10_000),
        Unit::Yi => half * Decimal::from(10_000),
        _ => half,
    }
}

pub(super) struct SentenceCheck<'a> {
    pub(super) a: &'a Against<'a>,
    pub(super) dict: &'a Dictionary,
    pub(super) text: &'a TextSource<'a>,
    pub(super) s: &'a Sentence,
}

impl SentenceCheck<'_> {
    /// The layout's rounding step of the text's unit (0.01 万元).
    pub(super) fn rounding_step(&self) -> Decimal {
        let l = &self.a.specs.layout;
        l.rounding
            .get(&l.text_unit)
            .copied()
            .unwrap_or(Decimal::new(1, 2))
    }

    pub(super) fn finding(&self, rule: &Rule, message: String) -> Diagnostic {
        let mut d = rule.finding(message).table(self.text.name.clone());
        d.row_label = Some(format!("第 {} 段", self.s.paragraph + 1));
        if let Some(loc) = line_loc(self.text, self.a, self.s.line) {
            d = d.at(&loc.sheet, loc.row, loc.col);
        }
        d
    }

    /// A sentence too long to search for figures.
    pub(super) fn too_long(&self, length: usize) -> Diagnostic {
        self.finding(
                &LONG,
                format!(
                    "第 {} 段有一句长达 {length} 字，超过 {MAX_SENTENCE_CHARS} 字，其中的数字未逐一核对",
                    self.s.paragraph + 1
                ),
            )
            .expected(format!("每句不超过 {MAX_SENTENCE_CHARS} 字"))
            .actual(format!("{length} 字"))
            .hint("请在句末加句号，把这段分成几句后再核对")
    }

    pub(super) fn quote(&self) -> String {
        let t: String = self.s.text.chars().take(120).collect();
        if t.len() < self.s.text.len() {
            format!("“{t}……”")
        } else {
            format!("“{t}”")
        }
    }

    /// Template wording left in print.
    pub(super) fn residue(&self, r: &mut TextReport) {
        let words = &self.a.specs.layout.narrative.residue;
        // A table of contents' leader dots (`名词解释 ……………… 3`) are no ellipsis left in print.
        let text = without_leaders(&self.s.text);
        if let Some(w) = words.iter().find(|w| text.contains(w.as_str())) {
            let d = self
                .finding(&RESIDUE, format!("留有模板文字“{w}”：{}", self.quote()))
                .actual(w.clone())
                .hint("请把模板中的占位文字换成实际内容");
            r.findings.push(d);
        }
    }

    /// What a reader notices without the tables: a reason marker with nothing
    /// after it, a rate without its `%`, doubled punctuation or words, and the
    /// old name of a renamed 科目.
    pub(super) fn wording(&self, r: &mut TextReport) {
        let n = &self.a.specs.layout.narrative;
        let norm = &self.s.norm;
        let mut markers: Vec<String> = n.reason_markers.iter().map(|m| normalize(m)).collect();
        markers.dedup();
        for m in &markers {
            let Some(i) = norm.find(m.as_str()) else {
                continue;
            };
            // “主要原因是。”: the sentence ends right after the marker. A marker
            // ending its line (“主要原因：”) is followed by the next paragraph.
            let after = norm[i + m.len()..].trim_start_matches(':');
            let empty =
                !after.is_empty() && after.chars().all(|c| matches!(c, '。' | ';' | ',' | '、'));
            if empty {
                r.findings.push(
                    self.finding(&REASON, format!("“{m}”后面没有写内容：{}", self.quote()))
                        .actual(format!("{m}（空）"))
                        .hint("请写明原因或用途"),
                );
                // “原因是” inside “主要原因是” is the same gap.
                break;
            }
        }
        let mut typos: Vec<String> = crate::narrate::statements::bare_rates(norm)
            .into_iter()
            .map(|x| format!("“{x}”缺少 %"))
            .collect();
        for p in ["。。", ",,", ";;", "、、"] {
            if norm.contains(p) {
                typos.push(format!("标点重复“{p}”"));
            }
        }
        for w in crate::narrate::statements::UP
            .iter()
            .chain(&crate::narrate::statements::DOWN)
        {
            if norm.contains(&format!("{w}{w}")) {
                typos.push(format!("“{w}”重复"));
            }
        }
        typos.extend(
            mixed_widths(&self.s.text)
                .into_iter()
                .map(|x| format!("“{x}”全角、半角数字混写")),
        );
        if !typos.is_empty() {
            r.findings.push(
                self.finding(&TYPO, format!("{}：{}", typos.join("，"), self.quote()))
                    .actual(typos.join("，")),
            );
        }
        // Table titles keep their fixed words (a 单位预算's 表8 is an
        // “一般公共预算基本支出部门预算经济分类预算表”).
        let mut plain = self.s.text.clone();
        for t in &self.a.specs.tables {
            plain = plain.replace(t.title.as_str(), "");
        }
        if let Some(w) = n.wrong_scope.iter().find(|w| plain.contains(w.as_str())) {
            r.findings.push(
                self.finding(
                    &SCOPE,
                    format!(
                        "“{w}”不是本版式（{}）的说法，疑为照抄：{}",
                        self.a.specs.layout.scope,
                        self.quote()
                    ),
                )
                .actual(w.clone()),
            );
        }
        for rn in &n.renamed {
            if norm.contains(normalize(&rn.old).as_str()) {
                let since = if rn.since.is_empty() {
                    String::new()
                } else {
                    format!("（{}起）", rn.since)
                };
                r.findings.push(
                    self.finding(
                        &OLD_NAME,
                        format!("“{}”已更名为“{}”{since}：{}", rn.old, rn.new, self.quote()),
                    )
                    .expected(rn.new.clone())
                    .actual(rn.old.clone())
                    .hint("请用表中（现行科目）的名称"),
                );
            }
        }
    }

    /// Checks each statement of the sentence.
    pub(super) fn statements(
        &self,
        stmts: &[Statement],
        mentions: &[Mention],
        topic: Option<usize>,
        r: &mut TextReport,
    ) -> Option<usize> {
        let mut untied: Vec<&Statement> = Vec::new();
        let items = Self::items_of(&self.s.norm, stmts, mentions, topic);
        let last_tied = stmts
            .iter()
            .zip(&items)
            .rfind(|(st, it)| st.kind == Kind::Amount && it.is_some())
            .and_then(|(_, it)| *it);
        for (i, st) in stmts.iter().enumerate() {
            r.statements += 1;
            let item = items[i];
            let (outcome, item) = match (st.kind, item) {
                (Kind::Count, _) => self.count(st, r),
                (_, None) => (Outcome::Untied, None),
                (kind, Some(it)) => (self.tied(kind, st, it, &stmts[..i], r), Some(it)),
            };

            let (label, count_item) = match &outcome {
                Outcome::Checked => ("核对", item),
                Outcome::Untied => ("未对应", None),
                Outcome::Unchecked => ("未核对", item),
            };
            r.list.push(StatementInfo {
                text: self.text.name.clone(),
                paragraph: self.s.paragraph + 1,
                written: st.written.clone(),
                kind: kind_label(st.kind),
                item: count_item.map(|i| self.item(i).label.clone()),
                outcome: label,
            });
            match outcome {
                Outcome::Checked => r.checked += 1,
                Outcome::Untied => untied.push(st),
                Outcome::Unchecked => r.unchecked += 1,
            }
        }
        r.unchecked += untied.len();
        last_tied
    }

    /// The item each statement speaks of: the nearest name before it (for
    /// an amount, only if no other amount lies between), else the item of
    /// the amount before it, else the paragraph's topic.
    pub(super) fn items_of(
        norm: &str,
        stmts: &[Statement],
        mentions: &[Mention],
        topic: Option<usize>,
    ) -> Vec<Option<usize>> {
        let mut items: Vec<Option<usize>> = Vec::with_capacity(stmts.len());
        let mut last_amount: Option<usize> = None;
        for (i, st) in stmts.iter().enumerate() {
            // Mentions never overlap: in order of start, they are in order of end.
            let name = mentions[..mentions.partition_point(|m| m.end <= st.start)].last();
            let item = match (st.kind, name, last_amount) {
                (Kind::Amount, Some(m), Some(j)) if stmts[j].start >= m.end => None,
                (Kind::Amount, None, Some(j)) if generic(&norm[stmts[j].end..st.start]) => topic,
                (Kind::Amount, None, Some(_)) => None,
                (_, None, None) if !generic(&norm[..st.start]) => None,
                (_, Some(m), Some(j)) if stmts[j].start >= m.end => items[j],
                (_, None, Some(j)) => items[j],
                (_, Some(m), _) => Some(m.item),
                (_, None, None) => topic,
            };
            items.push(item);
            if st.kind == Kind::Amount {
                last_amount = Some(i);
            }
        }
        items
    }

    pub(super) fn tied(
        &self,
        kind: Kind,
        st: &Statement,
        it: usize,
        before: &[Statement],
        r: &mut TextReport,
    ) -> Outcome {
        let dir = match kind {
            Kind::Amount => return self.amount(st, it, r),
            Kind::Change(d) | Kind::Rate(d) => d,
            Kind::Share | Kind::Percent | Kind::Count => return Outcome::Untied,
        };
        let years = self.years(it, before);
        let Some(&(p, c)) = years.first() else {
            return self.no_years(it);
        };
        r.changes.push((self.s.paragraph, it, p, c));
        if matches!(kind, Kind::Change(_)) {
            self.change(st, dir, it, &years, r)
        } else {
            self.rate(st, dir, it, &years, r)
        }
    }

    pub(super) fn item(&self, i: usize) -> &Item {
        &self.dict.items[i]
    }

    /// An amount of this year (or of the prior year, with the prior given).
    pub(super) fn amount(&self, st: &Statement, item: usize, r: &mut TextReport) -> Outcome {
        let it = self.item(item);
        if it.candidates.is_empty() {
            return Outcome::Untied;
        }
        let prior_words = &self.a.specs.layout.narrative.unchecked_prior;
        let clause_start = self.s.norm[..st.start]
            .rfind([',', ';', ':', '。'])
            .map_or(0, |i| i + 1);
        let clause = &self.s.norm[clause_start..st.start];
        if st.other_year
            && (self.a.prior.is_none() || prior_words.iter().any(|w| clause.contains(w.as_str())))
        {
            return Outcome::Unchecked;
        }
        let absent = &self.a.specs.layout.narrative.not_in_tables;
        if absent.iter().any(|w| clause.contains(w.as_str())) {
            return Outcome::Untied;
        }
        let stated = in_wan(st);
        let tol = tolerance(st);
        let values: Vec<(Decimal, &str)> = it
            .candidates
            .iter()
            .filter_map(|c| {
                let v = if st.other_year { c.prior } else { c.current };
                Some((v?.value(), c.cell.as_str()))
            })
            .collect();
        if values.is_empty() {
            return Outcome::Untied;
        }
        if values.iter().any(|(v, _)| (stated - v).abs() <= tol) {
            return Outcome::Checked;
        }
        let (v, cell) = values[0];
        let wrong_unit = match st.unit {
            Unit::Yuan => (st.value - v).abs() <= Decimal::new(5, st.decimals + 1),
            Unit::Wan => (st.value - v * Decimal::from(10_000)).abs() <= tol,
            _ => false,
        };
        let year = if st.other_year { "上年" } else { "本年" };
        let table = format!(
            "{} 万元（{cell}）",
            crate::amount::grouped(Amount::round(v))
        );
        // The table's cell is 10,000 times the text's figure: the cell was
        // typed in 元 in a 万元 table (X-UNIT-01), and the text is right.
        let table_in_yuan = st.unit == Unit::Wan
            && !stated.is_zero()
            && (v - stated * Decimal::from(10_000)).abs() <= tol * Decimal::from(10_000);
        let d = if table_in_yuan {
            let mut d = self.finding(
                &FIGURE,
                format!(
                    "表中 {cell} 为 {} 万元，是说明所写 {} 的 10,000 倍：该格疑似以元填写，说明的数是对的：{}",
                    crate::amount::grouped(Amount::round(v)),
                    st.written,
                    self.quote()
                ),
            )
            .hint(format!(
                "请先改正表格中的 {cell}（本表单位为万元，应为 {}）；说明中的数不必改",
                crate::amount::grouped(Amount::round(stated))
            ));
            d.suspect = Some(cell.to_string());
            d
        } else if wrong_unit {
            self.finding(
                &UNIT,
                format!(
                    "“{}”单位有误：{}{year}为 {table}：{}",
                    st.written,
                    it.label,
                    self.quote()
                ),
            )
            .hint("说明中的金额单位应与表一致（万元）")
        } else if (stated - v).abs() <= self.rounding_step() {
            // One fen of 万元 off: the text took the figure from another table
            // whose own rounding differs (尾数差异), as the tables' rules warn.
            let mut d = self.finding(
                &FIGURE,
                format!(
                    "尾数差异：说明写{}{year}为 {}，表中为 {table}：{}",
                    it.label,
                    st.written,
                    self.quote()
                ),
            );
            d.severity = Severity::Warning;
            d.hint("公开数字分别四舍五入时会有这种差异；说明与表宜取同一张表的数")
        } else {
            self.finding(
                &FIGURE,
                format!(
                    "说明写{}{year}为 {}，表中为 {table}：{}",
                    it.label,
                    st.written,
                    self.quote()
                ),
            )
            .hint("请按表中的数修改说明（或先核对表）")
        };
        r.findings
            .push(d.expected(table.clone()).actual(st.written.clone()));
        Outcome::Checked
    }

    /// The two years' figures of an item, (prior, current): from the tables,
    /// or, when the sentence states both years itself, its prior figure with
    /// this year's from the table and with its own. A change or rate is right
    /// if it fits either: a wrong amount is reported once (N-FIG-01), not again
    /// in the rate that follows it.
    pub(super) fn years(&self, item: usize, before: &[Statement]) -> Vec<(Decimal, Decimal)> {
        let prior = before
            .iter()
            .rev()
            .find(|b| b.kind == Kind::Amount && b.other_year);
        let cur = before
            .iter()
            .rev()
            .find(|b| b.kind == Kind::Amount && !b.other_year);
        if let (Some(p), Some(c)) = (prior, cur) {
            let table = self.item(item).candidates.iter().find_map(|x| x.current);
            let mut out: Vec<(Decimal, Decimal)> =
                table.map(|t| (in_wan(p), t.value())).into_iter().collect();
            out.push((in_wan(p), in_wan(c)));
            return out;
        }
        if self.a.prior.is_none() {
            return Vec::new();
        }
        self.item(item)
            .candidates
            .first()
            .map(|c| {
                (
                    c.prior.unwrap_or(Amount::ZERO).value(),
                    c.current.unwrap_or(Amount::ZERO).value(),
                )
            })
            .into_iter()
            .collect()
    }

    /// No figures to check a change against: not tied, or unchecked.
    /// A change written with the opposite word (`up_down`: the words for
    /// up and for down in this statement).
    pub(super) fn wrong_direction(
        &self,
        label: &str,
        delta: Decimal,
        dir: Direction,
        up_down: (&str, &str),
    ) -> Diagnostic {
        let written = if dir == Direction::Up {
            up_down.0
        } else {
            up_down.1
        };
        self.finding(
            &DIRECTION,
            format!(
                "{label}实际{}，说明却写“{written}”：{}",
                word(delta),
                self.quote()
            ),
        )
    }

    pub(super) fn no_years(&self, item: usize) -> Outcome {
        if self.item(item).candidates.is_empty() {
            Outcome::Untied
        } else {
            Outcome::Unchecked
        }
    }

    /// `years`: the two years' figures, the table's first (never empty).
    pub(super) fn change(
        &self,
        st: &Statement,
        dir: Direction,
        item: usize,
        years: &[(Decimal, Decimal)],
        r: &mut TextReport,
    ) -> Outcome {
        let (prior, cur) = years[0];
        let stated = in_wan(st);
        let against = |&(p, c): &(Decimal, Decimal)| {
            let delta = c - p;
            let direction_ok = delta.is_zero()
                || stated.is_zero()
                || delta.is_sign_negative() == (dir == Direction::Down);
            (direction_ok, (stated - delta.abs()).abs() <= tolerance(st))
        };
        if years.iter().map(against).any(|(d, m)| d && m) {
            return Outcome::Checked;
        }
        let delta = cur - prior;
        let label = &self.item(item).label;
        let expected = change_in_wan(delta);
        let d = if !years.iter().map(against).any(|(d, _)| d) {
            self.wrong_direction(label, delta, dir, ("增加", "减少"))
        } else {
            self.finding(
                &CHANGE,
                format!(
                    "说明写{label}增减 {}，两年的数相差 {} 万元：{}",
                    st.written,
                    crate::amount::grouped(Amount::round(delta.abs())),
                    self.quote()
                ),
            )
        };
        r.findings
            .push(d.expected(expected).actual(st.written.clone()));
        Outcome::Checked
    }

    /// `years`: the two years' figures, the table's first (never empty).
    pub(super) fn rate(
        &self,
        st: &Statement,
        dir: Direction,
        item: usize,
        years: &[(Decimal, Decimal)],
        r: &mut TextReport,
    ) -> Outcome {
        let (prior, cur) = years[0];
        let label = &self.item(item).label;
        if prior.is_zero() {
            r.findings.push(
                self.finding(
                    &RATE_FROM_ZERO,
                    format!(
                        "{label}上年为 0，增长率无从计算，不宜写“{}”：{}",
                        st.written,
                        self.quote()
                    ),
                )
                .expected("上年为 0，不写增长率（可写“为新增”）")
                .actual(st.written.clone())
                .hint("上年为 0 的项目可写“为新增”"),
            );
            return Outcome::Checked;
        }
        let rate_of = |&(p, c): &(Decimal, Decimal)| -> Option<Decimal> {
            (!p.is_zero()).then(|| (c - p) * Decimal::ONE_HUNDRED / p)
        };
        let within = Decimal::new(5, st.decimals + 1) + Decimal::new(1, 6);
        let fits = |x: Decimal| {
            (x.is_zero() || x.is_sign_negative() == (dir == Direction::Down))
                && (st.value - x.abs()).abs() <= within
        };
        if years.iter().filter_map(rate_of).any(fits) {
            return Outcome::Checked;
        }
        let rate = rate_of(&(prior, cur)).unwrap_or_default();
        let direction_ok = years
            .iter()
            .filter_map(rate_of)
            .any(|x| x.is_zero() || x.is_sign_negative() == (dir == Direction::Down));
        let d = if direction_ok {
            let shown = rate.abs().round_dp_with_strategy(
                st.decimals.max(1),
                rust_decimal::RoundingStrategy::MidpointAwayFromZero,
            );
            self.finding(
                &RATE,
                format!(
                    "说明写{label}变动 {}，按两年的数算为 {shown}%：{}",
                    st.written,
                    self.quote()
                ),
            )
            .expected(format!("{shown}%"))
        } else {
            self.wrong_direction(label, rate, dir, ("增长", "下降"))
        };
        r.findings.push(d.actual(st.written.clone()));
        Outcome::Checked
    }

    pub(super) fn count(&self, st: &Statement, r: &mut TextReport) -> (Outcome, Option<usize>) {
        let unit_len = st.written.chars().next_back().map_or(0, char::len_utf8);
        let after = &self.s.norm[st.end - unit_len..];
        let Some(&(_, item)) = self
            .dict
            .counts
            .iter()
            .find(|(w, _)| after.starts_with(w.as_str()))
        else {
            return (Outcome::Untied, None);
        };
        let it = self.item(item);
        let Some(n) = it.count else {
            return (Outcome::Untied, None);
        };
        if st.value != Decimal::from(n) {
            r.findings.push(
                self.finding(
                    &COUNT,
                    format!(
                        "说明写{} {}，表中为 {n}：{}",
                        it.label,
                        st.written,
                        self.quote()
                    ),
                )
                .expected(n.to_string())
                .actual(st.value.to_string()),
            );
        }
        (Outcome::Checked, Some(item))
    }

    /// 持平 where the two years differ.
    pub(super) fn same(
        &self,
        stmts: &[Statement],
        mentions: &[Mention],
        topic: Option<usize>,
        r: &mut TextReport,
    ) {
        let mut from = 0;
        while let Some(i) = self.s.norm[from..].find("持平") {
            let at = from + i;
            from = at + "持平".len();
            r.statements += 1;
            let probe = Statement {
                kind: Kind::Change(Direction::Up),
                value: Decimal::ZERO,
                unit: Unit::Wan,
                decimals: 2,
                start: at,
                end: at,
                other_year: false,
                written: "持平".into(),
            };
            let mut before: Vec<Statement> =
                stmts.iter().filter(|s| s.end <= at).cloned().collect();
            before.push(probe);
            let item = Self::items_of(&self.s.norm, &before, mentions, topic)
                .pop()
                .flatten();
            before.pop();
            let years = item
                .map(|i| self.years(i, &before))
                .filter(|y| !y.is_empty());
            r.list.push(StatementInfo {
                text: self.text.name.clone(),
                paragraph: self.s.paragraph + 1,
                written: "持平".into(),
                kind: "持平",
                item: item.map(|i| self.item(i).label.clone()),
                outcome: match (item, &years) {
                    (None, _) => "未对应",
                    (Some(_), None) => "未核对",
                    _ => "核对",
                },
            });
            let (Some(item), Some(years)) = (item, years) else {
                r.unchecked += 1;
                continue;
            };
            r.checked += 1;
            let (prior, cur) = years[0];
            if years.iter().all(|(p, c)| p != c) {
                let label = &self.item(item).label;
                let delta = cur - prior;
                let actual = change_in_wan(delta);
                r.findings.push(
                    self.finding(
                        &SAME,
                        format!(
                            "说明写{label}“持平”，两年的数实际{actual}：{}",
                            self.quote()
                        ),
                    )
                    .expected(actual)
                    .actual("持平"),
                );
            }
        }
    }
}

/// A change as findings print it: `减少24,701.58 万元`.
/// Figures written with full-width digits (`１２`) and half-width digits or
/// point (`1２.5`) in one: the reader sees two sizes in one number. A list
/// number's full-width point (`8．2024年`) is no such figure.
pub(super) fn mixed_widths(text: &str) -> Vec<String> {
    let full = |c: char| ('０'..='９').contains(&c);
    let half = |c: char| c.is_ascii_digit() || c == '.';
    let mut out = Vec::new();
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if full(c) || half(c) || c == '．' {
            run.push(c);
            continue;
        }
        if run.chars().any(full) && run.chars().any(|c| c.is_ascii_digit()) {
            out.push(run.clone());
        }
        run.clear();
    }
    out
}

/// `text` without the leader dots of a table of contents: a run of four or
/// more `…` or `.` and the page number after it.
pub(super) fn without_leaders(text: &str) -> String {
    let mut out = String::new();
    let mut run = String::new();
    for c in text.chars() {
        if matches!(c, '…' | '.' | '·') {
            run.push(c);
            continue;
        }
        if run.chars().count() < 4 {
            out.push_str(&run);
        }
        run.clear();
        out.push(c);
    }
    if run.chars().count() < 4 {
        out.push_str(&run);
    }
    out
}

pub(super) fn change_in_wan(delta: Decimal) -> String {
    format!(
        "{}{} 万元",
        word(delta),
        crate::amount::grouped(Amount::round(delta.abs()))
    )
}

pub(super) fn word(delta: Decimal) -> &'static str {
    if delta.is_sign_negative() {
        "减少"
    } else {
        "增加"
    }
}

pub(super) enum Outcome {
    Checked,
    Untied,
    Unchecked,
}
