//! `sigil export`: the directory as a document `sigil apply` accepts, with every id, so that
//! applying an export changes nothing. Secrets are never printed (not even their hashes):
//! password credentials show `keyId`, `displayName`, `hint` and dates only.

use serde::Serialize;
use serde_saphyr::{FlowSeq, LitString};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::cert::to_pem;
use crate::model::{
    Application, Directory, MemberType, ResourceAccessType, ScopeType, SignInAudience, Tenant,
};

/// Which tenants to export.
#[derive(Clone, Copy, Debug, Default)]
pub enum TenantFilter<'a> {
    #[default]
    All,
    /// One tenant, by GUID or domain (case-insensitive).
    One(&'a str),
}

/// The export failed: the filter named no tenant, or the YAML writer failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    #[error("no tenant with id or domain `{0}`")]
    UnknownTenant(String),
    #[error("cannot write YAML: {0}")]
    Yaml(String),
}

/// Writes the directory (or one tenant) in the `sigil apply` format.
pub fn export(dir: &Directory, filter: TenantFilter<'_>) -> Result<String, ExportError> {
    let tenants: Vec<&Tenant> = match filter {
        TenantFilter::All => dir.tenants.iter().collect(),
        TenantFilter::One(name) => {
            let t = dir
                .tenants
                .iter()
                .find(|t| {
                    t.id.to_string().eq_ignore_ascii_case(name)
                        || t.domains.iter().any(|d| d.eq_ignore_ascii_case(name))
                })
                .ok_or_else(|| ExportError::UnknownTenant(name.to_owned()))?;
            vec![t]
        }
    };
    let doc = XDoc {
        tenants: tenants.into_iter().map(|t| tenant(dir, t)).collect(),
    };
    let mut opts = serde_saphyr::SerializerOptions::default();
    opts.indent_step = 2;
    serde_saphyr::to_string_with_options(&doc, opts).map_err(|e| ExportError::Yaml(e.to_string()))
}

#[derive(Serialize)]
struct XDoc {
    tenants: Vec<XTenant>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct XTenant {
    id: Uuid,
    display_name: String,
    domains: FlowSeq<Vec<String>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    applications: Vec<XApp>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    service_principals: Vec<XSp>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    users: Vec<XUser>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct XApp {
    id: Uuid,
    app_id: Uuid,
    display_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    sign_in_audience: Option<&'static str>,
    #[serde(skip_serializing_if = "is_empty_flow")]
    identifier_uris: FlowSeq<Vec<String>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    app_roles: Vec<XRole>,
    #[serde(skip_serializing_if = "Option::is_none")]
    api: Option<XApi>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    required_resource_access: Vec<XRra>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    password_credentials: Vec<XPassword>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    key_credentials: Vec<XKey>,
    #[serde(skip_serializing_if = "Option::is_none")]
    access_token_lifetime_seconds: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    web: Option<XRedirects>,
    #[serde(skip_serializing_if = "Option::is_none")]
    spa: Option<XRedirects>,
    #[serde(skip_serializing_if = "Option::is_none")]
    public_client: Option<XRedirects>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct XRole {
    id: Uuid,
    value: String,
    display_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    allowed_member_types: FlowSeq<Vec<&'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_enabled: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct XApi {
    #[serde(skip_serializing_if = "Option::is_none")]
    requested_access_token_version: Option<i32>,
    #[serde(
        rename = "oauth2PermissionScopes",
        skip_serializing_if = "Vec::is_empty"
    )]
    oauth2_permission_scopes: Vec<XScope>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct XScope {
    id: Uuid,
    value: String,
    #[serde(rename = "type")]
    kind: &'static str,
    admin_consent_display_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    admin_consent_description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_consent_display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_consent_description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_enabled: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct XRra {
    resource: String,
    #[serde(skip_serializing_if = "is_empty_flow")]
    app_roles: FlowSeq<Vec<String>>,
    #[serde(skip_serializing_if = "is_empty_flow")]
    scopes: FlowSeq<Vec<String>>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    admin_consent: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct XPassword {
    key_id: Uuid,
    display_name: String,
    hint: String,
    start_date_time: String,
    end_date_time: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct XKey {
    key_id: Uuid,
    #[serde(skip_serializing_if = "String::is_empty")]
    display_name: String,
    #[serde(rename = "type")]
    kind: &'static str,
    usage: &'static str,
    key: LitString,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct XRedirects {
    redirect_uris: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct XSp {
    id: Uuid,
    app_id: Uuid,
    display_name: String,
    /// Printed only when it differs from Sigil's default (true).
    #[serde(skip_serializing_if = "is_true")]
    app_role_assignment_required: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct XUser {
    id: Uuid,
    user_principal_name: String,
    display_name: String,
}

fn is_empty_flow<T>(v: &FlowSeq<Vec<T>>) -> bool {
    v.0.is_empty()
}

fn tenant(dir: &Directory, t: &Tenant) -> XTenant {
    XTenant {
        id: t.id,
        display_name: t.display_name.clone(),
        domains: FlowSeq(t.domains.clone()),
        applications: t.applications.iter().map(|a| application(dir, a)).collect(),
        service_principals: t
            .service_principals
            .iter()
            .map(|s| XSp {
                id: s.id,
                app_id: s.app_id,
                display_name: s.display_name.clone(),
                app_role_assignment_required: s.app_role_assignment_required,
            })
            .collect(),
        users: t
            .users
            .iter()
            .map(|u| XUser {
                id: u.id,
                user_principal_name: u.user_principal_name.clone(),
                display_name: u.display_name.clone(),
            })
            .collect(),
    }
}

fn application(dir: &Directory, a: &Application) -> XApp {
    let scopes: Vec<XScope> = a
        .api
        .oauth2_permission_scopes
        .iter()
        .map(|s| XScope {
            id: s.id,
            value: s.value.clone(),
            kind: match s.kind {
                ScopeType::User => "User",
                ScopeType::Admin => "Admin",
            },
            admin_consent_display_name: s.admin_consent_display_name.clone(),
            admin_consent_description: unless_eq(
                &s.admin_consent_description,
                &s.admin_consent_display_name,
            ),
            user_consent_display_name: unless_eq(
                &s.user_consent_display_name,
                &s.admin_consent_display_name,
            ),
            user_consent_description: unless_eq(
                &s.user_consent_description,
                &s.admin_consent_description,
            ),
            is_enabled: (!s.is_enabled).then_some(false),
        })
        .collect();
    let api =
        (!scopes.is_empty() || a.api.requested_access_token_version.is_some()).then_some(XApi {
            requested_access_token_version: a.api.requested_access_token_version,
            oauth2_permission_scopes: scopes,
        });
    XApp {
        id: a.id,
        app_id: a.app_id,
        display_name: a.display_name.clone(),
        sign_in_audience: (a.sign_in_audience == SignInAudience::AzureADMultipleOrgs)
            .then_some("AzureADMultipleOrgs"),
        identifier_uris: FlowSeq(a.identifier_uris.clone()),
        app_roles: a
            .app_roles
            .iter()
            .map(|r| XRole {
                id: r.id,
                value: r.value.clone(),
                display_name: r.display_name.clone(),
                description: unless_eq(&r.description, &r.display_name),
                allowed_member_types: FlowSeq(
                    r.allowed_member_types
                        .iter()
                        .map(|m| match m {
                            MemberType::Application => "Application",
                            MemberType::User => "User",
                        })
                        .collect(),
                ),
                is_enabled: (!r.is_enabled).then_some(false),
            })
            .collect(),
        api,
        required_resource_access: a
            .required_resource_access
            .iter()
            .map(|r| rra(dir, r))
            .collect(),
        password_credentials: a
            .password_credentials
            .iter()
            .map(|p| XPassword {
                key_id: p.key_id,
                display_name: p.display_name.clone(),
                hint: p.hint.clone(),
                start_date_time: rfc3339(p.start_date_time),
                end_date_time: rfc3339(p.end_date_time),
            })
            .collect(),
        key_credentials: a
            .key_credentials
            .iter()
            .map(|k| XKey {
                key_id: k.key_id,
                display_name: k.display_name.clone(),
                kind: "AsymmetricX509Cert",
                usage: "Verify",
                key: LitString(to_pem(&k.cert_der)),
            })
            .collect(),
        access_token_lifetime_seconds: a.access_token_lifetime_secs,
        web: redirects(&a.web.redirect_uris),
        spa: redirects(&a.spa.redirect_uris),
        public_client: redirects(&a.public_client.redirect_uris),
    }
}

/// Role and scope ids are written back as the values the resource defines today.
fn rra(dir: &Directory, r: &crate::model::RequiredResourceAccess) -> XRra {
    let resource = dir
        .tenants
        .iter()
        .find_map(|t| t.application_by_app_id(r.resource_app_id));
    let name = |id: Uuid, kind: ResourceAccessType| -> String {
        let found = resource.and_then(|app| match kind {
            ResourceAccessType::Role => app
                .app_roles
                .iter()
                .find(|x| x.id == id)
                .map(|x| x.value.clone()),
            ResourceAccessType::Scope => app
                .api
                .oauth2_permission_scopes
                .iter()
                .find(|x| x.id == id)
                .map(|x| x.value.clone()),
        });
        found.unwrap_or_else(|| id.to_string())
    };
    let of = |kind| {
        r.resource_access
            .iter()
            .filter(|x| x.kind == kind)
            .map(|x| name(x.id, kind))
            .collect()
    };
    XRra {
        resource: r.resource.clone(),
        app_roles: FlowSeq(of(ResourceAccessType::Role)),
        scopes: FlowSeq(of(ResourceAccessType::Scope)),
        admin_consent: r.admin_consent,
    }
}

fn redirects(uris: &[String]) -> Option<XRedirects> {
    (!uris.is_empty()).then(|| XRedirects {
        redirect_uris: uris.to_vec(),
    })
}

fn unless_eq(v: &str, default: &str) -> Option<String> {
    (v != default).then(|| v.to_owned())
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_true(b: &bool) -> bool {
    *b
}
