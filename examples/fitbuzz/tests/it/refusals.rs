//! Tokens the gateway refuses, each next to a control call that succeeds with the same caller,
//! so a refusal can only come from the rule under test. The backend sees none of them.

use std::time::Duration;

use sigil_example_fitbuzz::{FREE, NUTRITION_SCOPE, PREMIUM};

use crate::env::{
    Env, NO_TIER_APP_ID, UNREGISTERED_APP_ID, assert_masked, assert_no_internal_headers,
};

#[tokio::test(flavor = "multi_thread")]
async fn missing_wrong_audience_forged_and_role_less_tokens_are_refused() {
    let env = Env::start().await;
    let good = env.member_token(FREE).await;
    assert_eq!(env.call("GET", "/workouts", &good).await.status, 200);
    let backend_calls = env.seen().len();

    // No token.
    let r = env.call("GET", "/workouts", "").await;
    assert_masked(&r, 401, "Unauthorized");
    assert_eq!(
        r.header("www-authenticate"),
        Some(r#"Bearer realm="fitbuzz""#)
    );
    assert_no_internal_headers(&r);

    // A valid token of the same member and tenant, for another API (the Nutrition API).
    let nutrition = env.token(FREE.client_id, NUTRITION_SCOPE).await;
    let r = env.call("GET", "/workouts", &nutrition).await;
    assert_masked(&r, 401, "Unauthorized");
    assert_eq!(
        r.header("www-authenticate"),
        Some(
            r#"Bearer realm="fitbuzz", error="invalid_token", error_description="The access token is not for this API""#
        )
    );

    // A token whose signature is not the IdP's: a premium payload under the free token's
    // signature.
    let premium = env.member_token(PREMIUM).await;
    let (head_payload, _) = premium.rsplit_once('.').unwrap();
    let (_, signature) = good.rsplit_once('.').unwrap();
    let r = env
        .call("GET", "/workouts", &format!("{head_payload}.{signature}"))
        .await;
    assert_masked(&r, 401, "Unauthorized");
    assert_eq!(
        r.header("www-authenticate"),
        Some(r#"Bearer realm="fitbuzz", error="invalid_token""#)
    );

    // The scheme is required.
    let r = env
        .call_with("GET", "/workouts", "", None, &[("Authorization", &good)])
        .await;
    assert_eq!(r.status, 401, "{}", r.body);

    // A valid token for the Workouts API without a tier role: authenticated, not allowed.
    let export = env
        .token(NO_TIER_APP_ID, sigil_example_fitbuzz::WORKOUTS_SCOPE)
        .await;
    let r = env.call("GET", "/workouts", &export).await;
    assert_masked(&r, 403, "Forbidden");
    assert_eq!(
        r.header("www-authenticate"),
        Some(r#"Bearer realm="fitbuzz", error="insufficient_scope""#)
    );

    // A tier role, but an oid that no member has.
    let stranger = env
        .token(UNREGISTERED_APP_ID, sigil_example_fitbuzz::WORKOUTS_SCOPE)
        .await;
    let r = env.call("GET", "/workouts", &stranger).await;
    assert_masked(&r, 403, "NotAMember");

    assert_eq!(
        env.seen().len(),
        backend_calls,
        "a refused call reached the backend"
    );
    // The control still works: nothing above disturbed the gateway.
    assert_eq!(env.call("GET", "/workouts", &good).await.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_token_is_refused() {
    let env = Env::start().await;
    let token = env.member_token(PREMIUM).await;
    assert_eq!(env.call("GET", "/workouts", &token).await.status, 200);
    let backend_calls = env.seen().len();

    // Sigil's tokens live 60 to 90 minutes; two hours later this one has expired.
    env.clock.advance(Duration::from_secs(2 * 3_600));
    let r = env.call("GET", "/workouts", &token).await;
    assert_masked(&r, 401, "Unauthorized");
    assert_eq!(
        r.header("www-authenticate"),
        Some(
            r#"Bearer realm="fitbuzz", error="invalid_token", error_description="The access token expired""#
        )
    );
    assert_eq!(env.seen().len(), backend_calls);

    // A token issued now works again.
    let fresh = env.member_token(PREMIUM).await;
    assert_eq!(env.call("GET", "/workouts", &fresh).await.status, 200);
}
