//! The forms a model is written in, chosen in one place: from `--to` (or the
//! web page's `to=`) or else from the output's extension. `convert`, the web
//! page and `batch` render through [`Format::render`].

use std::path::Path;

use super::WriteError;
use crate::catalogue::Catalogue;
use crate::model::Budget;
use crate::spec::SpecSet;

/// An output form of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The official published tables (`.xlsx`).
    OfficialXlsx,
    /// The canonical model (`.json`).
    Json,
    /// One UTF-8 CSV per table, with a byte order mark (a folder).
    Csv,
    /// A Frictionless / Fiscal Data Package: `datapackage.json` and the CSVs (a folder).
    DataPackage,
}

/// What a format renders: one file, or the files of a folder.
#[derive(Debug, Clone)]
pub enum Rendered {
    File(Vec<u8>),
    Folder(Vec<(String, Vec<u8>)>),
}

impl Format {
    /// Every format, with the name `--to` takes.
    pub const ALL: [(Format, &'static str); 4] = [
        (Format::OfficialXlsx, "xlsx"),
        (Format::Json, "json"),
        (Format::Csv, "csv"),
        (Format::DataPackage, "datapackage"),
    ];

    /// The format `--to` names.
    pub fn named(name: &str) -> Option<Format> {
        let n = name.to_ascii_lowercase();
        Self::ALL.iter().find(|(_, x)| *x == n).map(|(f, _)| *f)
    }

    /// The name `--to` takes for it.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(f, _)| *f == self)
            .map_or("", |(_, n)| n)
    }

    /// The format of an output: the one named, else the file's extension.
    ///
    /// # Errors
    /// A message in the command line's words when neither says.
    pub fn for_output(path: &Path, named: Option<Format>) -> Result<Format, String> {
        if let Some(f) = named {
            return Ok(f);
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("xlsx") => Ok(Format::OfficialXlsx),
            Some("json") => Ok(Format::Json),
            _ => Err(format!(
                "无法识别输出格式：{}；输出文件应以 .xlsx（公开报表）或 .json（规范模型）结尾，或用 --to csv|datapackage 写到一个文件夹",
                path.display()
            )),
        }
    }

    /// Whether it writes a folder of files rather than one file.
    pub fn is_folder(self) -> bool {
        matches!(self, Format::Csv | Format::DataPackage)
    }

    /// How an output of this format is named to a reader.
    pub fn label(self) -> &'static str {
        match self {
            Format::OfficialXlsx => "公开报表",
            Format::Json => "规范模型",
            Format::Csv => "CSV 表格",
            Format::DataPackage => "数据包",
        }
    }

    /// The model in this format, deterministic for the same model.
    ///
    /// # Errors
    /// [`WriteError`] when the budget holds a table the specs do not describe
    /// or the workbook cannot be assembled.
    pub fn render(
        self,
        budget: &Budget,
        specs: &SpecSet,
        catalogue: &Catalogue,
    ) -> Result<Rendered, WriteError> {
        Ok(match self {
            Format::OfficialXlsx => Rendered::File(super::official::workbook_bytes_with(
                budget, specs, catalogue,
            )?),
            Format::Json => Rendered::File(crate::model::json::to_string(budget).into_bytes()),
            Format::Csv => Rendered::Folder(
                super::csv::tables(budget, specs)
                    .iter()
                    .map(|t| Ok((t.file.clone(), super::csv::bytes(t, true)?)))
                    .collect::<Result<_, csv::Error>>()
                    .map_err(|e| WriteError::Csv(e.to_string()))?,
            ),
            Format::DataPackage => Rendered::Folder(
                super::datapackage::files(budget, specs)
                    .map_err(|e| WriteError::Csv(e.to_string()))?,
            ),
        })
    }
}

impl Rendered {
    /// Writes it to `out` (a file, or a folder made if missing, each file
    /// written whole or not at all), never over one of `inputs`.
    ///
    /// # Errors
    /// [`crate::io::OutputError`] for a file that cannot be written.
    pub fn write_to(&self, out: &Path, inputs: &[&Path]) -> Result<(), crate::io::OutputError> {
        match self {
            Rendered::File(bytes) => crate::io::write_atomic(out, bytes, inputs),
            Rendered::Folder(files) => {
                for (name, bytes) in files {
                    crate::io::write_atomic(&out.join(name), bytes, inputs)?;
                }
                Ok(())
            }
        }
    }
}
