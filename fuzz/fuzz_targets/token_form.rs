//! Arbitrary bytes as a token-endpoint request, decoded exactly as the IdP server does
//! (`serde_urlencoded` form pairs, then `TokenRequest::decode`). The first line, when the input
//! has one, is the `Authorization` header value; the rest is the body. Never panics, and an
//! accepted request names a client and came from a form with exactly one `grant_type`.
#![no_main]

use sigil_idp::TokenRequest;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (authorization, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (std::str::from_utf8(&data[..i]).ok(), &data[i + 1..]),
        None => (None, data),
    };
    let Ok(form) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(body) else {
        return;
    };
    if let Ok(request) = TokenRequest::decode(&form, authorization) {
        let grant_types = form.iter().filter(|(k, _)| k == "grant_type").count();
        assert_eq!(
            grant_types, 1,
            "accepted a request without exactly one grant_type"
        );
        let again = TokenRequest::decode(&form, authorization);
        assert_eq!(
            again.as_ref().ok(),
            Some(&request),
            "decoding is not deterministic"
        );
    }
});
