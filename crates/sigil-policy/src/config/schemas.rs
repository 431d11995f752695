//! `schemas/<id>/schemaInformation.json`: schemas uploaded to the service (APIM's
//! `/schemas/<id>` resources) for `validate-content schema-id`.

use serde::Deserialize;
use serde_json::Value;

use super::files::Folder;
use crate::build::Schemas;
use crate::diag::{Diags, Pos};

#[derive(Deserialize)]
struct Info {
    properties: SchemaJson,
}

/// The ARM `properties` of a `Microsoft.ApiManagement/service/schemas` resource.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SchemaJson {
    schema_type: String,
    /// A JSON schema, as an object.
    document: Option<Value>,
    /// A schema as text: XML, or JSON written as a string.
    value: Option<String>,
}

/// Reads every uploaded schema. Keys are lower-cased ids (APIM resource names compare
/// case-insensitively); XML schemas are kept as `None`.
pub(super) fn load(folder: &Folder<'_>, diags: &mut Diags) -> Schemas {
    let mut out = Schemas::new();
    for (id, dir) in folder.subdirs(&["schemas"]) {
        let file = dir.join("schemaInformation.json");
        let pos = Pos::start_of(&folder.rel(&file));
        let Some(Info { properties: s }) = folder.json::<Info>(&file, diags) else {
            continue;
        };
        let doc = match s.schema_type.to_ascii_lowercase().as_str() {
            "xml" => None,
            "json" => match (s.document, s.value) {
                (Some(d), _) => Some(d),
                (None, Some(text)) => match serde_json::from_str(&text) {
                    Ok(d) => Some(d),
                    Err(e) => {
                        diags.error(&pos, format!("schema '{id}': 'value' is not JSON: {e}"));
                        continue;
                    }
                },
                (None, None) => {
                    diags.error(
                        &pos,
                        format!("schema '{id}' has neither 'document' nor 'value'"),
                    );
                    continue;
                }
            },
            other => {
                diags.error(
                    &pos,
                    format!("schema '{id}': unknown schemaType '{other}' (expected json or xml)"),
                );
                continue;
            }
        };
        out.insert(id.to_ascii_lowercase(), doc);
    }
    out
}
