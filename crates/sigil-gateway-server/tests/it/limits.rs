//! validate-jwt with inline keys (HS256), rate-limit-by-key on a claim, increment-condition,
//! quota-by-key: golden statuses, headers and APIM bodies, with a fixed clock (no sleeps).

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use sigil_core::{FixedClock, UnixTime};
use sigil_gateway_server::{Gateway, GatewayOptions};

use crate::support::*;

pub(crate) const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef-hs256";

/// A compact HS256 JWT over `claims`.
pub(crate) fn hs256(secret: &[u8], claims: &serde_json::Value) -> String {
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let input = format!(
        "{}.{}",
        b64(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64(claims.to_string().as_bytes())
    );
    let key = sigil_crypto::HmacKey::new(secret.to_vec()).unwrap();
    let sig = key
        .sign(sigil_crypto::Algorithm::HS256, input.as_bytes())
        .unwrap();
    format!("{input}.{}", b64(&sig))
}

/// A gateway on loopback with a fixed clock.
pub(crate) async fn serve(dir: &Folder, opts: GatewayOptions, clock: Arc<FixedClock>) -> Gw {
    let gw = Gateway::new(load(dir.path()), opts, clock).unwrap();
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let never: sigil_http::Shutdown = Box::pin(std::future::pending());
    tokio::spawn(gw.clone().serve(l, None, never, Duration::from_secs(1)));
    Gw {
        url: format!("http://{addr}"),
        gw,
        http: reqwest::Client::new(),
        dir: None,
    }
}

const NOW: u64 = 1_700_000_000;

fn claims(azp: &str) -> serde_json::Value {
    serde_json::json!({"iss": "https://issuer.example/", "aud": "api://orders", "azp": azp,
        "exp": NOW + 3_600, "nbf": NOW - 10, "scp": "orders.read orders.write"})
}

const VALIDATE: &str = r#"<validate-jwt header-name="Authorization" require-scheme="Bearer">
    <issuer-signing-keys><key>{{key}}</key></issuer-signing-keys>
    <audiences><audience>api://orders</audience></audiences>
    <issuers><issuer>https://issuer.example/</issuer></issuers>
    <required-claims><claim name="scp" match="all" separator=" "><value>orders.read</value></claim></required-claims>
</validate-jwt>"#;

fn folder(backend: &str, extra: &str) -> Folder {
    let key = base64::engine::general_purpose::STANDARD.encode(SECRET);
    let inbound = format!("{}{extra}", VALIDATE.replace("{{key}}", &key));
    Folder::new().api("orders", "orders", backend, false).api_policy(
        "orders",
        &policies(
            &inbound,
            "<forward-request />",
            "",
            r#"<set-header name="X-Error-Reason" exists-action="override"><value>@(context.LastError.Reason)</value></set-header>"#,
        ),
    )
}

fn get(gw: &Gw, token: &str) -> reqwest::RequestBuilder {
    gw.req("GET", "/orders/items/1")
        .header("Authorization", format!("Bearer {token}"))
}

#[tokio::test]
async fn symmetric_key_validates_and_rate_limit_by_key_counts_per_claim() {
    let (backend, _) = echo().await;
    let limit = r#"<rate-limit-by-key calls="2" renewal-period="60" remaining-calls-header-name="X-Remaining" total-calls-header-name="X-Total"
        counter-key="@(context.Request.Headers.GetValueOrDefault(&quot;Authorization&quot;,&quot;&quot;).AsJwt()?.Claims[&quot;azp&quot;].FirstOrDefault())" />"#;
    let dir = folder(&backend, limit);
    let clock = Arc::new(FixedClock::at(UnixTime::from_secs(NOW)));
    let gw = serve(&dir, GatewayOptions::default(), clock.clone()).await;
    let alice = hs256(SECRET, &claims("alice"));
    let r = gw.send(get(&gw, &alice)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("x-remaining"), Some("1"));
    assert_eq!(r.header("x-total"), Some("2"));
    assert_eq!(gw.send(get(&gw, &alice)).await.status, 200);
    let r = gw.send(get(&gw, &alice)).await;
    assert_eq!(r.status, 429);
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=120).contains(&retry), "{retry}");
    assert_eq!(
        r.body,
        apim(
            429,
            &format!("Rate limit is exceeded. Try again in {retry} seconds.")
        )
    );
    assert_eq!(r.header("x-error-reason"), Some("RateLimitExceeded"));
    assert_eq!(r.header("x-remaining"), Some("0"));
    // Another caller has its own counter.
    let bob = hs256(SECRET, &claims("bob"));
    assert_eq!(gw.send(get(&gw, &bob)).await.status, 200);
    // Once the window has slid by, alice is admitted again.
    clock.advance(Duration::from_secs(retry));
    assert_eq!(gw.send(get(&gw, &alice)).await.status, 200);

    // Wrong key, missing claim value, wrong audience: APIM reasons and messages.
    let forged = hs256(b"another-secret-another-secret-0123456", &claims("alice"));
    let r = gw.send(get(&gw, &forged)).await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (
            401,
            apim(401, "IDX10503: Signature validation failed. Access denied.").as_str()
        )
    );
    assert_eq!(r.header("x-error-reason"), Some("TokenSignatureInvalid"));
    let mut c = claims("carol");
    c["scp"] = "orders.write".into();
    let r = gw.send(get(&gw, &hs256(SECRET, &c))).await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.header("x-error-reason"),
        Some("TokenClaimValueNotAllowed")
    );
    assert_eq!(
        r.json()["message"],
        "Claim scp value of orders.write is not allowed. Access denied."
    );
    let mut c = claims("carol");
    c["aud"] = "api://other".into();
    let r = gw.send(get(&gw, &hs256(SECRET, &c))).await;
    assert_eq!(r.header("x-error-reason"), Some("TokenAudienceNotAllowed"));
    // No scheme: require-scheme="Bearer" refuses a bare token.
    let r = gw
        .send(
            gw.req("GET", "/orders/items/1")
                .header("Authorization", alice.clone()),
        )
        .await;
    assert_eq!(
        (r.status, r.body.clone()),
        (401, apim(401, "JWT not present."))
    );
    // Expired, once the clock passes exp.
    clock.advance(Duration::from_secs(3_600));
    let r = gw.send(get(&gw, &bob)).await;
    assert_eq!(r.header("x-error-reason"), Some("TokenExpired"));
    assert_eq!(
        r.json()["message"],
        "IDX10223: Lifetime validation failed. The token is expired. Access denied."
    );
}

#[tokio::test]
async fn increment_condition_counts_only_matching_responses() {
    let (backend, _) = echo().await;
    let limit = r#"<rate-limit-by-key calls="1" renewal-period="60" counter-key="fixed"
        increment-condition="@(context.Response.StatusCode == 200)" />"#;
    let dir = folder(&backend, limit);
    let clock = Arc::new(FixedClock::at(UnixTime::from_secs(NOW)));
    let gw = serve(&dir, GatewayOptions::default(), clock).await;
    let t = hs256(SECRET, &claims("alice"));
    for _ in 0..3 {
        let r = gw.send(get(&gw, &t).header("x-echo-status", "500")).await;
        assert_eq!(r.status, 500, "failures are not counted");
    }
    assert_eq!(gw.send(get(&gw, &t)).await.status, 200);
    assert_eq!(gw.send(get(&gw, &t)).await.status, 429);
}

#[tokio::test]
async fn quota_by_key_answers_403_with_the_renewal_time() {
    let (backend, _) = echo().await;
    let quota = r#"<quota-by-key calls="2" renewal-period="3600" counter-key="@(context.Request.IpAddress)" />"#;
    let dir = folder(&backend, quota);
    // 800 s into an hour: windows align to 0001-01-01, i.e. to whole hours.
    let clock = Arc::new(FixedClock::at(UnixTime::from_secs(NOW)));
    let gw = serve(&dir, GatewayOptions::default(), clock.clone()).await;
    let t = hs256(SECRET, &claims("alice"));
    assert_eq!(gw.send(get(&gw, &t)).await.status, 200);
    assert_eq!(gw.send(get(&gw, &t)).await.status, 200);
    let r = gw.send(get(&gw, &t)).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.header("retry-after"), Some("2800"));
    assert_eq!(
        r.body,
        apim(
            403,
            "Out of call volume quota. Quota will be replenished in 00:46:40."
        )
    );
    assert_eq!(r.header("x-error-reason"), Some("QuotaExceeded"));
    clock.advance(Duration::from_secs(2_800));
    let t = hs256(
        SECRET,
        &serde_json::json!({"iss": "https://issuer.example/", "aud": "api://orders",
            "exp": NOW + 7_200, "scp": "orders.read"}),
    );
    assert_eq!(gw.send(get(&gw, &t)).await.status, 200, "renewed");
}

#[tokio::test]
async fn quota_periods_start_with_the_subscription() {
    let (backend, _) = echo().await;
    let sub = |key: &str, dates: &str| {
        format!(r#"{{"properties": {{"scope": "/products/gold", "primaryKey": "{key}"{dates}}}}}"#)
    };
    let dir = Folder::new()
        .api("orders", "orders", &backend, true)
        .file(
            "products/gold/productInformation.json",
            r#"{"properties": {"displayName": "Gold", "state": "published"}}"#,
        )
        .file("products/gold/apis.json", r#"[{"name": "orders"}]"#)
        .file(
            "products/gold/policy.xml",
            &policies(
                r#"<base /><quota calls="1" renewal-period="3600" />"#,
                "<base />",
                "<base />",
                "<base />",
            ),
        )
        // Started 100 s before NOW: its hour runs until NOW + 3500.
        .file(
            "subscriptions/dated/subscriptionInformation.json",
            &sub(
                "dated-primary-1",
                r#", "createdDate": "2020-01-01T00:00:00Z", "startDate": "2023-11-14T22:11:40Z""#,
            ),
        )
        // No dates: periods align to the Unix epoch (NOW is 800 s into a whole hour).
        .file(
            "subscriptions/undated/subscriptionInformation.json",
            &sub("undated-primary-1", ""),
        );
    let clock = Arc::new(FixedClock::at(UnixTime::from_secs(NOW)));
    let gw = serve(&dir, GatewayOptions::default(), clock).await;
    let call = |key: &'static str| {
        gw.req("GET", "/orders/items/1")
            .header("Ocp-Apim-Subscription-Key", key)
    };
    for (key, retry) in [("dated-primary-1", "3500"), ("undated-primary-1", "2800")] {
        assert_eq!(gw.send(call(key)).await.status, 200, "{key}");
        let r = gw.send(call(key)).await;
        assert_eq!(r.status, 403, "{key}");
        assert_eq!(r.header("retry-after"), Some(retry), "{key}");
    }
}

#[test]
fn a_malformed_subscription_date_is_a_load_error() {
    let dir = Folder::new()
        .api("orders", "orders", "http://127.0.0.1:9", true)
        .file(
            "subscriptions/s/subscriptionInformation.json",
            r#"{"properties": {"scope": "/apis", "primaryKey": "primary-key-1", "startDate": "yesterday"}}"#,
        );
    let errors = sigil_policy::GatewayConfig::load(dir.path(), &|_| None)
        .err()
        .map(|d| {
            d.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default();
    assert!(
        errors.contains("startDate: \"yesterday\" is not an ISO 8601 date-time"),
        "{errors}"
    );
}
