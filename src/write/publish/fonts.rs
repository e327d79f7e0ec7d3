//! The fonts of the publication document: the official ones when the machine
//! has them (仿宋 for body text, 黑体 for headings, 宋体 for tables, as
//! published documents use), otherwise a free CJK font (Noto Serif/Sans CJK,
//! WenQuanYi, Droid Sans Fallback). Found by file name in the usual font
//! folders (and `BUDGET_TABLES_FONTS`), read once, measured with skrifa.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use skrifa::instance::{LocationRef, Size};
use skrifa::raw::FileRef;
use skrifa::string::StringId;
use skrifa::{FontRef, MetadataProvider};

/// What a font is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// 正文 (仿宋).
    Body,
    /// 标题 (黑体).
    Heading,
    /// 表格 (宋体).
    Table,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Body, Role::Heading, Role::Table];

    /// The role's name and the official font it asks for.
    pub fn label(self) -> &'static str {
        match self {
            Role::Body => "正文（仿宋）",
            Role::Heading => "标题（黑体）",
            Role::Table => "表格（宋体）",
        }
    }

    /// File names of the official font, then of free fonts of the same style.
    fn candidates(self) -> &'static [&'static str] {
        match self {
            Role::Body => &[
                "simfang.ttf",
                "fangsong_gb2312.ttf",
                "仿宋_gb2312.ttf",
                "fs_gb2312.ttf",
                "stfangso.ttf",
                "notoserifcjk-regular.ttc",
                "notoserifcjksc-regular.otf",
            ],
            Role::Heading => &[
                "simhei.ttf",
                "stheiti.ttf",
                "notosanscjk-bold.ttc",
                "notosanscjksc-bold.otf",
                "notosanscjk-regular.ttc",
                "notosanscjksc-regular.otf",
                "notoserifcjk-bold.ttc",
            ],
            Role::Table => &[
                "simsun.ttc",
                "simsun.ttf",
                "stsong.ttf",
                "notoserifcjk-regular.ttc",
                "notoserifcjksc-regular.otf",
            ],
        }
    }
}

/// Free fonts any role falls back to, in order.
const FALLBACK: &[&str] = &[
    "notoserifcjk-regular.ttc",
    "notosanscjk-regular.ttc",
    "notoserifcjksc-regular.otf",
    "notosanscjksc-regular.otf",
    "wqy-zenhei.ttc",
    "wqy-microhei.ttc",
    "droidsansfallbackfull.ttf",
    "droidsansfallback.ttf",
];

/// One face of a font file, its data shared.
#[derive(Clone)]
pub struct Face {
    pub data: Arc<Vec<u8>>,
    pub index: u32,
    pub file: PathBuf,
    /// Its family name (`FangSong`, `Noto Serif CJK SC`).
    pub family: String,
    units_per_em: f32,
}

impl Face {
    fn font(&self) -> Option<FontRef<'_>> {
        FontRef::from_index(&self.data, self.index).ok()
    }
}

/// The faces of the three roles, each with its fallback.
pub struct Fonts {
    faces: Vec<Face>,
    role: HashMap<Role, usize>,
    /// Each character's glyph per face: its id and advance in em (none:
    /// the face has no glyph for it), looked up once.
    glyphs: std::sync::Mutex<GlyphCache>,
}

/// A face's glyphs by character, as [`Fonts`] caches them.
type GlyphCache = HashMap<(usize, char), Option<(u32, f32)>>;

/// No CJK font on the machine.
#[derive(Debug, thiserror::Error)]
#[error("没有找到中文字体：请安装仿宋、黑体、宋体（Windows 自带 simfang.ttf、simhei.ttf、simsun.ttc），或免费的 Noto CJK 字体（Debian/Ubuntu：sudo apt install fonts-noto-cjk），或用环境变量 BUDGET_TABLES_FONTS 指向存放字体的文件夹")]
pub struct NoFont;

impl Fonts {
    /// The fonts of this machine.
    ///
    /// # Errors
    /// [`NoFont`] when neither an official nor a free CJK font is installed.
    pub fn find() -> Result<Fonts, NoFont> {
        let files = font_files(&search_dirs());
        let mut faces: Vec<Face> = Vec::new();
        let mut loaded: HashMap<String, usize> = HashMap::new();
        let mut load = |name: &str, faces: &mut Vec<Face>| -> Option<usize> {
            if let Some(&i) = loaded.get(name) {
                return Some(i);
            }
            let face = files.get(name).and_then(|p| load_face(p))?;
            faces.push(face);
            loaded.insert(name.to_string(), faces.len() - 1);
            Some(faces.len() - 1)
        };
        let mut role = HashMap::new();
        for r in Role::ALL {
            let found = r
                .candidates()
                .iter()
                .chain(FALLBACK)
                .find_map(|n| load(n, &mut faces));
            role.insert(r, found.ok_or(NoFont)?);
        }
        for n in FALLBACK {
            load(n, &mut faces);
        }
        Ok(Fonts {
            faces,
            role,
            glyphs: Default::default(),
        })
    }

    /// This machine's fonts, found and read once per process (a batch
    /// publishes many departments; the CJK font files are tens of megabytes).
    ///
    /// # Errors
    /// [`NoFont`], as [`Fonts::find`]; it is looked for again next time.
    pub fn shared() -> Result<&'static Fonts, NoFont> {
        static FONTS: std::sync::OnceLock<Fonts> = std::sync::OnceLock::new();
        if let Some(f) = FONTS.get() {
            return Ok(f);
        }
        let found = Fonts::find()?;
        Ok(FONTS.get_or_init(|| found))
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, GlyphCache> {
        self.glyphs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The glyph of `c` in face `i`, looked up on first use.
    fn glyph(&self, cache: &mut GlyphCache, i: usize, c: char) -> Option<(u32, f32)> {
        *cache.entry((i, c)).or_insert_with(|| {
            let face = &self.faces[i];
            let f = face.font()?;
            let g = f.charmap().map(c)?;
            let advance = f
                .glyph_metrics(Size::unscaled(), LocationRef::default())
                .advance_width(g)
                .map_or(fallback_advance(c), |a| a / face.units_per_em);
            Some((g.to_u32(), advance))
        })
    }

    /// Whether face `i` has a glyph for every character of `text`.
    fn covers(&self, i: usize, text: &str) -> bool {
        let mut cache = self.cache();
        text.chars()
            .all(|c| c.is_whitespace() || self.glyph(&mut cache, i, c).is_some())
    }

    /// The face a role's text is set in: its own when it covers `text`, else
    /// the first that does.
    pub fn face_for(&self, role: Role, text: &str) -> usize {
        let own = self.role[&role];
        if self.covers(own, text) {
            return own;
        }
        (0..self.faces.len())
            .find(|&i| self.covers(i, text))
            .unwrap_or(own)
    }

    pub fn face(&self, i: usize) -> &Face {
        &self.faces[i]
    }

    pub fn role_face(&self, role: Role) -> &Face {
        &self.faces[self.role[&role]]
    }

    /// The width of `text` in face `i` at `size` points.
    pub fn width(&self, i: usize, text: &str, size: f32) -> f32 {
        let mut cache = self.cache();
        let em: f32 = text
            .chars()
            .map(|c| {
                self.glyph(&mut cache, i, c)
                    .map_or(fallback_advance(c), |g| g.1)
            })
            .sum();
        em * size
    }

    /// The glyphs of `text` in face `i`, one per character: its glyph id (0,
    /// the missing glyph, where the face has none), advance in em and byte range.
    pub fn glyphs(&self, i: usize, text: &str) -> Vec<(u32, f32, std::ops::Range<usize>)> {
        let mut cache = self.cache();
        text.char_indices()
            .map(|(at, c)| {
                let (id, advance) = self
                    .glyph(&mut cache, i, c)
                    .unwrap_or((0, fallback_advance(c)));
                (id, advance, at..at + c.len_utf8())
            })
            .collect()
    }

    /// Which file and family each role uses, for the message after writing.
    pub fn describe(&self) -> Vec<String> {
        Role::ALL
            .iter()
            .map(|&r| {
                let f = self.role_face(r);
                format!("{}：{}（{}）", r.label(), f.family, f.file.display())
            })
            .collect()
    }
}

/// A missing glyph's width: a CJK character is square, anything else half.
fn fallback_advance(c: char) -> f32 {
    if crate::text::display_width(&c.to_string()) >= 2 {
        1.0
    } else {
        0.5
    }
}

/// Where fonts are looked for: `BUDGET_TABLES_FONTS` first, then the
/// system's and the user's font folders.
fn search_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("BUDGET_TABLES_FONTS")
        .map(|v| std::env::split_paths(&v).collect())
        .unwrap_or_default();
    if let Some(w) = std::env::var_os("WINDIR") {
        dirs.push(Path::new(&w).join("Fonts"));
    }
    if let Some(l) = std::env::var_os("LOCALAPPDATA") {
        dirs.push(
            Path::new(&l)
                .join("Microsoft")
                .join("Windows")
                .join("Fonts"),
        );
    }
    if let Some(h) = std::env::var_os("HOME") {
        dirs.push(Path::new(&h).join(".local/share/fonts"));
        dirs.push(Path::new(&h).join(".fonts"));
    }
    dirs.push("/usr/share/fonts".into());
    dirs.push("/usr/local/share/fonts".into());
    dirs.push("/System/Library/Fonts".into());
    dirs.push("/Library/Fonts".into());
    dirs
}

/// Font files by lower-case file name, the first found of each name kept
/// (folders in order, entries sorted: the same machine gives the same fonts).
fn font_files(dirs: &[PathBuf]) -> HashMap<String, PathBuf> {
    let mut out = HashMap::new();
    for d in dirs {
        walk(d, 0, &mut out);
    }
    out
}

fn walk(dir: &Path, depth: u32, out: &mut HashMap<String, PathBuf>) {
    // Font folders are shallow; a deep or looping tree is not walked further.
    if depth > 5 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            walk(&p, depth + 1, out);
        } else if let Some(name) = p.file_name().and_then(|n| n.to_str()) {
            out.entry(name.to_lowercase()).or_insert(p);
        }
    }
}

/// The face of a file to set Chinese in: a collection's Simplified Chinese
/// face (`… SC`) when it has several, else its first.
fn load_face(path: &Path) -> Option<Face> {
    // A font over 64 MiB is not a font this document needs.
    if std::fs::metadata(path).ok()?.len() > 64 << 20 {
        return None;
    }
    let data = Arc::new(std::fs::read(path).ok()?);
    let (index, family, upem) = {
        let count = match FileRef::new(&data).ok()? {
            FileRef::Font(_) => 1,
            FileRef::Collection(c) => c.len(),
        };
        let named: Vec<(u32, String)> = (0..count)
            .filter_map(|i| {
                let f = FontRef::from_index(&data, i).ok()?;
                let family = f
                    .localized_strings(StringId::FAMILY_NAME)
                    .english_or_first()
                    .map(|s| s.to_string())
                    .unwrap_or_default();
                Some((i, family))
            })
            .collect();
        let (index, family) = named
            .iter()
            .find(|(_, f)| f.ends_with(" SC"))
            .or_else(|| named.first())?
            .clone();
        let f = FontRef::from_index(&data, index).ok()?;
        f.charmap().map('中')?;
        let upem = f
            .metrics(Size::unscaled(), LocationRef::default())
            .units_per_em;
        (index, family, f32::from(upem))
    };
    Some(Face {
        data,
        index,
        file: path.to_path_buf(),
        family,
        units_per_em: upem.max(1.0),
    })
}
