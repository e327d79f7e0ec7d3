//! Uploaded files, streamed into a private temporary folder that is removed
//! with the request.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

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
/// Parts of one request (files and fields): as many files as a zip may hold.
pub const MAX_PARTS: usize = MAX_ZIP_ENTRIES;

/// The request folders that exist now, removed when the server stops
/// however it stops (a request cut short by Ctrl-C never drops its own).
static FOLDERS: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

/// Removes every request folder still there: for a server that stops.
pub fn remove_all_folders() {
    let folders = std::mem::take(&mut *FOLDERS.lock().unwrap_or_else(PoisonError::into_inner));
    for f in folders {
        let _ = std::fs::remove_dir_all(f);
    }
}

/// The files of one request, in a folder only this user can read (`0700`,
/// files `0600`; on Windows the user's own temporary folder).
pub struct Upload {
    /// Removed when the upload is dropped (at the end of the request's work).
    dir: Option<tempfile::TempDir>,
    /// (form field, saved file, name as uploaded) in the order received.
    pub files: Vec<(String, PathBuf, String)>,
}

impl Drop for Upload {
    fn drop(&mut self) {
        let Some(dir) = self.dir.take() else {
            return;
        };
        FOLDERS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(dir.path());
        // Thousands of files take a while to remove: never on a thread that
        // serves connections.
        match tokio::runtime::Handle::try_current() {
            Ok(h)
                if !std::thread::current()
                    .name()
                    .is_some_and(|n| n.contains("blocking")) =>
            {
                h.spawn_blocking(move || drop(dir));
            }
            _ => drop(dir),
        }
    }
}

impl Upload {
    /// No files yet: a private folder of its own.
    ///
    /// # Errors
    /// 500 when the temporary folder cannot be made.
    pub fn none() -> Result<Upload, ApiError> {
        let mut b = tempfile::Builder::new();
        b.prefix("budget-tables-");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            b.permissions(std::fs::Permissions::from_mode(0o700));
        }
        let dir = b
            .tempdir()
            .map_err(|e| ApiError::internal(format!("无法创建临时文件夹：{e}")))?;
        FOLDERS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(dir.path().to_path_buf());
        Ok(Upload {
            dir: Some(dir),
            files: Vec::new(),
        })
    }

    /// The request's private folder.
    pub fn path(&self) -> &Path {
        self.dir
            .as_ref()
            .map_or(Path::new(""), tempfile::TempDir::path)
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

    /// The file of an optional field, when it was sent.
    pub fn optional(&self, field: &str) -> Option<&Path> {
        self.files
            .iter()
            .find(|(f, ..)| f == field)
            .map(|(_, p, _)| p.as_path())
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
            &format!("{}{}", self.path().display(), std::path::MAIN_SEPARATOR),
            "",
        )
    }
}

/// A folder only this user may open.
pub fn private_dir(path: &Path) -> std::io::Result<()> {
    // Mutated on Unix only (its mode); elsewhere the folder is the user's own %TEMP%.
    #[cfg_attr(not(unix), allow(unused_mut))]
    let mut b = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(path)
}

/// A new file only this user may read.
pub fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

/// Waits for the next piece of an upload, at most [`super::BODY_IDLE`].
async fn within_idle<T, E>(
    piece: impl std::future::Future<Output = Result<T, E>>,
    bad: impl FnOnce(E) -> ApiError,
) -> Result<T, ApiError> {
    match tokio::time::timeout(super::BODY_IDLE, piece).await {
        Ok(r) => r.map_err(bad),
        Err(_) => Err(ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "上传中断：超过 {} 秒没有收到数据；请检查网络后重新上传",
                super::BODY_IDLE.as_secs()
            ),
        )),
    }
}

/// Receives every file of a multipart request; a file past the command
/// line's size cap is refused (413) as soon as it passes it, as is a request
/// of more than [`MAX_PARTS`] parts; an upload that pauses longer than
/// [`super::BODY_IDLE`] is refused (408).
///
/// # Errors
/// 400 for a malformed request, 408 for a stalled one, 413 for one too large.
pub async fn receive(mut form: Multipart) -> Result<Upload, ApiError> {
    let mut up = Upload::none()?;
    let mut parts = 0usize;
    while let Some(mut field) = within_idle(form.next_field(), bad_form).await? {
        parts += 1;
        if parts > MAX_PARTS {
            drop(field);
            while let Ok(Some(_)) = within_idle(form.next_field(), bad_form).await {}
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("一次上传的文件超过 {MAX_PARTS} 个；请分批上传，或打包为 zip"),
            ));
        }
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
        let folder = up.path().join(up.files.len().to_string());
        private_dir(&folder).map_err(|e| write_failed(&e))?;
        let path = folder.join(&name);
        let mut out = tokio::fs::File::from_std(private_file(&path).map_err(|e| write_failed(&e))?);
        let mut size: u64 = 0;
        while let Some(chunk) = within_idle(field.chunk(), bad_form).await? {
            size += chunk.len() as u64;
            if size > MAX_FILE_BYTES {
                // The rest is read and dropped (up to the request's cap), so
                // that the client, still sending, gets the answer.
                while let Ok(Some(_)) = within_idle(form.next_field(), bad_form).await {}
                return Err(too_large(&shown));
            }
            out.write_all(&chunk).await.map_err(|e| write_failed(&e))?;
        }
        out.flush().await.map_err(|e| write_failed(&e))?;
        up.files.push((field_name, path, shown));
    }
    Ok(up)
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
    let safe = budget_tables::io::names::safe_component(last);
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
        let wanted = budget_tables::read::is_input_name(&rel);
        if entry.is_dir() || !wanted {
            continue;
        }
        let target = into.join(&rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| write_failed(&e))?;
        }
        // A name given twice in the zip: the later copy is skipped.
        let Ok(mut out) = private_file(&target) else {
            continue;
        };
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
