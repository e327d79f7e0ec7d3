//! What a PDF page draws, as the reader needs it: each glyph with its text,
//! box and size, and each straight line (a table's ruling), in the page's
//! own coordinates with the origin at the top left (rotation applied). The
//! content is interpreted by hayro; images are never decoded.

use hayro_interpret::font::GlyphRun;
use hayro_interpret::hayro_cmap::BfString;
use hayro_interpret::{
    interpret_page, BlendMode, ClipPath, Context, Device, DrawMode, DrawProps, Image,
    ImageDrawProps, InterpreterCache, InterpreterSettings, SoftMask,
};
use kurbo::{Affine, BezPath, PathEl, Point, Rect};

/// One glyph drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    /// Its text (one character, seldom a ligature's several).
    pub text: String,
    /// Left edge, right edge (after its advance) and baseline, in points.
    pub x0: f32,
    pub x1: f32,
    pub y: f32,
    /// The font size, in points.
    pub size: f32,
}

impl Glyph {
    /// The middle of its box.
    pub fn center(&self) -> (f32, f32) {
        ((self.x0 + self.x1) / 2.0, self.y - self.size * 0.38)
    }
}

/// A straight line drawn along an axis (a stroke, or a filled rectangle thin
/// enough to be one): horizontal when `y0 == y1`, vertical when `x0 == x1`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl Segment {
    pub fn horizontal(&self) -> bool {
        self.y0 == self.y1
    }
}

/// One page's glyphs and lines.
#[derive(Debug, Clone, Default)]
pub struct PageContent {
    pub width: f32,
    pub height: f32,
    /// From these coordinates back to the page's own (PDF user space).
    pub to_user: [f64; 6],
    pub glyphs: Vec<Glyph>,
    pub segments: Vec<Segment>,
}

/// The thickest a filled rectangle may be to count as a line, in points.
const LINE_THICKNESS: f64 = 2.5;

struct Collector {
    page: PageContent,
    /// Glyphs a page may still draw (the workbook-wide budget of cells).
    room: usize,
}

impl Collector {
    fn line(&mut self, a: Point, b: Point) {
        let (dx, dy) = ((a.x - b.x).abs(), (a.y - b.y).abs());
        if dy < 0.5 && dx >= 1.0 {
            let y = ((a.y + b.y) / 2.0) as f32;
            self.page.segments.push(Segment {
                x0: a.x.min(b.x) as f32,
                y0: y,
                x1: a.x.max(b.x) as f32,
                y1: y,
            });
        } else if dx < 0.5 && dy >= 1.0 {
            let x = ((a.x + b.x) / 2.0) as f32;
            self.page.segments.push(Segment {
                x0: x,
                y0: a.y.min(b.y) as f32,
                x1: x,
                y1: a.y.max(b.y) as f32,
            });
        }
    }

    /// The straight sides of a stroked path.
    fn stroked(&mut self, path: &BezPath) {
        let (mut start, mut at) = (Point::ZERO, Point::ZERO);
        for el in path.elements() {
            match *el {
                PathEl::MoveTo(p) => {
                    start = p;
                    at = p;
                }
                PathEl::LineTo(p) => {
                    self.line(at, p);
                    at = p;
                }
                PathEl::QuadTo(_, p) | PathEl::CurveTo(_, _, p) => at = p,
                PathEl::ClosePath => {
                    self.line(at, start);
                    at = start;
                }
            }
        }
    }

    /// A filled path thin enough along one axis is a line along the other.
    fn filled(&mut self, path: &BezPath) {
        let b = kurbo::Shape::bounding_box(path);
        if b.height() <= LINE_THICKNESS && b.width() > b.height() {
            let y = (b.y0 + b.y1) / 2.0;
            self.line(Point::new(b.x0, y), Point::new(b.x1, y));
        } else if b.width() <= LINE_THICKNESS && b.height() > b.width() {
            let x = (b.x0 + b.x1) / 2.0;
            self.line(Point::new(x, b.y0), Point::new(x, b.y1));
        }
    }
}

impl<'a> Device<'a> for Collector {
    fn draw_path(&mut self, path: &BezPath, props: DrawProps<'a>, mode: &DrawMode) {
        if self.page.segments.len() >= super::guard::MAX_SEGMENTS {
            return;
        }
        let path = props.transform * path.clone();
        match mode {
            DrawMode::Stroke(_) | DrawMode::FillAndStroke(..) => self.stroked(&path),
            DrawMode::Fill(_) => self.filled(&path),
            DrawMode::Invisible => {}
        }
    }

    fn draw_rect(&mut self, rect: &Rect, props: DrawProps<'a>, mode: &DrawMode) {
        self.draw_path(&kurbo::Shape::to_path(rect, 0.1), props, mode);
    }

    fn push_clip_path(&mut self, _: &ClipPath) {}

    fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'a>>, _: BlendMode) {}

    fn draw_glyph_run(&mut self, run: &GlyphRun<'_, 'a>, props: DrawProps<'a>, _: &DrawMode) {
        for g in run.glyphs() {
            if self.room == 0 {
                return;
            }
            let text = match g.as_unicode() {
                Some(BfString::Char(c)) => c.to_string(),
                Some(BfString::String(s)) => s,
                None => continue,
            };
            let t: Affine = props.transform * g.transform();
            let origin = t * Point::ZERO;
            // A glyph's unit is a thousandth of its em.
            let up = t * Point::new(0.0, 1000.0);
            let size = (up - origin).hypot();
            let advance = match &**g {
                hayro_interpret::font::Glyph::Outline(o) => o.advance_width(),
                hayro_interpret::font::Glyph::Type3(t3) => t3.advance_width(),
            };
            let wide = text.chars().any(crate::text::is_wide);
            let right = match advance.filter(|a| *a > 0.0) {
                Some(a) => (t * Point::new(f64::from(a), 0.0)).x,
                None => origin.x + size * if wide { 1.0 } else { 0.5 },
            };
            if !origin.x.is_finite() || !origin.y.is_finite() || !size.is_finite() {
                continue;
            }
            self.room -= 1;
            self.page.glyphs.push(Glyph {
                text,
                x0: origin.x.min(right) as f32,
                x1: origin.x.max(right) as f32,
                y: origin.y as f32,
                size: size as f32,
            });
        }
    }

    fn draw_image(&mut self, _: Image<'a, '_>, _: ImageDrawProps<'a>) {}

    fn pop_clip(&mut self) {}

    fn pop_transparency_group(&mut self) {}
}

/// How far back a glyph's overprint is looked for: a producer draws the
/// twin right after the glyph, or the whole line again.
const OVERPRINT_WINDOW: usize = 256;

/// Glyphs with a twin drawn again a hair beside them (a producer's fake
/// bold: the same character printed two or three times slightly offset)
/// kept once, so a bold title does not read `部部门门`.
fn without_overprint(glyphs: Vec<Glyph>) -> Vec<Glyph> {
    let mut out: Vec<Glyph> = Vec::with_capacity(glyphs.len());
    for g in glyphs {
        // Overprints are drawn right after the glyph or after the line.
        let twin = out.iter().rev().take(OVERPRINT_WINDOW).any(|o| {
            o.text == g.text
                && !g.text.trim().is_empty()
                && (o.x0 - g.x0).abs() < 0.15 * g.size.max(1.0)
                && (o.y - g.y).abs() < 0.15 * g.size.max(1.0)
        });
        if !twin {
            out.push(g);
        }
    }
    out
}

/// The content of every page of `pdf`, at most `room` glyphs in all.
pub(crate) fn pages(pdf: &hayro_syntax::Pdf, room: usize) -> (Vec<PageContent>, bool) {
    let cache = InterpreterCache::new();
    let settings = InterpreterSettings {
        // Annotations (stamps, comments) are not the document's text.
        render_content: hayro_interpret::RenderContent::PAGE,
        ..InterpreterSettings::default()
    };
    let mut out = Vec::new();
    let mut room = room;
    for page in pdf.pages().iter() {
        crate::cancel::checkpoint();
        let (w, h) = page.render_dimensions();
        let initial = Affine::new(page.initial_transform(true).as_coeffs());
        let mut ctx = Context::new(
            initial,
            Rect::new(0.0, 0.0, f64::from(w), f64::from(h)),
            &cache,
            pdf.xref(),
            settings.clone(),
        );
        let mut c = Collector {
            page: PageContent {
                width: w,
                height: h,
                to_user: initial.inverse().as_coeffs(),
                ..PageContent::default()
            },
            room,
        };
        interpret_page(page, &mut ctx, &mut c);
        room = c.room;
        c.page.glyphs = without_overprint(c.page.glyphs);
        out.push(c.page);
        if room == 0 {
            return (out, false);
        }
    }
    (out, true)
}
