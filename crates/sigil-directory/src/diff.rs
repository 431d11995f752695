//! The change summary `sigil apply` prints: entities compared by object id, old vs new.

use std::collections::HashMap;
use std::fmt;

use uuid::Uuid;

use crate::model::{Application, Directory, Tenant};

/// One line of the change summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub op: ChangeOp,
    pub kind: EntityKind,
    /// The tenant the entity lives in (the tenant itself for [`EntityKind::Tenant`]).
    pub tenant: Uuid,
    /// Object id of the entity.
    pub id: Uuid,
    /// Human name: display name, or for consents `Role: Client -> Resource`.
    pub label: String,
    /// Extra identification printed on additions and removals, e.g. `appId …`.
    pub detail: Option<String>,
    /// Graph names of the properties that changed (for [`ChangeOp::Modify`]).
    pub fields: Vec<&'static str>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChangeOp {
    Add,
    Modify,
    Remove,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntityKind {
    Tenant,
    Application,
    ServicePrincipal,
    AppRoleAssignment,
    OAuth2PermissionGrant,
    User,
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Tenant => "tenant",
            Self::Application => "application",
            Self::ServicePrincipal => "service principal",
            Self::AppRoleAssignment => "app role assignment",
            Self::OAuth2PermissionGrant => "delegated permission grant",
            Self::User => "user",
        })
    }
}

/// `+ application FinTech-FraudDetector-API (appId …)`, `~ application X: identifierUris`,
/// `- application Y (appId …)`.
impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = match self.op {
            ChangeOp::Add => '+',
            ChangeOp::Modify => '~',
            ChangeOp::Remove => '-',
        };
        write!(f, "{sign} {} {}", self.kind, self.label)?;
        match (self.op, &self.detail) {
            (ChangeOp::Modify, _) => write!(f, ": {}", self.fields.join(", ")),
            (_, Some(d)) => write!(f, " ({d})"),
            (_, None) => Ok(()),
        }
    }
}

/// Everything that differs between `old` and `new`, tenants in `new`'s order.
pub(crate) fn diff(old: &Directory, new: &Directory) -> Vec<Change> {
    let mut out = Vec::new();
    let olds: HashMap<Uuid, &Tenant> = old.tenants.iter().map(|t| (t.id, t)).collect();
    let empty = Tenant::new(Uuid::nil(), Vec::new(), String::new());
    for t in &new.tenants {
        let o = match olds.get(&t.id) {
            Some(o) => {
                let mut fields = Vec::new();
                field(&mut fields, "domains", &o.domains, &t.domains);
                field(&mut fields, "displayName", &o.display_name, &t.display_name);
                if !fields.is_empty() {
                    out.push(change(
                        ChangeOp::Modify,
                        EntityKind::Tenant,
                        t.id,
                        t.id,
                        &t.display_name,
                        None,
                        fields,
                    ));
                }
                *o
            }
            None => {
                out.push(change(
                    ChangeOp::Add,
                    EntityKind::Tenant,
                    t.id,
                    t.id,
                    &t.display_name,
                    Some(format!("id {}", t.id)),
                    Vec::new(),
                ));
                &empty
            }
        };
        tenant_contents(&mut out, o, t);
    }
    for o in &old.tenants {
        if !new.tenants.iter().any(|t| t.id == o.id) {
            out.push(change(
                ChangeOp::Remove,
                EntityKind::Tenant,
                o.id,
                o.id,
                &o.display_name,
                Some(format!("id {}", o.id)),
                Vec::new(),
            ));
        }
    }
    out
}

fn tenant_contents(out: &mut Vec<Change>, o: &Tenant, t: &Tenant) {
    let tid = t.id;
    let app_detail = |a: &Application| Some(format!("appId {}", a.app_id));
    pairs(
        &o.applications,
        &t.applications,
        |a| a.id,
        |op, a, b| {
            let fields = b.map(|b| app_fields(a, b)).unwrap_or_default();
            let shown = b.unwrap_or(a);
            if op != ChangeOp::Modify || !fields.is_empty() {
                out.push(change(
                    op,
                    EntityKind::Application,
                    tid,
                    shown.id,
                    &shown.display_name,
                    app_detail(shown),
                    fields,
                ));
            }
        },
    );
    pairs(
        &o.service_principals,
        &t.service_principals,
        |s| s.id,
        |op, a, b| {
            let mut fields = Vec::new();
            if let Some(b) = b {
                field(&mut fields, "displayName", &a.display_name, &b.display_name);
                field(
                    &mut fields,
                    "appRoleAssignmentRequired",
                    &a.app_role_assignment_required,
                    &b.app_role_assignment_required,
                );
            }
            let shown = b.unwrap_or(a);
            if op != ChangeOp::Modify || !fields.is_empty() {
                out.push(change(
                    op,
                    EntityKind::ServicePrincipal,
                    tid,
                    shown.id,
                    &shown.display_name,
                    Some(format!("appId {}", shown.app_id)),
                    fields,
                ));
            }
        },
    );
    pairs(
        &o.app_role_assignments,
        &t.app_role_assignments,
        |a| a.id,
        |op, a, _| {
            if op != ChangeOp::Modify {
                // Name it from whichever side still knows the principals.
                let side = if op == ChangeOp::Add { t } else { o };
                let role = role_value(side, a.resource_id, a.app_role_id);
                let label = format!(
                    "{role}: {} -> {}",
                    sp_name(side, a.principal_id),
                    sp_name(side, a.resource_id)
                );
                out.push(change(
                    op,
                    EntityKind::AppRoleAssignment,
                    tid,
                    a.id,
                    &label,
                    None,
                    Vec::new(),
                ));
            }
        },
    );
    pairs(
        &o.delegated_grants,
        &t.delegated_grants,
        |g| g.id,
        |op, a, b| {
            let side = if op == ChangeOp::Remove { o } else { t };
            let g = b.unwrap_or(a);
            let label = format!(
                "{}: {} -> {}",
                g.scope,
                sp_name(side, g.client_id),
                sp_name(side, g.resource_id)
            );
            let fields = match b {
                Some(b) if a != b => vec!["scope"],
                _ => Vec::new(),
            };
            if op != ChangeOp::Modify || !fields.is_empty() {
                out.push(change(
                    op,
                    EntityKind::OAuth2PermissionGrant,
                    tid,
                    g.id,
                    &label,
                    None,
                    fields,
                ));
            }
        },
    );
    pairs(
        &o.users,
        &t.users,
        |u| u.id,
        |op, a, b| {
            let mut fields = Vec::new();
            if let Some(b) = b {
                field(
                    &mut fields,
                    "userPrincipalName",
                    &a.user_principal_name,
                    &b.user_principal_name,
                );
                field(&mut fields, "displayName", &a.display_name, &b.display_name);
            }
            let shown = b.unwrap_or(a);
            if op != ChangeOp::Modify || !fields.is_empty() {
                out.push(change(
                    op,
                    EntityKind::User,
                    tid,
                    shown.id,
                    &shown.user_principal_name,
                    None,
                    fields,
                ));
            }
        },
    );
}

fn app_fields(a: &Application, b: &Application) -> Vec<&'static str> {
    let mut f = Vec::new();
    field(&mut f, "displayName", &a.display_name, &b.display_name);
    field(
        &mut f,
        "identifierUris",
        &a.identifier_uris,
        &b.identifier_uris,
    );
    field(
        &mut f,
        "signInAudience",
        &a.sign_in_audience,
        &b.sign_in_audience,
    );
    field(&mut f, "appRoles", &a.app_roles, &b.app_roles);
    field(
        &mut f,
        "api.oauth2PermissionScopes",
        &a.api.oauth2_permission_scopes,
        &b.api.oauth2_permission_scopes,
    );
    field(
        &mut f,
        "api.requestedAccessTokenVersion",
        &a.api.requested_access_token_version,
        &b.api.requested_access_token_version,
    );
    field(
        &mut f,
        "requiredResourceAccess",
        &a.required_resource_access,
        &b.required_resource_access,
    );
    field(
        &mut f,
        "passwordCredentials",
        &a.password_credentials,
        &b.password_credentials,
    );
    field(
        &mut f,
        "keyCredentials",
        &a.key_credentials,
        &b.key_credentials,
    );
    field(
        &mut f,
        "accessTokenLifetimeSeconds",
        &a.access_token_lifetime_secs,
        &b.access_token_lifetime_secs,
    );
    field(&mut f, "web", &a.web, &b.web);
    field(&mut f, "spa", &a.spa, &b.spa);
    field(&mut f, "publicClient", &a.public_client, &b.public_client);
    f
}

fn field<T: PartialEq>(out: &mut Vec<&'static str>, name: &'static str, a: &T, b: &T) {
    if a != b {
        out.push(name);
    }
}

/// Calls `f(Add, new, None)`, `f(Modify, old, Some(new))` and `f(Remove, old, None)`, new
/// entities in `new`'s order and removed ones after them.
fn pairs<'a, T>(
    old: &'a [T],
    new: &'a [T],
    id: impl Fn(&T) -> Uuid,
    mut f: impl FnMut(ChangeOp, &'a T, Option<&'a T>),
) {
    let olds: HashMap<Uuid, &T> = old.iter().map(|x| (id(x), x)).collect();
    let news: HashMap<Uuid, &T> = new.iter().map(|x| (id(x), x)).collect();
    for n in new {
        match olds.get(&id(n)) {
            Some(o) => f(ChangeOp::Modify, o, Some(n)),
            None => f(ChangeOp::Add, n, None),
        }
    }
    for o in old {
        if !news.contains_key(&id(o)) {
            f(ChangeOp::Remove, o, None);
        }
    }
}

fn change(
    op: ChangeOp,
    kind: EntityKind,
    tenant: Uuid,
    id: Uuid,
    label: &str,
    detail: Option<String>,
    fields: Vec<&'static str>,
) -> Change {
    Change {
        op,
        kind,
        tenant,
        id,
        label: label.to_owned(),
        detail,
        fields,
    }
}

fn sp_name(t: &Tenant, id: Uuid) -> String {
    t.service_principals
        .iter()
        .find(|s| s.id == id)
        .map_or_else(|| id.to_string(), |s| s.display_name.clone())
}

fn role_value(t: &Tenant, resource_sp: Uuid, role: Uuid) -> String {
    let app_id = t
        .service_principals
        .iter()
        .find(|s| s.id == resource_sp)
        .map(|s| s.app_id);
    // The resource application may live in another tenant; look only where it is cheap and
    // fall back to the role id.
    app_id
        .and_then(|a| t.application_by_app_id(a))
        .and_then(|a| a.app_roles.iter().find(|r| r.id == role))
        .map_or_else(|| role.to_string(), |r| r.value.clone())
}
