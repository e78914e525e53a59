//! Any text pushed into a UR decoder: no panic, no unbounded allocation, and a message is
//! only ever delivered with a matching CRC. Lines after the first go to the same decoder, so
//! the fuzzer can build multi-part transfers.
#![no_main]
use airsign::transport::UrDecoder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut decoder = UrDecoder::new(None).with_max_message_len(1 << 16);
    for line in text.lines() {
        let _ = decoder.receive(line);
        let p = decoder.progress();
        assert!(p.fragments_resolved <= p.fragments_total);
        assert!((0.0..=1.0).contains(&p.estimated_fraction));
        if let Some(m) = decoder.message() {
            if let Some(id) = decoder.transfer_id() {
                assert_eq!(crc32fast::hash(m), id.checksum);
                assert_eq!(m.len(), id.message_len as usize);
            }
        }
    }
});
