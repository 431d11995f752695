//! Products and subscriptions: header and query keys, primary and secondary keys, scopes,
//! `context.Subscription`, product policies.

use serde_json::json;

use crate::support::*;

const PRODUCT_POLICY: &str = r#"<policies><inbound><base /><set-header name="X-Product-Policy"><value>@(context.Product.Name)</value></set-header></inbound></policies>"#;

async fn setup() -> Gw {
    let (be, _) = echo().await;
    let sub = |scope: &str, p: &str, s: Option<&str>, state: &str| {
        let mut v = json!({"properties": {"displayName": format!("sub {scope}"), "scope": scope, "state": state, "primaryKey": p}});
        if let Some(s) = s {
            v["properties"]["secondaryKey"] = json!(s);
        }
        v.to_string()
    };
    let f = Folder::new()
        .api("echo", "echo", &be, true)
        .api("other", "other", &be, true)
        .file(
            "apis/other/apiInformation.json",
            &json!({"properties": {"displayName": "Other", "path": "other", "serviceUrl": be,
                "subscriptionKeyParameterNames": {"header": "X-Key", "query": "key"}}})
            .to_string(),
        )
        .file("products/gold/productInformation.json", r#"{"properties": {"displayName": "Gold", "state": "published"}}"#)
        .file("products/gold/apis.json", r#"[{"name": "echo"}]"#)
        .file("products/gold/policy.xml", PRODUCT_POLICY)
        .file("subscriptions/sub-gold/subscriptionInformation.json", &sub("/products/gold", "gold-primary-1", Some("gold-secondary-1"), "active"))
        .file("subscriptions/sub-other/subscriptionInformation.json", &sub("/apis/other", "other-primary-1", None, "active"))
        .file("subscriptions/sub-all/subscriptionInformation.json", &sub("/apis", "all-primary-01", None, "active"))
        .file("subscriptions/sub-off/subscriptionInformation.json", &sub("/apis", "off-primary-01", None, "suspended"))
        .api_policy(
            "echo",
            &policies(
                r#"<base /><set-header name="X-Sub"><value>@(context.Subscription.Id + "|" + context.Subscription.Name)</value></set-header>"#,
                "<base />",
                "",
                "",
            ),
        );
    let mut gw = start(f.path()).await;
    gw.dir = Some(f);
    gw
}

#[tokio::test]
async fn missing_and_invalid_keys_are_401() {
    let gw = setup().await;
    let r = gw.get("/echo/items/1").await;
    assert_eq!(
        (r.status, r.body.clone()),
        (
            401,
            apim(
                401,
                "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API."
            )
        )
    );
    let invalid = apim(
        401,
        "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.",
    );
    for key in ["wrong-key-123", "off-primary-01", "other-primary-1"] {
        let r = gw
            .send(
                gw.req("GET", "/echo/items/1")
                    .header("Ocp-Apim-Subscription-Key", key),
            )
            .await;
        assert_eq!((r.status, r.body.clone()), (401, invalid.clone()), "{key}");
    }
}

#[tokio::test]
async fn product_key_by_header_query_and_secondary() {
    let gw = setup().await;
    let r = gw
        .send(
            gw.req("GET", "/echo/items/1")
                .header("Ocp-Apim-Subscription-Key", "gold-primary-1"),
        )
        .await;
    assert_eq!(r.status, 200);
    let h = &r.json()["headers"];
    assert_eq!(h["x-sub"], "sub-gold|sub /products/gold");
    assert_eq!(h["x-product-policy"], "Gold");
    let r = gw
        .get("/echo/items/1?subscription-key=gold-secondary-1")
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["headers"]["x-product-policy"], "Gold");
}

#[tokio::test]
async fn all_apis_key_skips_product_policy_and_custom_names_apply() {
    let gw = setup().await;
    let r = gw
        .send(
            gw.req("GET", "/echo/items/1")
                .header("Ocp-Apim-Subscription-Key", "all-primary-01"),
        )
        .await;
    assert_eq!(r.status, 200);
    let h = &r.json()["headers"];
    assert_eq!(h["x-sub"], "sub-all|sub /apis");
    assert!(h.get("x-product-policy").is_none());
    // The other API reads X-Key / ?key=; the default header name is not looked at.
    let r = gw
        .send(
            gw.req("GET", "/other/items/1")
                .header("Ocp-Apim-Subscription-Key", "other-primary-1"),
        )
        .await;
    assert_eq!(r.status, 401);
    let r = gw
        .send(
            gw.req("GET", "/other/items/1")
                .header("X-Key", "other-primary-1"),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        gw.get("/other/items/1?key=other-primary-1").await.status,
        200
    );
}
