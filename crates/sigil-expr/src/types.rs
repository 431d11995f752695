//! Static types for the load-time check. `Object` is C#'s `object` (what `context.Variables[..]`
//! returns); the JSON types are treated as one family with a kind for messages and casts.

use std::fmt;

use crate::context::{CtxObj, Message, UrlKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Type {
    Object,
    Null,
    Void,
    Bool,
    Int,
    Double,
    Char,
    String,
    Json(JKind),
    JProperty,
    Jwt,
    Basic,
    Claims,
    DateTime,
    TimeSpan,
    Guid,
    Bytes,
    Array(Elem),
    Response,
    RespHeaders,
    RespBody,
    Ctx(CtxObj),
    Match,
    Groups,
    Group,
    KeyValue,
    Enum(EnumKind),
    Encoding,
    Culture,
    Lambda,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JKind {
    Token,
    Object,
    Array,
    Value,
}

/// Element types of arrays and LINQ sequences.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Elem {
    Object,
    String,
    Char,
    Int,
    Double,
    Bool,
    Json,
    JProperty,
    KeyValue,
    DateTime,
    Guid,
}

/// Types usable as static receivers (`String.Join`, `Regex.IsMatch` ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    String,
    Regex,
    DateTime,
    TimeSpan,
    Convert,
    Encoding,
    Guid,
    Math,
    JObject,
    JArray,
    JToken,
    JValue,
    JProperty,
    JsonConvert,
    Int,
    Long,
    Double,
    Bool,
    Char,
    Uri,
    WebUtility,
    CultureInfo,
    Enumerable,
    Object,
    Enum(EnumKind),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EnumKind {
    StringComparison,
    RegexOptions,
    Formatting,
    StringSplitOptions,
    DateTimeKind,
}

// === impl Type ===

impl Type {
    pub(crate) fn is_numeric(self) -> bool {
        matches!(self, Self::Int | Self::Double)
    }

    pub(crate) fn is_json(self) -> bool {
        matches!(self, Self::Json(_))
    }

    /// Value types can't hold null (`int`, `bool`, `DateTime` ...).
    pub(crate) fn is_value_type(self) -> bool {
        matches!(
            self,
            Self::Bool
                | Self::Int
                | Self::Double
                | Self::Char
                | Self::DateTime
                | Self::TimeSpan
                | Self::Guid
                | Self::Enum(_)
        )
    }

    pub(crate) fn elem(e: Elem) -> Self {
        match e {
            Elem::Object => Self::Object,
            Elem::String => Self::String,
            Elem::Char => Self::Char,
            Elem::Int => Self::Int,
            Elem::Double => Self::Double,
            Elem::Bool => Self::Bool,
            Elem::Json => Self::Json(JKind::Token),
            Elem::JProperty => Self::JProperty,
            Elem::KeyValue => Self::KeyValue,
            Elem::DateTime => Self::DateTime,
            Elem::Guid => Self::Guid,
        }
    }

    pub(crate) fn to_elem(self) -> Elem {
        match self {
            Self::String => Elem::String,
            Self::Char => Elem::Char,
            Self::Int => Elem::Int,
            Self::Double => Elem::Double,
            Self::Bool => Elem::Bool,
            Self::Json(_) => Elem::Json,
            Self::JProperty => Elem::JProperty,
            Self::KeyValue => Elem::KeyValue,
            Self::DateTime => Elem::DateTime,
            Self::Guid => Elem::Guid,
            _ => Elem::Object,
        }
    }

    /// The element type when this can be enumerated (foreach, LINQ).
    pub(crate) fn seq_elem(self) -> Option<Elem> {
        Some(match self {
            Self::Array(e) => e,
            Self::Json(JKind::Array | JKind::Token) => Elem::Json,
            Self::Json(JKind::Object) => Elem::JProperty,
            Self::String => Elem::Char,
            Self::Claims | Self::Ctx(CtxObj::Headers(_) | CtxObj::Query(_)) | Self::RespHeaders => {
                Elem::KeyValue
            }
            Self::Groups => Elem::Object,
            // Groups enumerate as `Group` values; typed loosely as object.
            _ => return None,
        })
    }

    /// Implicit conversion from `self` to `to`, as C# allows.
    pub(crate) fn fits(self, to: Self) -> bool {
        if self == to || to == Self::Object {
            return true;
        }
        match (self, to) {
            (Self::Null, t) => !t.is_value_type(),
            (Self::Int, Self::Double) | (Self::Char, Self::Int | Self::Double) => true,
            // Newtonsoft's implicit conversions to JToken.
            (
                Self::String
                | Self::Int
                | Self::Double
                | Self::Bool
                | Self::DateTime
                | Self::Guid
                | Self::TimeSpan
                | Self::Json(_)
                | Self::JProperty,
                Self::Json(JKind::Token | JKind::Value),
            ) => true,
            (Self::Array(_), Self::Array(Elem::Object)) => true,
            _ => false,
        }
    }

    /// Parses a C# type name as written in casts, generics and declarations.
    pub(crate) fn from_name(name: &str, array: u8) -> Option<Self> {
        let base = strip_namespace(name);
        let t = match base {
            "string" | "String" => Self::String,
            "int" | "Int32" | "long" | "Int64" | "short" | "Int16" | "byte" | "Byte" | "uint"
            | "ulong" | "ushort" | "sbyte" => {
                if array > 0 && matches!(base, "byte" | "Byte") {
                    return (array == 1).then_some(Self::Bytes);
                }
                Self::Int
            }
            "bool" | "Boolean" => Self::Bool,
            "double" | "Double" | "float" | "Single" | "decimal" | "Decimal" => Self::Double,
            "char" | "Char" => Self::Char,
            "object" | "Object" => Self::Object,
            "JToken" => Self::Json(JKind::Token),
            "JObject" => Self::Json(JKind::Object),
            "JArray" => Self::Json(JKind::Array),
            "JValue" => Self::Json(JKind::Value),
            "JProperty" => Self::JProperty,
            "Jwt" => Self::Jwt,
            "BasicAuthCredentials" => Self::Basic,
            "DateTime" => Self::DateTime,
            "TimeSpan" => Self::TimeSpan,
            "Guid" => Self::Guid,
            "IResponse" => Self::Response,
            _ => return None,
        };
        match array {
            0 => Some(t),
            1 => Some(Self::Array(t.to_elem())),
            _ => None,
        }
    }
}

/// `System.Text.Encoding` → `Encoding`, `Newtonsoft.Json.Linq.JObject` → `JObject`.
pub(crate) fn strip_namespace(name: &str) -> &str {
    const PREFIXES: &[&str] = &[
        "System.Text.RegularExpressions.",
        "System.Text.",
        "System.Net.",
        "System.Linq.",
        "System.Globalization.",
        "System.",
        "Newtonsoft.Json.Linq.",
        "Newtonsoft.Json.",
    ];
    for p in PREFIXES {
        if let Some(rest) = name.strip_prefix(p) {
            return rest;
        }
    }
    name
}

pub(crate) fn class_from_name(name: &str) -> Option<Class> {
    Some(match strip_namespace(name) {
        "string" | "String" => Class::String,
        "Regex" => Class::Regex,
        "DateTime" => Class::DateTime,
        "TimeSpan" => Class::TimeSpan,
        "Convert" => Class::Convert,
        "Encoding" => Class::Encoding,
        "Guid" => Class::Guid,
        "Math" => Class::Math,
        "JObject" => Class::JObject,
        "JArray" => Class::JArray,
        "JToken" => Class::JToken,
        "JValue" => Class::JValue,
        "JProperty" => Class::JProperty,
        "JsonConvert" => Class::JsonConvert,
        "int" | "Int32" | "short" | "Int16" | "byte" | "Byte" => Class::Int,
        "long" | "Int64" => Class::Long,
        "double" | "Double" | "decimal" | "Decimal" | "float" | "Single" => Class::Double,
        "bool" | "Boolean" => Class::Bool,
        "char" | "Char" => Class::Char,
        "Uri" => Class::Uri,
        "WebUtility" => Class::WebUtility,
        "CultureInfo" => Class::CultureInfo,
        "Enumerable" => Class::Enumerable,
        "object" | "Object" => Class::Object,
        other => Class::Enum(enum_from_name(other)?),
    })
}

pub(crate) fn enum_from_name(name: &str) -> Option<EnumKind> {
    Some(match strip_namespace(name) {
        "StringComparison" => EnumKind::StringComparison,
        "RegexOptions" => EnumKind::RegexOptions,
        "Formatting" => EnumKind::Formatting,
        "StringSplitOptions" => EnumKind::StringSplitOptions,
        "DateTimeKind" => EnumKind::DateTimeKind,
        _ => return None,
    })
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Self::Object => "object",
            Self::Null => "null",
            Self::Void => "void",
            Self::Bool => "bool",
            Self::Int => "int",
            Self::Double => "double",
            Self::Char => "char",
            Self::String => "string",
            Self::Json(JKind::Token) => "JToken",
            Self::Json(JKind::Object) => "JObject",
            Self::Json(JKind::Array) => "JArray",
            Self::Json(JKind::Value) => "JValue",
            Self::JProperty => "JProperty",
            Self::Jwt => "Jwt",
            Self::Basic => "BasicAuthCredentials",
            Self::Claims => "IReadOnlyDictionary<string, string[]>",
            Self::DateTime => "DateTime",
            Self::TimeSpan => "TimeSpan",
            Self::Guid => "Guid",
            Self::Bytes => "byte[]",
            Self::Array(e) => return write!(f, "{}[]", Type::elem(*e)),
            Self::Response => "IResponse",
            Self::RespHeaders => "IReadOnlyDictionary<string, string[]>",
            Self::RespBody => "IMessageBody",
            Self::Ctx(c) => ctx_name(*c),
            Self::Match => "Match",
            Self::Groups => "GroupCollection",
            Self::Group => "Group",
            Self::KeyValue => "KeyValuePair<string, string[]>",
            Self::Enum(e) => return write!(f, "{e:?}"),
            Self::Encoding => "Encoding",
            Self::Culture => "CultureInfo",
            Self::Lambda => "lambda expression",
        };
        f.write_str(s)
    }
}

/// APIM's interface names, as its documentation spells them.
pub(crate) fn ctx_name(c: CtxObj) -> &'static str {
    match c {
        CtxObj::Context => "IProxyRequestContext",
        CtxObj::Request => "IRequest",
        CtxObj::Response => "IResponse",
        CtxObj::Url(UrlKind::Current | UrlKind::Original) => "IUrl",
        CtxObj::Query(_) => "IReadOnlyDictionary<string, string[]>",
        CtxObj::Headers(Message::Request | Message::Response) => {
            "IReadOnlyDictionary<string, string[]>"
        }
        CtxObj::Body(_) => "IMessageBody",
        CtxObj::MatchedParameters => "IReadOnlyDictionary<string, string>",
        CtxObj::Certificate => "X509Certificate2",
        CtxObj::Subscription => "ISubscription",
        CtxObj::Product => "IProduct",
        CtxObj::Api => "IApi",
        CtxObj::Operation => "IOperation",
        CtxObj::Variables => "IReadOnlyDictionary<string, object>",
        CtxObj::LastError => "ILastError",
        CtxObj::Deployment => "IDeployment",
        CtxObj::User => "IUser",
    }
}
