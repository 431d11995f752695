//! Operators and conversions on runtime values, following C# semantics (lifted operators on
//! null give null/false; int arithmetic wraps; int division by zero throws).

use std::cmp::Ordering;

use serde_json::Value as J;

use crate::builtins::datetime::TimeSpan;
use crate::builtins::json::json_to;
use crate::error::EvalError;
use crate::ir::{Arith, Cmp};
use crate::types::{Elem, JKind, Type};
use crate::value::{Handle, Obj, Value};

/// `object.Equals`-style equality. Strings compare by content; a JSON string value equals a
/// string with the same text (C# would compare references there, which is never what is meant).
pub(crate) fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Null, _) | (_, Value::Null) => false,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Char(x), Value::Char(y)) => x == y,
        (
            Value::Int(_) | Value::Double(_) | Value::Char(_),
            Value::Int(_) | Value::Double(_) | Value::Char(_),
        ) => num(a).zip(num(b)).is_some_and(|(x, y)| x == y),
        (Value::DateTime(x), Value::DateTime(y)) => x == y,
        (Value::TimeSpan(x), Value::TimeSpan(y)) => x == y,
        (Value::Guid(x), Value::Guid(y)) => x == y,
        (Value::Json(x), Value::Json(y)) => x == y,
        (Value::Json(j), Value::String(s)) | (Value::String(s), Value::Json(j)) => {
            j.as_str() == Some(&**s)
        }
        (Value::JProperty(x), Value::JProperty(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => std::sync::Arc::ptr_eq(x, y),
        (Value::Jwt(x), Value::Jwt(y)) => std::sync::Arc::ptr_eq(x, y),
        (Value::Response(x), Value::Response(y)) => std::sync::Arc::ptr_eq(x, y),
        (Value::Handle(Handle(Obj::Ctx(x))), Value::Handle(Handle(Obj::Ctx(y)))) => x == y,
        _ => false,
    }
}

#[allow(clippy::cast_precision_loss)]
fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Double(d) => Some(*d),
        Value::Char(c) => Some(f64::from(u32::from(*c))),
        _ => None,
    }
}

fn order(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::DateTime(x), Value::DateTime(y)) => Some(x.cmp(y)),
        (Value::TimeSpan(x), Value::TimeSpan(y)) => Some(x.cmp(y)),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => num(a)?.partial_cmp(&num(b)?),
    }
}

/// Ordering for OrderBy / Min / Max (nulls first, like .NET's default comparer).
pub(crate) fn sort_order(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        _ => order(a, b).unwrap_or(Ordering::Equal),
    }
}

pub(crate) fn compare(op: Cmp, a: &Value, b: &Value) -> Result<bool, EvalError> {
    Ok(match op {
        Cmp::Eq => values_equal(a, b),
        Cmp::Ne => !values_equal(a, b),
        _ => {
            // Lifted comparison: anything with null is false.
            if a.is_null() || b.is_null() {
                return Ok(false);
            }
            let Some(o) = order(a, b) else {
                return Err(EvalError::invalid_op(format!(
                    "Operator cannot be applied to operands of type '{}' and '{}'",
                    a.type_name(),
                    b.type_name()
                )));
            };
            match op {
                Cmp::Lt => o == Ordering::Less,
                Cmp::Gt => o == Ordering::Greater,
                Cmp::Le => o != Ordering::Greater,
                _ => o != Ordering::Less,
            }
        }
    })
}

pub(crate) fn arith(op: Arith, a: &Value, b: &Value) -> Result<Value, EvalError> {
    use Value as V;
    if a.is_null() || b.is_null() {
        return Ok(V::Null);
    }
    let int_of = |v: &Value| match v {
        V::Int(i) => Some(*i),
        V::Char(c) => Some(i64::from(u32::from(*c))),
        _ => None,
    };
    if let (Some(x), Some(y)) = (int_of(a), int_of(b)) {
        return Ok(V::Int(match op {
            Arith::Add => x.wrapping_add(y),
            Arith::Sub => x.wrapping_sub(y),
            Arith::Mul => x.wrapping_mul(y),
            Arith::Div | Arith::Rem if y == 0 => {
                return Err(EvalError::new(
                    "DivideByZeroException",
                    "Attempted to divide by zero.",
                ));
            }
            Arith::Div => x.wrapping_div(y),
            Arith::Rem => x.wrapping_rem(y),
            Arith::BitAnd => x & y,
            Arith::BitOr => x | y,
            Arith::BitXor => x ^ y,
        }));
    }
    match (op, a, b) {
        (Arith::BitAnd, V::Bool(x), V::Bool(y)) => return Ok(V::Bool(*x & *y)),
        (Arith::BitOr, V::Bool(x), V::Bool(y)) => return Ok(V::Bool(*x | *y)),
        (Arith::BitXor, V::Bool(x), V::Bool(y)) => return Ok(V::Bool(*x ^ *y)),
        (Arith::Add, V::DateTime(d), V::TimeSpan(t))
        | (Arith::Add, V::TimeSpan(t), V::DateTime(d)) => {
            return Ok(V::DateTime(d.add_ticks(t.ticks())?));
        }
        (Arith::Sub, V::DateTime(d), V::TimeSpan(t)) => {
            return Ok(V::DateTime(d.add_ticks(-t.ticks())?));
        }
        (Arith::Sub, V::DateTime(x), V::DateTime(y)) => {
            return Ok(V::TimeSpan(TimeSpan::from_ticks(x.ticks() - y.ticks())));
        }
        (Arith::Add, V::TimeSpan(x), V::TimeSpan(y)) => {
            return Ok(V::TimeSpan(TimeSpan::from_ticks(
                x.ticks().saturating_add(y.ticks()),
            )));
        }
        (Arith::Sub, V::TimeSpan(x), V::TimeSpan(y)) => {
            return Ok(V::TimeSpan(TimeSpan::from_ticks(
                x.ticks().saturating_sub(y.ticks()),
            )));
        }
        _ => {}
    }
    let (Some(x), Some(y)) = (num(a), num(b)) else {
        return Err(EvalError::invalid_op(format!(
            "Operator cannot be applied to operands of type '{}' and '{}'",
            a.type_name(),
            b.type_name()
        )));
    };
    Ok(V::Double(match op {
        Arith::Add => x + y,
        Arith::Sub => x - y,
        Arith::Mul => x * y,
        Arith::Div => x / y,
        Arith::Rem => x % y,
        _ => return Err(EvalError::invalid_op("bitwise operator on double")),
    }))
}

/// Whether `v`'s runtime type is `t` (for `is`, `as`).
pub(crate) fn matches_type(v: &Value, t: Type) -> bool {
    match (t, v) {
        (_, Value::Null) => false,
        (Type::Object, _) => true,
        (Type::String, Value::String(_))
        | (Type::Int, Value::Int(_))
        | (Type::Double, Value::Double(_))
        | (Type::Bool, Value::Bool(_))
        | (Type::Char, Value::Char(_))
        | (Type::Jwt, Value::Jwt(_))
        | (Type::DateTime, Value::DateTime(_))
        | (Type::TimeSpan, Value::TimeSpan(_))
        | (Type::Guid, Value::Guid(_))
        | (Type::Bytes, Value::Bytes(_))
        | (Type::Response, Value::Response(_))
        | (Type::JProperty, Value::JProperty(_))
        | (Type::Json(JKind::Token), Value::Json(_)) => true,
        (Type::Json(JKind::Object), Value::Json(j)) => j.is_object(),
        (Type::Json(JKind::Array), Value::Json(j)) => j.is_array(),
        (Type::Json(JKind::Value), Value::Json(j)) => !j.is_object() && !j.is_array(),
        (Type::Array(e), Value::Array(items)) => {
            e == Elem::Object || items.iter().all(|i| matches_type(i, Type::elem(e)))
        }
        _ => false,
    }
}

/// `(T)v`: unboxing / reference conversion, plus Newtonsoft's explicit JToken conversions.
pub(crate) fn cast_to(v: Value, t: Type) -> Result<Value, EvalError> {
    if matches_type(&v, t) {
        return Ok(v);
    }
    match (&v, t) {
        (Value::Null, t) if t.is_value_type() => Err(EvalError::null_ref()),
        (Value::Null, _) => Ok(Value::Null),
        (Value::Json(j), t) if !matches!(t, Type::Json(_)) => json_to(j, t),
        (Value::Int(i), Type::Double) =>
        {
            #[allow(clippy::cast_precision_loss)]
            Ok(Value::Double(*i as f64))
        }
        (Value::Int(_), Type::Enum(_)) => Ok(v),
        (Value::String(s), Type::Json(JKind::Token | JKind::Value)) => {
            Ok(Value::json(J::String(s.to_string())))
        }
        _ => Err(EvalError::invalid_cast(v.type_name(), &t.to_string())),
    }
}

/// Explicit numeric conversion (`(int)3.7` is 3; `(double)1` is 1.0; `(char)65`).
#[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
pub(crate) fn numeric_to(v: &Value, t: Type) -> Result<Value, EvalError> {
    Ok(match (v, t) {
        (Value::Null, _) => return Err(EvalError::null_ref()),
        (Value::Double(d), Type::Int) => Value::Int(*d as i64),
        (Value::Int(i), Type::Double) => Value::Double(*i as f64),
        (Value::Char(c), Type::Int) => Value::Int(i64::from(u32::from(*c))),
        (Value::Char(c), Type::Double) => Value::Double(f64::from(u32::from(*c))),
        (Value::Int(i), Type::Char) => Value::Char(
            u32::try_from(*i)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{FFFD}'),
        ),
        (other, t) => return cast_to(other.clone(), t),
    })
}
