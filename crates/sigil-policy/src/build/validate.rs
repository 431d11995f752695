//! Content validation policies: validate-content, validate-parameters, validate-headers,
//! validate-status-code.

use super::{Attrs, Cx, no_children, only_children};
use crate::contract::{self, Additional};
use crate::model::{
    ContentRule, ContentTypeMap, NamedAction, ParameterGroup, TypeMapping, TypeMatch,
    UploadedSchema, ValidateAs, ValidateContent, ValidateHeaders, ValidateParameters,
    ValidateStatusCode, ValidationAction,
};
use crate::template::{Typed, ValueType};
use crate::xml::Element;

/// APIM's ceiling for `max-size` (100 KB).
const MAX_SIZE_LIMIT: u32 = 102_400;

const ACTIONS: &str = "ignore, prevent or detect";

fn action(cx: &mut Cx<'_>, a: &mut Attrs<'_>, name: &str) -> Option<ValidationAction> {
    a.required(cx, name).and_then(|v| cx.parsed(v, ACTIONS))
}

/// An action attribute where APIM allows expressions.
fn typed_action(
    cx: &mut Cx<'_>,
    a: &mut Attrs<'_>,
    name: &str,
    required: bool,
) -> Option<Typed<ValidationAction>> {
    let v = if required {
        a.required(cx, name)
    } else {
        a.get(name)
    }?;
    cx.typed(v, ValueType::String, ACTIONS)
}

/// A content type attribute, compared without parameters and case.
fn content_type(cx: &mut Cx<'_>, a: &mut Attrs<'_>, name: &str) -> Option<String> {
    a.string(cx, name)
        .map(|s| contract::media_type(&s).unwrap_or_default())
}

pub(super) fn validate_content(cx: &mut Cx<'_>, el: &Element) -> Option<ValidateContent> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    let unspecified = action(cx, &mut a, "unspecified-content-type-action");
    let max_size = a.required(cx, "max-size").and_then(|v| {
        let n = cx.parsed::<u32>(v, "a size in bytes")?;
        if n > MAX_SIZE_LIMIT {
            cx.error(
                v.pos,
                format!("max-size {n} is above APIM's limit of {MAX_SIZE_LIMIT} bytes"),
            );
            return None;
        }
        Some(n)
    });
    let size_exceeded = action(cx, &mut a, "size-exceeded-action");
    let errors_variable_name = a.string(cx, "errors-variable-name");
    a.finish(cx);
    only_children(cx, el, &["content-type-map", "content"]);
    let mut content_type_map = None;
    for m in el.elements().filter(|c| c.name == "content-type-map") {
        if content_type_map.is_some() {
            cx.error(&m.pos, "<content-type-map> appears more than once");
            continue;
        }
        content_type_map = Some(type_map(cx, m));
    }
    let mut contents = Vec::new();
    for c in el.elements().filter(|c| c.name == "content") {
        if let Some(rule) = content_rule(cx, c) {
            contents.push(rule);
        }
    }
    Some(ValidateContent {
        meta,
        unspecified_content_type_action: unspecified?,
        max_size: max_size?,
        size_exceeded_action: size_exceeded?,
        errors_variable_name,
        content_type_map,
        contents,
    })
}

fn type_map(cx: &mut Cx<'_>, el: &Element) -> ContentTypeMap {
    let mut a = Attrs::new(el);
    let mut map = ContentTypeMap {
        any_content_type_value: content_type(cx, &mut a, "any-content-type-value"),
        missing_content_type_value: content_type(cx, &mut a, "missing-content-type-value"),
        types: Vec::new(),
    };
    a.finish(cx);
    only_children(cx, el, &["type"]);
    for t in el.elements().filter(|c| c.name == "type") {
        let mut ta = Attrs::new(t);
        let from = match (ta.get("from"), ta.get("when")) {
            (Some(f), None) => cx
                .plain(f)
                .map(|s| TypeMatch::From(contract::media_type(&s).unwrap_or_default())),
            (None, Some(w)) => cx
                .typed(w, ValueType::Bool, "true or false")
                .map(TypeMatch::When),
            _ => {
                cx.error(&t.pos, "<type> needs exactly one of 'from' and 'when'");
                None
            }
        };
        let to = ta
            .required(cx, "to")
            .and_then(|v| cx.plain(v))
            .and_then(|s| contract::media_type(&s));
        ta.finish(cx);
        no_children(cx, t);
        if let (Some(from), Some(to)) = (from, to) {
            map.types.push(TypeMapping { from, to });
        }
    }
    map
}

fn content_rule(cx: &mut Cx<'_>, el: &Element) -> Option<ContentRule> {
    let mut a = Attrs::new(el);
    let content_type = content_type(cx, &mut a, "type").filter(|t| !t.is_empty());
    let validate_as = a.required(cx, "validate-as").and_then(|v| {
        let s = cx.plain(v)?;
        match s.to_ascii_lowercase().as_str() {
            "json" => Some(ValidateAs::Json),
            "xml" => Some(ValidateAs::Xml),
            "soap" => Some(ValidateAs::Soap),
            _ => {
                cx.error(
                    v.pos,
                    format!("invalid validate-as '{s}': expected json, xml or soap"),
                );
                None
            }
        }
    });
    let schema_id = a.get("schema-id").map(|v| (v, cx.plain(v)));
    let schema_ref = a.get("schema-ref").map(|v| (v, cx.plain(v)));
    let action = action(cx, &mut a, "action");
    let allow_additional_properties = a
        .get("allow-additional-properties")
        .and_then(|v| cx.parsed::<bool>(v, "true or false"));
    let case_insensitive_property_names = a.bool(cx, "case-insensitive-property-names", false);
    a.finish(cx);
    no_children(cx, el);
    let validate_as = validate_as?;
    let schema = match (schema_id, schema_ref) {
        (None, Some((v, _))) => {
            cx.error(
                v.pos,
                "schema-ref needs schema-id (a schema uploaded under schemas/)",
            );
            return None;
        }
        (None, None) => None,
        (Some((v, id)), r) => {
            let id = id?;
            let schema_ref = match r {
                Some((_, r)) => Some(r?),
                None => None,
            };
            let additional = Additional::from_attr(allow_additional_properties);
            match cx.schemas.get(&id.to_ascii_lowercase()) {
                None => {
                    cx.error(
                        v.pos,
                        format!("schema '{id}' is not defined under schemas/"),
                    );
                    return None;
                }
                // XML schemas are kept so the message can say what is missing: the gateway
                // refuses validate-as="xml|soap" when it checks what it can run.
                Some(None) if validate_as == ValidateAs::Json => {
                    cx.error(v.pos, format!("schema '{id}' is an XML schema; validate-as=\"json\" needs a JSON schema"));
                    return None;
                }
                Some(None) => None,
                Some(Some(doc)) if validate_as == ValidateAs::Json => {
                    match contract::compile_uploaded(doc, schema_ref.as_deref(), additional) {
                        Ok(compiled) => Some(UploadedSchema {
                            id,
                            schema_ref,
                            compiled,
                        }),
                        Err(e) => {
                            cx.error(v.pos, format!("schema '{id}': {e}"));
                            return None;
                        }
                    }
                }
                Some(Some(_)) => None,
            }
        }
    };
    Some(ContentRule {
        content_type,
        validate_as,
        action: action?,
        allow_additional_properties,
        case_insensitive_property_names,
        schema,
    })
}

pub(super) fn validate_parameters(cx: &mut Cx<'_>, el: &Element) -> Option<ValidateParameters> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    let specified = typed_action(cx, &mut a, "specified-parameter-action", true);
    let unspecified = typed_action(cx, &mut a, "unspecified-parameter-action", true);
    let errors_variable_name = a.string(cx, "errors-variable-name");
    a.finish(cx);
    only_children(cx, el, &["headers", "query", "path"]);
    let group = |name: &str, cx: &mut Cx<'_>| {
        let mut out = None;
        for g in el.elements().filter(|c| c.name == name) {
            if out.is_some() {
                cx.error(&g.pos, format!("<{name}> appears more than once"));
                continue;
            }
            let mut ga = Attrs::new(g);
            let specified_parameter_action =
                typed_action(cx, &mut ga, "specified-parameter-action", false);
            let unspecified_parameter_action = if name == "path" {
                None
            } else {
                typed_action(cx, &mut ga, "unspecified-parameter-action", false)
            };
            ga.finish(cx);
            out = Some(ParameterGroup {
                specified_parameter_action,
                unspecified_parameter_action,
                parameters: named_actions(cx, g, "parameter"),
            });
        }
        out
    };
    let headers = group("headers", cx);
    let query = group("query", cx);
    let path = group("path", cx);
    Some(ValidateParameters {
        meta,
        specified_parameter_action: specified?,
        unspecified_parameter_action: unspecified?,
        errors_variable_name,
        headers,
        query,
        path,
    })
}

fn named_actions(cx: &mut Cx<'_>, el: &Element, child: &str) -> Vec<NamedAction> {
    only_children(cx, el, &[child]);
    let mut out = Vec::new();
    for c in el.elements().filter(|c| c.name == child) {
        let mut a = Attrs::new(c);
        let name = a.required(cx, "name").and_then(|v| cx.plain(v));
        let act = action(cx, &mut a, "action");
        a.finish(cx);
        no_children(cx, c);
        if let (Some(name), Some(action)) = (name, act) {
            out.push(NamedAction { name, action });
        }
    }
    out
}

pub(super) fn validate_headers(cx: &mut Cx<'_>, el: &Element) -> Option<ValidateHeaders> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    let specified = typed_action(cx, &mut a, "specified-header-action", true);
    let unspecified = typed_action(cx, &mut a, "unspecified-header-action", true);
    let errors_variable_name = a.string(cx, "errors-variable-name");
    a.finish(cx);
    let headers = named_actions(cx, el, "header");
    Some(ValidateHeaders {
        meta,
        specified_header_action: specified?,
        unspecified_header_action: unspecified?,
        errors_variable_name,
        headers,
    })
}

pub(super) fn validate_status_code(cx: &mut Cx<'_>, el: &Element) -> Option<ValidateStatusCode> {
    let mut a = Attrs::new(el);
    let meta = a.meta(cx);
    let unspecified = typed_action(cx, &mut a, "unspecified-status-code-action", true);
    let errors_variable_name = a.string(cx, "errors-variable-name");
    a.finish(cx);
    only_children(cx, el, &["status-code"]);
    let mut status_codes = Vec::new();
    for c in el.elements().filter(|c| c.name == "status-code") {
        let mut ca = Attrs::new(c);
        let code = ca.required(cx, "code").and_then(|v| {
            let n = cx.parsed::<u16>(v, "an HTTP status code")?;
            if (100..=599).contains(&n) {
                Some(n)
            } else {
                cx.error(v.pos, format!("{n} is not an HTTP status code"));
                None
            }
        });
        let act = action(cx, &mut ca, "action");
        ca.finish(cx);
        no_children(cx, c);
        if let (Some(code), Some(act)) = (code, act) {
            status_codes.push((code, act));
        }
    }
    Some(ValidateStatusCode {
        meta,
        unspecified_status_code_action: unspecified?,
        errors_variable_name,
        status_codes,
    })
}
