//! JWT claims in the shape Entra ID issues them (access-token-claims-reference, v1 and v2).

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::json::{Key, SeenFields, StrictValue, insert_extra};

/// A JWT `NumericDate`: whole seconds since the epoch.
///
/// Accepts an integer or a float on input (RFC 7519 allows non-integer values; Entra sends
/// integers). A float is truncated toward zero, which makes `exp` at most one second earlier
/// (the safe direction) and `nbf`/`iat` under a second earlier (well inside any clock skew).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NumericDate(pub i64);

impl NumericDate {
    /// Seconds since the epoch.
    pub const fn secs(self) -> i64 {
        self.0
    }
}

impl Serialize for NumericDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}

impl<'de> Deserialize<'de> for NumericDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = NumericDate;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a NumericDate (number of seconds)")
            }
            fn visit_i64<E>(self, v: i64) -> Result<NumericDate, E> {
                Ok(NumericDate(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<NumericDate, E> {
                i64::try_from(v)
                    .map(NumericDate)
                    .map_err(|_| E::custom("NumericDate out of range"))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<NumericDate, E> {
                // `as` saturates; the explicit range check rejects what it would silently clamp.
                if v.is_finite() && v.abs() < 9.0e15 {
                    #[allow(clippy::cast_possible_truncation)]
                    Ok(NumericDate(v.trunc() as i64))
                } else {
                    Err(E::custom("NumericDate out of range"))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// `aud`: a single string or an array of strings (RFC 7519 §4.1.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Audience {
    /// `"aud": "x"` (what Entra sends).
    One(String),
    /// `"aud": ["x", "y"]`.
    Many(Vec<String>),
}

// Hand-written rather than `#[serde(untagged)]`: untagged buffers the value into serde's
// private `Content` and replays it per variant, which costs an extra copy of every audience on
// the validate hot path. This visitor takes the string or the array directly.
impl<'de> Deserialize<'de> for Audience {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Audience;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_str<E>(self, v: &str) -> Result<Audience, E> {
                Ok(Audience::One(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Audience, E> {
                Ok(Audience::One(v))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Audience, A::Error> {
                let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(16));
                while let Some(s) = seq.next_element()? {
                    v.push(s);
                }
                Ok(Audience::Many(v))
            }
        }
        d.deserialize_any(V)
    }
}

impl Audience {
    /// Iterate over the audience values.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let (one, many): (Option<&String>, &[String]) = match self {
            Self::One(s) => (Some(s), &[]),
            Self::Many(v) => (None, v),
        };
        one.into_iter().chain(many).map(String::as_str)
    }

    /// Whether `aud` contains `value`.
    pub fn contains(&self, value: &str) -> bool {
        self.iter().any(|a| a == value)
    }
}

/// Token claims with typed accessors for the registered and Entra claims; everything else is
/// in `extra`. Duplicate member names anywhere in the payload are rejected while parsing.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Claims {
    /// Issuer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Audience.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aud: Option<Audience>,
    /// Issued at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<NumericDate>,
    /// Not before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nbf: Option<NumericDate>,
    /// Expiry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<NumericDate>,
    /// Client application id (v2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub azp: Option<String>,
    /// Client authentication method (v2): "0" public, "1" secret, "2" certificate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub azpacr: Option<String>,
    /// Client application id (v1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appid: Option<String>,
    /// Client authentication method (v1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appidacr: Option<String>,
    /// `"app"` or `"user"` (optional claim).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idtyp: Option<String>,
    /// Caller object id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oid: Option<String>,
    /// Delegated scopes, space-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scp: Option<String>,
    /// App roles / application permissions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    /// Subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// Tenant id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tid: Option<String>,
    /// Per-token id (Entra's `jti` equivalent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uti: Option<String>,
    /// Token version, `"1.0"` or `"2.0"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ver: Option<String>,
    /// JWT id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// OIDC nonce (ID tokens only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// Every other claim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[cfg(test)]
const FIELDS: [&str; 19] = [
    "iss", "aud", "iat", "nbf", "exp", "azp", "azpacr", "appid", "appidacr", "idtyp", "oid", "scp",
    "roles", "sub", "tid", "uti", "ver", "jti", "nonce",
];

impl Claims {
    /// The delegated scopes as a list (`scp` split on spaces).
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scp
            .as_deref()
            .unwrap_or("")
            .split(' ')
            .filter(|s| !s.is_empty())
    }

    /// The app roles.
    pub fn role_list(&self) -> &[String] {
        self.roles.as_deref().unwrap_or(&[])
    }

    /// The calling client's id: `azp` (v2) or `appid` (v1).
    pub fn client_id(&self) -> Option<&str> {
        self.azp.as_deref().or(self.appid.as_deref())
    }

    /// Whether a claim is present, typed or extra.
    pub fn has(&self, name: &str) -> bool {
        match name {
            "iss" => self.iss.is_some(),
            "aud" => self.aud.is_some(),
            "iat" => self.iat.is_some(),
            "nbf" => self.nbf.is_some(),
            "exp" => self.exp.is_some(),
            "azp" => self.azp.is_some(),
            "azpacr" => self.azpacr.is_some(),
            "appid" => self.appid.is_some(),
            "appidacr" => self.appidacr.is_some(),
            "idtyp" => self.idtyp.is_some(),
            "oid" => self.oid.is_some(),
            "scp" => self.scp.is_some(),
            "roles" => self.roles.is_some(),
            "sub" => self.sub.is_some(),
            "tid" => self.tid.is_some(),
            "uti" => self.uti.is_some(),
            "ver" => self.ver.is_some(),
            "jti" => self.jti.is_some(),
            "nonce" => self.nonce.is_some(),
            other => self.extra.contains_key(other),
        }
    }
}

/// Index of a known claim (the order of the `match` in `visit_map`); a `match` compiles to a length switch plus one compare, which is
/// measurably cheaper on the hot validate path than a linear scan.
fn field_index(k: &str) -> Option<usize> {
    Some(match k {
        "iss" => 0,
        "aud" => 1,
        "iat" => 2,
        "nbf" => 3,
        "exp" => 4,
        "azp" => 5,
        "azpacr" => 6,
        "appid" => 7,
        "appidacr" => 8,
        "idtyp" => 9,
        "oid" => 10,
        "scp" => 11,
        "roles" => 12,
        "sub" => 13,
        "tid" => 14,
        "uti" => 15,
        "ver" => 16,
        "jti" => 17,
        "nonce" => 18,
        _ => return None,
    })
}

impl<'de> Deserialize<'de> for Claims {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ClaimsVisitor)
    }
}

struct ClaimsVisitor;

/// Initial capacity of `extra` once a token has any unlisted claim.
const EXTRA_CAPACITY: usize = 7;

impl<'de> Visitor<'de> for ClaimsVisitor {
    type Value = Claims;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JWT claims object")
    }

    // Hand-written (not derive + flatten) so one pass both types the known claims and checks
    // every member name for repeats; flatten would buffer the whole object and lose repeats.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Claims, A::Error> {
        let mut c = Claims::default();
        let mut seen = SeenFields::default();
        while let Some(Key(k)) = map.next_key()? {
            let Some(i) = field_index(&k) else {
                if c.extra.is_empty() {
                    // Entra access tokens carry 4-8 unlisted claims (aio, name, rh, ...); sizing
                    // the map once on the first one avoids two regrowths. Replacing an empty
                    // map frees nothing.
                    c.extra = Map::with_capacity(EXTRA_CAPACITY);
                }
                let v = map.next_value_seed(StrictValue)?;
                insert_extra(&mut c.extra, k, v)?;
                continue;
            };
            seen.mark(i as u32)?;
            match i {
                0 => c.iss = Some(map.next_value()?),
                1 => c.aud = Some(map.next_value()?),
                2 => c.iat = Some(map.next_value()?),
                3 => c.nbf = Some(map.next_value()?),
                4 => c.exp = Some(map.next_value()?),
                5 => c.azp = Some(map.next_value()?),
                6 => c.azpacr = Some(map.next_value()?),
                7 => c.appid = Some(map.next_value()?),
                8 => c.appidacr = Some(map.next_value()?),
                9 => c.idtyp = Some(map.next_value()?),
                10 => c.oid = Some(map.next_value()?),
                11 => c.scp = Some(map.next_value()?),
                12 => c.roles = Some(map.next_value()?),
                13 => c.sub = Some(map.next_value()?),
                14 => c.tid = Some(map.next_value()?),
                15 => c.uti = Some(map.next_value()?),
                16 => c.ver = Some(map.next_value()?),
                17 => c.jti = Some(map.next_value()?),
                _ => c.nonce = Some(map.next_value()?),
            }
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_index_matches_field_table() {
        for (i, f) in FIELDS.iter().enumerate() {
            assert_eq!(field_index(f), Some(i));
        }
        assert_eq!(field_index("name"), None);
    }

    fn parse(s: &str) -> Result<Claims, serde_json::Error> {
        serde_json::from_str(s)
    }

    #[test]
    fn entra_v2_access_token_payload() {
        let c = parse(
            r#"{"aud":"6e74172b-be56-4843-9ff4-e66a39bb12e3","iss":"https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0",
            "iat":1537231048,"nbf":1537231048,"exp":1537234948.7,"aio":"AXQAi","azp":"6e74172b","azpacr":"0",
            "name":"Abe Lincoln","oid":"690222be","preferred_username":"abeli@microsoft.com","rh":"I",
            "scp":"access_as_user read","sub":"HKZpfaHyWadeOouYlitjrI-KffTm222X5rrV3xDqfKQ","tid":"72f988bf",
            "uti":"fqiBqXLPj0eQa82S-IYFAA","ver":"2.0","roles":["a","b"]}"#,
        )
        .unwrap();
        assert_eq!(c.exp, Some(NumericDate(1537234948)));
        assert!(
            c.aud
                .as_ref()
                .unwrap()
                .contains("6e74172b-be56-4843-9ff4-e66a39bb12e3")
        );
        assert_eq!(c.scopes().collect::<Vec<_>>(), ["access_as_user", "read"]);
        assert_eq!(c.client_id(), Some("6e74172b"));
        assert_eq!(c.extra["name"], "Abe Lincoln");
        assert!(c.has("rh") && c.has("tid") && !c.has("nonce"));
    }

    #[test]
    fn audience_array_and_bad_types() {
        let c = parse(r#"{"aud":["a","b"]}"#).unwrap();
        assert!(c.aud.unwrap().contains("b"));
        assert!(parse(r#"{"aud":5}"#).is_err());
        assert!(parse(r#"{"exp":"soon"}"#).is_err());
        assert!(parse(r#"{"exp":1e300}"#).is_err());
        assert!(parse(r#"{"roles":"admin"}"#).is_err());
    }

    #[test]
    fn duplicate_claims_rejected_known_extra_and_nested() {
        assert!(parse(r#"{"aud":"a","aud":"b"}"#).is_err());
        assert!(parse(r#"{"x":1,"x":1}"#).is_err());
        assert!(parse(r#"{"x":{"y":1,"y":2}}"#).is_err());
    }

    #[test]
    fn serialises_without_absent_claims() {
        let mut c = Claims {
            iss: Some("i".into()),
            exp: Some(NumericDate(5)),
            ..Claims::default()
        };
        c.extra.insert("name".into(), "n".into());
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"iss":"i","exp":5,"name":"n"}"#
        );
    }
}
