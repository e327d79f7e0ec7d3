//! The PDF reader on arbitrary bytes, seeded with the real published
//! documents (`seeds-pdf/`): it may refuse, never panic, never exceed the
//! limits; what it reads goes through the whole check (tables and 说明) and
//! its findings are placed on pages.
#![no_main]

use std::sync::LazyLock;

use budget_tables::spec::SpecSet;
use budget_tables::validate::Options;
use libfuzzer_sys::fuzz_target;

static LAYOUTS: LazyLock<Vec<SpecSet>> =
    LazyLock::new(|| SpecSet::builtin_all().expect("builtin specs"));
static OPTS: LazyLock<Options> = LazyLock::new(|| Options::builtin().expect("builtin catalogue"));

fuzz_target!(|data: &[u8]| {
    budget_tables::panics::silence_guarded_panics();
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend_from_slice(data.strip_prefix(b"%PDF-1.7\n").unwrap_or(data));
    let Ok(loaded) = budget_tables::read::load_bytes(&bytes, "fuzz.pdf") else {
        return;
    };
    let Ok(i) = loaded.detect(&LAYOUTS) else {
        return;
    };
    if let Ok(out) = loaded.interpret_with(&LAYOUTS[i], &OPTS.catalogue) {
        let _ = budget_tables::pipeline::check(&out, &LAYOUTS[i], &OPTS);
    }
});
