//! Property tests: encoding round trips, tampering, duplicate members, confusion.

use proptest::prelude::*;
use sigil_jose::base64url::{decode, encode};
use sigil_jose::{KeyKind, ValidationError};

use crate::common::*;

fn token() -> (sigil_jose::Signer, String) {
    let s = signer(KeyKind::P256);
    let t = s.sign_claims(&access_claims()).unwrap();
    (s, t)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn base64url_round_trips_and_is_canonical(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        let e = encode(&data);
        prop_assert_eq!(decode(&e).unwrap(), data);
        prop_assert!(!e.contains('=') && !e.contains('+') && !e.contains('/'));
        // Exactly one accepted encoding: any other string decoding to the same bytes fails.
        let padded = format!("{e}{}", "=".repeat((4 - e.len() % 4) % 4));
        if padded != e { prop_assert!(decode(&padded).is_err()); }
    }

    #[test]
    fn any_single_byte_change_is_rejected(pos in any::<prop::sample::Index>(), b in any::<u8>()) {
        let (s, t) = token();
        let v = default_validator(&s);
        let mut bytes = t.clone().into_bytes();
        let i = pos.index(bytes.len());
        prop_assume!(bytes[i] != b);
        bytes[i] = b;
        if let Ok(tampered) = String::from_utf8(bytes) {
            prop_assert!(v.validate(&tampered, now()).is_err());
        }
    }

    #[test]
    fn duplicate_member_anywhere_rejected(name in "[a-z]{1,8}", depth in 0usize..3) {
        let s = signer(KeyKind::Ed25519);
        let mut inner = format!(r#"{{"{name}":1,"{name}":2}}"#);
        for _ in 0..depth { inner = format!(r#"{{"n":{inner}}}"#); }
        let mut claims = access_claims().to_string();
        claims.insert_str(1, &format!(r#""zz_dup":{inner},"#));
        let t = s.sign_payload(claims.as_bytes()).unwrap();
        prop_assert_eq!(
            default_validator(&s).validate(&t, now()).unwrap_err(),
            ValidationError::Malformed(sigil_jose::Malformed::DuplicateMember)
        );
    }

    #[test]
    fn header_alg_swaps_never_verify(alg in prop::sample::select(vec!["RS256","RS384","PS256","ES384","EdDSA","HS256","HS384","HS512","none","NONE","nOnE",""])) {
        let (s, t) = token();
        let v = validator(options().algorithms(&sigil_jose::Algorithm::ALL), &[&s]);
        let parts: Vec<&str> = t.split('.').collect();
        let h = encode(format!(r#"{{"typ":"JWT","alg":"{alg}","kid":"{}"}}"#, s.kid()).as_bytes());
        let forged = format!("{h}.{}.{}", parts[1], parts[2]);
        prop_assert!(v.validate(&forged, now()).is_err());
    }
}
