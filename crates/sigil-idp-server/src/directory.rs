//! The directory as the token endpoint sees it: loaded from the store, indexed once per change,
//! swapped atomically, and polled for changes made by `sigil apply` or other replicas.

use std::collections::HashMap;
use std::sync::Arc;

use arc_swap::ArcSwap;
use sigil_core::UnixTime;
use sigil_crypto::HmacKey;
use sigil_directory::{
    Application, Directory, MemberType, SecretError, Tenant, verify_client_secret,
};
use sigil_idp::{CertCredential, ClientInfo, DirectoryView, ResourceInfo, SecretCheck, Thumbprint};
use sigil_storage::Store;
use uuid::Uuid;

/// Why the directory could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DirectoryError {
    /// The store failed.
    #[error(transparent)]
    Storage(#[from] sigil_storage::StorageError),
    /// The stored document does not parse.
    #[error("stored directory is corrupt: {0}")]
    Corrupt(#[from] serde_json::Error),
}

/// A directory plus lookup tables, immutable once built.
#[derive(Debug)]
pub struct DirectoryIndex {
    version: u64,
    directory: Directory,
    hash_key: HmacKey,
    /// Lowercase GUID or domain → tenant position.
    tenants: HashMap<String, usize>,
    /// Canonical tenant id string per position (borrowed by views).
    tenant_ids: Vec<String>,
    per_tenant: Vec<TenantIndex>,
}

#[derive(Debug, Default)]
struct TenantIndex {
    /// appId (lowercase) → application position.
    apps_by_app_id: HashMap<String, usize>,
    /// identifierUri (normalised) or appId → application position.
    resources: HashMap<String, usize>,
    /// appId → (service principal object id string, assignment required).
    sps: HashMap<Uuid, (String, bool)>,
    /// String forms of app ids, per application position.
    app_id_strings: Vec<String>,
    /// (client SP, resource SP) → granted role values.
    roles: HashMap<(String, String), Vec<String>>,
}

/// `api://x/` and `api://x` name the same resource; hosts compare case-insensitively in Entra,
/// so identifier URIs are matched without a trailing slash and in lowercase.
fn normalise_identifier(s: &str) -> String {
    s.trim_end_matches('/').to_ascii_lowercase()
}

impl DirectoryIndex {
    /// Index a directory.
    pub fn build(version: u64, directory: Directory, hash_key: HmacKey) -> Self {
        let mut tenants = HashMap::new();
        let mut tenant_ids = Vec::new();
        let mut per_tenant = Vec::new();
        for (pos, t) in directory.tenants.iter().enumerate() {
            let id = t.id.hyphenated().to_string();
            tenants.insert(id.clone(), pos);
            for d in &t.domains {
                tenants.insert(d.to_ascii_lowercase(), pos);
            }
            tenant_ids.push(id);
            per_tenant.push(index_tenant(t));
        }
        Self {
            version,
            directory,
            hash_key,
            tenants,
            tenant_ids,
            per_tenant,
        }
    }

    /// The stored version this index reflects.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The directory itself.
    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    fn tenant_pos(&self, tid: &str) -> Option<usize> {
        self.tenants.get(&tid.to_ascii_lowercase()).copied()
    }

    fn app(&self, tid: &str, app_id: &str) -> Option<(usize, usize)> {
        let t = self.tenant_pos(tid)?;
        let a = *self.per_tenant[t]
            .apps_by_app_id
            .get(&app_id.to_ascii_lowercase())?;
        Some((t, a))
    }

    fn application(&self, t: usize, a: usize) -> &Application {
        &self.directory.tenants[t].applications[a]
    }
}

fn index_tenant(t: &Tenant) -> TenantIndex {
    let mut ix = TenantIndex::default();
    for sp in &t.service_principals {
        ix.sps.insert(
            sp.app_id,
            (
                sp.id.hyphenated().to_string(),
                sp.app_role_assignment_required,
            ),
        );
    }
    for (pos, app) in t.applications.iter().enumerate() {
        let app_id = app.app_id.hyphenated().to_string();
        ix.apps_by_app_id.insert(app_id.clone(), pos);
        ix.resources.insert(app_id.clone(), pos);
        for uri in &app.identifier_uris {
            ix.resources.insert(normalise_identifier(uri), pos);
        }
        ix.app_id_strings.push(app_id);
    }
    // Role values by resource SP: only enabled roles that applications may hold.
    let mut role_values: HashMap<(Uuid, Uuid), String> = HashMap::new();
    for app in &t.applications {
        if let Some(sp) = t.service_principal_by_app_id(app.app_id) {
            for r in app.app_roles.iter().filter(|r| {
                r.is_enabled && r.allowed_member_types.contains(&MemberType::Application)
            }) {
                role_values.insert((sp.id, r.id), r.value.clone());
            }
        }
    }
    for a in &t.app_role_assignments {
        if let Some(value) = role_values.get(&(a.resource_id, a.app_role_id)) {
            ix.roles
                .entry((
                    a.principal_id.hyphenated().to_string(),
                    a.resource_id.hyphenated().to_string(),
                ))
                .or_default()
                .push(value.clone());
        }
    }
    for v in ix.roles.values_mut() {
        v.sort();
        v.dedup();
    }
    ix
}

impl DirectoryView for DirectoryIndex {
    fn tenant_id(&self, id_or_domain: &str) -> Option<&str> {
        self.tenant_pos(id_or_domain)
            .map(|p| self.tenant_ids[p].as_str())
    }

    fn client(&self, tid: &str, app_id: &str) -> Option<ClientInfo<'_>> {
        let (t, a) = self.app(tid, app_id)?;
        let app = self.application(t, a);
        let (sp, _) = self.per_tenant[t].sps.get(&app.app_id)?;
        Some(ClientInfo {
            app_id: &self.per_tenant[t].app_id_strings[a],
            sp_object_id: sp,
            display_name: &app.display_name,
        })
    }

    fn check_secret(&self, tid: &str, app_id: &str, presented: &str, now: UnixTime) -> SecretCheck {
        let Some((t, a)) = self.app(tid, app_id) else {
            return SecretCheck::Invalid;
        };
        match verify_client_secret(self.application(t, a), presented, &self.hash_key, now) {
            Ok(_) => SecretCheck::Valid,
            Err(SecretError::Expired) => SecretCheck::Expired,
            Err(_) => SecretCheck::Invalid,
        }
    }

    fn certificate(
        &self,
        tid: &str,
        app_id: &str,
        thumb: Thumbprint<'_>,
    ) -> Option<CertCredential<'_>> {
        let (t, a) = self.app(tid, app_id)?;
        let app = self.application(t, a);
        let kc = app.key_credentials.iter().find(|k| match thumb {
            Thumbprint::Sha1(x) => sigil_crypto::constant_time_eq(&k.x5t_sha1, x),
            Thumbprint::Sha256(x) => sigil_crypto::constant_time_eq(&k.x5t_sha256, x),
        })?;
        let secs = |d: time::OffsetDateTime| u64::try_from(d.unix_timestamp()).unwrap_or(0);
        Some(CertCredential {
            der: &kc.cert_der,
            not_before: secs(kc.start_date_time),
            not_after: secs(kc.end_date_time),
        })
    }

    fn resource(&self, tid: &str, identifier: &str) -> Option<ResourceInfo<'_>> {
        let t = self.tenant_pos(tid)?;
        let ix = &self.per_tenant[t];
        let a = *ix.resources.get(&normalise_identifier(identifier))?;
        let app = self.application(t, a);
        let (sp, required) = ix.sps.get(&app.app_id)?;
        Some(ResourceInfo {
            app_id: &ix.app_id_strings[a],
            sp_object_id: sp,
            assignment_required: *required,
            access_token_lifetime_secs: app.access_token_lifetime_secs,
        })
    }

    fn granted_roles(&self, tid: &str, client_sp: &str, resource_sp: &str) -> Vec<&str> {
        let Some(t) = self.tenant_pos(tid) else {
            return Vec::new();
        };
        self.per_tenant[t]
            .roles
            .get(&(client_sp.to_owned(), resource_sp.to_owned()))
            .map(|v| v.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }
}

/// Keeps the current index and reloads it when the stored version moves.
#[derive(Debug)]
pub struct DirectoryCache {
    store: Store,
    hash_key: HmacKey,
    current: ArcSwap<DirectoryIndex>,
}

impl DirectoryCache {
    /// Load the directory (empty if none was applied yet).
    pub async fn start(store: Store, hash_key: HmacKey) -> Result<Arc<Self>, DirectoryError> {
        let empty = DirectoryIndex::build(u64::MAX, Directory::default(), hash_key.clone());
        let cache = Arc::new(Self {
            store,
            hash_key,
            current: ArcSwap::from_pointee(empty),
        });
        cache.sync().await?;
        Ok(cache)
    }

    /// The current index.
    pub fn index(&self) -> Arc<DirectoryIndex> {
        self.current.load_full()
    }

    /// Reload if the stored version changed.
    pub async fn sync(&self) -> Result<(), DirectoryError> {
        let versions = self.store.versions().await?;
        if versions.directory == self.current.load().version {
            return Ok(());
        }
        let (version, body) = self.store.directory().await?;
        let directory: Directory = match body {
            Some(b) => serde_json::from_str(&b)?,
            None => Directory::default(),
        };
        tracing::info!(
            version,
            tenants = directory.tenants.len(),
            "directory loaded"
        );
        self.current.store(Arc::new(DirectoryIndex::build(
            version,
            directory,
            self.hash_key.clone(),
        )));
        Ok(())
    }
}
