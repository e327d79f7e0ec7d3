//! The classification catalogue (政府收支分类科目): code → name, shipped as
//! `templates/catalogue.csv` and replaceable, since the Ministry of Finance
//! revises it every year. Only pairs confirmed by a published source are shipped.

use std::collections::HashMap;
use std::path::Path;

use crate::text::norm;

#[derive(Debug, Clone, thiserror::Error)]
/// What went wrong reading a catalogue file (`--catalogue`).
pub enum CatalogueError {
    #[error("无法读取科目目录 {path}：{detail}")]
    /// The file could not be read.
    Read {
        /// The catalogue file.
        path: String,
        /// Why.
        detail: String,
    },
    #[error(
        "科目目录 {path} 第 {line} 行格式错误：{detail}；每行应为 code,name,level,year,source"
    )]
    /// A line is not `code,name,level,year,source`.
    Line {
        /// The catalogue file.
        path: String,
        /// Its line number, from 1.
        line: usize,
        /// What is wrong with the line.
        detail: String,
    },
}

/// One confirmed code–name pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The 科目编码 (`2010101`).
    pub code: String,
    /// The 科目名称 (`行政运行`).
    pub name: String,
    /// `类`, `款` or `项`.
    pub level: String,
    /// The year of the catalogue it was confirmed in.
    pub year: String,
    /// Where it was confirmed (a document or a published table).
    pub source: String,
}

#[derive(Debug, Clone, Default)]
/// The code↔name catalogue of the classification: the shipped one, or a bureau's year file.
pub struct Catalogue {
    entries: HashMap<String, Entry>,
    /// Its names as a written text is compared ([`crate::text::normalize`]),
    /// made once when first asked for.
    written: std::sync::OnceLock<std::collections::HashSet<String>>,
}

const BUILTIN: &str = include_str!("../templates/catalogue.csv");

impl Catalogue {
    /// The catalogue shipped under `templates/`.
    ///
    /// # Errors
    /// [`CatalogueError`] if the compiled-in file is malformed (a build defect).
    pub fn builtin() -> Result<Catalogue, CatalogueError> {
        Self::parsed_builtin().clone()
    }

    /// The shipped catalogue, parsed once per process: the checker, the
    /// reader's name links and the writer all start from it.
    fn parsed_builtin() -> &'static Result<Catalogue, CatalogueError> {
        static BUILTIN_PARSED: std::sync::OnceLock<Result<Catalogue, CatalogueError>> =
            std::sync::OnceLock::new();
        BUILTIN_PARSED.get_or_init(|| Self::parse("templates/catalogue.csv", BUILTIN))
    }

    /// A catalogue from a CSV file with the header `code,name,level,year,source`.
    ///
    /// # Errors
    /// [`CatalogueError`] when the file cannot be read or a line is malformed.
    pub fn from_path(path: &Path) -> Result<Catalogue, CatalogueError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| CatalogueError::Read {
            path: shown.clone(),
            detail: e.to_string(),
        })?;
        Self::parse(&shown, &text)
    }

    fn parse(path: &str, text: &str) -> Result<Catalogue, CatalogueError> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let mut entries = HashMap::new();
        for (i, rec) in rdr.records().enumerate() {
            let line = i + 2;
            let rec = rec.map_err(|e| CatalogueError::Line {
                path: path.into(),
                line,
                detail: e.to_string(),
            })?;
            let get = |k: usize| rec.get(k).unwrap_or_default().trim().to_string();
            let code = get(0);
            if code.is_empty() || !code.chars().all(|c| c.is_ascii_digit()) {
                return Err(CatalogueError::Line {
                    path: path.into(),
                    line,
                    detail: format!("科目编码“{code}”应只含数字"),
                });
            }
            let name = get(1);
            if name.is_empty() {
                return Err(CatalogueError::Line {
                    path: path.into(),
                    line,
                    detail: "缺少科目名称".into(),
                });
            }
            entries.insert(
                code.clone(),
                Entry {
                    code,
                    name,
                    level: get(2),
                    year: get(3),
                    source: get(4),
                },
            );
        }
        Ok(Catalogue {
            entries,
            written: Default::default(),
        })
    }

    /// This catalogue with a layout's own codes added (`catalogue` in its
    /// `layout.toml`): a code in both takes the layout's name.
    pub fn extended(&self, own: &Catalogue) -> Catalogue {
        let mut entries = self.entries.clone();
        entries.extend(own.entries.iter().map(|(k, v)| (k.clone(), v.clone())));
        Catalogue {
            entries,
            written: Default::default(),
        }
    }

    /// The catalogue for a layout: this one, with the layout's own codes
    /// when it has any.
    pub fn for_layout<'a>(&'a self, own: Option<&Catalogue>) -> std::borrow::Cow<'a, Catalogue> {
        match own {
            Some(own) => std::borrow::Cow::Owned(self.extended(own)),
            None => std::borrow::Cow::Borrowed(self),
        }
    }

    /// The entry of a code.
    pub fn get(&self, code: &str) -> Option<&Entry> {
        self.entries.get(code)
    }

    /// Every name of the catalogue.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.values().map(|e| e.name.as_str())
    }

    /// How many codes it holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds no code.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Economic codes (3xx, 5xx) by normalized name, for 表4's items.
    /// The shipped catalogue, parsed once (for the reader and the writers,
    /// which take no `--catalogue`).
    pub fn shared() -> Option<&'static Catalogue> {
        Self::parsed_builtin().as_ref().ok()
    }

    /// Its names in the form written texts are compared in, made once.
    pub fn written_names(&self) -> &std::collections::HashSet<String> {
        self.written
            .get_or_init(|| self.names().map(crate::text::normalize).collect())
    }

    /// The 类 (three-digit code) the catalogue names `name`, if one does.
    pub fn class_code_of(&self, name: &str) -> Option<&str> {
        let n = norm(name);
        let mut hits: Vec<&str> = self
            .entries
            .values()
            .filter(|e| e.code.len() == 3 && norm(&e.name) == n)
            .map(|e| e.code.as_str())
            .collect();
        hits.sort_unstable();
        hits.first().copied()
    }

    /// The 经济分类 款 code of an item known by name (`办公费` → `30201`).
    pub fn economic_code_of(&self, name: &str) -> Option<&str> {
        let n = norm(name);
        let mut hits: Vec<&str> = self
            .entries
            .values()
            .filter(|e| (e.code.starts_with('3') || e.code.starts_with('5')) && norm(&e.name) == n)
            .map(|e| e.code.as_str())
            .collect();
        hits.sort_unstable();
        hits.first().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_holds_every_code_of_the_sample() {
        let c = Catalogue::builtin().unwrap();
        for code in [
            "201", "20103", "2010301", "2210203", "30212", "30213", "303", "31002",
        ] {
            assert!(c.get(code).is_some(), "{code}");
        }
        assert_eq!(c.get("30212").unwrap().name, "因公出国（境）费用");
        assert_eq!(c.economic_code_of("因公出国(境)费用"), Some("30212"));
        assert_eq!(c.economic_code_of("住房公积金"), Some("30113"));
    }

    #[test]
    fn a_bad_line_names_its_number() {
        let err = Catalogue::parse(
            "x.csv",
            "code,name,level,year,source\n201,一般公共服务支出,类,2024,s\n2O1,x,类,2024,s\n",
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "科目目录 x.csv 第 3 行格式错误：科目编码“2O1”应只含数字；每行应为 code,name,level,year,source");
    }
}
