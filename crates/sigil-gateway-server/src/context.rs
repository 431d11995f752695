//! Per-request state (`Exchange`) and the `context` object expressions see over it.
//!
//! Policies mutate the exchange between expression evaluations; an expression only ever gets a
//! shared reference. Bodies sit behind a mutex because reading one without
//! `preserveContent: true` consumes it, as in APIM, and that happens through `&self`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use http::HeaderMap;
use sigil_core::{Clock, UnixTime};
use sigil_expr::{DateTime, EvalContext, Message, Presence, Property, TimeSpan, UrlKind, Value};
use sigil_policy::{Access, Api, GatewayConfig, Operation, Product, Subscription};

use crate::errors::LastError;
use crate::url::{BaseUrl, join_path, query_string};

/// A message body as the pipeline holds it.
#[derive(Debug, Default)]
pub(crate) enum BodySlot {
    /// No body.
    #[default]
    Empty,
    /// Read into memory (a policy needs it, or a policy set it).
    Bytes(Bytes),
    /// Not read: passed through to the other side as it arrives.
    Stream(axum::body::Body),
    /// Read by an expression without `preserveContent: true`; APIM forwards nothing after that.
    Consumed,
}

/// Locks a body slot (a poisoned lock only means another policy panicked; the data is fine).
pub(crate) fn lock(m: &Mutex<BodySlot>) -> std::sync::MutexGuard<'_, BodySlot> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The response being built: from the backend, `return-response`, `mock-response` or an error.
#[derive(Debug)]
pub(crate) struct Resp {
    pub(crate) status: u16,
    pub(crate) reason: Option<String>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Mutex<BodySlot>,
}

impl Resp {
    /// 200 with no headers and no body (APIM's default for `return-response`).
    pub(crate) fn ok() -> Self {
        Self::with(200, HeaderMap::new(), BodySlot::Empty)
    }

    pub(crate) fn with(status: u16, headers: HeaderMap, body: BodySlot) -> Self {
        Self {
            status,
            reason: None,
            headers,
            body: Mutex::new(body),
        }
    }
}

/// Who the request is, as the route and subscription check found.
#[derive(Debug)]
pub(crate) struct Identity<'c> {
    pub(crate) api: &'c Api,
    /// `None` when no operation matched (`OperationNotFound` runs the API's on-error).
    pub(crate) operation: Option<&'c Operation>,
    pub(crate) product: Option<&'c Product>,
    pub(crate) subscription: Option<(&'c Subscription, String)>,
}

impl<'c> Identity<'c> {
    pub(crate) fn new(
        api: &'c Api,
        operation: Option<&'c Operation>,
        access: Option<&Access<'c>>,
    ) -> Self {
        let (product, subscription) = match access {
            Some(Access::Subscription {
                subscription,
                product,
                key,
            }) => {
                let k = match key {
                    sigil_policy::KeyKind::Primary => subscription.primary_key.expose().clone(),
                    sigil_policy::KeyKind::Secondary => subscription
                        .secondary_key
                        .as_ref()
                        .map(|s| s.expose().clone())
                        .unwrap_or_default(),
                };
                (*product, Some((*subscription, k)))
            }
            Some(Access::OpenProduct(p)) => (Some(*p), None),
            _ => (None, None),
        };
        Self {
            api,
            operation,
            product,
            subscription,
        }
    }
}

/// Where the request came in (for `context.Request.OriginalUrl`).
#[derive(Clone, Debug)]
pub(crate) struct Original {
    pub(crate) scheme: String,
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
}

/// Values from `GatewayOptions` that expressions can read.
#[derive(Clone, Debug)]
pub(crate) struct Deployment {
    pub(crate) gateway_id: Arc<str>,
    pub(crate) region: Arc<str>,
    pub(crate) service_name: Arc<str>,
}

/// Everything one request carries through the pipeline.
#[derive(Debug)]
pub(crate) struct Exchange<'c> {
    pub(crate) cfg: &'c GatewayConfig,
    pub(crate) clock: &'c dyn Clock,
    pub(crate) deployment: &'c Deployment,
    pub(crate) who: Identity<'c>,
    pub(crate) start: UnixTime,
    pub(crate) request_id: uuid::Uuid,
    pub(crate) client_ip: IpAddr,
    pub(crate) method: String,
    pub(crate) original: Original,
    pub(crate) matched: Vec<(String, String)>,
    /// Path below the API prefix (rewritten by `rewrite-uri`), starting with `/`.
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    /// Where `forward-request` sends the request (`serviceUrl` or `set-backend-service`).
    pub(crate) backend: Option<Arc<BaseUrl>>,
    /// Credentials of a `backend-id` backend, added when forwarding.
    pub(crate) backend_headers: Vec<(String, String)>,
    pub(crate) backend_query: Vec<(String, String)>,
    pub(crate) req_headers: HeaderMap,
    pub(crate) req_body: Mutex<BodySlot>,
    pub(crate) response: Option<Resp>,
    pub(crate) variables: HashMap<String, Value>,
    pub(crate) last_error: Option<LastError>,
    /// Headers the `cors` policy adds to the final response.
    pub(crate) cors_headers: Vec<(http::HeaderName, http::HeaderValue)>,
    /// Only the first `cors` policy applies.
    pub(crate) cors_seen: bool,
    /// The `traceparent` sent to the backend.
    pub(crate) traceparent: String,
    /// The `X-Forwarded-For` sent to the backend.
    pub(crate) forwarded_for: String,
    /// Headers the rate-limit and quota policies add to the final response.
    pub(crate) limit_headers: Vec<(http::HeaderName, http::HeaderValue)>,
    /// Counts added after the response (`increment-condition`, bandwidth).
    pub(crate) deferred: Vec<crate::policies::limits::Deferred>,
    /// Quota keys already counted by this request.
    pub(crate) counted: std::collections::HashSet<String>,
}

impl Exchange<'_> {
    fn joined(h: &HeaderMap, name: &str) -> Option<Arc<str>> {
        let mut out: Option<String> = None;
        for v in h.get_all(name) {
            let v = String::from_utf8_lossy(v.as_bytes());
            match &mut out {
                Some(s) => {
                    s.push(',');
                    s.push_str(&v);
                }
                None => out = Some(v.into_owned()),
            }
        }
        out.map(Arc::from)
    }

    fn headers_of(&self, msg: Message) -> Option<&HeaderMap> {
        match msg {
            Message::Request => Some(&self.req_headers),
            Message::Response => self.response.as_ref().map(|r| &r.headers),
        }
    }

    /// `context.Request.Url` path: the backend's base path plus the operation path, or the
    /// API's public path when no backend is known yet.
    fn current_path(&self) -> String {
        match &self.backend {
            Some(b) => join_path(&b.path, &self.path),
            None => join_path(&format!("/{}", self.who.api.path), &self.path),
        }
    }

    fn url_prop(&self, kind: UrlKind, prop: Property) -> Value {
        let o = &self.original;
        let (scheme, host, port) = match (kind, &self.backend) {
            (UrlKind::Current, Some(b)) => (b.scheme.as_str(), b.host.as_str(), b.port),
            _ => (o.scheme.as_str(), o.host.as_str(), o.port),
        };
        match prop {
            Property::UrlScheme(_) => Value::str(scheme),
            Property::UrlHost(_) => Value::str(host),
            Property::UrlPort(_) => Value::Int(i64::from(port)),
            Property::UrlPath(_) => match kind {
                UrlKind::Current => Value::from(self.current_path()),
                UrlKind::Original => Value::str(&o.path),
            },
            Property::UrlQueryString(_) => Value::from(query_string(match kind {
                UrlKind::Current => &self.query,
                UrlKind::Original => &o.query,
            })),
            _ => Value::Null,
        }
    }

    fn opt(s: &Option<String>) -> Value {
        s.as_deref().map_or(Value::Null, Value::str)
    }
}

impl EvalContext for Exchange<'_> {
    fn now(&self) -> UnixTime {
        self.clock.now()
    }

    fn new_guid(&self) -> uuid::Uuid {
        uuid::Uuid::new_v4()
    }

    fn property(&self, prop: Property) -> Value {
        let w = &self.who;
        let e = self.last_error.as_ref();
        let err = |f: fn(&LastError) -> &String| e.map_or(Value::Null, |e| Value::str(f(e)));
        let sub = w.subscription.as_ref();
        match prop {
            Property::RequestMethod => Value::str(&self.method),
            Property::RequestIpAddress => Value::from(self.client_ip.to_string()),
            Property::UrlScheme(k)
            | Property::UrlHost(k)
            | Property::UrlPort(k)
            | Property::UrlPath(k)
            | Property::UrlQueryString(k) => self.url_prop(k, prop),
            Property::ResponseStatusCode => self
                .response
                .as_ref()
                .map_or(Value::Null, |r| Value::Int(i64::from(r.status))),
            Property::ResponseStatusReason => self.response.as_ref().map_or(Value::Null, |r| {
                Value::str(r.reason.as_deref().unwrap_or_else(|| {
                    http::StatusCode::from_u16(r.status)
                        .ok()
                        .and_then(|s| s.canonical_reason())
                        .unwrap_or("")
                }))
            }),
            Property::SubscriptionId => sub.map_or(Value::Null, |(s, _)| Value::str(&s.id)),
            Property::SubscriptionKey => sub.map_or(Value::Null, |(_, k)| Value::str(k)),
            Property::SubscriptionName => {
                sub.map_or(Value::Null, |(s, _)| Value::str(&s.display_name))
            }
            Property::SubscriptionPrimaryKey => {
                sub.map_or(Value::Null, |(s, _)| Value::str(s.primary_key.expose()))
            }
            Property::SubscriptionSecondaryKey => sub.map_or(Value::Null, |(s, _)| {
                s.secondary_key
                    .as_ref()
                    .map_or(Value::Null, |k| Value::str(k.expose()))
            }),
            Property::ProductId => w.product.map_or(Value::Null, |p| Value::str(&p.name)),
            Property::ProductName => w
                .product
                .map_or(Value::Null, |p| Value::str(&p.display_name)),
            Property::ProductState => w.product.map_or(Value::Null, |p| {
                Value::str(if p.published {
                    "Published"
                } else {
                    "NotPublished"
                })
            }),
            Property::ProductSubscriptionRequired => w
                .product
                .map_or(Value::Null, |p| Value::Bool(p.subscription_required)),
            Property::ProductApprovalRequired => w
                .product
                .map_or(Value::Null, |p| Value::Bool(p.approval_required)),
            Property::ApiId => Value::str(&w.api.name),
            Property::ApiName => Value::str(&w.api.display_name),
            Property::ApiPath => Value::str(&w.api.path),
            Property::ApiRevision => Value::str(&w.api.revision),
            Property::ApiServiceUrl => Self::opt(&w.api.service_url),
            Property::ApiVersion => Self::opt(&w.api.version),
            Property::ApiIsCurrentRevision => Value::Bool(w.api.is_current),
            Property::OperationId => w.operation.map_or(Value::Null, |o| Value::str(&o.name)),
            Property::OperationName => w.operation.map_or(Value::Null, |o| {
                Value::str(o.display_name.as_deref().unwrap_or(&o.name))
            }),
            Property::OperationMethod => w.operation.map_or(Value::Null, |o| Value::str(&o.method)),
            Property::OperationUrlTemplate => w
                .operation
                .map_or(Value::Null, |o| Value::str(&o.url_template)),
            Property::LastErrorSource => err(|e| &e.source),
            Property::LastErrorReason => err(|e| &e.reason),
            Property::LastErrorMessage => err(|e| &e.message),
            Property::LastErrorScope => err(|e| &e.scope),
            Property::LastErrorSection => err(|e| &e.section),
            Property::LastErrorPath => err(|e| &e.path),
            Property::LastErrorPolicyId => err(|e| &e.policy_id),
            Property::DeploymentRegion => Value::String(self.deployment.region.clone()),
            Property::DeploymentServiceName => Value::String(self.deployment.service_name.clone()),
            Property::DeploymentGatewayId => Value::String(self.deployment.gateway_id.clone()),
            Property::Elapsed => {
                Value::TimeSpan(TimeSpan::from_duration(self.clock.now().since(self.start)))
            }
            Property::RequestId => Value::Guid(self.request_id),
            Property::Timestamp => Value::DateTime(DateTime::from_unix(self.start)),
            Property::Tracing => Value::Bool(false),
            // Users and client certificates are not modelled: those objects are null.
            _ => Value::Null,
        }
    }

    fn has(&self, obj: Presence) -> bool {
        match obj {
            Presence::Subscription => self.who.subscription.is_some(),
            Presence::Product => self.who.product.is_some(),
            // Sigil has no user model: a subscription stands for its (anonymous) owner, whose
            // members read as null, so `context.User.Id` works as in the seed snippets.
            Presence::User => self.who.subscription.is_some(),
            Presence::LastError => self.last_error.is_some(),
            Presence::Response => self.response.is_some(),
            _ => false,
        }
    }

    fn header(&self, msg: Message, name: &str) -> Option<Arc<str>> {
        Self::joined(self.headers_of(msg)?, name)
    }

    fn header_values(&self, msg: Message, name: &str) -> Option<Vec<Arc<str>>> {
        let h = self.headers_of(msg)?;
        let vals: Vec<Arc<str>> = h
            .get_all(name)
            .iter()
            .flat_map(|v| {
                String::from_utf8_lossy(v.as_bytes())
                    .split(',')
                    .map(|s| Arc::from(s.trim_start()))
                    .collect::<Vec<_>>()
            })
            .collect();
        (!vals.is_empty()).then_some(vals)
    }

    fn header_names(&self, msg: Message) -> Vec<Arc<str>> {
        self.headers_of(msg)
            .map(|h| h.keys().map(|k| Arc::from(k.as_str())).collect())
            .unwrap_or_default()
    }

    fn query(&self, url: UrlKind, name: &str) -> Option<Arc<str>> {
        let list = match url {
            UrlKind::Current => &self.query,
            UrlKind::Original => &self.original.query,
        };
        let vals: Vec<&str> = list
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect();
        (!vals.is_empty()).then(|| Arc::from(vals.join(",")))
    }

    fn query_names(&self, url: UrlKind) -> Vec<Arc<str>> {
        let list = match url {
            UrlKind::Current => &self.query,
            UrlKind::Original => &self.original.query,
        };
        let mut out: Vec<Arc<str>> = Vec::new();
        for (k, _) in list {
            if !out.iter().any(|n| n.eq_ignore_ascii_case(k)) {
                out.push(Arc::from(k.as_str()));
            }
        }
        out
    }

    fn matched_parameter(&self, name: &str) -> Option<Arc<str>> {
        self.matched
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| Arc::from(v.as_str()))
    }

    fn variable(&self, name: &str) -> Option<Value> {
        self.variables.get(name).cloned()
    }

    fn body(&self, msg: Message, preserve: bool) -> Result<Option<Bytes>, String> {
        let slot = match msg {
            Message::Request => &self.req_body,
            Message::Response => match &self.response {
                Some(r) => &r.body,
                None => return Ok(None),
            },
        };
        let mut guard = lock(slot);
        let out = match &*guard {
            BodySlot::Empty | BodySlot::Consumed => return Ok(None),
            BodySlot::Bytes(b) => b.clone(),
            // The pipeline buffers every body an expression may read before running policies.
            BodySlot::Stream(_) => return Err("the message body was not buffered".into()),
        };
        if !preserve {
            *guard = BodySlot::Consumed;
        }
        Ok(Some(out))
    }

    fn trace(&self, message: &str) {
        tracing::info!(target: "sigil_gateway::trace", request_id = %self.request_id, "{message}");
    }
}
