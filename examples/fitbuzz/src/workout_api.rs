//! The internal Workouts service: what sits behind the gateway.
//!
//! It knows members only by their internal numeric id (`/members/{memberId}/...`) and never
//! sees a token or an `oid`: the gateway authenticates callers and maps their `oid` to the
//! member id. It refuses every member route without the gateway's key (`X-Gateway-Key`, the
//! gateway's backend credential), so it cannot be called around the gateway by mistake.
//!
//! Like many internal services it is talkative: every answer names the node and server
//! software and carries the member id in `X-Internal-User-Id`, and errors carry diagnostic
//! detail (member id, node, code location). That is what the gateway strips and masks; the
//! service is written this way on purpose, so the demo and the tests can show it happen.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use sigil_core::Secret;

/// The header carrying the gateway's key.
pub const GATEWAY_KEY_HEADER: &str = "x-gateway-key";
/// The header naming the member a response is about (internal; the gateway strips it).
pub const INTERNAL_USER_HEADER: &str = "x-internal-user-id";
/// The header naming the node that answered (internal; the gateway strips it).
pub const NODE_HEADER: &str = "x-backend-node";

/// How the service runs.
#[derive(Debug)]
pub struct Config {
    /// The key the gateway sends in `X-Gateway-Key` (its backend credential).
    pub gateway_key: Secret<String>,
    /// This node's name, reported in `X-Backend-Node`, `Server` and error details.
    pub node: String,
}

/// A logged workout, as stored and returned.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Workout {
    /// Per-member sequence number, from 1.
    pub id: u64,
    /// `run`, `ride`, `swim` ...
    pub activity: String,
    /// Duration.
    pub minutes: u32,
    /// Heart-rate samples (beats per minute), possibly none.
    #[serde(default)]
    pub heart_rates: Vec<u16>,
}

/// The body of `POST /members/{memberId}/workouts`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewWorkout {
    /// `run`, `ride`, `swim` ...
    pub activity: String,
    /// Duration, 1 to 1440.
    pub minutes: u32,
    /// Heart-rate samples.
    #[serde(default)]
    pub heart_rates: Vec<u16>,
}

/// `GET .../analysis`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Analysis {
    /// The workout.
    pub workout_id: u64,
    /// Mean of the samples.
    pub average_heart_rate: u16,
    /// Highest sample.
    pub peak_heart_rate: u16,
    /// `easy` (< 120 average), `moderate` (< 150) or `hard`.
    pub zone: String,
}

#[derive(Debug)]
struct Service {
    cfg: Config,
    server: HeaderValue,
    node: HeaderValue,
    workouts: Mutex<HashMap<u64, Vec<Workout>>>,
}

/// The routes: `/members/{memberId}/workouts[/{workoutId}[/analysis]]` behind the gateway's
/// key; `/healthz` open.
pub fn router(cfg: Config) -> Router {
    let server = HeaderValue::from_str(&format!(
        "fitbuzz-workouts/{} ({})",
        env!("CARGO_PKG_VERSION"),
        cfg.node
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("fitbuzz-workouts"));
    let node =
        HeaderValue::from_str(&cfg.node).unwrap_or_else(|_| HeaderValue::from_static("unknown"));
    let svc = Arc::new(Service {
        cfg,
        server,
        node,
        workouts: Mutex::new(HashMap::new()),
    });
    let members = Router::new()
        .route("/members/{member_id}/workouts", get(list).post(log))
        .route("/members/{member_id}/workouts/{workout_id}", get(one))
        .route(
            "/members/{member_id}/workouts/{workout_id}/analysis",
            get(analysis),
        )
        .layer(axum::middleware::from_fn_with_state(
            svc.clone(),
            require_gateway_key,
        ));
    members
        .route("/healthz", get(|| async { "ok" }))
        .layer(axum::middleware::from_fn_with_state(
            svc.clone(),
            identify_node,
        ))
        .with_state(svc)
}

/// Serve on `listener` until the process ends; returns the bound address at once.
pub fn spawn(listener: tokio::net::TcpListener, app: Router) -> std::io::Result<SocketAddr> {
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "workout-api stopped");
        }
    });
    Ok(addr)
}

async fn require_gateway_key(
    State(svc): State<Arc<Service>>,
    req: Request,
    next: Next,
) -> Response {
    let given = req
        .headers()
        .get(GATEWAY_KEY_HEADER)
        .map(HeaderValue::as_bytes)
        .unwrap_or_default();
    if !sigil_core::constant_time_eq(given, svc.cfg.gateway_key.expose().as_bytes()) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(
                serde_json::json!({"error": "this service is reachable through the gateway only"}),
            ),
        )
            .into_response();
    }
    next.run(req).await
}

/// Every answer names the node and the server software (internal detail).
async fn identify_node(State(svc): State<Arc<Service>>, req: Request, next: Next) -> Response {
    let mut r = next.run(req).await;
    r.headers_mut()
        .insert(axum::http::header::SERVER, svc.server.clone());
    r.headers_mut()
        .insert(HeaderName::from_static(NODE_HEADER), svc.node.clone());
    r
}

fn member_header(member: u64) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(
        HeaderName::from_static(INTERNAL_USER_HEADER),
        HeaderValue::from(member),
    );
    h
}

/// A detailed error, as a service in debug mode writes it: what the gateway must never pass on.
fn detailed_error(
    svc: &Service,
    status: StatusCode,
    member: u64,
    detail: &str,
    at: &str,
) -> Response {
    let body = serde_json::json!({
        "error": status.canonical_reason().unwrap_or("error"),
        "detail": detail,
        "memberId": member,
        "node": svc.cfg.node,
        "at": at,
    });
    (status, member_header(member), Json(body)).into_response()
}

async fn list(State(svc): State<Arc<Service>>, Path(member): Path<u64>) -> Response {
    let all = svc.workouts.lock().unwrap_or_else(PoisonError::into_inner);
    let mut mine = all.get(&member).cloned().unwrap_or_default();
    mine.reverse();
    (
        member_header(member),
        Json(serde_json::json!({ "workouts": mine })),
    )
        .into_response()
}

async fn log(
    State(svc): State<Arc<Service>>,
    Path(member): Path<u64>,
    Json(new): Json<NewWorkout>,
) -> Response {
    if new.activity.trim().is_empty() || !(1..=1_440).contains(&new.minutes) {
        return detailed_error(
            &svc,
            StatusCode::BAD_REQUEST,
            member,
            &format!(
                "validation failed: activity {:?}, minutes {} (1-1440)",
                new.activity, new.minutes
            ),
            concat!(file!(), ":", line!()),
        );
    }
    let mut all = svc.workouts.lock().unwrap_or_else(PoisonError::into_inner);
    let mine = all.entry(member).or_default();
    let w = Workout {
        id: mine.len() as u64 + 1,
        activity: new.activity,
        minutes: new.minutes,
        heart_rates: new.heart_rates,
    };
    mine.push(w.clone());
    (StatusCode::CREATED, member_header(member), Json(w)).into_response()
}

fn find(svc: &Service, member: u64, id: u64) -> Option<Workout> {
    let all = svc.workouts.lock().unwrap_or_else(PoisonError::into_inner);
    all.get(&member)?.iter().find(|w| w.id == id).cloned()
}

async fn one(State(svc): State<Arc<Service>>, Path((member, id)): Path<(u64, u64)>) -> Response {
    match find(&svc, member, id) {
        Some(w) => (member_header(member), Json(w)).into_response(),
        None => no_such_workout(&svc, member, id),
    }
}

/// The 404 both lookups answer, as talkative as the rest of this service's errors.
fn no_such_workout(svc: &Service, member: u64, id: u64) -> Response {
    detailed_error(
        svc,
        StatusCode::NOT_FOUND,
        member,
        &format!(
            "no workout {id} for member {member} in shard {}",
            svc.cfg.node
        ),
        concat!(file!(), ":", line!()),
    )
}

async fn analysis(
    State(svc): State<Arc<Service>>,
    Path((member, id)): Path<(u64, u64)>,
) -> Response {
    let Some(w) = find(&svc, member, id) else {
        return no_such_workout(&svc, member, id);
    };
    // A workout logged without heart-rate samples cannot be analysed. The service treats that
    // as an internal failure and says far too much about it: the case the gateway masks.
    let Some(&peak) = w.heart_rates.iter().max() else {
        return detailed_error(
            &svc,
            StatusCode::INTERNAL_SERVER_ERROR,
            member,
            &format!(
                "heart-rate zones: empty sample set for workout {id} of member {member} (activity {})",
                w.activity
            ),
            concat!(file!(), ":", line!()),
        );
    };
    let sum: u64 = w.heart_rates.iter().map(|&h| u64::from(h)).sum();
    let average = u16::try_from(sum / w.heart_rates.len() as u64).unwrap_or(u16::MAX);
    let zone = match average {
        0..120 => "easy",
        120..150 => "moderate",
        _ => "hard",
    };
    (
        member_header(member),
        Json(Analysis {
            workout_id: id,
            average_heart_rate: average,
            peak_heart_rate: peak,
            zone: zone.into(),
        }),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn serve() -> String {
        let app = router(Config {
            gateway_key: Secret::new("k".repeat(24)),
            node: "node-t".into(),
        });
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        format!("http://{}", spawn(l, app).unwrap())
    }

    #[tokio::test]
    async fn refuses_calls_without_the_gateway_key_and_keeps_members_apart() {
        let base = serve().await;
        let c = reqwest::Client::new();
        let key = "k".repeat(24);
        let r = c
            .get(format!("{base}/members/1/workouts"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        let r = c
            .get(format!("{base}/members/1/workouts"))
            .header(GATEWAY_KEY_HEADER, "k".repeat(23))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);

        let r = c
            .post(format!("{base}/members/1/workouts"))
            .header(GATEWAY_KEY_HEADER, &key)
            .json(&serde_json::json!({"activity": "run", "minutes": 30, "heartRates": [110, 140]}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        assert_eq!(r.headers()[INTERNAL_USER_HEADER], "1");
        assert_eq!(r.headers()[NODE_HEADER], "node-t");
        let w: Workout = r.json().await.unwrap();
        assert_eq!(w.id, 1);

        let get = |path: String| {
            c.get(format!("{base}{path}"))
                .header(GATEWAY_KEY_HEADER, &key)
                .send()
        };
        let r = get("/members/1/workouts/1/analysis".into()).await.unwrap();
        assert_eq!(r.status(), 200);
        let a: Analysis = r.json().await.unwrap();
        assert_eq!((a.average_heart_rate, a.peak_heart_rate), (125, 140));
        assert_eq!(a.zone, "moderate");

        // Member 2 has none of member 1's workouts.
        let r = get("/members/2/workouts/1".into()).await.unwrap();
        assert_eq!(r.status(), 404);
        let body = r.text().await.unwrap();
        assert!(body.contains("member 2"), "{body}");
        let r = get("/members/2/workouts".into()).await.unwrap();
        let list: serde_json::Value = r.json().await.unwrap();
        assert_eq!(list["workouts"], serde_json::json!([]));
    }

    #[tokio::test]
    async fn a_workout_without_samples_fails_analysis_with_detail() {
        let base = serve().await;
        let c = reqwest::Client::new();
        let key = "k".repeat(24);
        let r = c
            .post(format!("{base}/members/7/workouts"))
            .header(GATEWAY_KEY_HEADER, &key)
            .json(&serde_json::json!({"activity": "swim", "minutes": 20}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let r = c
            .get(format!("{base}/members/7/workouts/1/analysis"))
            .header(GATEWAY_KEY_HEADER, &key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 500);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["memberId"], 7);
        assert!(body["at"].as_str().unwrap().contains("workout_api.rs"));

        let r = c
            .post(format!("{base}/members/7/workouts"))
            .header(GATEWAY_KEY_HEADER, &key)
            .json(&serde_json::json!({"activity": "swim", "minutes": 0}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
    }
}
