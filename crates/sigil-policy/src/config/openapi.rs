//! Operations from an OpenAPI 3 or Swagger 2 specification (JSON or YAML).

use serde_json::Value;

use crate::contract::{self, Contract, Spec};

/// A response example `mock-response` can return.
#[derive(Clone, Debug, PartialEq)]
pub struct MockExample {
    /// Response status code.
    pub status: u16,
    /// Media type.
    pub content_type: String,
    /// The example, when the specification gives one (else the gateway answers with an empty
    /// body, or a sample it generates from `schema`).
    pub example: Option<Value>,
    /// The schema, for generating a sample.
    pub schema: Option<Value>,
}

/// One operation as the specification declares it.
#[derive(Clone, Debug)]
pub(crate) struct SpecOperation {
    pub(crate) name: String,
    pub(crate) method: String,
    pub(crate) url_template: String,
    pub(crate) summary: Option<String>,
    pub(crate) examples: Vec<MockExample>,
    /// Bodies, parameters and responses (schemas not compiled yet).
    pub(crate) contract: Contract,
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Parses the specification text; `yaml` selects the YAML reader. Returns the operations and
/// the document (kept for compiling schemas once the policies are known).
pub(crate) fn parse(text: &str, yaml: bool) -> Result<(Vec<SpecOperation>, Spec), String> {
    let doc: Value = if yaml {
        serde_saphyr::from_str(text).map_err(|e| format!("invalid YAML: {e}"))?
    } else {
        serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?
    };
    let swagger2 = doc.get("swagger").is_some();
    if !swagger2 && doc.get("openapi").is_none() {
        return Err("not an OpenAPI document: neither 'openapi' nor 'swagger' is set".into());
    }
    let spec = Spec::new(doc);
    let doc = &spec.doc;
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Ok((Vec::new(), spec));
    };
    let mut ops = Vec::new();
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let name = op.get("operationId").and_then(Value::as_str).map_or_else(
                || {
                    format!("{method}{}", path.replace(['/', '{', '}'], "-"))
                        .trim_end_matches('-')
                        .to_owned()
                },
                str::to_owned,
            );
            let contract = contract::extract(&spec, path, method, &name);
            ops.push(SpecOperation {
                contract,
                name,
                method: method.to_ascii_uppercase(),
                url_template: path.clone(),
                summary: op.get("summary").and_then(Value::as_str).map(str::to_owned),
                examples: examples(op, swagger2),
            });
        }
    }
    Ok((ops, spec))
}

fn examples(op: &Value, swagger2: bool) -> Vec<MockExample> {
    let mut out = Vec::new();
    let Some(responses) = op.get("responses").and_then(Value::as_object) else {
        return out;
    };
    for (code, resp) in responses {
        let Ok(status) = code.parse::<u16>() else {
            continue;
        };
        if swagger2 {
            if let Some(ex) = resp.get("examples").and_then(Value::as_object) {
                for (ct, v) in ex {
                    out.push(MockExample {
                        status,
                        content_type: ct.clone(),
                        example: Some(v.clone()),
                        schema: resp.get("schema").cloned(),
                    });
                }
            }
            continue;
        }
        let Some(content) = resp.get("content").and_then(Value::as_object) else {
            continue;
        };
        for (ct, media) in content {
            let example = media.get("example").cloned().or_else(|| {
                media
                    .get("examples")
                    .and_then(Value::as_object)
                    .and_then(|m| m.values().next())
                    .and_then(|e| e.get("value").cloned())
            });
            out.push(MockExample {
                status,
                content_type: ct.clone(),
                example,
                schema: media.get("schema").cloned(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_openapi3_yaml_with_examples() {
        let y = "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  /users/{id}:\n    get:\n      operationId: get-user\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              example: {id: 1}\n";
        let (ops, _) = parse(y, true).unwrap();
        assert_eq!(ops.len(), 1);
        assert_eq!(
            (
                ops[0].name.as_str(),
                ops[0].method.as_str(),
                ops[0].url_template.as_str()
            ),
            ("get-user", "GET", "/users/{id}")
        );
        assert_eq!(
            ops[0].examples[0].example,
            Some(serde_json::json!({"id": 1}))
        );
    }

    #[test]
    fn reads_swagger2_json_and_names_unnamed_operations() {
        let j = r#"{"swagger":"2.0","paths":{"/a/{b}":{"post":{"responses":{"201":{"examples":{"application/json":{"x":1}}}}}}}}"#;
        let (ops, _) = parse(j, false).unwrap();
        assert_eq!(ops[0].name, "post-a--b");
        assert_eq!(ops[0].examples[0].status, 201);
        assert!(parse("{}", false).is_err());
    }
}
