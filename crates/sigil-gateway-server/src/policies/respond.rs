//! `return-response` and `mock-response`: answer without (or instead of) the backend.

use bytes::Bytes;
use http::{HeaderMap, HeaderValue};
use serde_json::Value as Json;
use sigil_expr::Value;
use sigil_policy::model::{MockResponse, ReturnResponse};

use crate::context::{BodySlot, Exchange, Resp};
use crate::errors::Fault;
use crate::eval;
use crate::exec::Flow;
use crate::policies::message::{apply_header, eval_header, eval_status};

/// `return-response`: builds a new response (from `response-variable-name` or an empty 200),
/// applies its `set-status`, `set-header` and `set-body`, and stops the pipeline.
pub(crate) fn return_response(ex: &mut Exchange<'_>, p: &ReturnResponse) -> Result<Flow, Fault> {
    let mut resp = match &p.response_variable_name {
        Some(name) => match ex.variables.get(name) {
            Some(Value::Response(r)) => {
                let mut headers = HeaderMap::new();
                for (k, v) in &r.headers {
                    if let (Ok(k), Ok(v)) = (
                        http::HeaderName::from_bytes(k.as_bytes()),
                        HeaderValue::from_str(v),
                    ) {
                        headers.append(k, v);
                    }
                }
                let mut out = Resp::with(
                    u16::try_from(r.status_code).unwrap_or(500),
                    headers,
                    BodySlot::Bytes(r.body.clone()),
                );
                out.reason = Some(r.status_reason.clone()).filter(|s| !s.is_empty());
                out
            }
            _ => {
                return Err(Fault::internal(
                    "return-response",
                    format!("variable '{name}' does not hold a response"),
                ));
            }
        },
        None => Resp::ok(),
    };
    if let Some(s) = &p.set_status {
        let (code, reason) = eval_status(ex, s)?;
        resp.status = code;
        resp.reason = reason;
    }
    for h in &p.set_headers {
        let edit = eval_header(ex, h)?;
        apply_header(&mut resp.headers, edit);
    }
    if let Some(b) = &p.set_body {
        let text = eval::text_opt(ex, &b.body)?.unwrap_or_default();
        resp.headers.remove(http::header::CONTENT_LENGTH);
        resp.body = std::sync::Mutex::new(BodySlot::Bytes(Bytes::from(text)));
    }
    ex.response = Some(resp);
    Ok(Flow::Return)
}

/// `mock-response`: the operation's example for the status (and content type), else a sample
/// generated from its schema, else an empty body.
pub(crate) fn mock_response(ex: &mut Exchange<'_>, p: &MockResponse) -> Result<Flow, Fault> {
    let examples: &[sigil_policy::MockExample] =
        ex.who.operation.map_or(&[], |o| o.examples.as_slice());
    let wanted_type = |t: &str| {
        p.content_type
            .as_deref()
            .is_none_or(|c| c.eq_ignore_ascii_case(t))
    };
    let found = examples
        .iter()
        .find(|e| e.status == p.status_code && wanted_type(&e.content_type));
    let mut headers = HeaderMap::new();
    let content_type = p
        .content_type
        .clone()
        .or_else(|| found.map(|e| e.content_type.clone()));
    if let Some(ct) = content_type
        .as_deref()
        .and_then(|c| HeaderValue::from_str(c).ok())
    {
        headers.insert(http::header::CONTENT_TYPE, ct);
    }
    let body = match found {
        Some(e) => match (&e.example, &e.schema) {
            (Some(x), _) => render(x),
            (None, Some(schema)) => render(&sample(schema, 0)),
            (None, None) => Bytes::new(),
        },
        None => Bytes::new(),
    };
    ex.response = Some(Resp::with(p.status_code, headers, BodySlot::Bytes(body)));
    Ok(Flow::Return)
}

fn render(v: &Json) -> Bytes {
    match v {
        // A string example is the body as written (text/plain, XML).
        Json::String(s) => Bytes::from(s.clone()),
        other => Bytes::from(other.to_string()),
    }
}

/// A value shaped like `schema`: its `example`/`default`/first `enum` value where given,
/// else a placeholder per type (as APIM's sample generator does).
fn sample(schema: &Json, depth: usize) -> Json {
    if depth > 8 {
        return Json::Null;
    }
    for k in ["example", "default"] {
        if let Some(v) = schema.get(k) {
            return v.clone();
        }
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Json::as_array)
        .and_then(|a| a.first())
    {
        return first.clone();
    }
    match schema.get("type").and_then(Json::as_str) {
        Some("object") | None if schema.get("properties").is_some() => {
            let mut out = serde_json::Map::new();
            if let Some(props) = schema.get("properties").and_then(Json::as_object) {
                for (k, v) in props {
                    out.insert(k.clone(), sample(v, depth + 1));
                }
            }
            Json::Object(out)
        }
        Some("array") => Json::Array(
            schema
                .get("items")
                .map(|i| vec![sample(i, depth + 1)])
                .unwrap_or_default(),
        ),
        Some("string") => Json::String("string".into()),
        Some("integer") => Json::from(0),
        Some("number") => Json::from(0.0),
        Some("boolean") => Json::Bool(true),
        Some("object") => Json::Object(serde_json::Map::new()),
        _ => Json::Null,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn samples_follow_the_schema() {
        let s = json!({"type": "object", "properties": {
            "id": {"type": "integer"}, "name": {"type": "string", "example": "Ada"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "kind": {"type": "string", "enum": ["a", "b"]}}});
        assert_eq!(
            sample(&s, 0),
            json!({"id": 0, "name": "Ada", "tags": ["string"], "kind": "a"})
        );
    }
}
