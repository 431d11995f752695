//! Loading an APIOps folder. The shapes of the JSON files are the ARM `properties` objects the
//! APIOps extractor writes; fields Sigil does not use (descriptions, tags, terms) are ignored.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;
use sigil_core::Secret;

use super::files::{Folder, env_ref};
use super::{Api, Backend, GatewayConfig, KeyNames, Operation, Product, openapi, schemas};
use crate::build::{self, Cx, Schemas};
use crate::contract::{self, Needs, Spec};
use crate::diag::{Diagnostic, Diags, Pos};
use crate::model::{Policy, PolicyDocument, Scope, Section};
use crate::route::{RouteTable, UrlTemplate};
use crate::subscription::{Subscription, SubscriptionScope};
use crate::template::{self, Literal, NamedValue, NamedValues};
use crate::xml::{self, Source};

#[derive(Deserialize)]
struct Info<T> {
    properties: T,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NamedValueJson {
    display_name: Option<String>,
    value: Option<String>,
    #[serde(default)]
    secret: bool,
    key_vault: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BackendJson {
    url: String,
    #[serde(default = "http")]
    protocol: String,
    #[serde(default)]
    credentials: Option<CredentialsJson>,
    #[serde(default)]
    tls: Option<TlsJson>,
}

fn http() -> String {
    "http".into()
}

#[derive(Deserialize, Default)]
struct CredentialsJson {
    #[serde(default)]
    header: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    query: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TlsJson {
    #[serde(default = "yes")]
    validate_certificate_chain: bool,
    #[serde(default = "yes")]
    validate_certificate_name: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiJson {
    display_name: Option<String>,
    #[serde(default)]
    path: String,
    service_url: Option<String>,
    #[serde(default)]
    protocols: Vec<String>,
    subscription_required: Option<bool>,
    subscription_key_parameter_names: Option<KeyNamesJson>,
    api_revision: Option<String>,
    is_current: Option<bool>,
    api_version: Option<String>,
    #[serde(rename = "type")]
    api_type: Option<String>,
}

#[derive(Deserialize)]
struct KeyNamesJson {
    header: Option<String>,
    query: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProductJson {
    display_name: Option<String>,
    subscription_required: Option<bool>,
    #[serde(default)]
    approval_required: bool,
    state: Option<String>,
    subscriptions_limit: Option<u64>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ApiRef {
    Named { name: String },
    Plain(String),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubscriptionJson {
    display_name: Option<String>,
    scope: String,
    state: Option<String>,
    #[serde(default)]
    allow_tracing: bool,
    primary_key: Option<String>,
    secondary_key: Option<String>,
    /// ARM's subscription dates (APIOps exports them): quota periods start here.
    start_date: Option<String>,
    created_date: Option<String>,
}

struct Loader<'a> {
    folder: Folder<'a>,
    env: &'a dyn Fn(&str) -> Option<String>,
    diags: Diags,
    nvs: NamedValues,
    backend_ids: HashSet<String>,
    fragments: HashMap<String, Vec<Policy>>,
    schemas: Schemas,
    /// Each API's specification (and its file), kept until the schemas are compiled.
    specs: HashMap<String, (Spec, Arc<str>)>,
}

pub(super) fn load(
    dir: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<GatewayConfig, Vec<Diagnostic>> {
    let mut l = Loader {
        folder: Folder { root: dir },
        env,
        diags: Diags::default(),
        nvs: NamedValues::default(),
        backend_ids: HashSet::new(),
        fragments: HashMap::new(),
        schemas: Schemas::new(),
        specs: HashMap::new(),
    };
    if !dir.is_dir() {
        l.diags.error(
            &Pos::start_of(&dir.display().to_string().into()),
            "not a directory",
        );
        return Err(l.diags.into_sorted());
    }
    l.named_values();
    l.schemas = schemas::load(&l.folder, &mut l.diags);
    let backends = l.backends();
    let fragments = l.fragments();
    let global = match dir.join("policy.xml") {
        p if p.is_file() => l.policy_file(&p, Scope::Global),
        _ => default_global(&l.folder.rel(&dir.join("policy.xml"))),
    };
    let mut apis = l.apis();
    let products = l.products(&apis);
    l.compile_contracts(&mut apis, &global, &products);
    let subscriptions = l.subscriptions(&apis, &products);
    let mut routes = RouteTable::default();
    for api in apis.values().filter(|a| a.is_current) {
        let ops = api
            .operations
            .values()
            .filter_map(|o| {
                UrlTemplate::parse(&o.url_template)
                    .ok()
                    .map(|t| (o.name.clone(), o.method.clone(), t))
            })
            .collect();
        if let Err(e) = routes.add_api(&api.name, &api.path, ops) {
            let file = l
                .folder
                .rel(&dir.join("apis").join(&api.name).join("apiInformation.json"));
            l.diags.error(
                &Pos::start_of(&file),
                format!("invalid API path '{}': {e}", api.path),
            );
        }
    }
    if l.diags.has_errors() {
        return Err(l.diags.into_sorted());
    }
    Ok(GatewayConfig {
        global,
        apis,
        products,
        backends,
        named_values: l.nvs,
        subscriptions,
        fragments,
        warnings: l.diags.into_sorted(),
        routes,
    })
}

/// APIM's default global policy: forward to the backend, nothing else.
fn default_global(file: &Arc<str>) -> PolicyDocument {
    let src = Source::new(file.clone(), "<policies><inbound /><backend><forward-request /></backend><outbound /><on-error /></policies>".into());
    let mut diags = Diags::default();
    let nvs = NamedValues::default();
    let backends = HashSet::new();
    let schemas = Schemas::new();
    match xml::parse(&src) {
        Ok(root) => {
            let mut cx = Cx {
                src: &src,
                nvs: &nvs,
                diags: &mut diags,
                fragments: None,
                backends: &backends,
                schemas: &schemas,
                scope: Scope::Global,
            };
            build::document(&mut cx, &root)
        }
        Err(_) => PolicyDocument::default(),
    }
}

impl Loader<'_> {
    fn info<T: serde::de::DeserializeOwned>(&mut self, p: &Path) -> Option<T> {
        self.folder
            .json::<Info<T>>(p, &mut self.diags)
            .map(|i| i.properties)
    }

    fn named_values(&mut self) {
        for (name, dir) in self.folder.subdirs(&["named values", "namedValues"]) {
            let file = dir.join("namedValueInformation.json");
            let rel = self.folder.rel(&file);
            let Some(nv) = self.info::<NamedValueJson>(&file) else {
                continue;
            };
            let display = nv.display_name.unwrap_or(name);
            let value = match nv.value {
                Some(v) => {
                    env_ref(&v, self.env).map_err(|e| format!("named value '{display}': {e}"))
                }
                None => {
                    // Extension: values APIOps cannot export (secrets, Key Vault references) come
                    // from SIGIL_NAMED_VALUE_<NAME>.
                    let var = env_var_name(&display);
                    match (self.env)(&var) {
                        Some(v) => Ok(v),
                        None if nv.key_vault.is_some() => Err(format!(
                            "named value '{display}' is a Key Vault reference, which is not supported: set {var} or give 'value'"
                        )),
                        None => Err(format!(
                            "named value '{display}' has no value: set {var} or give 'value'"
                        )),
                    }
                }
            };
            match value {
                Ok(v) => self.nvs.insert(NamedValue::new(display, v, nv.secret)),
                Err(e) => self.diags.error(&Pos::start_of(&rel), e),
            }
        }
    }

    fn backends(&mut self) -> BTreeMap<String, Backend> {
        let mut out = BTreeMap::new();
        for (name, dir) in self.folder.subdirs(&["backends"]) {
            let file = dir.join("backendInformation.json");
            let rel = self.folder.rel(&file);
            self.backend_ids.insert(name.to_ascii_lowercase());
            let Some(b) = self.info::<BackendJson>(&file) else {
                continue;
            };
            let creds = b.credentials.unwrap_or_default();
            let headers = self.literals(&rel, creds.header);
            let query = self.literals(&rel, creds.query);
            let tls = b.tls.unwrap_or(TlsJson {
                validate_certificate_chain: true,
                validate_certificate_name: true,
            });
            let url = match template::substitute(&b.url, &self.nvs) {
                Ok((u, _)) => u,
                Err((_, msg)) => {
                    self.diags.error(&Pos::start_of(&rel), msg);
                    b.url
                }
            };
            out.insert(
                name.clone(),
                Backend {
                    name,
                    url,
                    protocol: b.protocol,
                    headers,
                    query,
                    validate_certificate_chain: tls.validate_certificate_chain,
                    validate_certificate_name: tls.validate_certificate_name,
                },
            );
        }
        out
    }

    /// Credential values with `{{named values}}` substituted (secrets stay redacted in Debug).
    fn literals(
        &mut self,
        rel: &Arc<str>,
        map: BTreeMap<String, Vec<String>>,
    ) -> Vec<(String, Vec<Literal>)> {
        let mut out = Vec::new();
        for (k, vs) in map {
            let mut lits = Vec::new();
            for v in vs {
                match template::substitute(&v, &self.nvs) {
                    Ok((value, secret)) => lits.push(template::literal(value, &v, secret)),
                    Err((_, msg)) => self.diags.error(&Pos::start_of(rel), msg),
                }
            }
            out.push((k, lits));
        }
        out
    }

    fn fragments(&mut self) -> BTreeMap<String, Vec<Policy>> {
        let mut out = BTreeMap::new();
        for (name, dir) in self
            .folder
            .subdirs(&["policy fragments", "policyFragments"])
        {
            let file = dir.join("policy.xml");
            let rel = self.folder.rel(&file);
            let Some(text) = self.folder.read(&file, &mut self.diags) else {
                continue;
            };
            let src = Source::new(rel, text);
            self.diags.extend(src.warnings());
            let root = match xml::parse(&src) {
                Ok(r) => r,
                Err(d) => {
                    self.diags.push(d);
                    continue;
                }
            };
            let mut cx = Cx {
                src: &src,
                nvs: &self.nvs,
                diags: &mut self.diags,
                fragments: None,
                backends: &self.backend_ids,
                schemas: &self.schemas,
                scope: Scope::Fragment,
            };
            let policies = build::fragment(&mut cx, &root);
            self.fragments
                .insert(name.to_ascii_lowercase(), policies.clone());
            out.insert(name, policies);
        }
        out
    }

    fn policy_file(&mut self, p: &Path, scope: Scope) -> PolicyDocument {
        let rel = self.folder.rel(p);
        let Some(text) = self.folder.read(p, &mut self.diags) else {
            return PolicyDocument::default();
        };
        let src = Source::new(rel, text);
        self.diags.extend(src.warnings());
        let root = match xml::parse(&src) {
            Ok(r) => r,
            Err(d) => {
                self.diags.push(d);
                return PolicyDocument::default();
            }
        };
        let mut cx = Cx {
            src: &src,
            nvs: &self.nvs,
            diags: &mut self.diags,
            fragments: Some(&self.fragments),
            backends: &self.backend_ids,
            schemas: &self.schemas,
            scope,
        };
        let doc = build::document(&mut cx, &root);
        self.check_sections(&doc, scope);
        doc
    }

    /// Placement rules APIM enforces when a policy is saved.
    fn check_sections(&mut self, doc: &PolicyDocument, scope: Scope) {
        for (section, policies) in doc.sections() {
            for p in policies {
                let m = p.meta();
                let bad = match p {
                    Policy::ForwardRequest(_) => section != Section::Backend,
                    Policy::ValidateJwt(_)
                    | Policy::ValidateAzureAdToken(_)
                    | Policy::Cors(_)
                    | Policy::CheckHeader(_)
                    | Policy::IpFilter(_) => section != Section::Inbound,
                    Policy::RateLimit(_)
                    | Policy::RateLimitByKey(_)
                    | Policy::Quota(_)
                    | Policy::QuotaByKey(_)
                    | Policy::ValidateParameters(_) => section != Section::Inbound,
                    Policy::ValidateContent(_) => section == Section::Backend,
                    Policy::ValidateHeaders(_) | Policy::ValidateStatusCode(_) => {
                        !matches!(section, Section::Outbound | Section::OnError)
                    }
                    _ => false,
                };
                if bad {
                    self.diags.error(
                        &m.pos,
                        format!(
                            "<{}> is not allowed in the {} section",
                            p.name(),
                            section.as_str()
                        ),
                    );
                }
                if matches!(p, Policy::Quota(_)) && scope != Scope::Product {
                    self.diags
                        .error(&m.pos, "<quota> is only allowed at product scope");
                }
                if matches!(p, Policy::RateLimit(_)) && scope == Scope::Global {
                    self.diags
                        .error(&m.pos, "<rate-limit> is not allowed at global scope");
                }
            }
        }
    }

    /// Compiles the schemas the validation policies of the whole configuration can use, for
    /// every API (a global or product policy applies to all of them). Nothing is compiled
    /// when there is no validation policy.
    fn compile_contracts(
        &mut self,
        apis: &mut BTreeMap<String, Api>,
        global: &PolicyDocument,
        products: &BTreeMap<String, Product>,
    ) {
        let mut needs = Needs::default();
        needs.add_document(global);
        for p in products.values() {
            needs.add_document(&p.policy);
        }
        for api in apis.values() {
            needs.add_document(&api.policy);
            for op in api.operations.values() {
                needs.add_document(&op.policy);
            }
        }
        for (name, api) in apis.iter_mut() {
            let Some((spec, rel)) = self.specs.remove(name) else {
                continue;
            };
            let mut contracts: Vec<(&str, &mut contract::Contract)> = api
                .operations
                .values_mut()
                .map(|o| (o.name.as_str(), &mut o.contract))
                .collect();
            for e in contract::compile_api(&spec, &mut contracts, &needs) {
                self.diags.error(&Pos::start_of(&rel), e);
            }
        }
    }

    fn apis(&mut self) -> BTreeMap<String, Api> {
        let mut out = BTreeMap::new();
        for (name, dir) in self.folder.subdirs(&["apis"]) {
            if let Some(api) = self.api(&name, &dir) {
                out.insert(name, api);
            }
        }
        out
    }

    fn api(&mut self, name: &str, dir: &Path) -> Option<Api> {
        let info_file = dir.join("apiInformation.json");
        let info_rel = self.folder.rel(&info_file);
        let info = self.info::<ApiJson>(&info_file)?;
        if let Some(t) = info
            .api_type
            .as_deref()
            .filter(|t| !t.eq_ignore_ascii_case("http"))
        {
            self.diags.error(
                &Pos::start_of(&info_rel),
                format!("API type '{t}' is not supported (only http APIs)"),
            );
            return None;
        }
        let spec = [
            "specification.yaml",
            "specification.yml",
            "specification.json",
        ]
        .iter()
        .map(|f| dir.join(f))
        .find(|p| p.is_file());
        let spec_ops = match &spec {
            Some(p) => {
                let rel = self.folder.rel(p);
                let text = self.folder.read(p, &mut self.diags)?;
                let yaml = p.extension().is_none_or(|e| e != "json");
                match openapi::parse(&text, yaml) {
                    Ok((ops, parsed)) => {
                        self.specs.insert(name.to_owned(), (parsed, rel));
                        ops
                    }
                    Err(e) => {
                        self.diags.error(&Pos::start_of(&rel), e);
                        Vec::new()
                    }
                }
            }
            None => {
                let other = [
                    "specification.graphql",
                    "specification.wsdl",
                    "specification.wadl",
                ]
                .iter()
                .find(|f| dir.join(f).is_file());
                let msg = match other {
                    Some(f) => format!(
                        "'{f}' is not supported: only OpenAPI specifications (specification.yaml or specification.json)"
                    ),
                    None => {
                        "no specification.yaml or specification.json: the API has no operations"
                            .to_owned()
                    }
                };
                self.diags.warning(&Pos::start_of(&info_rel), msg);
                Vec::new()
            }
        };
        let policy = match dir.join("policy.xml") {
            p if p.is_file() => self.policy_file(&p, Scope::Api),
            _ => base_only(&info_rel, Scope::Api),
        };
        let mut operations = BTreeMap::new();
        for op in spec_ops {
            if let Err(e) = UrlTemplate::parse(&op.url_template) {
                let rel = spec
                    .as_ref()
                    .map(|p| self.folder.rel(p))
                    .unwrap_or_else(|| info_rel.clone());
                self.diags.error(
                    &Pos::start_of(&rel),
                    format!(
                        "operation '{}': invalid URL template '{}': {e}",
                        op.name, op.url_template
                    ),
                );
                continue;
            }
            operations.insert(
                op.name.clone(),
                Operation {
                    name: op.name,
                    method: op.method,
                    url_template: op.url_template,
                    display_name: op.summary,
                    policy: base_only(&info_rel, Scope::Operation),
                    examples: op.examples,
                    contract: op.contract,
                },
            );
        }
        for (op_name, op_dir) in subdirs_of(&dir.join("operations")) {
            let file = op_dir.join("policy.xml");
            if !file.is_file() {
                continue;
            }
            let doc = self.policy_file(&file, Scope::Operation);
            match operations.get_mut(&op_name) {
                Some(op) => op.policy = doc,
                None => {
                    let rel = self.folder.rel(&file);
                    self.diags.error(
                        &Pos::start_of(&rel),
                        format!("operation '{op_name}' is not in the API's specification"),
                    );
                }
            }
        }
        let names = info
            .subscription_key_parameter_names
            .map_or_else(KeyNames::default, |k| {
                let d = KeyNames::default();
                KeyNames {
                    header: k.header.unwrap_or(d.header),
                    query: k.query.unwrap_or(d.query),
                }
            });
        Some(Api {
            name: name.to_owned(),
            display_name: info.display_name.unwrap_or_else(|| name.to_owned()),
            path: info.path.trim_matches('/').to_owned(),
            service_url: info.service_url,
            protocols: if info.protocols.is_empty() {
                vec!["https".into()]
            } else {
                info.protocols
            },
            subscription_required: info.subscription_required.unwrap_or(true),
            subscription_key_names: names,
            revision: info.api_revision.unwrap_or_else(|| "1".into()),
            is_current: info.is_current.unwrap_or(!name.contains(";rev=")),
            version: info.api_version,
            policy,
            operations,
        })
    }

    fn products(&mut self, apis: &BTreeMap<String, Api>) -> BTreeMap<String, Product> {
        let mut out = BTreeMap::new();
        for (name, dir) in self.folder.subdirs(&["products"]) {
            let file = dir.join("productInformation.json");
            let Some(info) = self.info::<ProductJson>(&file) else {
                continue;
            };
            let mut product_apis = Vec::new();
            let apis_file = dir.join("apis.json");
            if apis_file.is_file() {
                let rel = self.folder.rel(&apis_file);
                for r in self
                    .folder
                    .json::<Vec<ApiRef>>(&apis_file, &mut self.diags)
                    .unwrap_or_default()
                {
                    let (ApiRef::Named { name: a } | ApiRef::Plain(a)) = r;
                    if apis.contains_key(&a) {
                        product_apis.push(a);
                    } else {
                        self.diags.error(
                            &Pos::start_of(&rel),
                            format!("API '{a}' is not defined under apis/"),
                        );
                    }
                }
            }
            let policy = match dir.join("policy.xml") {
                p if p.is_file() => self.policy_file(&p, Scope::Product),
                _ => base_only(&self.folder.rel(&file), Scope::Product),
            };
            out.insert(
                name.clone(),
                Product {
                    display_name: info.display_name.unwrap_or_else(|| name.clone()),
                    name,
                    subscription_required: info.subscription_required.unwrap_or(true),
                    approval_required: info.approval_required,
                    published: info
                        .state
                        .as_deref()
                        .is_none_or(|s| s.eq_ignore_ascii_case("published")),
                    subscriptions_limit: info.subscriptions_limit,
                    apis: product_apis,
                    policy,
                },
            );
        }
        out
    }

    fn subscriptions(
        &mut self,
        apis: &BTreeMap<String, Api>,
        products: &BTreeMap<String, Product>,
    ) -> Vec<Subscription> {
        let mut out = Vec::new();
        for (name, dir) in self.folder.subdirs(&["subscriptions"]) {
            let file = dir.join("subscriptionInformation.json");
            let rel = self.folder.rel(&file);
            let pos = Pos::start_of(&rel);
            let Some(s) = self.info::<SubscriptionJson>(&file) else {
                continue;
            };
            // Accept both the short form (`/products/p`) and a full ARM id ending in it.
            let scope_tail = s
                .scope
                .rfind("/products/")
                .or_else(|| s.scope.rfind("/apis"))
                .map_or(s.scope.as_str(), |i| &s.scope[i..]);
            let scope = if let Some(p) = scope_tail.strip_prefix("/products/") {
                if !products.contains_key(p) {
                    self.diags.error(
                        &pos,
                        format!("subscription scope: product '{p}' is not defined"),
                    );
                }
                SubscriptionScope::Product(p.to_owned())
            } else if let Some(a) = scope_tail.strip_prefix("/apis/") {
                if !apis.contains_key(a) {
                    self.diags.error(
                        &pos,
                        format!("subscription scope: API '{a}' is not defined"),
                    );
                }
                SubscriptionScope::Api(a.to_owned())
            } else if scope_tail == "/apis" || scope_tail == "/apis/" {
                SubscriptionScope::AllApis
            } else {
                self.diags.error(&pos, format!("invalid subscription scope '{}': expected /products/<name>, /apis/<name> or /apis", s.scope));
                continue;
            };
            let key = |k: Option<String>, what: &str, l: &mut Self| -> Option<Secret<String>> {
                match k.map(|v| env_ref(&v, l.env)) {
                    Some(Ok(v)) if v.len() >= 8 => Some(Secret::new(v)),
                    Some(Ok(_)) => {
                        l.diags
                            .error(&pos, format!("{what} is shorter than 8 characters"));
                        None
                    }
                    Some(Err(e)) => {
                        l.diags.error(&pos, format!("{what}: {e}"));
                        None
                    }
                    None => None,
                }
            };
            if s.primary_key.is_none() {
                self.diags.error(
                    &pos,
                    "subscription has no primaryKey (give it literally or as ${env:VAR})",
                );
                continue;
            }
            let Some(primary_key) = key(s.primary_key, "primaryKey", self) else {
                continue;
            };
            let secondary_key = key(s.secondary_key, "secondaryKey", self);
            let started = match (s.start_date, s.created_date) {
                (Some(d), _) => Some(("startDate", d)),
                (None, Some(d)) => Some(("createdDate", d)),
                (None, None) => None,
            }
            .and_then(|(field, d)| match parse_date_time(&d) {
                Some(t) => Some(t),
                None => {
                    self.diags.error(
                        &pos,
                        format!("{field}: {d:?} is not an ISO 8601 date-time (e.g. 2024-01-31T00:00:00Z)"),
                    );
                    None
                }
            });
            let state = s.state.unwrap_or_else(|| "active".into());
            out.push(Subscription {
                display_name: s.display_name.unwrap_or_else(|| name.clone()),
                id: name,
                scope,
                active: state.eq_ignore_ascii_case("active"),
                allow_tracing: s.allow_tracing,
                primary_key,
                secondary_key,
                started,
            });
        }
        out
    }
}

/// An ISO 8601 / RFC 3339 date-time as ARM writes it (`2024-01-31T00:00:00Z`, with or without
/// fractional seconds or an offset), in Unix seconds.
fn parse_date_time(s: &str) -> Option<i64> {
    time::OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339)
        .ok()
        .map(time::OffsetDateTime::unix_timestamp)
}

fn subdirs_of(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    out.sort();
    out
}

/// A document that only inherits (what a scope without a policy file means).
fn base_only(file: &Arc<str>, scope: Scope) -> PolicyDocument {
    let mut doc = PolicyDocument::default();
    for s in Section::ALL {
        doc.section_mut(s).push(Policy::Base(crate::model::Meta {
            pos: Pos::start_of(file),
            id: None,
            scope,
            snippet: Arc::new(crate::print::Snippet {
                name: "base".into(),
                attrs: Vec::new(),
                children: Vec::new(),
            }),
        }));
    }
    doc
}

/// `SIGIL_NAMED_VALUE_` + the name upper-cased, other characters as `_`.
pub(crate) fn env_var_name(display: &str) -> String {
    let tail: String = display
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("SIGIL_NAMED_VALUE_{tail}")
}
