//! The reader on arbitrary bytes (workbooks, JSON, anything): it may refuse,
//! never panic; what it reads is validated and written as the official workbook.
#![no_main]

use std::sync::LazyLock;

use budget_tables::spec::SpecSet;
use budget_tables::validate::Options;
use libfuzzer_sys::fuzz_target;

static SPECS: LazyLock<SpecSet> = LazyLock::new(|| SpecSet::builtin().expect("builtin specs"));
static OPTS: LazyLock<Options> = LazyLock::new(|| Options::builtin().expect("builtin catalogue"));

fuzz_target!(|data: &[u8]| {
    budget_tables::panics::silence_guarded_panics();
    if let Ok(out) = budget_tables::read::read_bytes(data, "fuzz", &SPECS) {
        // The pipeline every command goes through: tables, then the 说明 it carries.
        let _ = budget_tables::pipeline::check(&out, &SPECS, &OPTS);
        let _ = budget_tables::write::Format::OfficialXlsx.render(&out.budget, &SPECS, &OPTS.catalogue);
    }
});
