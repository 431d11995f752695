//! APIM's `Jwt` type as returned by `string.AsJwt()` / `TryParseJwt()`: the token is decoded,
//! never validated (validation is validate-jwt's job, in the gateway).

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value as J};

use super::datetime::DateTime;
use crate::claims::Claims;

/// A decoded JWT.
#[derive(Clone, Debug, PartialEq)]
pub struct Jwt {
    header: Map<String, J>,
    claims: Claims,
}

// === impl Jwt ===

impl Jwt {
    /// Decodes a compact JWS (`a.b.c`); a leading `Bearer ` is tolerated as APIM does for header
    /// values. None when it isn't a JWT.
    pub fn parse(token: &str) -> Option<Self> {
        let t = token.trim();
        let t = t
            .strip_prefix("Bearer ")
            .or_else(|| t.strip_prefix("bearer "))
            .map_or(t, str::trim_start);
        let mut parts = t.split('.');
        let (h, p, _sig) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let header = match serde_json::from_slice(&b64(h)?).ok()? {
            J::Object(m) => m,
            _ => return None,
        };
        let claims = Claims::parse(String::from_utf8(b64(p)?).ok()?)?;
        Some(Self::from_parts(header, claims))
    }

    /// From already-decoded header and claims (the gateway's validate-jwt output variable).
    /// The claims stay JSON text until read: with distinct tokens most claims are never read,
    /// and the gateway shares one `Jwt` between requests carrying the same token.
    pub fn from_parts(header: Map<String, J>, claims: Claims) -> Self {
        Self { header, claims }
    }

    /// The payload claims.
    pub fn claims(&self) -> &Claims {
        &self.claims
    }

    /// `Claims[name]`: every claim value as a string array (arrays flattened, non-strings as JSON
    /// text, booleans as `true`/`false` like the JSON).
    pub(crate) fn claim(&self, name: &str) -> Option<Arc<[crate::value::Value]>> {
        let mut items = Vec::new();
        self.claims.any_text(name, |t| {
            items.push(crate::value::Value::str(t));
            false
        });
        self.claims.contains(name).then(|| Arc::from(items))
    }

    pub(crate) fn claim_names(&self) -> impl Iterator<Item = &str> {
        self.claims.names()
    }

    pub(crate) fn header_str(&self, name: &str) -> Option<&str> {
        self.header.get(name).and_then(J::as_str)
    }

    pub(crate) fn claim_str(&self, name: &str) -> Option<String> {
        self.claims.text(name)
    }

    pub(crate) fn audiences(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.claims.any_text("aud", |t| {
            out.push(t.to_owned());
            false
        });
        out
    }

    pub(crate) fn time_claim(&self, name: &str) -> Option<DateTime> {
        #[allow(clippy::cast_possible_truncation)] // NumericDate may be fractional.
        let secs = self.claims.number(name)?.trunc() as i64;
        DateTime::from_unix_seconds(secs)
    }
}

fn b64(part: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()
}

// === members ===

use super::{Builtin, ResolveResult, Site, a_opt_str, a_str, ok, str_val};
use crate::error::EvalError;
use crate::types::{Elem, Type};
use crate::value::{Obj, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JwtFn {
    AsBasic,
    TryParseBasic,
    BasicUser,
    BasicPassword,
    AsJwt,
    TryParseJwt,
    Claims,
    ClaimsIndex,
    ClaimsGet,
    ClaimsContainsKey,
    ClaimsKeys,
    ClaimsCount,
    Subject,
    Issuer,
    Id,
    Audiences,
    ExpirationTime,
    NotBefore,
    IssuedAt,
    Algorithm,
    Type,
}

/// `string.AsJwt()` / `string.TryParseJwt(out Jwt)`.
pub(crate) fn resolve_string(site: &Site<'_>) -> ResolveResult {
    match site.name {
        "AsJwt" if site.is_call("AsJwt", &[]) => ok(Builtin::Jwt(JwtFn::AsJwt), Type::Jwt),
        "AsBasic" if site.is_call("AsBasic", &[]) => ok(Builtin::Jwt(JwtFn::AsBasic), Type::Basic),
        "TryParseBasic" if site.arity() == Some(1) => Ok(Some(super::Resolved {
            f: Builtin::Jwt(JwtFn::TryParseBasic),
            ty: Type::Bool,
            out: Some(Type::Basic),
        })),
        "TryParseJwt" if site.arity() == Some(1) => Ok(Some(super::Resolved {
            f: Builtin::Jwt(JwtFn::TryParseJwt),
            ty: Type::Bool,
            out: Some(Type::Jwt),
        })),
        _ => Ok(None),
    }
}

pub(crate) fn resolve_instance(recv: Type, site: &Site<'_>) -> ResolveResult {
    let r = |f: JwtFn, t: Type| ok(Builtin::Jwt(f), t);
    let s = site;
    if recv == Type::Basic {
        return match (s.name, s.args) {
            ("Username", None) => r(JwtFn::BasicUser, Type::String),
            ("Password", None) => r(JwtFn::BasicPassword, Type::String),
            _ => Ok(None),
        };
    }
    if recv == Type::Claims {
        return match s.name {
            "GetValueOrDefault"
                if s.is_call("GetValueOrDefault", &[Type::String])
                    || s.is_call("GetValueOrDefault", &[Type::String, Type::String]) =>
            {
                r(JwtFn::ClaimsGet, Type::String)
            }
            "ContainsKey" if s.is_call("ContainsKey", &[Type::String]) => {
                r(JwtFn::ClaimsContainsKey, Type::Bool)
            }
            "Keys" if s.args.is_none() => r(JwtFn::ClaimsKeys, Type::Array(Elem::String)),
            "Count" if s.args.is_none() => r(JwtFn::ClaimsCount, Type::Int),
            _ => Ok(None),
        };
    }
    if s.args.is_some() {
        return Ok(None);
    }
    match s.name {
        "Claims" => r(JwtFn::Claims, Type::Claims),
        "Subject" => r(JwtFn::Subject, Type::String),
        "Issuer" => r(JwtFn::Issuer, Type::String),
        "Id" => r(JwtFn::Id, Type::String),
        "Audiences" => r(JwtFn::Audiences, Type::Array(Elem::String)),
        "ExpirationTime" => r(JwtFn::ExpirationTime, Type::DateTime),
        "NotBefore" => r(JwtFn::NotBefore, Type::DateTime),
        "IssuedAt" => r(JwtFn::IssuedAt, Type::DateTime),
        "Algorithm" => r(JwtFn::Algorithm, Type::String),
        "Type" => r(JwtFn::Type, Type::String),
        _ => Ok(None),
    }
}

/// `Basic base64(user:password)` (the scheme prefix is optional, as in APIM).
fn parse_basic(s: &str) -> Option<Value> {
    use base64::engine::general_purpose::STANDARD;
    let t = s.trim();
    let t = t
        .strip_prefix("Basic ")
        .or_else(|| t.strip_prefix("basic "))
        .unwrap_or(t)
        .trim();
    let raw = STANDARD.decode(t).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (u, p) = text.split_once(':')?;
    Some(Value::Array(Arc::from([Value::str(u), Value::str(p)])))
}

fn jwt_of(v: &Value) -> Result<&Arc<Jwt>, EvalError> {
    match v {
        Value::Jwt(j) | Value::Handle(crate::value::Handle(Obj::Claims(j))) => Ok(j),
        Value::Null => Err(EvalError::null_ref()),
        other => Err(EvalError::invalid_cast(other.type_name(), "Jwt")),
    }
}

fn opt_str(s: Option<String>) -> Value {
    s.map_or(Value::Null, str_val)
}

pub(crate) fn call(f: JwtFn, recv: &Value, args: &[Value]) -> Result<Value, EvalError> {
    let arg = |i: usize| args.get(i).unwrap_or(&Value::Null);
    if f == JwtFn::AsJwt {
        return Ok(Jwt::parse(a_str(recv)?).map_or(Value::Null, |j| Value::Jwt(Arc::new(j))));
    }
    match f {
        JwtFn::AsBasic => return Ok(parse_basic(a_str(recv)?).unwrap_or(Value::Null)),
        JwtFn::TryParseBasic => {
            let b = parse_basic(a_str(recv)?);
            return Ok(Value::Array(Arc::from([
                Value::Bool(b.is_some()),
                b.unwrap_or(Value::Null),
            ])));
        }
        JwtFn::BasicUser | JwtFn::BasicPassword => {
            return match recv {
                Value::Array(pair) if pair.len() == 2 => {
                    Ok(pair[usize::from(f == JwtFn::BasicPassword)].clone())
                }
                Value::Null => Err(EvalError::null_ref()),
                other => Err(EvalError::invalid_cast(
                    other.type_name(),
                    "BasicAuthCredentials",
                )),
            };
        }
        _ => {}
    }
    if f == JwtFn::TryParseJwt {
        let parsed = Jwt::parse(a_str(recv)?);
        let ok = parsed.is_some();
        let out = parsed.map_or(Value::Null, |j| Value::Jwt(Arc::new(j)));
        return Ok(Value::Array(Arc::from([Value::Bool(ok), out])));
    }
    let jwt = jwt_of(recv)?;
    let dt = |d: Option<super::datetime::DateTime>| d.map_or(Value::Null, Value::DateTime);
    Ok(match f {
        JwtFn::Claims => Value::obj(Obj::Claims(jwt.clone())),
        JwtFn::ClaimsIndex => {
            let k = a_str(arg(0))?;
            Value::Array(jwt.claim(k).ok_or_else(|| EvalError::key_not_found(k))?)
        }
        JwtFn::ClaimsGet => {
            let k = a_str(arg(0))?;
            match jwt.claim(k) {
                Some(vals) => str_val(
                    vals.iter()
                        .map(Value::to_dotnet_string)
                        .collect::<Vec<_>>()
                        .join(","),
                ),
                None => a_opt_str(arg(1))?.map_or(Value::Null, str_val),
            }
        }
        JwtFn::ClaimsContainsKey => Value::Bool(jwt.claim(a_str(arg(0))?).is_some()),
        JwtFn::ClaimsKeys => Value::Array(jwt.claim_names().map(Value::str).collect()),
        JwtFn::ClaimsCount => Value::Int(i64::try_from(jwt.claim_names().count()).unwrap_or(0)),
        JwtFn::Subject => opt_str(jwt.claim_str("sub")),
        JwtFn::Issuer => opt_str(jwt.claim_str("iss")),
        JwtFn::Id => opt_str(jwt.claim_str("jti")),
        JwtFn::Audiences => Value::Array(jwt.audiences().iter().map(|s| Value::str(s)).collect()),
        JwtFn::ExpirationTime => dt(jwt.time_claim("exp")),
        JwtFn::NotBefore => dt(jwt.time_claim("nbf")),
        JwtFn::IssuedAt => dt(jwt.time_claim("iat")),
        JwtFn::Algorithm => opt_str(jwt.header_str("alg").map(str::to_string)),
        JwtFn::Type => opt_str(jwt.header_str("typ").map(str::to_string)),
        _ => Value::Null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn token(claims: &serde_json::Value) -> String {
        let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
        let p = URL_SAFE_NO_PAD.encode(claims.to_string());
        format!("{h}.{p}.c2ln")
    }

    #[test]
    fn decodes_claims() {
        let t = token(
            &serde_json::json!({"tid":"t1","roles":["a","b"],"exp":1700000000,"aud":"api://x"}),
        );
        let jwt = Jwt::parse(&format!("Bearer {t}")).unwrap();
        assert_eq!(jwt.claim("tid").unwrap().len(), 1);
        assert_eq!(jwt.claim("roles").unwrap().len(), 2);
        assert_eq!(jwt.audiences(), vec!["api://x".to_string()]);
        assert_eq!(jwt.time_claim("exp").unwrap().unix_seconds(), 1_700_000_000);
        assert_eq!(jwt.header_str("alg"), Some("RS256"));
    }

    #[test]
    fn rejects_garbage() {
        assert!(Jwt::parse("abc").is_none());
        assert!(Jwt::parse("a.b.c").is_none());
        assert!(Jwt::parse("").is_none());
    }
}
