//! `requiredResourceAccess`: resolving resources, roles and scopes, and turning
//! `adminConsent: true` into app role assignments and delegated permission grants.

use std::collections::HashSet;

use uuid::Uuid;

use super::Applier;
use crate::document::{DocRra, normalize_uri};
use crate::model::{
    AppRoleAssignment, Application, ConsentType, MemberType, OAuth2PermissionGrant,
    RequiredResourceAccess, ResourceAccess, ResourceAccessType,
};
use crate::yaml::parse_guid;

/// Consent the document asks for, per tenant.
#[derive(Default)]
struct Wanted {
    assignments: Vec<(Uuid, Uuid, Uuid, Uuid)>,
    /// (tenant, client SP, resource SP) → scope values in document order.
    grants: Vec<((Uuid, Uuid, Uuid), Vec<String>)>,
}

impl Applier<'_> {
    pub(super) fn consents(&mut self) {
        let doc = self.doc;
        let placed: Vec<(Uuid, Uuid, usize, usize)> = self
            .placed
            .iter()
            .map(|p| (p.tenant, p.app, p.doc_tenant, p.doc_app))
            .collect();
        let mut wanted = Wanted::default();
        for (tid, app_obj, dti, dai) in placed {
            let da = &doc.tenants[dti].applications[dai];
            let Some(client_app_id) = self
                .tenant(tid)
                .and_then(|t| t.applications.iter().find(|a| a.id == app_obj))
                .map(|a| a.app_id)
            else {
                continue;
            };
            let mut rras = Vec::new();
            for drra in &da.required_resource_access {
                let Some(res) = self.resolve_resource(tid, drra) else {
                    continue;
                };
                let Some(access) = self.resolve_access(drra, &res) else {
                    continue;
                };
                if drra.admin_consent {
                    let client_sp = self.ensure_sp_existing(tid, client_app_id);
                    let resource_sp =
                        self.ensure_sp(tid, res.app_id, &res.display_name, None, None);
                    for a in access.iter().filter(|a| a.kind == ResourceAccessType::Role) {
                        wanted.assignments.push((tid, client_sp, resource_sp, a.id));
                    }
                    let key = (tid, client_sp, resource_sp);
                    let scopes: Vec<String> = drra.scopes.iter().map(|s| s.value.clone()).collect();
                    if !scopes.is_empty() {
                        match wanted.grants.iter_mut().find(|(k, _)| *k == key) {
                            Some((_, v)) => v.extend(
                                scopes
                                    .into_iter()
                                    .filter(|s| !v.contains(s))
                                    .collect::<Vec<_>>(),
                            ),
                            None => wanted.grants.push((key, scopes)),
                        }
                    }
                }
                rras.push(RequiredResourceAccess {
                    resource_app_id: res.app_id,
                    resource: drra.resource.value.clone(),
                    resource_access: access,
                    admin_consent: drra.admin_consent,
                });
            }
            if let Some(app) = self
                .tenant_mut(tid)
                .and_then(|t| t.applications.iter_mut().find(|a| a.id == app_obj))
            {
                app.required_resource_access = rras;
            }
        }
        self.materialize(wanted);
    }

    /// The id of the (already ensured) service principal of `app_id` in `tid`.
    fn ensure_sp_existing(&mut self, tid: Uuid, app_id: Uuid) -> Uuid {
        let name = self
            .tenant(tid)
            .and_then(|t| t.application_by_app_id(app_id))
            .map(|a| a.display_name.clone())
            .unwrap_or_default();
        self.ensure_sp(tid, app_id, &name, None, None)
    }

    /// Finds the resource application: by appId anywhere, or by identifier URI in the
    /// client's tenant first, then among multi-tenant applications of other tenants. A
    /// single-tenant application of another tenant is not visible.
    fn resolve_resource(&mut self, tid: Uuid, drra: &DocRra) -> Option<Application> {
        let name = &drra.resource.value;
        let found: Option<(Uuid, &Application)> = match parse_guid(name) {
            Some(app_id) => self
                .dir
                .tenants
                .iter()
                .find_map(|t| t.application_by_app_id(app_id).map(|a| (t.id, a))),
            None => {
                let key = normalize_uri(name);
                let matches =
                    |a: &&Application| a.identifier_uris.iter().any(|u| normalize_uri(u) == key);
                self.tenant(tid)
                    .and_then(|t| t.applications.iter().find(matches).map(|a| (tid, a)))
                    .or_else(|| {
                        self.dir
                            .tenants
                            .iter()
                            .filter(|t| t.id != tid)
                            .find_map(|t| {
                                t.applications
                                    .iter()
                                    .filter(|a| a.is_multi_tenant())
                                    .find(matches)
                                    .map(|a| (t.id, a))
                            })
                    })
            }
        };
        match found {
            Some((home, app)) if home != tid && !app.is_multi_tenant() => {
                let msg = format!(
                    "resource {} ({}) is a single-tenant application of tenant {home}",
                    app.display_name, app.app_id
                );
                self.error(&drra.resource.loc, msg);
                None
            }
            Some((_, app)) => Some(app.clone()),
            None => {
                self.error(&drra.resource.loc, format!("no application has identifierUri or appId `{name}` (looked in this tenant, then among multi-tenant applications)"));
                None
            }
        }
    }

    fn resolve_access(&mut self, drra: &DocRra, res: &Application) -> Option<Vec<ResourceAccess>> {
        let mut out = Vec::new();
        let mut ok = true;
        for r in &drra.app_roles {
            match res.app_roles.iter().find(|x| x.value == r.value) {
                Some(role) if !role.allowed_member_types.contains(&MemberType::Application) => {
                    self.error(&r.loc, format!("app role {} of {} cannot be granted to applications (its allowedMemberTypes lacks Application)", r.value, res.display_name));
                    ok = false;
                }
                Some(role) if !role.is_enabled => {
                    // Not an error: disabling is how Entra retires a role, and existing
                    // consents stay; the index leaves disabled roles out of tokens.
                    let msg = format!(
                        "app role {} of {} is disabled; it will not appear in tokens",
                        r.value, res.display_name
                    );
                    self.warn(&r.loc, msg);
                    out.push(ResourceAccess {
                        id: role.id,
                        kind: ResourceAccessType::Role,
                    });
                }
                Some(role) => out.push(ResourceAccess {
                    id: role.id,
                    kind: ResourceAccessType::Role,
                }),
                None => {
                    let names: Vec<&str> = res.app_roles.iter().map(|x| x.value.as_str()).collect();
                    self.error(
                        &r.loc,
                        format!(
                            "{} has no app role `{}` (it has: {})",
                            res.display_name,
                            r.value,
                            none_if_empty(&names)
                        ),
                    );
                    ok = false;
                }
            }
        }
        for s in &drra.scopes {
            match res
                .api
                .oauth2_permission_scopes
                .iter()
                .find(|x| x.value == s.value)
            {
                Some(scope) if !scope.is_enabled => {
                    let msg = format!(
                        "scope {} of {} is disabled; it will not appear in tokens",
                        s.value, res.display_name
                    );
                    self.warn(&s.loc, msg);
                    out.push(ResourceAccess {
                        id: scope.id,
                        kind: ResourceAccessType::Scope,
                    });
                }
                Some(scope) => out.push(ResourceAccess {
                    id: scope.id,
                    kind: ResourceAccessType::Scope,
                }),
                None => {
                    let names: Vec<&str> = res
                        .api
                        .oauth2_permission_scopes
                        .iter()
                        .map(|x| x.value.as_str())
                        .collect();
                    self.error(
                        &s.loc,
                        format!(
                            "{} exposes no scope `{}` (it has: {})",
                            res.display_name,
                            s.value,
                            none_if_empty(&names)
                        ),
                    );
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    /// Creates the wanted assignments and grants that do not exist yet; with `--prune`,
    /// removes the ones of the document's tenants that are no longer wanted.
    fn materialize(&mut self, wanted: Wanted) {
        let mut keep_assignments: HashSet<Uuid> = HashSet::new();
        for (tid, principal, resource, role) in wanted.assignments {
            let existing = self.tenant(tid).and_then(|t| {
                t.app_role_assignments
                    .iter()
                    .find(|a| {
                        a.principal_id == principal
                            && a.resource_id == resource
                            && a.app_role_id == role
                    })
                    .map(|a| a.id)
            });
            let id = match existing {
                Some(id) => id,
                None => {
                    let id = self.new_id();
                    if let Some(t) = self.tenant_mut(tid) {
                        t.app_role_assignments.push(AppRoleAssignment {
                            id,
                            principal_id: principal,
                            resource_id: resource,
                            app_role_id: role,
                        });
                    }
                    id
                }
            };
            keep_assignments.insert(id);
        }
        let mut keep_grants: HashSet<Uuid> = HashSet::new();
        let prune = self.opts.prune;
        for ((tid, client, resource), scopes) in wanted.grants {
            let new_id = self.new_id();
            let Some(t) = self.tenant_mut(tid) else {
                continue;
            };
            let existing = t.delegated_grants.iter_mut().find(|g| {
                g.client_id == client
                    && g.resource_id == resource
                    && g.consent_type == ConsentType::AllPrincipals
            });
            match existing {
                Some(g) => {
                    let mut merged: Vec<String> = if prune {
                        Vec::new()
                    } else {
                        g.scope.split_whitespace().map(str::to_owned).collect()
                    };
                    for s in scopes {
                        if !merged.contains(&s) {
                            merged.push(s);
                        }
                    }
                    g.scope = merged.join(" ");
                    keep_grants.insert(g.id);
                }
                None => {
                    t.delegated_grants.push(OAuth2PermissionGrant {
                        id: new_id,
                        client_id: client,
                        resource_id: resource,
                        consent_type: ConsentType::AllPrincipals,
                        principal_id: None,
                        scope: scopes.join(" "),
                    });
                    keep_grants.insert(new_id);
                }
            }
        }
        if prune {
            let doc_tenants = &self.doc_tenants;
            for t in self
                .dir
                .tenants
                .iter_mut()
                .filter(|t| doc_tenants.contains(&t.id))
            {
                t.app_role_assignments
                    .retain(|a| keep_assignments.contains(&a.id));
                t.delegated_grants.retain(|g| keep_grants.contains(&g.id));
            }
        }
    }
}

fn none_if_empty(names: &[&str]) -> String {
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}
