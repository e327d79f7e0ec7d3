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
/// let specs = budget_tables::spec::SpecSet::builtin().unwrap();
/// let b = Budget::new(&specs, "某局".into(), 2024);
/// assert_eq!(json::from_str(&json::to_string(&b)).unwrap(), b);
/// ```
pub fn from_str(s: &str) -> Result<Budget, JsonError> {
    let s = s.trim_start_matches('\u{feff}');
    // A key given twice would silently take its last value.
    serde_json::from_str::<NoDuplicateKeys>(s).map_err(|e| JsonError::Syntax(e.to_string()))?;
    let v: serde_json::Value =
        serde_json::from_str(s).map_err(|e| JsonError::Syntax(e.to_string()))?;
    let format = v.get("format").and_then(|f| f.as_str()).unwrap_or_default();
    if format != FORMAT {
        return Err(JsonError::Format(format.to_string()));
    }
    let version = v
        .get("format_version")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0) as u32;
    if version != FORMAT_VERSION {
        return Err(JsonError::Version(version));
    }
    serde_json::from_value(v).map_err(|e| JsonError::Syntax(e.to_string()))
}

/// Any JSON value with no key given twice in one object.
struct NoDuplicateKeys;

impl<'de> serde::Deserialize<'de> for NoDuplicateKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoDuplicateKeys)
    }
}

impl<'de> serde::de::Visitor<'de> for NoDuplicateKeys {
    type Value = NoDuplicateKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_unit<E>(self) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<NoDuplicateKeys>()?.is_some() {}
        Ok(self)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!(
                    "键 \"{key}\" 在同一对象中出现了两次"
                )));
            }
            map.next_value::<NoDuplicateKeys>()?;
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_given_twice_is_refused() {
        let specs = crate::spec::SpecSet::builtin().unwrap();
        let b = Budget::new(&specs, "某局".into(), 2024);
        let good = to_string(&b);
        assert!(from_str(&good).is_ok());
        let twice = good.replacen("\"year\": 2024,", "\"year\": 2023, \"year\": 2024,", 1);
        let err = from_str(&twice).unwrap_err().to_string();
        assert!(err.contains("键 \"year\" 在同一对象中出现了两次"), "{err}");
    }
}
