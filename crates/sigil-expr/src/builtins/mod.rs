//! .NET members available to expressions, grouped by receiver family. Each family has a
//! load-time `resolve` (name + argument types → member id and result type) and a per-request
//! `call` (member id + values → value). Anything a `resolve` does not know is a load-time error.

pub(crate) mod ctx;
pub(crate) mod datetime;
pub(crate) mod format;
pub(crate) mod json;
pub(crate) mod jwt;
pub(crate) mod misc;
pub(crate) mod regex;
pub(crate) mod string;
pub(crate) mod time_members;

use std::sync::Arc;

use crate::context::EvalContext;
use crate::error::EvalError;
use crate::types::{Class, Type};
use crate::value::{Handle, Obj, Value};

/// A resolved member.
#[derive(Clone, Debug)]
pub(crate) enum Builtin {
    Str(string::StrFn),
    Json(json::JsonFn),
    Jwt(jwt::JwtFn),
    Time(time_members::TimeFn),
    Regex(regex::RxFn, Option<Arc<fancy_regex::Regex>>),
    Ctx(ctx::CtxFn),
    Misc(misc::MiscFn),
}

/// Where a member is looked up.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Recv {
    Static(Class),
    Inst(Type),
}

/// A member use: name, argument types (None for a property read), generic arguments and the
/// values of constant arguments (so e.g. a constant regex pattern is compiled once at load).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Site<'a> {
    pub(crate) name: &'a str,
    pub(crate) args: Option<&'a [Type]>,
    pub(crate) targs: &'a [Type],
    pub(crate) consts: &'a [Option<Value>],
}

#[derive(Debug)]
pub(crate) struct Resolved {
    pub(crate) f: Builtin,
    pub(crate) ty: Type,
    /// Type of the `out` argument for `TryParse`-style members.
    pub(crate) out: Option<Type>,
}

pub(crate) type ResolveResult = Result<Option<Resolved>, String>;

impl Site<'_> {
    pub(crate) fn is_prop(&self, name: &str) -> bool {
        self.args.is_none() && self.name == name
    }

    /// A method call with exactly these parameter types (implicit conversions allowed).
    pub(crate) fn is_call(&self, name: &str, params: &[Type]) -> bool {
        self.name == name
            && self.targs.is_empty()
            && self.args.is_some_and(|a| {
                a.len() == params.len() && a.iter().zip(params).all(|(a, p)| a.fits(*p))
            })
    }

    /// A method call whose arguments all fit `p` (C# `params T[]`), at least `min` of them.
    pub(crate) fn is_variadic(&self, name: &str, min: usize, p: Type) -> bool {
        self.name == name
            && self
                .args
                .is_some_and(|a| a.len() >= min && a.iter().all(|t| t.fits(p)))
    }

    pub(crate) fn arity(&self) -> Option<usize> {
        self.args.map(<[Type]>::len)
    }
}

pub(crate) fn ok(f: Builtin, ty: Type) -> ResolveResult {
    Ok(Some(Resolved { f, ty, out: None }))
}

/// Resolves a member on a static class or an instance type.
pub(crate) fn resolve(recv: Recv, site: &Site<'_>) -> ResolveResult {
    match recv {
        Recv::Static(c) => match c {
            Class::String => string::resolve_static(site),
            Class::Regex => regex::resolve_static(site),
            Class::DateTime | Class::TimeSpan => time_members::resolve_static(c, site),
            Class::JObject
            | Class::JArray
            | Class::JToken
            | Class::JValue
            | Class::JProperty
            | Class::JsonConvert => json::resolve_static(c, site),
            _ => misc::resolve_static(c, site),
        },
        Recv::Inst(t) => match t {
            Type::String => match string::resolve_instance(t, site)? {
                Some(r) => Ok(Some(r)),
                None => match jwt::resolve_string(site)? {
                    Some(r) => Ok(Some(r)),
                    None => misc::resolve_instance(t, site),
                },
            },
            Type::Char => match string::resolve_instance(t, site)? {
                Some(r) => Ok(Some(r)),
                None => misc::resolve_instance(t, site),
            },
            Type::Json(_) | Type::JProperty => json::resolve_instance(t, site),
            Type::Jwt | Type::Claims | Type::Basic => jwt::resolve_instance(t, site),
            Type::DateTime | Type::TimeSpan => match time_members::resolve_instance(t, site)? {
                Some(r) => Ok(Some(r)),
                None => misc::resolve_instance(t, site),
            },
            Type::Match | Type::Groups | Type::Group => regex::resolve_instance(t, site),
            Type::Ctx(_) | Type::Response | Type::RespHeaders | Type::RespBody | Type::KeyValue => {
                ctx::resolve_instance(t, site)
            }
            _ => misc::resolve_instance(t, site),
        },
    }
}

/// Invokes a resolved member. `recv` is `Value::Null` for static members.
pub(crate) fn call(
    f: &Builtin,
    recv: &Value,
    args: &[Value],
    ctx: &dyn EvalContext,
) -> Result<Value, EvalError> {
    match f {
        Builtin::Str(s) => string::call(*s, recv, args),
        Builtin::Json(j) => json::call(*j, recv, args),
        Builtin::Jwt(j) => jwt::call(*j, recv, args),
        Builtin::Time(t) => time_members::call(*t, recv, args, ctx),
        Builtin::Regex(r, pre) => regex::call(*r, pre.as_deref(), recv, args),
        Builtin::Ctx(c) => ctx::call(*c, recv, args, ctx),
        Builtin::Misc(m) => misc::call(*m, recv, args, ctx),
    }
}

/// Whether the member is static (no receiver to null-check).
pub(crate) fn is_static(f: &Builtin) -> bool {
    match f {
        Builtin::Str(s) => s.is_static(),
        Builtin::Json(j) => j.is_static(),
        Builtin::Jwt(_) => false,
        Builtin::Time(t) => t.is_static(),
        Builtin::Regex(r, _) => r.is_static(),
        Builtin::Ctx(_) => false,
        Builtin::Misc(m) => m.is_static(),
    }
}

// --- argument accessors shared by the families ---

pub(crate) fn arg_null(name: &str) -> EvalError {
    EvalError::new(
        "ArgumentNullException",
        format!("Value cannot be null. (Parameter '{name}')"),
    )
}

pub(crate) fn a_str(v: &Value) -> Result<&str, EvalError> {
    match v {
        Value::String(s) => Ok(s),
        Value::Null => Err(arg_null("value")),
        other => Err(EvalError::invalid_cast(other.type_name(), "String")),
    }
}

pub(crate) fn a_opt_str(v: &Value) -> Result<Option<&str>, EvalError> {
    match v {
        Value::Null => Ok(None),
        other => a_str(other).map(Some),
    }
}

pub(crate) fn a_int(v: &Value) -> Result<i64, EvalError> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Char(c) => Ok(i64::from(u32::from(*c))),
        Value::Null => Err(EvalError::null_ref()),
        other => Err(EvalError::invalid_cast(other.type_name(), "Int32")),
    }
}

pub(crate) fn a_usize(v: &Value, what: &str) -> Result<usize, EvalError> {
    let i = a_int(v)?;
    usize::try_from(i).map_err(|_| {
        EvalError::out_of_range(format!("{what} must be non-negative. (Parameter '{what}')"))
    })
}

#[allow(clippy::cast_precision_loss)] // int → double is C#'s implicit conversion.
pub(crate) fn a_num(v: &Value) -> Result<f64, EvalError> {
    match v {
        Value::Double(d) => Ok(*d),
        Value::Int(i) => Ok(*i as f64),
        Value::Null => Err(EvalError::null_ref()),
        other => Err(EvalError::invalid_cast(other.type_name(), "Double")),
    }
}

pub(crate) fn a_bool(v: &Value) -> Result<bool, EvalError> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Null => Err(EvalError::null_ref()),
        other => Err(EvalError::invalid_cast(other.type_name(), "Boolean")),
    }
}

pub(crate) fn a_char(v: &Value) -> Result<char, EvalError> {
    match v {
        Value::Char(c) => Ok(*c),
        other => Err(EvalError::invalid_cast(other.type_name(), "Char")),
    }
}

/// Elements of a sequence value (array, JArray, string chars).
pub(crate) fn seq_items(v: &Value) -> Result<Vec<Value>, EvalError> {
    match v {
        Value::Array(a) => Ok(a.to_vec()),
        Value::Json(j) => match &**j {
            serde_json::Value::Array(items) => {
                Ok(items.iter().map(|i| Value::json(i.clone())).collect())
            }
            serde_json::Value::Object(m) => Ok(m
                .iter()
                .map(|(k, v)| Value::JProperty(Arc::new((Arc::from(k.as_str()), v.clone()))))
                .collect()),
            _ => Err(EvalError::invalid_op(
                "Cannot access child value on Newtonsoft.Json.Linq.JValue.",
            )),
        },
        Value::String(s) => Ok(s.chars().map(Value::Char).collect()),
        Value::Handle(Handle(Obj::Claims(jwt))) => Ok(jwt
            .claim_names()
            .map(|k| {
                Value::Array(Arc::from([
                    Value::str(k),
                    jwt.claim(k).map_or(Value::Null, Value::Array),
                ]))
            })
            .collect()),
        Value::Handle(Handle(Obj::Groups(m))) => Ok((0..m.groups.len())
            .map(|i| Value::obj(Obj::Group(m.clone(), i)))
            .collect()),
        Value::Null => Err(arg_null("source")),
        other => Err(EvalError::invalid_cast(other.type_name(), "IEnumerable")),
    }
}

pub(crate) fn str_val(s: impl Into<Arc<str>>) -> Value {
    Value::String(s.into())
}
