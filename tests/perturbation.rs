//! Random byte-level damage to the sample never panics the reader, and every
//! input the fuzzer once crashed on (tests/fuzz-regressions/) stays fixed.

mod common;

use budget_tables::read::read_bytes;
use budget_tables::validate::{validate, Options};
use common::*;
use proptest::prelude::*;

fn read_all_the_way(bytes: &[u8]) {
    let specs = specs();
    if let Ok(out) = read_bytes(bytes, "perturbed", &specs) {
        let _ = validate(
            &out.budget,
            &specs,
            &out.sources,
            &Options::builtin().unwrap(),
        );
        let _ = budget_tables::write::official::workbook_bytes(&out.budget, &specs);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn damaged_samples_never_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
        cut in proptest::option::of(any::<prop::sample::Index>()),
        json in any::<bool>(),
    ) {
        let mut bytes = std::fs::read(if json { sample_json() } else { sample_xlsx() }).unwrap();
        for (at, b) in &flips {
            let i = at.index(bytes.len());
            bytes[i] = *b;
        }
        if let Some(c) = cut {
            bytes.truncate(c.index(bytes.len()).max(1));
        }
        read_all_the_way(&bytes);
    }
}

#[test]
fn fuzz_regressions_stay_fixed() {
    let dir = root().join("tests/fuzz-regressions");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            continue;
        }
        let raw = std::fs::read(&p).unwrap();
        // The xls target fuzzes the workbook stream: it is packed as the fuzzer packed it.
        let bytes = if p.extension().is_some_and(|x| x == "xls-stream") {
            let mut cfb = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
            std::io::Write::write_all(&mut cfb.create_stream("/Workbook").unwrap(), &raw).unwrap();
            cfb.flush().unwrap();
            cfb.into_inner().into_inner()
        } else {
            raw
        };
        read_all_the_way(&bytes);
        n += 1;
    }
    eprintln!("{n} fuzz regression inputs read without panic");
}
