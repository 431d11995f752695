//! `set-backend-service`: where `forward-request` sends the request.

use std::sync::Arc;

use sigil_policy::model::{BackendTarget, SetBackendService};

use crate::context::Exchange;
use crate::errors::Fault;
use crate::eval;
use crate::url::BaseUrl;

/// Points the request at `base-url`, or at a `backends/` entry with its credentials.
pub(crate) fn set_backend_service(
    ex: &mut Exchange<'_>,
    p: &SetBackendService,
) -> Result<(), Fault> {
    match &p.target {
        BackendTarget::BaseUrl(t) => {
            let url = eval::text(ex, t)?;
            ex.backend = Some(Arc::new(
                BaseUrl::parse(&url).map_err(|e| Fault::bad_value("base-url", &e))?,
            ));
            ex.backend_headers.clear();
            ex.backend_query.clear();
        }
        BackendTarget::BackendId(t) => {
            let id = eval::text(ex, t)?;
            let b = ex.cfg.backends.get(&id).ok_or_else(|| {
                Fault::internal(
                    "set-backend-service",
                    format!("backend '{id}' is not defined"),
                )
            })?;
            ex.backend = Some(Arc::new(
                BaseUrl::parse(&b.url).map_err(|e| Fault::internal("set-backend-service", e))?,
            ));
            // Credentials are named values (possibly secret): used, never logged.
            ex.backend_headers = b
                .headers
                .iter()
                .flat_map(|(k, vs)| vs.iter().map(move |v| (k.clone(), v.value().to_owned())))
                .collect();
            ex.backend_query = b
                .query
                .iter()
                .flat_map(|(k, vs)| vs.iter().map(move |v| (k.clone(), v.value().to_owned())))
                .collect();
        }
    }
    Ok(())
}
