//! The JOSE header of a compact JWS.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

use crate::json::{Key, SeenFields, StrictValue, insert_extra, string_set};

/// A parsed JWS header. `alg` is kept as the raw string here; the validator turns it into an
/// [`Algorithm`](crate::Algorithm) and checks it against the allow-list.
///
/// `jku`, `x5u`, `jwk` and `x5c` are recorded only so callers can see they were present: they
/// are never used to find or trust a key.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Header {
    /// `alg` as sent.
    pub alg: String,
    /// `kid`.
    pub kid: Option<String>,
    /// `typ`.
    pub typ: Option<String>,
    /// `cty`.
    pub cty: Option<String>,
    /// `crit` (a non-empty list of extension names).
    pub crit: Option<Vec<String>>,
    /// `x5t` (base64url SHA-1 certificate thumbprint; Entra v1 tokens carry it).
    pub x5t: Option<String>,
    /// `x5t#S256`.
    pub x5t_s256: Option<String>,
    /// Whether the header carried any of `jku`, `x5u`, `jwk`, `x5c` (ignored for trust).
    pub has_key_reference: bool,
    /// Every other member, verbatim (e.g. Microsoft Graph's header `nonce`).
    pub extra: Map<String, Value>,
}

const FIELDS: [&str; 10] = [
    "alg", "kid", "typ", "cty", "crit", "x5t", "x5t#S256", "jku", "x5u", "jwk",
];

impl<'de> Deserialize<'de> for Header {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(HeaderVisitor)
    }
}

struct HeaderVisitor;

impl<'de> Visitor<'de> for HeaderVisitor {
    type Value = Header;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JOSE header object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Header, A::Error> {
        let mut h = Header::default();
        let mut seen = SeenFields::default();
        let mut alg = None;
        while let Some(Key(k)) = map.next_key()? {
            let idx = FIELDS
                .iter()
                .position(|f| *f == k)
                .or((k == "x5c").then_some(10));
            match idx {
                Some(i) => seen.mark(i as u32)?,
                None => {
                    let v = map.next_value_seed(StrictValue)?;
                    insert_extra(&mut h.extra, k, v)?;
                    continue;
                }
            }
            match &*k {
                "alg" => alg = Some(map.next_value::<String>()?),
                "kid" => h.kid = Some(map.next_value()?),
                "typ" => h.typ = Some(map.next_value()?),
                "cty" => h.cty = Some(map.next_value()?),
                "crit" => {
                    let c = string_set(&mut map)?;
                    if c.is_empty() {
                        return Err(de::Error::custom("empty crit"));
                    }
                    h.crit = Some(c);
                }
                "x5t" => h.x5t = Some(map.next_value()?),
                "x5t#S256" => h.x5t_s256 = Some(map.next_value()?),
                _ => {
                    // jku / x5u / jwk / x5c: parsed strictly (duplicates inside rejected) but unused.
                    map.next_value_seed(StrictValue)?;
                    h.has_key_reference = true;
                }
            }
        }
        h.alg = alg.ok_or_else(|| de::Error::missing_field("alg"))?;
        Ok(h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Header, serde_json::Error> {
        serde_json::from_str(s)
    }

    #[test]
    fn parses_entra_header_and_keeps_extras() {
        let h =
            parse(r#"{"typ":"JWT","alg":"RS256","x5t":"abc","kid":"abc","nonce":"n"}"#).unwrap();
        assert_eq!(
            (h.alg.as_str(), h.kid.as_deref(), h.typ.as_deref()),
            ("RS256", Some("abc"), Some("JWT"))
        );
        assert_eq!(h.extra["nonce"], "n");
        assert!(!h.has_key_reference);
    }

    #[test]
    fn rejects_duplicates_missing_alg_and_bad_types() {
        assert!(parse(r#"{"alg":"RS256","alg":"none"}"#).is_err());
        assert!(parse(r#"{"alg":"RS256","zz":1,"zz":2}"#).is_err());
        assert!(parse(r#"{"kid":"a"}"#).is_err());
        assert!(parse(r#"{"alg":5}"#).is_err());
        assert!(parse(r#"{"alg":"RS256","crit":[]}"#).is_err());
        assert!(parse(r#"{"alg":"RS256","crit":["x","x"]}"#).is_err());
    }

    #[test]
    fn key_references_are_flagged_not_used() {
        let h = parse(r#"{"alg":"RS256","jwk":{"kty":"RSA"},"jku":"https://evil"}"#).unwrap();
        assert!(h.has_key_reference);
        assert!(h.extra.is_empty());
    }
}
