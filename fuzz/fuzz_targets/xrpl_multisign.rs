//! Any bytes as an `xrpl-multisign-request` on a member's machine, and as a member's
//! `xrpl-multisign-signature` on the online side: whatever decodes is checked, bounded and
//! reviewed (or refused) without a panic; a review that succeeds names the member's weight
//! and the quorum, and the collector never combines below the quorum.
#![no_main]
use airsign::chain::xrpl::keys::Seed;
use airsign::envelope::xrpl::{Versioned, XrplMultisignRequestPayload, XrplMultisignSignaturePayload};
use airsign::signer::journal::Journal;
use airsign::signer::xrpl::multisig::{prepare_multisign, MultisignCollector};
use airsign::signer::xrpl::{SignerList, XrplAccount};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn journal() -> &'static std::sync::Mutex<Journal> {
    static J: OnceLock<std::sync::Mutex<Journal>> = OnceLock::new();
    J.get_or_init(|| {
        let p = std::env::temp_dir().join(format!("airsign-fuzz-multisign-{}", std::process::id()));
        let _ = std::fs::remove_file(&p);
        std::sync::Mutex::new(Journal::open(&p).expect("journal"))
    })
}

fuzz_target!(|data: &[u8]| {
    let member = XrplAccount::new(&Seed::parse("shYHSiJod8CLPTj1SNJ2PdUFj4pFk", None).unwrap().key_pair());
    if let Ok(req) = XrplMultisignRequestPayload::from_cbor(data) {
        let j = journal().lock().unwrap();
        if let Ok(p) = prepare_multisign(&member, &req, false, &j, 1_800_000_000) {
            assert!(p.multisign.weight > 0 && p.multisign.quorum > 0);
            let _ = p.review.to_text();
        }
        if let Ok(mut c) = MultisignCollector::new(req.clone(), SignerList::from_wire(&req.signer_list)) {
            assert!(c.combine().is_err(), "nothing combines without signatures");
            let _ = c.add(&XrplMultisignSignaturePayload { version: 1, account: req.account.clone(), signer: member.address.clone(), public_key: vec![2; 33], signatures: vec![] });
        }
    }
    if let Ok(sig) = XrplMultisignSignaturePayload::from_cbor(data) {
        let list = SignerList { quorum: 1, entries: vec![airsign::signer::xrpl::SignerEntry { account: sig.signer.clone(), weight: 1 }] };
        let req = XrplMultisignRequestPayload { version: 1, account: sig.account.clone(), transactions: vec![], ledger_index: 1, network: String::new(), signer_list: list.to_wire() };
        if let Ok(mut c) = MultisignCollector::new(req, list) {
            let _ = c.add(&sig);
        }
    }
});
