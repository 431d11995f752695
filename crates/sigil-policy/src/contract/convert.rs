//! OpenAPI schema objects → JSON Schema the validator understands.
//!
//! OpenAPI 3.0 and Swagger 2.0 schemas are JSON Schema draft 4 with a few changes; these are
//! rewritten so that draft 4 validation means what the specification author meant:
//!
//! * `nullable: true` (3.0) and `x-nullable: true` (Swagger 2) add `"null"` to `type` (and to
//!   `enum` when there is one).
//! * A property marked `readOnly` is not required in a request, one marked `writeOnly` not in a
//!   response (OpenAPI 3.0 §4.7.25.1; only for properties written inline, not through `$ref`).
//! * `format: int32` / `int64` bound integers to their range when no bound is written.
//! * Swagger 2's `type: file` (a download) is dropped; a boolean `required` (draft 3 style) is
//!   dropped.
//! * `allow-additional-properties="true"` removes every `additionalProperties`;
//!   `"false"` sets `additionalProperties: false` on every object schema. Note that the latter
//!   makes `allOf` compositions of object schemas refuse each other's properties, as it does in
//!   any draft 4 validator.
//!
//! Keywords OpenAPI adds (`discriminator`, `xml`, `example`, `externalDocs`, `deprecated`) are
//! annotations the validator ignores. OpenAPI 3.1 schemas are JSON Schema 2020-12: only the
//! `readOnly`/`writeOnly` and additional-properties rules apply to them.

use serde_json::{Map, Value, json};

use super::extract::{Dialect, Spec};
use super::{Additional, Direction};

/// Deepest schema nesting rewritten (specifications are parsed with serde's own depth limit,
/// this only keeps the walk bounded whatever the input).
const MAX_DEPTH: usize = 256;

/// One way of rewriting schemas.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rewrite {
    /// Read `nullable` / `x-nullable`.
    pub(crate) nullable: bool,
    /// Request or response rules for `readOnly` / `writeOnly`; `None` for uploaded schemas.
    pub(crate) direction: Option<Direction>,
    pub(crate) additional: Additional,
}

impl Rewrite {
    /// The rewrite for an API specification.
    pub(crate) fn for_spec(spec: &Spec, direction: Direction, additional: Additional) -> Self {
        Self {
            nullable: spec.dialect != Dialect::OpenApi31,
            direction: Some(direction),
            additional,
        }
    }

    /// A whole OpenAPI document: every schema it holds rewritten.
    pub(crate) fn document(&self, doc: &Value) -> Value {
        let mut out = doc.clone();
        self.structure(&mut out, 0);
        out
    }

    /// An uploaded schema document: the root and its `definitions`/`$defs`, plus
    /// `components/schemas` when it is an OpenAPI-shaped document.
    pub(crate) fn uploaded(&self, doc: &Value) -> Value {
        let mut out = doc.clone();
        if let Some(schemas) = out
            .get_mut("components")
            .and_then(|c| c.get_mut("schemas"))
            .and_then(Value::as_object_mut)
        {
            for s in schemas.values_mut() {
                self.schema(s, 0);
            }
        }
        self.schema(&mut out, 0);
        out
    }

    /// Walks OpenAPI structure (paths, operations, components) looking for schemas.
    fn structure(&self, v: &mut Value, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match v {
            Value::Object(map) => {
                for (k, child) in map.iter_mut() {
                    match k.as_str() {
                        "schema" => self.schema(child, 0),
                        // `components/schemas/*` (3.x) and `definitions/*` (2.0) are schemas.
                        "schemas" | "definitions" => {
                            if let Some(m) = child.as_object_mut() {
                                for s in m.values_mut() {
                                    self.schema(s, 0);
                                }
                            }
                        }
                        // Examples are data, not structure.
                        "example" | "examples" => {}
                        _ => self.structure(child, depth + 1),
                    }
                }
            }
            Value::Array(items) => {
                for child in items {
                    self.structure(child, depth + 1);
                }
            }
            _ => {}
        }
    }

    /// Rewrites one schema object and the schemas inside it.
    fn schema(&self, v: &mut Value, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let Some(map) = v.as_object_mut() else {
            return;
        };
        if self.nullable {
            nullable(map);
        }
        if map.get("type").and_then(Value::as_str) == Some("file") {
            map.remove("type");
        }
        if map.get("required").is_some_and(|r| !r.is_array()) {
            map.remove("required");
        }
        if let Some(dir) = self.direction {
            not_required_one_way(map, dir);
        }
        int_bounds(map);
        let is_object = map.get("type").is_some_and(|t| has_type(t, "object"))
            || map.contains_key("properties");
        match self.additional {
            Additional::AsDeclared => {}
            Additional::Allow => {
                map.remove("additionalProperties");
            }
            Additional::Deny if is_object => {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            Additional::Deny => {}
        }
        for (k, child) in map.iter_mut() {
            match k.as_str() {
                "properties" | "patternProperties" | "definitions" | "$defs"
                | "dependentSchemas" => {
                    if let Some(m) = child.as_object_mut() {
                        for s in m.values_mut() {
                            self.schema(s, depth + 1);
                        }
                    }
                }
                "items" | "allOf" | "anyOf" | "oneOf" | "prefixItems" => match child {
                    Value::Array(list) => {
                        for s in list {
                            self.schema(s, depth + 1);
                        }
                    }
                    other => self.schema(other, depth + 1),
                },
                "additionalProperties"
                | "additionalItems"
                | "not"
                | "contains"
                | "if"
                | "then"
                | "else"
                | "propertyNames"
                | "unevaluatedProperties"
                | "unevaluatedItems" => self.schema(child, depth + 1),
                _ => {}
            }
        }
    }
}

fn has_type(t: &Value, name: &str) -> bool {
    match t {
        Value::String(s) => s == name,
        Value::Array(a) => a.iter().any(|x| x == name),
        _ => false,
    }
}

fn nullable(map: &mut Map<String, Value>) {
    let on = |k: &str| map.get(k) == Some(&Value::Bool(true));
    if !(on("nullable") || on("x-nullable")) {
        return;
    }
    match map.get_mut("type") {
        Some(Value::String(t)) if t != "null" => {
            let t = std::mem::take(t);
            map.insert("type".into(), json!([t, "null"]));
        }
        Some(Value::Array(list)) if !list.iter().any(|x| x == "null") => {
            list.push(Value::String("null".into()));
        }
        _ => {}
    }
    if let Some(Value::Array(list)) = map.get_mut("enum") {
        if !list.contains(&Value::Null) {
            list.push(Value::Null);
        }
    }
}

fn not_required_one_way(map: &mut Map<String, Value>, dir: Direction) {
    let flag = match dir {
        Direction::Request => "readOnly",
        Direction::Response => "writeOnly",
    };
    let one_way: Vec<String> = match map.get("properties").and_then(Value::as_object) {
        Some(props) => props
            .iter()
            .filter(|(_, s)| s.get(flag) == Some(&Value::Bool(true)))
            .map(|(k, _)| k.clone())
            .collect(),
        None => return,
    };
    if one_way.is_empty() {
        return;
    }
    if let Some(Value::Array(req)) = map.get_mut("required") {
        req.retain(|r| !r.as_str().is_some_and(|r| one_way.iter().any(|o| o == r)));
        if req.is_empty() {
            // Draft 4 requires a non-empty `required`.
            map.remove("required");
        }
    }
}

fn int_bounds(map: &mut Map<String, Value>) {
    if !map.get("type").is_some_and(|t| has_type(t, "integer")) {
        return;
    }
    let (min, max) = match map.get("format").and_then(Value::as_str) {
        Some("int32") => (json!(i32::MIN), json!(i32::MAX)),
        Some("int64") => (json!(i64::MIN), json!(i64::MAX)),
        _ => return,
    };
    map.entry("minimum").or_insert(min);
    map.entry("maximum").or_insert(max);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rw(direction: Option<Direction>, additional: Additional) -> Rewrite {
        Rewrite {
            nullable: true,
            direction,
            additional,
        }
    }

    #[test]
    fn nullable_and_bounds() {
        let mut v = json!({"type": "integer", "format": "int32", "nullable": true, "enum": [1, 2]});
        rw(None, Additional::AsDeclared).schema(&mut v, 0);
        assert_eq!(v["type"], json!(["integer", "null"]));
        assert_eq!(v["enum"], json!([1, 2, null]));
        assert_eq!(v["minimum"], json!(i32::MIN));
        assert_eq!(v["maximum"], json!(i32::MAX));
    }

    #[test]
    fn read_only_is_not_required_in_requests() {
        let s = json!({"type": "object", "required": ["id", "name"],
            "properties": {"id": {"type": "integer", "readOnly": true}, "name": {"type": "string"},
            "secret": {"type": "string", "writeOnly": true}}});
        let mut req = s.clone();
        rw(Some(Direction::Request), Additional::AsDeclared).schema(&mut req, 0);
        assert_eq!(req["required"], json!(["name"]));
        let mut resp = s;
        rw(Some(Direction::Response), Additional::AsDeclared).schema(&mut resp, 0);
        assert_eq!(resp["required"], json!(["id", "name"]));
    }

    #[test]
    fn additional_properties_overrides_reach_nested_schemas() {
        let s = json!({"type": "object", "additionalProperties": false,
            "properties": {"inner": {"properties": {"a": {}}}, "list": {"items": {"type": "object"}}}});
        let mut allow = s.clone();
        rw(None, Additional::Allow).schema(&mut allow, 0);
        assert!(allow.get("additionalProperties").is_none());
        let mut deny = s;
        rw(None, Additional::Deny).schema(&mut deny, 0);
        assert_eq!(
            deny["properties"]["inner"]["additionalProperties"],
            json!(false)
        );
        assert_eq!(
            deny["properties"]["list"]["items"]["additionalProperties"],
            json!(false)
        );
    }

    #[test]
    fn documents_are_walked_for_schemas_but_not_examples() {
        let doc = json!({"openapi": "3.0.0", "paths": {"/a": {"post": {"requestBody": {"content": {
            "application/json": {"schema": {"type": "string", "nullable": true},
                                 "example": {"schema": {"type": "string", "nullable": true}}}}}}}},
            "components": {"schemas": {"A": {"type": "number", "nullable": true}}}});
        let spec = Spec::new(doc.clone());
        let out =
            Rewrite::for_spec(&spec, Direction::Request, Additional::AsDeclared).document(&doc);
        let body = &out["paths"]["/a"]["post"]["requestBody"]["content"]["application/json"];
        assert_eq!(body["schema"]["type"], json!(["string", "null"]));
        assert_eq!(body["example"]["schema"]["type"], json!("string"));
        assert_eq!(
            out["components"]["schemas"]["A"]["type"],
            json!(["number", "null"])
        );
    }
}
