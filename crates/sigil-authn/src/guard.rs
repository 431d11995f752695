//! Authorization requirements: Microsoft.Identity.Web's `[RequiredScope]`,
//! `[Authorize(Roles = ...)]` and `RequiredScopeOrAppPermission`.

use crate::{AuthError, Principal};

/// What a route requires beyond a valid token. Each list is "any one of"; the requirement
/// passes when any configured branch passes:
///
/// - [`Requirement::scopes`]: a **delegated** token whose `scp` holds one of the scopes;
/// - [`Requirement::app_roles`]: an **app-only** token whose `roles` holds one of the roles;
/// - [`Requirement::roles`]: a token of either kind whose `roles` holds one of the roles
///   (users can be assigned app roles too).
///
/// App-only vs delegated is [`Principal::is_app_only`] (`idtyp`, else `scp` presence), so an
/// app token cannot pass a scope requirement by carrying an `scp` claim.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Requirement {
    scopes: Vec<String>,
    app_roles: Vec<String>,
    roles: Vec<String>,
}

impl Requirement {
    /// Delegated tokens with one of these scopes.
    pub fn scopes<I: IntoIterator<Item = S>, S: Into<String>>(list: I) -> Self {
        Self::default().or_scopes(list)
    }

    /// App-only tokens with one of these app roles.
    pub fn app_roles<I: IntoIterator<Item = S>, S: Into<String>>(list: I) -> Self {
        Self::default().or_app_roles(list)
    }

    /// Any token with one of these roles.
    pub fn roles<I: IntoIterator<Item = S>, S: Into<String>>(list: I) -> Self {
        Self::default().or_roles(list)
    }

    /// Also accept delegated tokens with one of these scopes.
    pub fn or_scopes<I: IntoIterator<Item = S>, S: Into<String>>(mut self, list: I) -> Self {
        self.scopes.extend(list.into_iter().map(Into::into));
        self
    }

    /// Also accept app-only tokens with one of these app roles.
    pub fn or_app_roles<I: IntoIterator<Item = S>, S: Into<String>>(mut self, list: I) -> Self {
        self.app_roles.extend(list.into_iter().map(Into::into));
        self
    }

    /// Also accept any token with one of these roles.
    pub fn or_roles<I: IntoIterator<Item = S>, S: Into<String>>(mut self, list: I) -> Self {
        self.roles.extend(list.into_iter().map(Into::into));
        self
    }

    /// Check a caller: `Err(AuthError::InsufficientScope)` (403) when no branch passes.
    /// An empty requirement refuses everything (a guard nobody configured must not open).
    pub fn check(&self, p: &Principal) -> Result<(), AuthError> {
        let roles = p.roles();
        let has_role = |list: &[String]| roles.iter().any(|r| list.contains(r));
        let ok = if p.is_app_only() {
            has_role(&self.app_roles)
        } else {
            p.scopes().any(|s| self.scopes.iter().any(|x| x == s))
        } || has_role(&self.roles);
        if ok {
            Ok(())
        } else {
            Err(AuthError::InsufficientScope)
        }
    }
}
