//! Just enough DER to pull a SubjectPublicKeyInfo out of an X.509 certificate and to tell
//! which kind of key an SPKI holds. Written by hand because we only walk tag/length headers
//! (no semantic certificate parsing: validation is `sigil-pki`'s job) and a full ASN.1 crate
//! would be a large new dependency for two functions.

use crate::Error;

const SEQUENCE: u8 = 0x30;
const BIT_STRING: u8 = 0x03;
const OID: u8 = 0x06;
const INTEGER: u8 = 0x02;

pub(crate) const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
pub(crate) const OID_EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
pub(crate) const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
pub(crate) const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
pub(crate) const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];

/// One TLV: (tag, contents, whole encoding, rest of input).
type Tlv<'a> = (u8, &'a [u8], &'a [u8], &'a [u8]);
/// (contents, whole encoding, rest of input).
type Expected<'a> = (&'a [u8], &'a [u8], &'a [u8]);

fn tlv(input: &[u8]) -> Result<Tlv<'_>, Error> {
    let bad = Error::MalformedKey("bad DER");
    let (&tag, rest) = input.split_first().ok_or(bad.clone())?;
    let (&first, mut rest) = rest.split_first().ok_or(bad.clone())?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return Err(bad);
        }
        let mut len = 0usize;
        for &b in &rest[..n] {
            len = (len << 8) | usize::from(b);
        }
        // DER: long form only when needed, no leading zero octets.
        if len < 0x80 || rest[0] == 0 {
            return Err(bad);
        }
        rest = &rest[n..];
        len
    };
    if rest.len() < len {
        return Err(bad);
    }
    let header_len = input.len() - rest.len();
    Ok((tag, &rest[..len], &input[..header_len + len], &rest[len..]))
}

fn expect(input: &[u8], want: u8) -> Result<Expected<'_>, Error> {
    let (tag, contents, whole, rest) = tlv(input)?;
    if tag != want {
        return Err(Error::MalformedKey("unexpected DER tag"));
    }
    Ok((contents, whole, rest))
}

/// The SPKI (whole TLV) inside a DER X.509 certificate.
pub(crate) fn spki_from_certificate(cert: &[u8]) -> Result<&[u8], Error> {
    let (cert_body, _, trailing) = expect(cert, SEQUENCE)?;
    if !trailing.is_empty() {
        return Err(Error::MalformedKey("trailing data after certificate"));
    }
    let (tbs, _, _) = expect(cert_body, SEQUENCE)?;
    let mut rest = tbs;
    // Optional [0] EXPLICIT version.
    if rest.first() == Some(&0xa0) {
        rest = tlv(rest)?.3;
    }
    // serialNumber, signature, issuer, validity, subject.
    rest = expect(rest, INTEGER)?.2;
    for _ in 0..4 {
        rest = expect(rest, SEQUENCE)?.2;
    }
    Ok(expect(rest, SEQUENCE)?.1)
}

/// What an SPKI holds: algorithm OID, optional parameter OID, and the subjectPublicKey bits.
pub(crate) struct Spki<'a> {
    pub(crate) alg: &'a [u8],
    pub(crate) param: Option<&'a [u8]>,
    pub(crate) key: &'a [u8],
}

pub(crate) fn parse_spki(spki: &[u8]) -> Result<Spki<'_>, Error> {
    let (body, _, trailing) = expect(spki, SEQUENCE)?;
    if !trailing.is_empty() {
        return Err(Error::MalformedKey("trailing data after SPKI"));
    }
    let (alg_id, _, rest) = expect(body, SEQUENCE)?;
    let (alg, _, params) = expect(alg_id, OID)?;
    let param = match tlv(params) {
        Ok((OID, p, _, _)) => Some(p),
        _ => None,
    };
    let (bits, _, trailing) = expect(rest, BIT_STRING)?;
    if !trailing.is_empty() {
        return Err(Error::MalformedKey("trailing data in SPKI"));
    }
    let (&unused, key) = bits
        .split_first()
        .ok_or(Error::MalformedKey("empty BIT STRING"))?;
    if unused != 0 {
        return Err(Error::MalformedKey("SPKI key has unused bits"));
    }
    Ok(Spki { alg, param, key })
}

/// `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }` → (n, e).
pub(crate) fn parse_rsa_public_key(der: &[u8]) -> Result<(&[u8], &[u8]), Error> {
    let (body, _, trailing) = expect(der, SEQUENCE)?;
    if !trailing.is_empty() {
        return Err(Error::MalformedKey("trailing data after RSA key"));
    }
    let (n, _, rest) = expect(body, INTEGER)?;
    let (e, _, rest) = expect(rest, INTEGER)?;
    if !rest.is_empty() {
        return Err(Error::MalformedKey("extra fields in RSA key"));
    }
    Ok((n, e))
}

/// DER `RSAPublicKey` for (n, e), both big-endian without leading zeros.
pub(crate) fn encode_rsa_public_key(n: &[u8], e: &[u8]) -> Vec<u8> {
    fn push_len(out: &mut Vec<u8>, len: usize) {
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes = len.to_be_bytes();
            let skip = bytes
                .iter()
                .position(|&b| b != 0)
                .unwrap_or(bytes.len() - 1);
            out.push(0x80 | (bytes.len() - skip) as u8);
            out.extend_from_slice(&bytes[skip..]);
        }
    }
    fn push_int(out: &mut Vec<u8>, v: &[u8]) {
        out.push(INTEGER);
        let pad = v.first().is_none_or(|b| b & 0x80 != 0);
        push_len(out, v.len() + usize::from(pad));
        if pad {
            out.push(0);
        }
        out.extend_from_slice(v);
    }
    let mut body = Vec::with_capacity(n.len() + e.len() + 16);
    push_int(&mut body, n);
    push_int(&mut body, e);
    let mut out = Vec::with_capacity(body.len() + 6);
    out.push(SEQUENCE);
    push_len(&mut out, body.len());
    out.extend_from_slice(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_truncated_and_non_minimal_lengths() {
        assert!(tlv(&[0x30]).is_err());
        assert!(tlv(&[0x30, 0x05, 0x00]).is_err());
        assert!(
            tlv(&[0x30, 0x81, 0x05, 0, 0, 0, 0, 0]).is_err(),
            "long form for a short length"
        );
        let (tag, c, _, rest) = tlv(&[0x02, 0x01, 0x07, 0xff]).unwrap();
        assert_eq!((tag, c, rest), (0x02, &[7u8][..], &[0xffu8][..]));
    }
}
