//! `MapContext`: an [`EvalContext`] built from plain maps, for tests here and in the gateway.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use sigil_core::UnixTime;

use crate::context::{EvalContext, Message, Presence, Property, UrlKind};
use crate::value::Value;

/// A simple context: headers, query, variables and properties from maps; a fixed clock; GUIDs
/// from a counter; body consumption tracked like APIM (read once unless preserved).
#[derive(Debug)]
pub struct MapContext {
    /// Unix time returned by `now()`.
    pub now: UnixTime,
    /// Request headers (name, value); repeated names are joined with ','.
    pub request_headers: Vec<(String, String)>,
    /// Response headers.
    pub response_headers: Vec<(String, String)>,
    /// Query parameters of `Request.Url` (and `OriginalUrl`).
    pub query: Vec<(String, String)>,
    /// `Request.MatchedParameters`.
    pub matched: HashMap<String, String>,
    /// `context.Variables`.
    pub variables: HashMap<String, Value>,
    /// Scalar properties.
    pub properties: HashMap<Property, Value>,
    /// Objects reported absent by `has()`.
    pub absent: Vec<Presence>,
    /// Request body.
    pub request_body: Option<Bytes>,
    /// Response body.
    pub response_body: Option<Bytes>,
    consumed: Mutex<Vec<Message>>,
    guid_counter: Mutex<u128>,
    /// Messages passed to `context.Trace`.
    pub traces: Mutex<Vec<String>>,
}

impl Default for MapContext {
    fn default() -> Self {
        Self::new()
    }
}

impl MapContext {
    /// Empty context at 2024-01-01T00:00:00Z, method GET, URL `https://api.example.com/`,
    /// caller 203.0.113.7, `Elapsed` zero, gateway id "managed".
    pub fn new() -> Self {
        let mut properties = HashMap::new();
        properties.insert(Property::RequestMethod, Value::str("GET"));
        properties.insert(Property::RequestIpAddress, Value::str("203.0.113.7"));
        for k in [UrlKind::Current, UrlKind::Original] {
            properties.insert(Property::UrlScheme(k), Value::str("https"));
            properties.insert(Property::UrlHost(k), Value::str("api.example.com"));
            properties.insert(Property::UrlPort(k), Value::Int(443));
            properties.insert(Property::UrlPath(k), Value::str("/"));
            properties.insert(Property::UrlQueryString(k), Value::str(""));
        }
        let now = UnixTime::from_secs(1_704_067_200);
        properties.insert(
            Property::Elapsed,
            Value::TimeSpan(crate::TimeSpan::from_ticks(0)),
        );
        properties.insert(
            Property::Timestamp,
            Value::DateTime(crate::DateTime::from_unix(now)),
        );
        properties.insert(Property::RequestId, Value::Guid(uuid::Uuid::from_u128(1)));
        properties.insert(Property::DeploymentGatewayId, Value::str("managed"));
        Self {
            now,
            request_headers: Vec::new(),
            response_headers: Vec::new(),
            query: Vec::new(),
            matched: HashMap::new(),
            variables: HashMap::new(),
            properties,
            absent: Vec::new(),
            request_body: None,
            response_body: None,
            consumed: Mutex::new(Vec::new()),
            guid_counter: Mutex::new(1),
            traces: Mutex::new(Vec::new()),
        }
    }

    /// Adds a request header.
    pub fn with_request_header(mut self, name: &str, value: &str) -> Self {
        self.request_headers.push((name.into(), value.into()));
        self
    }

    /// Adds a response header.
    pub fn with_response_header(mut self, name: &str, value: &str) -> Self {
        self.response_headers.push((name.into(), value.into()));
        self
    }

    /// Adds a query parameter.
    pub fn with_query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Sets a variable.
    pub fn with_variable(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.variables.insert(name.into(), value.into());
        self
    }

    /// Sets a scalar property.
    pub fn with_property(mut self, p: Property, value: impl Into<Value>) -> Self {
        self.properties.insert(p, value.into());
        self
    }

    /// Sets a matched template parameter.
    pub fn with_matched(mut self, name: &str, value: &str) -> Self {
        self.matched.insert(name.into(), value.into());
        self
    }

    /// Sets the request body.
    pub fn with_request_body(mut self, body: &str) -> Self {
        self.request_body = Some(Bytes::copy_from_slice(body.as_bytes()));
        self
    }

    /// Marks a nullable context object absent.
    pub fn without(mut self, p: Presence) -> Self {
        self.absent.push(p);
        self
    }

    fn lookup(list: &[(String, String)], name: &str) -> Option<Arc<str>> {
        let vals: Vec<&str> = list
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect();
        (!vals.is_empty()).then(|| Arc::from(vals.join(",")))
    }

    fn names(list: &[(String, String)]) -> Vec<Arc<str>> {
        let mut out: Vec<Arc<str>> = Vec::new();
        for (k, _) in list {
            if !out.iter().any(|n| n.eq_ignore_ascii_case(k)) {
                out.push(Arc::from(k.as_str()));
            }
        }
        out
    }
}

impl EvalContext for MapContext {
    fn now(&self) -> UnixTime {
        self.now
    }

    fn new_guid(&self) -> uuid::Uuid {
        let mut c = self
            .guid_counter
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *c += 1;
        uuid::Uuid::from_u128(*c)
    }

    fn property(&self, prop: Property) -> Value {
        self.properties.get(&prop).cloned().unwrap_or(Value::Null)
    }

    fn has(&self, obj: Presence) -> bool {
        !self.absent.contains(&obj)
    }

    fn header(&self, msg: Message, name: &str) -> Option<Arc<str>> {
        match msg {
            Message::Request => Self::lookup(&self.request_headers, name),
            Message::Response => Self::lookup(&self.response_headers, name),
        }
    }

    fn header_names(&self, msg: Message) -> Vec<Arc<str>> {
        match msg {
            Message::Request => Self::names(&self.request_headers),
            Message::Response => Self::names(&self.response_headers),
        }
    }

    fn query(&self, _url: UrlKind, name: &str) -> Option<Arc<str>> {
        Self::lookup(&self.query, name)
    }

    fn query_names(&self, _url: UrlKind) -> Vec<Arc<str>> {
        Self::names(&self.query)
    }

    fn matched_parameter(&self, name: &str) -> Option<Arc<str>> {
        self.matched.get(name).map(|v| Arc::from(v.as_str()))
    }

    fn variable(&self, name: &str) -> Option<Value> {
        self.variables.get(name).cloned()
    }

    fn body(&self, msg: Message, preserve: bool) -> Result<Option<Bytes>, String> {
        let mut consumed = self
            .consumed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if consumed.contains(&msg) {
            // APIM: once read without preserveContent the stream is gone.
            return Ok(None);
        }
        if !preserve {
            consumed.push(msg);
        }
        Ok(match msg {
            Message::Request => self.request_body.clone(),
            Message::Response => self.response_body.clone(),
        })
    }

    fn trace(&self, message: &str) {
        self.traces
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(message.to_string());
    }
}
