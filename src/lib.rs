//! budget-tables：部门预算公开表格的空白模板、容错读取、规范模型与官方格式输出。
//!
//! The library follows the data: [`spec`] (table layouts as data) → [`read`]
//! (tolerant workbook reader) → [`model`] (canonical, versioned JSON model) →
//! [`write`] (blank template and official workbook). [`diag`] carries the
//! user-facing findings; every layer has its own error type.
//!
//! # Examples
//!
//! ```no_run
//! use budget_tables::{read, spec::SpecSet, write};
//! let specs = SpecSet::builtin()?;
//! let outcome = read::read_path("samples/shenzhen-zwfw-2024.xlsx".as_ref(), &specs)?;
//! let bytes = write::official::workbook_bytes(&outcome.budget, &specs)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod amount;
pub mod batch;
pub mod cancel;
pub mod catalogue;
pub mod change;
pub mod diag;
pub mod diff;
pub mod io;
pub mod layout;
pub mod model;
pub mod narrate;
pub mod panics;
pub mod par;
pub mod pipeline;
pub mod read;
pub mod registry;
pub mod rule;
pub mod sample;
pub mod source;
pub mod spec;
pub mod text;
pub mod validate;
pub mod write;
