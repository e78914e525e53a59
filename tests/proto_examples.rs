//! Every example in proto/*.cddl decodes, with an independent diagnostic-notation parser,
//! to CBOR that airsign's envelope accepts and re-encodes byte for byte.

use airsign::envelope::{self, UrType};
use std::collections::HashSet;

fn examples() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/proto")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("cddl") {
            continue;
        }
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            if let Some(rest) = line.strip_prefix("; example ") {
                let (ty, diag) = rest.split_once(':').expect("example line is '; example TYPE: DIAG'");
                out.push((ty.trim().to_owned(), diag.trim().to_owned()));
            }
        }
    }
    out
}

#[test]
fn every_type_has_an_example_that_decodes() {
    let examples = examples();
    let covered: HashSet<&str> = examples.iter().map(|(t, _)| t.as_str()).collect();
    for t in UrType::ALL {
        assert!(covered.contains(t.name()), "no example in proto/ for {t}");
    }
    for (ty, diag) in &examples {
        let item = cbor_diag::parse_diag(diag).unwrap_or_else(|e| panic!("{ty}: bad diagnostic notation: {e}"));
        let cbor = item.to_bytes();
        let payload = envelope::decode(ty, &cbor).unwrap_or_else(|e| panic!("{ty}: {e}"));
        assert_eq!(payload.ur_type.name(), ty);
        assert_eq!(payload.to_cbor(), cbor, "{ty}: re-encoding differs");
    }
}

#[test]
fn proto_readme_lists_every_type() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/proto/README.md")).unwrap();
    for t in UrType::ALL {
        assert!(readme.contains(&format!("| `{}` |", t.name())), "proto/README.md has no row for {t}");
    }
}
