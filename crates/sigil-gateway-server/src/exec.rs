//! The policy interpreter: runs a list of policies against an exchange, in order, descending
//! into `choose`, `retry`, `limit-concurrency` and fragments, and records where an error
//! happened (`context.LastError.Scope/Section/Path/PolicyId`).
//!
//! Policies the gateway cannot run are refused at load time by `runtime::not_executable`.

use std::time::Duration;

use futures_util::future::BoxFuture;
use sigil_policy::model::{Policy, Scope, Section};

use crate::context::Exchange;
use crate::errors::Fault;
use crate::eval;
use crate::policies::{access, backend, cors, jwt, limits, message, respond, validate};
use crate::runtime::Prepared;
use crate::{Shared, proxy};

/// What the pipeline does after a policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    /// Go on with the next policy.
    Continue,
    /// `return-response`, `mock-response` or a CORS answer: stop and send the response.
    Return,
}

/// The message `set-header`, `set-body` and friends act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    Request,
    Response,
}

/// Shared per-request environment of the interpreter.
#[derive(Debug)]
pub(crate) struct Env<'r> {
    pub(crate) shared: &'r Shared,
    pub(crate) prepared: &'r Prepared,
}

/// Where in the document the interpreter is.
#[derive(Clone, Debug)]
pub(crate) struct Loc {
    pub(crate) section: Section,
    /// `choose[2]/when[1]` of the enclosing policies (empty at the top).
    pub(crate) prefix: String,
    /// The scope of the document that included a fragment, if inside one.
    pub(crate) scope: Option<Scope>,
}

impl Loc {
    /// The top of a section.
    pub(crate) fn section(section: Section) -> Self {
        Self {
            section,
            prefix: String::new(),
            scope: None,
        }
    }

    fn child(&self, name: &str, index: usize) -> Self {
        Self {
            section: self.section,
            prefix: self.path(name, index),
            scope: self.scope,
        }
    }

    fn path(&self, name: &str, index: usize) -> String {
        if self.prefix.is_empty() {
            format!("{name}[{index}]")
        } else {
            format!("{}/{name}[{index}]", self.prefix)
        }
    }

    pub(crate) fn target(&self) -> Target {
        match self.section {
            Section::Inbound | Section::Backend => Target::Request,
            Section::Outbound | Section::OnError => Target::Response,
        }
    }
}

/// Runs `list` in order; stops at the first `Return` or error. Boxed: policies that hold
/// policies (`choose`, fragments, ...) run their children through it.
pub(crate) fn run<'a, 'c: 'a>(
    ex: &'a mut Exchange<'c>,
    env: &'a Env<'a>,
    list: &'a [Policy],
    loc: Loc,
) -> BoxFuture<'a, Result<Flow, Fault>> {
    Box::pin(run_section(ex, env, list, loc))
}

/// [`run`] without the box, for a section's top-level list (one heap allocation fewer per
/// section on every request).
pub(crate) async fn run_section<'a, 'c: 'a>(
    ex: &'a mut Exchange<'c>,
    env: &'a Env<'a>,
    list: &'a [Policy],
    loc: Loc,
) -> Result<Flow, Fault> {
    for (i, p) in list.iter().enumerate() {
        let index = i + 1;
        let flow = step(ex, env, p, &loc, index).await.map_err(|f| {
            let meta = p.meta();
            let scope = loc.scope.unwrap_or(meta.scope);
            f.locate(
                meta,
                scope,
                p.name(),
                loc.section,
                &loc.path(p.name(), index),
            )
        })?;
        if flow == Flow::Return {
            return Ok(Flow::Return);
        }
    }
    Ok(Flow::Continue)
}

async fn step<'a, 'c: 'a>(
    ex: &'a mut Exchange<'c>,
    env: &'a Env<'a>,
    p: &'a Policy,
    loc: &Loc,
    index: usize,
) -> Result<Flow, Fault> {
    let target = loc.target();
    match p {
        Policy::Base(_) => {}
        Policy::SetHeader(h) => message::set_header(ex, h, target)?,
        Policy::SetQueryParameter(q) => message::set_query_parameter(ex, q)?,
        Policy::SetVariable(v) => {
            let value = eval::any(ex, &v.value)?;
            ex.variables.insert(v.name.clone(), value);
        }
        Policy::SetMethod(m) => message::set_method(ex, m)?,
        Policy::SetStatus(s) => message::set_status(ex, s)?,
        Policy::SetBody(b) => message::set_body(ex, b, target)?,
        Policy::RewriteUri(r) => message::rewrite_uri(ex, r)?,
        Policy::FindAndReplace(f) => message::find_and_replace(ex, f, target)?,
        Policy::CheckHeader(c) => message::check_header(ex, c)?,
        Policy::Trace(t) => message::trace(ex, t)?,
        Policy::IpFilter(f) => access::ip_filter(ex, f)?,
        Policy::Cors(c) => return cors::run(ex, c),
        Policy::SetBackendService(s) => backend::set_backend_service(ex, s)?,
        Policy::ReturnResponse(r) => return respond::return_response(ex, r),
        Policy::MockResponse(m) => return respond::mock_response(ex, m),
        Policy::ForwardRequest(f) => proxy::forward(ex, env, f).await?,
        Policy::ValidateJwt(j) => jwt::validate_jwt(ex, env, j).await?,
        Policy::ValidateAzureAdToken(j) => jwt::validate_azure_ad_token(ex, env, j).await?,
        Policy::RateLimit(r) => limits::rate_limit(ex, env, r)?,
        Policy::RateLimitByKey(r) => limits::rate_limit_by_key(ex, env, r)?,
        Policy::Quota(q) => limits::quota(ex, env, q)?,
        Policy::QuotaByKey(q) => limits::quota_by_key(ex, env, q)?,
        Policy::ValidateContent(v) => validate::validate_content(ex, env, v, target).await?,
        Policy::ValidateParameters(v) => validate::validate_parameters(ex, v, target)?,
        Policy::ValidateHeaders(v) => validate::validate_headers(ex, v, target)?,
        Policy::ValidateStatusCode(v) => validate::validate_status_code(ex, v, target)?,
        Policy::Choose(c) => {
            for (w_i, w) in c.whens.iter().enumerate() {
                if eval::boolean(ex, &w.condition)? {
                    let at = loc.child("choose", index).child("when", w_i + 1);
                    return run(ex, env, &w.policies, at).await;
                }
            }
            if let Some(o) = &c.otherwise {
                let at = loc.child("choose", index).child("otherwise", 1);
                return run(ex, env, o, at).await;
            }
        }
        Policy::IncludeFragment(f) => {
            let mut at = loc.child("include-fragment", index);
            at.scope = Some(loc.scope.unwrap_or(f.meta.scope));
            return run(ex, env, &f.policies, at).await;
        }
        Policy::LimitConcurrency(l) => {
            let key = eval::text(ex, &l.key)?;
            let permit = env
                .shared
                .limiter
                .acquire(&key, l.max_count)
                .ok_or_else(Fault::concurrency)?;
            let out = run(ex, env, &l.policies, loc.child("limit-concurrency", index)).await;
            drop(permit);
            return out;
        }
        Policy::Retry(r) => return retry(ex, env, r, loc.child("retry", index)).await,
        // Refused when the configuration is built (`runtime::not_executable`); reaching one is a
        // bug, answered as an error rather than silently skipped.
        other => {
            return Err(Fault::internal(
                other.name(),
                format!("policy '{}' is not executable", other.name()),
            ));
        }
    }
    Ok(Flow::Continue)
}

/// `retry`: run the children once, then again while `condition` holds, up to `count` times.
async fn retry<'a, 'c: 'a>(
    ex: &'a mut Exchange<'c>,
    env: &'a Env<'a>,
    r: &'a sigil_policy::model::Retry,
    loc: Loc,
) -> Result<Flow, Fault> {
    let count = eval::int(ex, &r.count, "count")?;
    let interval = eval::int(ex, &r.interval, "interval")?;
    let delta = match &r.delta {
        Some(d) => Some(eval::int(ex, d, "delta")?),
        None => None,
    };
    let max = match &r.max_interval {
        Some(m) => Some(eval::int(ex, m, "max-interval")?),
        None => None,
    };
    let first_fast = eval::boolean(ex, &r.first_fast_retry)?;
    let mut attempt: u32 = 0;
    loop {
        if run(ex, env, &r.policies, loc.clone()).await? == Flow::Return {
            return Ok(Flow::Return);
        }
        if attempt >= count || !eval::boolean(ex, &r.condition)? {
            return Ok(Flow::Continue);
        }
        attempt += 1;
        let wait = if attempt == 1 && first_fast {
            0
        } else {
            retry_wait(interval, delta, max, attempt)
        };
        tokio::time::sleep(Duration::from_secs(u64::from(wait))).await;
    }
}

/// APIM's wait before retry number `attempt` (1-based): fixed `interval`; with `delta`, linear
/// `interval + (attempt - 1) * delta`; with `delta` and `max-interval`, exponential
/// `interval + (2^attempt - 1) * delta` capped at `max-interval` (without the random jitter).
pub(crate) fn retry_wait(interval: u32, delta: Option<u32>, max: Option<u32>, attempt: u32) -> u32 {
    match (delta, max) {
        (None, _) => interval,
        (Some(d), None) => interval.saturating_add(attempt.saturating_sub(1).saturating_mul(d)),
        (Some(d), Some(m)) => {
            let factor = 2u32.saturating_pow(attempt).saturating_sub(1);
            interval.saturating_add(factor.saturating_mul(d)).min(m)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_waits_follow_apim_formulas() {
        assert_eq!(retry_wait(2, None, None, 3), 2);
        assert_eq!(retry_wait(2, Some(3), None, 1), 2);
        assert_eq!(retry_wait(2, Some(3), None, 3), 8);
        assert_eq!(retry_wait(1, Some(1), Some(10), 2), 4);
        assert_eq!(retry_wait(1, Some(1), Some(10), 30), 10);
    }
}
