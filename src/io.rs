//! Output files: written to a temporary file beside the target and renamed
//! into place, so a reader never sees half a file and an input is never
//! overwritten.

use std::io::Write;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("输出文件 {0} 与输入文件相同；请换一个输出文件名，输入文件不会被覆盖")]
    SameAsInput(String),
    #[error("输出文件 {0} 已存在且是只读的，没有覆盖；请先取消它的只读属性，或换一个输出文件名")]
    ReadOnly(String),
    #[error("无法写入 {path}：{}", explain(source))]
    Io {
        path: String,
        source: std::io::Error,
    },
}

impl OutputError {
    /// What went wrong, without the path (for messages that name the file otherwise).
    pub fn cause(&self) -> String {
        match self {
            OutputError::SameAsInput(_) => "与输入文件相同".into(),
            OutputError::ReadOnly(_) => "已存在且是只读的".into(),
            OutputError::Io { source, .. } => explain(source),
        }
    }
}

/// An operating-system error in Chinese, the system's own words kept after it.
pub fn explain(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let what = match e.kind() {
        K::NotFound => "找不到该文件或文件夹",
        K::PermissionDenied => "没有权限（文件只读、被占用或文件夹不可写）",
        K::AlreadyExists => "同名文件已存在",
        K::StorageFull => "磁盘空间不足",
        K::QuotaExceeded => "超出磁盘配额",
        K::IsADirectory => "该路径是一个文件夹，不是文件",
        K::NotADirectory => "路径中有一段不是文件夹",
        K::DirectoryNotEmpty => "文件夹不是空的",
        K::ReadOnlyFilesystem => "文件系统是只读的",
        K::InvalidFilename => "文件名过长或含有不允许的字符",
        K::FileTooLarge => "文件过大",
        K::ResourceBusy => "文件正被其他程序使用",
        K::CrossesDevices => "不能跨磁盘移动",
        K::Interrupted => "操作被中断",
        _ => "系统错误",
    };
    format!("{what}（{e}）")
}

/// True when `a` and `b` name the same existing file.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Writes `bytes` to `path` atomically (temporary file in the same folder, then rename).
///
/// # Errors
/// [`OutputError::SameAsInput`] when `path` is one of `inputs`; [`OutputError::Io`] otherwise.
pub fn write_atomic(path: &Path, bytes: &[u8], inputs: &[&Path]) -> Result<(), OutputError> {
    write_atomic_with(path, inputs, |w| w.write_all(bytes))
}

/// Streams into `path` atomically: `fill` writes to a temporary file in the
/// same folder, which is renamed into place only when it succeeds.
///
/// # Errors
/// As [`write_atomic`], and whatever `fill` returns.
pub fn write_atomic_with(
    path: &Path,
    inputs: &[&Path],
    fill: impl FnOnce(&mut (dyn Write + Send)) -> std::io::Result<()>,
) -> Result<(), OutputError> {
    if inputs.iter().any(|i| same_file(i, path)) {
        return Err(OutputError::SameAsInput(path.display().to_string()));
    }
    // Renaming over a read-only file would replace it without a word.
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.permissions().readonly()) {
        return Err(OutputError::ReadOnly(path.display().to_string()));
    }
    let io = |source| OutputError::Io {
        path: path.display().to_string(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".budget-tables-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io)?;
    {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        fill(&mut w).map_err(io)?;
        w.flush().map_err(io)?;
    }
    // A temporary file is private (0600); the output is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(io)?;
    }
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_overwrite_an_input() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("in.xlsx");
        std::fs::write(&p, b"original").unwrap();
        let err = write_atomic(&p, b"new", &[&p]).unwrap_err();
        assert!(matches!(err, OutputError::SameAsInput(_)));
        assert_eq!(std::fs::read(&p).unwrap(), b"original");
        let out = dir.path().join("sub/out.json");
        write_atomic(&out, b"{}", &[&p]).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"{}");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("sub")).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
                0o644
            );
        }
    }
}
