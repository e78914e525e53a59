//! Any bytes as any UR type's payload: an error or a payload that re-encodes to exactly
//! the input (deterministic CBOR), never a panic.
#![no_main]
use airsign::envelope::{self, UrType};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, cbor)) = data.split_first() else { return };
    let ur_type = UrType::ALL[selector as usize % UrType::ALL.len()];
    if let Ok(payload) = envelope::decode(ur_type.name(), cbor) {
        assert_eq!(payload.to_cbor(), cbor);
    }
});
