//! Bulk regeneration: every workbook and JSON under a folder, in parallel,
//! each department's outputs in its own folder, and a roll-up per year.
//!
//! Departments stream through the workers (each model is dropped once its
//! outputs are written), so memory does not grow with the number of inputs.
//! Outputs are staged per input and moved into place only when the
//! department is known not to conflict with another input of the same year.

pub mod names;
mod rollup;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use serde::Serialize;

use crate::amount::Amount;
use crate::diag::{has_errors, Severity};
use crate::diff::{compare, Change};
use crate::io::write_atomic;
use crate::model::{json, Budget};
use crate::read::read_path;
use crate::spec::SpecSet;
use crate::text::norm;
use crate::validate::{self, Options};
use crate::write::{annotate, diff as diff_writer, official};

#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("找不到输入目录 {0}")]
    NoInput(String),
    #[error("输出目录 {out} 在输入目录 {input} 之内；请把输出放到输入目录以外")]
    OutInsideInput { out: String, input: String },
    #[error("无法写入输出目录 {path}：{detail}")]
    Output { path: String, detail: String },
    #[error("已中断：未完成的部门没有留下任何文件")]
    Interrupted,
}

/// What became of one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    #[serde(rename = "通过")]
    Passed,
    #[serde(rename = "有警告")]
    Warnings,
    #[serde(rename = "有错误")]
    Errors,
    #[serde(rename = "无法读取")]
    Unreadable,
    #[serde(rename = "冲突")]
    Conflict,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Passed => "通过",
            Status::Warnings => "有警告",
            Status::Errors => "有错误",
            Status::Unreadable => "无法读取",
            Status::Conflict => "冲突",
        }
    }
}

/// One row of the roll-up.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// The input, relative to the input folder.
    pub file: String,
    pub department: Option<String>,
    pub year: Option<i32>,
    pub status: Status,
    pub errors: usize,
    pub warnings: usize,
    pub notices: usize,
    pub income_total: Option<Amount>,
    pub basic: Option<Amount>,
    pub project: Option<Amount>,
    pub sangong: Option<Amount>,
    /// 收入总计 against the prior year's, where the prior year was given.
    pub change: Option<Change>,
    /// The department's output folder, relative to the output folder.
    pub folder: Option<String>,
    /// Output files (label, path relative to the output folder).
    pub outputs: Vec<(String, String)>,
    /// Failing rule id → number of findings (errors and warnings).
    pub rules: BTreeMap<String, usize>,
    pub message: Option<String>,
}

/// What a batch run needs.
pub struct Batch<'a> {
    pub specs: &'a SpecSet,
    pub check: &'a Options,
    pub input: PathBuf,
    pub output: PathBuf,
    pub prior: Option<PathBuf>,
    pub jobs: usize,
}

/// The result of a run: every entry and the roll-up files written.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub entries: Vec<Entry>,
    pub rollups: Vec<String>,
}

const INPUT_EXT: &[&str] = &["xlsx", "xls", "ods", "json"];

/// Every input file under `dir`, recursively, sorted; office lock files (`~$…`) and hidden files skipped.
pub fn discover(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
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
            if p.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| INPUT_EXT.contains(&x.to_ascii_lowercase().as_str()))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
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
        if !self.input.is_dir() {
            return Err(BatchError::NoInput(self.input.display().to_string()));
        }
        std::fs::create_dir_all(&self.output).map_err(|e| out_err(&self.output, e))?;
        let (input, output) = (
            self.input
                .canonicalize()
                .map_err(|e| out_err(&self.input, e))?,
            self.output
                .canonicalize()
                .map_err(|e| out_err(&self.output, e))?,
        );
        if output.starts_with(&input) {
            return Err(BatchError::OutInsideInput {
                out: output.display().to_string(),
                input: input.display().to_string(),
            });
        }
        let files = discover(&input);
        progress(Step::Found(files.len()));
        let staging = output.join(".budget-tables-staging");
        let _ = std::fs::remove_dir_all(&staging);
        std::fs::create_dir_all(&staging).map_err(|e| out_err(&staging, e))?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.jobs.max(1))
            .start_handler(|_| crate::par::mark_batch_worker())
            .build()
            .map_err(|e| out_err(&output, e))?;
        let prior = pool.install(|| self.prior_index());
        let entries: Vec<Entry> = pool.install(|| {
            files
                .par_iter()
                .enumerate()
                .map(|(i, f)| {
                    let e = if stop.load(Ordering::Relaxed) {
                        None
                    } else {
                        Some(self.one(&input, f, &staging.join(i.to_string()), &prior))
                    };
                    progress(Step::Done);
                    e
                })
                .collect::<Vec<Option<Entry>>>()
                .into_iter()
                .flatten()
                .collect()
        });
        if stop.load(Ordering::Relaxed) {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(BatchError::Interrupted);
        }
        let entries = self.place(entries, &staging, &output)?;
        let _ = std::fs::remove_dir_all(&staging);
        let rollups = rollup::write_all(&output, &entries)?;
        Ok(Summary { entries, rollups })
    }

    /// Prior-year inputs by department: (year, path), read once, models dropped.
    fn prior_index(&self) -> HashMap<String, Vec<(i32, PathBuf)>> {
        let Some(dir) = &self.prior else {
            return HashMap::new();
        };
        let found: Vec<(String, i32, PathBuf)> = discover(dir)
            .par_iter()
            .filter_map(|p| {
                read_path(p, self.specs)
                    .ok()
                    .map(|o| (norm(&o.budget.department), o.budget.year, p.clone()))
            })
            .collect();
        let mut map: HashMap<String, Vec<(i32, PathBuf)>> = HashMap::new();
        for (d, y, p) in found {
            map.entry(d).or_default().push((y, p));
        }
        map
    }

    /// Reads, checks and writes one input into its staging folder.
    fn one(
        &self,
        input: &Path,
        file: &Path,
        stage: &Path,
        prior: &HashMap<String, Vec<(i32, PathBuf)>>,
    ) -> Entry {
        let mut e = Entry {
            file: rel(input, file),
            department: None,
            year: None,
            status: Status::Unreadable,
            errors: 0,
            warnings: 0,
            notices: 0,
            income_total: None,
            basic: None,
            project: None,
            sangong: None,
            change: None,
            folder: None,
            outputs: Vec::new(),
            rules: BTreeMap::new(),
            message: None,
        };
        let out = match read_path(file, self.specs) {
            Ok(o) => o,
            Err(err) => {
                e.message = Some(err.to_string());
                return e;
            }
        };
        let found = validate::validate(&out.budget, self.specs, &out.sources, self.check);
        let findings = validate::combine(out.diagnostics.clone(), found);
        let b = &out.budget;
        e.department = Some(b.department.clone()).filter(|d| !d.is_empty());
        e.year = Some(b.year).filter(|y| *y > 0);
        e.errors = findings
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        e.warnings = findings
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count();
        e.notices = findings
            .iter()
            .filter(|d| d.severity == Severity::Notice)
            .count();
        for d in findings.iter().filter(|d| d.severity != Severity::Notice) {
            *e.rules.entry(d.rule.clone()).or_default() += 1;
        }
        e.status = if e.errors > 0 {
            Status::Errors
        } else if e.warnings > 0 {
            Status::Warnings
        } else {
            Status::Passed
        };
        figures(&mut e, b);
        if e.department.is_none() || e.year.is_none() {
            e.message = Some(
                "找不到部门名称或年度，无法归档；请在各表“部门名称:”处填写并使用带年度的模板"
                    .into(),
            );
            return e;
        }
        let written = (|| -> Result<(), String> {
            let mut put = |label: &str, name: &str, bytes: Vec<u8>| -> Result<(), String> {
                write_atomic(&stage.join(name), &bytes, &[file]).map_err(|x| x.to_string())?;
                e.outputs.push((label.to_string(), name.to_string()));
                Ok(())
            };
            if !has_errors(&findings) {
                put(
                    "公开报表",
                    "公开报表.xlsx",
                    official::workbook_bytes(b, self.specs).map_err(|x| x.to_string())?,
                )?;
            }
            put("规范模型", "模型.json", json::to_string(b).into_bytes())?;
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
                    annotate::workbook_bytes_styled(
                        &out.sheets,
                        &findings,
                        &crate::read::sheet::xlsx_styles(&std::fs::read(file).unwrap_or_default()),
                    )
                    .map_err(|x| x.to_string())?,
                )?;
            }
            if let Some((_, p)) = prior.get(&norm(&b.department)).and_then(|v| {
                v.iter()
                    .filter(|(y, _)| *y < b.year)
                    .max_by_key(|(y, _)| *y)
            }) {
                if let Ok(po) = read_path(p, self.specs) {
                    let d = compare(&po.budget, b, self.specs);
                    e.change = d.headlines.first().map(|h| h.change.clone());
                    put(
                        "年度对比",
                        "年度对比.xlsx",
                        diff_writer::workbook_bytes(&d).map_err(|x| x.to_string())?,
                    )?;
                }
            }
            Ok(())
        })();
        if let Err(m) = written {
            e.message = Some(format!("写出失败：{m}"));
        }
        e
    }

    /// Moves each department's staged outputs into `<year>/<department>/`;
    /// two inputs of one department and year are both reported, neither kept.
    fn place(
        &self,
        mut entries: Vec<Entry>,
        staging: &Path,
        output: &Path,
    ) -> Result<Vec<Entry>, BatchError> {
        let mut groups: HashMap<(i32, String), Vec<usize>> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            if let (Some(y), Some(d)) = (e.year, &e.department) {
                groups.entry((y, norm(d))).or_default().push(i);
            }
        }
        let mut used: HashMap<String, usize> = HashMap::new();
        let mut order: Vec<&(i32, String)> = groups.keys().collect();
        order.sort();
        let mut moves = Vec::new();
        for key in order {
            let idx = &groups[key];
            if idx.len() > 1 {
                let files: Vec<String> = idx.iter().map(|&i| entries[i].file.clone()).collect();
                for &i in idx {
                    entries[i].status = Status::Conflict;
                    entries[i].outputs.clear();
                    entries[i].message = Some(format!(
                        "同一部门、同一年度有 {} 个输入：{}；均未输出，请只保留一个",
                        idx.len(),
                        files.join("、")
                    ));
                }
                continue;
            }
            let i = idx[0];
            let e = &entries[i];
            let base = format!(
                "{}/{}",
                key.0,
                names::safe_component(e.department.as_deref().unwrap_or(""))
            );
            let n = used.entry(base.clone()).or_insert(0);
            *n += 1;
            let folder = if *n == 1 { base } else { format!("{base}-{n}") };
            moves.push((i, folder));
        }
        for (i, folder) in moves {
            let src = staging.join(i.to_string());
            let dst = output.join(&folder);
            if src.is_dir() {
                let _ = std::fs::remove_dir_all(&dst);
                if let Some(parent) = dst.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| out_err(parent, e))?;
                }
                std::fs::rename(&src, &dst).map_err(|e| out_err(&dst, e))?;
            }
            let e = &mut entries[i];
            e.outputs = e
                .outputs
                .iter()
                .map(|(l, n)| (l.clone(), format!("{folder}/{n}")))
                .collect();
            e.folder = Some(folder);
        }
        Ok(entries)
    }
}

fn figures(e: &mut Entry, b: &Budget) {
    e.income_total = b.line("t01", "income_total");
    e.basic = b.dept("t04", "", "total");
    e.project = b.dept("t05", "", "total");
    e.sangong = crate::diff::sentence::sangong(b, "total");
}
