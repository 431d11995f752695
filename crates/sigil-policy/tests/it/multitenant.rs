//! The multi-tenant B2B folder built from the seed-002 snippets (multi-tenant choose/when with
//! validate-jwt, subscription-based routing with its backslash-escaped quotes, the X-Tenant-Db
//! header), loaded unchanged.

use std::sync::Arc;

use sigil_policy::model::{BackendTarget, Policy, Scope};
use sigil_policy::route::RouteError;
use sigil_policy::template::Template;
use sigil_policy::{Access, GatewayConfig, KeyKind, SubscriptionError, check, parse_policy};

use crate::support::{env, fixture};

fn load() -> GatewayConfig {
    GatewayConfig::load(&fixture("multitenant"), &env).unwrap_or_else(|d| {
        panic!(
            "{}",
            d.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

#[test]
fn loads_with_only_the_backslash_warnings() {
    let cfg = load();
    let warnings: Vec<String> = cfg.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warnings.len(), 4, "{warnings:#?}");
    assert!(
        warnings
            .iter()
            .all(|w| w.starts_with("apis/orders/policy.xml:") && w.contains("warning: backslash"))
    );
    assert_eq!(check(&fixture("multitenant"), &env).len(), 4);
}

#[test]
fn apis_operations_products_and_backends_are_read() {
    let cfg = load();
    let orders = &cfg.apis["orders"];
    assert_eq!(orders.path, "orders");
    assert!(orders.subscription_required);
    assert_eq!(
        orders.subscription_key_names.header,
        "Ocp-Apim-Subscription-Key"
    );
    let get = &orders.operations["get-order"];
    assert_eq!(
        (get.method.as_str(), get.url_template.as_str()),
        ("GET", "/orders/{id}")
    );
    assert_eq!(
        get.examples[0].example,
        Some(serde_json::json!({"id": "789", "status": "shipped"}))
    );
    assert_eq!(cfg.products["gold"].apis, ["orders"]);
    let backend = &cfg.backends["default-backend"];
    assert_eq!(
        backend.url,
        "https://default-tenant-backend.azurewebsites.net"
    );
    assert_eq!(backend.headers[0].1[0].value(), "s3cr3t-db-key");
    assert!(backend.headers[0].1[0].is_secret());
}

#[test]
fn secrets_never_appear_in_debug_output() {
    let cfg = load();
    let dbg = format!("{cfg:?}");
    for secret in [
        "s3cr3t-db-key",
        "gold-primary-key-0001",
        "gold-secondary-key-0002",
        "all-access-primary-key-01",
    ] {
        assert!(!dbg.contains(secret), "{secret} leaked");
    }
    assert!(dbg.contains("{{tenant-db-secret}}"));
}

#[test]
fn seed_snippets_become_typed_policies() {
    let cfg = load();
    let inbound = &cfg.apis["orders"].policy.inbound;
    let names: Vec<&str> = inbound.iter().map(Policy::name).collect();
    assert_eq!(
        names,
        [
            "base",
            "include-fragment",
            "set-variable",
            "choose",
            "choose",
            "set-header"
        ]
    );
    let Policy::Choose(routing) = &inbound[4] else {
        panic!()
    };
    assert_eq!(routing.whens.len(), 2);
    let Policy::SetBackendService(sbs) = &routing.whens[0].policies[0] else {
        panic!()
    };
    let BackendTarget::BaseUrl(Template::Literal(url)) = &sbs.target else {
        panic!()
    };
    assert_eq!(url.value(), "https://gold-tenant-backend.azurewebsites.net");
    let Policy::SetHeader(db) = &inbound[5] else {
        panic!()
    };
    let Template::Expression(e) = &db.values[0] else {
        panic!()
    };
    assert!(e.source().starts_with("@{") && e.source().contains("TenantADB"));
    assert_eq!((e.pos().line, e.pos().col), (37, 11));
    let Policy::Choose(tenant) = &inbound[3] else {
        panic!()
    };
    let Policy::ValidateJwt(jwt) = &tenant.whens[0].policies[0] else {
        panic!()
    };
    assert_eq!(jwt.required_claims.len(), 2);
    assert_eq!(jwt.failed_validation_httpcode, 401);
    assert!(jwt.require_expiration_time);
}

#[test]
fn effective_policy_merges_scopes_in_base_order() {
    let cfg = load();
    let doc = cfg
        .effective_policy("orders", Some("get-order"), Some("gold"))
        .unwrap();
    let scopes: Vec<(Scope, &str)> = doc
        .inbound
        .iter()
        .map(|p| (p.meta().scope, p.name()))
        .collect();
    assert_eq!(
        scopes,
        [
            (Scope::Global, "cors"),
            (Scope::Global, "set-header"),
            (Scope::Product, "rate-limit-by-key"),
            (Scope::Product, "quota"),
            (Scope::Api, "include-fragment"),
            (Scope::Api, "set-variable"),
            (Scope::Api, "choose"),
            (Scope::Api, "choose"),
            (Scope::Api, "set-header"),
            (Scope::Operation, "rewrite-uri"),
            (Scope::Operation, "set-query-parameter"),
        ]
    );
    // The operation's backend has no <base/>: its retry replaces the global forward-request.
    assert_eq!(
        doc.backend.iter().map(Policy::name).collect::<Vec<_>>(),
        ["retry"]
    );
    assert_eq!(
        doc.outbound.iter().map(Policy::name).collect::<Vec<_>>(),
        ["set-header", "find-and-replace"]
    );
    // Without a product, the product's policies are not there.
    let plain = cfg
        .effective_policy("orders", Some("get-order"), None)
        .unwrap();
    assert_eq!(plain.inbound.len(), 9);
}

#[test]
fn printed_effective_policy_reads_back() {
    let cfg = load();
    let xml = cfg
        .effective_policy_xml("orders", Some("create-order"), Some("gold"))
        .unwrap();
    assert!(
        xml.contains("<!-- product scope: products/gold/policy.xml:4:3 -->"),
        "{xml}"
    );
    assert!(
        xml.contains(r#"condition="@(context.Subscription.Id == "subs-gold-123")""#),
        "{xml}"
    );
    assert!(!xml.contains("s3cr3t"), "{xml}");
    // The printed document parses again (named values and fragments are not needed by it
    // except include-fragment, which the standalone parser reports).
    let diags = parse_policy("effective.xml", &xml).unwrap_err();
    assert!(
        diags
            .iter()
            .all(|d| d.message.contains("policy fragment 'forward-context'")),
        "{diags:?}"
    );
}

#[test]
fn routes_and_subscriptions() {
    let cfg = load();
    let m = cfg.route("GET", "/orders/orders/789").unwrap();
    assert_eq!((m.api, m.operation), ("orders", "get-order"));
    assert_eq!(m.params, vec![("id".to_owned(), "789".to_owned())]);
    assert_eq!(
        cfg.route("GET", "/health/../orders/orders/1").unwrap().api,
        "orders"
    );
    assert!(matches!(
        cfg.route("PUT", "/orders/orders/1"),
        Err(RouteError::OperationNotFound(_))
    ));

    match cfg
        .authorize("orders", Some("gold-secondary-key-0002"))
        .unwrap()
    {
        Access::Subscription {
            subscription,
            key,
            product,
        } => {
            assert_eq!(subscription.id, "subs-gold-123");
            assert_eq!(key, KeyKind::Secondary);
            assert_eq!(product.map(|p| p.name.as_str()), Some("gold"));
        }
        other => panic!("{other:?}"),
    }
    // Gold does not contain health; all-access covers everything without product policies.
    assert_eq!(
        cfg.authorize("health", Some("gold-primary-key-0001"))
            .unwrap_err(),
        SubscriptionError::KeyInvalid
    );
    assert!(matches!(
        cfg.authorize("health", Some("all-access-primary-key-01")),
        Ok(Access::Subscription { product: None, .. })
    ));
    // Suspended, unknown and missing keys.
    assert_eq!(
        cfg.authorize("orders", Some("standard-primary-key-0001"))
            .unwrap_err(),
        SubscriptionError::KeyInvalid
    );
    assert_eq!(
        cfg.authorize("orders", Some("nope")).unwrap_err(),
        SubscriptionError::KeyInvalid
    );
    assert_eq!(
        cfg.authorize("orders", None).unwrap_err(),
        SubscriptionError::KeyNotFound
    );
    assert!(matches!(
        cfg.authorize("health", None),
        Ok(Access::Anonymous)
    ));

    let header = |n: &str| (n == "Ocp-Apim-Subscription-Key").then_some("from-header");
    let query = |n: &str| (n == "subscription-key").then_some("from-query");
    assert_eq!(
        cfg.subscription_key("orders", &header, &query),
        Some("from-header")
    );
    assert_eq!(
        cfg.subscription_key("orders", &|_| None, &query),
        Some("from-query")
    );
}

#[test]
fn config_is_cheap_to_share_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<GatewayConfig>();
    let cfg = Arc::new(load());
    let c2 = Arc::clone(&cfg);
    let n = std::thread::spawn(move || c2.apis.len()).join().unwrap();
    assert_eq!(n, cfg.apis.len());
}
