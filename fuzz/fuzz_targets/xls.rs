//! The xls reader on an arbitrary `Workbook` stream: the bytes are packed in
//! a compound document, so the fuzzer works on the BIFF records themselves.
//! It may refuse, never panic, never exceed the limits.
#![no_main]

use std::io::{Cursor, Write};

use libfuzzer_sys::fuzz_target;

fn package(stream: &[u8]) -> Option<Vec<u8>> {
    let mut cfb = cfb::CompoundFile::create(Cursor::new(Vec::new())).ok()?;
    cfb.create_stream("/Workbook").ok()?.write_all(stream).ok()?;
    cfb.flush().ok()?;
    Some(cfb.into_inner().into_inner())
}

fuzz_target!(|data: &[u8]| {
    budget_tables::panics::silence_guarded_panics();
    if let Some(bytes) = package(data) {
        let _ = budget_tables::read::sheet::load_bytes(&bytes, "fuzz.xls");
    }
});
