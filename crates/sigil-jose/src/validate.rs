//! JWT validation producing a proof type.

use std::fmt;
use std::mem::MaybeUninit;
use std::sync::Arc;
use std::time::Duration;

use sigil_core::UnixTime;

use crate::error::{Malformed, ValidationError};
use crate::jws::{self, Limits};
use crate::{Algorithm, Claims, Header, JoseError, KeySet};

/// Which kind of token the caller expects. See the crate docs for the exact rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TokenKind {
    /// No kind check (APIM `validate-jwt` behaviour).
    #[default]
    Any,
    /// An OAuth access token presented to an API.
    AccessToken,
    /// An OpenID Connect ID token.
    IdToken,
}

/// A caller-supplied extra claim check (APIM's `<required-claims>`).
pub type ClaimCheck = Arc<dyn Fn(&Claims) -> Result<(), ValidationError> + Send + Sync>;

/// What a [`Validator`] accepts. Every rule is on by default; [`ValidationOptions::new`]
/// needs at least one issuer (or issuer template) and one audience, or an explicit
/// `dangerous_*` opt-out.
#[derive(Clone)]
pub struct ValidationOptions {
    issuers: Vec<String>,
    issuer_templates: Vec<(String, String)>,
    any_issuer: bool,
    audiences: Vec<String>,
    any_audience: bool,
    algorithms: Vec<Algorithm>,
    skew: Duration,
    kind: TokenKind,
    require_exp: bool,
    acl_access_tokens: bool,
    limits: Limits,
    checks: Vec<ClaimCheck>,
}

impl ValidationOptions {
    /// The asymmetric algorithms accepted by default. `HS*` must be opted into with
    /// [`ValidationOptions::algorithms`] and only then verifies against symmetric keys.
    pub const DEFAULT_ALGORITHMS: [Algorithm; 9] = [
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::EdDSA,
    ];

    /// Microsoft.IdentityModel's default clock skew.
    pub const DEFAULT_SKEW: Duration = Duration::from_secs(300);

    /// Defaults: asymmetric algorithms, 5 min skew, `exp` required, any token kind.
    pub fn new() -> Self {
        Self {
            issuers: Vec::new(),
            issuer_templates: Vec::new(),
            any_issuer: false,
            audiences: Vec::new(),
            any_audience: false,
            algorithms: Self::DEFAULT_ALGORITHMS.to_vec(),
            skew: Self::DEFAULT_SKEW,
            kind: TokenKind::Any,
            require_exp: true,
            acl_access_tokens: false,
            limits: Limits::default(),
            checks: Vec::new(),
        }
    }

    /// Accept this exact issuer.
    pub fn issuer(mut self, iss: impl Into<String>) -> Self {
        self.issuers.push(iss.into());
        self
    }

    /// Accept a multi-tenant issuer template such as
    /// `https://login.microsoftonline.com/{tenantid}/v2.0`: `iss` must equal the template
    /// with `{tenantid}` replaced by the token's own `tid`.
    pub fn issuer_template(mut self, template: &str) -> Result<Self, JoseError> {
        let (pre, post) = template
            .split_once("{tenantid}")
            .ok_or(JoseError::Options("template lacks {tenantid}"))?;
        if post.contains("{tenantid}") {
            return Err(JoseError::Options("template has more than one {tenantid}"));
        }
        self.issuer_templates
            .push((pre.to_owned(), post.to_owned()));
        Ok(self)
    }

    /// Accept this audience (any one listed audience matching is enough).
    pub fn audience(mut self, aud: impl Into<String>) -> Self {
        self.audiences.push(aud.into());
        self
    }

    /// Replace the algorithm allow-list.
    pub fn algorithms(mut self, algs: &[Algorithm]) -> Self {
        self.algorithms = algs.to_vec();
        self
    }

    /// Clock skew tolerance for `exp`, `nbf` and `iat` (APIM's `clock-skew`, default 0 there).
    pub fn skew(mut self, skew: Duration) -> Self {
        self.skew = skew;
        self
    }

    /// Require a token kind.
    pub fn token_kind(mut self, kind: TokenKind) -> Self {
        self.kind = kind;
        self
    }

    /// Accept access tokens with neither `scp` nor `roles` (Microsoft.Identity.Web's
    /// `AllowWebApiToBeAuthorizedByACL`), only relevant with [`TokenKind::AccessToken`].
    pub fn allow_acl_access_tokens(mut self, allow: bool) -> Self {
        self.acl_access_tokens = allow;
        self
    }

    /// APIM's `require-expiration-time="false"`.
    pub fn require_exp(mut self, require: bool) -> Self {
        self.require_exp = require;
        self
    }

    /// Size limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Add a claim check run after every built-in rule passed.
    pub fn check(
        mut self,
        f: impl Fn(&Claims) -> Result<(), ValidationError> + Send + Sync + 'static,
    ) -> Self {
        self.checks.push(Arc::new(f));
        self
    }

    /// Accept any issuer. For gateways configured without `<issuers>`.
    pub fn dangerous_accept_any_issuer(mut self) -> Self {
        self.any_issuer = true;
        self
    }

    /// Accept any audience. For gateways configured without `<audiences>`.
    pub fn dangerous_accept_any_audience(mut self) -> Self {
        self.any_audience = true;
        self
    }
}

impl Default for ValidationOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for ValidationOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ValidationOptions")
            .field("issuers", &self.issuers)
            .field("issuer_templates", &self.issuer_templates)
            .field("any_issuer", &self.any_issuer)
            .field("audiences", &self.audiences)
            .field("any_audience", &self.any_audience)
            .field("algorithms", &self.algorithms)
            .field("skew", &self.skew)
            .field("kind", &self.kind)
            .field("require_exp", &self.require_exp)
            .field("checks", &self.checks.len())
            .finish_non_exhaustive()
    }
}

/// Proof that a token passed every check of a [`Validator`]. Only the validator can build
/// one, so a function taking `Verified<Claims>` cannot be handed an unchecked token.
#[derive(Clone, Debug)]
pub struct Verified<T> {
    header: Header,
    alg: Algorithm,
    claims: T,
}

impl<T> Verified<T> {
    /// The verified claims.
    pub fn claims(&self) -> &T {
        &self.claims
    }

    /// The protected header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The algorithm that verified.
    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// Take the claims.
    pub fn into_claims(self) -> T {
        self.claims
    }
}

/// Validates tokens against fixed options and a trusted key set. Cheap to share (`Arc`).
#[derive(Debug, Clone)]
pub struct Validator {
    opts: ValidationOptions,
    keys: KeySet,
}

impl Validator {
    /// Build a validator. Fails when no issuer or audience is configured and the matching
    /// `dangerous_*` opt-out was not used, or when the algorithm list is empty.
    pub fn new(opts: ValidationOptions, keys: KeySet) -> Result<Self, JoseError> {
        if opts.issuers.is_empty() && opts.issuer_templates.is_empty() && !opts.any_issuer {
            return Err(JoseError::Options("no issuer configured"));
        }
        if opts.audiences.is_empty() && !opts.any_audience {
            return Err(JoseError::Options("no audience configured"));
        }
        if opts.algorithms.is_empty() {
            return Err(JoseError::Options("no algorithm allowed"));
        }
        Ok(Self { opts, keys })
    }

    /// The trusted keys.
    pub fn keys(&self) -> &KeySet {
        &self.keys
    }

    /// Replace the trusted keys (after a JWKS refresh).
    pub fn with_keys(&self, keys: KeySet) -> Self {
        Self {
            opts: self.opts.clone(),
            keys,
        }
    }

    /// Validate a compact JWT at time `now`.
    ///
    /// Order: size limits → structure → header (strict JSON, `crit`, `alg` known) →
    /// allow-list → key by `kid` → signature → payload (strict JSON) → token kind → `iss` →
    /// `aud` → `exp`/`nbf`/`iat` → caller checks. Claims are only read after the signature
    /// verified.
    pub fn validate(
        &self,
        token: &str,
        now: UnixTime,
    ) -> Result<Verified<Claims>, ValidationError> {
        let o = &self.opts;
        let parsed = jws::parse(token, &o.limits)?;
        parsed.verify_signature(&self.keys, &o.algorithms)?;
        let mut buf = [MaybeUninit::uninit(); jws::PAYLOAD_INLINE];
        let claims: Claims = parsed.with_payload(&o.limits, &mut buf, |p| {
            jws::parse_json(p, Malformed::Payload)
        })?;
        check_kind(o, &parsed.header, &claims)?;
        self.check_issuer(&claims)?;
        self.check_audience(&claims)?;
        check_times(o, &claims, now)?;
        for c in &o.checks {
            c(&claims)?;
        }
        Ok(Verified {
            header: parsed.header,
            alg: parsed.alg,
            claims,
        })
    }

    fn check_issuer(&self, c: &Claims) -> Result<(), ValidationError> {
        let o = &self.opts;
        if o.any_issuer {
            return Ok(());
        }
        let iss = c
            .iss
            .as_deref()
            .ok_or(ValidationError::MissingClaim("iss"))?;
        if o.issuers.iter().any(|i| i == iss) {
            return Ok(());
        }
        for (pre, post) in &o.issuer_templates {
            let middle = iss
                .strip_prefix(pre.as_str())
                .and_then(|r| r.strip_suffix(post.as_str()));
            if let Some(middle) = middle {
                let tid = c
                    .tid
                    .as_deref()
                    .ok_or(ValidationError::MissingClaim("tid"))?;
                if !tid.is_empty() && middle == tid {
                    return Ok(());
                }
            }
        }
        Err(ValidationError::IssuerNotAllowed)
    }

    fn check_audience(&self, c: &Claims) -> Result<(), ValidationError> {
        if self.opts.any_audience {
            return Ok(());
        }
        let aud = c.aud.as_ref().ok_or(ValidationError::MissingClaim("aud"))?;
        if aud
            .iter()
            .any(|a| self.opts.audiences.iter().any(|x| x == a))
        {
            Ok(())
        } else {
            Err(ValidationError::AudienceNotAllowed)
        }
    }
}

fn check_kind(o: &ValidationOptions, h: &Header, c: &Claims) -> Result<(), ValidationError> {
    if o.kind == TokenKind::Any {
        return Ok(());
    }
    // RFC 7515 §4.1.9: "application/" may be omitted; compare case-insensitively.
    let typ = h
        .typ
        .as_deref()
        .map(|t| t.strip_prefix("application/").unwrap_or(t));
    let at_jwt = typ.is_some_and(|t| t.eq_ignore_ascii_case("at+jwt"));
    let plain = typ.is_none_or(|t| t.eq_ignore_ascii_case("jwt"));
    let ok = match o.kind {
        TokenKind::Any => true,
        TokenKind::AccessToken => {
            (at_jwt || plain)
                && c.nonce.is_none()
                && !c.has("at_hash")
                && !c.has("c_hash")
                && (at_jwt || o.acl_access_tokens || c.scp.is_some() || c.roles.is_some())
        }
        TokenKind::IdToken => {
            plain && c.scp.is_none() && c.idtyp.as_deref() != Some("app") && c.sub.is_some()
        }
    };
    if ok {
        Ok(())
    } else {
        Err(ValidationError::WrongTokenType)
    }
}

fn check_times(o: &ValidationOptions, c: &Claims, now: UnixTime) -> Result<(), ValidationError> {
    let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    let skew = i64::try_from(o.skew.as_secs()).unwrap_or(i64::MAX);
    match c.exp {
        // RFC 7519 §4.1.4: reject when now is on or after exp.
        Some(exp) if now >= exp.secs().saturating_add(skew) => {
            return Err(ValidationError::Expired);
        }
        None if o.require_exp => return Err(ValidationError::MissingClaim("exp")),
        _ => {}
    }
    if c.nbf
        .is_some_and(|nbf| nbf.secs() > now.saturating_add(skew))
    {
        return Err(ValidationError::NotYetValid);
    }
    if c.iat
        .is_some_and(|iat| iat.secs() > now.saturating_add(skew))
    {
        return Err(ValidationError::IssuedInFuture);
    }
    Ok(())
}
