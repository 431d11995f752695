//! A scripted token endpoint: answers from a queue, then with fresh tokens; records forms.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;

pub(crate) const TENANT: &str = "11111111-1111-1111-1111-111111111111";

#[derive(Clone, Debug)]
pub(crate) enum Answer {
    Token {
        expires_in: u64,
    },
    Status {
        status: u16,
        retry_after: Option<String>,
        body: String,
    },
}

/// One form body as (name, value) pairs.
pub(crate) type Form = Vec<(String, String)>;

#[derive(Clone, Default)]
pub(crate) struct Fake {
    pub(crate) base: String,
    script: Arc<Mutex<VecDeque<Answer>>>,
    pub(crate) forms: Arc<Mutex<Vec<Form>>>,
    pub(crate) hits: Arc<AtomicU64>,
    delay_ms: Arc<AtomicU64>,
}

impl Fake {
    pub(crate) async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let fake = Self {
            base: format!("http://{}", listener.local_addr().unwrap()),
            ..Self::default()
        };
        let app = Router::new()
            .route(&format!("/{TENANT}/oauth2/v2.0/token"), post(token))
            .with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        fake
    }

    pub(crate) fn authority(&self) -> String {
        format!("{}/{TENANT}", self.base)
    }

    pub(crate) fn push(&self, a: Answer) {
        self.script.lock().unwrap().push_back(a);
    }

    pub(crate) fn hits(&self) -> u64 {
        self.hits.load(Ordering::SeqCst)
    }

    pub(crate) fn set_delay(&self, d: Duration) {
        self.delay_ms
            .store(u64::try_from(d.as_millis()).unwrap(), Ordering::SeqCst);
    }
}

async fn token(State(f): State<Fake>, body: String) -> Response {
    let n = f.hits.fetch_add(1, Ordering::SeqCst) + 1;
    f.forms.lock().unwrap().push(
        form_urlencoded::parse(body.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
    );
    let d = f.delay_ms.load(Ordering::SeqCst);
    if d > 0 {
        tokio::time::sleep(Duration::from_millis(d)).await;
    }
    let answer = f
        .script
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or(Answer::Token { expires_in: 3600 });
    match answer {
        Answer::Token { expires_in } => axum::Json(serde_json::json!({
            "token_type": "Bearer", "expires_in": expires_in, "ext_expires_in": expires_in,
            "access_token": format!("token-{n}")
        }))
        .into_response(),
        Answer::Status {
            status,
            retry_after,
            body,
        } => {
            let mut h = HeaderMap::new();
            if let Some(r) = retry_after {
                h.insert("retry-after", HeaderValue::from_str(&r).unwrap());
            }
            (StatusCode::from_u16(status).unwrap(), h, body).into_response()
        }
    }
}
