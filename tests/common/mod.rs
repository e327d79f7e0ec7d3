//! Shared harness: paths, a temp dir per test, the binary, and a workbook
//! rewriter that builds perturbed copies of the sample.
#![allow(dead_code)]

use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use predicates::prelude::*;

use budget_tables::model::{json, Budget};
use budget_tables::read::{self, Cell, Sheet};
use budget_tables::spec::SpecSet;
use rust_xlsxwriter::{Workbook, Worksheet};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn sample_xlsx() -> PathBuf {
    root().join("samples/shenzhen-zwfw-2024.xlsx")
}

pub fn sample_json() -> PathBuf {
    root().join("samples/shenzhen-zwfw-2024.json")
}

pub fn specs() -> SpecSet {
    SpecSet::builtin().unwrap()
}

pub fn sample_model() -> Budget {
    json::from_str(&std::fs::read_to_string(sample_json()).unwrap()).unwrap()
}

pub fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// The program, blind to the layouts of whoever runs the tests (their
/// `BUDGET_TABLES_LAYOUTS` and user folder): a test that wants them sets them.
pub fn bin() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("budget-tables").unwrap();
    c.env_remove("BUDGET_TABLES_LAYOUTS")
        .env("XDG_CONFIG_HOME", no_user_layouts());
    c
}

/// A config folder with no layouts in it.
fn no_user_layouts() -> PathBuf {
    std::env::temp_dir().join("budget-tables-tests-no-user-layouts")
}

pub fn load(path: &Path) -> Vec<Sheet> {
    read::sheet::load(path).unwrap()
}

/// Reads a workbook and fails the test on any error-level finding.
pub fn read_ok(path: &Path) -> Budget {
    let out = read::read_path(path, &specs()).unwrap();
    let errors: Vec<String> = out
        .diagnostics
        .iter()
        .filter(|d| d.severity == budget_tables::diag::Severity::Error)
        .map(std::string::ToString::to_string)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    out.budget
}

/// Writes sheets as plain cells (no formats, no merges unless kept).
pub fn write_sheets(path: &Path, sheets: &[Sheet], keep_merges: bool) {
    let mut wb = Workbook::new();
    for s in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&s.name).unwrap();
        write_cells(ws, s);
        if keep_merges {
            for m in &s.merges {
                let text = s.get(m.start.0, m.start.1).text();
                ws.merge_range(
                    m.start.0,
                    m.start.1 as u16,
                    m.end.0,
                    m.end.1 as u16,
                    &text,
                    &rust_xlsxwriter::Format::new(),
                )
                .unwrap();
            }
        }
    }
    wb.save(path).unwrap();
}

fn write_cells(ws: &mut Worksheet, s: &Sheet) {
    for (r, row) in s.rows().iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell {
                Cell::Empty => {}
                Cell::Number(f) => {
                    ws.write_number(r, c, *f).unwrap();
                }
                Cell::Int(i) => {
                    ws.write_number(r, c, *i as f64).unwrap();
                }
                other => {
                    ws.write_string(r, c, other.text()).unwrap();
                }
            }
        }
    }
}

/// A sheet with `f` applied to a copy of its rows.
pub fn edit(s: &Sheet, f: impl FnOnce(&mut Vec<Vec<Cell>>)) -> Sheet {
    let mut rows = s.rows().to_vec();
    f(&mut rows);
    Sheet::new(s.name.clone(), rows, s.merges.clone())
}

pub fn sheet_named<'a>(sheets: &'a [Sheet], prefix: &str) -> &'a Sheet {
    sheets.iter().find(|s| s.name.starts_with(prefix)).unwrap()
}

/// Row index (0-based) of the first cell whose text is `text`.
pub fn find_row(s: &Sheet, text: &str) -> u32 {
    (0..s.height())
        .find(|&r| s.row_cells(r).any(|(_, c)| c.text() == text))
        .unwrap_or_else(|| panic!("{text} not in {}", s.name))
}

pub fn set(rows: &mut Vec<Vec<Cell>>, r: u32, c: u32, cell: Cell) {
    let (r, c) = (r as usize, c as usize);
    if rows.len() <= r {
        rows.resize_with(r + 1, Vec::new);
    }
    if rows[r].len() <= c {
        rows[r].resize(c + 1, Cell::Empty);
    }
    rows[r][c] = cell;
}

pub fn soffice() -> Option<PathBuf> {
    ["soffice", "libreoffice"].iter().find_map(|b| {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("command -v {b}"))
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
    })
}

/// The real spreadsheet program is required in CI; a developer machine
/// without it skips the test with a message.
pub fn require_soffice() -> Option<PathBuf> {
    let s = soffice();
    if s.is_none() {
        assert!(
            std::env::var("CI").is_err(),
            "LibreOffice (soffice) is required in CI: run .ci/run"
        );
        eprintln!("skipped: LibreOffice not installed (apt-get install libreoffice-calc-nogui)");
    }
    s
}

/// Converts with LibreOffice headless into `outdir`, with its own profile dir
/// so parallel tests do not collide.
pub fn soffice_convert(soffice: &Path, input: &Path, filter: &str, outdir: &Path) {
    let profile = outdir.join("lo-profile");
    let status = std::process::Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", filter, "--outdir"])
        .arg(outdir)
        .arg(input)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "soffice failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

/// True when the command `tool` is installed (Debian package `package`);
/// required in CI, skipped with a message elsewhere.
pub fn require_tool(tool: &str, package: &str) -> bool {
    let ok = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("CI").is_err(),
            "{tool} is required in CI: run .ci/run"
        );
        eprintln!("skipped: {tool} not installed (apt-get install {package})");
    }
    ok
}

/// True when `python3 -c "import <module>"` works; required in CI, skipped
/// with a message elsewhere.
pub fn require_python_module(module: &str) -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("CI").is_err(),
            "python3 module {module} is required in CI: run .ci/run"
        );
        eprintln!("skipped: python3 module {module} not installed (pip install {module})");
    }
    ok
}

/// The roll-up JSON a batch wrote into `out` for `year`.
pub fn rollup(out: &Path, year: i32) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(out.join(format!("汇总-{year}.json"))).unwrap()).unwrap()
}

/// Runs `convert` on `input`; asserts the exit code, that stderr holds every
/// `needle`, that nothing panicked, and that no output was written.
pub fn refuse(input: &Path, code: i32, needles: &[&str]) {
    let dir = input.parent().unwrap();
    let out = dir.join("out.xlsx");
    let mut cmd = bin();
    cmd.arg("convert")
        .arg(input)
        .arg("-o")
        .arg(&out)
        .env("RUST_BACKTRACE", "1")
        .timeout(Duration::from_secs(20));
    let mut a = cmd
        .assert()
        .code(code)
        .stderr(predicate::str::contains("panicked").not());
    for n in needles {
        a = a.stderr(predicate::str::contains(*n));
    }
    assert!(!out.exists(), "no output for a refused input");
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(std::result::Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

pub fn file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// The sample's archive with one part replaced (or added).
pub fn sample_with_part(part: &str, content: &[u8]) -> Vec<u8> {
    archive_with_part(&sample_xlsx(), part, content)
}

/// The archive at `path` with one part replaced (or added).
pub fn archive_with_part(path: &Path, part: &str, content: &[u8]) -> Vec<u8> {
    let src = std::fs::read(path).unwrap();
    let mut zin = zip::ZipArchive::new(Cursor::new(src)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut replaced = false;
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        out.start_file(name.as_str(), opts).unwrap();
        if name == part {
            out.write_all(content).unwrap();
            replaced = true;
        } else {
            let mut buf = Vec::new();
            f.read_to_end(&mut buf).unwrap();
            out.write_all(&buf).unwrap();
        }
    }
    if !replaced {
        out.start_file(part, opts).unwrap();
        out.write_all(content).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// Runs the binary with `args` under an address-space limit of `limit_mib`
/// MiB (a child shell's `ulimit -v`), so an attempt to allocate past it
/// aborts and fails the test; also bounded in time.
pub fn run_limited(args: &[&std::ffi::OsStr], limit_mib: u64) -> std::process::Output {
    let exe = assert_cmd::cargo::cargo_bin("budget-tables");
    let mut cmd = std::process::Command::new("timeout");
    cmd.arg("60")
        .arg("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {} && exec \"$0\" \"$@\"",
            limit_mib * 1024
        ))
        .arg(exe)
        .args(args)
        .env("RUST_BACKTRACE", "1");
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        matches!(out.status.code(), Some(0..=2)),
        "ended with {:?} (killed, aborted or timed out): {err}",
        out.status
    );
    out
}

/// Adds 1.00 to the figure behind a cell; a blank counts as zero where the
/// layout prints zero as a blank (`blank_is_zero`), else is left alone.
/// False when the cell holds no figure that can change.
pub fn bump(b: &mut Budget, key: &budget_tables::source::CellKey, blank_is_zero: bool) -> bool {
    bump_by(b, key, blank_is_zero, "1.00")
}

/// [`bump`] by `by` (`"1.00"`, `"1000000.00"`).
pub fn bump_by(
    b: &mut Budget,
    key: &budget_tables::source::CellKey,
    blank_is_zero: bool,
    by: &str,
) -> bool {
    use budget_tables::amount::Amount;
    use budget_tables::model::Table;
    use budget_tables::source::{CellKey, LABEL};
    let one = Amount::exact(by.parse().unwrap()).unwrap();
    let slot: Option<&mut Option<Amount>> = match (b.tables.get_mut(key.table()), *key) {
        (_, CellKey::Grid { col: LABEL, .. }) => None,
        (
            Some(Table::Grid(g)),
            CellKey::Grid {
                block, row, col, ..
            },
        ) => {
            let blk = &mut g.blocks[block];
            if row.is_empty() {
                blk.total.as_mut().and_then(|t| t.get_mut(col))
            } else {
                blk.rows
                    .iter_mut()
                    .find(|r| r.key == row)
                    .and_then(|r| r.amounts.get_mut(col))
            }
        }
        (Some(Table::TwoSided(t)), CellKey::Line { line, col, .. }) => {
            t.lines.get_mut(line).and_then(|a| a.get_mut(col))
        }
        (Some(Table::TwoSided(t)), CellKey::Expenditure { index, col, .. }) => t
            .expenditure
            .get_mut(index)
            .and_then(|e| e.amounts.get_mut(col)),
        (Some(Table::Form(f)), CellKey::Task { index, col, .. }) => {
            f.tasks.get_mut(index).and_then(|t| t.amounts.get_mut(col))
        }
        (Some(Table::Form(f)), CellKey::Sum { col, .. }) => f.sum.get_mut(col),
        _ => None,
    };
    match slot {
        Some(Some(a)) => {
            *a = *a + one;
            true
        }
        Some(blank @ None) if blank_is_zero => {
            *blank = Some(one);
            true
        }
        _ => false,
    }
}

/// `n` generated department workbooks in `dir` (`budget-tables sample`).
pub fn departments(dir: &Path, n: usize) {
    bin()
        .args(["sample", "--count", &n.to_string(), "-o"])
        .arg(dir)
        .assert()
        .success();
}

/// `budget-tables batch INPUT -o OUT`, to run or assert on.
pub fn batch(input: &Path, out: &Path) -> assert_cmd::Command {
    let mut c = bin();
    c.arg("batch").arg(input).arg("-o").arg(out);
    c
}

/// Part `name` of the xlsx package at `path`, as text.
pub fn zip_part(path: &Path, name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    z.by_name(name)
        .unwrap_or_else(|e| panic!("{name} in {}: {e}", path.display()))
        .read_to_string(&mut s)
        .unwrap();
    s
}

/// The text of each page of a PDF (`pdftotext -layout`).
pub fn pdf_pages(pdf: &Path) -> Vec<String> {
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    text.split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// `check INPUT --annotate COPY`, to assert on.
pub fn annotate(input: &Path, copy: &Path) -> assert_cmd::assert::Assert {
    bin()
        .arg("check")
        .arg(input)
        .arg("--annotate")
        .arg(copy)
        .assert()
}

/// A `budget-tables serve` started on a free loopback port; stopped when dropped.
pub struct Server {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT/` (with `?token=…` when the server has one).
    pub url: String,
    /// `http://127.0.0.1:PORT` without path or token.
    pub base: String,
}

impl Server {
    /// Starts the server with `args` after `serve --no-open`, waiting for its address.
    pub fn start(args: &[&str]) -> Server {
        Server::start_with(args, &[], None)
    }

    /// As [`Server::start`], with environment variables set and, when
    /// given, its log (standard error) written to `log`.
    pub fn start_with(args: &[&str], env: &[(&str, &Path)], log: Option<&Path>) -> Server {
        use std::io::BufRead;
        let stderr = match log {
            Some(p) => std::process::Stdio::from(std::fs::File::create(p).unwrap()),
            None => std::process::Stdio::null(),
        };
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("budget-tables"))
            .args(["serve", "--no-open"])
            .args(args)
            .env_remove("BUDGET_TABLES_LAYOUTS")
            .env("XDG_CONFIG_HOME", no_user_layouts())
            .envs(env.iter().map(|(k, v)| (*k, *v)))
            .stdout(std::process::Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start serve");
        let out = child.stdout.take().expect("stdout");
        let mut line = String::new();
        let mut reader = std::io::BufReader::new(out);
        reader.read_line(&mut line).expect("read address");
        // The rest is drained, so the server never writes to a closed pipe.
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        let url = line
            .split_whitespace()
            .find_map(|w| w.find("http://").map(|i| w[i..].to_string()))
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        let base = url
            .trim_end_matches('/')
            .split("/?")
            .next()
            .unwrap_or_default()
            .trim_end_matches('/')
            .to_string();
        Server { child, url, base }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `127.0.0.1:PORT`.
    pub fn addr(&self) -> String {
        self.base.trim_start_matches("http://").to_string()
    }

    /// Waits up to `limit` for the server to end; its exit status if it did.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let start = std::time::Instant::now();
        while start.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    pub fn api(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The JSON a successful command printed (its stderr shown when it failed).
pub fn stdout_json(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// 4,096 bytes of noise, the same every run (xorshift).
pub fn noise() -> Vec<u8> {
    let mut noise = vec![0u8; 4096];
    let mut x: u32 = 12345;
    for b in &mut noise {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *b = x as u8;
    }
    noise
}

/// The canonical model of the input at `path`, as JSON.
pub fn model_value(path: &Path) -> serde_json::Value {
    let layouts = SpecSet::builtin_all().unwrap();
    let opts = budget_tables::validate::Options::builtin().unwrap();
    let (_, out) = budget_tables::pipeline::read(path, &layouts, &opts).unwrap();
    serde_json::to_value(&out.budget).unwrap()
}

/// [`model_value`] without what a printed document does not carry as such:
/// the text sheets (the 说明 is printed as a document) and the cover sheet.
pub fn printed_model(path: &Path) -> serde_json::Value {
    let mut v = model_value(path);
    let o = v.as_object_mut().unwrap();
    o.remove("texts");
    o.remove("cover");
    v
}

/// The real sample `samples/{sample}` with sheet `sheet` edited by `f` at the
/// (0-based) row of the first cell reading `text`, written to `dir/{name}`.
pub fn sample_edited_at(
    sample: &str,
    (sheet, text): (&str, &str),
    dir: &Path,
    name: &str,
    f: impl FnOnce(&mut Vec<Vec<Cell>>, usize),
) -> PathBuf {
    let mut f = Some(f);
    let sheets: Vec<Sheet> = load(&root().join("samples").join(sample))
        .iter()
        .map(|s| {
            if s.name != sheet {
                return s.clone();
            }
            let at = find_row(s, text) as usize;
            let f = f.take().expect("one sheet of that name");
            edit(s, |rows| f(rows, at))
        })
        .collect();
    let p = dir.join(name);
    write_sheets(&p, &sheets, true);
    p
}
