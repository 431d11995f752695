//! Evaluating policy attribute values (already compiled at load) against an exchange.

use std::borrow::Cow;

use sigil_expr::Value;
use sigil_policy::template::{Template, Typed};

use crate::context::Exchange;
use crate::errors::Fault;

/// A string-valued attribute; `null` becomes `None`.
pub(crate) fn text_opt(ex: &Exchange<'_>, t: &Template) -> Result<Option<String>, Fault> {
    match t {
        Template::Literal(l) => Ok(Some(l.value().to_owned())),
        Template::Expression(e) => {
            let v = e
                .compiled()
                .eval(ex)
                .map_err(|err| Fault::expression(&err))?;
            Ok((!v.is_null()).then(|| v.to_dotnet_string()))
        }
    }
}

/// A string-valued attribute, borrowed from the policy when it is a literal; `null` becomes the
/// empty string.
pub(crate) fn text_cow<'t>(ex: &Exchange<'_>, t: &'t Template) -> Result<Cow<'t, str>, Fault> {
    match t {
        Template::Literal(l) => Ok(Cow::Borrowed(l.value())),
        Template::Expression(_) => Ok(Cow::Owned(text(ex, t)?)),
    }
}

/// A string-valued attribute; `null` becomes the empty string.
pub(crate) fn text(ex: &Exchange<'_>, t: &Template) -> Result<String, Fault> {
    Ok(text_opt(ex, t)?.unwrap_or_default())
}

/// Any value (`set-variable`): a literal is a string.
pub(crate) fn any(ex: &Exchange<'_>, t: &Template) -> Result<Value, Fault> {
    match t {
        Template::Literal(l) => Ok(Value::str(l.value())),
        Template::Expression(e) => e.compiled().eval(ex).map_err(|err| Fault::expression(&err)),
    }
}

/// A boolean attribute (`condition`).
pub(crate) fn boolean(ex: &Exchange<'_>, t: &Typed<bool>) -> Result<bool, Fault> {
    match t {
        Typed::Literal(b) => Ok(*b),
        Typed::Expression(e) => {
            let v = e
                .compiled()
                .eval(ex)
                .map_err(|err| Fault::expression(&err))?;
            match v {
                Value::Bool(b) => Ok(b),
                Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
                Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
                other => Err(Fault::bad_value("A condition", &other.to_dotnet_string())),
            }
        }
    }
}

/// An integer attribute converted to `T` (`code`, `count`, `interval`).
pub(crate) fn int<T>(ex: &Exchange<'_>, t: &Typed<T>, what: &str) -> Result<T, Fault>
where
    T: Copy + TryFrom<i64>,
{
    match t {
        Typed::Literal(v) => Ok(*v),
        Typed::Expression(e) => {
            let v = e
                .compiled()
                .eval(ex)
                .map_err(|err| Fault::expression(&err))?;
            let n = match &v {
                Value::Int(i) => Some(*i),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            };
            n.and_then(|n| T::try_from(n).ok())
                .ok_or_else(|| Fault::bad_value(what, &v.to_dotnet_string()))
        }
    }
}
