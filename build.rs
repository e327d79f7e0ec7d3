//! Compiles the built-in layouts: every folder under `templates/` is one
//! layout (its `layout.toml` and one `*.toml` per table); each file is checked
//! to be TOML and stored as JSON, which the library parses several times
//! faster at start-up than TOML. The layouts stay TOML in the repository and
//! for `--templates DIR`; adding a layout is adding a folder.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn tomls(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("layout folder")
        .map(|e| e.expect("layout folder entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

fn main() {
    println!("cargo:rerun-if-changed=templates");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let mut layouts: Vec<PathBuf> = std::fs::read_dir("templates")
        .expect("templates/")
        .map(|e| e.expect("templates/ entry").path())
        .filter(|p| p.is_dir())
        .collect();
    layouts.sort();
    let mut list = String::from("&[\n");
    for dir in layouts {
        println!("cargo:rerun-if-changed={}", dir.display());
        let folder = dir
            .file_name()
            .and_then(|n| n.to_str())
            .expect("UTF-8 name");
        writeln!(list, "    ({folder:?}, &[").unwrap();
        for path in tomls(&dir) {
            println!("cargo:rerun-if-changed={}", path.display());
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .expect("UTF-8 name");
            let src = std::fs::read_to_string(&path).expect("readable spec");
            let value: toml::Value = toml::from_str(&src)
                .unwrap_or_else(|e| panic!("{}: not valid TOML: {e}", path.display()));
            let json = serde_json::to_string(&value).expect("JSON");
            let target = out.join(format!("{folder}--{name}")).with_extension("json");
            std::fs::write(&target, json).expect("write OUT_DIR");
            writeln!(
                list,
                "        ({name:?}, include_str!({:?})),",
                target.display().to_string()
            )
            .unwrap();
        }
        list.push_str("    ]),\n");
    }
    list.push_str("]\n");
    std::fs::write(out.join("builtin_specs.rs"), list).expect("write OUT_DIR");
}
