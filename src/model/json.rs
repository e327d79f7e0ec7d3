//! The JSON form of the model: reading checks the format and version.

use super::{Budget, FORMAT, FORMAT_VERSION};

/// What is wrong with a JSON model.
#[derive(Debug, thiserror::Error)]
pub enum JsonError {
    #[error("不是 budget-tables 的 JSON 模型：{0}")]
    Syntax(String),
    #[error("JSON 模型格式为“{0}”，应为“{FORMAT}”")]
    Format(String),
    #[error("JSON 模型版本 {0} 不受支持（本程序支持版本 {FORMAT_VERSION}）")]
    Version(u32),
}

/// Pretty JSON with a trailing newline; deterministic (ordered maps).
pub fn to_string(b: &Budget) -> String {
    let mut s = serde_json::to_string_pretty(b).unwrap_or_default();
    s.push('\n');
    s
}

/// Parses and checks a JSON model.
///
/// # Errors
/// [`JsonError`] when the text is not a model of this format and version.
///
/// # Examples
/// ```
/// use budget_tables::model::{json, Budget};
/// let b = Budget::new("某局".into(), 2024);
/// assert_eq!(json::from_str(&json::to_string(&b)).unwrap(), b);
/// ```
pub fn from_str(s: &str) -> Result<Budget, JsonError> {
    let v: serde_json::Value = serde_json::from_str(s.trim_start_matches('\u{feff}'))
        .map_err(|e| JsonError::Syntax(e.to_string()))?;
    let format = v.get("format").and_then(|f| f.as_str()).unwrap_or_default();
    if format != FORMAT {
        return Err(JsonError::Format(format.to_string()));
    }
    let version = v
        .get("format_version")
        .and_then(|f| f.as_u64())
        .unwrap_or(0) as u32;
    if version != FORMAT_VERSION {
        return Err(JsonError::Version(version));
    }
    serde_json::from_value(v).map_err(|e| JsonError::Syntax(e.to_string()))
}
