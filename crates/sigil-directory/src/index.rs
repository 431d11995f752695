//! The read side: hash-map lookups the token endpoint makes on every request.
//!
//! Build a [`DirectoryIndex`] once per directory change and swap it in atomically (e.g. an
//! `ArcSwap` or a watch channel); every lookup is then a few hash probes with no allocation.
//!
//! The multi-tenant rule: an application registered in tenant A is usable in tenant B (as a
//! client, or as a resource) only if it is multi-tenant (`AzureADMultipleOrgs`) **and** has a
//! service principal in B. In its home tenant it always has one (apply creates it).

use std::collections::HashMap;

use uuid::Uuid;

use crate::document::normalize_uri;
use crate::model::{
    Application, ConsentType, Directory, MemberType, ServicePrincipal, Tenant, User,
};
use crate::yaml::parse_guid;

/// Lookups over one immutable [`Directory`].
#[derive(Debug)]
pub struct DirectoryIndex {
    dir: Directory,
    tenant_by_id: HashMap<Uuid, usize>,
    tenant_by_domain: HashMap<String, usize>,
    /// appId → (tenant index, application index). appIds are unique directory-wide.
    app_by_app_id: HashMap<Uuid, (usize, usize)>,
    /// (tenant id, appId) → service principal index in that tenant.
    sp_by_app: HashMap<(Uuid, Uuid), usize>,
    /// Exact identifier URI → appIds (one per tenant at most).
    uri_exact: HashMap<String, Vec<Uuid>>,
    /// Normalised identifier URI (case, trailing slash) → appIds.
    uri_normalized: HashMap<String, Vec<Uuid>>,
    /// (client SP, resource SP) → granted application-permission role values.
    app_roles: HashMap<(Uuid, Uuid), Vec<String>>,
    /// (client SP, resource SP, user or nil for everyone) → granted delegated scope values.
    scopes: HashMap<(Uuid, Uuid, Uuid), Vec<String>>,
}

/// A client application as seen from one tenant.
#[derive(Clone, Copy, Debug)]
pub struct ClientRef<'a> {
    /// The tenant the request is for.
    pub tenant: &'a Tenant,
    pub application: &'a Application,
    /// The tenant where the application is registered.
    pub home_tenant: &'a Tenant,
    /// The application's service principal in `tenant` (`oid`/`sub` of app-only tokens).
    pub service_principal: &'a ServicePrincipal,
}

/// A resource application as seen from one tenant.
#[derive(Clone, Copy, Debug)]
pub struct ResourceRef<'a> {
    pub tenant: &'a Tenant,
    pub application: &'a Application,
    pub home_tenant: &'a Tenant,
    pub service_principal: &'a ServicePrincipal,
    /// The identifier URI (as registered) the resource was found by; `None` when it was
    /// found by appId. (v1 tokens put the requested identifier in `aud`, v2 the appId.)
    pub matched_uri: Option<&'a str>,
}

// === impl DirectoryIndex ===

impl DirectoryIndex {
    pub fn new(dir: Directory) -> Self {
        let mut ix = Self {
            tenant_by_id: HashMap::new(),
            tenant_by_domain: HashMap::new(),
            app_by_app_id: HashMap::new(),
            sp_by_app: HashMap::new(),
            uri_exact: HashMap::new(),
            uri_normalized: HashMap::new(),
            app_roles: HashMap::new(),
            scopes: HashMap::new(),
            dir: Directory::default(),
        };
        for (ti, t) in dir.tenants.iter().enumerate() {
            ix.tenant_by_id.insert(t.id, ti);
            for d in &t.domains {
                ix.tenant_by_domain.insert(d.to_ascii_lowercase(), ti);
            }
            for (ai, a) in t.applications.iter().enumerate() {
                ix.app_by_app_id.insert(a.app_id, (ti, ai));
                for u in &a.identifier_uris {
                    ix.uri_exact.entry(u.clone()).or_default().push(a.app_id);
                    ix.uri_normalized
                        .entry(normalize_uri(u))
                        .or_default()
                        .push(a.app_id);
                }
            }
            for (si, s) in t.service_principals.iter().enumerate() {
                ix.sp_by_app.insert((t.id, s.app_id), si);
            }
        }
        ix.dir = dir;
        ix.index_grants();
        ix
    }

    /// Precomputes granted values, keeping only enabled roles that applications may hold and
    /// enabled scopes, so a disabled role vanishes from tokens without touching assignments.
    fn index_grants(&mut self) {
        let mut roles: HashMap<(Uuid, Uuid), Vec<String>> = HashMap::new();
        let mut scopes: HashMap<(Uuid, Uuid, Uuid), Vec<String>> = HashMap::new();
        for t in &self.dir.tenants {
            let resource_app = |sp_id: Uuid| {
                let sp = t.service_principals.iter().find(|s| s.id == sp_id)?;
                let (ti, ai) = self.app_by_app_id.get(&sp.app_id)?;
                Some(&self.dir.tenants[*ti].applications[*ai])
            };
            for a in &t.app_role_assignments {
                let Some(app) = resource_app(a.resource_id) else {
                    continue;
                };
                let role = app.app_roles.iter().find(|r| {
                    r.id == a.app_role_id
                        && r.is_enabled
                        && r.allowed_member_types.contains(&MemberType::Application)
                });
                if let Some(role) = role {
                    let v = roles.entry((a.principal_id, a.resource_id)).or_default();
                    if !v.contains(&role.value) {
                        v.push(role.value.clone());
                    }
                }
            }
            for g in &t.delegated_grants {
                let Some(app) = resource_app(g.resource_id) else {
                    continue;
                };
                let user = match g.consent_type {
                    ConsentType::AllPrincipals => Uuid::nil(),
                    ConsentType::Principal => match g.principal_id {
                        Some(u) => u,
                        None => continue,
                    },
                };
                let v = scopes
                    .entry((g.client_id, g.resource_id, user))
                    .or_default();
                for s in g.scope.split_whitespace() {
                    let enabled = app
                        .api
                        .oauth2_permission_scopes
                        .iter()
                        .any(|x| x.value == s && x.is_enabled);
                    if enabled && !v.iter().any(|x| x == s) {
                        v.push(s.to_owned());
                    }
                }
            }
        }
        self.app_roles = roles;
        self.scopes = scopes;
    }

    pub fn directory(&self) -> &Directory {
        &self.dir
    }

    /// The tenant named in a URL: its GUID, or one of its domains (case-insensitive).
    pub fn tenant(&self, id_or_domain: &str) -> Option<&Tenant> {
        let i = match parse_guid(id_or_domain) {
            Some(id) => self.tenant_by_id.get(&id),
            None => self
                .tenant_by_domain
                .get(&id_or_domain.to_ascii_lowercase()),
        }?;
        self.dir.tenants.get(*i)
    }

    pub fn tenant_by_id(&self, id: Uuid) -> Option<&Tenant> {
        self.tenant_by_id
            .get(&id)
            .and_then(|i| self.dir.tenants.get(*i))
    }

    /// The application with this appId, wherever it is registered, and its home tenant.
    pub fn application(&self, app_id: Uuid) -> Option<(&Tenant, &Application)> {
        let (ti, ai) = self.app_by_app_id.get(&app_id)?;
        let t = self.dir.tenants.get(*ti)?;
        Some((t, t.applications.get(*ai)?))
    }

    /// The service principal of `app_id` in `tenant`.
    pub fn service_principal(&self, tenant: Uuid, app_id: Uuid) -> Option<&ServicePrincipal> {
        let t = self.tenant_by_id(tenant)?;
        t.service_principals
            .get(*self.sp_by_app.get(&(tenant, app_id))?)
    }

    /// The client `client_id` as usable in `tenant` (see the multi-tenant rule above).
    pub fn client(&self, tenant: Uuid, client_id: Uuid) -> Option<ClientRef<'_>> {
        let (home_tenant, application, service_principal, tenant) =
            self.usable(tenant, client_id)?;
        Some(ClientRef {
            tenant,
            application,
            home_tenant,
            service_principal,
        })
    }

    /// The resource named by `identifier` (an appId GUID or an identifier URI) as usable in
    /// `tenant`. URIs match exactly first, then ignoring ASCII case and one trailing `/`
    /// (Entra resolves `https://database.windows.net` and `…net/` to the same resource).
    /// A resource in the request's own tenant wins over a multi-tenant one from elsewhere.
    pub fn resource(&self, tenant: Uuid, identifier: &str) -> Option<ResourceRef<'_>> {
        if let Some(app_id) = parse_guid(identifier) {
            let (home_tenant, application, service_principal, tenant) =
                self.usable(tenant, app_id)?;
            return Some(ResourceRef {
                tenant,
                application,
                home_tenant,
                service_principal,
                matched_uri: None,
            });
        }
        let candidates = self
            .uri_exact
            .get(identifier)
            .into_iter()
            .chain(self.uri_normalized.get(&normalize_uri(identifier)))
            .flatten();
        let mut fallback = None;
        for app_id in candidates {
            let Some((home, application, service_principal, t)) = self.usable(tenant, *app_id)
            else {
                continue;
            };
            let matched = application
                .identifier_uris
                .iter()
                .find(|u| u.as_str() == identifier)
                .or_else(|| {
                    application
                        .identifier_uris
                        .iter()
                        .find(|u| normalize_uri(u) == normalize_uri(identifier))
                })
                .map(String::as_str);
            let r = ResourceRef {
                tenant: t,
                application,
                home_tenant: home,
                service_principal,
                matched_uri: matched,
            };
            if home.id == tenant {
                return Some(r);
            }
            fallback = fallback.or(Some(r));
        }
        fallback
    }

    /// Splits a v2 scope such as `api://fraud-detector/.default` or `api://x/Fraud.Read` at
    /// its last `/` (as Entra does) and resolves the resource part. Returns the resource and
    /// the permission part (`.default`, `Fraud.Read`). `None` for scopes without a resource
    /// (`openid`, or `User.Read`, which means Microsoft Graph) and for unknown resources.
    pub fn resource_for_scope<'s>(
        &self,
        tenant: Uuid,
        scope: &'s str,
    ) -> Option<(ResourceRef<'_>, &'s str)> {
        let (resource, permission) = split_scope(scope)?;
        Some((self.resource(tenant, resource)?, permission))
    }

    /// Role values (app permissions) granted to the client service principal on the resource
    /// service principal: enabled roles with `allowedMemberTypes` containing `Application`.
    pub fn granted_app_roles(&self, client_sp: Uuid, resource_sp: Uuid) -> &[String] {
        self.app_roles
            .get(&(client_sp, resource_sp))
            .map_or(&[], Vec::as_slice)
    }

    /// Delegated scope values granted to the client on the resource: admin consent for all
    /// users, plus the user's own consent when `user` is given. Enabled scopes only.
    pub fn granted_scopes(
        &self,
        client_sp: Uuid,
        resource_sp: Uuid,
        user: Option<Uuid>,
    ) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .scopes
            .get(&(client_sp, resource_sp, Uuid::nil()))
            .map(|v| v.iter().map(String::as_str).collect())
            .unwrap_or_default();
        if let Some(u) = user {
            for s in self
                .scopes
                .get(&(client_sp, resource_sp, u))
                .into_iter()
                .flatten()
            {
                if !out.contains(&s.as_str()) {
                    out.push(s);
                }
            }
        }
        out
    }

    /// A user of `tenant` by user principal name (case-insensitive).
    pub fn user_by_upn(&self, tenant: Uuid, upn: &str) -> Option<&User> {
        self.tenant_by_id(tenant)?
            .users
            .iter()
            .find(|u| u.user_principal_name.eq_ignore_ascii_case(upn))
    }

    /// (home tenant, application, service principal in `tenant`, `tenant`) when `app_id` is
    /// usable in `tenant`.
    fn usable(
        &self,
        tenant: Uuid,
        app_id: Uuid,
    ) -> Option<(&Tenant, &Application, &ServicePrincipal, &Tenant)> {
        let (home, app) = self.application(app_id)?;
        if home.id != tenant && !app.is_multi_tenant() {
            return None;
        }
        let t = self.tenant_by_id(tenant)?;
        let sp = self.service_principal(tenant, app_id)?;
        Some((home, app, sp, t))
    }
}

/// `api://x/.default` → (`api://x`, `.default`); `https://db.net//.default` →
/// (`https://db.net/`, `.default`); `openid` → `None`.
pub fn split_scope(scope: &str) -> Option<(&str, &str)> {
    let (resource, permission) = scope.rsplit_once('/')?;
    // `api://x` alone splits inside the scheme: there is no permission part.
    if resource.ends_with(':')
        || resource.ends_with(":/")
        || resource.is_empty()
        || permission.is_empty()
    {
        return None;
    }
    Some((resource, permission))
}
