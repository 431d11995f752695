//! The `context` object as the gateway exposes it. The trait is deliberately made of small, lazy
//! look-ups so the gateway never builds an object graph per request: an expression that reads one
//! header costs one `header()` call.

use std::sync::Arc;

use bytes::Bytes;
use sigil_core::UnixTime;

use crate::value::Value;

/// Which message a header/body look-up is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Message {
    /// `context.Request`.
    Request,
    /// `context.Response`.
    Response,
}

/// `context.Request.Url` (possibly rewritten) or `context.Request.OriginalUrl`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UrlKind {
    /// `Request.Url`.
    Current,
    /// `Request.OriginalUrl`.
    Original,
}

/// Context objects that may be `null` in APIM (e.g. no subscription key was used).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Presence {
    /// `context.Subscription`.
    Subscription,
    /// `context.Product`.
    Product,
    /// `context.User`.
    User,
    /// `context.LastError` (only set in on-error).
    LastError,
    /// `context.Response` (null before the backend answered).
    Response,
    /// `context.Request.Certificate`.
    Certificate,
}

/// Scalar properties of `context`. The comment gives the `Value` variant the gateway must return
/// (`Value::Null` is always allowed for nullable members).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Property {
    /// String: `Request.Method`.
    RequestMethod,
    /// String: `Request.IpAddress`.
    RequestIpAddress,
    /// String: `Url.Scheme`.
    UrlScheme(UrlKind),
    /// String: `Url.Host`.
    UrlHost(UrlKind),
    /// Int: `Url.Port`.
    UrlPort(UrlKind),
    /// String: `Url.Path` (starts with '/').
    UrlPath(UrlKind),
    /// String: `Url.QueryString` ("" or "?a=b").
    UrlQueryString(UrlKind),
    /// Int: `Response.StatusCode`.
    ResponseStatusCode,
    /// String: `Response.StatusReason`.
    ResponseStatusReason,
    /// String.
    SubscriptionId,
    /// String: the key the caller presented.
    SubscriptionKey,
    /// String.
    SubscriptionName,
    /// String.
    SubscriptionPrimaryKey,
    /// String.
    SubscriptionSecondaryKey,
    /// DateTime.
    SubscriptionCreatedDate,
    /// DateTime or Null.
    SubscriptionStartDate,
    /// DateTime or Null.
    SubscriptionEndDate,
    /// String.
    ProductId,
    /// String.
    ProductName,
    /// String ("Published" / "NotPublished").
    ProductState,
    /// Bool.
    ProductSubscriptionRequired,
    /// Bool.
    ProductApprovalRequired,
    /// String.
    ApiId,
    /// String.
    ApiName,
    /// String.
    ApiPath,
    /// String.
    ApiRevision,
    /// String (APIM's IUrl, rendered as text).
    ApiServiceUrl,
    /// String.
    ApiVersion,
    /// Bool.
    ApiIsCurrentRevision,
    /// String.
    OperationId,
    /// String.
    OperationName,
    /// String.
    OperationMethod,
    /// String.
    OperationUrlTemplate,
    /// String.
    LastErrorSource,
    /// String.
    LastErrorReason,
    /// String.
    LastErrorMessage,
    /// String.
    LastErrorScope,
    /// String.
    LastErrorSection,
    /// String.
    LastErrorPath,
    /// String.
    LastErrorPolicyId,
    /// String.
    DeploymentRegion,
    /// String.
    DeploymentServiceName,
    /// String ("managed" for a managed gateway).
    DeploymentGatewayId,
    /// TimeSpan: time since the request arrived.
    Elapsed,
    /// Guid.
    RequestId,
    /// DateTime: when the request arrived.
    Timestamp,
    /// Bool: `context.Tracing`.
    Tracing,
    /// String.
    UserId,
    /// String.
    UserEmail,
    /// String.
    UserFirstName,
    /// String.
    UserLastName,
    /// String.
    UserNote,
    /// DateTime.
    UserRegistrationDate,
    /// String.
    CertificateThumbprint,
    /// String.
    CertificateSubject,
    /// String.
    CertificateIssuer,
    /// String.
    CertificateSerialNumber,
    /// DateTime.
    CertificateNotBefore,
    /// DateTime.
    CertificateNotAfter,
}

/// What an expression can see of the running request. The gateway implements this, usually over
/// its per-request state with interior mutability for the body (reading without
/// `preserveContent: true` consumes it).
pub trait EvalContext {
    /// The current time (for `DateTime.UtcNow` / `DateTime.Now`); never the wall clock directly.
    fn now(&self) -> UnixTime;

    /// A fresh random GUID for `Guid.NewGuid()`.
    fn new_guid(&self) -> uuid::Uuid;

    /// A scalar property; `Value::Null` when absent.
    fn property(&self, prop: Property) -> Value;

    /// Whether a nullable context object exists. Defaults to present.
    fn has(&self, obj: Presence) -> bool {
        let _ = obj;
        true
    }

    /// The header's values joined by ',' (APIM's `Headers.GetValueOrDefault`); case-insensitive.
    fn header(&self, msg: Message, name: &str) -> Option<Arc<str>>;

    /// The header's values (`Headers[name]`, a `string[]`). Defaults to the joined value, split on ','.
    fn header_values(&self, msg: Message, name: &str) -> Option<Vec<Arc<str>>> {
        self.header(msg, name)
            .map(|v| v.split(',').map(|s| Arc::from(s.trim_start())).collect())
    }

    /// Header names present (for `Headers.Keys`, `Headers.Count`, LINQ over headers).
    fn header_names(&self, msg: Message) -> Vec<Arc<str>>;

    /// A query parameter's values joined by ',' (`Url.Query.GetValueOrDefault`).
    fn query(&self, url: UrlKind, name: &str) -> Option<Arc<str>>;

    /// Query parameter names present.
    fn query_names(&self, url: UrlKind) -> Vec<Arc<str>>;

    /// A template parameter matched by the operation's URL template (`Request.MatchedParameters`).
    fn matched_parameter(&self, name: &str) -> Option<Arc<str>>;

    /// A `context.Variables` entry.
    fn variable(&self, name: &str) -> Option<Value>;

    /// The message body. `preserve == false` lets the gateway mark it consumed (APIM semantics).
    /// `Ok(None)` means no body (the expression sees `null`); `Err` becomes an evaluation error.
    fn body(&self, msg: Message, preserve: bool) -> Result<Option<Bytes>, String>;

    /// `context.Trace(message)`. Default: dropped.
    fn trace(&self, message: &str) {
        let _ = message;
    }
}

/// Navigation handles for the context object graph, resolved at load time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum CtxObj {
    Context,
    Request,
    Response,
    Url(UrlKind),
    Query(UrlKind),
    Headers(Message),
    Body(Message),
    MatchedParameters,
    Certificate,
    Subscription,
    Product,
    Api,
    Operation,
    Variables,
    LastError,
    Deployment,
    User,
}
