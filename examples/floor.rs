//! The floor for the convert benchmark: calamine reads every cell of a
//! workbook and rust_xlsxwriter writes the same cells, with no logic at all.
//!
//! Usage: cargo run --release --example floor -- IN.xlsx OUT.xlsx

use calamine::{open_workbook_auto, Data, Reader};
use rust_xlsxwriter::Workbook;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (input, output) = (&args[1], &args[2]);
    let mut wb = open_workbook_auto(input)?;
    let mut out = Workbook::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name)?;
        let ws = out.add_worksheet();
        ws.set_name(&name)?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, c, v) in range.used_cells() {
            let (r, c) = (r0 + r as u32, (c0 + c as u32) as u16);
            match v {
                Data::Float(f) => {
                    ws.write_number(r, c, *f)?;
                }
                Data::Int(i) => {
                    ws.write_number(r, c, *i as f64)?;
                }
                Data::String(s) => {
                    ws.write_string(r, c, s)?;
                }
                _ => {}
            }
        }
    }
    out.save(output)?;
    Ok(())
}
