//! Output files: written to a temporary file beside the target and renamed
//! into place, so a reader never sees half a file and an input is never
//! overwritten.

pub mod names;

use std::io::Write;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
/// Why an output file was not written.
pub enum OutputError {
    #[error("输出文件 {0} 与输入文件相同；请换一个输出文件名，输入文件不会被覆盖")]
    /// The output names the input file.
    SameAsInput(String),
    #[error("输出文件 {0} 已存在且是只读的，没有覆盖；请先取消它的只读属性，或换一个输出文件名")]
    /// The output exists and is read-only.
    ReadOnly(String),
    #[error("输出路径 {0} 不是普通文件（是设备、管道或套接字），没有写入；请给出一个文件名")]
    /// The output path is a device, pipe or socket.
    NotRegular(String),
    #[error("无法写入 {path}：{}", explain(source))]
    /// Writing failed.
    Io {
        /// The file written.
        path: String,
        /// The system's error.
        source: std::io::Error,
    },
}

impl OutputError {
    /// What went wrong, without the path (for messages that name the file otherwise).
    pub fn cause(&self) -> String {
        match self {
            OutputError::SameAsInput(_) => "与输入文件相同".into(),
            OutputError::ReadOnly(_) => "已存在且是只读的".into(),
            OutputError::NotRegular(_) => "不是普通文件".into(),
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
/// same folder, which is put in place only when it succeeds. Where the system
/// allows (Linux), the temporary file has no name until then, so a process
/// killed midway leaves nothing behind; elsewhere its name is removed by
/// [`remove_pending`] (the command line's Ctrl-C handler).
///
/// # Errors
/// [`OutputError::SameAsInput`] when `path` is one of `inputs`,
/// [`OutputError::NotRegular`] when it is a device, pipe or socket,
/// [`OutputError::Io`] otherwise.
pub fn write_atomic_with(
    path: &Path,
    inputs: &[&Path],
    fill: impl FnOnce(&mut (dyn Write + Send)) -> std::io::Result<()>,
) -> Result<(), OutputError> {
    if inputs.iter().any(|i| same_file(i, path)) {
        return Err(OutputError::SameAsInput(path.display().to_string()));
    }
    if let Ok(m) = std::fs::symlink_metadata(path) {
        // Renaming over a read-only file would replace it without a word.
        if m.permissions().readonly() && m.is_file() {
            return Err(OutputError::ReadOnly(path.display().to_string()));
        }
        // Nor may a device (`/dev/sda`), pipe or socket be replaced by a file;
        // a link is judged by what it names.
        let what = std::fs::metadata(path).map(|t| t.file_type());
        if !(m.is_file() || m.is_symlink() && what.as_ref().is_ok_and(std::fs::FileType::is_file)) {
            return Err(OutputError::NotRegular(path.display().to_string()));
        }
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
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if let Some(file) = unnamed::create_in(dir) {
        return unnamed::fill_and_link(file, dir, path, fill).map_err(io);
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".budget-tables-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io)?;
    let pending = Pending::new(tmp.path());
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
    drop(pending);
    Ok(())
}

/// The named temporary files being written now, for [`remove_pending`].
static PENDING: std::sync::Mutex<Vec<std::path::PathBuf>> = std::sync::Mutex::new(Vec::new());

/// A temporary file's name, listed while it is written.
struct Pending(std::path::PathBuf);

impl Pending {
    fn new(p: &Path) -> Pending {
        let mut list = PENDING
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        list.push(p.to_path_buf());
        Pending(p.to_path_buf())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        let mut list = PENDING
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        list.retain(|p| *p != self.0);
    }
}

/// Removes every temporary output file being written now: for a program
/// about to exit on Ctrl-C.
pub fn remove_pending() {
    let list = PENDING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for p in list.iter() {
        let _ = std::fs::remove_file(p);
    }
}

/// Temporary files without a name (`O_TMPFILE`), linked into place at the end.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod unnamed {
    use std::ffi::CString;
    use std::fs::File;
    use std::io::Write;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    use std::os::unix::io::AsRawFd;
    use std::path::Path;

    /// A file without a name in `dir`; `None` where the file system cannot
    /// make one (the caller then uses a named one).
    pub fn create_in(dir: &Path) -> Option<File> {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_TMPFILE)
            .mode(0o600)
            .open(dir)
            .ok()
    }

    /// Writes `fill` into `file`, gives it a temporary name in `dir` and
    /// renames that onto `target`.
    pub fn fill_and_link(
        mut file: File,
        dir: &Path,
        target: &Path,
        fill: impl FnOnce(&mut (dyn Write + Send)) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        {
            let mut w = std::io::BufWriter::new(&mut file);
            fill(&mut w)?;
            w.flush()?;
        }
        file.set_permissions(std::fs::Permissions::from_mode(0o644))?;
        file.sync_all()?;
        let name = dir.join(format!(
            ".budget-tables-{}.tmp",
            crate::text::random_hex::<8>().map_err(|e| std::io::Error::other(e.to_string()))?
        ));
        link(&file, &name)?;
        std::fs::rename(&name, target).inspect_err(|_| {
            let _ = std::fs::remove_file(&name);
        })
    }

    /// Gives the open, nameless `file` the name `name`.
    fn link(file: &File, name: &Path) -> std::io::Result<()> {
        let to = CString::new(name.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
        let proc_path = CString::new(format!("/proc/self/fd/{}", file.as_raw_fd()))
            .map_err(std::io::Error::other)?;
        // SAFETY: both paths are NUL-terminated and live across the call.
        let rc = unsafe {
            libc::linkat(
                libc::AT_FDCWD,
                proc_path.as_ptr(),
                libc::AT_FDCWD,
                to.as_ptr(),
                libc::AT_SYMLINK_FOLLOW,
            )
        };
        if rc == 0 {
            return Ok(());
        }
        // Without /proc, the descriptor itself (needs CAP_DAC_READ_SEARCH).
        let empty = CString::default();
        // SAFETY: as above; an empty path with AT_EMPTY_PATH names the descriptor.
        let rc = unsafe {
            libc::linkat(
                file.as_raw_fd(),
                empty.as_ptr(),
                libc::AT_FDCWD,
                to.as_ptr(),
                libc::AT_EMPTY_PATH,
            )
        };
        if rc == 0 {
            Ok(())
        } else {
            Err(std::io::Error::last_os_error())
        }
    }
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
