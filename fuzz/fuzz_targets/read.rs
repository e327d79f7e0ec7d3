//! The reader on arbitrary bytes (workbooks, JSON, anything): it may refuse,
//! never panic; what it reads is validated and written as the official workbook.
#![no_main]

use std::sync::LazyLock;

use budget_tables::spec::SpecSet;
use budget_tables::validate::{validate, Options};
use libfuzzer_sys::fuzz_target;

static SPECS: LazyLock<SpecSet> = LazyLock::new(|| SpecSet::builtin().expect("builtin specs"));
static OPTS: LazyLock<Options> = LazyLock::new(|| Options::builtin().expect("builtin catalogue"));

/// The fuzzer's hook aborts on every panic; one inside a guarded read is the
/// product's own "corrupt file" path, not a crash.
fn only_unguarded_panics_crash() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let fuzzer = std::panic::take_hook();
        budget_tables::read::sheet::report_unguarded_panics(move |info| fuzzer(info));
    });
}

fuzz_target!(|data: &[u8]| {
    only_unguarded_panics_crash();
    if let Ok(out) = budget_tables::read::read_bytes(data, "fuzz", &SPECS) {
        let _ = validate(&out.budget, &SPECS, &out.sources, &OPTS);
        let _ = budget_tables::write::official::workbook_bytes(&out.budget, &SPECS);
    }
});
