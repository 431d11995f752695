//! Subscriptions and the pure subscription-key check.
//!
//! Resolution follows APIM (`api-management-subscriptions.md`): the key is read from the API's
//! header name, or its query parameter when the header is absent. A key must belong to an active
//! subscription whose scope covers the API (a published product containing it, the API itself,
//! or all APIs); otherwise the call is refused. Without a key, an open product containing the API
//! is used, else the API's `subscriptionRequired` decides.

use sigil_core::{Secret, constant_time_eq};

use crate::config::{GatewayConfig, Product};

/// What a subscription grants access to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubscriptionScope {
    /// `/products/<name>`: the product's APIs; product policies apply.
    Product(String),
    /// `/apis/<name>`: one API; product policies do not apply.
    Api(String),
    /// `/apis`: every API (all-access); product policies do not apply.
    AllApis,
}

/// One subscription (`subscriptions/<name>/subscriptionInformation.json`).
#[derive(Clone, Debug)]
pub struct Subscription {
    /// Folder name (`context.Subscription.Id`).
    pub id: String,
    /// `displayName` (`context.Subscription.Name`).
    pub display_name: String,
    /// `scope`
    pub scope: SubscriptionScope,
    /// `state == "active"`; other states refuse the key.
    pub active: bool,
    /// `allowTracing`
    pub allow_tracing: bool,
    /// The primary key.
    pub primary_key: Secret<String>,
    /// The secondary key.
    pub secondary_key: Option<Secret<String>>,
    /// When the subscription started (`startDate`, else `createdDate`), in Unix seconds:
    /// `quota` periods are counted from it, as in APIM. `None` aligns them to the Unix epoch.
    pub started: Option<i64>,
}

/// Which of the two keys was presented.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// `primaryKey`
    Primary,
    /// `secondaryKey`
    Secondary,
}

/// How a request is allowed in.
#[derive(Clone, Copy, Debug)]
pub enum Access<'a> {
    /// A valid key. `product` is set for product-scoped subscriptions: its policy applies.
    Subscription {
        /// The subscription.
        subscription: &'a Subscription,
        /// Which key matched.
        key: KeyKind,
        /// The product whose policy applies, if any.
        product: Option<&'a Product>,
    },
    /// No key, through a product that requires no subscription.
    OpenProduct(&'a Product),
    /// No key, and the API requires none.
    Anonymous,
}

/// Why a request is refused (both are 401 with APIM's reasons).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SubscriptionError {
    /// `SubscriptionKeyNotFound`: a key is required and none was sent.
    #[error("Access denied due to missing subscription key.")]
    KeyNotFound,
    /// `SubscriptionKeyInvalid`: the key matches no active subscription valid for this API.
    #[error("Access denied due to invalid subscription key.")]
    KeyInvalid,
    /// The API is not defined.
    #[error("unknown API")]
    UnknownApi,
}

impl SubscriptionError {
    /// APIM's `context.LastError.Reason`.
    pub fn reason(self) -> &'static str {
        match self {
            SubscriptionError::KeyNotFound => "SubscriptionKeyNotFound",
            SubscriptionError::KeyInvalid => "SubscriptionKeyInvalid",
            SubscriptionError::UnknownApi => "OperationNotFound",
        }
    }
}

impl GatewayConfig {
    /// Reads the subscription key for `api` from a request: the header first, then the query
    /// parameter, with the names the API configures.
    pub fn subscription_key<'r>(
        &self,
        api: &str,
        header: &dyn Fn(&str) -> Option<&'r str>,
        query: &dyn Fn(&str) -> Option<&'r str>,
    ) -> Option<&'r str> {
        let names = self
            .apis
            .get(api)
            .map(|a| a.subscription_key_names.clone())
            .unwrap_or_default();
        header(&names.header).or_else(|| query(&names.query))
    }

    /// Decides whether a request to `api` with `key` (if any) is allowed.
    ///
    /// Every subscription's keys are compared in constant time and the loop does not stop at
    /// the first hit, so timing does not reveal which subscription (if any) a key belongs to.
    pub fn authorize(&self, api: &str, key: Option<&str>) -> Result<Access<'_>, SubscriptionError> {
        let a = self.apis.get(api).ok_or(SubscriptionError::UnknownApi)?;
        let Some(key) = key else {
            if let Some(open) = self.products.values().find(|p| {
                p.published && !p.subscription_required && p.apis.iter().any(|x| x == api)
            }) {
                return Ok(Access::OpenProduct(open));
            }
            return if a.subscription_required {
                Err(SubscriptionError::KeyNotFound)
            } else {
                Ok(Access::Anonymous)
            };
        };
        let mut found: Option<(&Subscription, KeyKind)> = None;
        for s in &self.subscriptions {
            let primary = constant_time_eq(s.primary_key.expose().as_bytes(), key.as_bytes());
            let secondary = s
                .secondary_key
                .as_ref()
                .is_some_and(|k| constant_time_eq(k.expose().as_bytes(), key.as_bytes()));
            if found.is_none() && (primary || secondary) {
                found = Some((
                    s,
                    if primary {
                        KeyKind::Primary
                    } else {
                        KeyKind::Secondary
                    },
                ));
            }
        }
        let (sub, kind) = found.ok_or(SubscriptionError::KeyInvalid)?;
        if !sub.active {
            return Err(SubscriptionError::KeyInvalid);
        }
        let product = match &sub.scope {
            SubscriptionScope::AllApis => None,
            SubscriptionScope::Api(name) if name == api => None,
            SubscriptionScope::Api(_) => return Err(SubscriptionError::KeyInvalid),
            SubscriptionScope::Product(p) => {
                let prod = self
                    .products
                    .get(p)
                    .filter(|prod| prod.published && prod.apis.iter().any(|x| x == api))
                    .ok_or(SubscriptionError::KeyInvalid)?;
                Some(prod)
            }
        };
        Ok(Access::Subscription {
            subscription: sub,
            key: kind,
            product,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_keys() {
        let s = Subscription {
            id: "s".into(),
            display_name: "S".into(),
            scope: SubscriptionScope::AllApis,
            active: true,
            allow_tracing: false,
            primary_key: Secret::new("primary-key-value".into()),
            secondary_key: Some(Secret::new("secondary-key-value".into())),
            started: None,
        };
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("key-value"), "{dbg}");
    }
}
