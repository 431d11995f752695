//! The authenticated caller: verified claims plus the raw token (for on-behalf-of).

use std::fmt;

use sigil_core::Secret;
use sigil_jose::{Claims, Verified};

/// A caller whose access token passed every check. Inserted into the request's extensions
/// by [`AuthnLayer`](crate::AuthnLayer); with the `axum` feature it is also an extractor.
///
/// `Debug` shows who the caller is, never the token.
#[derive(Clone)]
pub struct Principal {
    verified: Verified<Claims>,
    token: Secret<String>,
}

impl Principal {
    pub(crate) fn new(verified: Verified<Claims>, token: &str) -> Self {
        Self {
            verified,
            token: Secret::new(token.to_owned()),
        }
    }

    /// The verified claims.
    pub fn claims(&self) -> &Claims {
        self.verified.claims()
    }

    /// The verified token (header, algorithm, claims).
    pub fn verified(&self) -> &Verified<Claims> {
        &self.verified
    }

    /// The caller's object id (`oid`): the user, or the client's service principal.
    pub fn object_id(&self) -> Option<&str> {
        self.claims().oid.as_deref()
    }

    /// The caller's tenant (`tid`).
    pub fn tenant_id(&self) -> Option<&str> {
        self.claims().tid.as_deref()
    }

    /// The calling client application (`azp`, or `appid` in v1 tokens).
    pub fn client_app_id(&self) -> Option<&str> {
        self.claims().client_id()
    }

    /// Delegated scopes (`scp`, split on spaces).
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.claims().scopes()
    }

    /// App roles (`roles`).
    pub fn roles(&self) -> &[String] {
        self.claims().role_list()
    }

    /// Whether the token was issued to an application acting as itself (client
    /// credentials) rather than on behalf of a user. `idtyp` decides when present (Entra's
    /// optional claim); otherwise a token without `scp` is app-only, as Microsoft.Identity.Web
    /// decides.
    pub fn is_app_only(&self) -> bool {
        let c = self.claims();
        match c.idtyp.as_deref() {
            Some(t) => t == "app",
            None => c.scp.is_none(),
        }
    }

    /// The raw access token, for the on-behalf-of flow. Treat as a credential.
    pub fn raw_token(&self) -> &Secret<String> {
        &self.token
    }
}

impl fmt::Debug for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Principal")
            .field("oid", &self.object_id())
            .field("tid", &self.tenant_id())
            .field("client", &self.client_app_id())
            .field("app_only", &self.is_app_only())
            .finish_non_exhaustive()
    }
}
