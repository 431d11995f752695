//! The `context` object graph: navigation is resolved at load time to `CtxFn` ids, and scalar
//! reads go straight to `EvalContext::property`. Also `IResponse` values kept in variables by
//! send-request, and header key/value pairs.

use std::sync::Arc;

use super::{Builtin, ResolveResult, Site, a_bool, a_str, ok, str_val};
use crate::context::{CtxObj, EvalContext, Message, Presence, Property, UrlKind};
use crate::error::EvalError;
use crate::types::{Elem, JKind, Type};
use crate::value::{Handle, Obj, ResponseData, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CtxFn {
    Nav(CtxObj),
    NavOpt(Presence, CtxObj),
    Prop(Property),
    Trace,
    UrlToString(UrlKind),
    /// Dictionary-like members; `Dict` says which dictionary.
    Get(Dict),
    TryGet(Dict),
    Index(Dict),
    Contains(Dict),
    Keys(Dict),
    Count(Dict),
    /// Materialises `(key, string[])` pairs for LINQ / foreach.
    Pairs(Dict),
    VarGet(Type),
    BodyAs(Message, Type),
    RespStatus,
    RespReason,
    RespHeaders,
    RespBody,
    RespBodyAs(Type),
    Key,
    PairValue,
}

/// The dictionaries of the context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dict {
    Headers(Message),
    Query(UrlKind),
    Matched,
    Variables,
    RespHeaders,
}

pub(crate) fn dict_of(t: Type) -> Option<Dict> {
    Some(match t {
        Type::Ctx(CtxObj::Headers(m)) => Dict::Headers(m),
        Type::Ctx(CtxObj::Query(k)) => Dict::Query(k),
        Type::Ctx(CtxObj::MatchedParameters) => Dict::Matched,
        Type::Ctx(CtxObj::Variables) => Dict::Variables,
        Type::RespHeaders => Dict::RespHeaders,
        _ => return None,
    })
}

/// The type `dict[key]` yields.
pub(crate) fn index_type(d: Dict) -> Type {
    match d {
        Dict::Headers(_) | Dict::Query(_) | Dict::RespHeaders => Type::Array(Elem::String),
        Dict::Matched => Type::String,
        Dict::Variables => Type::Object,
    }
}

fn prop(obj: CtxObj, name: &str) -> Option<(CtxFn, Type)> {
    use CtxObj as O;
    use Property as P;
    let nav = |o: CtxObj| Some((CtxFn::Nav(o), Type::Ctx(o)));
    let opt = |p: Presence, o: CtxObj| Some((CtxFn::NavOpt(p, o), Type::Ctx(o)));
    let p = |p: Property, t: Type| Some((CtxFn::Prop(p), t));
    let s = Type::String;
    match (obj, name) {
        (O::Context, "Request") => nav(O::Request),
        (O::Context, "Response") => opt(Presence::Response, O::Response),
        (O::Context, "Subscription") => opt(Presence::Subscription, O::Subscription),
        (O::Context, "Product") => opt(Presence::Product, O::Product),
        (O::Context, "User") => opt(Presence::User, O::User),
        (O::Context, "LastError") => opt(Presence::LastError, O::LastError),
        (O::Context, "Api") => nav(O::Api),
        (O::Context, "Operation") => nav(O::Operation),
        (O::Context, "Deployment") => nav(O::Deployment),
        (O::Context, "Variables") => nav(O::Variables),
        (O::Context, "Elapsed") => p(P::Elapsed, Type::TimeSpan),
        (O::Context, "RequestId") => p(P::RequestId, Type::Guid),
        (O::Context, "Timestamp") => p(P::Timestamp, Type::DateTime),
        (O::Context, "Tracing") => p(P::Tracing, Type::Bool),
        (O::Request, "Method") => p(P::RequestMethod, s),
        (O::Request, "IpAddress") => p(P::RequestIpAddress, s),
        (O::Request, "Url") => nav(O::Url(UrlKind::Current)),
        (O::Request, "OriginalUrl") => nav(O::Url(UrlKind::Original)),
        (O::Request, "Headers") => nav(O::Headers(Message::Request)),
        (O::Request, "Body") => nav(O::Body(Message::Request)),
        (O::Request, "MatchedParameters") => nav(O::MatchedParameters),
        (O::Request, "Certificate") => opt(Presence::Certificate, O::Certificate),
        (O::Response, "StatusCode") => p(P::ResponseStatusCode, Type::Int),
        (O::Response, "StatusReason") => p(P::ResponseStatusReason, s),
        (O::Response, "Headers") => nav(O::Headers(Message::Response)),
        (O::Response, "Body") => nav(O::Body(Message::Response)),
        (O::Url(k), "Scheme") => p(P::UrlScheme(k), s),
        (O::Url(k), "Host") => p(P::UrlHost(k), s),
        (O::Url(k), "Port") => p(P::UrlPort(k), Type::Int),
        (O::Url(k), "Path") => p(P::UrlPath(k), s),
        (O::Url(k), "QueryString") => p(P::UrlQueryString(k), s),
        (O::Url(k), "Query") => nav(O::Query(k)),
        (O::Subscription, "Id") => p(P::SubscriptionId, s),
        (O::Subscription, "Key") => p(P::SubscriptionKey, s),
        (O::Subscription, "Name") => p(P::SubscriptionName, s),
        (O::Subscription, "PrimaryKey") => p(P::SubscriptionPrimaryKey, s),
        (O::Subscription, "SecondaryKey") => p(P::SubscriptionSecondaryKey, s),
        (O::Subscription, "CreatedDate") => p(P::SubscriptionCreatedDate, Type::DateTime),
        (O::Subscription, "StartDate") => p(P::SubscriptionStartDate, Type::DateTime),
        (O::Subscription, "EndDate") => p(P::SubscriptionEndDate, Type::DateTime),
        (O::Product, "Id") => p(P::ProductId, s),
        (O::Product, "Name") => p(P::ProductName, s),
        (O::Product, "State") => p(P::ProductState, s),
        (O::Product, "SubscriptionRequired") => p(P::ProductSubscriptionRequired, Type::Bool),
        (O::Product, "ApprovalRequired") => p(P::ProductApprovalRequired, Type::Bool),
        (O::Api, "Id") => p(P::ApiId, s),
        (O::Api, "Name") => p(P::ApiName, s),
        (O::Api, "Path") => p(P::ApiPath, s),
        (O::Api, "Revision") => p(P::ApiRevision, s),
        (O::Api, "ServiceUrl") => p(P::ApiServiceUrl, s),
        (O::Api, "Version") => p(P::ApiVersion, s),
        (O::Api, "IsCurrentRevision") => p(P::ApiIsCurrentRevision, Type::Bool),
        (O::Operation, "Id") => p(P::OperationId, s),
        (O::Operation, "Name") => p(P::OperationName, s),
        (O::Operation, "Method") => p(P::OperationMethod, s),
        (O::Operation, "UrlTemplate") => p(P::OperationUrlTemplate, s),
        (O::LastError, "Source") => p(P::LastErrorSource, s),
        (O::LastError, "Reason") => p(P::LastErrorReason, s),
        (O::LastError, "Message") => p(P::LastErrorMessage, s),
        (O::LastError, "Scope") => p(P::LastErrorScope, s),
        (O::LastError, "Section") => p(P::LastErrorSection, s),
        (O::LastError, "Path") => p(P::LastErrorPath, s),
        (O::LastError, "PolicyId") => p(P::LastErrorPolicyId, s),
        (O::Deployment, "Region") => p(P::DeploymentRegion, s),
        (O::Deployment, "ServiceName") => p(P::DeploymentServiceName, s),
        (O::Deployment, "GatewayId") => p(P::DeploymentGatewayId, s),
        (O::User, "Id") => p(P::UserId, s),
        (O::User, "Email") => p(P::UserEmail, s),
        (O::User, "FirstName") => p(P::UserFirstName, s),
        (O::User, "LastName") => p(P::UserLastName, s),
        (O::User, "Note") => p(P::UserNote, s),
        (O::User, "RegistrationDate") => p(P::UserRegistrationDate, Type::DateTime),
        (O::Certificate, "Thumbprint") => p(P::CertificateThumbprint, s),
        (O::Certificate, "Subject") => p(P::CertificateSubject, s),
        (O::Certificate, "Issuer") => p(P::CertificateIssuer, s),
        (O::Certificate, "SerialNumber") => p(P::CertificateSerialNumber, s),
        (O::Certificate, "NotBefore") => p(P::CertificateNotBefore, Type::DateTime),
        (O::Certificate, "NotAfter") => p(P::CertificateNotAfter, Type::DateTime),
        _ => None,
    }
}

fn body_type(targs: &[Type]) -> Result<Type, String> {
    match targs {
        [
            t @ (Type::String
            | Type::Bytes
            | Type::Json(JKind::Object | JKind::Array | JKind::Token)),
        ] => Ok(*t),
        [other] => Err(format!(
            "unsupported member 'IMessageBody.As<{other}>' (string, byte[], JObject, JArray, JToken are supported)"
        )),
        _ => Err("As<T>() needs one type argument".into()),
    }
}

pub(crate) fn resolve_instance(recv: Type, site: &Site<'_>) -> ResolveResult {
    let r = |f: CtxFn, t: Type| ok(Builtin::Ctx(f), t);
    let s = site;
    let bool_arg = |a: &[Type]| a.is_empty() || (a.len() == 1 && a[0] == Type::Bool);
    match recv {
        Type::KeyValue => match (s.name, s.args) {
            ("Key", None) => r(CtxFn::Key, Type::String),
            ("Value", None) => r(CtxFn::PairValue, Type::Array(Elem::String)),
            _ => Ok(None),
        },
        Type::Response => match (s.name, s.args) {
            ("StatusCode", None) => r(CtxFn::RespStatus, Type::Int),
            ("StatusReason", None) => r(CtxFn::RespReason, Type::String),
            ("Headers", None) => r(CtxFn::RespHeaders, Type::RespHeaders),
            ("Body", None) => r(CtxFn::RespBody, Type::RespBody),
            _ => Ok(None),
        },
        Type::RespBody | Type::Ctx(CtxObj::Body(_)) => match (s.name, s.args) {
            ("As", Some(a)) if bool_arg(a) => {
                let t = body_type(s.targs)?;
                let f = match recv {
                    Type::Ctx(CtxObj::Body(m)) => CtxFn::BodyAs(m, t),
                    _ => CtxFn::RespBodyAs(t),
                };
                Ok(Some(super::Resolved {
                    f: Builtin::Ctx(f),
                    ty: t,
                    out: None,
                }))
            }
            _ => Ok(None),
        },
        Type::Ctx(CtxObj::Context) if s.name == "Trace" => {
            if s.is_call("Trace", &[Type::String])
                || s.is_call("Trace", &[Type::String, Type::Object])
            {
                r(CtxFn::Trace, Type::Void)
            } else {
                Err("context.Trace takes a string message".into())
            }
        }
        Type::Ctx(CtxObj::Url(k)) if s.name == "ToString" && s.args == Some(&[]) => {
            r(CtxFn::UrlToString(k), Type::String)
        }
        Type::Ctx(obj) if s.args.is_none() && dict_of(recv).is_none() => {
            Ok(prop(obj, s.name).map(|(f, t)| super::Resolved {
                f: Builtin::Ctx(f),
                ty: t,
                out: None,
            }))
        }
        _ => {
            let Some(d) = dict_of(recv) else {
                return Ok(None);
            };
            let key_t = Type::String;
            match (s.name, s.args) {
                ("GetValueOrDefault", Some(a)) if d == Dict::Variables => {
                    let t = match s.targs {
                        [] => Type::Object,
                        [t] => *t,
                        _ => return Err("GetValueOrDefault<T> takes one type argument".into()),
                    };
                    let ok_args = match a {
                        [k] => k.fits(key_t),
                        [k, dflt] => k.fits(key_t) && dflt.fits(t),
                        _ => false,
                    };
                    if !ok_args {
                        return Err(format!(
                            "GetValueOrDefault<{t}>(string name[, {t} default]) argument mismatch"
                        ));
                    }
                    Ok(Some(super::Resolved {
                        f: Builtin::Ctx(CtxFn::VarGet(t)),
                        ty: t,
                        out: None,
                    }))
                }
                ("GetValueOrDefault", Some([k] | [k, Type::String | Type::Null]))
                    if k.fits(key_t) =>
                {
                    r(CtxFn::Get(d), Type::String)
                }
                ("ContainsKey", Some([k])) if k.fits(key_t) => r(CtxFn::Contains(d), Type::Bool),
                ("TryGetValue", Some([k, _])) if k.fits(key_t) => Ok(Some(super::Resolved {
                    f: Builtin::Ctx(CtxFn::TryGet(d)),
                    ty: Type::Bool,
                    out: Some(index_type(d)),
                })),
                ("Keys", None) => r(CtxFn::Keys(d), Type::Array(Elem::String)),
                ("Count", None) => r(CtxFn::Count(d), Type::Int),
                _ => Ok(None),
            }
        }
    }
}

fn resp_of(v: &Value) -> Result<&Arc<ResponseData>, EvalError> {
    match v {
        Value::Response(r) | Value::Handle(Handle(Obj::RespHeaders(r) | Obj::RespBody(r))) => Ok(r),
        Value::Null => Err(EvalError::null_ref()),
        other => Err(EvalError::invalid_cast(other.type_name(), "IResponse")),
    }
}

fn names_to_array(names: Vec<Arc<str>>) -> Value {
    Value::Array(names.into_iter().map(Value::String).collect())
}

fn split_values(v: &str) -> Value {
    Value::Array(v.split(',').map(|p| Value::str(p.trim_start())).collect())
}

/// Dictionary look-ups. `Ok(None)` when the key is absent.
fn dict_get(
    d: Dict,
    recv: &Value,
    key: &str,
    ctx: &dyn EvalContext,
    joined: bool,
) -> Result<Option<Value>, EvalError> {
    Ok(match d {
        Dict::Headers(m) => {
            if joined {
                ctx.header(m, key).map(Value::String)
            } else {
                ctx.header_values(m, key)
                    .map(|vs| Value::Array(vs.into_iter().map(Value::String).collect()))
            }
        }
        Dict::Query(k) => ctx.query(k, key).map(|v| {
            if joined {
                Value::String(v)
            } else {
                split_values(&v)
            }
        }),
        Dict::Matched => ctx.matched_parameter(key).map(Value::String),
        Dict::Variables => ctx.variable(key),
        Dict::RespHeaders => resp_of(recv)?
            .header(key)
            .map(|v| if joined { str_val(v) } else { split_values(&v) }),
    })
}

fn dict_keys(d: Dict, recv: &Value, ctx: &dyn EvalContext) -> Result<Vec<Arc<str>>, EvalError> {
    Ok(match d {
        Dict::Headers(m) => ctx.header_names(m),
        Dict::Query(k) => ctx.query_names(k),
        Dict::RespHeaders => {
            let mut names: Vec<Arc<str>> = Vec::new();
            for (k, _) in &resp_of(recv)?.headers {
                if !names.iter().any(|n| n.eq_ignore_ascii_case(k)) {
                    names.push(Arc::from(k.as_str()));
                }
            }
            names
        }
        Dict::Matched | Dict::Variables => {
            return Err(EvalError::invalid_op(
                "enumerating this dictionary is not supported",
            ));
        }
    })
}

fn body(
    ctx: &dyn EvalContext,
    m: Message,
    preserve: bool,
) -> Result<Option<bytes::Bytes>, EvalError> {
    ctx.body(m, preserve).map_err(EvalError::invalid_op)
}

fn body_as(bytes: Option<bytes::Bytes>, t: Type) -> Result<Value, EvalError> {
    let Some(b) = bytes else {
        return Ok(Value::Null);
    };
    Ok(match t {
        Type::Bytes => Value::Bytes(b),
        Type::String => str_val(String::from_utf8_lossy(&b).into_owned()),
        Type::Json(k) => {
            let text = String::from_utf8_lossy(&b);
            Value::json(super::json::parse(&text, k)?)
        }
        _ => Value::Null,
    })
}

pub(crate) fn call(
    f: CtxFn,
    recv: &Value,
    args: &[Value],
    ctx: &dyn EvalContext,
) -> Result<Value, EvalError> {
    let arg = |i: usize| args.get(i).unwrap_or(&Value::Null);
    if recv.is_null() {
        return Err(EvalError::null_ref());
    }
    Ok(match f {
        CtxFn::Nav(o) => Value::obj(Obj::Ctx(o)),
        CtxFn::NavOpt(p, o) => {
            if ctx.has(p) {
                Value::obj(Obj::Ctx(o))
            } else {
                Value::Null
            }
        }
        CtxFn::Prop(p) => ctx.property(p),
        CtxFn::Trace => {
            ctx.trace(a_str(arg(0))?);
            Value::Null
        }
        CtxFn::UrlToString(k) => {
            let part = |p: Property| ctx.property(p).to_dotnet_string();
            let port = match ctx.property(Property::UrlPort(k)) {
                Value::Int(p) => p,
                _ => 0,
            };
            let scheme = part(Property::UrlScheme(k));
            let default_port = matches!((scheme.as_str(), port), ("https", 443) | ("http", 80));
            let port_s = if default_port || port == 0 {
                String::new()
            } else {
                format!(":{port}")
            };
            str_val(format!(
                "{scheme}://{}{port_s}{}{}",
                part(Property::UrlHost(k)),
                part(Property::UrlPath(k)),
                part(Property::UrlQueryString(k))
            ))
        }
        CtxFn::Get(d) => {
            let key = a_str(arg(0))?;
            dict_get(d, recv, key, ctx, true)?.unwrap_or_else(|| arg(1).clone())
        }
        CtxFn::TryGet(d) => {
            let v = dict_get(d, recv, a_str(arg(0))?, ctx, false)?;
            Value::Array(Arc::from([
                Value::Bool(v.is_some()),
                v.unwrap_or(Value::Null),
            ]))
        }
        CtxFn::Index(d) => {
            let key = a_str(arg(0))?;
            dict_get(d, recv, key, ctx, false)?.ok_or_else(|| EvalError::key_not_found(key))?
        }
        CtxFn::Contains(d) => Value::Bool(dict_get(d, recv, a_str(arg(0))?, ctx, true)?.is_some()),
        CtxFn::Keys(d) => names_to_array(dict_keys(d, recv, ctx)?),
        CtxFn::Count(d) => Value::Int(i64::try_from(dict_keys(d, recv, ctx)?.len()).unwrap_or(0)),
        CtxFn::Pairs(d) => {
            let mut out = Vec::new();
            for k in dict_keys(d, recv, ctx)? {
                let v = dict_get(d, recv, &k, ctx, false)?.unwrap_or(Value::Null);
                out.push(Value::Array(Arc::from([Value::String(k), v])));
            }
            Value::Array(out.into())
        }
        CtxFn::VarGet(t) => {
            let name = a_str(arg(0))?;
            match ctx.variable(name) {
                Some(v) => crate::eval::ops::cast_to(v, t)?,
                None => arg(1).clone(),
            }
        }
        CtxFn::BodyAs(m, t) => {
            let preserve = args.first().map(a_bool).transpose()?.unwrap_or(false);
            body_as(body(ctx, m, preserve)?, t)?
        }
        CtxFn::RespStatus => Value::Int(resp_of(recv)?.status_code),
        CtxFn::RespReason => str_val(resp_of(recv)?.status_reason.as_str()),
        CtxFn::RespHeaders => Value::obj(Obj::RespHeaders(resp_of(recv)?.clone())),
        CtxFn::RespBody => Value::obj(Obj::RespBody(resp_of(recv)?.clone())),
        CtxFn::RespBodyAs(t) => {
            let r = resp_of(recv)?;
            body_as(Some(r.body.clone()), t)?
        }
        CtxFn::Key | CtxFn::PairValue => match recv {
            Value::Array(kv) if kv.len() == 2 => kv[usize::from(f == CtxFn::PairValue)].clone(),
            other => return Err(EvalError::invalid_cast(other.type_name(), "KeyValuePair")),
        },
    })
}
