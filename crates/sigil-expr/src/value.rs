//! Runtime values. Every variant is cheap to clone (scalars or `Arc`s) so that locals, variables
//! handed in by the gateway and intermediate results never deep-copy per request.

use std::fmt::{self, Write as _};
use std::sync::Arc;

use bytes::Bytes;

use crate::builtins::datetime::{DateTime, TimeSpan};
use crate::builtins::jwt::Jwt;
use crate::builtins::regex::MatchData;
use crate::context::CtxObj;

/// A value produced or consumed by an expression. `Json` covers Newtonsoft's `JToken` family
/// (`JObject`, `JArray`, `JValue`).
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub enum Value {
    /// C# `null`.
    #[default]
    Null,
    /// `bool`.
    Bool(bool),
    /// `int` / `long` (held as 64 bits; arithmetic wraps).
    Int(i64),
    /// `double` (and `decimal`/`float`, approximated).
    Double(f64),
    /// `char`.
    Char(char),
    /// `string`.
    String(Arc<str>),
    /// `JToken`, `JObject`, `JArray` or `JValue`.
    Json(Arc<serde_json::Value>),
    /// `JProperty`: a name and a value, used by `new JObject(new JProperty(..), ..)`.
    JProperty(Arc<(Arc<str>, serde_json::Value)>),
    /// APIM's `Jwt` (parsed, never validated), from `AsJwt()` or validate-jwt's output variable.
    Jwt(Arc<Jwt>),
    /// `System.DateTime` (always UTC here).
    DateTime(DateTime),
    /// `System.TimeSpan`.
    TimeSpan(TimeSpan),
    /// `System.Guid`.
    Guid(uuid::Uuid),
    /// `byte[]`.
    Bytes(Bytes),
    /// `string[]` and other arrays / LINQ sequences.
    Array(Arc<[Value]>),
    /// `IResponse` kept in a variable by `send-request`.
    Response(Arc<ResponseData>),
    /// Engine-internal objects (context navigation, regex matches, claim maps). Opaque outside.
    #[doc(hidden)]
    Handle(Handle),
}

/// A fully buffered HTTP response, as stored by `send-request` in `response-variable-name`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResponseData {
    /// `IResponse.StatusCode`.
    pub status_code: i64,
    /// `IResponse.StatusReason`.
    pub status_reason: String,
    /// Header name and value pairs, in order; lookups are case-insensitive.
    pub headers: Vec<(String, String)>,
    /// The body bytes. Reading them in an expression never consumes them.
    pub body: Bytes,
}

/// Opaque engine-internal object.
#[derive(Clone, Debug)]
pub struct Handle(pub(crate) Obj);

#[derive(Clone, Debug)]
pub(crate) enum Obj {
    Ctx(CtxObj),
    RespHeaders(Arc<ResponseData>),
    RespBody(Arc<ResponseData>),
    Claims(Arc<Jwt>),
    Match(Arc<MatchData>),
    Groups(Arc<MatchData>),
    Group(Arc<MatchData>, usize),
}

// === impl Value ===

impl Value {
    /// A string value.
    pub fn str(s: &str) -> Self {
        Self::String(Arc::from(s))
    }

    /// A JSON value (`JToken`).
    pub fn json(v: serde_json::Value) -> Self {
        Self::Json(Arc::new(v))
    }

    /// An array of strings (`string[]`).
    pub fn str_array<S: AsRef<str>>(items: &[S]) -> Self {
        Self::Array(items.iter().map(|s| Self::str(s.as_ref())).collect())
    }

    pub(crate) fn obj(o: Obj) -> Self {
        Self::Handle(Handle(o))
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// The string, if this is a `string`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The bool, if this is a `bool`.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The integer, if this is an `int`/`long`.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Self::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The .NET type name, used in error messages (`String`, `Int32`, `JObject` ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "Boolean",
            Self::Int(_) => "Int32",
            Self::Double(_) => "Double",
            Self::Char(_) => "Char",
            Self::String(_) => "String",
            Self::Json(j) => match &**j {
                serde_json::Value::Object(_) => "JObject",
                serde_json::Value::Array(_) => "JArray",
                _ => "JValue",
            },
            Self::JProperty(_) => "JProperty",
            Self::Jwt(_) => "Jwt",
            Self::DateTime(_) => "DateTime",
            Self::TimeSpan(_) => "TimeSpan",
            Self::Guid(_) => "Guid",
            Self::Bytes(_) => "Byte[]",
            Self::Array(_) => "Object[]",
            Self::Response(_) => "IResponse",
            Self::Handle(_) => "Object",
        }
    }

    /// The text .NET's `ToString()` would give (string concatenation and interpolation use this;
    /// `null` gives the empty string).
    pub fn to_dotnet_string(&self) -> String {
        let mut out = String::new();
        self.write_dotnet(&mut out);
        out
    }

    pub(crate) fn write_dotnet(&self, out: &mut String) {
        match self {
            Self::Null => {}
            Self::Bool(b) => out.push_str(if *b { "True" } else { "False" }),
            Self::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Self::Double(d) => out.push_str(&format_double(*d)),
            Self::Char(c) => out.push(*c),
            Self::String(s) => out.push_str(s),
            Self::Json(j) => out.push_str(&crate::builtins::json::token_to_string(j)),
            Self::JProperty(p) => {
                let _ = write!(
                    out,
                    "{}: {}",
                    serde_json::Value::String(p.0.to_string()),
                    crate::builtins::json::pretty(&p.1)
                );
            }
            Self::Jwt(_) => out.push_str(
                "Microsoft.WindowsAzure.ApiManagement.Proxy.Gateway.Policies.Expressions.Jwt",
            ),
            Self::DateTime(d) => out.push_str(&d.to_default_string()),
            Self::TimeSpan(t) => out.push_str(&t.to_string()),
            Self::Guid(g) => {
                let _ = write!(out, "{}", g.hyphenated());
            }
            Self::Bytes(_) => out.push_str("System.Byte[]"),
            Self::Array(items) => {
                if items.iter().all(|v| matches!(v, Self::String(_))) {
                    out.push_str("System.String[]");
                } else {
                    out.push_str("System.Object[]");
                }
            }
            Self::Response(_) => out.push_str(
                "Microsoft.WindowsAzure.ApiManagement.Proxy.Gateway.Policies.Expressions.IResponse",
            ),
            Self::Handle(Handle(o)) => match o {
                Obj::Group(m, i) => out.push_str(m.group_text(*i)),
                Obj::Match(m) => out.push_str(m.group_text(0)),
                _ => out.push_str("System.Object"),
            },
        }
    }
}

/// .NET Core 3.0+ `double.ToString()`: shortest round-trip, `E+XX` exponent for large/small.
pub(crate) fn format_double(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "∞".into() } else { "-∞".into() };
    }
    let abs = d.abs();
    if abs != 0.0 && !(1e-5..1e15).contains(&abs) {
        // Rust gives "1e20"; .NET gives "1E+20".
        let s = format!("{d:e}");
        if let Some((m, e)) = s.split_once('e') {
            let (sign, digits) = e.strip_prefix('-').map_or(("+", e), |rest| ("-", rest));
            return format!("{m}E{sign}{digits:0>2}");
        }
        return s;
    }
    format!("{d}")
}

impl PartialEq for Value {
    /// Value equality as `object.Equals` would give for these types (strings by content).
    fn eq(&self, other: &Self) -> bool {
        crate::eval::ops::values_equal(self, other)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Self::str(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Self::String(Arc::from(s))
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Self::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Self::Int(i)
    }
}

impl From<f64> for Value {
    fn from(d: f64) -> Self {
        Self::Double(d)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_dotnet_string())
    }
}

// === impl ResponseData ===

impl ResponseData {
    /// The first header value for `name` (case-insensitive), values of repeated headers joined by
    /// a comma as APIM's `GetValueOrDefault` does.
    pub fn header(&self, name: &str) -> Option<String> {
        let mut found: Option<String> = None;
        for (k, v) in &self.headers {
            if k.eq_ignore_ascii_case(name) {
                match &mut found {
                    Some(s) => {
                        s.push(',');
                        s.push_str(v);
                    }
                    None => found = Some(v.clone()),
                }
            }
        }
        found
    }
}
