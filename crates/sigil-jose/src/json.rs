//! Strict JSON: duplicate member names are rejected at every depth.
//!
//! serde_json keeps the last of duplicate members silently, and another JSON parser (in a
//! gateway, a WAF, a client) may keep the first; that disagreement is a known token-smuggling
//! vector (RFC 7515 §5.2 and RFC 8725 §3.10 ask for rejection). serde_json has no option for
//! this, so [`StrictValue`] is a `DeserializeSeed` that builds a `serde_json::Value` and fails
//! on the first repeated name. Typed parsers in this crate use it for every member they do not
//! know, and check their own known members for repeats.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Parse bytes as JSON into a `Value`, rejecting duplicate member names anywhere.
pub(crate) fn from_slice_strict(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let v = StrictValue.deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

/// A seed producing a `Value` and rejecting duplicate member names.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("non-finite number"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut v = Vec::new();
        while let Some(x) = seq.next_element_seed(StrictValue)? {
            v.push(x);
        }
        Ok(Value::Array(v))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut m = Map::new();
        while let Some(k) = map.next_key::<String>()? {
            let v = map.next_value_seed(StrictValue)?;
            if m.insert(k, v).is_some() {
                return Err(de::Error::custom(DUPLICATE));
            }
        }
        Ok(Value::Object(m))
    }
}

/// The error message used for duplicates, so callers can classify the failure.
pub(crate) const DUPLICATE: &str = "duplicate JSON member name";

/// Whether a serde_json error is our duplicate-member rejection.
pub(crate) fn is_duplicate(e: &serde_json::Error) -> bool {
    e.to_string().starts_with(DUPLICATE)
}

/// A member name, borrowed from the input when it has no escapes.
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// Tracks member names seen in one object: a bit set for the fields a typed parser knows,
/// and the `extra` map for the rest.
#[derive(Debug, Default)]
pub(crate) struct SeenFields(u64);

impl SeenFields {
    /// Mark field number `i` (< 64) as seen; error if it was already.
    pub(crate) fn mark<E: de::Error>(&mut self, i: u32) -> Result<(), E> {
        let bit = 1u64 << i;
        if self.0 & bit != 0 {
            return Err(E::custom(DUPLICATE));
        }
        self.0 |= bit;
        Ok(())
    }
}

/// Insert an unknown member into `extra`, rejecting repeats.
pub(crate) fn insert_extra<E: de::Error>(
    extra: &mut Map<String, Value>,
    k: Cow<'_, str>,
    v: Value,
) -> Result<(), E> {
    if extra.insert(k.into_owned(), v).is_some() {
        return Err(E::custom(DUPLICATE));
    }
    Ok(())
}

/// A seed that reads a string while rejecting any other JSON type.
pub(crate) fn string_set<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Vec<String>, A::Error> {
    let v: Vec<String> = map.next_value()?;
    let mut seen = HashSet::with_capacity(v.len());
    // A repeated value in a set-valued member (crit) is itself malformed (RFC 7515 §4.1.11).
    for s in &v {
        if !seen.insert(s.as_str()) {
            return Err(de::Error::custom("repeated value in list"));
        }
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_rejected_at_any_depth() {
        assert!(from_slice_strict(br#"{"a":1,"b":2}"#).is_ok());
        let e = from_slice_strict(br#"{"a":1,"a":2}"#).unwrap_err();
        assert!(is_duplicate(&e), "{e}");
        assert!(from_slice_strict(br#"{"x":{"a":1,"a":1}}"#).is_err());
        assert!(from_slice_strict(br#"[{"a":1},{"a":1,"b":[{"c":1,"c":2}]}]"#).is_err());
        // Escaped and unescaped spellings of one name are the same name.
        assert!(from_slice_strict(br#"{"a":1,"\u0061":2}"#).is_err());
    }

    #[test]
    fn trailing_garbage_rejected() {
        assert!(from_slice_strict(br#"{"a":1} x"#).is_err());
        assert!(from_slice_strict(br#"{"a":1}{}"#).is_err());
    }
}
