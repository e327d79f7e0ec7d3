//! Where convert spends its time: each phase timed over repeated runs.
//!
//! Usage: cargo run --release --example phases -- samples/shenzhen-zwfw-2024.xlsx

use std::time::Instant;

use budget_tables::{read, spec::SpecSet, validate, write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "samples/shenzhen-zwfw-2024.xlsx".into());
    let n: usize = std::env::var("PHASES_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50);
    let mut t = [0f64; 6];
    for _ in 0..n {
        let a = Instant::now();
        let specs = SpecSet::builtin()?;
        let opts = validate::Options::builtin()?;
        let b = Instant::now();
        let sheets = read::sheet::load(path.as_ref())?;
        let c = Instant::now();
        let out = read::read_sheets(&sheets, &specs).ok_or("no tables")?;
        let d = Instant::now();
        let found = validate::validate(&out.budget, &specs, &out.sources, &opts);
        let e = Instant::now();
        let bytes = write::official::workbook_bytes(&out.budget, &specs)?;
        let f = Instant::now();
        std::hint::black_box((found, bytes));
        for (i, (x, y)) in [(a, b), (b, c), (c, d), (d, e), (e, f)].iter().enumerate() {
            t[i] += (*y - *x).as_secs_f64();
        }
        t[5] += (f - a).as_secs_f64();
    }
    let out = read::read_path(path.as_ref(), &SpecSet::builtin()?)?;
    let specs = SpecSet::builtin()?;
    let a = Instant::now();
    for _ in 0..n {
        std::hint::black_box(write::official::workbook_bytes(&out.budget, &specs)?);
    }
    println!(
        "{:>16}: {:.2} ms",
        "write (again)",
        a.elapsed().as_secs_f64() / n as f64 * 1000.0
    );
    let a = Instant::now();
    for _ in 0..n {
        let mut wb = rust_xlsxwriter::Workbook::new();
        for s in read::sheet::load(path.as_ref())? {
            let ws = wb.add_worksheet();
            for (r, row) in s.rows().iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    if let read::Cell::Number(v) = cell {
                        ws.write_number(r as u32, c as u16, *v)?;
                    } else if let read::Cell::Text(t) = cell {
                        ws.write_string(r as u32, c as u16, t)?;
                    }
                }
            }
        }
        std::hint::black_box(wb.save_to_buffer()?);
    }
    println!(
        "{:>16}: {:.2} ms",
        "load+plain write",
        a.elapsed().as_secs_f64() / n as f64 * 1000.0
    );
    for (name, v) in [
        "specs+catalogue",
        "load sheets",
        "read tables",
        "validate",
        "write official",
        "total",
    ]
    .iter()
    .zip(t)
    {
        println!("{name:>16}: {:.2} ms", v / n as f64 * 1000.0);
    }
    Ok(())
}
