//! Panics that are not crashes: a damaged file that trips a bug inside a
//! spreadsheet library (reported as a corrupt file), the spreadsheet writer
//! failing to write its temporary files (reported as a full folder), and a
//! job stopped from outside ([`crate::cancel`]). The program's panic hook
//! stays silent for these; every other panic is reported as a fault.

/// Runs `job` with a panic inside it caught (`None`) and kept quiet. A damaged
/// file can trip a bug inside the spreadsheet libraries (an arithmetic overflow
/// on a malformed cell reference, seen by the fuzzer): that is a corrupt file
/// to the user, not a crash.
pub(crate) fn guarded<T>(job: impl FnOnce() -> T) -> Option<T> {
    let was = GUARDED.with(|g| g.replace(true));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
    GUARDED.with(|g| g.set(was));
    match r {
        Ok(v) => Some(v),
        // A job stopped from outside is no fault of the file.
        Err(p) if crate::cancel::is_cancellation(p.as_ref()) => std::panic::resume_unwind(p),
        Err(_) => None,
    }
}

thread_local! {
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// True while this thread is inside a guarded read, where a panic is caught
/// and reported as a corrupt file: a panic hook should stay silent then.
pub fn in_guarded_read() -> bool {
    GUARDED.with(std::cell::Cell::get)
}

/// Installs a panic hook that calls `report` for every panic but those
/// inside a guarded read (a damaged file, reported as such, not a crash) and
/// the spreadsheet writer's failed writes to its temporary files (reported as
/// a full temporary folder).
pub fn report_unguarded_panics(
    report: impl Fn(&std::panic::PanicHookInfo) + Send + Sync + 'static,
) {
    std::panic::set_hook(Box::new(move |info| {
        if !in_guarded_read() && !is_temp_write_failure(info.payload()) {
            report(info);
        }
    }));
}

/// Wraps the panic hook in place (once per process) so that it stays silent
/// for panics inside a guarded read: a fuzzer's hook aborts on every panic,
/// and one there is the product's own "corrupt file" path, not a crash.
pub fn silence_guarded_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        report_unguarded_panics(move |info| previous(info));
    });
}

/// Whether a panic's payload is the spreadsheet writer failing to write its
/// temporary files (it panics there instead of returning an error).
pub fn is_temp_write_failure(payload: &(dyn std::any::Any + Send)) -> bool {
    let text = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied());
    text.is_some_and(|t| t.starts_with("Couldn't write to"))
}
