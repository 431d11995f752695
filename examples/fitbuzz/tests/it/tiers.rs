//! A valid token of each tier reaches the caller's own workouts; the backend is addressed by
//! the internal member id and never sees the oid or the token.

use sigil_example_fitbuzz::{FREE, MEMBERS, PREMIUM};

use crate::env::{Env, assert_no_internal_detail, assert_no_internal_headers};

#[tokio::test(flavor = "multi_thread")]
async fn each_tier_reaches_its_own_workouts_by_internal_id() {
    let env = Env::start().await;
    for m in MEMBERS {
        let token = env.member_token(m).await;
        let before = env.seen().len();
        let activity = format!("{}-run", m.role);
        let r = env
            .call_with(
                "POST",
                "/workouts",
                &token,
                Some(serde_json::json!({"activity": activity, "minutes": 30, "heartRates": [120, 150]})),
                &[],
            )
            .await;
        assert_eq!(r.status, 201, "{}: {}", m.role, r.body);
        assert_eq!(r.json()["activity"], activity.as_str());
        assert_no_internal_headers(&r);
        assert_no_internal_detail(&r.body, Some(m));

        // What the backend got: the member's internal id in the path; no oid anywhere, no
        // token, its key, and the correlation id.
        let seen = env.seen();
        assert_eq!(seen.len(), before + 1);
        let s = seen.last().unwrap();
        assert_eq!(s.method, "POST");
        assert_eq!(s.path, format!("/members/{}/workouts", m.member_id));
        assert!(s.header("authorization").is_none(), "{s:?}");
        for (k, v) in &s.headers {
            assert!(!v.contains(m.oid), "the backend saw the oid in {k}: {v}");
        }
        assert_eq!(
            s.header("x-gateway-key"),
            Some(crate::env::BACKEND_KEY),
            "{s:?}"
        );
        uuid::Uuid::parse_str(s.header("x-correlation-id").unwrap()).unwrap();

        // The list holds this member's workout only: members are kept apart by their ids.
        let r = env.call("GET", "/workouts", &token).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let list = r.json();
        let names: Vec<&str> = list["workouts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["activity"].as_str().unwrap())
            .collect();
        assert_eq!(names, [activity.as_str()], "{}", m.role);
        assert_no_internal_headers(&r);
        assert_eq!(
            env.seen().last().unwrap().path,
            format!("/members/{}/workouts", m.member_id)
        );

        // Path parameters are carried into the rewritten backend path.
        let r = env.call("GET", "/workouts/1/analysis", &token).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["zone"], "moderate");
        assert_eq!(
            env.seen().last().unwrap().path,
            format!("/members/{}/workouts/1/analysis", m.member_id)
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_caller_cannot_pose_as_another_member() {
    let env = Env::start().await;
    let token = env.member_token(FREE).await;
    // Headers a caller might try: the backend's own member header, another gateway key.
    let r = env
        .call_with(
            "GET",
            "/workouts",
            &token,
            None,
            &[
                ("X-Internal-User-Id", &PREMIUM.member_id.to_string()),
                ("X-Gateway-Key", "guessed-key-0123456789"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let s = env.seen().pop().unwrap();
    assert_eq!(s.path, format!("/members/{}/workouts", FREE.member_id));
    assert!(s.header("x-internal-user-id").is_none(), "{s:?}");
    assert_eq!(s.header("x-gateway-key"), Some(crate::env::BACKEND_KEY));
}
