//! Certificates for `keyCredentials`: PEM or DER in, DER + SPKI + thumbprints + validity out.

use base64::Engine as _;
use time::OffsetDateTime;
use x509_parser::prelude::{FromDer as _, X509Certificate};

/// What a key credential keeps of a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ParsedCert {
    pub(crate) der: Vec<u8>,
    pub(crate) spki: Vec<u8>,
    pub(crate) x5t_sha1: [u8; 20],
    pub(crate) x5t_sha256: [u8; 32],
    pub(crate) not_before: OffsetDateTime,
    pub(crate) not_after: OffsetDateTime,
}

/// Parses one certificate from PEM (`-----BEGIN CERTIFICATE-----`), raw DER, or base64 DER (the
/// form Graph's `keyCredential.key` uses). The message of an error is meant for the user.
pub(crate) fn parse_certificate(data: &[u8]) -> Result<ParsedCert, String> {
    let der = to_der(data)?;
    let (rest, cert) =
        X509Certificate::from_der(&der).map_err(|e| format!("not an X.509 certificate: {e}"))?;
    if !rest.is_empty() {
        return Err("trailing bytes after the certificate".to_owned());
    }
    // The key must be one sigil-crypto accepts (RSA ≥ 2048 bits, e = 65537, no ROCA, P-256,
    // P-384, Ed25519): refusing it here beats refusing every assertion later.
    sigil_crypto::VerifyingKey::from_spki_der(cert.public_key().raw)
        .map_err(|e| format!("the certificate's public key is not usable: {e}"))?;
    let validity = cert.validity();
    Ok(ParsedCert {
        spki: cert.public_key().raw.to_vec(),
        x5t_sha1: sigil_crypto::sha1(&der),
        x5t_sha256: sigil_crypto::sha256(&der),
        not_before: validity.not_before.to_datetime(),
        not_after: validity.not_after.to_datetime(),
        der,
    })
}

fn to_der(data: &[u8]) -> Result<Vec<u8>, String> {
    let text = std::str::from_utf8(data).ok().map(str::trim);
    match text {
        Some(t) if t.contains("-----BEGIN") => pem_certificate(t),
        Some(t) if !t.is_empty() && t.bytes().all(is_base64_byte) => {
            let compact: String = t.split_whitespace().collect();
            base64::engine::general_purpose::STANDARD
                .decode(compact)
                .map_err(|e| format!("neither PEM nor base64 DER: {e}"))
        }
        _ if data.first() == Some(&0x30) => Ok(data.to_vec()),
        _ => Err(
            "expected a PEM certificate (-----BEGIN CERTIFICATE-----), DER or base64 DER"
                .to_owned(),
        ),
    }
}

fn is_base64_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'\n' | b'\r' | b' ')
}

fn pem_certificate(text: &str) -> Result<Vec<u8>, String> {
    let mut certs = Vec::new();
    let mut others = Vec::new();
    for pem in x509_parser::pem::Pem::iter_from_buffer(text.as_bytes()) {
        let pem = pem.map_err(|e| format!("malformed PEM: {e}"))?;
        if pem.label == "CERTIFICATE" {
            certs.push(pem.contents);
        } else {
            others.push(pem.label);
        }
    }
    if let Some(label) = others.iter().find(|l| l.contains("PRIVATE KEY")) {
        return Err(format!(
            "found a {label}; keyCredentials take the public certificate only, never a private key"
        ));
    }
    match certs.len() {
        1 => Ok(certs.remove(0)),
        0 if others.is_empty() => Err("no PEM block found".to_owned()),
        0 => Err(format!(
            "expected a CERTIFICATE PEM block, found {}",
            others.join(", ")
        )),
        n => Err(format!(
            "expected one certificate, found {n}; use one keyCredential per certificate"
        )),
    }
}

/// The certificate as PEM text (for export).
pub(crate) fn to_pem(der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A self-signed P-256 certificate valid 2024-01-01 .. 2034-01-01.
    pub(crate) fn test_cert_pem(cn: &str) -> (String, String) {
        let mut params = rcgen::CertificateParams::new(vec![cn.to_owned()]).unwrap();
        params.not_before = rcgen::date_time_ymd(2024, 1, 1);
        params.not_after = rcgen::date_time_ymd(2034, 1, 1);
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    #[test]
    fn pem_der_and_base64_give_the_same_certificate() {
        let (pem, _) = test_cert_pem("a");
        let c = parse_certificate(pem.as_bytes()).unwrap();
        assert_eq!(c.not_before.year(), 2024);
        assert_eq!(c.not_after.year(), 2034);
        assert_eq!(c.x5t_sha256, sigil_crypto::sha256(&c.der));
        assert_eq!(parse_certificate(&c.der).unwrap(), c);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&c.der);
        assert_eq!(parse_certificate(b64.as_bytes()).unwrap(), c);
        assert_eq!(parse_certificate(to_pem(&c.der).as_bytes()).unwrap(), c);
    }

    #[test]
    fn private_keys_and_junk_are_refused_with_a_reason() {
        let (pem, key) = test_cert_pem("a");
        let e = parse_certificate(key.as_bytes()).unwrap_err();
        assert!(e.contains("private key"), "{e}");
        let e = parse_certificate(format!("{pem}{key}").as_bytes()).unwrap_err();
        assert!(e.contains("private key"), "{e}");
        let e = parse_certificate(format!("{pem}{pem}").as_bytes()).unwrap_err();
        assert!(e.contains("one certificate"), "{e}");
        assert!(parse_certificate(b"hello world!").is_err());
        assert!(parse_certificate(b"").is_err());
        assert!(parse_certificate(&[0x30, 0x03, 1, 2, 3]).is_err());
    }
}
