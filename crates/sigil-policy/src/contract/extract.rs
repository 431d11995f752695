//! Reading an operation's contract out of an OpenAPI 3.x or Swagger 2.0 document.
//!
//! Schemas are not copied: each is remembered by its JSON pointer into the document, so that
//! `$ref`s inside it resolve against the document when it is compiled.

use serde_json::{Map, Value};

use super::{Contract, Kind, Media, Param, ParamIn, Response, SchemaSrc, Split, StatusKey};

/// Which specification language a document is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// `swagger: "2.0"`: JSON Schema draft 4 subset, `x-nullable`.
    Swagger2,
    /// `openapi: 3.0.x`: JSON Schema draft 4 subset, `nullable`.
    OpenApi30,
    /// `openapi: 3.1.x`: JSON Schema 2020-12.
    OpenApi31,
}

/// A parsed specification document.
#[derive(Debug)]
pub(crate) struct Spec {
    pub(crate) doc: Value,
    pub(crate) dialect: Dialect,
}

impl Spec {
    pub(crate) fn new(doc: Value) -> Self {
        let dialect = match doc.get("openapi").and_then(Value::as_str) {
            Some(v) if v.starts_with("3.1") => Dialect::OpenApi31,
            Some(_) => Dialect::OpenApi30,
            None => Dialect::Swagger2,
        };
        Self { doc, dialect }
    }
}

/// Most `$ref` hops followed before a reference is taken as unresolvable (cycles).
const MAX_HOPS: usize = 32;

/// The contract of the operation `method` (lower case) at `path`.
pub(crate) fn extract(spec: &Spec, path: &str, method: &str, op_name: &str) -> Contract {
    let item_ptr = format!("/paths/{}", escape(path));
    let op_ptr = format!("{item_ptr}/{method}");
    let Some(op) = spec.doc.pointer(&op_ptr) else {
        return Contract::default();
    };
    let mut out = Contract::default();
    let mut seen: Vec<(String, ParamIn)> = Vec::new();
    // Operation parameters override path-level ones with the same name and location.
    for list_ptr in [
        format!("{op_ptr}/parameters"),
        format!("{item_ptr}/parameters"),
    ] {
        let Some(list) = spec.doc.pointer(&list_ptr).and_then(Value::as_array) else {
            continue;
        };
        for i in 0..list.len() {
            let (ptr, p) = resolve(&spec.doc, format!("{list_ptr}/{i}"));
            let Some(p) = p else { continue };
            let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
            let location = match p.get("in").and_then(Value::as_str) {
                Some("path") => ParamIn::Path,
                Some("query") => ParamIn::Query,
                Some("header") => ParamIn::Header,
                Some("body") if spec.dialect == Dialect::Swagger2 => {
                    if out.request_body.is_empty() && p.get("schema").is_some() {
                        out.request_body =
                            swagger_media(spec, op, &format!("{ptr}/schema"), op_name, "consumes");
                    }
                    continue;
                }
                // Cookies and Swagger 2 form fields are not validated.
                _ => continue,
            };
            // OpenAPI 3: "If in is header and name is Accept, Content-Type or Authorization,
            // the parameter definition SHALL be ignored."
            if location == ParamIn::Header
                && spec.dialect != Dialect::Swagger2
                && ["accept", "content-type", "authorization"]
                    .iter()
                    .any(|n| name.eq_ignore_ascii_case(n))
            {
                continue;
            }
            if name.is_empty() || seen.iter().any(|(n, l)| n == name && *l == location) {
                continue;
            }
            seen.push((name.to_owned(), location));
            out.params
                .push(param(spec, name, location, p, &ptr, op_name));
        }
    }
    if spec.dialect != Dialect::Swagger2 {
        let (rb_ptr, rb) = match op.get("requestBody") {
            Some(_) => resolve(&spec.doc, format!("{op_ptr}/requestBody")),
            None => (String::new(), None),
        };
        if let Some(rb) = rb {
            out.request_body = content(rb, &rb_ptr, &format!("{op_name}-request"));
        }
    }
    out.responses = responses(spec, op, &op_ptr, op_name);
    out
}

fn responses(spec: &Spec, op: &Value, op_ptr: &str, op_name: &str) -> Vec<Response> {
    let mut out = Vec::new();
    let Some(map) = op.get("responses").and_then(Value::as_object) else {
        return out;
    };
    for key in map.keys() {
        let status = match key.as_str() {
            "default" => StatusKey::Default,
            k if k.len() == 3 && k[1..].eq_ignore_ascii_case("xx") => match k[..1].parse::<u8>() {
                Ok(d @ 1..=5) => StatusKey::Range(d),
                _ => continue,
            },
            k => match k.parse::<u16>() {
                Ok(c @ 100..=599) => StatusKey::Code(c),
                _ => continue,
            },
        };
        let (ptr, resp) = resolve(&spec.doc, format!("{op_ptr}/responses/{}", escape(key)));
        let Some(resp) = resp else { continue };
        let fallback = format!("{op_name}-response-{key}");
        let media = if spec.dialect == Dialect::Swagger2 {
            match resp.get("schema") {
                Some(_) => swagger_media(spec, op, &format!("{ptr}/schema"), &fallback, "produces"),
                None => Vec::new(),
            }
        } else {
            content(resp, &ptr, &fallback)
        };
        let mut headers = Vec::new();
        if let Some(hs) = resp.get("headers").and_then(Value::as_object) {
            for name in hs.keys() {
                // The body's media type is described by `content`, never by a header entry.
                if name.eq_ignore_ascii_case("content-type") {
                    continue;
                }
                let (hptr, h) = resolve(&spec.doc, format!("{ptr}/headers/{}", escape(name)));
                if let Some(h) = h {
                    headers.push(param(
                        spec,
                        name,
                        ParamIn::ResponseHeader,
                        h,
                        &hptr,
                        op_name,
                    ));
                }
            }
        }
        out.push(Response {
            status,
            media,
            headers,
        });
    }
    out
}

/// OpenAPI 3 `content`: one [`Media`] per media type.
fn content(owner: &Value, owner_ptr: &str, fallback: &str) -> Vec<Media> {
    let Some(map) = owner.get("content").and_then(Value::as_object) else {
        return Vec::new();
    };
    map.iter()
        .map(|(mt, m)| {
            let pointer = m
                .get("schema")
                .map(|_| format!("{owner_ptr}/content/{}/schema", escape(mt)));
            Media {
                media_type: mt.to_ascii_lowercase(),
                definition: definition_name(m.get("schema"), fallback),
                pointer,
                compiled: Default::default(),
            }
        })
        .collect()
}

/// Swagger 2: one schema shared by the operation's (or document's) `consumes`/`produces`.
fn swagger_media(
    spec: &Spec,
    op: &Value,
    schema_ptr: &str,
    fallback: &str,
    key: &str,
) -> Vec<Media> {
    let types: Vec<String> = op
        .get(key)
        .or_else(|| spec.doc.get(key))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .filter(|v: &Vec<String>| !v.is_empty())
        .unwrap_or_else(|| vec!["application/json".to_owned()]);
    let schema = spec.doc.pointer(schema_ptr);
    types
        .into_iter()
        .map(|media_type| Media {
            media_type,
            definition: definition_name(schema, fallback),
            pointer: Some(schema_ptr.to_owned()),
            compiled: Default::default(),
        })
        .collect()
}

/// One parameter or header object at `ptr`.
fn param(spec: &Spec, name: &str, location: ParamIn, p: &Value, ptr: &str, op_name: &str) -> Param {
    let required = location == ParamIn::Path || p.get("required") == Some(&Value::Bool(true));
    let fallback = format!("{op_name}-{name}");
    if spec.dialect == Dialect::Swagger2 {
        let schema = swagger_schema(p);
        let split = match p.get("collectionFormat").and_then(Value::as_str) {
            Some("multi") => Split::Repeat,
            Some("ssv") => Split::Delimited(' '),
            Some("tsv") => Split::Delimited('\t'),
            Some("pipes") => Split::Delimited('|'),
            _ => Split::Delimited(','),
        };
        return Param {
            name: name.to_owned(),
            location,
            required,
            split,
            kind: kind_of(&spec.doc, &schema, 0),
            definition: fallback,
            schema_src: SchemaSrc::Inline(schema),
            compiled: None,
        };
    }
    let style = p.get("style").and_then(Value::as_str);
    let explode = p
        .get("explode")
        .and_then(Value::as_bool)
        .unwrap_or(style.is_none_or(|s| s == "form") && location == ParamIn::Query);
    let split = match (location, style) {
        (_, Some("spaceDelimited")) => Split::Delimited(' '),
        (_, Some("pipeDelimited")) => Split::Delimited('|'),
        (ParamIn::Query, _) if explode => Split::Repeat,
        _ => Split::Delimited(','),
    };
    let (kind, schema_src) = match p.get("schema") {
        Some(s) => (
            kind_of(&spec.doc, s, 0),
            SchemaSrc::Pointer(format!("{ptr}/schema")),
        ),
        None => (Kind::String, SchemaSrc::None),
    };
    Param {
        name: name.to_owned(),
        location,
        required,
        split,
        kind,
        definition: definition_name(p.get("schema"), &fallback),
        schema_src,
        compiled: None,
    }
}

/// A JSON Schema built from a Swagger 2 non-body parameter or header (its validation fields).
fn swagger_schema(p: &Value) -> Value {
    const KEYS: [&str; 14] = [
        "type",
        "format",
        "enum",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "pattern",
        "minItems",
        "maxItems",
        "uniqueItems",
        "multipleOf",
    ];
    let mut out = Map::new();
    if let Some(obj) = p.as_object() {
        for k in KEYS {
            if let Some(v) = obj.get(k) {
                // `file` is a Swagger 2 form-data type, not a JSON Schema one.
                if k == "type" && v == "file" {
                    continue;
                }
                out.insert(k.to_owned(), v.clone());
            }
        }
        if let Some(items) = obj.get("items") {
            out.insert("items".to_owned(), swagger_schema(items));
        }
    }
    Value::Object(out)
}

/// What a parameter's text is read as, from the schema's `type` (through `$ref`s).
pub(crate) fn kind_of(doc: &Value, schema: &Value, depth: usize) -> Kind {
    let schema = follow(doc, schema);
    let ty = match schema.get("type") {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    };
    match ty {
        Some("integer") => Kind::Integer,
        Some("number") => Kind::Number,
        Some("boolean") => Kind::Boolean,
        Some("object") => Kind::Object,
        Some("array") if depth < 4 => {
            let inner = schema
                .get("items")
                .map_or(Kind::String, |i| kind_of(doc, i, depth + 1));
            Kind::Array(Box::new(inner))
        }
        None if schema.get("properties").is_some() => Kind::Object,
        _ => Kind::String,
    }
}

/// `v` with local `$ref`s followed (at most [`MAX_HOPS`]); `v` itself when one does not resolve.
fn follow<'a>(doc: &'a Value, mut v: &'a Value) -> &'a Value {
    for _ in 0..MAX_HOPS {
        match v
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| doc.pointer(p))
        {
            Some(next) => v = next,
            None => break,
        }
    }
    v
}

/// The object at `ptr` with local `$ref`s followed, and the pointer where it really is.
fn resolve(doc: &Value, mut ptr: String) -> (String, Option<&Value>) {
    for _ in 0..MAX_HOPS {
        let Some(v) = doc.pointer(&ptr) else {
            return (ptr, None);
        };
        match v
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
        {
            Some(next) => ptr = next.to_owned(),
            None => return (ptr, Some(v)),
        }
    }
    (ptr, None)
}

/// The name of a `$ref`'d definition (`#/components/schemas/Pet` → `Pet`), else `fallback`.
fn definition_name(schema: Option<&Value>, fallback: &str) -> String {
    schema
        .and_then(|s| s.get("$ref"))
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
        .filter(|n| !n.is_empty())
        .map_or_else(
            || fallback.to_owned(),
            |n| n.replace("~1", "/").replace("~0", "~"),
        )
}

/// Escapes one JSON pointer segment (RFC 6901).
pub(crate) fn escape(seg: &str) -> String {
    seg.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(v: Value) -> Spec {
        Spec::new(v)
    }

    #[test]
    fn openapi3_bodies_params_and_responses() {
        let s = spec(json!({
            "openapi": "3.0.1",
            "paths": {"/pets/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                "post": {
                    "parameters": [
                        {"$ref": "#/components/parameters/Tags"},
                        {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
                        {"name": "Accept", "in": "header", "schema": {"type": "string"}}
                    ],
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}},
                    "responses": {
                        "201": {"description": "ok", "headers": {"X-Rate": {"schema": {"type": "integer"}, "required": true}},
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}},
                        "4XX": {"description": "client"},
                        "default": {"$ref": "#/components/responses/Error"}
                    }
                }
            }},
            "components": {
                "schemas": {"Pet": {"type": "object"}},
                "parameters": {"Tags": {"name": "tags", "in": "query", "explode": false, "schema": {"type": "array", "items": {"type": "integer"}}}},
                "responses": {"Error": {"description": "e", "content": {"application/problem+json": {"schema": {"type": "object"}}}}}
            }
        }));
        let c = extract(&s, "/pets/{id}", "post", "create-pet");
        let names: Vec<_> = c
            .params
            .iter()
            .map(|p| (p.name.as_str(), p.location))
            .collect();
        assert_eq!(
            names,
            [
                ("tags", ParamIn::Query),
                ("X-Trace", ParamIn::Header),
                ("id", ParamIn::Path)
            ]
        );
        let tags = &c.params[0];
        assert_eq!(tags.kind, Kind::Array(Box::new(Kind::Integer)));
        assert_eq!(tags.split, Split::Delimited(','));
        assert!(
            matches!(&tags.schema_src, SchemaSrc::Pointer(p) if p == "/components/parameters/Tags/schema")
        );
        assert!(c.params[2].required);
        assert_eq!(c.request_body[0].definition, "Pet");
        assert_eq!(
            c.request_body[0].pointer.as_deref(),
            Some("/paths/~1pets~1{id}/post/requestBody/content/application~1json/schema")
        );
        assert!(
            c.response(201)
                .is_some_and(|r| r.header("x-rate").is_some())
        );
        assert!(c.declares_status(404));
        assert!(!c.declares_status(500));
        let d = c.response(500).unwrap();
        assert_eq!(d.status, StatusKey::Default);
        assert!(d.media_for("application/problem+json").is_some());
    }

    #[test]
    fn swagger2_body_and_inline_params() {
        let s = spec(json!({
            "swagger": "2.0",
            "consumes": ["application/json", "text/json"],
            "paths": {"/a": {"get": {
                "parameters": [
                    {"name": "n", "in": "query", "type": "integer", "maximum": 5, "required": true},
                    {"name": "ids", "in": "query", "type": "array", "items": {"type": "integer"}, "collectionFormat": "multi"},
                    {"name": "b", "in": "body", "schema": {"type": "object"}}
                ],
                "responses": {"200": {"schema": {"type": "string"}, "headers": {"X-N": {"type": "integer"}}}}
            }}}
        }));
        let c = extract(&s, "/a", "get", "op");
        assert_eq!(c.request_body.len(), 2);
        assert_eq!(c.request_body[1].media_type, "text/json");
        assert!(
            matches!(&c.params[0].schema_src, SchemaSrc::Inline(v) if v == &json!({"type": "integer", "maximum": 5}))
        );
        assert_eq!(c.params[1].split, Split::Repeat);
        let r = c.response(200).unwrap();
        assert_eq!(r.media[0].media_type, "application/json");
        assert_eq!(r.headers[0].kind, Kind::Integer);
    }

    #[test]
    fn reference_cycles_end() {
        let s = spec(json!({"openapi": "3.0.0", "paths": {"/a": {"get": {
            "parameters": [{"$ref": "#/components/parameters/A"}],
            "responses": {}}}},
            "components": {"parameters": {"A": {"$ref": "#/components/parameters/A"}}}}));
        assert!(extract(&s, "/a", "get", "op").params.is_empty());
    }
}
