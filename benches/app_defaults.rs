//! Chooses the QR player's defaults (fragment size, frame rate) by measurement: how long the
//! typical payloads take to scan through the virtual camera when the code has a fixed size
//! on the other laptop's screen, so a bigger fragment means a denser code with smaller
//! modules. Prints a table; `cargo bench --bench app_defaults`.
//!
//! Model: the code (quiet zone included) spans 400 px of a 1280x720 camera frame (a laptop
//! screen at arm's length) or 280 px (farther); blur 1.0 px or the combined degradation;
//! 10% of frames lost (autofocus, motion).

use airsign::transport::demo::{run_transfer, TransferConfig};
use airsign::transport::{qr, Degradation, EcLevel, UrEncoder};

fn module_px(bytes: usize, fragment: usize, code_px: f32) -> (i16, f32) {
    let message = airsign::envelope::wrap_bytes(&vec![0xa5u8; bytes]);
    let mut enc = UrEncoder::new("bytes", &message, fragment).unwrap();
    let symbol = qr::symbol(&enc.next_part(), EcLevel::L).unwrap();
    let modules = 17.0 + 4.0 * symbol.version as f32;
    (symbol.version, code_px / (modules + 8.0))
}

fn main() {
    // Sizes of the typical payloads (UR message bytes): an XRPL signed batch of 10
    // payments, a Monero unsigned 2-input set, key images for 100 outputs (docs/monero.md).
    let payloads = [("XRPL signed batch of 10", 2_700usize), ("Monero unsigned 2-input set", 3_654), ("Monero key images, 100 outputs", 9_767)];
    let conditions = [
        ("blur 1.0, code 400 px", "blur", 400.0f32, 8.0f64),
        ("blur 1.0, code 400 px", "blur", 400.0, 10.0),
        ("combined (blur, noise, low contrast, tilt), code 400 px", "combined", 400.0, 8.0),
        ("blur 1.0, code 280 px (farther away)", "blur", 280.0, 8.0),
    ];
    for (label, named, code_px, fps) in conditions {
        let degradation = Degradation { drop_rate: 0.1, ..Degradation::named(named).unwrap() };
        println!("\n{label}, {fps} fps, 10% frames lost: mean seconds to complete over 5 seeds (failures in brackets)");
        print!("{:<32}", "fragment bytes ->");
        let fragments = [100usize, 150, 200, 300, 400, 600, 800];
        for f in fragments {
            print!("{f:>11}");
        }
        println!();
        for (name, bytes) in payloads {
            print!("{name:<32}");
            for fragment in fragments {
                let (version, px) = module_px(bytes, fragment, code_px);
                let mut total = 0.0;
                let mut failed = 0;
                for seed in 1..=5 {
                    let cfg = TransferConfig { bytes, max_fragment_len: fragment, module_px: px, degradation, fps, seed, ..TransferConfig::default() };
                    match run_transfer(&cfg) {
                        Ok(r) if r.complete => total += r.seconds,
                        _ => failed += 1,
                    }
                }
                let ok = 5 - failed;
                let cell = if ok == 0 { "fail".to_owned() } else { format!("{:.1}", total / ok as f64) };
                let cell = if failed > 0 { format!("{cell}[{failed}]") } else { cell };
                print!("{:>11}", format!("{cell} v{version}"));
            }
            println!();
        }
    }
}
