//! The `sigil apply` document: parsed from YAML, checked for everything that needs no other
//! input (shape, types, enums, duplicates inside one list), every entry located.
//!
//! Checks that need the current directory, the environment or files happen in `apply`.

use std::collections::HashMap;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::ApplyError;
use crate::model::{MemberType, ScopeType, SignInAudience};
use crate::yaml::{self, At, Fields, Loc, Node, Reader};

/// A parsed directory document. Build it with [`Document::parse`], then give it to
/// [`crate::apply`].
#[derive(Debug)]
pub struct Document {
    pub(crate) file: String,
    pub(crate) tenants: Vec<DocTenant>,
}

#[derive(Debug)]
pub(crate) struct DocTenant {
    pub(crate) loc: Loc,
    pub(crate) id: Option<At<Uuid>>,
    pub(crate) domains: Vec<At<String>>,
    pub(crate) display_name: Option<String>,
    pub(crate) applications: Vec<DocApp>,
    pub(crate) service_principals: Vec<DocSp>,
    pub(crate) users: Vec<DocUser>,
}

#[derive(Debug)]
pub(crate) struct DocApp {
    pub(crate) loc: Loc,
    pub(crate) id: Option<At<Uuid>>,
    pub(crate) app_id: Option<At<Uuid>>,
    pub(crate) display_name: At<String>,
    pub(crate) identifier_uris: Vec<At<String>>,
    pub(crate) sign_in_audience: SignInAudience,
    pub(crate) app_roles: Vec<DocRole>,
    pub(crate) scopes: Vec<DocScope>,
    pub(crate) requested_access_token_version: Option<i32>,
    pub(crate) required_resource_access: Vec<DocRra>,
    pub(crate) password_credentials: Vec<DocPassword>,
    pub(crate) key_credentials: Vec<DocKey>,
    pub(crate) access_token_lifetime_secs: Option<u32>,
    pub(crate) web: Vec<String>,
    pub(crate) spa: Vec<String>,
    pub(crate) public_client: Vec<String>,
}

#[derive(Debug)]
pub(crate) struct DocRole {
    pub(crate) id: Option<At<Uuid>>,
    pub(crate) value: At<String>,
    pub(crate) display_name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) allowed_member_types: Vec<MemberType>,
    pub(crate) is_enabled: bool,
}

#[derive(Debug)]
pub(crate) struct DocScope {
    pub(crate) id: Option<At<Uuid>>,
    pub(crate) value: At<String>,
    pub(crate) kind: ScopeType,
    pub(crate) admin_consent_display_name: Option<String>,
    pub(crate) admin_consent_description: Option<String>,
    pub(crate) user_consent_display_name: Option<String>,
    pub(crate) user_consent_description: Option<String>,
    pub(crate) is_enabled: bool,
}

#[derive(Debug)]
pub(crate) struct DocRra {
    pub(crate) resource: At<String>,
    pub(crate) app_roles: Vec<At<String>>,
    pub(crate) scopes: Vec<At<String>>,
    pub(crate) admin_consent: bool,
}

#[derive(Debug)]
pub(crate) struct DocPassword {
    pub(crate) loc: Loc,
    pub(crate) key_id: Option<At<Uuid>>,
    pub(crate) display_name: String,
    pub(crate) secret_text: Option<At<String>>,
    pub(crate) start: Option<At<OffsetDateTime>>,
    pub(crate) end: Option<At<OffsetDateTime>>,
}

#[derive(Debug)]
pub(crate) struct DocKey {
    pub(crate) key_id: Option<At<Uuid>>,
    pub(crate) display_name: String,
    pub(crate) key: At<String>,
}

#[derive(Debug)]
pub(crate) struct DocSp {
    pub(crate) loc: Loc,
    pub(crate) id: Option<At<Uuid>>,
    pub(crate) app_id: At<Uuid>,
    pub(crate) display_name: Option<String>,
    pub(crate) app_role_assignment_required: Option<bool>,
}

#[derive(Debug)]
pub(crate) struct DocUser {
    pub(crate) id: Option<At<Uuid>>,
    pub(crate) user_principal_name: At<String>,
    pub(crate) display_name: Option<String>,
}

const TOP: &[&str] = &["tenants"];
const TENANT: &[&str] = &[
    "id",
    "displayName",
    "domains",
    "applications",
    "servicePrincipals",
    "users",
];
const APP: &[&str] = &[
    "id",
    "appId",
    "displayName",
    "identifierUris",
    "signInAudience",
    "appRoles",
    "api",
    "requiredResourceAccess",
    "passwordCredentials",
    "keyCredentials",
    "accessTokenLifetimeSeconds",
    "web",
    "spa",
    "publicClient",
];
const ROLE: &[&str] = &[
    "id",
    "value",
    "displayName",
    "description",
    "allowedMemberTypes",
    "isEnabled",
];
const API: &[&str] = &["oauth2PermissionScopes", "requestedAccessTokenVersion"];
const SCOPE: &[&str] = &[
    "id",
    "value",
    "type",
    "adminConsentDisplayName",
    "adminConsentDescription",
    "userConsentDisplayName",
    "userConsentDescription",
    "isEnabled",
];
const RRA: &[&str] = &["resource", "appRoles", "scopes", "adminConsent"];
const PASSWORD: &[&str] = &[
    "keyId",
    "displayName",
    "secretText",
    "hint",
    "startDateTime",
    "endDateTime",
];
const KEY: &[&str] = &["keyId", "displayName", "type", "usage", "key"];
const REDIRECTS: &[&str] = &["redirectUris"];
const SP: &[&str] = &["id", "appId", "displayName", "appRoleAssignmentRequired"];
const USER: &[&str] = &["id", "userPrincipalName", "displayName"];

/// Entra's bounds for a configurable access-token lifetime: 10 minutes to 1 day.
const LIFETIME_RANGE: std::ops::RangeInclusive<i128> = 600..=86_400;

// === impl Document ===

impl Document {
    /// Parses and checks a document. `file` names it in errors (and anchors relative
    /// `file:` references in `keyCredentials`). Every problem found is returned, not just the
    /// first.
    pub fn parse(file: &str, text: &str) -> Result<Self, Vec<ApplyError>> {
        let root = yaml::parse(file, text).map_err(|e| vec![e])?;
        let mut r = Reader::new(file);
        let mut tenants = Vec::new();
        if let Some(f) = r.fields(&root, "", TOP) {
            match f.get("tenants") {
                Some((n, p)) => {
                    for (t, tp) in r.list(n, &p) {
                        if let Some(t) = tenant(&mut r, t, &tp) {
                            tenants.push(t);
                        }
                    }
                }
                None => r.error(&f.loc, "missing `tenants`"),
            }
        }
        if r.errors.is_empty() {
            Ok(Self {
                file: file.to_owned(),
                tenants,
            })
        } else {
            Err(r.errors)
        }
    }

    /// The file name given to [`Document::parse`].
    pub fn file(&self) -> &str {
        &self.file
    }
}

fn tenant(r: &mut Reader, node: &Node, path: &str) -> Option<DocTenant> {
    let f = r.fields(node, path, TENANT)?;
    let id = opt(r, &f, "id", Reader::uuid);
    let domains = f
        .get("domains")
        .map(|(n, p)| r.strings(n, &p))
        .unwrap_or_default();
    for d in &domains {
        if !is_domain(&d.value) {
            r.error(&d.loc, format!("`{}` is not a domain name", d.value));
        }
    }
    dupes(r, &domains, |d| d.value.to_ascii_lowercase(), "domain");
    if id.is_none() && domains.is_empty() {
        r.error(&f.loc, "a tenant needs an `id` or at least one domain");
    }
    let display_name = opt(r, &f, "displayName", Reader::name).map(|s| s.value);
    let applications: Vec<DocApp> = items(r, &f, "applications", application);
    dupes(
        r,
        &applications
            .iter()
            .map(|a| a.display_name.clone())
            .collect::<Vec<_>>(),
        |s| s.value.clone(),
        "application displayName",
    );
    let mut uris = Vec::new();
    for a in &applications {
        uris.extend(a.identifier_uris.iter().cloned());
    }
    dupes(r, &uris, |u| normalize_uri(&u.value), "identifierUri");
    let service_principals: Vec<DocSp> = items(r, &f, "servicePrincipals", service_principal);
    dupes(
        r,
        &service_principals
            .iter()
            .map(|s| s.app_id.clone())
            .collect::<Vec<_>>(),
        |s| s.value,
        "servicePrincipal appId",
    );
    let users: Vec<DocUser> = items(r, &f, "users", user);
    dupes(
        r,
        &users
            .iter()
            .map(|u| u.user_principal_name.clone())
            .collect::<Vec<_>>(),
        |s| s.value.to_ascii_lowercase(),
        "userPrincipalName",
    );
    Some(DocTenant {
        loc: f.loc.clone(),
        id,
        domains,
        display_name,
        applications,
        service_principals,
        users,
    })
}

fn application(r: &mut Reader, node: &Node, path: &str) -> Option<DocApp> {
    let f = r.fields(node, path, APP)?;
    let display_name = required(r, &f, "displayName", Reader::name);
    let id = opt(r, &f, "id", Reader::uuid);
    let app_id = opt(r, &f, "appId", Reader::uuid);
    let identifier_uris = f
        .get("identifierUris")
        .map(|(n, p)| r.strings(n, &p))
        .unwrap_or_default();
    for u in &identifier_uris {
        if let Err(why) = check_identifier_uri(&u.value) {
            r.error(&u.loc, why);
        }
    }
    let sign_in_audience = opt(r, &f, "signInAudience", |r, n, p| {
        one_of(
            r,
            n,
            p,
            &[
                ("AzureADMyOrg", SignInAudience::AzureADMyOrg),
                ("AzureADMultipleOrgs", SignInAudience::AzureADMultipleOrgs),
            ],
        )
    })
    .unwrap_or_default();
    let app_roles: Vec<DocRole> = items(r, &f, "appRoles", app_role);
    let (scopes, requested_access_token_version) = match f.get("api") {
        Some((n, p)) => api(r, n, &p),
        None => (Vec::new(), None),
    };
    dupes(
        r,
        &app_roles
            .iter()
            .map(|x| x.value.clone())
            .collect::<Vec<_>>(),
        |s| s.value.clone(),
        "app role value",
    );
    dupes(
        r,
        &scopes.iter().map(|x| x.value.clone()).collect::<Vec<_>>(),
        |s| s.value.clone(),
        "scope value",
    );
    let ids: Vec<At<Uuid>> = app_roles
        .iter()
        .filter_map(|x| x.id.clone())
        .chain(scopes.iter().filter_map(|x| x.id.clone()))
        .collect();
    dupes(r, &ids, |s| s.value, "app role or scope id");
    let required_resource_access = items(r, &f, "requiredResourceAccess", rra);
    let password_credentials: Vec<DocPassword> = items(r, &f, "passwordCredentials", password);
    let key_credentials: Vec<DocKey> = items(r, &f, "keyCredentials", key_credential);
    let unnamed: Vec<At<String>> = password_credentials
        .iter()
        .filter(|c| c.key_id.is_none())
        .map(|c| At {
            value: c.display_name.clone(),
            loc: c.loc.clone(),
        })
        .collect();
    dupes(
        r,
        &unnamed,
        |s| s.value.clone(),
        "passwordCredential displayName (without keyId)",
    );
    let key_ids: Vec<At<Uuid>> = password_credentials
        .iter()
        .filter_map(|c| c.key_id.clone())
        .chain(key_credentials.iter().filter_map(|c| c.key_id.clone()))
        .collect();
    dupes(r, &key_ids, |s| s.value, "keyId");
    let access_token_lifetime_secs = opt(r, &f, "accessTokenLifetimeSeconds", Reader::integer)
        .and_then(|v| {
            if LIFETIME_RANGE.contains(&v.value) {
                u32::try_from(v.value).ok()
            } else {
                r.error(
                    &v.loc,
                    "must be between 600 (10 minutes) and 86400 (1 day) seconds",
                );
                None
            }
        });
    Some(DocApp {
        loc: f.loc.clone(),
        id,
        app_id,
        display_name: display_name?,
        identifier_uris,
        sign_in_audience,
        app_roles,
        scopes,
        requested_access_token_version,
        required_resource_access,
        password_credentials,
        key_credentials,
        access_token_lifetime_secs,
        web: redirects(r, &f, "web"),
        spa: redirects(r, &f, "spa"),
        public_client: redirects(r, &f, "publicClient"),
    })
}

fn app_role(r: &mut Reader, node: &Node, path: &str) -> Option<DocRole> {
    let f = r.fields(node, path, ROLE)?;
    let value = required(r, &f, "value", Reader::name).filter(|v| permission_value(r, v));
    let allowed_member_types = match f.get("allowedMemberTypes") {
        Some((n, p)) => {
            let list = r.list(n, &p);
            let types: Vec<MemberType> = list
                .into_iter()
                .filter_map(|(n, p)| {
                    one_of(
                        r,
                        n,
                        &p,
                        &[
                            ("Application", MemberType::Application),
                            ("User", MemberType::User),
                        ],
                    )
                })
                .collect();
            if types.is_empty() {
                r.error(
                    &Loc {
                        pos: n.pos,
                        path: p,
                    },
                    "must name at least one of Application, User",
                );
            }
            types
        }
        None => vec![MemberType::Application],
    };
    Some(DocRole {
        id: opt(r, &f, "id", Reader::uuid),
        display_name: opt(r, &f, "displayName", Reader::string).map(|s| s.value),
        description: opt(r, &f, "description", Reader::string).map(|s| s.value),
        is_enabled: opt(r, &f, "isEnabled", Reader::boolean).is_none_or(|b| b.value),
        allowed_member_types,
        value: value?,
    })
}

fn api(r: &mut Reader, node: &Node, path: &str) -> (Vec<DocScope>, Option<i32>) {
    let Some(f) = r.fields(node, path, API) else {
        return (Vec::new(), None);
    };
    let scopes = items(r, &f, "oauth2PermissionScopes", scope);
    let version =
        opt(r, &f, "requestedAccessTokenVersion", Reader::integer).and_then(|v| match v.value {
            1 => Some(1),
            2 => Some(2),
            _ => {
                r.error(&v.loc, "must be 1 or 2");
                None
            }
        });
    (scopes, version)
}

fn scope(r: &mut Reader, node: &Node, path: &str) -> Option<DocScope> {
    let f = r.fields(node, path, SCOPE)?;
    let value = required(r, &f, "value", Reader::name).filter(|v| permission_value(r, v));
    let text = |r: &mut Reader, k: &str| opt(r, &f, k, Reader::string).map(|s| s.value);
    Some(DocScope {
        id: opt(r, &f, "id", Reader::uuid),
        kind: opt(r, &f, "type", |r, n, p| {
            one_of(
                r,
                n,
                p,
                &[("User", ScopeType::User), ("Admin", ScopeType::Admin)],
            )
        })
        .unwrap_or_default(),
        admin_consent_display_name: text(r, "adminConsentDisplayName"),
        admin_consent_description: text(r, "adminConsentDescription"),
        user_consent_display_name: text(r, "userConsentDisplayName"),
        user_consent_description: text(r, "userConsentDescription"),
        is_enabled: opt(r, &f, "isEnabled", Reader::boolean).is_none_or(|b| b.value),
        value: value?,
    })
}

fn rra(r: &mut Reader, node: &Node, path: &str) -> Option<DocRra> {
    let f = r.fields(node, path, RRA)?;
    let resource = required(r, &f, "resource", Reader::name);
    let app_roles = f
        .get("appRoles")
        .map(|(n, p)| r.strings(n, &p))
        .unwrap_or_default();
    let scopes = f
        .get("scopes")
        .map(|(n, p)| r.strings(n, &p))
        .unwrap_or_default();
    let admin_consent = opt(r, &f, "adminConsent", Reader::boolean).is_some_and(|b| b.value);
    if app_roles.is_empty() && scopes.is_empty() {
        r.error(&f.loc, "name at least one of `appRoles` or `scopes`");
    }
    Some(DocRra {
        resource: resource?,
        app_roles,
        scopes,
        admin_consent,
    })
}

fn password(r: &mut Reader, node: &Node, path: &str) -> Option<DocPassword> {
    let f = r.fields(node, path, PASSWORD)?;
    let secret_text = opt(r, &f, "secretText", Reader::string);
    if let Some(s) = &secret_text {
        if env_reference(&s.value).is_none()
            && s.value.chars().count() < crate::secret::MIN_SECRET_LEN
        {
            r.error(&s.loc, format!("a secret must be at least {} characters (omit secretText to have one generated)", crate::secret::MIN_SECRET_LEN));
        }
    }
    // `hint` is what `sigil export` prints; it is accepted so an export applies unchanged, and
    // otherwise ignored (the stored hint always comes from the secret).
    let _ = opt(r, &f, "hint", Reader::string);
    let start = opt(r, &f, "startDateTime", Reader::datetime);
    let end = opt(r, &f, "endDateTime", Reader::datetime);
    if let (Some(s), Some(e)) = (&start, &end) {
        if e.value <= s.value {
            r.error(&e.loc, "endDateTime must be after startDateTime");
        }
    }
    Some(DocPassword {
        loc: f.loc.clone(),
        key_id: opt(r, &f, "keyId", Reader::uuid),
        display_name: opt(r, &f, "displayName", Reader::string)
            .map(|s| s.value)
            .unwrap_or_default(),
        secret_text,
        start,
        end,
    })
}

fn key_credential(r: &mut Reader, node: &Node, path: &str) -> Option<DocKey> {
    let f = r.fields(node, path, KEY)?;
    let _ = opt(r, &f, "type", |r, n, p| {
        one_of(r, n, p, &[("AsymmetricX509Cert", ())])
    });
    let _ = opt(r, &f, "usage", |r, n, p| one_of(r, n, p, &[("Verify", ())]));
    // Not `name`: a PEM in a YAML literal block ends with a newline.
    let key = required(r, &f, "key", Reader::string).filter(|k| {
        let empty = k.value.trim().is_empty();
        if empty {
            r.error(&k.loc, "must not be empty");
        }
        !empty
    });
    Some(DocKey {
        key_id: opt(r, &f, "keyId", Reader::uuid),
        display_name: opt(r, &f, "displayName", Reader::string)
            .map(|s| s.value)
            .unwrap_or_default(),
        key: key?,
    })
}

fn service_principal(r: &mut Reader, node: &Node, path: &str) -> Option<DocSp> {
    let f = r.fields(node, path, SP)?;
    let app_id = required(r, &f, "appId", Reader::uuid);
    Some(DocSp {
        loc: f.loc.clone(),
        id: opt(r, &f, "id", Reader::uuid),
        display_name: opt(r, &f, "displayName", Reader::name).map(|s| s.value),
        app_role_assignment_required: opt(r, &f, "appRoleAssignmentRequired", Reader::boolean)
            .map(|b| b.value),
        app_id: app_id?,
    })
}

fn user(r: &mut Reader, node: &Node, path: &str) -> Option<DocUser> {
    let f = r.fields(node, path, USER)?;
    let upn = required(r, &f, "userPrincipalName", Reader::name);
    if let Some(u) = &upn {
        if u.value
            .split_once('@')
            .is_none_or(|(a, d)| a.is_empty() || !is_domain(d))
        {
            r.error(&u.loc, "expected name@domain");
        }
    }
    Some(DocUser {
        id: opt(r, &f, "id", Reader::uuid),
        display_name: opt(r, &f, "displayName", Reader::string).map(|s| s.value),
        user_principal_name: upn?,
    })
}

fn redirects(r: &mut Reader, f: &Fields<'_>, key: &str) -> Vec<String> {
    let Some((n, p)) = f.get(key) else {
        return Vec::new();
    };
    let Some(inner) = r.fields(n, &p, REDIRECTS) else {
        return Vec::new();
    };
    let uris = inner
        .get("redirectUris")
        .map(|(n, p)| r.strings(n, &p))
        .unwrap_or_default();
    for u in &uris {
        if !(u.value.contains("://") || u.value.starts_with("urn:"))
            || u.value.contains(char::is_whitespace)
        {
            r.error(&u.loc, format!("`{}` is not an absolute URI", u.value));
        }
    }
    uris.into_iter().map(|u| u.value).collect()
}

// --- helpers ---

type Read<T> = fn(&mut Reader, &Node, &str) -> Option<T>;

fn opt<T>(
    r: &mut Reader,
    f: &Fields<'_>,
    key: &str,
    read: impl FnOnce(&mut Reader, &Node, &str) -> Option<T>,
) -> Option<T> {
    let (n, p) = f.get(key)?;
    read(r, n, &p)
}

fn required<T>(r: &mut Reader, f: &Fields<'_>, key: &str, read: Read<T>) -> Option<T> {
    match f.get(key) {
        Some((n, p)) => read(r, n, &p),
        None => {
            r.error(
                &Loc {
                    pos: f.loc.pos,
                    path: yaml::join(&f.loc.path, key),
                },
                format!("missing required field `{key}`"),
            );
            None
        }
    }
}

fn items<T>(r: &mut Reader, f: &Fields<'_>, key: &str, read: Read<T>) -> Vec<T> {
    let Some((n, p)) = f.get(key) else {
        return Vec::new();
    };
    let list = r.list(n, &p);
    list.into_iter()
        .filter_map(|(n, p)| read(r, n, &p))
        .collect()
}

fn one_of<T: Copy>(r: &mut Reader, node: &Node, path: &str, options: &[(&str, T)]) -> Option<T> {
    let s = r.string(node, path)?;
    if let Some((_, v)) = options.iter().find(|(name, _)| *name == s.value) {
        return Some(*v);
    }
    let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
    r.error(
        &s.loc,
        format!("`{}` is not one of: {}", s.value, names.join(", ")),
    );
    None
}

/// Reports every entry whose key was already seen in the same list.
fn dupes<T, K: std::hash::Hash + Eq>(
    r: &mut Reader,
    list: &[At<T>],
    key: impl Fn(&At<T>) -> K,
    what: &str,
) {
    let mut seen: HashMap<K, &Loc> = HashMap::new();
    for item in list {
        let k = key(item);
        if let Some(first) = seen.get(&k) {
            let msg = format!("duplicate {what} (first at line {})", first.pos.line);
            r.error(&item.loc, msg);
        } else {
            seen.insert(k, &item.loc);
        }
    }
}

/// App role and scope values appear in space-separated claims and `scope` parameters.
fn permission_value(r: &mut Reader, v: &At<String>) -> bool {
    let ok = !v.value.starts_with('.')
        && v.value
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '\\' | ',' | ';' | '<' | '>'));
    if !ok {
        r.error(&v.loc, "must be printable ASCII without spaces, quotes, `,`, `;`, `\\`, `<`, `>`, and must not start with `.`");
    }
    ok
}

fn is_domain(d: &str) -> bool {
    !d.is_empty()
        && d.len() <= 253
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

/// Entra's shape rules for Application ID URIs that matter for matching: absolute, no spaces,
/// no wildcard, no query or fragment, and not ending in a permission (`/.default`).
pub(crate) fn check_identifier_uri(u: &str) -> Result<(), String> {
    let Some((scheme, rest)) = u.split_once(':') else {
        return Err(format!("`{u}` is not an absolute URI (e.g. api://my-api)"));
    };
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        || rest.is_empty()
    {
        return Err(format!("`{u}` is not an absolute URI (e.g. api://my-api)"));
    }
    if u.contains(char::is_whitespace) || u.contains(['*', '?', '#']) {
        return Err(format!("`{u}` must not contain spaces, `*`, `?` or `#`"));
    }
    if u.to_ascii_lowercase().ends_with("/.default") {
        return Err("an identifier URI must not end with /.default".to_owned());
    }
    Ok(())
}

/// The form identifier URIs are compared in: ASCII case-insensitive, one trailing `/` ignored.
pub(crate) fn normalize_uri(u: &str) -> String {
    u.strip_suffix('/').unwrap_or(u).to_ascii_lowercase()
}

/// `${env:NAME}` → `NAME`.
pub(crate) fn env_reference(s: &str) -> Option<&str> {
    s.strip_prefix("${env:")?
        .strip_suffix('}')
        .filter(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        Document::parse("d.yaml", text)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn product_example_parses() {
        let doc = Document::parse("d.yaml", crate::tests_support::PRODUCT_EXAMPLE).unwrap();
        assert_eq!(doc.tenants.len(), 1);
        let apps = &doc.tenants[0].applications;
        assert_eq!(apps.len(), 2);
        assert_eq!(apps[0].app_roles[0].value.value, "Fraud.Scan");
        assert_eq!(
            apps[1].password_credentials[0]
                .secret_text
                .as_ref()
                .unwrap()
                .value,
            "${env:TP_SECRET}"
        );
        assert_eq!(
            apps[1].key_credentials[0].key.value,
            "file:certs/transaction-processor.pem"
        );
        assert!(apps[1].required_resource_access[0].admin_consent);
    }

    #[test]
    fn all_errors_are_collected_with_locations() {
        let e = errors(
            "tenants:\n  - id: not-a-guid\n    domains: [a.example]\n    applications:\n      - displayName: A\n        appRoles:\n          - value: R\n            allowedMemberTypes: [Robot]\n          - value: R\n        colour: blue\n",
        );
        assert_eq!(
            e,
            vec![
                "d.yaml:2:9: tenants[0].id: `not-a-guid` is not a GUID (expected the form 00000000-0000-0000-0000-000000000000)",
                "d.yaml:10:9: tenants[0].applications[0].colour: unknown field `colour`; expected one of: id, appId, displayName, identifierUris, signInAudience, appRoles, api, requiredResourceAccess, passwordCredentials, keyCredentials, accessTokenLifetimeSeconds, web, spa, publicClient",
                "d.yaml:8:34: tenants[0].applications[0].appRoles[0].allowedMemberTypes[0]: `Robot` is not one of: Application, User",
                "d.yaml:8:33: tenants[0].applications[0].appRoles[0].allowedMemberTypes: must name at least one of Application, User",
                "d.yaml:9:20: tenants[0].applications[0].appRoles[1].value: duplicate app role value (first at line 7)",
            ]
        );
    }

    #[test]
    fn identifier_uris_and_env_references() {
        assert!(check_identifier_uri("api://fraud-detector").is_ok());
        assert!(check_identifier_uri("https://database.windows.net/").is_ok());
        assert!(check_identifier_uri("fraud").is_err());
        assert!(check_identifier_uri("api://x/.default").is_err());
        assert!(check_identifier_uri("api://*").is_err());
        assert_eq!(normalize_uri("API://X/"), "api://x");
        assert_eq!(env_reference("${env:TP}"), Some("TP"));
        assert_eq!(env_reference("${env:}"), None);
        assert_eq!(env_reference("x${env:TP}"), None);
    }
}
