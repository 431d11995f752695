//! Policies that edit the request or response: headers, query, method, status, body, URL,
//! plus `check-header` and `trace`.

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use sigil_policy::model::{
    CheckHeader, ExistsAction, FindAndReplace, RewriteUri, SetBody, SetHeader, SetMethod,
    SetStatus, Trace,
};

use crate::context::{BodySlot, Exchange, Resp, lock};
use crate::errors::Fault;
use crate::eval;
use crate::exec::Target;
use crate::url::{escape_path, parse_query};

/// Headers APIM does not let policies change (`set-header` reference).
const IMMUTABLE: [&str; 4] = [
    "connection",
    "content-length",
    "keep-alive",
    "transfer-encoding",
];

/// A `set-header` evaluated: the name and the values to apply.
pub(crate) struct HeaderEdit {
    name: HeaderName,
    action: ExistsAction,
    values: Vec<HeaderValue>,
}

/// Evaluates a `set-header` without applying it (so `return-response` can apply it to a new
/// response while expressions still see the current one).
pub(crate) fn eval_header(ex: &Exchange<'_>, p: &SetHeader) -> Result<HeaderEdit, Fault> {
    let raw = eval::text(ex, &p.name)?;
    let name = HeaderName::from_bytes(raw.trim().as_bytes())
        .map_err(|_| Fault::bad_value("A header name", &raw))?;
    let mut values = Vec::new();
    if p.exists_action != ExistsAction::Delete {
        for v in &p.values {
            let s = eval::text(ex, v)?;
            values.push(
                HeaderValue::from_str(&s).map_err(|_| Fault::bad_value("A header value", &s))?,
            );
        }
    }
    Ok(HeaderEdit {
        name,
        action: p.exists_action,
        values,
    })
}

/// Applies an evaluated `set-header` to a header map.
pub(crate) fn apply_header(h: &mut HeaderMap, e: HeaderEdit) {
    if IMMUTABLE.contains(&e.name.as_str()) {
        tracing::debug!(header = %e.name, "set-header on an immutable header ignored");
        return;
    }
    match e.action {
        ExistsAction::Delete => {
            h.remove(&e.name);
        }
        ExistsAction::Skip if h.contains_key(&e.name) => {}
        ExistsAction::Override | ExistsAction::Skip => {
            h.remove(&e.name);
            for v in e.values {
                h.append(e.name.clone(), v);
            }
        }
        ExistsAction::Append => {
            for v in e.values {
                h.append(e.name.clone(), v);
            }
        }
    }
}

/// The response, created as an empty 200 if no backend answered yet.
pub(crate) fn response_mut<'e>(ex: &'e mut Exchange<'_>) -> &'e mut Resp {
    ex.response.get_or_insert_with(Resp::ok)
}

/// `set-header`
pub(crate) fn set_header(
    ex: &mut Exchange<'_>,
    p: &SetHeader,
    target: Target,
) -> Result<(), Fault> {
    let edit = eval_header(ex, p)?;
    match target {
        Target::Request => apply_header(&mut ex.req_headers, edit),
        Target::Response => apply_header(&mut response_mut(ex).headers, edit),
    }
    Ok(())
}

/// `set-query-parameter` (names compare exactly; query names are case-sensitive).
pub(crate) fn set_query_parameter(ex: &mut Exchange<'_>, p: &SetHeader) -> Result<(), Fault> {
    let name = eval::text(ex, &p.name)?;
    let mut values = Vec::new();
    if p.exists_action != ExistsAction::Delete {
        for v in &p.values {
            values.push(eval::text(ex, v)?);
        }
    }
    let exists = ex.query.iter().any(|(k, _)| *k == name);
    match p.exists_action {
        ExistsAction::Delete => ex.query.retain(|(k, _)| *k != name),
        ExistsAction::Skip if exists => {}
        ExistsAction::Override | ExistsAction::Skip => {
            ex.query.retain(|(k, _)| *k != name);
            ex.query
                .extend(values.into_iter().map(|v| (name.clone(), v)));
        }
        ExistsAction::Append => ex
            .query
            .extend(values.into_iter().map(|v| (name.clone(), v))),
    }
    Ok(())
}

/// `set-method`
pub(crate) fn set_method(ex: &mut Exchange<'_>, p: &SetMethod) -> Result<(), Fault> {
    let m = eval::text(ex, &p.method)?.trim().to_ascii_uppercase();
    http::Method::from_bytes(m.as_bytes()).map_err(|_| Fault::bad_value("A method", &m))?;
    ex.method = m;
    Ok(())
}

/// `set-status`
pub(crate) fn set_status(ex: &mut Exchange<'_>, p: &SetStatus) -> Result<(), Fault> {
    let (code, reason) = eval_status(ex, p)?;
    let r = response_mut(ex);
    r.status = code;
    r.reason = reason;
    Ok(())
}

/// Evaluates `set-status` (code 100–599).
pub(crate) fn eval_status(
    ex: &Exchange<'_>,
    p: &SetStatus,
) -> Result<(u16, Option<String>), Fault> {
    let code: u16 = eval::int(ex, &p.code, "A status code")?;
    if !(100..=599).contains(&code) {
        return Err(Fault::bad_value("A status code", &code.to_string()));
    }
    let reason = match &p.reason {
        Some(t) => eval::text_opt(ex, t)?,
        None => None,
    };
    Ok((code, reason))
}

/// `set-body` (the liquid form is refused at load).
pub(crate) fn set_body(ex: &mut Exchange<'_>, p: &SetBody, target: Target) -> Result<(), Fault> {
    let text = eval::text_opt(ex, &p.body)?.unwrap_or_default();
    replace_body(ex, target, Bytes::from(text));
    Ok(())
}

/// Replaces a body; the framing headers are recomputed when the message is sent.
pub(crate) fn replace_body(ex: &mut Exchange<'_>, target: Target, body: Bytes) {
    let slot = match target {
        Target::Request => {
            ex.req_headers.remove(http::header::CONTENT_LENGTH);
            &mut ex.req_body
        }
        Target::Response => {
            let r = response_mut(ex);
            r.headers.remove(http::header::CONTENT_LENGTH);
            &mut r.body
        }
    };
    *lock(slot) = BodySlot::Bytes(body);
}

/// `find-and-replace` on the buffered body (ordinal, every occurrence).
pub(crate) fn find_and_replace(
    ex: &mut Exchange<'_>,
    p: &FindAndReplace,
    target: Target,
) -> Result<(), Fault> {
    let from = eval::text(ex, &p.from)?;
    let to = eval::text(ex, &p.to)?;
    if from.is_empty() {
        return Ok(());
    }
    let current = {
        let slot = match target {
            Target::Request => &ex.req_body,
            Target::Response => match &ex.response {
                Some(r) => &r.body,
                None => return Ok(()),
            },
        };
        match &*lock(slot) {
            BodySlot::Bytes(b) => b.clone(),
            _ => return Ok(()),
        }
    };
    let text = String::from_utf8_lossy(&current);
    if text.contains(&from) {
        replace_body(ex, target, Bytes::from(text.replace(&from, &to)));
    }
    Ok(())
}

/// `rewrite-uri`: a new path (and query) below the backend URL; `{name}` takes a matched
/// template parameter or a query parameter.
pub(crate) fn rewrite_uri(ex: &mut Exchange<'_>, p: &RewriteUri) -> Result<(), Fault> {
    let template = eval::text(ex, &p.template)?;
    let mut used: Vec<String> = Vec::new();
    let mut out = String::with_capacity(template.len());
    let mut rest = template.as_str();
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push_str(&rest[..open]);
        let name = &rest[open + 1..open + close];
        // Matched parameters are path text as received (escapes kept); query values are
        // decoded and need escaping for the path.
        let value = match ex
            .matched
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
        {
            Some((_, v)) => v.clone(),
            None => ex
                .query
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| escape_path(v))
                .unwrap_or_default(),
        };
        out.push_str(&value);
        used.push(name.to_owned());
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    let (path, query) = out.split_once('?').unwrap_or((out.as_str(), ""));
    let mut new_query = parse_query(query);
    if p.copy_unmatched_params {
        for (k, v) in &ex.query {
            let taken = used.iter().any(|u| u == k) || new_query.iter().any(|(n, _)| n == k);
            if !taken {
                new_query.push((k.clone(), v.clone()));
            }
        }
    }
    ex.path = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    };
    ex.query = new_query;
    Ok(())
}

/// `check-header`
pub(crate) fn check_header(ex: &mut Exchange<'_>, p: &CheckHeader) -> Result<(), Fault> {
    let name = eval::text(ex, &p.name)?;
    let message = eval::text(ex, &p.failed_check_error_message)?;
    let present: Vec<String> = ex
        .req_headers
        .get_all(name.as_str())
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect();
    if present.is_empty() {
        return Err(Fault::check_header(
            "HeaderNotFound",
            p.failed_check_httpcode,
            message,
        ));
    }
    if p.values.is_empty() {
        return Ok(());
    }
    let mut allowed = Vec::with_capacity(p.values.len());
    for v in &p.values {
        allowed.push(eval::text(ex, v)?);
    }
    let matches = |have: &str| {
        allowed.iter().any(|a| {
            if p.ignore_case {
                a.eq_ignore_ascii_case(have.trim())
            } else {
                a == have.trim()
            }
        })
    };
    let joined = present.join(",");
    if matches(&joined) || present.iter().any(|v| matches(v)) {
        Ok(())
    } else {
        Err(Fault::check_header(
            "HeaderValueNotAllowed",
            p.failed_check_httpcode,
            message,
        ))
    }
}

/// `trace`: an event on the request's tracing span (APIM sends it to its tracing sinks).
pub(crate) fn trace(ex: &mut Exchange<'_>, p: &Trace) -> Result<(), Fault> {
    let message = eval::text(ex, &p.message)?;
    let mut metadata = String::new();
    for (k, v) in &p.metadata {
        let v = eval::text(ex, v)?;
        if !metadata.is_empty() {
            metadata.push_str(", ");
        }
        metadata.push_str(&format!("{k}={v}"));
    }
    let id = ex.request_id;
    let source = p.source.as_str();
    match p.severity.to_ascii_lowercase().as_str() {
        "error" => {
            tracing::error!(target: "sigil_gateway::trace", request_id = %id, source, metadata, "{message}")
        }
        "information" => {
            tracing::info!(target: "sigil_gateway::trace", request_id = %id, source, metadata, "{message}")
        }
        _ => {
            tracing::debug!(target: "sigil_gateway::trace", request_id = %id, source, metadata, "{message}")
        }
    }
    Ok(())
}
