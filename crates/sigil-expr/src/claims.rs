//! A JWT's claims as the JSON text they came in, with the position of each member.
//!
//! A token is parsed once and its claims may then be held for an hour (the gateway's
//! verified-token cache) while only a handful of them is ever read. A `serde_json::Map` costs
//! an allocation per member name and per string value and several kilobytes per token; this
//! keeps the payload text and a small index instead (one parse, three allocations), and parses
//! a value when it is read. Strings without escapes are read without allocating.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value as J;
use serde_json::value::RawValue;

/// A JSON object's text and where its members are. Member names are unique: as with
/// `serde_json::Map`, a name given twice keeps its last value.
#[derive(Clone, PartialEq, Eq)]
pub struct Claims {
    text: Box<str>,
    members: Box<[Member]>,
}

#[derive(Clone, PartialEq, Eq)]
struct Member {
    /// The name: a span of `text`, or decoded when it was written with escapes.
    name: Name,
    /// The value's JSON text, a span of `text`.
    value: Range<usize>,
}

#[derive(Clone, PartialEq, Eq)]
enum Name {
    Span(Range<usize>),
    Decoded(Box<str>),
}

/// Members up to which duplicate names are found by comparing every pair; above it, by sorting.
const PAIRWISE_MAX: usize = 32;

// === impl Claims ===

impl Claims {
    /// Indexes `text`, which must be one JSON object. None when it is not.
    pub fn parse(text: String) -> Option<Self> {
        let text = text.into_boxed_str();
        let members = {
            let mut de = serde_json::Deserializer::from_str(&text);
            let found = (&mut de).deserialize_map(MembersVisitor).ok()?;
            de.end().ok()?;
            index(&text, found)?
        };
        Some(Self { text, members })
    }

    /// From a payload's bytes (UTF-8 JSON).
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        Self::parse(String::from_utf8(bytes.to_vec()).ok()?)
    }

    /// The JSON text of member `name`'s value.
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.members
            .iter()
            .find(|m| self.name_of(m) == name)
            .map(|m| &self.text[m.value.clone()])
    }

    /// Whether the object has a member `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.raw(name).is_some()
    }

    /// Member names, in document order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.members.iter().map(|m| self.name_of(m))
    }

    /// How many members.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// No members at all.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Member `name` parsed as JSON.
    pub fn value(&self, name: &str) -> Option<J> {
        serde_json::from_str(self.raw(name)?).ok()
    }

    /// Member `name` when it is a string (borrowed unless it has escapes).
    pub fn str(&self, name: &str) -> Option<Cow<'_, str>> {
        json_str(self.raw(name)?)
    }

    /// Member `name` when it is a number.
    pub fn number(&self, name: &str) -> Option<f64> {
        let raw = self.raw(name)?;
        // A number's text starts with `-` or a digit; anything else is another type.
        raw.starts_with(|c: char| c == '-' || c.is_ascii_digit())
            .then(|| raw.parse().ok())
            .flatten()
    }

    /// Member `name` as text, the way APIM shows a claim: strings as they are, `null` as empty,
    /// anything else as its JSON.
    pub fn text(&self, name: &str) -> Option<String> {
        let raw = self.raw(name)?;
        Some(match json_str(raw) {
            Some(s) => s.into_owned(),
            None => json_text(&serde_json::from_str(raw).ok()?),
        })
    }

    /// Visits member `name`'s values as text (an array's elements one by one, else the value
    /// itself) until `f` returns true. Returns whether it did; false when there is no such
    /// member. Strings without escapes are not copied.
    pub fn any_text(&self, name: &str, mut f: impl FnMut(&str) -> bool) -> bool {
        let Some(raw) = self.raw(name) else {
            return false;
        };
        let mut one = |item: &str| match json_str(item) {
            Some(s) => f(&s),
            None => serde_json::from_str::<J>(item).is_ok_and(|v| f(&json_text(&v))),
        };
        if raw.starts_with('[') {
            let mut de = serde_json::Deserializer::from_str(raw);
            (&mut de)
                .deserialize_seq(ItemsVisitor(&mut one))
                .unwrap_or(false)
        } else {
            one(raw)
        }
    }

    /// The whole object as a `serde_json::Map` (for code that wants one).
    pub fn to_map(&self) -> serde_json::Map<String, J> {
        serde_json::from_str(&self.text).unwrap_or_default()
    }

    fn name_of<'a>(&'a self, m: &'a Member) -> &'a str {
        match &m.name {
            Name::Span(r) => &self.text[r.clone()],
            Name::Decoded(s) => s,
        }
    }
}

impl fmt::Debug for Claims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(
                self.members
                    .iter()
                    .map(|m| (self.name_of(m), &self.text[m.value.clone()])),
            )
            .finish()
    }
}

/// A JSON string's content; None when `raw` is not a string.
fn json_str(raw: &str) -> Option<Cow<'_, str>> {
    if !raw.starts_with('"') {
        return None;
    }
    match serde_json::from_str::<&str>(raw) {
        Ok(s) => Some(Cow::Borrowed(s)),
        Err(_) => serde_json::from_str::<String>(raw).ok().map(Cow::Owned),
    }
}

/// A claim value as APIM shows it: strings as they are, `null` as empty, anything else as JSON.
pub(crate) fn json_text(v: &J) -> String {
    match v {
        J::String(s) => s.clone(),
        J::Null => String::new(),
        other => other.to_string(),
    }
}

/// The members found by one parse, names borrowed from the text when they have no escapes.
type Found<'a> = Vec<(Cow<'a, str>, &'a RawValue)>;

/// Turns borrowed slices into spans of `text`, keeping the last of duplicate names.
fn index(text: &str, found: Found<'_>) -> Option<Box<[Member]>> {
    let base = text.as_ptr() as usize;
    let span = |s: &str| {
        let start = (s.as_ptr() as usize).checked_sub(base)?;
        (start + s.len() <= text.len()).then_some(start..start + s.len())
    };
    let dup = duplicates(&found);
    found
        .iter()
        .enumerate()
        .filter(|(i, _)| !dup.contains(i))
        .map(|(_, (name, value))| {
            let name = match name {
                Cow::Borrowed(s) => Name::Span(span(s)?),
                Cow::Owned(s) => Name::Decoded(s.as_str().into()),
            };
            Some(Member {
                name,
                value: span(value.get())?,
            })
        })
        .collect()
}

/// Indexes of members whose name appears again later.
fn duplicates(found: &Found<'_>) -> Vec<usize> {
    if found.len() <= PAIRWISE_MAX {
        return (0..found.len())
            .filter(|&i| found[i + 1..].iter().any(|(n, _)| *n == found[i].0))
            .collect();
    }
    let mut order: Vec<usize> = (0..found.len()).collect();
    order.sort_by(|&a, &b| found[a].0.cmp(&found[b].0).then(a.cmp(&b)));
    order
        .windows(2)
        .filter(|w| found[w[0]].0 == found[w[1]].0)
        .map(|w| w[0])
        .collect()
}

struct MembersVisitor;

impl<'de> Visitor<'de> for MembersVisitor {
    type Value = Found<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(map.size_hint().unwrap_or(16));
        while let Some(name) = map.next_key::<NameSeed<'de>>()? {
            out.push((name.0, map.next_value::<&'de RawValue>()?));
        }
        Ok(out)
    }
}

/// A member name, borrowed when it can be.
struct NameSeed<'a>(Cow<'a, str>);

impl<'de> de::Deserialize<'de> for NameSeed<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = NameSeed<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(NameSeed(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(NameSeed(Cow::Owned(s.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// Calls the closure on each array element's JSON text until it returns true.
struct ItemsVisitor<'f, F>(&'f mut F);

impl<'de, F: FnMut(&str) -> bool> Visitor<'de> for ItemsVisitor<'_, F> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while let Some(item) = seq.next_element::<&'de RawValue>()? {
            if (self.0)(item.get()) {
                // The rest need not be looked at, but must be consumed for the parse to end.
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                return Ok(true);
            }
        }
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn claims(v: &J) -> Claims {
        Claims::parse(v.to_string()).unwrap()
    }

    #[test]
    fn reads_members_as_serde_json_would() {
        let v = json!({"aud": "api://x", "exp": 1_700_000_000, "nbf": 1.5, "roles": ["a", "b\"c"],
            "n": null, "t": true, "o": {"k": [1]}, "esc": "line\nnext"});
        let c = claims(&v);
        assert_eq!(c.len(), 8);
        assert_eq!(c.str("aud").as_deref(), Some("api://x"));
        assert!(matches!(c.str("aud"), Some(Cow::Borrowed(_))));
        assert_eq!(c.str("esc").as_deref(), Some("line\nnext"));
        assert_eq!(c.number("exp"), Some(1_700_000_000.0));
        assert_eq!(c.number("nbf"), Some(1.5));
        assert_eq!(c.number("aud"), None);
        for (name, value) in v.as_object().unwrap() {
            assert_eq!(c.value(name).as_ref(), Some(value), "{name}");
            assert_eq!(c.text(name), Some(json_text(value)), "{name}");
        }
        assert_eq!(c.text("missing"), None);
        assert_eq!(
            c.names().collect::<Vec<_>>(),
            ["aud", "exp", "nbf", "roles", "n", "t", "o", "esc"]
        );
        assert_eq!(c.to_map(), *v.as_object().unwrap());
    }

    #[test]
    fn visits_array_items_and_scalars_as_text() {
        let c = claims(&json!({"roles": ["a", "b\u{e9}", 3, ["x"]], "scp": "r w", "aud": "z"}));
        let mut seen = Vec::new();
        assert!(!c.any_text("roles", |t| {
            seen.push(t.to_owned());
            false
        }));
        assert_eq!(seen, ["a", "b\u{e9}", "3", "[\"x\"]"]);
        assert!(c.any_text("roles", |t| t == "b\u{e9}"));
        assert!(c.any_text("scp", |t| t == "r w"));
        assert!(!c.any_text("missing", |_| true));
    }

    #[test]
    fn escaped_and_duplicate_names() {
        let c = Claims::parse(r#"{"a": 1, "\u0062": 2, "a": 3}"#.to_owned()).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(
            c.number("a"),
            Some(3.0),
            "the last value wins, as in serde_json"
        );
        assert_eq!(c.number("b"), Some(2.0));
        assert_eq!(c.names().collect::<Vec<_>>(), ["b", "a"]);

        // Many members: duplicates found by sorting.
        let mut text = String::from("{");
        for i in 0..100 {
            text.push_str(&format!("\"k{}\": {i},", i % 50));
        }
        text.push_str("\"last\": 0}");
        let c = Claims::parse(text).unwrap();
        assert_eq!(c.len(), 51);
        assert_eq!(c.number("k7"), Some(57.0));
    }

    #[test]
    fn refuses_what_is_not_one_object() {
        for bad in ["[1]", "\"s\"", "{", "{} {}", "{\"a\":}", "", "{\"a\":1,}"] {
            assert!(Claims::parse(bad.to_owned()).is_none(), "{bad}");
        }
        assert!(Claims::parse(" {} ".to_owned()).unwrap().is_empty());
    }

    proptest::proptest! {
        /// Any JSON object: every member reads back as serde_json parses it.
        #[test]
        fn agrees_with_serde_json(
            m in proptest::collection::btree_map("[a-z\\\\\"\u{e9}]{0,6}", proptest::option::of(-1000i64..1000), 0..40),
        ) {
            let v = J::Object(m.iter().map(|(k, n)| (k.clone(), n.map_or(J::Null, J::from))).collect());
            let c = claims(&v);
            proptest::prop_assert_eq!(c.len(), m.len());
            for (k, want) in v.as_object().unwrap() {
                proptest::prop_assert_eq!(c.value(k), Some(want.clone()));
            }
        }

        /// Arbitrary and almost-JSON text: `Claims` agrees with `serde_json::Map` (the fuzz
        /// target's oracle) and never panics.
        #[test]
        fn agrees_with_serde_json_on_any_text(
            s in "\\PC{0,64}|\\{ *(\"[a-z\\\\u0-9]{0,4}\" *: *(1|-2.5e3|\"x\\\\n\"|\\[\\]|\\[1,\\[\\]\\]|null|\\{\\}) *,? *){0,5}\\}",
        ) {
            crate::fuzzing::claims_parse(s.as_bytes());
        }
    }
}
