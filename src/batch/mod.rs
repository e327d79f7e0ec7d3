//! Bulk regeneration: every workbook and JSON under a folder, in parallel,
//! each department's outputs in its own folder, and a roll-up per year.
//!
//! Departments stream through the workers (each model is dropped once its
//! outputs are written), so memory does not grow with the number of inputs.
//! Outputs are staged per input and moved into place only when the
//! department is known not to conflict with another input of the same year.

mod ledger;
pub use crate::io::names;
mod rollup;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::amount::Amount;
use crate::diag::{has_table_errors, Severity};
use crate::diff::{compare, Change};
use crate::io::write_atomic;
use crate::model::query::figure;
use crate::model::Budget;
use crate::read::read_path_any;
use crate::spec::SpecSet;
use crate::text::norm;
use crate::validate::Options;
use crate::write::{annotate, diff as diff_writer, Format, Rendered};
use ledger::Ledger;

#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("找不到输入目录 {0}")]
    NoInput(String),
    #[error("{0} 是一个文件，不是文件夹：batch 处理一个文件夹（含子文件夹）中的全部工作簿；检查单个文件请用 budget-tables check")]
    InputIsFile(String),
    #[error("找不到上年输入目录 {0}（--prior-dir）；请给出存放上年工作簿的文件夹")]
    NoPrior(String),
    #[error("输出目录 {out} 在输入目录 {input} 之内；请把输出放到输入目录以外")]
    OutInsideInput { out: String, input: String },
    #[error("无法写入输出目录 {path}：{detail}")]
    Output { path: String, detail: String },
    #[error("已中断：未完成的部门没有留下任何文件")]
    Interrupted,
    #[error("输出目录 {0} 正由另一个 budget-tables batch 使用；请等它结束，或换一个输出目录")]
    Busy(String),
    #[error("无法读写本次处理的汇总记录（输出目录 {path} 中的临时文件）：{detail}；请检查磁盘空间后重新运行")]
    Records { path: String, detail: String },
}

/// What became of one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    #[serde(rename = "通过")]
    Passed,
    #[serde(rename = "有警告")]
    Warnings,
    #[serde(rename = "有错误")]
    Errors,
    /// The tables are clean and written; the 说明 has errors (its
    /// publication document waits for them).
    #[serde(rename = "说明有错误")]
    TextErrors,
    #[serde(rename = "无法读取")]
    Unreadable,
    #[serde(rename = "冲突")]
    Conflict,
    /// Read and checked, but its outputs could not all be written (disk full,
    /// permissions, an internal error): nothing of it was placed.
    #[serde(rename = "输出失败")]
    Failed,
}

// `Status::COUNT` sizes the counts, indexed by `status as usize`: the last status is its end.
const _: () = assert!(Status::Failed as usize + 1 == Status::COUNT);

impl Status {
    /// How many statuses there are.
    pub const COUNT: usize = 7;

    pub fn label(self) -> &'static str {
        match self {
            Status::Passed => "通过",
            Status::Warnings => "有警告",
            Status::Errors => "有错误",
            Status::TextErrors => "说明有错误",
            Status::Unreadable => "无法读取",
            Status::Conflict => "冲突",
            Status::Failed => "输出失败",
        }
    }
}

/// One row of the roll-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The input, relative to the input folder.
    pub file: String,
    pub department: Option<String>,
    pub year: Option<i32>,
    pub status: Status,
    pub errors: usize,
    pub warnings: usize,
    pub notices: usize,
    /// Of `errors`, those of the 说明 (they do not stop the tables).
    #[serde(default)]
    pub text_errors: usize,
    /// The layout the input was read in.
    pub layout: Option<String>,
    /// The layout's roll-up figures (`[[rollup]]`), by label.
    pub figures: indexmap::IndexMap<String, Option<Amount>>,
    /// The first roll-up figure against the prior year's, where the prior year was given.
    pub change: Option<Change>,
    /// Why there is no year-over-year comparison although `--prior-dir` was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_prior: Option<String>,
    /// Why the publication document was not written although `--publish` was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_publication: Option<String>,
    /// The department's output folder, relative to the output folder.
    pub folder: Option<String>,
    /// Output files (label, path relative to the output folder).
    pub outputs: Vec<(String, String)>,
    /// Failing rule id → number of findings (errors and warnings).
    pub rules: BTreeMap<String, usize>,
    /// The check of the workbook's own 说明 sheets, where it has any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<NarrativeCounts>,
    pub message: Option<String>,
}

/// What the check of a department's 说明 sheets counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NarrativeCounts {
    pub sentences: usize,
    pub statements: usize,
    pub checked: usize,
    pub flagged: usize,
    pub unchecked: usize,
}

impl NarrativeCounts {
    /// As the roll-up prints it.
    pub fn label(&self) -> String {
        format!(
            "核对 {} 处，问题 {} 处，未核对 {} 处",
            self.checked, self.flagged, self.unchecked
        )
    }
}

/// Prior-year inputs by (layout, normalized department): (year, path).
type PriorIndex = HashMap<(String, String), Vec<(i32, PathBuf)>>;

/// What a batch run needs.
pub struct Batch<'a> {
    /// The layouts an input may be in (each input's is detected).
    pub layouts: &'a [SpecSet],
    pub check: &'a Options,
    pub input: PathBuf,
    pub output: PathBuf,
    pub prior: Option<PathBuf>,
    pub jobs: usize,
    /// Also write each department's publication document (PDF and .docx).
    pub publish: bool,
    /// The year of a workbook that states none (`--year`).
    pub year: Option<i32>,
}

/// The result of a run: every entry and the roll-up files written.
///
/// The entries stay on disk (a province's ten thousand would otherwise sit
/// in memory to the end); [`Summary::entries`] reads them back in input
/// order. Serialized as `{"entries": [...], "rollups": [...]}`, streamed.
#[derive(Debug)]
pub struct Summary {
    ledger: Ledger,
    output: PathBuf,
    counts: [usize; Status::COUNT],
    /// The roll-up workbooks, relative to the output folder.
    pub rollups: Vec<String>,
}

impl Summary {
    /// Every entry, in the order of the inputs.
    pub fn entries(&self) -> impl Iterator<Item = Result<Entry, BatchError>> + '_ {
        self.ledger
            .iter()
            .map(|e| e.map_err(|e| records_err(&self.output, e)))
    }

    /// How many inputs ended as `s`.
    pub fn count(&self, s: Status) -> usize {
        self.counts[s as usize]
    }

    /// How many inputs there were.
    pub fn len(&self) -> usize {
        self.counts.iter().sum()
    }

    /// True when the input folder held no input.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Serialize for Summary {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Summary", 2)?;
        st.serialize_field("entries", &Streamed(&self.ledger, &|_| true))?;
        st.serialize_field("rollups", &self.rollups)?;
        st.end()
    }
}

/// The entries of a ledger that `pick` keeps, serialized one by one as they
/// are read.
pub(crate) struct Streamed<'a>(&'a Ledger, &'a dyn Fn(&Entry) -> bool);

impl Serialize for Streamed<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let mut seq = s.serialize_seq(None)?;
        for e in self.0.iter() {
            let e = e.map_err(S::Error::custom)?;
            if (self.1)(&e) {
                seq.serialize_element(&e)?;
            }
        }
        seq.end()
    }
}

fn records_err(output: &Path, e: std::io::Error) -> BatchError {
    BatchError::Records {
        path: output.display().to_string(),
        detail: e.to_string(),
    }
}

/// What discovery found under a folder.
#[derive(Debug, Default)]
pub struct Found {
    /// Regular files with an input extension, sorted, each once.
    pub files: Vec<PathBuf>,
    /// Inputs by name that are no regular file (a pipe, a device, a broken
    /// link): listed, never opened.
    pub odd: Vec<PathBuf>,
}

/// Every input file under `dir`, recursively, sorted; office lock files
/// (`~$…`) and hidden files skipped. A symbolic link to a file is followed
/// once (a file reached twice is listed once); a link to a folder is not
/// followed, so links cannot loop; nothing under `skip` is listed.
pub fn discover(dir: &Path, skip: Option<&Path>) -> Found {
    let mut found = Found::default();
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with('.') || name.starts_with("~$") {
                continue;
            }
            let Ok(kind) = e.file_type() else { continue };
            if kind.is_dir() {
                if skip.is_none_or(|s| !same_place(&p, s)) {
                    stack.push(p);
                }
                continue;
            }
            if !crate::read::is_input_name(&p) {
                continue;
            }
            // A link is followed to what it names: only a regular file is read.
            match (std::fs::metadata(&p), p.canonicalize()) {
                (Ok(m), Ok(real)) if m.is_file() => {
                    if skip.is_some_and(|s| real.starts_with(s)) {
                        continue;
                    }
                    if seen.insert(file_id(&m, real)) {
                        found.files.push(p);
                    }
                }
                (Ok(m), _) if m.is_dir() => {}
                _ => found.odd.push(p),
            }
        }
    }
    found.files.sort();
    found.odd.sort();
    found
}

/// What tells one file from another however it is reached: its device and
/// inode where there are such (16 bytes, not a path, for each of a province's
/// inputs), else its canonical path.
#[cfg(unix)]
fn file_id(m: &std::fs::Metadata, _real: PathBuf) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (m.dev(), m.ino())
}

#[cfg(not(unix))]
fn file_id(_m: &std::fs::Metadata, real: PathBuf) -> PathBuf {
    real
}

/// True when `p` is the folder `canonical` (both existing).
fn same_place(p: &Path, canonical: &Path) -> bool {
    p.canonicalize().is_ok_and(|c| c == canonical)
}

/// The absolute form `p` will have once created: its deepest existing
/// ancestor resolved, the rest appended.
fn resolved(p: &Path) -> std::io::Result<PathBuf> {
    let abs = std::path::absolute(p)?;
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        let Some(parent) = existing.parent() else {
            break;
        };
        rest.push(existing.file_name().map(std::ffi::OsStr::to_os_string));
        existing = parent;
    }
    let mut out = existing.canonicalize()?;
    for part in rest.into_iter().rev().flatten() {
        out.push(part);
    }
    Ok(out)
}

fn rel(base: &Path, p: &Path) -> String {
    p.strip_prefix(base).unwrap_or(p).display().to_string()
}

fn out_err(path: &Path, e: impl std::fmt::Display) -> BatchError {
    BatchError::Output {
        path: path.display().to_string(),
        detail: e.to_string(),
    }
}

/// What [`Batch::run`] reports as it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The inputs were listed: this many will be processed.
    Found(usize),
    /// One more input is done.
    Done,
}

impl Batch<'_> {
    /// Runs the batch; `progress` hears how many inputs there are, then of each
    /// one done; `stop` ends it early.
    ///
    /// # Errors
    /// [`BatchError`] for a missing input folder, an output folder inside it,
    /// an output folder that cannot be written, or an interruption.
    pub fn run(
        &self,
        progress: &(dyn Fn(Step) + Sync),
        stop: &AtomicBool,
    ) -> Result<Summary, BatchError> {
        if self.input.is_file() {
            return Err(BatchError::InputIsFile(self.input.display().to_string()));
        }
        if !self.input.is_dir() {
            return Err(BatchError::NoInput(self.input.display().to_string()));
        }
        if let Some(p) = self.prior.as_ref().filter(|p| !p.is_dir()) {
            return Err(BatchError::NoPrior(p.display().to_string()));
        }
        let input = self
            .input
            .canonicalize()
            .map_err(|e| out_err(&self.input, e))?;
        // Refused before anything is created: a refused run leaves no folder.
        let planned = resolved(&self.output).map_err(|e| out_err(&self.output, e))?;
        if planned.starts_with(&input) {
            return Err(BatchError::OutInsideInput {
                out: planned.display().to_string(),
                input: input.display().to_string(),
            });
        }
        std::fs::create_dir_all(&self.output).map_err(|e| out_err(&self.output, e))?;
        let output = self
            .output
            .canonicalize()
            .map_err(|e| out_err(&self.output, e))?;
        let _lock = lock(&output)?;
        let found = discover(&input, Some(&output));
        progress(Step::Found(found.files.len() + found.odd.len()));
        clear_stale_staging(&output);
        let staging = tempfile::Builder::new()
            .prefix(STAGING_PREFIX)
            .tempdir_in(&output)
            .map_err(|e| out_err(&output, e))?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.jobs.max(1))
            .start_handler(|_| crate::par::mark_batch_worker())
            .build()
            .map_err(|e| out_err(&output, e))?;
        let prior = pool.install(|| self.prior_index(&output));
        let files = found.files.len();
        let ledger =
            Ledger::new(&output, files + found.odd.len()).map_err(|e| out_err(&output, e))?;
        // A record that cannot be written stops the run: no department goes unreported.
        let lost: std::sync::Mutex<Option<std::io::Error>> = std::sync::Mutex::new(None);
        let halted = || stop.load(Ordering::Relaxed) || lost.lock().is_ok_and(|l| l.is_some());
        // A job stopped from outside (the web page's time limit) stops its
        // departments too.
        let token = crate::cancel::current();
        pool.install(|| {
            found.files.par_iter().enumerate().for_each(|(i, f)| {
                if !halted() {
                    let stage = staging.path().join(i.to_string());
                    let e = crate::cancel::within(token.clone(), || {
                        crate::cancel::checkpoint();
                        self.one_guarded(&input, f, &stage, &prior)
                    });
                    if let Err(err) = ledger.put(i, &e) {
                        if let Ok(mut l) = lost.lock() {
                            l.get_or_insert(err);
                        }
                    }
                }
                progress(Step::Done);
            });
        });
        if let Some(err) = lost.into_inner().ok().flatten() {
            return Err(records_err(&output, err));
        }
        for (k, p) in found.odd.iter().enumerate() {
            let mut e = Entry::new(rel(&input, p));
            e.message = Some("不是普通文件（管道、设备或失效的链接），没有读取".into());
            ledger
                .put(files + k, &e)
                .map_err(|err| records_err(&output, err))?;
            progress(Step::Done);
        }
        if stop.load(Ordering::Relaxed) {
            return Err(BatchError::Interrupted);
        }
        place(&ledger, staging.path(), &output).map_err(|e| records_err(&output, e))?;
        drop(staging);
        let kinds: rollup::Kinds = self
            .layouts
            .iter()
            .map(|s| (s.layout.id.clone(), s.layout.kind.clone()))
            .collect();
        let rollups = rollup::write_all(&output, &ledger, &self.rule_descriptions(), &kinds)?;
        let mut counts = [0; Status::COUNT];
        for e in ledger.iter() {
            counts[e.map_err(|e| records_err(&output, e))?.status as usize] += 1;
        }
        Ok(Summary {
            ledger,
            output,
            counts,
            rollups,
        })
    }

    /// Prior-year inputs by layout and department: (year, path), read once, models dropped.
    /// What each rule of each layout checks, for the roll-up: (layout id,
    /// rule id) → description.
    fn rule_descriptions(&self) -> BTreeMap<(String, String), String> {
        let mut out = BTreeMap::new();
        for specs in self.layouts {
            for r in crate::registry::catalogue(specs) {
                out.insert((specs.layout.id.clone(), r.id), r.description);
            }
        }
        out
    }

    fn prior_index(&self, output: &Path) -> PriorIndex {
        let Some(dir) = &self.prior else {
            return HashMap::new();
        };
        let found: Vec<(String, String, i32, PathBuf)> = discover(dir, Some(output))
            .files
            .par_iter()
            .filter_map(|p| {
                read_path_any(p, self.layouts, &self.check.catalogue)
                    .ok()
                    .map(|(_, o)| {
                        (
                            o.budget.layout.clone(),
                            norm(&o.budget.department),
                            o.budget.year,
                            p.clone(),
                        )
                    })
            })
            .collect();
        let mut map: PriorIndex = HashMap::new();
        for (l, d, y, p) in found {
            map.entry((l, d)).or_default().push((y, p));
        }
        map
    }

    /// [`Batch::one`], with a panic inside it reported as that input's
    /// failure: one department never stops the others.
    fn one_guarded(&self, input: &Path, file: &Path, stage: &Path, prior: &PriorIndex) -> Entry {
        let run = std::panic::AssertUnwindSafe(|| self.one(input, file, stage, prior));
        std::panic::catch_unwind(run).unwrap_or_else(|p| {
            let _ = std::fs::remove_dir_all(stage);
            if crate::cancel::is_cancellation(p.as_ref()) {
                std::panic::resume_unwind(p);
            }
            let mut e = Entry::new(rel(input, file));
            e.status = Status::Failed;
            e.message = Some("处理该文件时程序内部出错，没有输出；请把该文件发给维护人员".into());
            e
        })
    }

    /// Reads, checks and writes one input into its staging folder.
    fn one(&self, input: &Path, file: &Path, stage: &Path, prior: &PriorIndex) -> Entry {
        let mut e = Entry::new(rel(input, file));
        let (specs, out) = match crate::pipeline::read(file, self.layouts, self.check) {
            Ok((i, mut o)) => {
                if let Some(y) = self.year {
                    crate::pipeline::given_year(&mut o, y);
                }
                (&self.layouts[i], o)
            }
            Err(err) => {
                // The roll-up names the file as listed, never by where this machine keeps it.
                e.message = Some(
                    err.to_string()
                        .replace(&file.display().to_string(), &e.file),
                );
                return e;
            }
        };
        let crate::pipeline::Checked { findings, texts } =
            crate::pipeline::check(&out, specs, &self.check.for_layout(specs));
        let b = &out.budget;
        e.department = Some(b.department.clone()).filter(|d| !d.is_empty());
        e.year = Some(b.year).filter(|y| *y > 0);
        let all = crate::diag::Counts::of(&findings, |_| true);
        (e.errors, e.warnings, e.notices) = (all.errors, all.warnings, all.notices);
        for d in findings.iter().filter(|d| d.severity != Severity::Notice) {
            *e.rules.entry(d.rule.clone()).or_default() += 1;
        }
        e.text_errors = crate::diag::Counts::of(&findings, |d| d.text).errors;
        e.status = if e.errors > e.text_errors {
            Status::Errors
        } else if e.text_errors > 0 {
            Status::TextErrors
        } else if e.warnings > 0 {
            Status::Warnings
        } else {
            Status::Passed
        };
        figures(&mut e, b, specs);
        if !b.texts.is_empty() {
            e.narrative = Some(NarrativeCounts {
                sentences: texts.sentences,
                statements: texts.statements,
                checked: texts.checked,
                flagged: texts.flagged,
                unchecked: texts.unchecked,
            });
        }
        if e.department.is_none() || e.year.is_none() {
            e.message = Some(
                "找不到部门名称或年度，无法归档；请在各表“部门名称:”处填写并使用带年度的模板"
                    .into(),
            );
            return e;
        }
        let mut prior_model: Option<crate::model::Budget> = None;
        let written = (|| -> Result<(), String> {
            let mut put = |label: &str, name: &str, bytes: Vec<u8>| -> Result<(), String> {
                write_atomic(&stage.join(name), &bytes, &[file])
                    .map_err(|x| format!("“{name}”：{}", x.cause()))?;
                e.outputs.push((label.to_string(), name.to_string()));
                Ok(())
            };
            // Each department's outputs, in one list of formats.
            let formats: &[(Format, &str)] = if has_table_errors(&findings) {
                &[(Format::Json, "模型.json")]
            } else {
                &[
                    (Format::OfficialXlsx, "公开报表.xlsx"),
                    (Format::Json, "模型.json"),
                ]
            };
            for (format, name) in formats {
                if let Rendered::File(bytes) = format
                    .render(b, specs, &self.check.for_layout(specs).catalogue)
                    .map_err(|x| x.to_string())?
                {
                    put(format.label(), name, bytes)?;
                }
            }
            let report = serde_json::json!({ "file": e.file, "department": b.department, "year": b.year, "findings": findings });
            put(
                "检查结果",
                "检查结果.json",
                serde_json::to_vec_pretty(&report).unwrap_or_default(),
            )?;
            if !findings.is_empty() && !out.sheets.is_empty() {
                put(
                    "标注副本",
                    "检查结果标注.xlsx",
                    annotate::copy_of(
                        &std::fs::read(file).unwrap_or_default(),
                        &out.sheets,
                        &findings,
                    )
                    .map_err(|x| x.to_string())?,
                )?;
            }
            let key = (b.layout.clone(), norm(&b.department));
            let found = prior.get(&key).and_then(|v| {
                v.iter()
                    .filter(|(y, _)| *y < b.year)
                    .max_by_key(|(y, _)| *y)
            });
            if self.prior.is_some() && found.is_none() {
                e.no_prior = Some(format!(
                    "上年目录中没有该部门 {} 年以前的数据，未做年度对比",
                    b.year
                ));
            }
            if let Some((_, p)) = found {
                let read = read_path_any(p, std::slice::from_ref(specs), &self.check.catalogue);
                if read.is_err() {
                    e.no_prior = Some("上年文件无法读取，未做年度对比".into());
                }
                if let Ok((_, po)) = read {
                    prior_model = Some(po.budget.clone());
                    let d = compare(&po.budget, b, specs);
                    e.change = specs.layout.rollup.first().map(|f| {
                        Change::new(
                            figure(&f.cells, &po.budget, specs),
                            figure(&f.cells, b, specs),
                        )
                    });
                    put(
                        "年度对比",
                        "年度对比.xlsx",
                        diff_writer::workbook_bytes(&d).map_err(|x| x.to_string())?,
                    )?;
                }
            }
            if self.publish && specs.layout.document.is_declared() {
                // A document that may not or cannot be made is noted; the
                // department's other outputs stand.
                match self.publication(&out, prior_model.as_ref(), specs) {
                    Ok(files) => {
                        for (name, bytes) in files {
                            put("公开文件", name, bytes)?;
                        }
                    }
                    Err(why) => e.no_publication = Some(why),
                }
            }
            Ok(())
        })();
        if let Err(m) = written {
            // Half a department is never placed: its staged files go.
            let _ = std::fs::remove_dir_all(stage);
            e.status = Status::Failed;
            e.outputs.clear();
            e.message = Some(format!("输出写出失败，该部门没有输出任何文件：{m}"));
        }
        e
    }

    /// The publication document of what was read, as PDF and .docx; why
    /// not, when it is refused or cannot be made.
    fn publication(
        &self,
        out: &crate::read::ReadOutcome,
        prior: Option<&crate::model::Budget>,
        specs: &SpecSet,
    ) -> Result<Vec<(&'static str, Vec<u8>)>, String> {
        use crate::write::publish::{render, Form};
        let not_made = |x: crate::write::WriteError| x.to_string();
        let made =
            crate::pipeline::publication(out, prior, specs, &self.check.for_layout(specs), None)
                .map_err(not_made)?;
        if made.refused() {
            let errors = made
                .findings
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count();
            return Err(format!(
                "未生成公开文件：{errors} 个错误，{} 处未完成的文字（用 budget-tables publish 查看）",
                made.unfinished.len()
            ));
        }
        [(Form::Pdf, "公开文件.pdf"), (Form::Docx, "公开文件.docx")]
            .into_iter()
            .map(|(form, name)| {
                Ok((
                    name,
                    render(&made.publication, form).map_err(not_made)?.bytes,
                ))
            })
            .collect()
    }
}

/// Moves each department's staged outputs into `<year>/<department>/`;
/// two inputs of one department and year are both reported, neither kept. A
/// move that fails marks that department failed; the others go on. Each
/// changed entry is stored again in the ledger.
///
/// # Errors
/// The ledger cannot be read or written.
fn place(ledger: &Ledger, staging: &Path, output: &Path) -> std::io::Result<()> {
    let (keys, several) = placement_keys(ledger)?;
    // Folder names as a case-insensitive file system sees them: one folder never serves two departments.
    let mut used: HashSet<String> = HashSet::new();
    for group in keys.chunk_by(|a, b| (a.0, a.1, &a.2) == (b.0, b.1, &b.2)) {
        if group.len() > 1 {
            conflict(ledger, group.iter().map(|k| k.3 as usize))?;
            continue;
        }
        let slot = group[0].3 as usize;
        let Some(mut e) = ledger.get(slot)? else {
            continue;
        };
        let dept = names::safe_component(e.department.as_deref().unwrap_or(""));
        let (year, layout) = (group[0].0, e.layout.clone().unwrap_or_default());
        let base = if several {
            format!("{year}/{}/{dept}", names::safe_component(&layout))
        } else {
            format!("{year}/{dept}")
        };
        let folder = free_folder(base, &mut used);
        let src = staging.join(slot.to_string());
        if src.is_dir() {
            if let Err(err) = replace_dir(&src, &output.join(&folder), staging) {
                e.status = Status::Failed;
                e.outputs.clear();
                e.message = Some(format!(
                    "无法把输出放入 {folder}：{}",
                    crate::io::explain(&err)
                ));
                ledger.put(slot, &e)?;
                continue;
            }
        }
        for (_, path) in &mut e.outputs {
            *path = format!("{folder}/{path}");
        }
        e.folder = Some(folder);
        ledger.put(slot, &e)?;
    }
    Ok(())
}

/// (year, layout's rank by id, normalized department, slot) of an entry that
/// can be placed. Only these stay in memory while the outputs are placed.
type Key = (i32, u16, Box<str>, u32);

/// Every placeable entry's key, sorted, and whether there are several layouts.
fn placement_keys(ledger: &Ledger) -> std::io::Result<(Vec<Key>, bool)> {
    let mut layouts: Vec<String> = Vec::new();
    let mut keys: Vec<Key> = Vec::new();
    for slot in 0..ledger.slots() {
        let Some(e) = ledger.get(slot)? else {
            continue;
        };
        // A department may publish in several layouts (预算 and 决算) the same year.
        if let (Some(y), Some(d), false) = (e.year, &e.department, e.status == Status::Failed) {
            let layout = e.layout.unwrap_or_default();
            let l = match layouts.iter().position(|x| *x == layout) {
                Some(l) => l,
                None => {
                    layouts.push(layout);
                    layouts.len() - 1
                }
            };
            keys.push((y, l as u16, norm(d).into_boxed_str(), slot as u32));
        }
    }
    // Layouts ranked by id, so which department gets a suffix does not depend on the inputs' order.
    let mut by_id: Vec<usize> = (0..layouts.len()).collect();
    by_id.sort_by(|a, b| layouts[*a].cmp(&layouts[*b]));
    let mut rank = vec![0u16; layouts.len()];
    for (r, l) in by_id.into_iter().enumerate() {
        rank[l] = r as u16;
    }
    for k in &mut keys {
        k.1 = rank[k.1 as usize];
    }
    keys.sort_unstable();
    Ok((keys, layouts.len() > 1))
}

/// Several inputs of one department, layout and year: each reported, none placed.
fn conflict(ledger: &Ledger, slots: impl Iterator<Item = usize> + Clone) -> std::io::Result<()> {
    let mut files = Vec::new();
    for slot in slots.clone() {
        if let Some(e) = ledger.get(slot)? {
            files.push(e.file);
        }
    }
    for slot in slots {
        if let Some(mut e) = ledger.get(slot)? {
            e.status = Status::Conflict;
            e.outputs.clear();
            e.message = Some(format!(
                "同一部门、同一年度有 {} 个输入：{}；均未输出，请只保留一个",
                files.len(),
                files.join("、")
            ));
            ledger.put(slot, &e)?;
        }
    }
    Ok(())
}

/// `base`, or `base-2`, `base-3`, … : the first not given to another department.
fn free_folder(base: String, used: &mut HashSet<String>) -> String {
    let mut n = 1;
    loop {
        let folder = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        if used.insert(folder.to_lowercase()) {
            return folder;
        }
        n += 1;
    }
}

/// Puts the folder `src` at `dst`, a previous `dst` set aside into `trash`
/// first and removed after: `dst` is never left half replaced.
fn replace_dir(src: &Path, dst: &Path, trash: &Path) -> std::io::Result<()> {
    if let Some(parent) = dst.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let old = trash.join(format!(
        "old-{}",
        src.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().to_string())
    ));
    let had_old = dst.exists();
    if had_old {
        std::fs::rename(dst, &old)?;
    }
    if let Err(e) = std::fs::rename(src, dst) {
        if had_old {
            let _ = std::fs::rename(&old, dst);
        }
        return Err(e);
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

/// Staging folders are named with this prefix and a unique tail.
const STAGING_PREFIX: &str = ".budget-tables-staging-";
/// The lock file of an output folder in use.
const LOCK_NAME: &str = ".budget-tables.lock";

/// Locks the output folder for this run: a second run into it is refused.
/// The lock ends with the process, however it ends.
fn lock(output: &Path) -> Result<std::fs::File, BatchError> {
    let path = output.join(LOCK_NAME);
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| out_err(&path, e))?;
    match f.try_lock() {
        Ok(()) => Ok(f),
        Err(std::fs::TryLockError::WouldBlock) => {
            Err(BatchError::Busy(output.display().to_string()))
        }
        Err(std::fs::TryLockError::Error(e)) => Err(out_err(&path, e)),
    }
}

/// Staging folders left by runs that were killed: with the lock held, no
/// other run is using any of them.
fn clear_stale_staging(output: &Path) {
    let Ok(rd) = std::fs::read_dir(output) else {
        return;
    };
    for e in rd.flatten() {
        if e.file_name()
            .to_string_lossy()
            .starts_with(".budget-tables-staging")
        {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

impl Entry {
    /// An input not read yet.
    fn new(file: String) -> Entry {
        Entry {
            file,
            department: None,
            year: None,
            status: Status::Unreadable,
            errors: 0,
            warnings: 0,
            notices: 0,
            text_errors: 0,
            layout: None,
            figures: indexmap::IndexMap::new(),
            change: None,
            no_prior: None,
            no_publication: None,
            folder: None,
            outputs: Vec::new(),
            rules: BTreeMap::new(),
            narrative: None,
            message: None,
        }
    }
}

/// The layout's roll-up figures of one department.
fn figures(e: &mut Entry, b: &Budget, specs: &SpecSet) {
    e.layout = Some(b.layout.clone());
    e.figures = specs
        .layout
        .rollup
        .iter()
        .map(|f| (f.label.clone(), figure(&f.cells, b, specs)))
        .collect();
}
