//! What an API's OpenAPI specification says about each operation's messages: request body
//! media types and schemas, path/query/header parameters, response status codes with their
//! media types and headers. This is what `validate-content`, `validate-parameters`,
//! `validate-headers` and `validate-status-code` check traffic against.
//!
//! Schemas are compiled once, when the folder is loaded, and only when some validation policy
//! can use them (see `Needs`). OpenAPI 3.0 and Swagger 2.0 schemas are a dialect of JSON Schema
//! draft 4; they are converted first (`nullable`, `x-nullable`, `readOnly`/`writeOnly` in
//! `required`, `format: int32/int64` bounds; see `convert`), then compiled with the `jsonschema`
//! crate. OpenAPI 3.1 schemas are JSON Schema 2020-12 and compiled as they are.
//!
//! Everything here is pure: no I/O. The gateway uses [`coerce`] to turn parameter text into
//! JSON values and [`JsonSchema::check`] to validate them.

mod coerce;
mod compile;
mod convert;
mod extract;
mod schema;

use serde_json::Value;

pub use coerce::{CoerceError, MAX_ITEMS, MAX_VALUE_LEN, coerce, media_type, media_type_matches};
pub(crate) use compile::{Needs, compile_api, compile_uploaded};
pub(crate) use extract::{Spec, extract};
pub use schema::{JsonSchema, Violation};

/// `allow-additional-properties` of a `<content>` element: the three ways a schema can be
/// compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Additional {
    /// The attribute is absent: `additionalProperties` as the schema says.
    AsDeclared,
    /// `true`: additional properties are allowed everywhere, whatever the schema says.
    Allow,
    /// `false`: additional properties are refused in every object schema with `properties`.
    Deny,
}

impl Additional {
    /// From the attribute's value.
    pub fn from_attr(v: Option<bool>) -> Self {
        match v {
            None => Additional::AsDeclared,
            Some(true) => Additional::Allow,
            Some(false) => Additional::Deny,
        }
    }

    fn index(self) -> usize {
        match self {
            Additional::AsDeclared => 0,
            Additional::Allow => 1,
            Additional::Deny => 2,
        }
    }
}

/// Whether a schema describes a request or a response: OpenAPI's `readOnly` properties are
/// not required in requests, `writeOnly` ones not in responses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Direction {
    Request,
    Response,
}

/// One operation's contract.
#[derive(Clone, Debug, Default)]
pub struct Contract {
    /// Request body media types (`requestBody.content`, or Swagger 2 `consumes` with the
    /// `in: body` parameter's schema). Empty when the operation declares no body.
    pub request_body: Vec<Media>,
    /// Path, query and header parameters (path-level ones merged with the operation's).
    pub params: Vec<Param>,
    /// Declared responses.
    pub responses: Vec<Response>,
}

impl Contract {
    /// The request body entry for a (mapped) content type, exact match first, then wildcards
    /// (`application/*`, `*/*`).
    pub fn request_media(&self, content_type: &str) -> Option<&Media> {
        find_media(&self.request_body, content_type)
    }

    /// The response declared for `status`: the exact code, else its range (`2XX`), else
    /// `default`.
    pub fn response(&self, status: u16) -> Option<&Response> {
        let exact = self
            .responses
            .iter()
            .find(|r| r.status == StatusKey::Code(status));
        let range = || {
            self.responses
                .iter()
                .find(|r| r.status == StatusKey::Range((status / 100) as u8))
        };
        let default = || {
            self.responses
                .iter()
                .find(|r| r.status == StatusKey::Default)
        };
        exact.or_else(range).or_else(default)
    }

    /// True when the specification lists `status` itself or its range (`default` does not
    /// count: `validate-status-code` is about codes the API documents).
    pub fn declares_status(&self, status: u16) -> bool {
        self.responses.iter().any(|r| {
            r.status == StatusKey::Code(status)
                || r.status == StatusKey::Range((status / 100) as u8)
        })
    }

    /// The parameters in one location.
    pub fn params_in(&self, location: ParamIn) -> impl Iterator<Item = &Param> {
        self.params.iter().filter(move |p| p.location == location)
    }
}

fn find_media<'a>(list: &'a [Media], content_type: &str) -> Option<&'a Media> {
    list.iter()
        .find(|m| m.media_type.eq_ignore_ascii_case(content_type))
        .or_else(|| {
            list.iter()
                .find(|m| media_type_matches(&m.media_type, content_type))
        })
}

/// One media type of a body, with its schema.
#[derive(Clone, Debug)]
pub struct Media {
    /// Lower-cased media type as the specification writes it (may be `application/*`).
    pub media_type: String,
    /// The definition name used in messages: the `$ref` target's name, or a generated one.
    pub definition: String,
    /// Where the schema is in the specification (JSON pointer); `None` when the media type has
    /// no schema (any well-formed body of that type is accepted).
    pub(crate) pointer: Option<String>,
    /// Compiled per [`Additional`], only those some policy needs.
    pub(crate) compiled: [Option<JsonSchema>; 3],
}

impl Media {
    /// True when the specification gives a schema for this media type.
    pub fn has_schema(&self) -> bool {
        self.pointer.is_some()
    }

    /// The compiled schema for `additional`; `None` when there is no schema or it was not
    /// compiled (no policy asked for that variant).
    pub fn schema(&self, additional: Additional) -> Option<&JsonSchema> {
        self.compiled[additional.index()].as_ref()
    }
}

/// Where a parameter is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParamIn {
    /// A URL template parameter.
    Path,
    /// A query parameter.
    Query,
    /// A request header.
    Header,
    /// A response header.
    ResponseHeader,
}

impl ParamIn {
    /// APIM's words in validation messages (`query parameter`, `path parameter`, `header`).
    pub fn words(self) -> &'static str {
        match self {
            ParamIn::Path => "path parameter",
            ParamIn::Query => "query parameter",
            ParamIn::Header | ParamIn::ResponseHeader => "header",
        }
    }

    /// APIM's `Type` of a validation error.
    pub fn error_type(self) -> &'static str {
        match self {
            ParamIn::Path => "PathParameter",
            ParamIn::Query => "QueryParameter",
            ParamIn::Header => "RequestHeader",
            ParamIn::ResponseHeader => "ResponseHeader",
        }
    }
}

/// How several values of an array parameter are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Split {
    /// One value per occurrence (`style: form, explode: true`; Swagger `collectionFormat: multi`).
    Repeat,
    /// One occurrence holding the items separated by this character (`,` ` ` `\t` `|`).
    Delimited(char),
}

/// The JSON type a parameter's text is read as, from its schema's `type`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `string`, or no `type` at all: the text itself.
    String,
    /// `integer`
    Integer,
    /// `number`
    Number,
    /// `boolean` (`true`/`false`, any case)
    Boolean,
    /// `array` of items of the inner kind.
    Array(Box<Kind>),
    /// `object`: parameter serialisations of objects are not read; the value is not checked.
    Object,
}

/// One parameter or response header.
#[derive(Clone, Debug)]
pub struct Param {
    /// Name as declared (headers compare case-insensitively).
    pub name: String,
    /// Where it is.
    pub location: ParamIn,
    /// `required` (path parameters always are).
    pub required: bool,
    /// How array items are written.
    pub split: Split,
    /// What the text is read as.
    pub kind: Kind,
    /// The definition name used in messages.
    pub definition: String,
    pub(crate) schema_src: SchemaSrc,
    pub(crate) compiled: Option<JsonSchema>,
}

impl Param {
    /// The compiled schema (`None` when the parameter has none or no policy needs it).
    pub fn schema(&self) -> Option<&JsonSchema> {
        self.compiled.as_ref()
    }

    /// Whether `name` is this parameter (headers case-insensitively, others exactly).
    pub fn is(&self, name: &str) -> bool {
        match self.location {
            ParamIn::Header | ParamIn::ResponseHeader => self.name.eq_ignore_ascii_case(name),
            ParamIn::Path | ParamIn::Query => self.name == name,
        }
    }
}

/// Where a parameter's schema comes from.
#[derive(Clone, Debug)]
pub(crate) enum SchemaSrc {
    /// None given.
    None,
    /// A JSON pointer into the specification (OpenAPI 3 `schema`).
    Pointer(String),
    /// Built from Swagger 2 parameter fields (`type`, `format`, `items`, `enum`, bounds).
    Inline(Value),
}

/// A response status key as the specification writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatusKey {
    /// `200`
    Code(u16),
    /// `2XX` (the first digit).
    Range(u8),
    /// `default`
    Default,
}

/// One declared response.
#[derive(Clone, Debug)]
pub struct Response {
    /// Its status key.
    pub status: StatusKey,
    /// Body media types.
    pub media: Vec<Media>,
    /// Declared headers.
    pub headers: Vec<Param>,
}

impl Response {
    /// The body entry for a (mapped) content type.
    pub fn media_for(&self, content_type: &str) -> Option<&Media> {
        find_media(&self.media, content_type)
    }

    /// The declared header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&Param> {
        self.headers.iter().find(|h| h.is(name))
    }
}
