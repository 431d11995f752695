//! The loaded gateway configuration: APIs, operations, products, backends, named values,
//! subscriptions, fragments and the global policy, plus the route table.

mod files;
mod loader;
mod openapi;
mod schemas;

use std::collections::BTreeMap;
use std::path::Path;

use crate::contract::Contract;
use crate::diag::Diagnostic;
use crate::merge::merge;
use crate::model::{Policy, PolicyDocument};
use crate::print::print_document;
use crate::route::{RouteError, RouteMatch, RouteTable};
use crate::subscription::Subscription;
use crate::template::{Literal, NamedValues};

pub use openapi::MockExample;

/// Everything the gateway needs, immutable once loaded. `Send + Sync`; hot reload swaps an
/// `Arc<GatewayConfig>`.
#[derive(Debug)]
pub struct GatewayConfig {
    /// The global `policy.xml` (a default document with `<forward-request/>` when absent).
    pub global: PolicyDocument,
    /// APIs by folder name.
    pub apis: BTreeMap<String, Api>,
    /// Products by folder name.
    pub products: BTreeMap<String, Product>,
    /// Backends by folder name.
    pub backends: BTreeMap<String, Backend>,
    /// Named values (secret values redacted in `Debug`).
    pub named_values: NamedValues,
    /// Subscriptions (keys redacted in `Debug`).
    pub subscriptions: Vec<Subscription>,
    /// Policy fragments by folder name.
    pub fragments: BTreeMap<String, Vec<Policy>>,
    /// Warnings found while loading (tolerated oddities).
    pub warnings: Vec<Diagnostic>,
    pub(crate) routes: RouteTable,
}

/// One API (`apis/<name>/`).
#[derive(Debug)]
pub struct Api {
    /// Folder name (APIM resource name), used in references.
    pub name: String,
    /// `displayName`
    pub display_name: String,
    /// `path`: the URL prefix, e.g. `orders/v1` (may be empty).
    pub path: String,
    /// `serviceUrl`: the default backend.
    pub service_url: Option<String>,
    /// `protocols` (`http`, `https`).
    pub protocols: Vec<String>,
    /// `subscriptionRequired` (default true).
    pub subscription_required: bool,
    /// Where the subscription key is read from.
    pub subscription_key_names: KeyNames,
    /// `apiRevision`
    pub revision: String,
    /// `isCurrent` (default true). Only current revisions are routed.
    pub is_current: bool,
    /// `apiVersion`
    pub version: Option<String>,
    /// The API-scope policy.
    pub policy: PolicyDocument,
    /// Operations by name.
    pub operations: BTreeMap<String, Operation>,
}

/// `subscriptionKeyParameterNames`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyNames {
    /// Header name (default `Ocp-Apim-Subscription-Key`).
    pub header: String,
    /// Query parameter name (default `subscription-key`).
    pub query: String,
}

impl Default for KeyNames {
    fn default() -> Self {
        Self {
            header: "Ocp-Apim-Subscription-Key".into(),
            query: "subscription-key".into(),
        }
    }
}

/// One operation, from the API's OpenAPI specification.
#[derive(Debug)]
pub struct Operation {
    /// The operation name (`operationId`), also the folder name under `operations/`.
    pub name: String,
    /// HTTP method, upper case.
    pub method: String,
    /// URL template relative to the API path, e.g. `/users/{id}`.
    pub url_template: String,
    /// `summary`, if any.
    pub display_name: Option<String>,
    /// The operation-scope policy (a document of `<base/>` only when there is no file).
    pub policy: PolicyDocument,
    /// Response examples for `mock-response`.
    pub examples: Vec<MockExample>,
    /// What the specification declares about the operation's messages, with the schemas the
    /// configuration's validation policies use compiled.
    pub contract: Contract,
}

/// One product (`products/<name>/`).
#[derive(Debug)]
pub struct Product {
    /// Folder name.
    pub name: String,
    /// `displayName`
    pub display_name: String,
    /// `subscriptionRequired` (default true).
    pub subscription_required: bool,
    /// `approvalRequired`
    pub approval_required: bool,
    /// `state`: `published` or `notPublished`.
    pub published: bool,
    /// `subscriptionsLimit`
    pub subscriptions_limit: Option<u64>,
    /// API names from `apis.json`.
    pub apis: Vec<String>,
    /// The product-scope policy.
    pub policy: PolicyDocument,
}

/// One backend (`backends/<name>/backendInformation.json`).
#[derive(Debug)]
pub struct Backend {
    /// Folder name (`backend-id`).
    pub name: String,
    /// `url`
    pub url: String,
    /// `protocol` (`http` or `soap`).
    pub protocol: String,
    /// `credentials.header`: headers added to each backend call.
    pub headers: Vec<(String, Vec<Literal>)>,
    /// `credentials.query`: query parameters added to each backend call.
    pub query: Vec<(String, Vec<Literal>)>,
    /// `tls.validateCertificateChain` (default true).
    pub validate_certificate_chain: bool,
    /// `tls.validateCertificateName` (default true).
    pub validate_certificate_name: bool,
}

/// Why an effective policy cannot be computed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LookupError {
    /// No such API.
    #[error("API '{0}' is not defined")]
    UnknownApi(String),
    /// No such operation.
    #[error("operation '{1}' is not defined in API '{0}'")]
    UnknownOperation(String, String),
    /// No such product, or it does not contain the API.
    #[error("product '{0}' is not defined or does not contain the API")]
    UnknownProduct(String),
}

// === impl GatewayConfig ===

impl GatewayConfig {
    /// Loads an APIOps-style folder. `env` resolves `${env:NAME}` references (pass
    /// `&|k| std::env::var(k).ok()` in production, a map in tests). Returns every error found,
    /// sorted by file and position; warnings of a successful load are in [`Self::warnings`].
    pub fn load(dir: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Self, Vec<Diagnostic>> {
        loader::load(dir, env)
    }

    /// Routes a request (see [`RouteTable::route`]).
    pub fn route(&self, method: &str, path: &str) -> Result<RouteMatch<'_>, RouteError> {
        self.routes.route(method, path)
    }

    /// The merged document for an operation (or, with `operation: None`, for the API scope),
    /// with the product's policy between global and API when `product` is given.
    pub fn effective_policy(
        &self,
        api: &str,
        operation: Option<&str>,
        product: Option<&str>,
    ) -> Result<PolicyDocument, LookupError> {
        let a = self
            .apis
            .get(api)
            .ok_or_else(|| LookupError::UnknownApi(api.to_owned()))?;
        let mut scopes: Vec<&PolicyDocument> = vec![&self.global];
        if let Some(p) = product {
            let prod = self
                .products
                .get(p)
                .filter(|pr| pr.apis.iter().any(|x| x == api));
            scopes.push(
                &prod
                    .ok_or_else(|| LookupError::UnknownProduct(p.to_owned()))?
                    .policy,
            );
        }
        scopes.push(&a.policy);
        if let Some(op) = operation {
            let o = a
                .operations
                .get(op)
                .ok_or_else(|| LookupError::UnknownOperation(api.to_owned(), op.to_owned()))?;
            scopes.push(&o.policy);
        }
        Ok(merge(scopes))
    }

    /// [`Self::effective_policy`] printed as XML, for `sigil gateway effective-policy`.
    pub fn effective_policy_xml(
        &self,
        api: &str,
        operation: Option<&str>,
        product: Option<&str>,
    ) -> Result<String, LookupError> {
        self.effective_policy(api, operation, product)
            .map(|d| print_document(&d))
    }

    /// Products that contain `api`.
    pub fn products_of<'a>(&'a self, api: &'a str) -> impl Iterator<Item = &'a Product> + 'a {
        self.products
            .values()
            .filter(move |p| p.apis.iter().any(|a| a == api))
    }
}

/// Loads `dir` and returns every diagnostic (errors and warnings), for `sigil gateway check`.
/// An empty list means the folder is valid.
pub fn check(dir: &Path, env: &dyn Fn(&str) -> Option<String>) -> Vec<Diagnostic> {
    match GatewayConfig::load(dir, env) {
        Ok(cfg) => cfg.warnings,
        Err(diags) => diags,
    }
}
