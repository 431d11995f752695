//! Applications of the document: matching, app roles, scopes and credentials.

use std::collections::HashSet;

use sigil_crypto::Algorithm;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::{Applier, GeneratedSecret, Placed};
use crate::cert::parse_certificate;
use crate::document::{DocApp, DocKey, DocPassword, env_reference};
use crate::model::{
    ApiApplication, AppRole, Application, KeyCredential, KeyCredentialType, KeyUsage,
    PasswordCredential, PermissionScope, RedirectUris,
};
use crate::secret::{self, MIN_SECRET_LEN};

/// Lifetime of a password credential without `endDateTime`: Graph's `addPassword` default.
const DEFAULT_SECRET_LIFETIME: Duration = Duration::days(730);

impl Applier<'_> {
    /// Matches or creates each application of document tenant `dti` in tenant `tid`; with
    /// `--prune`, drops the tenant's applications the document does not list.
    pub(super) fn applications(&mut self, dti: usize, tid: Uuid) {
        let doc = self.doc;
        let mut used: HashSet<Uuid> = HashSet::new();
        for (dai, da) in doc.tenants[dti].applications.iter().enumerate() {
            let Some(old) = self.match_application(da, tid) else {
                continue;
            };
            if let Some(o) = &old {
                if !used.insert(o.id) {
                    self.error(
                        &da.loc,
                        format!(
                            "this entry and an earlier one both match application {} ({})",
                            o.display_name, o.id
                        ),
                    );
                    continue;
                }
            }
            let app = self.build_application(tid, da, old.as_ref());
            used.insert(app.id);
            self.placed.push(Placed {
                tenant: tid,
                app: app.id,
                doc_tenant: dti,
                doc_app: dai,
            });
            let Some(t) = self.tenant_mut(tid) else {
                continue;
            };
            match old.and_then(|o| t.applications.iter().position(|a| a.id == o.id)) {
                Some(i) => t.applications[i] = app,
                None => t.applications.push(app),
            }
        }
        if self.opts.prune {
            if let Some(t) = self.tenant_mut(tid) {
                t.applications.retain(|a| used.contains(&a.id));
            }
        }
    }

    /// The stored application this entry describes: `Ok(None)` for a new one, `None` (after
    /// reporting) when the entry contradicts what is stored.
    fn match_application(&mut self, da: &DocApp, tid: Uuid) -> Option<Option<Application>> {
        let elsewhere = |a: &Application| {
            da.id.as_ref().is_some_and(|i| i.value == a.id)
                || da.app_id.as_ref().is_some_and(|i| i.value == a.app_id)
        };
        if let Some(other) = self
            .dir
            .tenants
            .iter()
            .filter(|t| t.id != tid)
            .find(|t| t.applications.iter().any(elsewhere))
        {
            let msg = format!(
                "an application with this id or appId already exists in tenant {}; applications cannot move between tenants",
                other.id
            );
            self.error(&da.loc, msg);
            return None;
        }
        let t = self.tenant(tid)?;
        let old = match (&da.id, &da.app_id) {
            (Some(id), _) => t.applications.iter().find(|a| a.id == id.value),
            (None, Some(app_id)) => t.applications.iter().find(|a| a.app_id == app_id.value),
            (None, None) => t
                .applications
                .iter()
                .find(|a| a.display_name == da.display_name.value),
        }
        .cloned();
        if let (Some(o), Some(app_id)) = (&old, &da.app_id) {
            if o.app_id != app_id.value {
                let msg = format!(
                    "appId cannot change (application {} has appId {})",
                    o.id, o.app_id
                );
                self.error(&app_id.loc, msg);
                return None;
            }
        }
        Some(old)
    }

    fn build_application(
        &mut self,
        tid: Uuid,
        da: &DocApp,
        old: Option<&Application>,
    ) -> Application {
        let id = match (old, &da.id) {
            (Some(o), _) => o.id,
            (None, Some(i)) => i.value,
            (None, None) => self.new_id(),
        };
        let app_id = match (old, &da.app_id) {
            (Some(o), _) => o.app_id,
            (None, Some(i)) => i.value,
            (None, None) => self.new_id(),
        };
        let app_roles = self.app_roles(da, old);
        let scopes = self.scopes(da, old);
        let password_credentials = self.passwords(tid, da, app_id, old);
        let key_credentials = self.keys(da, old);
        Application {
            id,
            app_id,
            display_name: da.display_name.value.clone(),
            identifier_uris: da.identifier_uris.iter().map(|u| u.value.clone()).collect(),
            sign_in_audience: da.sign_in_audience,
            app_roles,
            api: ApiApplication {
                oauth2_permission_scopes: scopes,
                requested_access_token_version: da.requested_access_token_version,
            },
            // Resolved once every application is known (see consent.rs).
            required_resource_access: old
                .map(|o| o.required_resource_access.clone())
                .unwrap_or_default(),
            password_credentials,
            key_credentials,
            access_token_lifetime_secs: da.access_token_lifetime_secs,
            web: RedirectUris {
                redirect_uris: da.web.clone(),
            },
            spa: RedirectUris {
                redirect_uris: da.spa.clone(),
            },
            public_client: RedirectUris {
                redirect_uris: da.public_client.clone(),
            },
        }
    }

    fn app_roles(&mut self, da: &DocApp, old: Option<&Application>) -> Vec<AppRole> {
        let mut out = Vec::new();
        for dr in &da.app_roles {
            let prev = old.and_then(|o| {
                o.app_roles.iter().find(|r| match &dr.id {
                    Some(id) => r.id == id.value,
                    None => r.value == dr.value.value,
                })
            });
            let id = dr
                .id
                .as_ref()
                .map(|i| i.value)
                .or(prev.map(|p| p.id))
                .unwrap_or_else(|| self.new_id());
            let display_name = dr
                .display_name
                .clone()
                .unwrap_or_else(|| dr.value.value.clone());
            out.push(AppRole {
                id,
                value: dr.value.value.clone(),
                description: dr
                    .description
                    .clone()
                    .unwrap_or_else(|| display_name.clone()),
                display_name,
                allowed_member_types: dr.allowed_member_types.clone(),
                is_enabled: dr.is_enabled,
            });
        }
        out
    }

    fn scopes(&mut self, da: &DocApp, old: Option<&Application>) -> Vec<PermissionScope> {
        let mut out = Vec::new();
        for ds in &da.scopes {
            let prev = old.and_then(|o| {
                o.api
                    .oauth2_permission_scopes
                    .iter()
                    .find(|s| match &ds.id {
                        Some(id) => s.id == id.value,
                        None => s.value == ds.value.value,
                    })
            });
            let id = ds
                .id
                .as_ref()
                .map(|i| i.value)
                .or(prev.map(|p| p.id))
                .unwrap_or_else(|| self.new_id());
            let admin_name = ds
                .admin_consent_display_name
                .clone()
                .unwrap_or_else(|| ds.value.value.clone());
            let admin_desc = ds
                .admin_consent_description
                .clone()
                .unwrap_or_else(|| admin_name.clone());
            out.push(PermissionScope {
                id,
                value: ds.value.value.clone(),
                kind: ds.kind,
                user_consent_display_name: ds
                    .user_consent_display_name
                    .clone()
                    .unwrap_or_else(|| admin_name.clone()),
                user_consent_description: ds
                    .user_consent_description
                    .clone()
                    .unwrap_or_else(|| admin_desc.clone()),
                admin_consent_display_name: admin_name,
                admin_consent_description: admin_desc,
                is_enabled: ds.is_enabled,
            });
        }
        out
    }

    fn passwords(
        &mut self,
        tid: Uuid,
        da: &DocApp,
        app_id: Uuid,
        old: Option<&Application>,
    ) -> Vec<PasswordCredential> {
        let now = secret::to_datetime(self.inputs.now);
        let mut out = Vec::new();
        for dp in &da.password_credentials {
            let prev = old.and_then(|o| {
                o.password_credentials.iter().find(|c| match &dp.key_id {
                    Some(k) => c.key_id == k.value,
                    None => c.display_name == dp.display_name,
                })
            });
            let key_id = dp
                .key_id
                .as_ref()
                .map(|k| k.value)
                .or(prev.map(|p| p.key_id))
                .unwrap_or_else(|| self.new_id());
            let Some((hash, hint, kept)) = self.secret_for(tid, da, dp, app_id, key_id, prev)
            else {
                continue;
            };
            let given_start = dp.start.as_ref().map(|s| s.value);
            let start = given_start
                .or(prev.filter(|_| kept).map(|p| p.start_date_time))
                .unwrap_or(now);
            let end = dp
                .end
                .as_ref()
                .map(|e| e.value)
                .or(prev.map(|p| p.end_date_time))
                .unwrap_or(start + DEFAULT_SECRET_LIFETIME);
            // An implicit start never comes after the end (a credential written already
            // expired is accepted with a warning, as Entra does).
            let start = if given_start.is_none() {
                start.min(end)
            } else {
                start
            };
            if end <= start && given_start.is_some() {
                self.error(&dp.loc, "endDateTime must be after startDateTime");
            } else if end <= now {
                let loc = dp.end.as_ref().map_or(&dp.loc, |e| &e.loc).clone();
                self.warn(
                    &loc,
                    format!(
                        "this secret expired on {}; it will be refused",
                        fmt_date(end)
                    ),
                );
            }
            out.push(PasswordCredential {
                key_id,
                display_name: dp.display_name.clone(),
                hint,
                secret_hash: hash,
                start_date_time: start,
                end_date_time: end,
            });
        }
        out
    }

    /// The stored hash and hint of one password credential, and whether they were kept from
    /// `prev`. Generates (and records for printing) a secret when none is given or stored.
    fn secret_for(
        &mut self,
        tid: Uuid,
        da: &DocApp,
        dp: &DocPassword,
        app_id: Uuid,
        key_id: Uuid,
        prev: Option<&PasswordCredential>,
    ) -> Option<(Vec<u8>, String, bool)> {
        let given = match &dp.secret_text {
            None => None,
            Some(s) => match env_reference(&s.value) {
                None => Some(s.value.clone()),
                Some(name) => match self.inputs.env.var(name) {
                    Some(v) if v.chars().count() >= MIN_SECRET_LEN => Some(v),
                    Some(_) => {
                        self.error(&s.loc, format!("environment variable {name} holds fewer than {MIN_SECRET_LEN} characters"));
                        return None;
                    }
                    None => {
                        self.error(&s.loc, format!("environment variable {name} is not set"));
                        return None;
                    }
                },
            },
        };
        let key = self.inputs.hash_key;
        match (given, prev) {
            // Same secret as stored: not a change. The comparison is the HMAC verify (constant time).
            (Some(s), Some(p))
                if key
                    .verify(Algorithm::HS256, s.as_bytes(), &p.secret_hash)
                    .is_ok() =>
            {
                Some((p.secret_hash.clone(), p.hint.clone(), true))
            }
            (Some(s), _) => {
                let hash = self.hash(&dp.loc, &s)?;
                Some((hash, secret::secret_hint(&s), false))
            }
            (None, Some(p)) => Some((p.secret_hash.clone(), p.hint.clone(), true)),
            (None, None) => {
                let generated = match secret::generate_secret(self.inputs.rng) {
                    Ok(g) => g,
                    Err(e) => {
                        self.error(&dp.loc, format!("random source failed: {e}"));
                        return None;
                    }
                };
                let hash = self.hash(&dp.loc, generated.expose())?;
                let hint = secret::secret_hint(generated.expose());
                self.secrets.push(GeneratedSecret {
                    tenant: tid,
                    app_display_name: da.display_name.value.clone(),
                    app_id,
                    key_id,
                    credential_display_name: dp.display_name.clone(),
                    secret: generated,
                });
                Some((hash, hint, false))
            }
        }
    }

    fn hash(&mut self, loc: &crate::yaml::Loc, s: &str) -> Option<Vec<u8>> {
        match secret::hash_secret(self.inputs.hash_key, s) {
            Ok(h) => Some(h),
            Err(e) => {
                self.error(
                    loc,
                    format!("cannot hash the secret: {e} (the hash key must be at least 32 bytes)"),
                );
                None
            }
        }
    }

    fn keys(&mut self, da: &DocApp, old: Option<&Application>) -> Vec<KeyCredential> {
        let now = secret::to_datetime(self.inputs.now);
        let mut out: Vec<KeyCredential> = Vec::new();
        for dk in &da.key_credentials {
            let Some(cert) = self.read_certificate(dk) else {
                continue;
            };
            if out.iter().any(|k| k.x5t_sha256 == cert.x5t_sha256) {
                self.error(&dk.key.loc, "the same certificate is listed twice");
                continue;
            }
            let prev = old.and_then(|o| {
                o.key_credentials.iter().find(|k| match &dk.key_id {
                    Some(id) => k.key_id == id.value,
                    None => k.x5t_sha256 == cert.x5t_sha256,
                })
            });
            let key_id = dk
                .key_id
                .as_ref()
                .map(|k| k.value)
                .or(prev.map(|p| p.key_id))
                .unwrap_or_else(|| self.new_id());
            if cert.not_after <= now {
                self.warn(
                    &dk.key.loc,
                    format!(
                        "this certificate expired on {}; assertions signed with it will be refused",
                        fmt_date(cert.not_after)
                    ),
                );
            }
            out.push(KeyCredential {
                key_id,
                display_name: dk.display_name.clone(),
                kind: KeyCredentialType::AsymmetricX509Cert,
                usage: KeyUsage::Verify,
                cert_der: cert.der,
                spki_der: cert.spki,
                x5t_sha1: cert.x5t_sha1,
                x5t_sha256: cert.x5t_sha256,
                start_date_time: cert.not_before,
                end_date_time: cert.not_after,
            });
        }
        out
    }

    fn read_certificate(&mut self, dk: &DocKey) -> Option<crate::cert::ParsedCert> {
        let data = match dk.key.value.strip_prefix("file:") {
            Some(rel) => {
                let path = self.base_dir.join(rel);
                match self.inputs.files.read(&path) {
                    Ok(d) => d,
                    Err(e) => {
                        self.error(&dk.key.loc, format!("cannot read {}: {e}", path.display()));
                        return None;
                    }
                }
            }
            None => dk.key.value.as_bytes().to_vec(),
        };
        match parse_certificate(&data) {
            Ok(c) => Some(c),
            Err(e) => {
                self.error(&dk.key.loc, e);
                None
            }
        }
    }
}

fn fmt_date(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}
