//! Uploaded files, streamed into a private temporary folder that is removed
//! with the request.

use std::path::{Path, PathBuf};

use axum::extract::Multipart;
use axum::http::StatusCode;
use budget_tables::read::sheet::MAX_FILE_BYTES;
use tokio::io::AsyncWriteExt;

use super::api::ApiError;

/// One file's cap is the command line's; a request may carry a batch of them.
pub const MAX_REQUEST_BYTES: usize = 4 * MAX_FILE_BYTES as usize;
/// A zip given to batch: at most this many entries, and this much unpacked.
const MAX_ZIP_ENTRIES: usize = 5_000;
const MAX_ZIP_BYTES: u64 = 4 * MAX_FILE_BYTES;

/// The files of one request, in a folder only this process can read.
pub struct Upload {
    /// Removed when the upload is dropped (at the end of the request's work).
    pub dir: tempfile::TempDir,
    /// (form field, saved file, name as uploaded) in the order received.
    pub files: Vec<(String, PathBuf, String)>,
}

impl Upload {
    /// No files yet: a private folder of its own (only this process can read it).
    ///
    /// # Errors
    /// 500 when the temporary folder cannot be made.
    pub fn none() -> Result<Upload, ApiError> {
        let dir = tempfile::Builder::new()
            .prefix("budget-tables-")
            .tempdir()
            .map_err(|e| ApiError::internal(format!("无法创建临时文件夹：{e}")))?;
        Ok(Upload {
            dir,
            files: Vec::new(),
        })
    }

    /// The first file of `field`.
    ///
    /// # Errors
    /// 400 when the request has no such file.
    pub fn file(&self, field: &str) -> Result<&Path, ApiError> {
        self.files
            .iter()
            .find(|(f, ..)| f == field)
            .map(|(_, p, _)| p.as_path())
            .ok_or_else(|| {
                ApiError::bad(format!(
                    "请求中缺少文件字段“{field}”（multipart/form-data，字段名 {field}）"
                ))
            })
    }

    /// The name `path` was uploaded as.
    pub fn name_of(&self, path: &Path) -> String {
        self.files.iter().find(|(_, p, _)| p == path).map_or_else(
            || {
                path.file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
            },
            |(.., n)| n.clone(),
        )
    }

    /// A message with this request's saved files named as the user named
    /// them, as the command line names them; the private folder never shows.
    pub fn scrub(&self, message: &str) -> String {
        let mut out = message.to_string();
        for (_, p, name) in &self.files {
            out = out.replace(&p.display().to_string(), name);
        }
        out.replace(
            &format!("{}{}", self.dir.path().display(), std::path::MAIN_SEPARATOR),
            "",
        )
    }
}

/// Receives every file of a multipart request; a file past the command
/// line's size cap is refused (413) as soon as it passes it.
///
/// # Errors
/// 400 for a malformed request, 413 for a file too large.
pub async fn receive(mut form: Multipart) -> Result<Upload, ApiError> {
    let dir = Upload::none()?.dir;
    let mut files = Vec::new();
    while let Some(mut field) = form.next_field().await.map_err(bad_form)? {
        let Some(raw_name) = field.file_name().map(str::to_string) else {
            continue;
        };
        let name = file_name(&raw_name);
        let shown = raw_name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(&raw_name)
            .to_string();
        let field_name = field.name().unwrap_or("file").to_string();
        // One folder per file, so two uploads of the same name do not meet.
        let folder = dir.path().join(files.len().to_string());
        std::fs::create_dir(&folder).map_err(|e| write_failed(&e))?;
        let path = folder.join(&name);
        let mut out = tokio::fs::File::create(&path)
            .await
            .map_err(|e| write_failed(&e))?;
        let mut size: u64 = 0;
        while let Some(chunk) = field.chunk().await.map_err(bad_form)? {
            size += chunk.len() as u64;
            if size > MAX_FILE_BYTES {
                // The rest is read and dropped (up to the request's cap), so
                // that the client, still sending, gets the answer.
                while form.next_field().await.ok().flatten().is_some() {}
                return Err(too_large(&shown));
            }
            out.write_all(&chunk).await.map_err(|e| write_failed(&e))?;
        }
        out.flush().await.map_err(|e| write_failed(&e))?;
        files.push((field_name, path, shown));
    }
    Ok(Upload { dir, files })
}

fn write_failed(e: &std::io::Error) -> ApiError {
    ApiError::internal(format!("无法写入临时文件：{e}"))
}

/// The command line's words for a file past the cap.
pub fn too_large(name: &str) -> ApiError {
    let e = budget_tables::read::ReadError::TooLarge {
        path: name.to_string(),
        what: format!("文件超过 {MAX_FILE_BYTES} 字节"),
        limit: format!("{MAX_FILE_BYTES} 字节"),
    };
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, e.to_string())
}

fn bad_form(e: axum::extract::multipart::MultipartError) -> ApiError {
    let status = e.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(
            status,
            format!("上传的内容超过 {MAX_REQUEST_BYTES} 字节的上限；请分批上传"),
        );
    }
    ApiError::new(
        StatusCode::BAD_REQUEST,
        format!("无法读取上传的内容（{e}）；请以 multipart/form-data 上传文件"),
    )
}

/// The last part of an uploaded name, made safe as one file name.
fn file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let safe = budget_tables::batch::names::safe_component(last);
    if last.trim().is_empty() {
        "上传文件".into()
    } else {
        safe
    }
}

/// Unpacks the workbooks and JSON of a zip into `into` (folders kept); an
/// entry that would land outside it is skipped.
///
/// # Errors
/// A zip that cannot be read, has too many entries or unpacks too large.
pub fn unzip(zip: &Path, into: &Path) -> Result<usize, ApiError> {
    let name = zip
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bad = |why: String| {
        ApiError::bad(format!(
            "{name} 不是可读取的 zip 压缩包（{why}）；请重新压缩后上传"
        ))
    };
    let file = std::fs::File::open(zip).map_err(|e| bad(e.to_string()))?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| bad(e.to_string()))?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "{name} 中有 {} 个文件，超过上限 {MAX_ZIP_ENTRIES} 个；请分批上传",
                archive.len()
            ),
        ));
    }
    let (mut total, mut count) = (0u64, 0usize);
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| bad(e.to_string()))?;
        let Some(rel) = entry.enclosed_name() else {
            continue;
        };
        let wanted = rel.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            ["xlsx", "xls", "ods", "json"].contains(&e.to_ascii_lowercase().as_str())
        });
        if entry.is_dir() || !wanted {
            continue;
        }
        let target = into.join(&rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| write_failed(&e))?;
        }
        let mut out = std::fs::File::create(&target).map_err(|e| write_failed(&e))?;
        let copied = std::io::copy(&mut (&mut entry).take(MAX_FILE_BYTES + 1), &mut out)
            .map_err(|e| bad(e.to_string()))?;
        if copied > MAX_FILE_BYTES {
            return Err(too_large(&rel.display().to_string()));
        }
        total += copied;
        if total > MAX_ZIP_BYTES {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("{name} 解压后超过 {MAX_ZIP_BYTES} 字节；请分批上传"),
            ));
        }
        count += 1;
    }
    Ok(count)
}

use std::io::Read as _;
