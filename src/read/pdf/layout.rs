//! A page's glyphs and lines made into what a reader sees: the tables (a grid
//! from the ruling lines, each cell's text, the cells a missing line merges)
//! and the lines of text outside them.

use super::extract::{Glyph, PageContent, Segment};

/// How close two positions are to be one (a line drawn twice, a cell's
/// border slightly off), in points.
const SNAP: f32 = 2.0;

/// A table found on a page: its grid and each merged cell's text.
#[derive(Debug, Clone)]
pub struct Grid {
    /// The column boundaries, left to right, and the row boundaries, top to bottom.
    pub xs: Vec<f32>,
    pub ys: Vec<f32>,
    /// Each cell of the grid: the region it belongs to.
    pub region: Vec<Vec<usize>>,
    /// Each region: its first and last row and column, and its text.
    pub regions: Vec<Region>,
}

/// Cells joined where no line parts them.
#[derive(Debug, Clone, Default)]
pub struct Region {
    pub rows: (usize, usize),
    pub cols: (usize, usize),
    pub text: String,
}

impl Grid {
    pub fn top(&self) -> f32 {
        self.ys[0]
    }

    pub fn bottom(&self) -> f32 {
        self.ys[self.ys.len() - 1]
    }

    pub fn left(&self) -> f32 {
        self.xs[0]
    }

    pub fn right(&self) -> f32 {
        self.xs[self.xs.len() - 1]
    }

    pub fn contains(&self, (x, y): (f32, f32)) -> bool {
        x >= self.left() && x <= self.right() && y >= self.top() && y <= self.bottom()
    }

    /// The row and column count.
    pub fn size(&self) -> (usize, usize) {
        (self.ys.len() - 1, self.xs.len() - 1)
    }

    /// The text of the region at cell (`r`, `c`), if it starts there.
    pub fn text_at(&self, r: usize, c: usize) -> Option<&str> {
        let g = &self.regions[self.region[r][c]];
        (g.rows.0 == r && g.cols.0 == c).then_some(g.text.as_str())
    }

    /// Where each of this grid's column boundaries stands among `other`'s,
    /// when its columns are `other`'s or some of them joined (a table going
    /// on over a page whose only row is a 合计 across the code columns).
    pub fn columns_within(&self, other: &Grid) -> Option<Vec<usize>> {
        let at = |x: f32| other.xs.iter().position(|o| (o - x).abs() <= 3.0 * SNAP);
        let map: Vec<usize> = self.xs.iter().map(|x| at(*x)).collect::<Option<_>>()?;
        let whole = map.first() == Some(&0) && map.last() == Some(&(other.xs.len() - 1));
        whole.then_some(map)
    }
}

/// A line of text outside the tables, in pieces parted by wide gaps.
#[derive(Debug, Clone)]
pub struct TextLine {
    pub y: f32,
    pub x0: f32,
    pub x1: f32,
    pub size: f32,
    /// (left, right, text) of each piece, left to right.
    pub pieces: Vec<(f32, f32, String)>,
}

impl TextLine {
    /// The whole line's text, its pieces joined by a space.
    pub fn text(&self) -> String {
        self.pieces
            .iter()
            .map(|(_, _, t)| t.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// What a page shows: its tables (top to bottom) and its other lines.
#[derive(Debug, Clone, Default)]
pub struct PageLayout {
    pub width: f32,
    pub height: f32,
    pub to_user: [f64; 6],
    pub grids: Vec<Grid>,
    pub lines: Vec<TextLine>,
}

/// Finds the tables and lines of a page.
pub fn page(p: &PageContent) -> PageLayout {
    let grids = grids(&p.segments);
    let mut in_table: Vec<Vec<&Glyph>> = vec![Vec::new(); grids.len()];
    let mut outside: Vec<&Glyph> = Vec::new();
    for g in &p.glyphs {
        match grids.iter().position(|t| t.contains(g.center())) {
            Some(i) => in_table[i].push(g),
            None => outside.push(g),
        }
    }
    let grids = grids
        .into_iter()
        .zip(in_table)
        .map(|(mut t, glyphs)| {
            fill(&mut t, &glyphs);
            t
        })
        .collect();
    PageLayout {
        width: p.width,
        height: p.height,
        to_user: p.to_user,
        grids,
        lines: lines(&outside),
    }
}

/// Lines drawn at one place, merged: horizontal ones by their y, vertical by x.
fn merged(mut segs: Vec<Segment>, horizontal: bool) -> Vec<Segment> {
    let key = |s: &Segment| {
        if horizontal {
            (s.y0, s.x0)
        } else {
            (s.x0, s.y0)
        }
    };
    segs.sort_by(|a, b| {
        key(a)
            .partial_cmp(&key(b))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut out: Vec<Segment> = Vec::new();
    for s in segs {
        if let Some(last) = out.last_mut() {
            let (same_line, touches) = if horizontal {
                ((s.y0 - last.y0).abs() <= SNAP / 2.0, s.x0 <= last.x1 + SNAP)
            } else {
                ((s.x0 - last.x0).abs() <= SNAP / 2.0, s.y0 <= last.y1 + SNAP)
            };
            if same_line && touches {
                if horizontal {
                    last.x1 = last.x1.max(s.x1);
                } else {
                    last.y1 = last.y1.max(s.y1);
                }
                continue;
            }
        }
        out.push(s);
    }
    out
}

/// The tables a page's lines draw: each set of lines that cross one
/// another, with at least two across and two down.
fn grids(segments: &[Segment]) -> Vec<Grid> {
    let hs = merged(
        segments
            .iter()
            .copied()
            .filter(Segment::horizontal)
            .collect(),
        true,
    );
    let vs = merged(
        segments
            .iter()
            .copied()
            .filter(|s| !s.horizontal())
            .collect(),
        false,
    );
    // Sets of lines that touch, by union–find over all of them.
    let n = hs.len() + vs.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    // Vertical lines by x, so each horizontal one meets only those in its span.
    let mut by_x: Vec<usize> = (0..vs.len()).collect();
    by_x.sort_by(|&a, &b| {
        vs[a]
            .x0
            .partial_cmp(&vs[b].x0)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    for (hi, h) in hs.iter().enumerate() {
        let from = by_x.partition_point(|&v| vs[v].x0 < h.x0 - SNAP);
        for &vi in &by_x[from..] {
            let v = &vs[vi];
            if v.x0 > h.x1 + SNAP {
                break;
            }
            if h.y0 >= v.y0 - SNAP && h.y0 <= v.y1 + SNAP {
                let (a, b) = (root(&mut parent, hi), root(&mut parent, hs.len() + vi));
                parent[a] = b;
            }
        }
    }
    let mut sets: std::collections::BTreeMap<usize, (Vec<Segment>, Vec<Segment>)> =
        std::collections::BTreeMap::new();
    for (i, h) in hs.iter().enumerate() {
        sets.entry(root(&mut parent, i)).or_default().0.push(*h);
    }
    for (i, v) in vs.iter().enumerate() {
        sets.entry(root(&mut parent, hs.len() + i))
            .or_default()
            .1
            .push(*v);
    }
    let mut out: Vec<Grid> = sets
        .into_values()
        .filter(|(h, v)| h.len() >= 2 && v.len() >= 2)
        .filter_map(|(h, v)| grid(&h, &v))
        .collect();
    out.sort_by(|a, b| {
        a.top()
            .partial_cmp(&b.top())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    out
}

/// Positions within [`SNAP`] of each other as one, in order.
fn clusters(mut v: Vec<f32>) -> Vec<f32> {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let mut out: Vec<(f32, usize)> = Vec::new();
    for x in v {
        match out.last_mut() {
            Some((sum, n)) if x - *sum / *n as f32 <= SNAP => {
                *sum += x;
                *n += 1;
            }
            _ => out.push((x, 1)),
        }
    }
    out.into_iter().map(|(s, n)| s / n as f32).collect()
}

/// The grid of one table: its boundaries, and which cells no line parts.
fn grid(hs: &[Segment], vs: &[Segment]) -> Option<Grid> {
    let xs = clusters(vs.iter().map(|v| v.x0).collect());
    let ys = clusters(hs.iter().map(|h| h.y0).collect());
    if xs.len() < 2 || ys.len() < 2 {
        return None;
    }
    let (rows, cols) = (ys.len() - 1, xs.len() - 1);
    // Whether a line is drawn at `at` (x of a vertical, y of a horizontal)
    // through the point `through` along it.
    let drawn = |lines: &[Segment], vertical: bool, at: f32, through: f32| {
        lines.iter().any(|s| {
            let (pos, from, to) = if vertical {
                (s.x0, s.y0, s.y1)
            } else {
                (s.y0, s.x0, s.x1)
            };
            (pos - at).abs() <= SNAP && through >= from - SNAP && through <= to + SNAP
        })
    };
    let mut parent: Vec<usize> = (0..rows * cols).collect();
    fn root(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    for r in 0..rows {
        let mid_y = (ys[r] + ys[r + 1]) / 2.0;
        for c in 0..cols {
            let mid_x = (xs[c] + xs[c + 1]) / 2.0;
            if c + 1 < cols && !drawn(vs, true, xs[c + 1], mid_y) {
                let (a, b) = (
                    root(&mut parent, r * cols + c),
                    root(&mut parent, r * cols + c + 1),
                );
                parent[a] = b;
            }
            if r + 1 < rows && !drawn(hs, false, ys[r + 1], mid_x) {
                let (a, b) = (
                    root(&mut parent, r * cols + c),
                    root(&mut parent, (r + 1) * cols + c),
                );
                parent[a] = b;
            }
        }
    }
    let mut index: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    let mut regions: Vec<Region> = Vec::new();
    let mut region = vec![vec![0usize; cols]; rows];
    for (r, row) in region.iter_mut().enumerate() {
        for (c, slot) in row.iter_mut().enumerate() {
            let k = root(&mut parent, r * cols + c);
            let i = *index.entry(k).or_insert_with(|| {
                regions.push(Region {
                    rows: (r, r),
                    cols: (c, c),
                    text: String::new(),
                });
                regions.len() - 1
            });
            let g = &mut regions[i];
            g.rows = (g.rows.0.min(r), g.rows.1.max(r));
            g.cols = (g.cols.0.min(c), g.cols.1.max(c));
            *slot = i;
        }
    }
    Some(Grid {
        xs,
        ys,
        region,
        regions,
    })
}

/// The index of the band of `bounds` that holds `v`.
fn band(bounds: &[f32], v: f32) -> usize {
    bounds
        .partition_point(|b| *b <= v)
        .saturating_sub(1)
        .min(bounds.len().saturating_sub(2))
}

/// Each region's text: its glyphs line by line, the lines joined.
fn fill(t: &mut Grid, glyphs: &[&Glyph]) {
    let mut per: Vec<Vec<&Glyph>> = vec![Vec::new(); t.regions.len()];
    for g in glyphs {
        let (x, y) = g.center();
        let (r, c) = (band(&t.ys, y), band(&t.xs, x));
        per[t.region[r][c]].push(g);
    }
    for (i, gs) in per.into_iter().enumerate() {
        t.regions[i].text = lines(&gs)
            .iter()
            .map(TextLine::text)
            .fold(String::new(), |acc, l| join_lines(&acc, &l));
    }
}

/// Two lines of one cell or paragraph joined: with no space where either
/// side is Chinese (a name wrapped at the cell's edge), else with one.
pub fn join_lines(a: &str, b: &str) -> String {
    let (a, b) = (a.trim_end(), b.trim_start());
    if a.is_empty() {
        return b.to_string();
    }
    let last = a.chars().next_back().unwrap_or(' ');
    let first = b.chars().next().unwrap_or(' ');
    let tight = crate::text::is_wide(last)
        || crate::text::is_wide(first)
        || last.is_ascii_digit() && (first.is_ascii_digit() || first == '.' || first == ',')
        || last == '.'
        || last == ','
        || last == '-';
    if tight {
        format!("{a}{b}")
    } else {
        format!("{a} {b}")
    }
}

/// Glyphs grouped into lines (by baseline), each split into pieces at gaps
/// wider than a few characters.
pub fn lines(glyphs: &[&Glyph]) -> Vec<TextLine> {
    let mut gs: Vec<&Glyph> = glyphs.to_vec();
    gs.sort_by(|a, b| {
        a.y.partial_cmp(&b.y)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.x0.partial_cmp(&b.x0).unwrap_or(std::cmp::Ordering::Equal))
    });
    let mut rows: Vec<Vec<&Glyph>> = Vec::new();
    for g in gs {
        match rows.last_mut() {
            Some(row) if (g.y - row[0].y).abs() <= 0.45 * row[0].size.max(g.size) => row.push(g),
            _ => rows.push(vec![g]),
        }
    }
    let mut out = Vec::new();
    for mut row in rows {
        row.sort_by(|a, b| a.x0.partial_cmp(&b.x0).unwrap_or(std::cmp::Ordering::Equal));
        let size = row.iter().map(|g| g.size).fold(0.0, f32::max);
        let mut pieces: Vec<(f32, f32, String)> = Vec::new();
        let mut prev: Option<&Glyph> = None;
        for g in &row {
            let blank = g.text.trim().is_empty();
            let gap = prev.map_or(f32::MAX, |p| g.x0 - p.x1);
            if prev.is_none() || gap > 2.5 * size {
                if blank {
                    continue;
                }
                pieces.push((g.x0, g.x1, String::new()));
            } else if blank {
                // A drawn space: kept once, dropped at a piece's ends.
                if let Some(p) = pieces.last_mut() {
                    if !p.2.ends_with(' ') {
                        p.2.push(' ');
                    }
                }
                prev = Some(g);
                continue;
            } else if gap > 0.3 * g.size {
                let p = pieces.last_mut().expect("a piece was started");
                let last = p.2.chars().next_back().unwrap_or(' ');
                let first = g.text.chars().next().unwrap_or(' ');
                if !p.2.ends_with(' ')
                    && !crate::text::is_wide(last)
                    && !crate::text::is_wide(first)
                {
                    p.2.push(' ');
                }
            }
            let p = pieces.last_mut().expect("a piece was started");
            p.1 = p.1.max(g.x1);
            p.2.push_str(&g.text);
            prev = Some(g);
        }
        for p in &mut pieces {
            p.2 = p.2.trim().to_string();
        }
        pieces.retain(|p| !p.2.is_empty());
        if pieces.is_empty() {
            continue;
        }
        out.push(TextLine {
            y: row[0].y,
            x0: pieces[0].0,
            x1: pieces.last().map_or(0.0, |p| p.1),
            size,
            pieces,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(y: f32, x0: f32, x1: f32) -> Segment {
        Segment {
            x0,
            y0: y,
            x1,
            y1: y,
        }
    }

    fn v(x: f32, y0: f32, y1: f32) -> Segment {
        Segment {
            x0: x,
            y0,
            x1: x,
            y1,
        }
    }

    fn glyph(text: &str, x: f32, y: f32) -> Glyph {
        Glyph {
            text: text.into(),
            x0: x,
            x1: x + 10.0,
            y,
            size: 10.0,
        }
    }

    #[test]
    fn a_missing_line_merges_cells_and_text_goes_to_its_cell() {
        // Three columns, two rows; the top row's first two cells are one.
        let segs = vec![
            h(0.0, 0.0, 300.0),
            h(20.0, 0.0, 300.0),
            h(40.0, 0.0, 300.0),
            v(0.0, 0.0, 40.0),
            v(100.0, 20.0, 40.0),
            v(200.0, 0.0, 40.0),
            v(300.0, 0.0, 40.0),
        ];
        let content = PageContent {
            width: 400.0,
            height: 400.0,
            to_user: [1.0, 0.0, 0.0, 1.0, 0.0, 0.0],
            glyphs: vec![
                glyph("项", 10.0, 15.0),
                glyph("目", 20.0, 15.0),
                glyph("金", 210.0, 15.0),
                glyph("1", 110.0, 35.0),
                glyph("2", 116.0, 35.0),
                glyph("页", 10.0, 380.0),
            ],
            segments: segs,
        };
        let p = page(&content);
        assert_eq!(p.grids.len(), 1);
        let g = &p.grids[0];
        assert_eq!(g.size(), (2, 3));
        assert_eq!(g.text_at(0, 0), Some("项目"));
        assert_eq!(g.text_at(0, 1), None);
        assert_eq!(g.regions[g.region[0][1]].cols, (0, 1));
        assert_eq!(g.text_at(0, 2), Some("金"));
        assert_eq!(g.text_at(1, 1), Some("12"));
        assert_eq!(p.lines.len(), 1);
        assert_eq!(p.lines[0].text(), "页");
    }

    #[test]
    fn wrapped_names_join_without_a_space() {
        assert_eq!(
            join_lines("机关事业单位基本养老保险缴", "费支出"),
            "机关事业单位基本养老保险缴费支出"
        );
        assert_eq!(join_lines("Total", "amount"), "Total amount");
        assert_eq!(join_lines("983", ".05万元"), "983.05万元");
    }
}
