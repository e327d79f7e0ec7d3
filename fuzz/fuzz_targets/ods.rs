//! The ODS reader on arbitrary `content.xml`: the bytes are packed as the
//! content of an ODS package, so the fuzzer works on the XML itself (rows,
//! cells, repeats, spans). It may refuse, never panic, never exceed the limits.
#![no_main]

use std::io::{Cursor, Write};

use libfuzzer_sys::fuzz_target;

fn package(content: &[u8]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored);
    z.start_file("mimetype", opts).unwrap();
    z.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    z.start_file("content.xml", opts).unwrap();
    z.write_all(content).unwrap();
    z.finish().unwrap().into_inner()
}

fuzz_target!(|data: &[u8]| {
    budget_tables::panics::silence_guarded_panics();
    let _ = budget_tables::read::sheet::load_bytes(&package(data), "fuzz.ods");
});
