//! Reading untrusted text (parameter values, `Content-Type`) as the specification types it.
//!
//! Parameters arrive as text; a schema saying `type: integer` means "text that reads as an
//! integer". [`coerce`] turns the text into the JSON value the schema is then checked against,
//! or says why it cannot be read. Numbers go through serde_json's number grammar, so `1e999999`
//! or a 100 000-digit integer is refused in linear time, never turned into infinity.

use serde_json::{Number, Value};

use super::{Kind, Split};

/// Longest parameter value read (longer ones are refused before parsing).
pub const MAX_VALUE_LEN: usize = 8 * 1024;
/// Most array items read from one parameter.
pub const MAX_ITEMS: usize = 1_000;

/// Why a parameter's text cannot be read as its declared type.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CoerceError {
    /// Several values where one is expected.
    #[error("multiple values")]
    Multiple,
    /// The text is not a value of the type.
    #[error("'{0}' is not a valid {1}")]
    Invalid(String, &'static str),
    /// Longer than [`MAX_VALUE_LEN`] or more items than [`MAX_ITEMS`].
    #[error("the value is too long")]
    TooLong,
}

/// Reads the values of one parameter (every occurrence, in order) as `kind`.
///
/// Non-array kinds take exactly one value. Arrays take every occurrence with
/// [`Split::Repeat`], or split one occurrence at the delimiter.
pub fn coerce(values: &[&str], split: Split, kind: &Kind) -> Result<Value, CoerceError> {
    if values.iter().any(|v| v.len() > MAX_VALUE_LEN) {
        return Err(CoerceError::TooLong);
    }
    match kind {
        Kind::Array(inner) => {
            let items: Vec<&str> = match split {
                Split::Repeat => values.to_vec(),
                Split::Delimited(d) => match values {
                    [] => Vec::new(),
                    [""] => Vec::new(),
                    [one] => one.split(d).collect(),
                    _ => return Err(CoerceError::Multiple),
                },
            };
            if items.len() > MAX_ITEMS {
                return Err(CoerceError::TooLong);
            }
            items
                .into_iter()
                .map(|i| scalar(i, inner))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        _ => match values {
            [one] => scalar(one, kind),
            _ => Err(CoerceError::Multiple),
        },
    }
}

fn scalar(s: &str, kind: &Kind) -> Result<Value, CoerceError> {
    let bad = |what| CoerceError::Invalid(shorten(s), what);
    match kind {
        Kind::Integer => number(s).ok_or_else(|| bad("integer")),
        Kind::Number => number(s).ok_or_else(|| bad("number")),
        Kind::Boolean => {
            // .NET's bool.Parse: either word, any case, surrounding white space ignored.
            let t = s.trim();
            if t.eq_ignore_ascii_case("true") {
                Ok(Value::Bool(true))
            } else if t.eq_ignore_ascii_case("false") {
                Ok(Value::Bool(false))
            } else {
                Err(bad("boolean"))
            }
        }
        // Nested arrays have no text form in OpenAPI parameter styles.
        Kind::Array(_) => Err(bad("array")),
        Kind::String | Kind::Object => Ok(Value::String(s.to_owned())),
    }
}

/// A JSON number, and only that: `-?digits(.digits)?([eE][+-]?digits)?`, finite.
fn number(s: &str) -> Option<Value> {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return None;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return None;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    // The grammar is checked above; serde_json does the conversion (exact for 64-bit
    // integers, correctly rounded otherwise) and refuses what overflows an f64.
    serde_json::from_str::<Number>(s).ok().map(Value::Number)
}

fn shorten(s: &str) -> String {
    const KEEP: usize = 64;
    if s.len() <= KEEP {
        return s.to_owned();
    }
    let mut end = KEEP;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// The media type of a `Content-Type` value: what precedes any `;`, trimmed, lower case.
/// `None` for an empty value.
pub fn media_type(header: &str) -> Option<String> {
    let essence = header.split(';').next().unwrap_or_default().trim();
    (!essence.is_empty()).then(|| essence.to_ascii_lowercase())
}

/// Whether a declared media type (`application/json`, `application/*`, `*/*`) covers `actual`.
/// Both are compared case-insensitively.
pub fn media_type_matches(declared: &str, actual: &str) -> bool {
    if declared == "*/*" || declared.eq_ignore_ascii_case(actual) {
        return true;
    }
    match (declared.split_once('/'), actual.split_once('/')) {
        (Some((dt, "*")), Some((at, _))) => dt.eq_ignore_ascii_case(at),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn one(s: &str, kind: Kind) -> Result<Value, CoerceError> {
        coerce(&[s], Split::Delimited(','), &kind)
    }

    #[test]
    fn scalars() {
        assert_eq!(one("42", Kind::Integer), Ok(json!(42)));
        assert_eq!(one("-1.5e3", Kind::Number), Ok(json!(-1500.0)));
        assert_eq!(one("True", Kind::Boolean), Ok(json!(true)));
        assert_eq!(one("x", Kind::String), Ok(json!("x")));
        for bad in ["", "+1", "1.", ".5", "0x10", "1e", "NaN", "inf", " 1", "1 "] {
            assert!(one(bad, Kind::Number).is_err(), "{bad}");
        }
        assert!(one("yes", Kind::Boolean).is_err());
        assert_eq!(
            coerce(&["1", "2"], Split::Delimited(','), &Kind::Integer),
            Err(CoerceError::Multiple)
        );
    }

    #[test]
    fn arrays_split_or_repeat() {
        let ints = Kind::Array(Box::new(Kind::Integer));
        assert_eq!(
            coerce(&["1,2,3"], Split::Delimited(','), &ints),
            Ok(json!([1, 2, 3]))
        );
        assert_eq!(coerce(&["1", "2"], Split::Repeat, &ints), Ok(json!([1, 2])));
        assert_eq!(coerce(&[""], Split::Delimited('|'), &ints), Ok(json!([])));
        assert!(coerce(&["1,x"], Split::Delimited(','), &ints).is_err());
        let many = vec!["1"; MAX_ITEMS + 1];
        assert_eq!(
            coerce(&many, Split::Repeat, &ints),
            Err(CoerceError::TooLong)
        );
    }

    #[test]
    fn hostile_numbers_are_refused_quickly() {
        let start = std::time::Instant::now();
        assert!(one("1e999999", Kind::Number).is_err());
        let digits = "9".repeat(MAX_VALUE_LEN);
        // 8 KiB of nines overflows an f64: refused, not infinity.
        assert!(one(&digits, Kind::Integer).is_err());
        assert_eq!(
            one(&"9".repeat(MAX_VALUE_LEN + 1), Kind::Integer),
            Err(CoerceError::TooLong)
        );
        assert!(start.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn media_types() {
        assert_eq!(
            media_type(" Application/JSON; charset=utf-8").as_deref(),
            Some("application/json")
        );
        assert_eq!(media_type(" ; x=y"), None);
        assert!(media_type_matches("application/*", "application/hal+json"));
        assert!(media_type_matches("*/*", "text/plain"));
        assert!(!media_type_matches("text/*", "application/json"));
        assert!(!media_type_matches(
            "application/json",
            "application/hal+json"
        ));
    }

    proptest! {
        #[test]
        fn integers_round_trip(n in any::<i64>()) {
            prop_assert_eq!(one(&n.to_string(), Kind::Integer), Ok(json!(n)));
        }

        #[test]
        fn finite_floats_round_trip(f in any::<f64>().prop_filter("finite", |f| f.is_finite())) {
            let v = one(&format!("{f:e}"), Kind::Number).unwrap();
            prop_assert_eq!(v.as_f64(), Some(f));
        }

        #[test]
        fn strings_are_kept(s in ".{0,64}") {
            prop_assert_eq!(one(&s, Kind::String), Ok(Value::String(s.clone())));
        }

        /// Arbitrary text never panics, and an accepted number is a finite JSON number.
        #[test]
        fn arbitrary_text_never_panics(s in "[-+.eE0-9a-z ,|]{0,40}", repeat in any::<bool>()) {
            let split = if repeat { Split::Repeat } else { Split::Delimited(',') };
            for kind in [Kind::Integer, Kind::Number, Kind::Boolean, Kind::Array(Box::new(Kind::Number))] {
                if let Ok(v) = coerce(&[&s, &s], split, &kind) {
                    prop_assert!(matches!(kind, Kind::Array(_)));
                    prop_assert!(v.is_array());
                }
                if let Ok(Value::Number(n)) = coerce(&[&s], split, &kind) {
                    prop_assert!(n.as_f64().is_some_and(f64::is_finite));
                }
            }
        }
    }
}
