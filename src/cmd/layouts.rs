//! `budget-tables layouts`: the built-in layouts and their tables.

use std::process::ExitCode;

use budget_tables::spec::SpecSet;

use super::CmdError;

pub fn run(layouts: &[SpecSet]) -> Result<ExitCode, CmdError> {
    let mut out = String::new();
    for specs in layouts {
        let l = &specs.layout;
        out.push_str(&format!(
            "{}\t{}（{}，{}，{}口径，版本 {}）\n",
            l.id, l.name, l.region, l.kind, l.scope, l.version
        ));
        for t in &specs.tables {
            out.push_str(&format!(
                "  {}\t{}\t{}\n",
                t.id,
                t.sheet_name(),
                t.unit.label()
            ));
        }
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}
