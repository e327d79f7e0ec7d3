//! Compiles the built-in table specs: every `templates/*.toml` is checked to
//! be TOML and stored as JSON, which the library parses several times faster
//! at start-up than TOML. The specs stay TOML in the repository and for
//! `--templates DIR`; adding a layout is still adding a file.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=templates");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let mut files: Vec<PathBuf> = std::fs::read_dir("templates")
        .expect("templates/")
        .map(|e| e.expect("templates/ entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut list = String::from("&[\n");
    for path in files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("UTF-8 name");
        let src = std::fs::read_to_string(&path).expect("readable spec");
        let value: toml::Value = toml::from_str(&src)
            .unwrap_or_else(|e| panic!("{}: not valid TOML: {e}", path.display()));
        let json = serde_json::to_string(&value).expect("JSON");
        let target = out.join(name).with_extension("json");
        std::fs::write(&target, json).expect("write OUT_DIR");
        writeln!(
            list,
            "    ({name:?}, include_str!({:?})),",
            target.display().to_string()
        )
        .unwrap();
    }
    list.push_str("]\n");
    std::fs::write(out.join("builtin_specs.rs"), list).expect("write OUT_DIR");
}
