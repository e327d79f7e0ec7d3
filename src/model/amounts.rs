//! [`Amounts`]: the amounts of one row by column id.
//!
//! A table has thousands of rows and each row a dozen columns: the column ids
//! are shared `Arc<str>` (one allocation per spec column, not per cell), and a
//! row is a short vector searched in order, which for a dozen columns is as
//! fast as a hash map and a fraction of its size.

use std::fmt;
use std::sync::Arc;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::amount::Amount;

/// Amounts of one row by column id, in column order; `None` is a blank cell
/// (not filled), never zero. Serialized as a JSON object.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Amounts(Vec<(Arc<str>, Option<Amount>)>);

impl Amounts {
    /// No amounts.
    pub fn new() -> Amounts {
        Amounts(Vec::new())
    }

    /// Amounts of columns known to be distinct (a spec's columns), taken as
    /// they come: collecting searches each column among those before it.
    pub fn of_distinct_columns(
        columns: impl IntoIterator<Item = (Arc<str>, Option<Amount>)>,
    ) -> Amounts {
        let a = Amounts(columns.into_iter().collect());
        debug_assert!(a
            .0
            .iter()
            .enumerate()
            .all(|(i, (k, _))| a.0[..i].iter().all(|(j, _)| j != k)));
        a
    }

    /// The entry of column `id`: `None` when the row has no such column,
    /// `Some(None)` when the cell is blank.
    pub fn get(&self, id: &str) -> Option<&Option<Amount>> {
        self.0.iter().find(|(k, _)| &**k == id).map(|(_, v)| v)
    }

    /// The amount of column `id`, `None` when blank or absent.
    pub fn amount(&self, id: &str) -> Option<Amount> {
        self.get(id).copied().flatten()
    }

    /// Sets column `id`, replacing an existing entry in place.
    pub fn insert(&mut self, id: impl Into<Arc<str>> + AsRef<str>, value: Option<Amount>) {
        match self.0.iter_mut().find(|(k, _)| &**k == id.as_ref()) {
            Some(e) => e.1 = value,
            None => self.0.push((id.into(), value)),
        }
    }

    /// The amount of a column, to change.
    pub fn get_mut(&mut self, id: &str) -> Option<&mut Option<Amount>> {
        self.0.iter_mut().find(|(k, _)| &**k == id).map(|(_, v)| v)
    }

    /// Whether the column has an entry (blank or not).
    pub fn contains_key(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    /// Each column and its amount, in column order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Option<Amount>)> {
        self.0.iter().map(|(k, v)| (&**k, v))
    }

    /// Each column and its amount, to change.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut Option<Amount>)> {
        self.0.iter_mut().map(|(k, v)| (&**k, v))
    }

    /// The column ids, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| &**k)
    }

    /// The amounts, in column order.
    pub fn values(&self) -> impl Iterator<Item = &Option<Amount>> {
        self.0.iter().map(|(_, v)| v)
    }

    /// The amounts, to change.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Option<Amount>> {
        self.0.iter_mut().map(|(_, v)| v)
    }

    /// How many columns have an entry.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no column has an entry.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<K: Into<Arc<str>> + AsRef<str>> FromIterator<(K, Option<Amount>)> for Amounts {
    fn from_iter<I: IntoIterator<Item = (K, Option<Amount>)>>(iter: I) -> Self {
        let mut a = Amounts::new();
        for (k, v) in iter {
            a.insert(k, v);
        }
        a
    }
}

impl std::ops::Index<&str> for Amounts {
    type Output = Option<Amount>;

    /// # Panics
    /// When the row has no column `id` (as a map's index does).
    fn index(&self, id: &str) -> &Option<Amount> {
        self.get(id)
            .unwrap_or_else(|| panic!("no column {id} in this row"))
    }
}

impl fmt::Debug for Amounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Amounts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(&**k, v)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for Amounts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Amounts;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("金额表（列 id → 金额）")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Amounts, A::Error> {
                let mut out = Amounts::new();
                while let Some((k, v)) = map.next_entry::<String, Option<Amount>>()? {
                    out.insert(k, v);
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_column_order_and_blank_apart_from_absent() {
        let zero = Amount::round(rust_decimal::Decimal::ZERO);
        let a: Amounts = [("total", Some(zero)), ("basic", None)]
            .into_iter()
            .collect();
        assert_eq!(a.keys().collect::<Vec<_>>(), vec!["total", "basic"]);
        assert_eq!(a.get("basic"), Some(&None));
        assert_eq!(a.get("project"), None);
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, r#"{"total":"0.00","basic":null}"#);
        assert_eq!(serde_json::from_str::<Amounts>(&json).unwrap(), a);
    }
}
