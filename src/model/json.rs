//! The JSON form of the model: reading checks the format and version.

use super::{Budget, FORMAT, FORMAT_VERSION};

/// What is wrong with a JSON model.
#[derive(Debug, thiserror::Error)]
pub enum JsonError {
    #[error("不是 budget-tables 的 JSON 模型：{0}")]
    /// Not JSON, or not the model's shape.
    Syntax(String),
    #[error("JSON 模型格式为“{0}”，应为“{FORMAT}”")]
    /// Another `format` than budget-tables'.
    Format(String),
    #[error("JSON 模型版本 {0} 不受支持（本程序支持版本 {FORMAT_VERSION}）")]
    /// A `format_version` this program does not read.
    Version(u32),
    #[error("JSON 模型中的对象（行、金额等）超过 {0} 个的上限；一个部门的模型远小于此，请检查该文件是否为 budget-tables 写出的模型")]
    /// More objects than any department has.
    TooMany(usize),
}

/// Pretty JSON with a trailing newline; deterministic (ordered maps).
pub fn to_string(b: &Budget) -> String {
    let mut s = serde_json::to_string_pretty(b).unwrap_or_default();
    s.push('\n');
    s
}

/// The most objects (rows, their amounts, tables …) a JSON model may hold: a
/// department of 400 units has about 90,000.
pub const MAX_OBJECTS: usize = 250_000;

/// Parses and checks a JSON model.
///
/// The text is read twice as a stream: once to refuse a key given twice and
/// to count its objects (so a huge model is refused before anything is
/// built), then into the model itself; no tree of the whole text is kept.
///
/// # Errors
/// [`JsonError`] when the text is not a model of this format and version,
/// or holds more than [`MAX_OBJECTS`] objects.
///
/// # Examples
/// ```
/// use budget_tables::model::{json, Budget};
/// let specs = budget_tables::spec::SpecSet::builtin().unwrap();
/// let b = Budget::new(&specs, "某局".into(), 2024);
/// assert_eq!(json::from_str(&json::to_string(&b)).unwrap(), b);
/// ```
pub fn from_str(s: &str) -> Result<Budget, JsonError> {
    use serde::de::DeserializeSeed;
    let s = s.trim_start_matches('\u{feff}');
    // A key given twice would silently take its last value.
    let objects = std::cell::Cell::new(0usize);
    let mut de = serde_json::Deserializer::from_str(s);
    Scan(&objects)
        .deserialize(&mut de)
        .and_then(|()| de.end())
        .map_err(|e| {
            if objects.get() > MAX_OBJECTS {
                JsonError::TooMany(MAX_OBJECTS)
            } else {
                JsonError::Syntax(e.to_string())
            }
        })?;
    let head: Head = serde_json::from_str(s).map_err(|e| JsonError::Syntax(e.to_string()))?;
    let format = head.format.unwrap_or_default();
    if format != FORMAT {
        return Err(JsonError::Format(format));
    }
    let version = head.format_version.unwrap_or(0) as u32;
    if version != FORMAT_VERSION {
        return Err(JsonError::Version(version));
    }
    serde_json::from_str(s).map_err(|e| JsonError::Syntax(e.to_string()))
}

/// The two fields that say what a JSON text is; every other one is skipped.
#[derive(serde::Deserialize)]
struct Head {
    format: Option<String>,
    format_version: Option<u64>,
}

/// Any JSON value with no key given twice in one object; counts the objects
/// and stops past [`MAX_OBJECTS`].
#[derive(Clone, Copy)]
struct Scan<'c>(&'c std::cell::Cell<usize>);

impl<'de> serde::de::DeserializeSeed<'de> for Scan<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Scan<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.0.set(self.0.get() + 1);
        if self.0.get() > MAX_OBJECTS {
            return Err(serde::de::Error::custom("对象过多"));
        }
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!(
                    "键 \"{key}\" 在同一对象中出现了两次"
                )));
            }
            map.next_value_seed(self)?;
        }
        Ok(())
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
