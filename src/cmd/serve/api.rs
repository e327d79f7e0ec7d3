//! The HTTP API: each endpoint runs a command's own function on the uploaded
//! files and answers with its output, or with its message as JSON.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Multipart, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use budget_tables::diag::{has_table_errors, Diagnostic};
use budget_tables::spec::SpecSet;
use budget_tables::write::{Format, Rendered};
use serde::Deserialize;

use super::upload::{self, Upload};
use super::AppState;
use crate::cmd::{check, convert, diff, CmdError};

pub(super) fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/api/check", post(check_file))
        .route("/api/convert", post(convert_file))
        .route("/api/annotate", post(annotate_file))
        .route("/api/publish", post(publish_file))
        .route("/api/narrate", post(narrate_file))
        .route("/api/diff", post(diff_files))
        .route("/api/batch", post(batch_files))
        .route("/api/batch/{id}/all.zip", get(batch_zip))
        .route("/api/batch/{id}/file", get(batch_file))
        .route("/api/template", get(template))
        .route("/api/layouts", get(layouts))
        .route("/api/rules", get(rules))
        .with_state(state)
}

/// An answer that is not the output asked for: its status and the command
/// line's message, as JSON (`{"error": …, "status": …}`).
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
    /// The findings that made an output be refused (422).
    findings: Option<Vec<Diagnostic>>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: String) -> ApiError {
        ApiError {
            status,
            message,
            findings: None,
        }
    }

    pub fn bad(message: String) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn internal(message: String) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// 422: the input has errors, so the output was not made.
    fn refused(message: String, findings: Vec<Diagnostic>) -> ApiError {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message,
            findings: Some(findings),
        }
    }

    fn scrubbed(mut self, upload: &Upload) -> ApiError {
        self.message = upload.scrub(&self.message);
        self
    }
}

impl From<CmdError> for ApiError {
    fn from(e: CmdError) -> ApiError {
        use budget_tables::read::ReadError;
        let status = match &e {
            CmdError::Read(ReadError::TooLarge { .. }) => StatusCode::PAYLOAD_TOO_LARGE,
            CmdError::Write(_) | CmdError::Output(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        };
        ApiError::new(status, e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({
            "error": self.message,
            "status": self.status.as_u16(),
        });
        if let Some(f) = self.findings {
            body["findings"] = serde_json::to_value(f).unwrap_or_default();
        }
        (self.status, Json(body)).into_response()
    }
}

type Answer = Result<Response, ApiError>;

/// The jobs working now, each with the token that stops it.
#[derive(Default)]
pub struct Running(
    Mutex<(
        u64,
        std::collections::HashMap<u64, budget_tables::cancel::Token>,
    )>,
);

impl Running {
    fn add(&self, token: budget_tables::cancel::Token) -> u64 {
        let mut g = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        g.0 += 1;
        let id = g.0;
        g.1.insert(id, token);
        id
    }

    fn token_of(&self, id: u64) -> Option<budget_tables::cancel::Token> {
        let g = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        g.1.get(&id).cloned()
    }

    fn remove(&self, id: u64) {
        let mut g = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        g.1.remove(&id);
    }

    /// Stops every job at its next checkpoint (the server is stopping).
    pub fn stop_all(&self) {
        let g = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for t in g.1.values() {
            t.cancel();
        }
    }
}

/// The answer of a request past its time limit.
fn over_time(limit: Duration) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        format!(
            "处理超时：超过 {} 秒仍未完成（含上传）；请稍后再试，或在命令行处理这个文件",
            limit.as_secs()
        ),
    )
}

/// Runs `job` on the request's files: the upload is received first (holding
/// no job slot), then the job waits for a permit (at most the queue time,
/// else 503) and works on a thread of its own. The whole request has the
/// time limit (else 503); at the limit the job is stopped at its next
/// checkpoint, which frees its permit, and its folder goes with it.
async fn run_job<T: Send + 'static>(
    s: Arc<AppState>,
    form: Option<Multipart>,
    job: impl FnOnce(&AppState, &Upload) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let limit = s.config.time_limit;
    let deadline = tokio::time::Instant::now() + limit;
    let upload = match form {
        Some(f) => tokio::time::timeout_at(deadline, upload::receive(f))
            .await
            .map_err(|_| over_time(limit))??,
        None => Upload::none()?,
    };
    let wait = s
        .config
        .queue_wait
        .min(deadline - tokio::time::Instant::now());
    let permit = tokio::time::timeout(wait, s.permits.clone().acquire_owned())
        .await
        .ok()
        .and_then(Result::ok)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "服务器正忙：已有 {} 个文件正在处理，请稍后再试",
                    s.config.jobs
                ),
            )
        })?;
    let token = budget_tables::cancel::Token::default();
    let id = s.running.add(token.clone());
    let state = s.clone();
    let work = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let r = budget_tables::cancel::run(&token, || {
            job(&state, &upload).map_err(|e| e.scrubbed(&upload))
        });
        drop(upload);
        state.running.remove(id);
        release_memory();
        r
    });
    let stop = s.running.token_of(id);
    match tokio::time::timeout_at(deadline, work).await {
        Ok(Ok(Ok(answer))) => answer,
        Ok(Ok(Err(_cancelled))) => Err(over_time(limit)),
        Ok(Err(_)) => Err(ApiError::internal(
            "程序内部错误；请把输入文件发给维护人员".into(),
        )),
        Err(_) => {
            if let Some(t) = stop {
                t.cancel();
            }
            Err(over_time(limit))
        }
    }
}

/// Gives the memory a finished job used back to the system, so the server
/// returns to its size between requests (glibc keeps freed memory otherwise).
fn release_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of the allocator.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// A file to download.
fn file(bytes: Vec<u8>, name: &str, mime: &'static str) -> Response {
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&disposition(name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const JSON: &str = "application/json; charset=utf-8";
const ZIP: &str = "application/zip";
const PDF: &str = "application/pdf";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// `attachment` with the name both as ASCII and as UTF-8 (RFC 6266).
fn disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// The uploaded name without its extension, for the names of outputs.
fn stem(up: &Upload, p: &Path) -> String {
    let name = up.name_of(p);
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_string(),
        _ if name.is_empty() => "输出".into(),
        _ => name,
    }
}

fn name_of(p: &Path) -> String {
    p.file_name()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
}

#[derive(Deserialize, Default)]
struct CheckQuery {
    /// Adds the published tables as the page shows them.
    #[serde(default)]
    preview: Option<String>,
}

fn flag(v: Option<&str>) -> bool {
    matches!(v, Some("1" | "true" | "yes"))
}

/// `POST /api/check`: the JSON of `check --format json` (fields `file`,
/// optional `narrative` and `prior`); `?preview=1` wraps it with the
/// published tables (`{"check": …, "layout": …, "preview": …}`).
async fn check_file(
    State(s): State<Arc<AppState>>,
    Query(q): Query<CheckQuery>,
    form: Multipart,
) -> Answer {
    let with_preview = flag(q.preview.as_deref());
    let body = run_job(s, Some(form), move |st, up| {
        let input = up.file("file")?;
        let c = check::evaluate(
            &st.setup,
            input,
            false,
            &check::Texts {
                narrative: up.optional("narrative"),
                prior: up.optional("prior"),
            },
        )?;
        let mut json = Vec::new();
        c.write_json(&up.name_of(input), &mut json)
            .map_err(|e| ApiError::internal(e.to_string()))?;
        if !with_preview {
            return Ok(json);
        }
        let official = budget_tables::write::official::workbook_bytes_with(
            &c.outcome.budget,
            &c.specs,
            &c.opts.catalogue,
        )
        .map_err(|e| ApiError::from(CmdError::from(e)))?;
        let preview = budget_tables::write::preview::preview(&official, &c.specs, &c.findings)
            .map_err(|e| ApiError::internal(e.to_string()))?;
        let report: serde_json::Value =
            serde_json::from_slice(&json).map_err(|e| ApiError::internal(e.to_string()))?;
        let whole = serde_json::json!({
            "check": report,
            "layout": {"id": c.specs.layout.id, "name": c.specs.layout.name},
            "preview": preview,
        });
        serde_json::to_vec(&whole).map_err(|e| ApiError::internal(e.to_string()))
    })
    .await?;
    Ok(file_inline(body))
}

fn file_inline(json: Vec<u8>) -> Response {
    let mut res = json.into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON));
    res
}

#[derive(Deserialize, Default)]
struct OutputQuery {
    to: Option<String>,
    allow_errors: Option<String>,
}

impl OutputQuery {
    /// The format asked for (`to=xlsx|json|csv|datapackage`, the workbook by
    /// default), and whether an input with errors may be output all the same.
    fn choices(&self) -> Result<(Format, bool), ApiError> {
        let format = match self.to.as_deref() {
            None => Format::OfficialXlsx,
            Some(name) => crate::cmd::zh::output_format(name).map_err(ApiError::bad)?,
        };
        Ok((format, flag(self.allow_errors.as_deref())))
    }

    /// Whether JSON is asked for (`to=json`) rather than the workbook.
    fn json(&self) -> Result<(bool, bool), ApiError> {
        let (format, allow) = self.choices()?;
        match format {
            Format::OfficialXlsx => Ok((false, allow)),
            Format::Json => Ok((true, allow)),
            _ => Err(ApiError::bad(format!(
                "对比结果不能输出为“{}”；to 应为 xlsx 或 json",
                format.name()
            ))),
        }
    }
}

/// `POST /api/convert?to=xlsx|json`: the official workbook or canonical JSON;
/// an input with errors is refused (422) unless `allow_errors=1`.
async fn convert_file(
    State(s): State<Arc<AppState>>,
    Query(q): Query<OutputQuery>,
    form: Multipart,
) -> Answer {
    // Checked once the upload is in: an answer sent while a client is still
    // sending reaches it as a broken connection, not as the message.
    run_job(s, Some(form), move |st, up| {
        let (format, allow) = q.choices()?;
        let input = up.file("file")?;
        let built = convert::build(&st.setup, input, format)?;
        if has_table_errors(&built.findings) && !allow {
            let errors = crate::cmd::table_errors_only(built.findings);
            return Err(ApiError::refused(
                format!(
                    "{}：表格有 {} 个错误，未生成输出。请按提示修改后重试。",
                    up.name_of(input),
                    errors.len()
                ),
                errors,
            ));
        }
        let rendered = built.rendered.map_err(CmdError::from)?;
        let stem = stem(up, input);
        Ok(match (format, rendered) {
            (Format::Json, Rendered::File(bytes)) => file(bytes, &format!("{stem}.json"), JSON),
            (_, Rendered::File(bytes)) => file(bytes, &format!("{stem}-公开报表.xlsx"), XLSX),
            (_, Rendered::Folder(files)) => {
                let zip = zip_files(&files)
                    .map_err(|e| ApiError::internal(format!("无法打包结果：{e}")))?;
                file(zip, &format!("{stem}-{}.zip", format.label()), ZIP)
            }
        })
    })
    .await
}

/// What `/api/publish` is asked for: `form=pdf` (the default) or `form=docx`.
#[derive(serde::Deserialize)]
struct PublishQuery {
    form: Option<String>,
}

/// `POST /api/publish`: the publication document (cover, contents, 说明,
/// tables) as PDF or .docx; refused, as on the command line, while the
/// tables or the text have errors or the text is unfinished.
async fn publish_file(
    State(s): State<Arc<AppState>>,
    Query(q): Query<PublishQuery>,
    form: Multipart,
) -> Answer {
    use budget_tables::write::publish::{self, Form};
    run_job(s, Some(form), move |st, up| {
        let (form, mime) = match q.form.as_deref() {
            None | Some("pdf") => (Form::Pdf, PDF),
            Some("docx") => (Form::Docx, DOCX),
            Some(other) => {
                return Err(ApiError::bad(format!(
                    "form 只能是 pdf 或 docx，收到“{other}”"
                )))
            }
        };
        let input = up.file("file")?;
        let (specs, opts, cur) = crate::cmd::load(&st.setup, input)?;
        if !specs.layout.document.is_declared() {
            return Err(ApiError::bad(publish::no_document(&specs)));
        }
        let made = budget_tables::pipeline::publication(&cur, None, &specs, &opts, None)
            .map_err(CmdError::from)?;
        if made.refused() {
            let errors = crate::cmd::errors_only(made.findings);
            let mut message = format!(
                "{}：公开文件中还有 {} 个错误、{} 处未完成的文字，未生成公开文件。请修改后重试。",
                up.name_of(input),
                errors.len(),
                made.unfinished.len()
            );
            for u in made.unfinished.iter().take(20) {
                message.push_str(&format!("\n{u}"));
            }
            return Err(ApiError::refused(message, errors));
        }
        let written = publish::render(&made.publication, form).map_err(CmdError::from)?;
        let stem = stem(up, input);
        Ok(file(
            written.bytes,
            &format!("{stem}-公开文件.{}", form.extension()),
            mime,
        ))
    })
    .await
}

/// `POST /api/narrate`: a draft of the 说明 as Word (`file`, and `prior`,
/// last year's file, for the changes); refused while the tables have errors.
async fn narrate_file(State(s): State<Arc<AppState>>, form: Multipart) -> Answer {
    use budget_tables::narrate::{self, Inputs};
    run_job(s, Some(form), move |st, up| {
        let input = up.file("file")?;
        let (specs, opts, cur) = crate::cmd::load(&st.setup, input)?;
        if specs.layout.narrative.sections.is_empty() {
            return Err(ApiError::bad(format!(
                "版式“{}”没有声明说明的章节，无法起草说明",
                specs.layout.name
            )));
        }
        let prior = match up.optional("prior") {
            Some(p) => Some(crate::cmd::load_prior(&st.setup, p, &specs, &cur)?),
            None => None,
        };
        let mut errors = crate::cmd::table_errors_only(crate::cmd::findings(&cur, &specs, &opts));
        if let Some((other, other_opts, p)) = &prior {
            errors.extend(crate::cmd::table_errors_only(crate::cmd::findings(
                p, other, other_opts,
            )));
        }
        if !errors.is_empty() {
            return Err(ApiError::refused(
                format!(
                    "{}：表格有 {} 个错误，未起草说明。请先改正表格。",
                    up.name_of(input),
                    errors.len()
                ),
                errors,
            ));
        }
        let d = narrate::draft(&Inputs {
            specs: &specs,
            current: &cur.budget,
            prior: prior.as_ref().map(|(_, _, p)| &p.budget),
            sources: &cur.sources,
        });
        let bytes = narrate::docx::bytes(&d).map_err(ApiError::internal)?;
        Ok(file(
            bytes,
            &format!("{}-说明草稿.docx", stem(up, input)),
            DOCX,
        ))
    })
    .await
}

/// `POST /api/annotate`: the input workbook with its problem cells marked and commented.
async fn annotate_file(State(s): State<Arc<AppState>>, form: Multipart) -> Answer {
    run_job(s, Some(form), move |st, up| {
        let input = up.file("file")?;
        let c = check::evaluate(
            &st.setup,
            input,
            true,
            &check::Texts {
                narrative: None,
                prior: None,
            },
        )?;
        // A PDF is marked in a copy of itself, a workbook in a workbook.
        if c.outcome.pdf.is_some() {
            let bytes = c.annotated(input, "标注副本", check::AnnotatedAs::Pdf)?;
            return Ok(file(bytes, &format!("{}-标注.pdf", stem(up, input)), PDF));
        }
        let bytes = c.annotated_copy(input, "标注副本")?;
        Ok(file(bytes, &format!("{}-标注.xlsx", stem(up, input)), XLSX))
    })
    .await
}

/// `POST /api/diff?to=xlsx|json` (fields `prior`, `current`): the diff
/// workbook or the diff's JSON; inputs with errors are refused (422) unless
/// `allow_errors=1`.
async fn diff_files(
    State(s): State<Arc<AppState>>,
    Query(q): Query<OutputQuery>,
    form: Multipart,
) -> Answer {
    // Checked once the upload is in: an answer sent while a client is still
    // sending reaches it as a broken connection, not as the message.
    run_job(s, Some(form), move |st, up| {
        let (to_json, allow) = q.json()?;
        let (prior, current) = (up.file("prior")?, up.file("current")?);
        let c = diff::compare_files(&st.setup, prior, current)?;
        if !c.errors.is_empty() && !allow {
            let names: Vec<String> = c
                .errors
                .iter()
                .map(|(p, e)| format!("{}：有 {} 个错误", up.name_of(p), e.len()))
                .collect();
            return Err(ApiError::refused(
                format!(
                    "{}；输入有错误，未生成对比结果。请先修正（或加 allow_errors=1 照样对比）。",
                    names.join("；")
                ),
                c.errors.into_iter().flat_map(|(_, e)| e).collect(),
            ));
        }
        c.order?;
        if to_json {
            let json = serde_json::to_vec_pretty(&c.diff)
                .map_err(|e| ApiError::internal(e.to_string()))?;
            Ok(file_inline(json))
        } else {
            let bytes =
                budget_tables::write::diff::workbook_bytes(&c.diff).map_err(CmdError::from)?;
            Ok(file(
                bytes,
                &format!("{}-年度对比.xlsx", stem(up, current)),
                XLSX,
            ))
        }
    })
    .await
}

#[derive(Deserialize, Default)]
struct TemplateQuery {
    layout: Option<String>,
    department: Option<String>,
    year: Option<String>,
}

/// `GET /api/template?layout=&department=&year=`: the blank fill-in workbook.
async fn template(State(s): State<Arc<AppState>>, Query(q): Query<TemplateQuery>) -> Answer {
    let year = match q.year.as_deref().filter(|y| !y.is_empty()) {
        Some(y) => Some(crate::cmd::zh::year(y).map_err(ApiError::bad)?),
        None => None,
    };
    run_job(s, None, move |st, _| {
        let specs = layout_named(st, q.layout.as_deref())?;
        let department = q.department.unwrap_or_default().trim().to_string();
        let year = year.unwrap_or_else(crate::cmd::template::next_year);
        let bytes = budget_tables::write::template::workbook_bytes(
            &specs,
            &budget_tables::write::template::TemplateOptions {
                department: department.clone(),
                year,
            },
        )
        .map_err(CmdError::from)?;
        Ok(file(
            bytes,
            &format!("{department}{year}年填报模板.xlsx"),
            XLSX,
        ))
    })
    .await
}

/// The layout `id` among those the server reads (the default one when none is named).
fn layout_named(st: &AppState, id: Option<&str>) -> Result<SpecSet, ApiError> {
    let Some(id) = id.filter(|i| !i.is_empty()) else {
        return Ok(st.setup.specs()?);
    };
    let mut all = st.setup.layouts()?;
    match all.iter().position(|s| s.layout.id == id) {
        Some(i) => Ok(all.swap_remove(i)),
        None => Err(ApiError::bad(format!(
            "没有版式“{id}”；可用的版式：{}",
            all.iter()
                .map(|s| s.layout.id.as_str())
                .collect::<Vec<_>>()
                .join("、")
        ))),
    }
}

/// `GET /api/layouts`: each layout with its tables.
async fn layouts(State(s): State<Arc<AppState>>) -> Answer {
    let all = s.setup.layouts()?;
    let list: Vec<serde_json::Value> = all
        .iter()
        .map(|specs| {
            let l = &specs.layout;
            serde_json::json!({
                "id": l.id, "version": l.version, "name": l.name, "region": l.region,
                "kind": l.kind, "scope": l.scope,
                "default": l.id == budget_tables::spec::DEFAULT_LAYOUT,
                "origin": specs.origin.describe(),
                "tables": specs.tables.iter().map(|t| serde_json::json!({
                    "id": t.id, "name": t.sheet_name(), "unit": t.unit.label(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(Json(list).into_response())
}

#[derive(Deserialize, Default)]
struct RulesQuery {
    layout: Option<String>,
}

/// `GET /api/rules?layout=`: the rules that check a layout (the default one when none is named).
async fn rules(State(s): State<Arc<AppState>>, Query(q): Query<RulesQuery>) -> Answer {
    let specs = layout_named(&s, q.layout.as_deref())?;
    let list = budget_tables::registry::catalogue(&specs);
    Ok(Json(serde_json::json!({"layout": specs.layout.id, "rules": list})).into_response())
}

/// Finished batches, kept a while for their downloads.
#[derive(Default)]
pub struct Results(Mutex<VecDeque<Kept>>);

struct Kept {
    id: String,
    at: Instant,
    zip: Arc<Vec<u8>>,
}

/// How many finished batches are kept, and for how long.
const KEPT: usize = 8;
const KEPT_FOR: Duration = Duration::from_secs(3600);

impl Results {
    fn keep(&self, zip: Vec<u8>) -> Result<String, ApiError> {
        let id = super::random_hex::<12>().map_err(|e| ApiError::internal(e.to_string()))?;
        let mut kept = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        kept.retain(|k| k.at.elapsed() < KEPT_FOR);
        while kept.len() >= KEPT {
            kept.pop_front();
        }
        kept.push_back(Kept {
            id: id.clone(),
            at: Instant::now(),
            zip: Arc::new(zip),
        });
        Ok(id)
    }

    fn get(&self, id: &str) -> Result<Arc<Vec<u8>>, ApiError> {
        let kept = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        kept.iter()
            .find(|k| k.id == id && k.at.elapsed() < KEPT_FOR)
            .map(|k| k.zip.clone())
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    "这批结果已不在服务器上（保留 1 小时、最近 8 批）；请重新上传".into(),
                )
            })
    }
}

/// `POST /api/batch` (fields `file`, many; a zip is unpacked): every
/// department converted and rolled up, as `budget-tables batch` does; the
/// answer is the roll-up's JSON with an `id` to download the outputs by.
async fn batch_files(State(s): State<Arc<AppState>>, form: Multipart) -> Answer {
    let state = s.clone();
    let (summary, zip) = run_job(s, Some(form), move |st, up| {
        let input = up.path().join("输入");
        let output = up.path().join("输出");
        upload::private_dir(&input).map_err(|e| ApiError::internal(e.to_string()))?;
        for (i, (_, path, _)) in up.files.iter().enumerate() {
            let is_zip = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
            if is_zip {
                upload::unzip(path, &input)?;
                continue;
            }
            let mut target = input.join(name_of(path));
            if target.exists() {
                target = input.join(i.to_string()).join(name_of(path));
                upload::private_dir(&input.join(i.to_string()))
                    .map_err(|e| ApiError::internal(e.to_string()))?;
            }
            std::fs::rename(path, &target).map_err(|e| ApiError::internal(e.to_string()))?;
        }
        let (layouts, opts) = (st.setup.layouts()?, st.setup.options()?);
        let batch = budget_tables::batch::Batch {
            layouts: &layouts,
            check: &opts,
            input: input.clone(),
            output: output.clone(),
            prior: None,
            jobs: 1,
            publish: false,
            year: None,
        };
        let summary = batch
            .run(&|_| {}, &std::sync::atomic::AtomicBool::new(false))
            .map_err(|e| ApiError::bad(e.to_string()))?;
        let zip =
            zip_folder(&output).map_err(|e| ApiError::internal(format!("无法打包结果：{e}")))?;
        // Read back from the batch's records while its folder is still there.
        let summary =
            serde_json::to_value(&summary).map_err(|e| ApiError::internal(e.to_string()))?;
        Ok((summary, zip))
    })
    .await?;
    let id = state.results.keep(zip)?;
    Ok(Json(serde_json::json!({"id": id, "summary": summary})).into_response())
}

/// Named files as one zip with fixed times (the same files give the same bytes).
fn zip_files(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (name, bytes) in files {
        w.start_file(name.as_str(), opts)?;
        w.write_all(bytes)?;
    }
    Ok(w.finish()?.into_inner())
}

/// Every file under `dir`, in name order, as one zip with fixed times (the
/// same outputs give the same bytes).
fn zip_folder(dir: &Path) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)? {
            let e = e?;
            // The batch's own lock and records (hidden files) are not outputs.
            if e.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut named = Vec::new();
    for f in files {
        let rel = f.strip_prefix(dir)?;
        let name = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        named.push((name, std::fs::read(&f)?));
    }
    zip_files(&named)
}

/// `GET /api/batch/{id}/all.zip`: every output of a batch.
async fn batch_zip(
    State(s): State<Arc<AppState>>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Answer {
    let zip = s.results.get(&id)?;
    Ok(file(zip.as_ref().clone(), "批量处理结果.zip", ZIP))
}

#[derive(Deserialize)]
struct FileQuery {
    path: String,
}

/// `GET /api/batch/{id}/file?path=`: one output of a batch (a path from its roll-up).
async fn batch_file(
    State(s): State<Arc<AppState>>,
    axum::extract::Path(id): axum::extract::Path<String>,
    Query(q): Query<FileQuery>,
) -> Answer {
    use std::io::Read;
    let zip = s.results.get(&id)?;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.as_slice()))
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let wanted = q.path.replace('\\', "/");
    let mut entry = archive.by_name(&wanted).map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!("这批结果中没有文件“{wanted}”"),
        )
    })?;
    let mut bytes = Vec::new();
    entry
        .read_to_end(&mut bytes)
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let name = wanted.rsplit('/').next().unwrap_or(&wanted).to_string();
    let mime = if name.ends_with(".json") {
        JSON
    } else if name.ends_with(".xlsx") {
        XLSX
    } else {
        "application/octet-stream"
    };
    Ok(file(bytes, &name, mime))
}
