//! Backend errors leave the gateway masked: status kept, body replaced by the generic shape
//! with the correlation id the backend also received; internal headers stripped.

use sigil_example_fitbuzz::FREE;

use crate::env::{Env, assert_masked, assert_no_internal_detail, assert_no_internal_headers};

#[tokio::test(flavor = "multi_thread")]
async fn backend_errors_are_masked_and_correlated() {
    let env = Env::start().await;
    let token = env.member_token(FREE).await;

    // A workout without heart-rate samples: the backend's analysis fails with a 500 that
    // names the member, the node and the code location.
    let r = env
        .call_with(
            "POST",
            "/workouts",
            &token,
            Some(serde_json::json!({"activity": "swim", "minutes": 20})),
            &[],
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = env.call("GET", "/workouts/1/analysis", &token).await;
    let id = assert_masked(&r, 500, "InternalError");
    assert_no_internal_detail(&r.body, Some(FREE));
    assert!(!r.body.contains("swim"), "{}", r.body);
    assert_no_internal_headers(&r);
    // Support can find the backend's side of it: the same id went to the backend.
    let s = env.seen().pop().unwrap();
    assert_eq!(
        s.path,
        format!("/members/{}/workouts/1/analysis", FREE.member_id)
    );
    assert_eq!(s.header("x-correlation-id"), Some(id.as_str()));

    // A missing workout: the backend's 404 says which member and shard; the caller's does not.
    let r = env.call("GET", "/workouts/99", &token).await;
    assert_masked(&r, 404, "NotFound");
    assert_no_internal_detail(&r.body, Some(FREE));
    assert_no_internal_headers(&r);

    // Validation failures from the backend are masked the same way.
    let r = env
        .call_with(
            "POST",
            "/workouts",
            &token,
            Some(serde_json::json!({"activity": "run", "minutes": 0})),
            &[],
        )
        .await;
    assert_masked(&r, 400, "BadRequest");
    assert_no_internal_detail(&r.body, Some(FREE));

    // An operation the API does not have: the gateway's own 404, in the same shape.
    let r = env.call("DELETE", "/workouts/1", &token).await;
    assert_masked(&r, 404, "NotFound");

    // Correlation ids differ per request.
    let a = assert_masked(
        &env.call("GET", "/workouts/98", &token).await,
        404,
        "NotFound",
    );
    let b = assert_masked(
        &env.call("GET", "/workouts/98", &token).await,
        404,
        "NotFound",
    );
    assert_ne!(a, b);
}
