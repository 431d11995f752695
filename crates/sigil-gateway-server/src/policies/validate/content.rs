//! `validate-content`: body size, content type and JSON schema.
//!
//! Hostile bodies are refused before they cost anything: the size is checked against
//! `Content-Length` first and, for a body of unknown length, while it is read (reading stops
//! one byte past `max-size`, at most 100 KiB). Only a body within `max-size` is parsed, by
//! serde_json, whose recursion limit (128 levels) refuses deep nesting, and whose number
//! grammar refuses `1e999999` or a 100 000-digit integer as out of range in linear time. The
//! schema was compiled when the configuration was loaded. A compressed body (gzip, deflate,
//! br) is decoded for validation, its output bounded by `max-size` as well (see `decode`).

use bytes::{Bytes, BytesMut};
use http::HeaderMap;
use http::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE};
use http_body_util::BodyExt;
use sigil_policy::contract::{self, Contract, JsonSchema, Media};
use sigil_policy::model::{ContentRule, TypeMatch, ValidateContent, ValidationAction};

use super::decode::{self, DecodeError};
use super::{Problem, Report};
use crate::context::{BodySlot, Exchange};
use crate::errors::Fault;
use crate::eval;
use crate::exec::{Env, Target};

/// Which message is checked, with APIM's words for it.
#[derive(Clone, Copy)]
struct Side {
    response: bool,
}

impl Side {
    fn kind(self) -> &'static str {
        if self.response {
            "ResponseBody"
        } else {
            "RequestBody"
        }
    }

    fn noun(self) -> &'static str {
        if self.response { "response" } else { "request" }
    }

    fn capital(self) -> &'static str {
        if self.response {
            "Response's"
        } else {
            "Request's"
        }
    }
}

pub(crate) async fn validate_content(
    ex: &mut Exchange<'_>,
    env: &Env<'_>,
    v: &ValidateContent,
    target: Target,
) -> Result<(), Fault> {
    let side = Side {
        response: target == Target::Response,
    };
    let mut report = Report::new(
        "validate-content",
        v.errors_variable_name.as_deref(),
        target,
    );
    let checked = check(ex, env, v, side, &mut report).await;
    let finished = report.finish(ex);
    checked?;
    finished
}

async fn check(
    ex: &mut Exchange<'_>,
    env: &Env<'_>,
    v: &ValidateContent,
    side: Side,
    report: &mut Report<'_>,
) -> Result<(), Fault> {
    let Some(headers) = headers(ex, side) else {
        return Ok(());
    };
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.trim().parse::<u64>().ok());
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|h| h.to_str().ok())
        .and_then(contract::media_type);
    let encoded = headers
        .get(CONTENT_ENCODING)
        .and_then(|h| h.to_str().ok())
        .map(str::trim)
        .filter(|e| {
            e.split(',')
                .any(|c| !c.trim().is_empty() && !c.trim().eq_ignore_ascii_case("identity"))
        })
        .map(str::to_owned);
    let max = v.max_size as usize;

    // 1. Size: the declared length first, so an oversized body is never read.
    let body = match declared {
        Some(n) if n > max as u64 => {
            let _ = size_problem(report, v, side, &format!("is {n} bytes long"));
            return Ok(());
        }
        _ => {
            let keep = v.size_exceeded_action != ValidationAction::Prevent;
            match read(ex, env, side, max, keep).await? {
                Read::Absent => return Ok(()),
                Read::TooLarge(size) => {
                    let _ = size_problem(report, v, side, &format!("is {size} bytes long"));
                    return Ok(());
                }
                Read::Body(b) => b,
            }
        }
    };
    // 1b. An encoded body is checked as what it decodes to, and its decoded size too. The
    // message itself goes on encoded.
    let body: Result<Bytes, String> = match &encoded {
        None => Ok(body),
        Some(enc) => match decode::decode(enc, &body, max) {
            Ok(plain) => Ok(Bytes::from(plain)),
            Err(DecodeError::TooLarge) => {
                let size = format!("decompresses to more than {max} bytes");
                let _ = size_problem(report, v, side, &size);
                return Ok(());
            }
            Err(DecodeError::Unsupported(coding)) => Err(format!(
                "The body is encoded ({coding}), which the gateway cannot decode; it decodes gzip, deflate and br."
            )),
            Err(DecodeError::Corrupt { coding, reason }) => Err(format!(
                "The body could not be decoded as {coding}: {reason}."
            )),
        },
    };

    // 2. Content type, mapped.
    let mapped = map_type(ex, v, content_type.as_deref())?;
    let ct = mapped.unwrap_or_default();
    let op_contract = ex.who.operation.map(|o| &o.contract);
    let empty = Contract::default();
    let contract = op_contract.unwrap_or(&empty);
    let media: Option<&Media> = if side.response {
        let status = ex.response.as_ref().map_or(200, |r| r.status);
        contract.response(status).and_then(|r| r.media_for(&ct))
    } else {
        contract.request_media(&ct)
    };
    let rule = v
        .contents
        .iter()
        .find(|r| r.content_type.as_deref() == Some(ct.as_str()))
        .or_else(|| {
            media
                .is_some()
                .then(|| v.contents.iter().find(|r| r.content_type.is_none()))
                .flatten()
        });
    let specified = media.is_some() || rule.is_some_and(|r| r.schema.is_some());
    let shown = if ct.is_empty() { "(none)" } else { ct.as_str() };
    if !specified {
        let details = format!("Unspecified content type {shown} is not allowed.");
        let p = if side.response {
            Problem::masked(Some(shown.into()), side.kind(), "Unspecified", details)
        } else {
            Problem::new(
                Some(shown.into()),
                side.kind(),
                "Unspecified",
                details,
                None,
            )
        };
        let _ = report.add(p, v.unspecified_content_type_action);
        return Ok(());
    }
    let Some(rule) = rule else {
        return Ok(());
    };
    if rule.action == ValidationAction::Ignore {
        return Ok(());
    }

    // 3. The body against the schema.
    let body = match body {
        Ok(body) => body,
        Err(why) => {
            let details = format!(
                "Body of the {} cannot be validated for the content type {shown}.\n\n{why}",
                side.noun()
            );
            let _ = report.add(
                Problem::masked(None, side.kind(), "ValidationException", details),
                rule.action,
            );
            return Ok(());
        }
    };
    let (definition, schema) = match schema_for(rule, media) {
        Ok(s) => s,
        Err(details) => {
            let _ = report.add(Problem::masked(None, "ApiSchema", "", details), rule.action);
            return Ok(());
        }
    };
    let conform = format!(
        "Body of the {} does not conform to the definition {definition}, which is associated with the content type {shown}.",
        side.noun()
    );
    // A UTF-8 byte-order mark is not JSON, but Windows tools write it.
    let text = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&body);
    let problem = match serde_json::from_slice::<serde_json::Value>(text) {
        Err(e) => Some(format!("{conform}\n\n{e}.")),
        Ok(value) => schema
            .and_then(|s| s.check(&value).err())
            .map(|violation| format!("{conform}\n\n{violation}")),
    };
    if let Some(details) = problem {
        let p = if side.response {
            Problem::masked(Some(shown.into()), side.kind(), "IncorrectMessage", details)
        } else {
            Problem::new(
                Some(shown.into()),
                side.kind(),
                "IncorrectMessage",
                details,
                None,
            )
        };
        let _ = report.add(p, rule.action);
    }
    Ok(())
}

fn headers<'e>(ex: &'e Exchange<'_>, side: Side) -> Option<&'e HeaderMap> {
    if side.response {
        ex.response.as_ref().map(|r| &r.headers)
    } else {
        Some(&ex.req_headers)
    }
}

/// Reports a size over `max-size`; `length` completes the sentence (`is 80 bytes long`).
fn size_problem(
    report: &mut Report<'_>,
    v: &ValidateContent,
    side: Side,
    length: &str,
) -> Result<(), ()> {
    let max = v.max_size;
    let details = format!(
        "{} body {length} and it exceeds the configured limit of {max} bytes.",
        side.capital()
    );
    let p = if side.response {
        Problem::masked(None, side.kind(), "SizeLimit", details)
    } else {
        let public = format!(
            "{} body {length} and it exceeds the limit of {max} bytes.",
            side.capital()
        );
        Problem::new(None, side.kind(), "SizeLimit", details, Some(public))
    };
    report.add(p, v.size_exceeded_action)
}

/// The content type validation uses: a matching `<type>`, else `missing-content-type-value`
/// for a message without one, else `any-content-type-value`, else the message's own.
fn map_type(
    ex: &Exchange<'_>,
    v: &ValidateContent,
    incoming: Option<&str>,
) -> Result<Option<String>, Fault> {
    let Some(map) = &v.content_type_map else {
        return Ok(incoming.map(str::to_owned));
    };
    for t in &map.types {
        let hit = match &t.from {
            TypeMatch::From(ct) => incoming == Some(ct.as_str()),
            TypeMatch::When(cond) => eval::boolean(ex, cond)?,
        };
        if hit {
            return Ok(Some(t.to.clone()));
        }
    }
    Ok(incoming
        .is_none()
        .then(|| map.missing_content_type_value.clone())
        .flatten()
        .or_else(|| map.any_content_type_value.clone())
        .or_else(|| incoming.map(str::to_owned)))
}

/// The definition name and compiled schema a `<content>` validates with; `None` as schema
/// when the specification gives the media type without one (any JSON is accepted).
fn schema_for<'a>(
    rule: &'a ContentRule,
    media: Option<&'a Media>,
) -> Result<(String, Option<&'a JsonSchema>), String> {
    if let Some(up) = &rule.schema {
        let name = up.schema_ref.as_deref().and_then(|r| r.rsplit('/').next());
        return Ok((name.unwrap_or(&up.id).to_owned(), Some(&up.compiled)));
    }
    let Some(media) = media else {
        return Err("API's schema does not exist or it could not be resolved.".into());
    };
    if !media.has_schema() {
        return Ok((media.definition.clone(), None));
    }
    match media.schema(rule.additional()) {
        Some(s) => Ok((media.definition.clone(), Some(s))),
        None => Err("API's schema does not exist or it could not be resolved.".into()),
    }
}

/// A body as far as `validate-content` read it.
enum Read {
    /// No body (or an empty one): nothing to validate.
    Absent,
    /// The whole body, within `max-size`.
    Body(Bytes),
    /// Over `max-size`; the size as APIM's message gives it (`at least N` when reading stopped
    /// early).
    TooLarge(String),
}

/// Reads the message body, at most `max + 1` bytes of it. When it is larger and `keep` is set
/// (the size action does not stop the message) the rest is read too, within the gateway's own
/// limit, so the message goes on whole.
async fn read(
    ex: &mut Exchange<'_>,
    env: &Env<'_>,
    side: Side,
    max: usize,
    keep: bool,
) -> Result<Read, Fault> {
    let opts = &env.shared.opts;
    let (limit, timeout) = if side.response {
        (opts.max_response_buffer_bytes, opts.backend_timeout)
    } else {
        (opts.max_body_bytes, opts.client_body_timeout)
    };
    let slot = if side.response {
        match ex.response.as_mut() {
            Some(r) => r.body.get_mut(),
            None => return Ok(Read::Absent),
        }
    } else {
        ex.req_body.get_mut()
    }
    .unwrap_or_else(std::sync::PoisonError::into_inner);
    let body = match std::mem::replace(slot, BodySlot::Consumed) {
        BodySlot::Stream(b) => b,
        BodySlot::Bytes(b) => {
            *slot = BodySlot::Bytes(b.clone());
            return Ok(if b.is_empty() {
                Read::Absent
            } else if b.len() > max {
                Read::TooLarge(b.len().to_string())
            } else {
                Read::Body(b)
            });
        }
        other @ (BodySlot::Empty | BodySlot::Consumed) => {
            *slot = other;
            return Ok(Read::Absent);
        }
    };
    let fail = |e: &(dyn std::error::Error + 'static)| -> Fault {
        match (side.response, crate::proxy::caused_by_body_limit(e)) {
            (false, true) => Fault::body_too_large(),
            (false, false) => Fault::client_connection("The request body could not be read."),
            (true, _) => {
                Fault::backend_connection("Error occurred while reading the backend response.")
            }
        }
    };
    let read = async {
        let mut body = body;
        let mut buf = BytesMut::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| fail(&e))?;
            let Ok(data) = frame.into_data() else {
                continue;
            };
            buf.extend_from_slice(&data);
            if buf.len() <= max {
                continue;
            }
            if !keep {
                return Ok((buf.freeze(), true));
            }
            let rest = match crate::proxy::collect(body, limit.saturating_sub(buf.len())).await {
                Ok(rest) => rest,
                Err(crate::proxy::CollectError::TooLarge) if !side.response => {
                    return Err(Fault::body_too_large());
                }
                Err(e) => {
                    tracing::debug!(error = ?e, "message body unreadable");
                    return Err(fail(&std::io::Error::other("unreadable body")));
                }
            };
            buf.extend_from_slice(&rest);
            return Ok((buf.freeze(), false));
        }
        Ok((buf.freeze(), false))
    };
    let (bytes, stopped) = match tokio::time::timeout(timeout, read).await {
        Ok(r) => r?,
        Err(_) if side.response => return Err(Fault::backend_timeout()),
        Err(_) => {
            return Err(Fault::client_connection(
                "Timed out reading the request body.",
            ));
        }
    };
    let size = bytes.len();
    *slot = if stopped {
        // The message will not go on: what was read is dropped with it.
        BodySlot::Consumed
    } else {
        BodySlot::Bytes(bytes.clone())
    };
    Ok(if size == 0 {
        Read::Absent
    } else if stopped {
        Read::TooLarge(format!("at least {size}"))
    } else if size > max {
        Read::TooLarge(size.to_string())
    } else {
        Read::Body(bytes)
    })
}
