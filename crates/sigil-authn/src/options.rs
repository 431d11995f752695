//! What a protected API accepts, and where its keys come from.

use std::sync::Arc;
use std::time::Duration;

use sigil_core::{Clock, SystemClock};

/// Where the signing keys (and, for an authority, the issuer) come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum KeySource {
    /// `{authority}/.well-known/openid-configuration` gives `issuer` and `jwks_uri`.
    Authority(String),
    /// A JWKS URL given directly; issuers must be configured explicitly.
    Jwks(String),
}

/// Configuration of an [`Authn`](crate::Authn). Start from [`AuthnOptions::authority`] or
/// [`AuthnOptions::jwks`], then name the audiences (required) and, ideally, the issuers.
///
/// ```
/// # use sigil_authn::AuthnOptions;
/// let opts = AuthnOptions::authority("https://localhost:8443/11111111-1111-1111-1111-111111111111/v2.0")
///     .audience("api://fraud-detector")
///     .audience("22222222-0000-4000-8000-000000000002");
/// ```
#[derive(Clone, Debug)]
pub struct AuthnOptions {
    pub(crate) source: KeySource,
    pub(crate) issuers: Vec<String>,
    pub(crate) issuer_templates: Vec<String>,
    pub(crate) audiences: Vec<String>,
    pub(crate) tenants: Option<Vec<String>>,
    pub(crate) refresh_interval: Duration,
    pub(crate) refetch_interval: Duration,
    pub(crate) fetch_timeout: Duration,
    pub(crate) skew: Duration,
    pub(crate) clock: Arc<dyn Clock>,
}

impl AuthnOptions {
    /// Background JWKS refresh period (Microsoft.IdentityModel refreshes every 12 h; an hour
    /// picks up a scheduled rollover well inside the IdP's 24 h publication window).
    pub const DEFAULT_REFRESH_INTERVAL: Duration = Duration::from_secs(3600);
    /// Minimum time between refetches caused by an unknown `kid` (Microsoft.IdentityModel's
    /// `RefreshInterval`). A storm of tokens with unknown `kid`s costs at most one JWKS
    /// request per interval.
    pub const DEFAULT_REFETCH_INTERVAL: Duration = Duration::from_secs(300);

    /// Keys and issuer from an OpenID Connect authority such as
    /// `https://login.microsoftonline.com/{tenant}/v2.0` or `https://localhost:8443/{tenant}/v2.0`.
    /// `/v2.0` is appended when missing (Microsoft.Identity.Web does the same).
    ///
    /// The discovered `issuer` is used only when no issuer is configured explicitly, and
    /// only if it has the authority's origin; a `{tenantid}` template (the `common` and
    /// `organizations` documents) becomes an issuer template checked against `tid`.
    pub fn authority(authority: impl Into<String>) -> Self {
        let mut a: String = authority.into();
        while a.ends_with('/') {
            a.pop();
        }
        if !a.ends_with("/v2.0") {
            a.push_str("/v2.0");
        }
        Self::with_source(KeySource::Authority(a))
    }

    /// Keys from a JWKS URL and an explicit issuer (no discovery).
    pub fn jwks(issuer: impl Into<String>, jwks_url: impl Into<String>) -> Self {
        Self::with_source(KeySource::Jwks(jwks_url.into())).issuer(issuer)
    }

    fn with_source(source: KeySource) -> Self {
        Self {
            source,
            issuers: Vec::new(),
            issuer_templates: Vec::new(),
            audiences: Vec::new(),
            tenants: None,
            refresh_interval: Self::DEFAULT_REFRESH_INTERVAL,
            refetch_interval: Self::DEFAULT_REFETCH_INTERVAL,
            fetch_timeout: Duration::from_secs(10),
            skew: sigil_jose::ValidationOptions::DEFAULT_SKEW,
            clock: Arc::new(SystemClock),
        }
    }

    /// Accept this audience: the API's identifier URI and/or its appId (v2 tokens carry
    /// the appId). At least one is required.
    pub fn audience(mut self, aud: impl Into<String>) -> Self {
        self.audiences.push(aud.into());
        self
    }

    /// Accept this exact issuer (recommended: configured issuers are never taken from the
    /// network).
    pub fn issuer(mut self, iss: impl Into<String>) -> Self {
        self.issuers.push(iss.into());
        self
    }

    /// Accept a multi-tenant issuer template such as
    /// `https://login.microsoftonline.com/{tenantid}/v2.0`; combine with
    /// [`AuthnOptions::allowed_tenants`].
    pub fn issuer_template(mut self, template: impl Into<String>) -> Self {
        self.issuer_templates.push(template.into());
        self
    }

    /// Accept tokens only from these tenants (`tid`), for multi-tenant APIs.
    pub fn allowed_tenants<I, S>(mut self, tenants: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tenants = Some(tenants.into_iter().map(Into::into).collect());
        self
    }

    /// Background JWKS refresh period.
    pub fn refresh_interval(mut self, d: Duration) -> Self {
        self.refresh_interval = d;
        self
    }

    /// Minimum time between unknown-`kid` refetches.
    pub fn refetch_interval(mut self, d: Duration) -> Self {
        self.refetch_interval = d;
        self
    }

    /// Timeout of one discovery or JWKS request.
    pub fn fetch_timeout(mut self, d: Duration) -> Self {
        self.fetch_timeout = d;
        self
    }

    /// Clock skew tolerated on `exp`/`nbf`/`iat` (default 5 minutes).
    pub fn skew(mut self, d: Duration) -> Self {
        self.skew = d;
        self
    }

    /// The clock used for token lifetimes and the refetch limit.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authority_gets_v2_suffix_once() {
        let a = AuthnOptions::authority("https://h/t/");
        assert_eq!(a.source, KeySource::Authority("https://h/t/v2.0".into()));
        let b = AuthnOptions::authority("https://h/t/v2.0");
        assert_eq!(b.source, KeySource::Authority("https://h/t/v2.0".into()));
    }
}
