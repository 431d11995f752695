//! Per-tier hourly limits, counted per caller (the oid): free 100, premium 10,000,
//! enterprise unlimited.

use std::time::Duration;

use sigil_core::Clock;
use sigil_example_fitbuzz::{
    ENTERPRISE, FREE, FREE_CALLS_PER_HOUR, Member, PREMIUM, PREMIUM_CALLS_PER_HOUR,
};

use crate::env::{Env, FREE_2, assert_masked, assert_no_internal_headers};

/// Makes `n` calls to `GET /workouts` as `m`, asserting every one is a 200.
async fn calls_succeed(env: &Env, m: Member, token: &str, n: u32) {
    for i in 1..=n {
        let r = env.call("GET", "/workouts", token).await;
        assert_eq!(r.status, 200, "{} call {i}: {}", m.role, r.body);
    }
}

fn backend_calls_for(env: &Env, m: Member) -> usize {
    let path = format!("/members/{}/workouts", m.member_id);
    env.seen().iter().filter(|s| s.path == path).count()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_free_tier_gets_100_calls_an_hour_per_caller() {
    let env = Env::start().await;
    // Premium and enterprise callers go first: their calls must not count against anyone else.
    let premium = env.member_token(PREMIUM).await;
    calls_succeed(&env, PREMIUM, &premium, FREE_CALLS_PER_HOUR + 1).await;
    let enterprise = env.member_token(ENTERPRISE).await;
    calls_succeed(&env, ENTERPRISE, &enterprise, FREE_CALLS_PER_HOUR + 1).await;

    let free = env.member_token(FREE).await;
    calls_succeed(&env, FREE, &free, FREE_CALLS_PER_HOUR).await;

    // Call 101 in the same hour: 429, with the seconds until the next hour in Retry-After.
    let r = env.call("GET", "/workouts", &free).await;
    assert_masked(&r, 429, "TooManyRequests");
    assert_no_internal_headers(&r);
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    let to_next_hour = 3_600 - env.clock.now().as_secs() % 3_600;
    assert!(
        retry.abs_diff(to_next_hour) <= 1,
        "Retry-After {retry}, next hour in {to_next_hour}"
    );
    assert_eq!(
        backend_calls_for(&env, FREE),
        100,
        "call 101 reached the backend"
    );

    // The count belongs to the caller, not to the token, nor to the tier: a new token of the
    // same member is still refused, another free member has its own 100.
    let again = env.member_token(FREE).await;
    assert_eq!(env.call("GET", "/workouts", &again).await.status, 429);
    let other = env.member_token(FREE_2).await;
    calls_succeed(&env, FREE_2, &other, FREE_CALLS_PER_HOUR).await;
    assert_eq!(env.call("GET", "/workouts", &other).await.status, 429);

    // The next hour starts afresh.
    env.clock.advance(Duration::from_secs(retry + 1));
    let free = env.member_token(FREE).await;
    assert_eq!(env.call("GET", "/workouts", &free).await.status, 200);
}

/// `n` calls to `GET /workouts` as `token`, 16 at a time; the statuses, in no order.
async fn burst(env: &Env, token: &str, n: u32) -> Vec<u16> {
    let mut out = Vec::with_capacity(n as usize);
    let mut left = n;
    while left > 0 {
        let k = left.min(16);
        let calls = (0..k).map(|_| env.call("GET", "/workouts", token));
        out.extend(
            futures_util::future::join_all(calls)
                .await
                .into_iter()
                .map(|r| r.status),
        );
        left -= k;
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn premium_stops_at_10000_an_hour_enterprise_does_not_stop() {
    let env = Env::start().await;
    let premium = env.member_token(PREMIUM).await;
    let statuses = burst(&env, &premium, PREMIUM_CALLS_PER_HOUR + 1).await;
    let ok = statuses.iter().filter(|&&s| s == 200).count();
    let limited = statuses.iter().filter(|&&s| s == 429).count();
    assert_eq!((ok, limited), (10_000, 1), "concurrent calls, exact count");
    assert_eq!(backend_calls_for(&env, PREMIUM), 10_000);

    let enterprise = env.member_token(ENTERPRISE).await;
    let statuses = burst(&env, &enterprise, PREMIUM_CALLS_PER_HOUR + 1).await;
    assert!(statuses.iter().all(|&s| s == 200), "{statuses:?}");
    assert_eq!(backend_calls_for(&env, ENTERPRISE), 10_001);
}
