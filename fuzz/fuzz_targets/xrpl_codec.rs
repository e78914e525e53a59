//! Any bytes as an XRPL binary transaction (what arrives in xrpl-signed and
//! xrpl-sign-request payloads): decode never panics, and whatever decodes re-encodes to
//! exactly the same bytes (the codec refuses non-canonical input).
#![no_main]
use airsign::chain::xrpl::codec;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(json) = codec::decode(data) {
        let again = codec::encode(&json).expect("what decodes must encode");
        assert_eq!(again, data, "{json}");
    }
});
