//! reqwest integration: send requests with a cached bearer token attached.

use reqwest::{RequestBuilder, Response, StatusCode};

use crate::{TokenClient, TokenError};

/// A `reqwest::Client` that authenticates every request to one resource with a token from
/// a [`TokenClient`]. On a `401` it drops the cached token and, if the request can be
/// replayed, retries once with a fresh one (the resource may have seen a revoked or
/// rotated-out token).
///
/// ```no_run
/// # async fn demo(tokens: sigil_token_client::TokenClient) -> Result<(), Box<dyn std::error::Error>> {
/// use sigil_token_client::BearerClient;
/// let fraud = BearerClient::new(reqwest::Client::new(), tokens, "api://fraud-detector/.default");
/// let r = fraud.send(fraud.http().post("http://127.0.0.1:8080/fraud/analyze").json(&"{}")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct BearerClient {
    http: reqwest::Client,
    tokens: TokenClient,
    scope: String,
}

/// Why an authenticated request failed before an HTTP answer came back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// No token could be acquired.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The request failed.
    #[error(transparent)]
    Http(#[from] reqwest::Error),
}

impl BearerClient {
    /// Authenticate requests made with `http` using tokens for `scope`.
    pub fn new(http: reqwest::Client, tokens: TokenClient, scope: impl Into<String>) -> Self {
        Self {
            http,
            tokens,
            scope: scope.into(),
        }
    }

    /// The underlying client, to build requests with.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The token client.
    pub fn tokens(&self) -> &TokenClient {
        &self.tokens
    }

    /// Attach a bearer token to `request` and send it.
    pub async fn send(&self, request: RequestBuilder) -> Result<Response, SendError> {
        let replay = request.try_clone();
        let token = self.tokens.token(&self.scope).await?;
        let r = request.bearer_auth(token.secret().expose()).send().await?;
        if r.status() != StatusCode::UNAUTHORIZED {
            return Ok(r);
        }
        self.tokens.invalidate(&self.scope, &token);
        let Some(replay) = replay else {
            return Ok(r);
        };
        let fresh = self.tokens.token(&self.scope).await?;
        Ok(replay.bearer_auth(fresh.secret().expose()).send().await?)
    }
}
