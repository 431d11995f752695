//! A loaded configuration made ready to serve: executability checked once, every effective
//! policy merged once (per API, operation and product), and what each needs buffered.

use std::collections::HashMap;
use std::sync::Arc;

use sigil_policy::model::{Policy, PolicyDocument, Section, TypeMatch, ValidateAs};
use sigil_policy::template::Template;
use sigil_policy::{Diagnostic, GatewayConfig};

use crate::url::BaseUrl;

/// An effective policy document plus what the pipeline must prepare for it.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub(crate) doc: PolicyDocument,
    /// Some expression or body policy may read the request body: buffer it before inbound.
    pub(crate) buffer_request: bool,
    /// Some outbound or on-error policy may read the response body: buffer it when it arrives.
    pub(crate) buffer_response: bool,
}

impl Prepared {
    fn new(doc: PolicyDocument) -> Self {
        let mut reads_body = false;
        let mut req_policy = false;
        let mut resp_policy = false;
        for (section, list) in doc.sections() {
            walk(list, &mut |p| {
                reads_body |= policy_reads_body(p);
                let body_policy = matches!(p, Policy::FindAndReplace(_) | Policy::Retry(_));
                match section {
                    Section::Inbound | Section::Backend => req_policy |= body_policy,
                    Section::Outbound | Section::OnError => {
                        resp_policy |= matches!(p, Policy::FindAndReplace(_));
                    }
                }
            });
        }
        Self {
            doc,
            buffer_request: reads_body || req_policy,
            buffer_response: reads_body || resp_policy,
        }
    }
}

/// The effective documents of one API.
#[derive(Debug)]
struct ApiDocs {
    /// API scope only (used when no operation matched).
    api: Arc<Prepared>,
    /// Per operation: without a product, and per product containing the API.
    ops: HashMap<String, OpDocs>,
    /// The API's `serviceUrl`, parsed once.
    backend: Option<Arc<BaseUrl>>,
}

/// One operation's document without a product, and per product containing the API.
type OpDocs = (Arc<Prepared>, HashMap<String, Arc<Prepared>>);

/// One configuration generation. Requests hold an `Arc<Runtime>` for their whole life, so a
/// reload never changes the policies of a request in flight.
#[derive(Debug)]
pub(crate) struct Runtime {
    pub(crate) cfg: GatewayConfig,
    docs: HashMap<String, ApiDocs>,
}

impl Runtime {
    /// Checks that every policy can run and merges every effective document.
    pub(crate) fn build(cfg: GatewayConfig) -> Result<Self, Vec<Diagnostic>> {
        let mut diags = Vec::new();
        let mut check = |doc: &PolicyDocument| {
            for (_, list) in doc.sections() {
                walk(list, &mut |p| not_executable(p, &mut diags));
            }
        };
        check(&cfg.global);
        cfg.products.values().for_each(|p| check(&p.policy));
        for api in cfg.apis.values() {
            check(&api.policy);
            api.operations.values().for_each(|o| check(&o.policy));
        }
        for b in cfg.backends.values() {
            let pos = sigil_policy::Pos::start_of(&Arc::from(format!(
                "backends/{}/backendInformation.json",
                b.name
            )));
            if let Err(e) = BaseUrl::parse(&b.url) {
                diags.push(Diagnostic::error(&pos, e));
            }
            // Turning certificate checks off is refused rather than ignored: the gateway
            // always validates, and a silently stricter backend would fail only at run time.
            if !b.validate_certificate_chain || !b.validate_certificate_name {
                diags.push(Diagnostic::error(
                    &pos,
                    "tls.validateCertificateChain/validateCertificateName=false is not supported by the gateway (backend certificates are always validated)",
                ));
            }
        }
        diags.sort_by(|a, b| (&a.file, a.line, a.col).cmp(&(&b.file, b.line, b.col)));
        diags.dedup();
        if !diags.is_empty() {
            return Err(diags);
        }
        let mut docs = HashMap::new();
        for (name, api) in &cfg.apis {
            let merged = |op: Option<&str>, product: Option<&str>| {
                cfg.effective_policy(name, op, product)
                    .map(|d| Arc::new(Prepared::new(d)))
            };
            let Ok(api_doc) = merged(None, None) else {
                continue;
            };
            let mut ops = HashMap::new();
            for op in api.operations.keys() {
                let Ok(base) = merged(Some(op), None) else {
                    continue;
                };
                let mut by_product = HashMap::new();
                for p in cfg.products_of(name) {
                    if let Ok(d) = merged(Some(op), Some(&p.name)) {
                        by_product.insert(p.name.clone(), d);
                    }
                }
                ops.insert(op.clone(), (base, by_product));
            }
            let backend = api
                .service_url
                .as_deref()
                .and_then(|u| BaseUrl::parse(u).ok())
                .map(Arc::new);
            docs.insert(
                name.clone(),
                ApiDocs {
                    api: api_doc,
                    ops,
                    backend,
                },
            );
        }
        Ok(Self { cfg, docs })
    }

    /// The effective document for an operation, with the product's policy when given.
    pub(crate) fn effective(
        &self,
        api: &str,
        op: &str,
        product: Option<&str>,
    ) -> Option<&Arc<Prepared>> {
        let (base, by_product) = self.docs.get(api)?.ops.get(op)?;
        match product {
            Some(p) => by_product.get(p),
            None => Some(base),
        }
    }

    /// The API's backend (`serviceUrl`), if it has a valid one.
    pub(crate) fn backend(&self, api: &str) -> Option<Arc<BaseUrl>> {
        self.docs.get(api).and_then(|d| d.backend.clone())
    }

    /// The API-scope document (for errors before an operation is known).
    pub(crate) fn api_scope(&self, api: &str) -> Option<&Arc<Prepared>> {
        self.docs.get(api).map(|d| &d.api)
    }
}

pub(crate) use sigil_policy::model::walk;

/// Policies the model knows but this gateway cannot run yet: refused when the configuration is
/// loaded, never skipped at run time.
fn not_executable(p: &Policy, out: &mut Vec<Diagnostic>) {
    let pos = &p.meta().pos;
    let why: String = match p {
        Policy::ValidateJwt(j) if !j.decryption_keys.is_empty() => {
            "validate-jwt <decryption-keys> is not supported by the gateway (encrypted tokens)".into()
        }
        Policy::ValidateJwt(j) if j.issuer_signing_keys.iter().any(|k| k.certificate_id.is_some()) => {
            "validate-jwt <key certificate-id> is not supported by the gateway (no certificate store); give n and e, or an openid-config".into()
        }
        Policy::SetBody(b) if b.liquid => {
            "set-body template=\"liquid\" is not supported by the gateway; use a policy expression"
                .into()
        }
        Policy::ForwardRequest(f) if f.follow_redirects => {
            "forward-request follow-redirects=\"true\" is not supported by the gateway".into()
        }
        Policy::ValidateContent(v) if v.contents.iter().any(|c| c.validate_as != ValidateAs::Json) => {
            "validate-content validate-as=\"xml\" and \"soap\" are not supported by the gateway (JSON bodies only)".into()
        }
        Policy::ValidateContent(v) if v.contents.iter().any(|c| c.case_insensitive_property_names) => {
            "validate-content case-insensitive-property-names=\"true\" is not supported by the gateway".into()
        }
        _ => return,
    };
    out.push(Diagnostic::error(pos, why));
}

/// The literal `openid-config` URLs of a configuration (warmed when it is loaded).
pub(crate) fn openid_urls(cfg: &GatewayConfig) -> Vec<String> {
    let mut out = Vec::new();
    let mut visit = |doc: &PolicyDocument| {
        for (_, list) in doc.sections() {
            walk(list, &mut |p| {
                if let Policy::ValidateJwt(j) = p {
                    for u in &j.openid_configs {
                        if let Template::Literal(l) = u {
                            out.push(l.value().to_owned());
                        }
                    }
                }
            });
        }
    };
    visit(&cfg.global);
    cfg.products.values().for_each(|p| visit(&p.policy));
    for api in cfg.apis.values() {
        visit(&api.policy);
        api.operations.values().for_each(|o| visit(&o.policy));
    }
    out.sort();
    out.dedup();
    out
}

/// True when an expression of this policy (not its children) mentions a message body.
fn policy_reads_body(p: &Policy) -> bool {
    let t = |t: &Template| matches!(t, Template::Expression(e) if e.source().contains("Body"));
    match p {
        Policy::SetHeader(h) | Policy::SetQueryParameter(h) => t(&h.name) || h.values.iter().any(t),
        Policy::SetVariable(v) => t(&v.value),
        Policy::SetMethod(m) => t(&m.method),
        Policy::SetBody(b) => t(&b.body),
        Policy::RewriteUri(r) => t(&r.template),
        Policy::FindAndReplace(f) => t(&f.from) || t(&f.to),
        Policy::Choose(c) => c.whens.iter().any(|w| typed_reads(&w.condition)),
        Policy::SetBackendService(s) => match &s.target {
            sigil_policy::model::BackendTarget::BaseUrl(x)
            | sigil_policy::model::BackendTarget::BackendId(x) => t(x),
        },
        Policy::ReturnResponse(r) => {
            r.set_headers.iter().any(|h| h.values.iter().any(t))
                || r.set_body.as_ref().is_some_and(|b| t(&b.body))
        }
        Policy::Retry(r) => typed_reads(&r.condition),
        Policy::LimitConcurrency(l) => t(&l.key),
        Policy::CheckHeader(c) => t(&c.name) || c.values.iter().any(t),
        Policy::IpFilter(i) => i.addresses.iter().any(t),
        Policy::Trace(tr) => t(&tr.message) || tr.metadata.iter().any(|(_, v)| t(v)),
        Policy::RateLimitByKey(r) => {
            t(&r.counter_key) || r.increment_condition.as_ref().is_some_and(typed_reads)
        }
        Policy::QuotaByKey(q) => {
            t(&q.counter_key) || q.increment_condition.as_ref().is_some_and(typed_reads)
        }
        Policy::ValidateJwt(j) => {
            matches!(&j.token, sigil_policy::model::TokenSource::Value(v) if t(v))
        }
        Policy::ValidateContent(v) => v.content_type_map.as_ref().is_some_and(|m| {
            m.types
                .iter()
                .any(|t| matches!(&t.from, TypeMatch::When(c) if typed_reads(c)))
        }),
        Policy::ValidateParameters(v) => {
            typed_reads(&v.specified_parameter_action)
                || typed_reads(&v.unspecified_parameter_action)
        }
        Policy::ValidateHeaders(v) => {
            typed_reads(&v.specified_header_action) || typed_reads(&v.unspecified_header_action)
        }
        Policy::ValidateStatusCode(v) => typed_reads(&v.unspecified_status_code_action),
        _ => false,
    }
}

fn typed_reads<T>(t: &sigil_policy::template::Typed<T>) -> bool {
    matches!(t, sigil_policy::template::Typed::Expression(e) if e.source().contains("Body"))
}
