//! Generating and re-loading the CA and the server leaf certificate.

use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use sigil_core::{Clock, Secret, UnixTime};
use time::OffsetDateTime;

use crate::PkiError;
use crate::files::{self, CA_CERT, CA_KEY, SERVER_CERT, SERVER_KEY};

const CA_LIFETIME: Duration = Duration::from_secs(10 * 365 * 86_400);
const SERVER_LIFETIME: Duration = Duration::from_secs(365 * 86_400);
/// Re-issue the server certificate when less than this remains.
const RENEW_BEFORE: Duration = Duration::from_secs(30 * 86_400);
/// Backdate notBefore so a client whose clock is slightly behind still accepts a fresh cert.
const BACKDATE: Duration = Duration::from_secs(3600);

/// The DNS names and IP addresses the server certificate covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerNames {
    dns: Vec<String>,
    ips: Vec<IpAddr>,
}

impl Default for ServerNames {
    fn default() -> Self {
        Self {
            dns: vec!["localhost".into()],
            ips: vec![
                IpAddr::from([127, 0, 0, 1]),
                IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1]),
            ],
        }
    }
}

impl ServerNames {
    /// Add a DNS name (e.g. a vault host name) to the defaults.
    pub fn with_dns(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        if !self.dns.contains(&name) {
            self.dns.push(name);
        }
        self
    }

    fn sans(&self) -> Vec<SanType> {
        let mut out = Vec::with_capacity(self.dns.len() + self.ips.len());
        for d in &self.dns {
            if let Ok(name) = d.clone().try_into() {
                out.push(SanType::DnsName(name));
            }
        }
        out.extend(self.ips.iter().map(|ip| SanType::IpAddress(*ip)));
        out
    }
}

pub(crate) struct Ca {
    pub(crate) cert_pem: String,
    key: KeyPair,
}

fn to_offset(t: UnixTime) -> OffsetDateTime {
    let secs = i64::try_from(t.as_secs()).unwrap_or(i64::MAX);
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn corrupt(path: &Path, reason: impl ToString) -> PkiError {
    PkiError::Corrupt {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

pub(crate) fn load_or_create_ca(dir: &Path, clock: &dyn Clock) -> Result<Ca, PkiError> {
    let cert_path = dir.join(CA_CERT);
    let key_path = dir.join(CA_KEY);
    if let (Some(cert_pem), Some(key_pem)) = (
        files::read_if_exists(&cert_path)?,
        files::read_if_exists(&key_path)?,
    ) {
        let key = KeyPair::from_pem(&key_pem).map_err(|e| corrupt(&key_path, e))?;
        // Parse now so a damaged file is reported at start, not at the first renewal.
        Issuer::from_ca_cert_pem(&cert_pem, &key).map_err(|e| corrupt(&cert_path, e))?;
        return Ok(Ca { cert_pem, key });
    }

    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, ca_common_name(&key));
    dn.push(DnType::OrganizationName, "Sigil local development CA");
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let now = clock.now();
    params.not_before = to_offset(now.saturating_sub(BACKDATE));
    params.not_after = to_offset(now.saturating_add(CA_LIFETIME));
    let cert = params.self_signed(&key)?;
    let cert_pem = cert.pem();
    // Key first: a crash between the two writes leaves a key without a cert, which regenerates.
    files::write_private(&key_path, &key.serialize_pem())?;
    files::write_private(&cert_path, &cert_pem)?;
    Ok(Ca { cert_pem, key })
}

/// A CA name unique to this installation, so two local CAs are told apart in trust stores.
fn ca_common_name(key: &KeyPair) -> String {
    let raw = key.public_key_raw();
    let tail: String = raw
        .iter()
        .rev()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("Sigil Local CA {tail}")
}

pub(crate) fn load_or_issue_server(
    dir: &Path,
    ca: &Ca,
    names: &ServerNames,
    clock: &dyn Clock,
) -> Result<(String, Secret<String>), PkiError> {
    let cert_path = dir.join(SERVER_CERT);
    let key_path = dir.join(SERVER_KEY);
    if let (Some(chain), Some(key_pem)) = (
        files::read_if_exists(&cert_path)?,
        files::read_if_exists(&key_path)?,
    ) {
        if server_cert_still_good(&chain, ca, names, clock.now()) {
            return Ok((chain, Secret::new(key_pem)));
        }
    }

    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "localhost");
    params.distinguished_name = dn;
    params.subject_alt_names = names.sans();
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    let now = clock.now();
    params.not_before = to_offset(now.saturating_sub(BACKDATE));
    params.not_after = to_offset(now.saturating_add(SERVER_LIFETIME));
    let issuer = Issuer::from_ca_cert_pem(&ca.cert_pem, &ca.key)
        .map_err(|e| corrupt(&dir.join(CA_CERT), e))?;
    let cert = params.signed_by(&key, &issuer)?;
    let chain = format!("{}{}", cert.pem(), ca.cert_pem);
    let key_pem = key.serialize_pem();
    files::write_private(&key_path, &key_pem)?;
    files::write_private(&cert_path, &chain)?;
    Ok((chain, Secret::new(key_pem)))
}

/// Keep the stored leaf if it was issued by this CA, covers the names and is not near expiry.
fn server_cert_still_good(chain_pem: &str, ca: &Ca, names: &ServerNames, now: UnixTime) -> bool {
    use x509_parser::prelude::*;
    let Ok((_, leaf_pem)) = parse_x509_pem(chain_pem.as_bytes()) else {
        return false;
    };
    let Ok(leaf) = leaf_pem.parse_x509() else {
        return false;
    };
    let Ok((_, ca_pem)) = parse_x509_pem(ca.cert_pem.as_bytes()) else {
        return false;
    };
    let Ok(ca_cert) = ca_pem.parse_x509() else {
        return false;
    };
    if leaf.verify_signature(Some(ca_cert.public_key())).is_err() {
        return false;
    }
    let not_after = leaf.validity().not_after.timestamp();
    let renew_at = i64::try_from(now.saturating_add(RENEW_BEFORE).as_secs()).unwrap_or(i64::MAX);
    if not_after < renew_at {
        return false;
    }
    let Ok(Some(san)) = leaf.subject_alternative_name() else {
        return false;
    };
    let mut dns = Vec::new();
    let mut ips = Vec::new();
    for n in &san.value.general_names {
        match n {
            GeneralName::DNSName(d) => dns.push((*d).to_string()),
            GeneralName::IPAddress(b) => match b.len() {
                4 => ips.push(IpAddr::from(<[u8; 4]>::try_from(*b).unwrap_or_default())),
                16 => ips.push(IpAddr::from(<[u8; 16]>::try_from(*b).unwrap_or_default())),
                _ => {}
            },
            _ => {}
        }
    }
    names.dns.iter().all(|d| dns.contains(d)) && names.ips.iter().all(|i| ips.contains(i))
}
