//! Decoding a token request (form pairs + `Authorization` header) into typed values.
//!
//! Per RFC 6749 §3.2, a parameter sent twice is an error. Unknown parameters (MSAL telemetry
//! such as `x-client-SKU`, `client_info`, `claims`) are ignored, as Entra does.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::TokenError;

/// How the client proves its identity.
#[derive(Clone, PartialEq, Eq)]
pub enum ClientAuth {
    /// `client_secret` in the body (`client_secret_post`) or HTTP Basic (`client_secret_basic`).
    Secret {
        /// The client id.
        client_id: String,
        /// The presented secret.
        secret: String,
    },
    /// A signed JWT (`private_key_jwt`).
    Assertion {
        /// The client id.
        client_id: String,
        /// The compact JWT.
        assertion: String,
    },
}

impl std::fmt::Debug for ClientAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Secret { client_id, .. } => write!(f, "Secret({client_id}, ***)"),
            Self::Assertion { client_id, .. } => write!(f, "Assertion({client_id}, ***)"),
        }
    }
}

impl ClientAuth {
    /// The client id the request claims.
    pub fn client_id(&self) -> &str {
        match self {
            Self::Secret { client_id, .. } | Self::Assertion { client_id, .. } => client_id,
        }
    }
}

/// The grant being requested.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Grant {
    /// `client_credentials` with the requested scope string.
    ClientCredentials {
        /// The `scope` parameter as sent.
        scope: String,
    },
}

/// A decoded token request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRequest {
    /// The grant.
    pub grant: Grant,
    /// The client's credential.
    pub client: ClientAuth,
}

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

impl TokenRequest {
    /// Decode form pairs and an optional `Authorization` header value.
    pub fn decode(
        form: &[(String, String)],
        authorization: Option<&str>,
    ) -> Result<Self, TokenError> {
        let get = |name: &str| -> Result<Option<&str>, TokenError> {
            let mut found = None;
            for (k, v) in form {
                if k == name {
                    if found.is_some() {
                        return Err(TokenError::duplicate_parameter(name));
                    }
                    found = Some(v.as_str());
                }
            }
            Ok(found)
        };
        let grant_type =
            get("grant_type")?.ok_or_else(|| TokenError::missing_parameter("grant_type"))?;
        let grant = match grant_type {
            "client_credentials" => Grant::ClientCredentials {
                scope: get("scope")?
                    .ok_or_else(|| TokenError::missing_parameter("scope"))?
                    .to_owned(),
            },
            other => return Err(TokenError::unsupported_grant(other)),
        };

        let basic = authorization.and_then(parse_basic);
        let body_id = get("client_id")?;
        let secret = get("client_secret")?;
        let assertion = get("client_assertion")?;
        let assertion_type = get("client_assertion_type")?;
        let credentials = usize::from(basic.is_some())
            + usize::from(secret.is_some())
            + usize::from(assertion.is_some());
        if credentials > 1 {
            return Err(TokenError::several_credentials());
        }
        let client = if let Some((id, secret)) = basic {
            if body_id.is_some_and(|b| b != id) {
                return Err(TokenError::several_credentials());
            }
            ClientAuth::Secret {
                client_id: id,
                secret,
            }
        } else {
            let client_id = body_id
                .ok_or_else(|| TokenError::missing_parameter("client_id"))?
                .to_owned();
            match (secret, assertion) {
                (Some(s), None) => ClientAuth::Secret {
                    client_id,
                    secret: s.to_owned(),
                },
                (None, Some(a)) => {
                    match assertion_type {
                        Some(ASSERTION_TYPE) => {}
                        Some(_) => {
                            return Err(TokenError::bad_assertion(
                                700025,
                                format!("client_assertion_type must be '{ASSERTION_TYPE}'."),
                            ));
                        }
                        None => return Err(TokenError::missing_parameter("client_assertion_type")),
                    }
                    ClientAuth::Assertion {
                        client_id,
                        assertion: a.to_owned(),
                    }
                }
                _ => return Err(TokenError::no_credentials()),
            }
        };
        Ok(Self { grant, client })
    }
}

/// `Basic base64(urlencode(id):urlencode(secret))` per RFC 6749 §2.3.1.
fn parse_basic(header: &str) -> Option<(String, String)> {
    let (scheme, rest) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(rest.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((form_decode(id)?, form_decode(secret)?))
}

fn form_decode(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => {
                // Exactly two hex digits: `from_str_radix` alone would accept "+1".
                let hex = s.get(i + 1..i + 3)?;
                if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
                    return None;
                }
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn secret_in_body() {
        let r = TokenRequest::decode(
            &form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "c"),
                ("client_secret", "s"),
                ("scope", "api://x/.default"),
                ("x-client-SKU", "MSAL.Python"),
            ]),
            None,
        )
        .unwrap();
        assert_eq!(
            r.client,
            ClientAuth::Secret {
                client_id: "c".into(),
                secret: "s".into()
            }
        );
        assert_eq!(
            r.grant,
            Grant::ClientCredentials {
                scope: "api://x/.default".into()
            }
        );
    }

    #[test]
    fn basic_auth_is_url_decoded() {
        let hdr = format!("Basic {}", STANDARD.encode("my%20client:p%3Ass+w"));
        let r = TokenRequest::decode(
            &form(&[("grant_type", "client_credentials"), ("scope", "s")]),
            Some(&hdr),
        )
        .unwrap();
        assert_eq!(
            r.client,
            ClientAuth::Secret {
                client_id: "my client".into(),
                secret: "p:ss w".into()
            }
        );
    }

    #[test]
    fn basic_auth_percent_escapes_need_two_hex_digits() {
        // Found by the token_form fuzz target: "%+1" used to decode to 0x01.
        assert_eq!(form_decode("c%+1"), None);
        assert_eq!(form_decode("c%4"), None);
        assert_eq!(form_decode("c%41"), Some("cA".to_owned()));
        let hdr = format!("Basic {}", STANDARD.encode("c%+1:s"));
        let r = TokenRequest::decode(
            &form(&[("grant_type", "client_credentials"), ("scope", "s")]),
            Some(&hdr),
        );
        assert!(
            r.is_err(),
            "a malformed Basic header is no credential: {r:?}"
        );
    }

    #[test]
    fn duplicate_parameter_is_refused() {
        let e = TokenRequest::decode(
            &form(&[
                ("grant_type", "client_credentials"),
                ("scope", "a"),
                ("scope", "b"),
                ("client_id", "c"),
                ("client_secret", "s"),
            ]),
            None,
        )
        .unwrap_err();
        assert_eq!((e.code, e.aadsts), (ErrorCode::InvalidRequest, 90015));
    }

    #[test]
    fn two_credentials_are_refused() {
        let hdr = format!("Basic {}", STANDARD.encode("c:s"));
        let e = TokenRequest::decode(
            &form(&[
                ("grant_type", "client_credentials"),
                ("scope", "a"),
                ("client_secret", "s"),
            ]),
            Some(&hdr),
        )
        .unwrap_err();
        assert_eq!(e.aadsts, 90014);
    }

    #[test]
    fn missing_and_unsupported() {
        let e = TokenRequest::decode(&form(&[("client_id", "c")]), None).unwrap_err();
        assert_eq!((e.aadsts, e.status), (900144, 400));
        let e = TokenRequest::decode(&form(&[("grant_type", "password")]), None).unwrap_err();
        assert_eq!((e.code, e.aadsts), (ErrorCode::UnsupportedGrantType, 70003));
        let e = TokenRequest::decode(
            &form(&[
                ("grant_type", "client_credentials"),
                ("scope", "s"),
                ("client_id", "c"),
            ]),
            None,
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.aadsts, e.status),
            (ErrorCode::InvalidClient, 7000218, 401)
        );
    }

    #[test]
    fn assertion_needs_the_jwt_bearer_type() {
        let base = [
            ("grant_type", "client_credentials"),
            ("scope", "s"),
            ("client_id", "c"),
            ("client_assertion", "a.b.c"),
        ];
        let e = TokenRequest::decode(&form(&base), None).unwrap_err();
        assert_eq!(e.aadsts, 900144);
        let mut ok = base.to_vec();
        ok.push(("client_assertion_type", ASSERTION_TYPE));
        let r = TokenRequest::decode(&form(&ok), None).unwrap();
        assert!(matches!(r.client, ClientAuth::Assertion { .. }));
    }

    #[test]
    fn debug_hides_credentials() {
        let c = ClientAuth::Secret {
            client_id: "c".into(),
            secret: "hunter2".into(),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
