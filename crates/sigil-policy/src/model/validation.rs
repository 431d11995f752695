//! The content validation policies: `validate-content`, `validate-parameters`,
//! `validate-headers`, `validate-status-code`. They check messages against the API's
//! specification (see [`crate::contract`]) or an uploaded schema.

use std::fmt;
use std::str::FromStr;

use super::Meta;
use crate::contract::{Additional, JsonSchema};
use crate::template::Typed;

/// What a validation policy does about a problem (`ignore | prevent | detect`). A child
/// element's action overrides its parent's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValidationAction {
    /// Skip the check.
    Ignore,
    /// Log the problem and stop with an error (400 inbound, 502 outbound).
    Prevent,
    /// Log the problem and go on.
    Detect,
}

impl FromStr for ValidationAction {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "ignore" => Ok(Self::Ignore),
            "prevent" => Ok(Self::Prevent),
            "detect" => Ok(Self::Detect),
            _ => Err(()),
        }
    }
}

impl fmt::Display for ValidationAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Ignore => "ignore",
            Self::Prevent => "prevent",
            Self::Detect => "detect",
        })
    }
}

/// `validate-content`
#[derive(Clone, Debug)]
pub struct ValidateContent {
    /// Common fields.
    pub meta: Meta,
    /// For a content type the API schema does not list.
    pub unspecified_content_type_action: ValidationAction,
    /// Largest body, in bytes (at most 102 400).
    pub max_size: u32,
    /// For a body larger than `max_size`.
    pub size_exceeded_action: ValidationAction,
    /// `context.Variables` entry the errors are added to.
    pub errors_variable_name: Option<String>,
    /// `<content-type-map>`
    pub content_type_map: Option<ContentTypeMap>,
    /// `<content>` elements.
    pub contents: Vec<ContentRule>,
}

/// `<content-type-map>`: the content type validation uses instead of the message's.
#[derive(Clone, Debug, Default)]
pub struct ContentTypeMap {
    /// Used whatever the message's content type (after `<type>` entries).
    pub any_content_type_value: Option<String>,
    /// Used when the message has no (or an empty) content type.
    pub missing_content_type_value: Option<String>,
    /// `<type from|when to/>`, first match wins.
    pub types: Vec<TypeMapping>,
}

/// One `<type>` of a content type map.
#[derive(Clone, Debug)]
pub struct TypeMapping {
    /// Which incoming content types it maps.
    pub from: TypeMatch,
    /// The content type to use (lower case).
    pub to: String,
}

/// The condition of a `<type>`.
#[derive(Clone, Debug)]
pub enum TypeMatch {
    /// `from`: this content type (lower case, compared without parameters).
    From(String),
    /// `when`: a boolean expression.
    When(Typed<bool>),
}

/// `validate-as`
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValidateAs {
    /// `json`
    Json,
    /// `xml`
    Xml,
    /// `soap`
    Soap,
}

/// One `<content>` element.
#[derive(Clone, Debug)]
pub struct ContentRule {
    /// `type` (lower case); `None` means every content type the API schema lists.
    pub content_type: Option<String>,
    /// `validate-as`
    pub validate_as: ValidateAs,
    /// `action`
    pub action: ValidationAction,
    /// `allow-additional-properties`
    pub allow_additional_properties: Option<bool>,
    /// `case-insensitive-property-names` (default false).
    pub case_insensitive_property_names: bool,
    /// `schema-id` (and `schema-ref`), compiled at load; `None` uses the API definition.
    pub schema: Option<UploadedSchema>,
}

impl ContentRule {
    /// Which compiled variant of a schema this element validates with.
    pub fn additional(&self) -> Additional {
        Additional::from_attr(self.allow_additional_properties)
    }
}

/// A `schema-id` schema from `schemas/<id>/`, compiled for one `<content>` element.
#[derive(Clone, Debug)]
pub struct UploadedSchema {
    /// `schema-id` (the definition name in messages).
    pub id: String,
    /// `schema-ref`, if given.
    pub schema_ref: Option<String>,
    /// The compiled schema.
    pub compiled: JsonSchema,
}

/// `validate-parameters`
#[derive(Clone, Debug)]
pub struct ValidateParameters {
    /// Common fields.
    pub meta: Meta,
    /// For parameters the API schema declares.
    pub specified_parameter_action: Typed<ValidationAction>,
    /// For parameters it does not.
    pub unspecified_parameter_action: Typed<ValidationAction>,
    /// `context.Variables` entry the errors are added to.
    pub errors_variable_name: Option<String>,
    /// `<headers>`
    pub headers: Option<ParameterGroup>,
    /// `<query>`
    pub query: Option<ParameterGroup>,
    /// `<path>` (its `unspecified-parameter-action` is never used: a path parameter is in
    /// the URL template by definition).
    pub path: Option<ParameterGroup>,
}

/// `<headers>`, `<query>` or `<path>` of `validate-parameters`.
#[derive(Clone, Debug, Default)]
pub struct ParameterGroup {
    /// Overrides the policy's `specified-parameter-action`.
    pub specified_parameter_action: Option<Typed<ValidationAction>>,
    /// Overrides the policy's `unspecified-parameter-action`.
    pub unspecified_parameter_action: Option<Typed<ValidationAction>>,
    /// `<parameter name action/>`
    pub parameters: Vec<NamedAction>,
}

/// `<parameter name action/>` / `<header name action/>`: the action for one name.
#[derive(Clone, Debug)]
pub struct NamedAction {
    /// The name (headers compare case-insensitively).
    pub name: String,
    /// Its action.
    pub action: ValidationAction,
}

/// `validate-headers`
#[derive(Clone, Debug)]
pub struct ValidateHeaders {
    /// Common fields.
    pub meta: Meta,
    /// For response headers the API schema declares.
    pub specified_header_action: Typed<ValidationAction>,
    /// For response headers it does not.
    pub unspecified_header_action: Typed<ValidationAction>,
    /// `context.Variables` entry the errors are added to.
    pub errors_variable_name: Option<String>,
    /// `<header name action/>`
    pub headers: Vec<NamedAction>,
}

/// `validate-status-code`
#[derive(Clone, Debug)]
pub struct ValidateStatusCode {
    /// Common fields.
    pub meta: Meta,
    /// For status codes the API schema does not declare.
    pub unspecified_status_code_action: Typed<ValidationAction>,
    /// `context.Variables` entry the errors are added to.
    pub errors_variable_name: Option<String>,
    /// `<status-code code action/>`: overrides for undeclared codes.
    pub status_codes: Vec<(u16, ValidationAction)>,
}
