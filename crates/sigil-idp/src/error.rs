//! Token endpoint errors: the RFC 6749 code, Entra's AADSTS number and HTTP status.
//!
//! Descriptions follow Entra's wording closely, because people search for them; they never
//! contain a secret or a token.

use std::fmt;

/// RFC 6749 §5.2 error codes (plus Entra's `invalid_resource`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// Malformed request.
    InvalidRequest,
    /// Client authentication failed.
    InvalidClient,
    /// The grant or assertion is invalid.
    InvalidGrant,
    /// The client may not use this grant or resource.
    UnauthorizedClient,
    /// The grant type is not supported.
    UnsupportedGrantType,
    /// The scope is invalid.
    InvalidScope,
    /// The resource does not exist in the tenant.
    InvalidResource,
    /// The server failed.
    ServerError,
}

impl ErrorCode {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::InvalidResource => "invalid_resource",
            Self::ServerError => "server_error",
        }
    }
}

/// A token endpoint failure as Entra reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenError {
    /// The OAuth error code.
    pub code: ErrorCode,
    /// Entra's AADSTS number.
    pub aadsts: u32,
    /// HTTP status (400, or 401 for `invalid_client` as Entra answers).
    pub status: u16,
    /// Human-readable description, without the `AADSTSnnnn: ` prefix.
    pub message: String,
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: AADSTS{}: {}",
            self.code.as_str(),
            self.aadsts,
            self.message
        )
    }
}

impl std::error::Error for TokenError {}

impl TokenError {
    fn new(code: ErrorCode, aadsts: u32, message: impl Into<String>) -> Self {
        let status = if code == ErrorCode::InvalidClient {
            401
        } else {
            400
        };
        Self {
            code,
            aadsts,
            status,
            message: message.into(),
        }
    }

    pub(crate) fn missing_parameter(name: &str) -> Self {
        Self::new(
            ErrorCode::InvalidRequest,
            900144,
            format!("The request body must contain the following parameter: '{name}'."),
        )
    }

    pub(crate) fn duplicate_parameter(name: &str) -> Self {
        Self::new(
            ErrorCode::InvalidRequest,
            90015,
            format!("Requested query string is too long or parameter '{name}' is duplicated."),
        )
    }

    pub(crate) fn unsupported_grant(grant: &str) -> Self {
        Self::new(
            ErrorCode::UnsupportedGrantType,
            70003,
            format!("The app requested an unsupported grant type '{grant}'."),
        )
    }

    pub(crate) fn tenant_not_found(tenant: &str) -> Self {
        Self::new(
            ErrorCode::InvalidRequest,
            90002,
            format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID \
                 and are signing into the correct cloud."
            ),
        )
    }

    pub(crate) fn tenant_required(tenant: &str) -> Self {
        Self::new(
            ErrorCode::InvalidRequest,
            900023,
            format!(
                "Specified tenant identifier '{tenant}' cannot be used for the client \
                 credentials flow. Use a tenant-specific authority \
                 (https://<host>/<tenant-id>/oauth2/v2.0/token)."
            ),
        )
    }

    pub(crate) fn unknown_client(client_id: &str, tenant: &str) -> Self {
        Self::new(
            ErrorCode::UnauthorizedClient,
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory \
                 '{tenant}'. This can happen if the application has not been installed by the \
                 administrator of the tenant or consented to by any user in the tenant. You may \
                 have sent your authentication request to the wrong tenant."
            ),
        )
    }

    pub(crate) fn no_credentials() -> Self {
        Self::new(
            ErrorCode::InvalidClient,
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or \
             'client_secret'.",
        )
    }

    pub(crate) fn several_credentials() -> Self {
        Self::new(
            ErrorCode::InvalidRequest,
            90014,
            "The request must contain exactly one client credential: 'client_secret', HTTP \
             Basic authorization, or 'client_assertion'.",
        )
    }

    pub(crate) fn invalid_secret(client_id: &str) -> Self {
        Self::new(
            ErrorCode::InvalidClient,
            7000215,
            format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is \
                 the client secret value, not the client secret ID, for a secret added to app \
                 '{client_id}'."
            ),
        )
    }

    pub(crate) fn expired_secret(client_id: &str) -> Self {
        Self::new(
            ErrorCode::InvalidClient,
            7000222,
            format!("The provided client secret keys for app '{client_id}' are expired."),
        )
    }

    pub(crate) fn bad_assertion(aadsts: u32, message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidClient, aadsts, message)
    }

    pub(crate) fn bad_scope(scope: &str) -> Self {
        Self::new(
            ErrorCode::InvalidScope,
            1002012,
            format!(
                "The provided value for scope {scope} is not valid. Client credential flows must \
                 have a scope value with /.default suffixed to the resource identifier \
                 (application ID URI)."
            ),
        )
    }

    pub(crate) fn unknown_resource(resource: &str, tenant: &str) -> Self {
        Self::new(
            ErrorCode::InvalidResource,
            500011,
            format!(
                "The resource principal named {resource} was not found in the tenant named \
                 {tenant}. This can happen if the application has not been installed by the \
                 administrator of the tenant or consented to by any user in the tenant. You \
                 might have sent your authentication request to the wrong tenant."
            ),
        )
    }

    pub(crate) fn not_assigned(client_id: &str, client_name: &str, resource: &str) -> Self {
        Self::new(
            ErrorCode::InvalidGrant,
            501051,
            format!(
                "Application '{client_id}'({client_name}) is not assigned to a role for the \
                 application '{resource}'. Grant it an application permission (app role) with \
                 admin consent, or set appRoleAssignmentRequired: false on the resource."
            ),
        )
    }

    /// The body is not `application/x-www-form-urlencoded`.
    pub fn not_form() -> Self {
        Self::new(
            ErrorCode::InvalidRequest,
            900144,
            "The request body must be application/x-www-form-urlencoded.",
        )
    }

    /// An internal failure (e.g. no signing key yet); the detail is logged, not sent.
    pub fn server_error() -> Self {
        let mut e = Self::new(
            ErrorCode::ServerError,
            50000,
            "There was an error issuing a token. Please try again.",
        );
        e.status = 500;
        e
    }
}
