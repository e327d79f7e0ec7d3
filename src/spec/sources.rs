//! Where layouts come from. The built-in ones are compiled in; a bureau's
//! own sit beside them, loaded from folders: the one given with
//! `--templates`, those listed in the environment variable
//! [`ENV_VAR`], and the user's own layouts folder ([`user_folder`]), so the
//! web page, `batch` and a double-clicked program see them without flags.
//!
//! Each such folder is a layout folder (it holds `layout.toml`) or a folder
//! of layout folders. A layout id that two places both give is refused with
//! both named: which one a workbook is read with must never depend on the
//! order folders happen to be listed in.

use std::path::{Path, PathBuf};

use super::{SpecError, SpecSet, LAYOUT_FILE};

/// The environment variable listing folders of layouts (separated as
/// `PATH` is: `;` on Windows, `:` elsewhere).
pub const ENV_VAR: &str = "BUDGET_TABLES_LAYOUTS";

/// Where a loaded layout came from, as `budget-tables layouts` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Origin {
    /// Compiled into the program from `templates/`.
    #[default]
    Builtin,
    /// A folder given with `--templates`.
    Templates(PathBuf),
    /// A folder listed in [`ENV_VAR`].
    Env(PathBuf),
    /// The user's own layouts folder ([`user_folder`]).
    User(PathBuf),
}

impl Origin {
    /// The origin in the words of the output: `内置`, `--templates D`, …
    pub fn describe(&self) -> String {
        match self {
            Origin::Builtin => "内置".to_string(),
            Origin::Templates(p) => format!("--templates {}", p.display()),
            Origin::Env(p) => format!("环境变量 {ENV_VAR}（{}）", p.display()),
            Origin::User(p) => format!("用户版式目录 {}", p.display()),
        }
    }

    fn with_path(&self, p: PathBuf) -> Origin {
        match self {
            Origin::Builtin => Origin::Builtin,
            Origin::Templates(_) => Origin::Templates(p),
            Origin::Env(_) => Origin::Env(p),
            Origin::User(_) => Origin::User(p),
        }
    }
}

/// The user's own layouts folder: `%APPDATA%\budget-tables\layouts` on
/// Windows, `$XDG_CONFIG_HOME/budget-tables/layouts` (by default
/// `~/.config/budget-tables/layouts`) elsewhere. `None` when the system
/// names no such place.
pub fn user_folder() -> Option<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    let base = if cfg!(windows) {
        var("APPDATA")
    } else {
        var("XDG_CONFIG_HOME").or_else(|| var("HOME").map(|h| h.join(".config")))
    };
    base.map(|b| b.join("budget-tables").join("layouts"))
}

/// The folders layouts are looked for in, besides the built-in ones.
#[derive(Debug, Clone, Default)]
pub struct Places {
    /// `--templates`: must exist.
    pub templates: Option<PathBuf>,
    /// The folders of [`ENV_VAR`]: each must exist.
    pub env: Vec<PathBuf>,
    /// The user's folder: may be absent or empty.
    pub user: Option<PathBuf>,
}

impl Places {
    /// `--templates` with the folders the environment names.
    pub fn from_env(templates: Option<PathBuf>) -> Places {
        let env = std::env::var_os(ENV_VAR)
            .map(|v| {
                std::env::split_paths(&v)
                    .filter(|p| !p.as_os_str().is_empty())
                    .collect()
            })
            .unwrap_or_default();
        Places {
            templates,
            env,
            user: user_folder(),
        }
    }

    fn folders(&self) -> impl Iterator<Item = (Origin, bool)> + '_ {
        let given = self
            .templates
            .iter()
            .map(|p| (Origin::Templates(p.clone()), true));
        let env = self.env.iter().map(|p| (Origin::Env(p.clone()), true));
        let user = self
            .user
            .iter()
            .filter(|p| p.is_dir())
            .map(|p| (Origin::User(p.clone()), false));
        given.chain(env).chain(user)
    }
}

/// The layout folders at `dir`: `dir` itself when it holds `layout.toml`,
/// else each of its subfolders that does, in name order.
///
/// # Errors
/// [`SpecError::Io`] when `dir` cannot be read; [`SpecError::NoLayouts`]
/// when `must_hold` and it holds no layout at either depth.
pub fn layout_folders(dir: &Path, must_hold: bool) -> Result<Vec<PathBuf>, SpecError> {
    let io = |source| SpecError::Io {
        path: dir.display().to_string(),
        source,
    };
    if !dir.is_dir() {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "没有这个目录",
        )));
    }
    if dir.join(LAYOUT_FILE).is_file() {
        return Ok(vec![dir.to_path_buf()]);
    }
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let p = entry.map_err(io)?.path();
        if p.join(LAYOUT_FILE).is_file() {
            found.push(p);
        }
    }
    found.sort();
    if found.is_empty() && must_hold {
        return Err(SpecError::NoLayouts(dir.display().to_string()));
    }
    Ok(found)
}

/// Every layout: the built-in ones, then those of `places`, each marked
/// with its [`Origin`].
///
/// # Errors
/// [`SpecError`] when a folder or a layout in it cannot be loaded, or two
/// places give the same layout id ([`SpecError::Clash`]).
pub fn load_all(places: &Places) -> Result<Vec<SpecSet>, SpecError> {
    let mut all = SpecSet::builtin_all()?;
    let mut seen: Vec<PathBuf> = Vec::new();
    for (origin, must_hold) in places.folders() {
        let root = match &origin {
            Origin::Templates(p) | Origin::Env(p) | Origin::User(p) => p.clone(),
            Origin::Builtin => continue,
        };
        for dir in layout_folders(&root, must_hold)? {
            let same = std::fs::canonicalize(&dir).unwrap_or_else(|_| dir.clone());
            if seen.contains(&same) {
                continue;
            }
            seen.push(same);
            let mut set = SpecSet::from_dir(&dir)?;
            set.origin = origin.with_path(dir);
            if let Some(first) = all.iter().find(|s| s.layout.id == set.layout.id) {
                return Err(SpecError::Clash {
                    id: set.layout.id,
                    first: first.origin.describe(),
                    second: set.origin.describe(),
                });
            }
            all.push(set);
        }
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/toy-layout")
    }

    #[test]
    fn a_folder_of_layout_folders_adds_each_beside_the_builtin_ones() {
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("toy");
        std::fs::create_dir(&copy).unwrap();
        for f in std::fs::read_dir(toy()).unwrap() {
            let f = f.unwrap().path();
            std::fs::copy(&f, copy.join(f.file_name().unwrap())).unwrap();
        }
        std::fs::create_dir(dir.path().join("notes")).unwrap();
        let all = load_all(&Places {
            templates: Some(dir.path().to_path_buf()),
            ..Places::default()
        })
        .unwrap();
        let builtin = SpecSet::builtin_all().unwrap().len();
        assert_eq!(all.len(), builtin + 1);
        let last = all.last().unwrap();
        assert_eq!(last.layout.id, "toy-county");
        assert_eq!(last.origin, Origin::Templates(copy));
    }

    #[test]
    fn one_layout_given_twice_is_loaded_once_and_an_id_clash_names_both() {
        let twice = Places {
            templates: Some(toy()),
            env: vec![toy()],
            user: None,
        };
        assert_eq!(
            load_all(&twice).unwrap().len(),
            SpecSet::builtin_all().unwrap().len() + 1
        );
        let builtin = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/shenzhen-budget");
        let err = load_all(&Places {
            templates: Some(builtin.clone()),
            ..Places::default()
        })
        .unwrap_err()
        .to_string();
        assert_eq!(
            err,
            format!(
                "版式 id“shenzhen-budget”重复：内置 与 --templates {} 都有；请改其中一个的 layout.toml 中的 id",
                builtin.display()
            )
        );
    }

    #[test]
    fn a_folder_without_layouts_says_what_to_point_at() {
        let dir = tempfile::tempdir().unwrap();
        let err = load_all(&Places {
            templates: Some(dir.path().to_path_buf()),
            ..Places::default()
        })
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("既不是版式目录（没有 layout.toml），也没有含 layout.toml 的子目录"),
            "{err}"
        );
        // The user's folder may be empty or absent.
        let all = load_all(&Places {
            user: Some(dir.path().join("absent")),
            ..Places::default()
        })
        .unwrap();
        assert_eq!(all.len(), SpecSet::builtin_all().unwrap().len());
    }
}
