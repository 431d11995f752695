//! The policy document model: one typed struct per supported policy.
//!
//! Every attribute is parsed at load time (defaults per the APIM reference); values that APIM
//! lets be expressions are [`Template`] or [`Typed`], already compiled. Each policy carries a
//! [`Meta`] with its position, `id` and scope (for `context.LastError`) and the element as
//! written (for the effective-policy printer).

use std::net::IpAddr;
use std::sync::Arc;

use crate::diag::Pos;
use crate::print::Snippet;
use crate::template::{Template, Typed};

mod validation;

pub use validation::{
    ContentRule, ContentTypeMap, NamedAction, ParameterGroup, TypeMapping, TypeMatch,
    UploadedSchema, ValidateAs, ValidateContent, ValidateHeaders, ValidateParameters,
    ValidateStatusCode, ValidationAction,
};

/// A whole policy document: the four sections, in execution order.
#[derive(Clone, Debug, Default)]
pub struct PolicyDocument {
    /// Applied to the request before it is forwarded.
    pub inbound: Vec<Policy>,
    /// Applied just before forwarding (holds `forward-request`).
    pub backend: Vec<Policy>,
    /// Applied to the response.
    pub outbound: Vec<Policy>,
    /// Run instead of the rest when an error occurs.
    pub on_error: Vec<Policy>,
}

impl PolicyDocument {
    /// The sections with their XML names.
    pub fn sections(&self) -> [(Section, &[Policy]); 4] {
        [
            (Section::Inbound, &self.inbound),
            (Section::Backend, &self.backend),
            (Section::Outbound, &self.outbound),
            (Section::OnError, &self.on_error),
        ]
    }

    /// The section's policies.
    pub fn section(&self, s: Section) -> &[Policy] {
        match s {
            Section::Inbound => &self.inbound,
            Section::Backend => &self.backend,
            Section::Outbound => &self.outbound,
            Section::OnError => &self.on_error,
        }
    }

    pub(crate) fn section_mut(&mut self, s: Section) -> &mut Vec<Policy> {
        match s {
            Section::Inbound => &mut self.inbound,
            Section::Backend => &mut self.backend,
            Section::Outbound => &mut self.outbound,
            Section::OnError => &mut self.on_error,
        }
    }
}

/// A policy document section (`context.LastError.Section`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Section {
    /// `inbound`
    Inbound,
    /// `backend`
    Backend,
    /// `outbound`
    Outbound,
    /// `on-error`
    OnError,
}

impl Section {
    /// All sections in order.
    pub const ALL: [Section; 4] = [
        Section::Inbound,
        Section::Backend,
        Section::Outbound,
        Section::OnError,
    ];

    /// The XML element name.
    pub fn as_str(self) -> &'static str {
        match self {
            Section::Inbound => "inbound",
            Section::Backend => "backend",
            Section::Outbound => "outbound",
            Section::OnError => "on-error",
        }
    }
}

/// The scope a policy was written at (`context.LastError.Scope`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The root `policy.xml`.
    Global,
    /// `products/<p>/policy.xml`.
    Product,
    /// `apis/<a>/policy.xml`.
    Api,
    /// `apis/<a>/operations/<o>/policy.xml`.
    Operation,
    /// A policy fragment (it takes the scope of the document including it at run time).
    Fragment,
}

impl Scope {
    /// The name APIM uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Product => "product",
            Scope::Api => "api",
            Scope::Operation => "operation",
            Scope::Fragment => "fragment",
        }
    }
}

/// What every policy carries besides its own fields.
#[derive(Clone, Debug)]
pub struct Meta {
    /// Where the element starts.
    pub pos: Pos,
    /// The optional `id` attribute (`context.LastError.PolicyId`).
    pub id: Option<String>,
    /// The scope whose file holds the policy.
    pub scope: Scope,
    /// The element as written, for printing.
    pub snippet: Arc<Snippet>,
}

/// One policy. `Base` marks where the parent scope's section is inlined.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Policy {
    /// `<base/>`
    Base(Meta),
    /// `set-header`
    SetHeader(Arc<SetHeader>),
    /// `set-query-parameter` (same shape as `set-header`)
    SetQueryParameter(Arc<SetHeader>),
    /// `set-variable`
    SetVariable(Arc<SetVariable>),
    /// `set-method`
    SetMethod(Arc<SetMethod>),
    /// `set-status`
    SetStatus(Arc<SetStatus>),
    /// `set-body`
    SetBody(Arc<SetBody>),
    /// `rewrite-uri`
    RewriteUri(Arc<RewriteUri>),
    /// `find-and-replace`
    FindAndReplace(Arc<FindAndReplace>),
    /// `choose` / `when` / `otherwise`
    Choose(Arc<Choose>),
    /// `set-backend-service`
    SetBackendService(Arc<SetBackendService>),
    /// `forward-request`
    ForwardRequest(Arc<ForwardRequest>),
    /// `return-response`
    ReturnResponse(Arc<ReturnResponse>),
    /// `mock-response`
    MockResponse(Arc<MockResponse>),
    /// `retry`
    Retry(Arc<Retry>),
    /// `limit-concurrency`
    LimitConcurrency(Arc<LimitConcurrency>),
    /// `check-header`
    CheckHeader(Arc<CheckHeader>),
    /// `ip-filter`
    IpFilter(Arc<IpFilter>),
    /// `cors`
    Cors(Arc<Cors>),
    /// `trace`
    Trace(Arc<Trace>),
    /// `include-fragment`, with the fragment's policies resolved at load time.
    IncludeFragment(Arc<IncludeFragment>),
    /// `validate-jwt`
    ValidateJwt(Arc<ValidateJwt>),
    /// `validate-azure-ad-token`
    ValidateAzureAdToken(Arc<ValidateAzureAdToken>),
    /// `rate-limit`
    RateLimit(Arc<RateLimit>),
    /// `rate-limit-by-key`
    RateLimitByKey(Arc<RateLimitByKey>),
    /// `quota`
    Quota(Arc<Quota>),
    /// `quota-by-key`
    QuotaByKey(Arc<QuotaByKey>),
    /// `validate-content`
    ValidateContent(Arc<ValidateContent>),
    /// `validate-parameters`
    ValidateParameters(Arc<ValidateParameters>),
    /// `validate-headers`
    ValidateHeaders(Arc<ValidateHeaders>),
    /// `validate-status-code`
    ValidateStatusCode(Arc<ValidateStatusCode>),
}

impl Policy {
    /// Position, id, scope and snippet of any policy.
    pub fn meta(&self) -> &Meta {
        match self {
            Policy::Base(m) => m,
            Policy::SetHeader(p) | Policy::SetQueryParameter(p) => &p.meta,
            Policy::SetVariable(p) => &p.meta,
            Policy::SetMethod(p) => &p.meta,
            Policy::SetStatus(p) => &p.meta,
            Policy::SetBody(p) => &p.meta,
            Policy::RewriteUri(p) => &p.meta,
            Policy::FindAndReplace(p) => &p.meta,
            Policy::Choose(p) => &p.meta,
            Policy::SetBackendService(p) => &p.meta,
            Policy::ForwardRequest(p) => &p.meta,
            Policy::ReturnResponse(p) => &p.meta,
            Policy::MockResponse(p) => &p.meta,
            Policy::Retry(p) => &p.meta,
            Policy::LimitConcurrency(p) => &p.meta,
            Policy::CheckHeader(p) => &p.meta,
            Policy::IpFilter(p) => &p.meta,
            Policy::Cors(p) => &p.meta,
            Policy::Trace(p) => &p.meta,
            Policy::IncludeFragment(p) => &p.meta,
            Policy::ValidateJwt(p) => &p.meta,
            Policy::ValidateAzureAdToken(p) => &p.meta,
            Policy::RateLimit(p) => &p.meta,
            Policy::RateLimitByKey(p) => &p.meta,
            Policy::Quota(p) => &p.meta,
            Policy::QuotaByKey(p) => &p.meta,
            Policy::ValidateContent(p) => &p.meta,
            Policy::ValidateParameters(p) => &p.meta,
            Policy::ValidateHeaders(p) => &p.meta,
            Policy::ValidateStatusCode(p) => &p.meta,
        }
    }

    /// The element name (`context.LastError.Source`).
    pub fn name(&self) -> &str {
        &self.meta().snippet.name
    }
}

/// Visits every policy of `list`, the children of `choose`, `retry`, `limit-concurrency` and
/// included fragments too.
pub fn walk(list: &[Policy], f: &mut dyn FnMut(&Policy)) {
    for p in list {
        f(p);
        match p {
            Policy::Choose(c) => {
                for w in &c.whens {
                    walk(&w.policies, f);
                }
                if let Some(o) = &c.otherwise {
                    walk(o, f);
                }
            }
            Policy::Retry(r) => walk(&r.policies, f),
            Policy::LimitConcurrency(l) => walk(&l.policies, f),
            Policy::IncludeFragment(i) => walk(&i.policies, f),
            _ => {}
        }
    }
}

/// `exists-action` of `set-header` / `set-query-parameter`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ExistsAction {
    /// Replace the value (default).
    #[default]
    Override,
    /// Keep an existing value.
    Skip,
    /// Add to existing values.
    Append,
    /// Remove it.
    Delete,
}

/// `set-header` and `set-query-parameter`.
#[derive(Clone, Debug)]
pub struct SetHeader {
    /// Common fields.
    pub meta: Meta,
    /// Header or parameter name.
    pub name: Template,
    /// What to do when it already exists.
    pub exists_action: ExistsAction,
    /// `<value>` children, in order.
    pub values: Vec<Template>,
}

/// `set-variable`
#[derive(Clone, Debug)]
pub struct SetVariable {
    /// Common fields.
    pub meta: Meta,
    /// Variable name (no expressions).
    pub name: String,
    /// A literal becomes a string; an expression may produce any allowed type.
    pub value: Template,
}

/// `set-method`
#[derive(Clone, Debug)]
pub struct SetMethod {
    /// Common fields.
    pub meta: Meta,
    /// The HTTP method (element text).
    pub method: Template,
}

/// `set-status`
#[derive(Clone, Debug)]
pub struct SetStatus {
    /// Common fields.
    pub meta: Meta,
    /// Status code.
    pub code: Typed<u16>,
    /// Reason phrase.
    pub reason: Option<Template>,
}

/// `set-body`
#[derive(Clone, Debug)]
pub struct SetBody {
    /// Common fields.
    pub meta: Meta,
    /// The body text or expression.
    pub body: Template,
    /// `template="liquid"`: the body is a Liquid template.
    pub liquid: bool,
    /// `xsi-nil="blank|null"`.
    pub xsi_nil: Option<String>,
    /// `parse-date` (default true).
    pub parse_date: bool,
}

/// `rewrite-uri`
#[derive(Clone, Debug)]
pub struct RewriteUri {
    /// Common fields.
    pub meta: Meta,
    /// The new relative URL; may hold `{param}` references to matched template parameters.
    pub template: Template,
    /// `copy-unmatched-params` (default true).
    pub copy_unmatched_params: bool,
}

/// `find-and-replace`
#[derive(Clone, Debug)]
pub struct FindAndReplace {
    /// Common fields.
    pub meta: Meta,
    /// Text to find.
    pub from: Template,
    /// Replacement.
    pub to: Template,
}

/// `choose`
#[derive(Clone, Debug)]
pub struct Choose {
    /// Common fields.
    pub meta: Meta,
    /// `<when>` branches in order; the first true one runs.
    pub whens: Vec<When>,
    /// `<otherwise>` policies, if present.
    pub otherwise: Option<Vec<Policy>>,
}

/// One `<when condition="...">`.
#[derive(Clone, Debug)]
pub struct When {
    /// Where the `when` starts.
    pub pos: Pos,
    /// Boolean condition.
    pub condition: Typed<bool>,
    /// Policies of the branch.
    pub policies: Vec<Policy>,
}

/// Where `set-backend-service` points.
#[derive(Clone, Debug)]
pub enum BackendTarget {
    /// `base-url`
    BaseUrl(Template),
    /// `backend-id` (an entry under `backends/`; checked at load when literal).
    BackendId(Template),
}

/// `set-backend-service`
#[derive(Clone, Debug)]
pub struct SetBackendService {
    /// Common fields.
    pub meta: Meta,
    /// The new backend.
    pub target: BackendTarget,
}

/// `http-version` of `forward-request`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum HttpVersion {
    /// `1` (default)
    #[default]
    Http1,
    /// `2or1`
    Http2Or1,
    /// `2`
    Http2,
}

/// `forward-request`
#[derive(Clone, Debug)]
pub struct ForwardRequest {
    /// Common fields.
    pub meta: Meta,
    /// `timeout` in seconds (default 300).
    pub timeout_secs: u32,
    /// `follow-redirects` (default false).
    pub follow_redirects: bool,
    /// `buffer-request-body` (default false; needed for `retry`).
    pub buffer_request_body: bool,
    /// `buffer-response` (default true; false streams, e.g. SSE).
    pub buffer_response: bool,
    /// `fail-on-error-status-code` (default false).
    pub fail_on_error_status_code: bool,
    /// `http-version`.
    pub http_version: HttpVersion,
}

/// `return-response`
#[derive(Clone, Debug)]
pub struct ReturnResponse {
    /// Common fields.
    pub meta: Meta,
    /// Start from a response stored in this variable (e.g. by `send-request`).
    pub response_variable_name: Option<String>,
    /// `<set-status>` child.
    pub set_status: Option<SetStatus>,
    /// `<set-header>` children.
    pub set_headers: Vec<SetHeader>,
    /// `<set-body>` child.
    pub set_body: Option<SetBody>,
}

/// `mock-response`
#[derive(Clone, Debug)]
pub struct MockResponse {
    /// Common fields.
    pub meta: Meta,
    /// `status-code` (default 200).
    pub status_code: u16,
    /// `content-type` (default: the first the operation declares).
    pub content_type: Option<String>,
}

/// `retry`
#[derive(Clone, Debug)]
pub struct Retry {
    /// Common fields.
    pub meta: Meta,
    /// Retry while true.
    pub condition: Typed<bool>,
    /// Number of retries (1–50).
    pub count: Typed<u32>,
    /// Seconds between tries.
    pub interval: Typed<u32>,
    /// Cap for exponential backoff.
    pub max_interval: Option<Typed<u32>>,
    /// Linear/exponential delta.
    pub delta: Option<Typed<u32>>,
    /// First retry immediately (default false).
    pub first_fast_retry: Typed<bool>,
    /// Policies retried.
    pub policies: Vec<Policy>,
}

/// `limit-concurrency`
#[derive(Clone, Debug)]
pub struct LimitConcurrency {
    /// Common fields.
    pub meta: Meta,
    /// Counter key.
    pub key: Template,
    /// Maximum concurrent executions.
    pub max_count: u32,
    /// Policies limited.
    pub policies: Vec<Policy>,
}

/// `check-header`
#[derive(Clone, Debug)]
pub struct CheckHeader {
    /// Common fields.
    pub meta: Meta,
    /// Header name.
    pub name: Template,
    /// Status on failure.
    pub failed_check_httpcode: u16,
    /// Message on failure.
    pub failed_check_error_message: Template,
    /// Compare values ignoring case.
    pub ignore_case: bool,
    /// Allowed values; empty means presence only.
    pub values: Vec<Template>,
}

/// `ip-filter` action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IpFilterAction {
    /// Only listed addresses pass.
    Allow,
    /// Listed addresses are refused.
    Forbid,
}

/// `ip-filter`
#[derive(Clone, Debug)]
pub struct IpFilter {
    /// Common fields.
    pub meta: Meta,
    /// `action`.
    pub action: IpFilterAction,
    /// `<address>` children (literal ones are checked to be IP addresses at load).
    pub addresses: Vec<Template>,
    /// `<address-range from to/>` children.
    pub ranges: Vec<(IpAddr, IpAddr)>,
}

/// `cors`
#[derive(Clone, Debug)]
pub struct Cors {
    /// Common fields.
    pub meta: Meta,
    /// `allow-credentials` (default false).
    pub allow_credentials: bool,
    /// `terminate-unmatched-request` (default false).
    pub terminate_unmatched_request: bool,
    /// `<allowed-origins><origin>`: `*` or scheme://host[:port].
    pub allowed_origins: Vec<String>,
    /// `<allowed-methods><method>`; empty means GET and POST.
    pub allowed_methods: Vec<String>,
    /// `preflight-result-max-age` of `<allowed-methods>`.
    pub preflight_result_max_age: Option<u32>,
    /// `<allowed-headers><header>`.
    pub allowed_headers: Vec<String>,
    /// `<expose-headers><header>`.
    pub expose_headers: Vec<String>,
}

/// `trace`
#[derive(Clone, Debug)]
pub struct Trace {
    /// Common fields.
    pub meta: Meta,
    /// `source`.
    pub source: String,
    /// `severity`: verbose (default), information or error.
    pub severity: String,
    /// `<message>`.
    pub message: Template,
    /// `<metadata name value/>`.
    pub metadata: Vec<(String, Template)>,
}

/// `include-fragment`
#[derive(Clone, Debug)]
pub struct IncludeFragment {
    /// Common fields.
    pub meta: Meta,
    /// The fragment name.
    pub fragment_id: String,
    /// The fragment's policies, resolved at load time.
    pub policies: Vec<Policy>,
}

/// Where a token is read from.
#[derive(Clone, Debug)]
pub enum TokenSource {
    /// `header-name`
    Header(String),
    /// `query-parameter-name`
    Query(String),
    /// `token-value` (expression)
    Value(Template),
}

/// A `<claim>` requirement.
#[derive(Clone, Debug)]
pub struct RequiredClaim {
    /// Claim name.
    pub name: String,
    /// `match="all"` (default) or `any`.
    pub match_all: bool,
    /// Splits a multi-valued string claim.
    pub separator: Option<String>,
    /// Accepted values.
    pub values: Vec<String>,
}

/// A `<key>` of `issuer-signing-keys` / `decryption-keys`.
#[derive(Clone, Debug, Default)]
pub struct JwtKey {
    /// `id` (kid)
    pub id: Option<String>,
    /// `certificate-id`
    pub certificate_id: Option<String>,
    /// RSA modulus `n` (base64url)
    pub n: Option<String>,
    /// RSA exponent `e`
    pub e: Option<String>,
    /// Symmetric key (base64) as element text.
    pub value: Option<Template>,
}

/// `validate-jwt`
#[derive(Clone, Debug)]
pub struct ValidateJwt {
    /// Common fields.
    pub meta: Meta,
    /// Where the token is.
    pub token: TokenSource,
    /// Default 401.
    pub failed_validation_httpcode: u16,
    /// Overrides the per-failure message.
    pub failed_validation_error_message: Option<Template>,
    /// Default true.
    pub require_expiration_time: bool,
    /// e.g. `Bearer`.
    pub require_scheme: Option<String>,
    /// Default true.
    pub require_signed_tokens: bool,
    /// Seconds (default 0).
    pub clock_skew_secs: u32,
    /// Variable receiving the parsed `Jwt`.
    pub output_token_variable_name: Option<String>,
    /// `<openid-config url>` entries.
    pub openid_configs: Vec<Template>,
    /// Signing keys.
    pub issuer_signing_keys: Vec<JwtKey>,
    /// Decryption keys.
    pub decryption_keys: Vec<JwtKey>,
    /// Accepted audiences.
    pub audiences: Vec<Template>,
    /// Accepted issuers.
    pub issuers: Vec<Template>,
    /// Claim requirements.
    pub required_claims: Vec<RequiredClaim>,
}

/// `validate-azure-ad-token`
#[derive(Clone, Debug)]
pub struct ValidateAzureAdToken {
    /// Common fields.
    pub meta: Meta,
    /// Tenant id or domain.
    pub tenant_id: Template,
    /// Where the token is (default header `Authorization`).
    pub token: TokenSource,
    /// Default 401.
    pub failed_validation_httpcode: u16,
    /// Failure message.
    pub failed_validation_error_message: Option<Template>,
    /// Variable receiving the parsed `Jwt`.
    pub output_token_variable_name: Option<String>,
    /// Allowed client application ids (required).
    pub client_application_ids: Vec<Template>,
    /// Allowed backend application ids.
    pub backend_application_ids: Vec<Template>,
    /// Accepted audiences.
    pub audiences: Vec<Template>,
    /// Claim requirements.
    pub required_claims: Vec<RequiredClaim>,
}

/// Header/variable names shared by the rate-limit family.
#[derive(Clone, Debug, Default)]
pub struct LimitHeaders {
    /// `retry-after-header-name`
    pub retry_after_header_name: Option<String>,
    /// `retry-after-variable-name`
    pub retry_after_variable_name: Option<String>,
    /// `remaining-calls-header-name`
    pub remaining_calls_header_name: Option<String>,
    /// `remaining-calls-variable-name`
    pub remaining_calls_variable_name: Option<String>,
    /// `total-calls-header-name`
    pub total_calls_header_name: Option<String>,
}

/// A per-API or per-operation limit inside `rate-limit` / `quota`.
#[derive(Clone, Debug)]
pub struct ScopedLimit {
    /// `name`
    pub name: Option<String>,
    /// `id` (wins over name)
    pub id: Option<String>,
    /// `calls`
    pub calls: Option<u64>,
    /// `bandwidth` (KB; quota only)
    pub bandwidth_kb: Option<u64>,
    /// `renewal-period` seconds
    pub renewal_period_secs: u64,
    /// Operation limits inside an API limit.
    pub operations: Vec<ScopedLimit>,
}

/// `rate-limit` (per subscription)
#[derive(Clone, Debug)]
pub struct RateLimit {
    /// Common fields.
    pub meta: Meta,
    /// Calls per window.
    pub calls: u64,
    /// Sliding window, seconds (max 300).
    pub renewal_period_secs: u64,
    /// Header and variable names.
    pub headers: LimitHeaders,
    /// `<api>` limits.
    pub apis: Vec<ScopedLimit>,
}

/// `rate-limit-by-key`
#[derive(Clone, Debug)]
pub struct RateLimitByKey {
    /// Common fields.
    pub meta: Meta,
    /// Calls per window.
    pub calls: Typed<u64>,
    /// Sliding window, seconds (max 300).
    pub renewal_period: Typed<u64>,
    /// Counter key.
    pub counter_key: Template,
    /// Count this request only when true (may read the response).
    pub increment_condition: Option<Typed<bool>>,
    /// Amount to count (default 1).
    pub increment_count: Typed<u64>,
    /// Header and variable names.
    pub headers: LimitHeaders,
}

/// `quota` (per subscription, product scope)
#[derive(Clone, Debug)]
pub struct Quota {
    /// Common fields.
    pub meta: Meta,
    /// Calls per period.
    pub calls: Option<u64>,
    /// Kilobytes per period.
    pub bandwidth_kb: Option<u64>,
    /// Fixed window, seconds (0 = lifetime).
    pub renewal_period_secs: u64,
    /// `<api>` limits.
    pub apis: Vec<ScopedLimit>,
}

/// `quota-by-key`
#[derive(Clone, Debug)]
pub struct QuotaByKey {
    /// Common fields.
    pub meta: Meta,
    /// Calls per period.
    pub calls: Option<Typed<u64>>,
    /// Kilobytes per period.
    pub bandwidth_kb: Option<Typed<u64>>,
    /// Fixed window, seconds (0 = lifetime).
    pub renewal_period: Typed<u64>,
    /// Counter key.
    pub counter_key: Template,
    /// Count only when true.
    pub increment_condition: Option<Typed<bool>>,
    /// Amount to count (default 1).
    pub increment_count: Typed<u64>,
    /// Window alignment (ISO 8601), default `0001-01-01T00:00:00Z`.
    pub first_period_start: Option<String>,
}
