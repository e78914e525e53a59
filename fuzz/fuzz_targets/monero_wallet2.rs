//! Any bytes as a wallet2 plaintext (outputs export, key images, unsigned and signed tx
//! sets): an error, or a structure that writes back to exactly the input; never a panic or
//! an allocation the input cannot pay for.
#![no_main]
use airsign::chain::monero::{outputs, sign, txset};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, plain)) = data.split_first() else { return };
    match selector % 4 {
        0 => {
            if let Ok(e) = outputs::parse_outputs_export(plain) {
                assert_eq!(outputs::write_outputs_export(&e), plain);
            }
        }
        1 => {
            let _ = outputs::parse_key_images(plain);
        }
        2 => {
            if let Ok(s) = txset::parse_unsigned(plain) {
                assert_eq!(txset::write_unsigned(&s), plain);
            }
        }
        _ => {
            if let Ok(s) = txset::parse_signed(plain, sign::read_transaction) {
                assert_eq!(txset::write_signed(&s), plain);
            }
        }
    }
});
