//! Newtonsoft.Json's `JToken` family on `serde_json::Value` (with `preserve_order`, so property
//! order survives as it does in Newtonsoft). A missing property reads as C# `null`; a present
//! JSON `null` is a `JValue`, as in Newtonsoft.

use std::sync::Arc;

use serde_json::{Map, Value as J};

use super::{Builtin, ResolveResult, Site, a_int, a_str, ok, str_val};
use crate::error::EvalError;
use crate::types::{Class, Elem, EnumKind, JKind, Type};
use crate::value::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JsonFn {
    Parse(JKind),
    FromObject,
    Serialize,
    SerializeFmt,
    Deserialize,
    /// `token[key]`.
    Index,
    /// `Value<T>(key)` / `Value<T>()`.
    ValueOf(Type),
    ValueOfSelf(Type),
    ToString,
    ToStringFmt,
    Count,
    HasValues,
    Property,
    Properties,
    Children,
    SelectToken,
    ContainsKey,
    GetValue,
    First,
    Last,
    TypeName,
    PropName,
    PropValue,
}

impl JsonFn {
    pub(crate) fn is_static(self) -> bool {
        matches!(
            self,
            Self::Parse(_)
                | Self::FromObject
                | Self::Serialize
                | Self::SerializeFmt
                | Self::Deserialize
        )
    }
}

const TOKEN: Type = Type::Json(JKind::Token);
const FMT: Type = Type::Enum(EnumKind::Formatting);

pub(crate) fn resolve_static(c: Class, site: &Site<'_>) -> ResolveResult {
    let r = |f: JsonFn, t: Type| ok(Builtin::Json(f), t);
    let s = site;
    match (c, s.name) {
        (Class::JObject, "Parse") if s.is_call("Parse", &[Type::String]) => {
            r(JsonFn::Parse(JKind::Object), Type::Json(JKind::Object))
        }
        (Class::JArray, "Parse") if s.is_call("Parse", &[Type::String]) => {
            r(JsonFn::Parse(JKind::Array), Type::Json(JKind::Array))
        }
        (Class::JToken, "Parse") if s.is_call("Parse", &[Type::String]) => {
            r(JsonFn::Parse(JKind::Token), TOKEN)
        }
        (Class::JObject | Class::JToken | Class::JArray, "FromObject")
            if s.is_call("FromObject", &[Type::Object]) =>
        {
            let t = match c {
                Class::JObject => Type::Json(JKind::Object),
                Class::JArray => Type::Json(JKind::Array),
                _ => TOKEN,
            };
            r(JsonFn::FromObject, t)
        }
        (Class::JsonConvert, "SerializeObject")
            if s.is_call("SerializeObject", &[Type::Object]) =>
        {
            r(JsonFn::Serialize, Type::String)
        }
        (Class::JsonConvert, "SerializeObject")
            if s.is_call("SerializeObject", &[Type::Object, FMT]) =>
        {
            r(JsonFn::SerializeFmt, Type::String)
        }
        (Class::JsonConvert, "DeserializeObject")
            if s.args
                .is_some_and(|a| a.len() == 1 && a[0].fits(Type::String)) =>
        {
            let t = match s.targs {
                [] => TOKEN,
                [t @ Type::Json(_)] => *t,
                [other] => {
                    return Err(format!(
                        "unsupported member 'JsonConvert.DeserializeObject<{other}>' (only JToken, JObject and JArray)"
                    ));
                }
                _ => return Ok(None),
            };
            // Generic args were checked above; the site guard does not look at them.
            Ok(Some(super::Resolved {
                f: Builtin::Json(JsonFn::Deserialize),
                ty: t,
                out: None,
            }))
        }
        _ => Ok(None),
    }
}

pub(crate) fn resolve_instance(recv: Type, site: &Site<'_>) -> ResolveResult {
    let r = |f: JsonFn, t: Type| ok(Builtin::Json(f), t);
    let s = site;
    if recv == Type::JProperty {
        return match s.name {
            "Name" if s.args.is_none() => r(JsonFn::PropName, Type::String),
            "Value" if s.args.is_none() => r(JsonFn::PropValue, TOKEN),
            "ToString" if s.is_call("ToString", &[]) => r(JsonFn::ToString, Type::String),
            _ => Ok(None),
        };
    }
    match s.name {
        "Value" if s.args.is_some() => {
            let [t] = s.targs else {
                return Err("Value<T>() needs one type argument".into());
            };
            let t = *t;
            if !matches!(
                t,
                Type::String
                    | Type::Int
                    | Type::Double
                    | Type::Bool
                    | Type::DateTime
                    | Type::Guid
                    | Type::Json(_)
            ) {
                return Err(format!("unsupported member 'JToken.Value<{t}>'"));
            }
            match s.args.map(<[Type]>::len) {
                Some(1)
                    if s.args.is_some_and(|a| {
                        a[0].fits(Type::String) || a[0].fits(Type::Int) || a[0] == Type::Object
                    }) =>
                {
                    Ok(Some(super::Resolved {
                        f: Builtin::Json(JsonFn::ValueOf(t)),
                        ty: t,
                        out: None,
                    }))
                }
                Some(0) => Ok(Some(super::Resolved {
                    f: Builtin::Json(JsonFn::ValueOfSelf(t)),
                    ty: t,
                    out: None,
                })),
                _ => Err("Value<T> takes zero or one key argument".into()),
            }
        }
        "ToString" if s.is_call("ToString", &[]) => r(JsonFn::ToString, Type::String),
        "ToString" if s.is_call("ToString", &[FMT]) => r(JsonFn::ToStringFmt, Type::String),
        "Count" if s.args.is_none() => r(JsonFn::Count, Type::Int),
        "HasValues" if s.args.is_none() => r(JsonFn::HasValues, Type::Bool),
        "Type" if s.args.is_none() => r(JsonFn::TypeName, Type::String),
        "Property" if s.is_call("Property", &[Type::String]) => {
            r(JsonFn::Property, Type::JProperty)
        }
        "Properties" if s.is_call("Properties", &[]) => {
            r(JsonFn::Properties, Type::Array(Elem::JProperty))
        }
        "Children" if s.is_call("Children", &[]) => r(JsonFn::Children, Type::Array(Elem::Json)),
        "SelectToken" if s.is_call("SelectToken", &[Type::String]) => r(JsonFn::SelectToken, TOKEN),
        "ContainsKey" if s.is_call("ContainsKey", &[Type::String]) => {
            r(JsonFn::ContainsKey, Type::Bool)
        }
        "GetValue" if s.is_call("GetValue", &[Type::String]) => r(JsonFn::GetValue, TOKEN),
        "First" if s.args.is_none() => r(JsonFn::First, TOKEN),
        "Last" if s.args.is_none() => r(JsonFn::Last, TOKEN),
        _ => Ok(None),
    }
}

/// `JToken.ToString()`: indented JSON for containers, raw text for values.
pub(crate) fn token_to_string(j: &J) -> String {
    match j {
        J::Object(_) | J::Array(_) => pretty(j),
        J::String(s) => s.clone(),
        J::Bool(b) => if *b { "True" } else { "False" }.to_string(),
        J::Null => String::new(),
        J::Number(n) => n.to_string(),
    }
}

pub(crate) fn pretty(j: &J) -> String {
    serde_json::to_string_pretty(j).unwrap_or_default()
}

fn compact(j: &J) -> String {
    serde_json::to_string(j).unwrap_or_default()
}

fn parse_err(e: &serde_json::Error) -> EvalError {
    EvalError::new("JsonReaderException", format!("{e}"))
}

pub(crate) fn parse(s: &str, kind: JKind) -> Result<J, EvalError> {
    let j: J = serde_json::from_str(s).map_err(|e| parse_err(&e))?;
    match (kind, &j) {
        (JKind::Object, J::Object(_))
        | (JKind::Array, J::Array(_))
        | (JKind::Token | JKind::Value, _) => Ok(j),
        (JKind::Object, _) => Err(EvalError::new(
            "JsonReaderException",
            "Error reading JObject from JsonReader. Current JsonReader item is not an object.",
        )),
        (JKind::Array, _) => Err(EvalError::new(
            "JsonReaderException",
            "Error reading JArray from JsonReader. Current JsonReader item is not an array.",
        )),
    }
}

/// Implicit conversion of a value to a `JToken` (what `new JProperty(name, value)`, `obj[k] = v`
/// and `JArray.Add(v)` do).
pub(crate) fn to_json(v: &Value) -> Result<J, EvalError> {
    Ok(match v {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Double(d) => serde_json::Number::from_f64(*d).map_or(J::Null, J::Number),
        Value::Char(c) => J::String(c.to_string()),
        Value::String(s) => J::String(s.to_string()),
        Value::Json(j) => (**j).clone(),
        Value::JProperty(p) => {
            let mut m = Map::new();
            m.insert(p.0.to_string(), p.1.clone());
            J::Object(m)
        }
        Value::DateTime(d) => J::String(d.format("yyyy-MM-ddTHH:mm:ss.FFFFFFFK")),
        Value::TimeSpan(t) => J::String(t.to_string()),
        Value::Guid(g) => J::String(g.hyphenated().to_string()),
        Value::Bytes(b) => {
            use base64::Engine as _;
            J::String(base64::engine::general_purpose::STANDARD.encode(b))
        }
        Value::Array(items) => J::Array(items.iter().map(to_json).collect::<Result<_, _>>()?),
        other => {
            return Err(EvalError::argument(format!(
                "Could not determine JSON object type for type {}.",
                other.type_name()
            )));
        }
    })
}

/// `(T)token` / `Value<T>()`: explicit conversion of a JSON token to a CLR type.
pub(crate) fn json_to(j: &J, t: Type) -> Result<Value, EvalError> {
    let cast =
        |to: &str| EvalError::argument(format!("Can not convert {} to {to}.", json_kind_name(j)));
    Ok(match t {
        Type::Json(_) | Type::Object => Value::json(j.clone()),
        _ if j.is_null() => {
            if t.is_value_type() {
                return Err(cast(&t.to_string()));
            }
            Value::Null
        }
        Type::String => match j {
            J::String(s) => str_val(s.as_str()),
            J::Object(_) | J::Array(_) => return Err(cast("String")),
            other => str_val(token_to_string(other)),
        },
        Type::Int => match j {
            J::Number(n) => Value::Int(
                n.as_i64()
                    .or_else(|| {
                        n.as_f64()
                            .filter(|f| f.is_finite())
                            .map(|f| f.round() as i64)
                    })
                    .ok_or_else(|| cast("Int32"))?,
            ),
            J::String(s) => Value::Int(
                s.trim()
                    .parse()
                    .map_err(|_| EvalError::format("Input string was not in a correct format."))?,
            ),
            J::Bool(b) => Value::Int(i64::from(*b)),
            _ => return Err(cast("Int32")),
        },
        Type::Double => match j {
            J::Number(n) => Value::Double(n.as_f64().unwrap_or(0.0)),
            J::String(s) => Value::Double(
                s.trim()
                    .parse()
                    .map_err(|_| EvalError::format("Input string was not in a correct format."))?,
            ),
            _ => return Err(cast("Double")),
        },
        Type::Bool => match j {
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => Value::Bool(n.as_f64().is_some_and(|f| f != 0.0)),
            J::String(s) if s.eq_ignore_ascii_case("true") => Value::Bool(true),
            J::String(s) if s.eq_ignore_ascii_case("false") => Value::Bool(false),
            _ => return Err(cast("Boolean")),
        },
        Type::DateTime => match j {
            J::String(s) => Value::DateTime(
                super::datetime::DateTime::parse(s).ok_or_else(|| cast("DateTime"))?,
            ),
            _ => return Err(cast("DateTime")),
        },
        Type::Guid => match j {
            J::String(s) => Value::Guid(uuid::Uuid::parse_str(s).map_err(|_| cast("Guid"))?),
            _ => return Err(cast("Guid")),
        },
        other => return Err(cast(&other.to_string())),
    })
}

fn json_kind_name(j: &J) -> &'static str {
    match j {
        J::Object(_) => "Object",
        J::Array(_) => "Array",
        J::String(_) => "String",
        J::Number(n) if n.is_f64() => "Float",
        J::Number(_) => "Integer",
        J::Bool(_) => "Boolean",
        J::Null => "Null",
    }
}

/// `token[key]` on a JSON value.
pub(crate) fn index(j: &J, key: &Value) -> Result<Value, EvalError> {
    match (j, key) {
        (J::Object(m), Value::String(k)) => Ok(m.get(&**k).map_or(Value::Null, |v| Value::json(v.clone()))),
        (J::Array(a), Value::Int(i)) => usize::try_from(*i)
            .ok()
            .and_then(|i| a.get(i))
            .map(|v| Value::json(v.clone()))
            .ok_or_else(|| EvalError::out_of_range("Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'index')")),
        (J::Object(_), _) => Err(EvalError::argument("Accessed JObject values with invalid key value. Object property name expected.")),
        (J::Array(_), _) => Err(EvalError::argument("Accessed JArray values with invalid key value. Int32 array index expected.")),
        _ => Err(EvalError::invalid_op("Cannot access child value on Newtonsoft.Json.Linq.JValue.")),
    }
}

fn json_of(recv: &Value) -> Result<&J, EvalError> {
    match recv {
        Value::Json(j) => Ok(j),
        Value::Null => Err(EvalError::null_ref()),
        other => Err(EvalError::invalid_cast(other.type_name(), "JToken")),
    }
}

/// Minimal JSONPath for `SelectToken`: `$`, `.name`, `['name']`, `[n]`.
fn select_token<'a>(root: &'a J, path: &str) -> Result<Option<&'a J>, EvalError> {
    let bad = || {
        EvalError::new(
            "JsonException",
            format!("Unexpected character while parsing path: {path}"),
        )
    };
    let mut cur = root;
    let mut rest = path.trim();
    rest = rest.strip_prefix('$').unwrap_or(rest);
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            rest = r;
            continue;
        }
        if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']').ok_or_else(bad)?;
            let inner = r[..end].trim();
            rest = &r[end + 1..];
            let next = if let Some(q) = inner.strip_prefix('\'').and_then(|q| q.strip_suffix('\''))
            {
                cur.get(q)
            } else {
                let i: usize = inner.parse().map_err(|_| bad())?;
                cur.get(i)
            };
            match next {
                Some(n) => cur = n,
                None => return Ok(None),
            }
            continue;
        }
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        let name = &rest[..end];
        rest = &rest[end..];
        match cur.get(name) {
            Some(n) => cur = n,
            None => return Ok(None),
        }
    }
    Ok(Some(cur))
}

pub(crate) fn call(f: JsonFn, recv: &Value, args: &[Value]) -> Result<Value, EvalError> {
    let arg = |i: usize| args.get(i).unwrap_or(&Value::Null);
    Ok(match f {
        JsonFn::Parse(kind) => Value::json(parse(a_str(arg(0))?, kind)?),
        JsonFn::FromObject => Value::json(to_json(arg(0))?),
        JsonFn::Serialize | JsonFn::SerializeFmt => {
            let j = to_json(arg(0))?;
            let indented = f == JsonFn::SerializeFmt && a_int(arg(1))? == 1;
            str_val(if indented { pretty(&j) } else { compact(&j) })
        }
        JsonFn::Deserialize => match arg(0) {
            Value::Null => Value::Null,
            v => Value::json(parse(a_str(v)?, JKind::Token)?),
        },
        JsonFn::PropName => match recv {
            Value::JProperty(p) => Value::String(p.0.clone()),
            _ => return Err(EvalError::null_ref()),
        },
        JsonFn::PropValue => match recv {
            Value::JProperty(p) => Value::json(p.1.clone()),
            _ => return Err(EvalError::null_ref()),
        },
        JsonFn::ToString if matches!(recv, Value::JProperty(_)) => str_val(recv.to_dotnet_string()),
        JsonFn::Index => index(json_of(recv)?, arg(0))?,
        JsonFn::ValueOf(t) => match index(json_of(recv)?, arg(0))? {
            Value::Json(j) => json_to(&j, t)?,
            _ if t.is_value_type() => return Err(EvalError::null_ref()),
            _ => Value::Null,
        },
        JsonFn::ValueOfSelf(t) => json_to(json_of(recv)?, t)?,
        JsonFn::ToString => str_val(token_to_string(json_of(recv)?)),
        JsonFn::ToStringFmt => {
            let j = json_of(recv)?;
            str_val(if a_int(arg(0))? == 1 {
                pretty(j)
            } else {
                compact(j)
            })
        }
        JsonFn::Count => match json_of(recv)? {
            J::Object(m) => Value::Int(i64::try_from(m.len()).unwrap_or(i64::MAX)),
            J::Array(a) => Value::Int(i64::try_from(a.len()).unwrap_or(i64::MAX)),
            _ => Value::Int(0),
        },
        JsonFn::HasValues => Value::Bool(match json_of(recv)? {
            J::Object(m) => !m.is_empty(),
            J::Array(a) => !a.is_empty(),
            _ => false,
        }),
        JsonFn::TypeName => str_val(json_kind_name(json_of(recv)?)),
        JsonFn::Property => match json_of(recv)? {
            J::Object(m) => {
                let k = a_str(arg(0))?;
                m.get(k).map_or(Value::Null, |v| {
                    Value::JProperty(Arc::new((Arc::from(k), v.clone())))
                })
            }
            _ => return Err(EvalError::invalid_cast("JToken", "JObject")),
        },
        JsonFn::Properties | JsonFn::Children => match json_of(recv)? {
            J::Object(m) if f == JsonFn::Properties => Value::Array(
                m.iter()
                    .map(|(k, v)| Value::JProperty(Arc::new((Arc::from(k.as_str()), v.clone()))))
                    .collect(),
            ),
            J::Object(m) => Value::Array(m.values().map(|v| Value::json(v.clone())).collect()),
            J::Array(a) => Value::Array(a.iter().map(|v| Value::json(v.clone())).collect()),
            _ => Value::Array(Arc::from([])),
        },
        JsonFn::SelectToken => select_token(json_of(recv)?, a_str(arg(0))?)?
            .map_or(Value::Null, |j| Value::json(j.clone())),
        JsonFn::ContainsKey => {
            Value::Bool(matches!(json_of(recv)?, J::Object(m) if m.contains_key(a_str(arg(0))?)))
        }
        JsonFn::GetValue => index(json_of(recv)?, arg(0))?,
        JsonFn::First | JsonFn::Last => {
            let j = json_of(recv)?;
            let item = match j {
                J::Array(a) => if f == JsonFn::First {
                    a.first()
                } else {
                    a.last()
                }
                .map(|v| Value::json(v.clone())),
                J::Object(m) => {
                    let kv = if f == JsonFn::First {
                        m.iter().next()
                    } else {
                        m.iter().next_back()
                    };
                    kv.map(|(k, v)| Value::JProperty(Arc::new((Arc::from(k.as_str()), v.clone()))))
                }
                _ => {
                    return Err(EvalError::invalid_op(
                        "Cannot access child value on Newtonsoft.Json.Linq.JValue.",
                    ));
                }
            };
            item.unwrap_or(Value::Null)
        }
    })
}

/// Follows `path` (JSON keys) inside `root` for in-place mutation.
pub(crate) fn path_mut<'a>(root: &'a mut J, path: &[Value]) -> Result<&'a mut J, EvalError> {
    let mut cur = root;
    for key in path {
        cur = match (cur, key) {
            (J::Object(m), Value::String(k)) => m.get_mut(&**k).ok_or_else(EvalError::null_ref)?,
            (J::Array(a), Value::Int(i)) => {
                let len = a.len();
                usize::try_from(*i)
                    .ok()
                    .and_then(|i| a.get_mut(i))
                    .ok_or_else(|| {
                        EvalError::out_of_range(format!("Index was out of range ({i} of {len})."))
                    })?
            }
            _ => {
                return Err(EvalError::invalid_op(
                    "Cannot access child value on Newtonsoft.Json.Linq.JValue.",
                ));
            }
        };
    }
    Ok(cur)
}

/// `target[key] = value`.
pub(crate) fn set_index(target: &mut J, key: &Value, value: J) -> Result<(), EvalError> {
    match (target, key) {
        (J::Object(m), Value::String(k)) => {
            m.insert(k.to_string(), value);
            Ok(())
        }
        (J::Array(a), Value::Int(i)) => {
            let len = a.len();
            let slot = usize::try_from(*i)
                .ok()
                .and_then(|i| a.get_mut(i))
                .ok_or_else(|| {
                    EvalError::out_of_range(format!("Index was out of range ({i} of {len})."))
                })?;
            *slot = value;
            Ok(())
        }
        _ => Err(EvalError::argument(
            "Set JObject values with invalid key value. Object property name expected.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_string_forms() {
        let j: J = serde_json::json!({"a": [1, 2], "b": "x"});
        assert_eq!(
            token_to_string(&j),
            "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": \"x\"\n}"
        );
        assert_eq!(token_to_string(&J::String("x".into())), "x");
        assert_eq!(token_to_string(&J::Bool(true)), "True");
    }

    #[test]
    fn select_token_paths() {
        let j: J = serde_json::json!({"a": {"b": [{"c": 5}]}});
        assert_eq!(select_token(&j, "$.a.b[0].c").unwrap(), Some(&J::from(5)));
        assert_eq!(
            select_token(&j, "a['b'][0]").unwrap(),
            Some(&serde_json::json!({"c": 5}))
        );
        assert_eq!(select_token(&j, "x.y").unwrap(), None);
    }

    #[test]
    fn conversions() {
        assert_eq!(
            json_to(&J::from(5), Type::String).unwrap().as_str(),
            Some("5")
        );
        assert_eq!(
            json_to(&J::String("7".into()), Type::Int).unwrap().as_int(),
            Some(7)
        );
        assert!(json_to(&J::Null, Type::Int).is_err());
        assert!(json_to(&J::Null, Type::String).unwrap().is_null());
    }
}
