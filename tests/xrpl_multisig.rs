//! XRPL account security: members' signatures against xrpl.js's `multisign()`, the
//! member's journal and review, the online collector, and (feature `net`) the whole
//! workflow against the rippled stand-in (tests/xrpl_standin/server.js, which checks signer
//! lists, quorum and keys with xrpl.js and ripple-keypairs, not airsign): a regular key set,
//! used, removed; a 2-of-3 signer list; a multi-signed payment whose request and
//! signatures cross through the virtual camera; and what rippled refuses.

use airsign::chain::xrpl::codec;
use airsign::chain::xrpl::keys::{KeyPair, KeyType, Seed};
use airsign::envelope::xrpl::*;
use airsign::signer::journal::{Journal, JournalError};
use airsign::signer::xrpl::multisig::{self, MultisignCollector};
use airsign::signer::xrpl::{MultisigError, SignerEntry, SignerError, SignerList, XrplAccount};
use serde_json::{json, Value};

fn fixture() -> Value {
    serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/xrpl/signing.json")).unwrap()).unwrap()
}

fn journal(tag: &str) -> Journal {
    let path = std::env::temp_dir().join(format!("airsign-multisig-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    Journal::open(&path).unwrap()
}

fn list_of(quorum: u32, members: &[&KeyPair]) -> SignerList {
    SignerList { quorum, entries: members.iter().map(|k| SignerEntry { account: k.address(), weight: 1 }).collect() }
}

fn request(account: &str, tx: &Value, ledger_index: u32, list: &SignerList) -> XrplMultisignRequestPayload {
    XrplMultisignRequestPayload {
        version: VERSION,
        account: account.into(),
        transactions: vec![codec::encode(tx).unwrap().into()],
        ledger_index,
        network: "testnet".into(),
        signer_list: list.to_wire(),
    }
}

fn member_sign(keys: &KeyPair, req: &XrplMultisignRequestPayload, j: &mut Journal) -> XrplMultisignSignaturePayload {
    let mut member = XrplAccount::new(keys);
    let prepared = multisig::prepare_multisign(&member, req, false, j, 1_000).unwrap();
    multisig::sign_multisign(&mut member, keys, &prepared, j, 1_000).unwrap()
}

/// Three members on three machines sign xrpl.js's vectors; the online side combines what
/// they send: the blob is byte for byte what `xrpl.multisign()` made of xrpl.js's own
/// `wallet.sign(tx, true)` outputs.
#[test]
fn members_signatures_combine_to_xrpl_js_multisign() {
    let f = fixture();
    for v in f["multi"].as_array().unwrap() {
        let signers: Vec<KeyPair> = v["signer_seeds"].as_array().unwrap().iter().map(|s| Seed::parse(s.as_str().unwrap(), None).unwrap().key_pair()).collect();
        let list = list_of(3, &signers.iter().collect::<Vec<_>>());
        let tx = &v["tx_json"];
        let req = request(tx["Account"].as_str().unwrap(), tx, tx["LastLedgerSequence"].as_u64().unwrap() as u32 - 100, &list);
        let mut collector = MultisignCollector::new(req.clone(), list.clone()).unwrap();
        // In an order of their own: the combination sorts the Signers.
        for k in signers.iter().rev() {
            let sig = member_sign(k, &req, &mut journal(&format!("vec-{}", k.address())));
            let sig = XrplMultisignSignaturePayload::from_cbor(&sig.to_cbor()).unwrap();
            assert!(collector.add(&sig).unwrap());
        }
        assert_eq!((collector.weight(), collector.quorum_met()), (3, true));
        let combined = collector.combine().unwrap();
        assert_eq!(combined[0].tx_blob, v["combined_blob"].as_str().unwrap());
        assert_eq!(combined[0].hash, v["hash"].as_str().unwrap());
    }
}

#[test]
fn the_review_names_the_account_the_member_and_the_quorum() {
    let f = fixture();
    let v = &f["multi"][0];
    let signers: Vec<KeyPair> = v["signer_seeds"].as_array().unwrap().iter().map(|s| Seed::parse(s.as_str().unwrap(), None).unwrap().key_pair()).collect();
    let list = list_of(2, &signers.iter().collect::<Vec<_>>());
    let tx = &v["tx_json"];
    let account = tx["Account"].as_str().unwrap();
    let req = request(account, tx, 850, &list);
    let member = XrplAccount::new(&signers[1]);
    let p = multisig::prepare_multisign(&member, &req, false, &journal("review"), 1_000).unwrap();
    assert_eq!((p.multisign.weight, p.multisign.quorum), (1, 2));
    let text = p.review.to_text();
    assert!(text.contains(&format!("you sign as {} (weight 1 of quorum 2) for the multi-signed account {account}", signers[1].address())), "{text}");
    assert!(text.contains("2-of-3: any 2 of"), "{text}");
    assert!(text.contains("pays 5 XRP to"), "{text}");
    assert!(text.contains("first request from"), "{text}");
}

#[test]
fn a_member_signs_a_sequence_once_unless_it_replaces() {
    let f = fixture();
    let v = &f["multi"][0];
    let keys = Seed::parse(v["signer_seeds"][0].as_str().unwrap(), None).unwrap().key_pair();
    let other = Seed::parse(v["signer_seeds"][1].as_str().unwrap(), None).unwrap().key_pair();
    let list = list_of(2, &[&keys, &other]);
    let tx = v["tx_json"].clone();
    let account = tx["Account"].as_str().unwrap().to_owned();
    let mut j = journal("once");
    let mut member = XrplAccount::new(&keys);
    let req = request(&account, &tx, 850, &list);
    let p = multisig::prepare_multisign(&member, &req, false, &j, 1_000).unwrap();
    multisig::sign_multisign(&mut member, &keys, &p, &mut j, 1_000).unwrap();
    assert_eq!(member.memberships.len(), 1);
    // The same transaction again: the same signature, no conflict.
    let again = multisig::prepare_multisign(&member, &req, false, &j, 1_001).unwrap();
    multisig::sign_multisign(&mut member, &keys, &again, &mut j, 1_001).unwrap();
    // Another transaction for the same Sequence: refused...
    let mut changed = tx.clone();
    changed["Amount"] = json!("9000000");
    let req2 = request(&account, &changed, 851, &list);
    let p2 = multisig::prepare_multisign(&member, &req2, false, &j, 1_002).unwrap();
    assert!(matches!(multisig::sign_multisign(&mut member, &keys, &p2, &mut j, 1_002), Err(SignerError::Journal(JournalError::AlreadySigned { .. }))));
    // ...unless replaced explicitly; a replacement of what was never signed is refused.
    let p3 = multisig::prepare_multisign(&member, &req2, true, &j, 1_003).unwrap();
    multisig::sign_multisign(&mut member, &keys, &p3, &mut j, 1_003).unwrap();
    let mut fresh = tx.clone();
    fresh["Sequence"] = json!(99);
    assert!(multisig::prepare_multisign(&member, &request(&account, &fresh, 852, &list), true, &j, 1_004).is_err());
}

#[test]
fn the_collector_checks_every_signature_and_counts_the_weight() {
    let f = fixture();
    let v = &f["multi"][1];
    let signers: Vec<KeyPair> = v["signer_seeds"].as_array().unwrap().iter().map(|s| Seed::parse(s.as_str().unwrap(), None).unwrap().key_pair()).collect();
    let list = list_of(2, &signers.iter().collect::<Vec<_>>());
    let tx = &v["tx_json"];
    let req = request(tx["Account"].as_str().unwrap(), tx, 850, &list);
    let mut collector = MultisignCollector::new(req.clone(), list.clone()).unwrap();
    let first = member_sign(&signers[0], &req, &mut journal("c0"));
    assert!(collector.add(&first).unwrap());
    assert!(!collector.add(&first).unwrap(), "the same member scanned twice counts once");
    assert!(matches!(collector.combine(), Err(SignerError::Multisig(MultisigError::QuorumNotMet { weight: 1, quorum: 2 }))));

    // Someone not on the list.
    let outsider = Seed::random(KeyType::Secp256k1).unwrap().key_pair();
    let mut with_outsider = list.clone();
    with_outsider.entries.push(SignerEntry { account: outsider.address(), weight: 1 });
    let foreign = member_sign(&outsider, &request(tx["Account"].as_str().unwrap(), tx, 850, &with_outsider), &mut journal("c1"));
    assert!(matches!(collector.add(&foreign), Err(MultisigError::NotAMember { .. })));

    // A tampered signature, a signature under another member's name, another account.
    let mut second = member_sign(&signers[1], &req, &mut journal("c2"));
    let mut tampered = second.clone();
    let last = tampered.signatures[0].signature.len() - 1;
    tampered.signatures[0].signature[last] ^= 1;
    assert!(matches!(collector.add(&tampered), Err(MultisigError::BadSignature { .. })));
    let mut impostor = first.clone();
    impostor.signer = signers[1].address();
    assert!(matches!(collector.add(&impostor), Err(MultisigError::NotMasterKey { .. })));
    let mut elsewhere = second.clone();
    elsewhere.account = signers[2].address();
    assert!(matches!(collector.add(&elsewhere), Err(MultisigError::OtherAccount { .. })));
    second.signatures[0].request_digest[0] ^= 1;
    assert!(matches!(collector.add(&second), Err(MultisigError::Incomplete { .. })));

    let third = member_sign(&signers[2], &req, &mut journal("c3"));
    assert!(collector.add(&third).unwrap());
    assert_eq!(collector.signers().len(), 2);
    let combined = collector.combine().unwrap();
    assert!(matches!(airsign::chain::xrpl::sign::verify_blob(&hex::decode(&combined[0].tx_blob).unwrap()).unwrap(), airsign::chain::xrpl::sign::Verification::MultiValid { .. }));
}

#[cfg(feature = "net")]
mod common;

#[cfg(feature = "net")]
mod against_the_standin {
    use super::*;
    use airsign::signer::xrpl::{self as offline, Template};
    use airsign::transport::{qr, Degradation, FrameSource, QrEngine, Scene, UrDecoder, UrEncoder, VirtualCamera};
    use airsign::wallet::xrpl::{self as online, HttpTransport, RippledClient, SubmissionStore};
    use std::time::Duration;
    use super::common;

    /// A payload through the virtual camera (a screen filmed with blur, noise, tilt, drops).
    fn film(ur_type: &str, cbor: &[u8], seed: u64) -> Vec<u8> {
        let mut enc = UrEncoder::new(ur_type, cbor, 200).unwrap();
        let parts = enc.parts(3 * enc.seq_len() + 3);
        let mut dec = UrDecoder::new(Some(ur_type));
        let d = Degradation { drop_rate: 0.2, ..Degradation::named("combined").unwrap() };
        let mut cam = VirtualCamera::new(parts.into_iter(), Scene::default(), d, seed);
        while let Some(frame) = cam.next_frame().unwrap() {
            for text in qr::decode(&frame.image, QrEngine::Rxing) {
                dec.receive(&text).unwrap();
            }
            if dec.is_complete() {
                break;
            }
        }
        dec.message().expect("the transfer completes").to_vec()
    }

    fn submit_and_wait(client: &RippledClient<HttpTransport>, store: &SubmissionStore, account: &str, blob: &[u8]) -> String {
        let tx = codec::decode(blob).unwrap();
        let entry = SignedEntry {
            blob: blob.to_vec(),
            hash: hex::decode(airsign::chain::xrpl::sign::transaction_hash(blob)).unwrap(),
            sequence: tx["Sequence"].as_u64().unwrap() as u32,
            last_ledger_sequence: tx["LastLedgerSequence"].as_u64().unwrap() as u32,
        };
        store.add(account, &[entry]).unwrap();
        let out = online::submit_pending(client, store, account, Duration::from_millis(100), Duration::from_secs(30)).unwrap();
        let hash = airsign::chain::xrpl::sign::transaction_hash(blob);
        let s = out.iter().find(|s| s.hash == hash).unwrap();
        format!("{} {}", s.status, s.result)
    }

    fn sync(client: &RippledClient<HttpTransport>, store: &SubmissionStore, account: &mut XrplAccount, j: &mut Journal) {
        let state = online::state_report(client, store, &account.address).unwrap();
        let state = XrplStatePayload::from_cbor(&state.to_cbor()).unwrap();
        offline::reconcile(account, &offline::report_of(&state), j).unwrap();
    }

    fn pay(drops: u64) -> Template {
        Template::Payment { destination: "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn".into(), amount: json!(drops.to_string()), send_max: None, destination_tag: None, memos: vec![] }
    }

    /// A transaction of `account` signed by `signers` (sign_for + combine from the codec
    /// layer, bypassing the collector's checks), for what rippled must refuse itself.
    fn forced_multisign(account: &XrplAccount, sequence: u32, fee: &str, signers: &[&KeyPair]) -> Vec<u8> {
        let tx = json!({"TransactionType": "Payment", "Account": account.address, "Destination": "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn", "Amount": "1000",
            "Fee": fee, "Sequence": sequence, "Flags": 0, "LastLedgerSequence": account.ledger_index + 200, "SigningPubKey": ""});
        let parts: Vec<Value> = signers
            .iter()
            .map(|k| {
                let mut t = airsign::chain::xrpl::sign::sign_for(&tx, k, &k.account_id()).unwrap().tx_json;
                t.as_object_mut().unwrap().remove("hash");
                t
            })
            .collect();
        hex::decode(airsign::chain::xrpl::sign::combine(&parts).unwrap().tx_blob).unwrap()
    }

    #[test]
    fn regular_key_signer_list_and_multisigning_against_the_standin() {
        let dir = std::env::temp_dir().join(format!("airsign-multisig-standin-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let master = Seed::random(KeyType::Secp256k1).unwrap().key_pair();
        let members: Vec<KeyPair> = (0..3).map(|_| Seed::random(KeyType::Secp256k1).unwrap().key_pair()).collect();
        let standin = common::start_standin(
            &json!({"accounts": {master.address(): {"balance": "1000000000", "sequence": 50}, "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn": {"balance": "50000000", "sequence": 1}}, "ledger_index": 995}),
            &dir,
        );
        let client = RippledClient::new(HttpTransport::new(&standin.url));
        let store = SubmissionStore::open(&dir.join("online.sqlite")).unwrap();
        let mut acct = XrplAccount::new(&master);
        let mut j = Journal::open(&dir.join("journal")).unwrap();
        sync(&client, &store, &mut acct, &mut j);
        assert_eq!((acct.next_sequence, acct.regular_key.clone(), acct.master_disabled), (50, None, false));

        // --- a regular key: set by the master, then it signs; the master still can.
        let regular = Seed::random(KeyType::Secp256k1).unwrap().key_pair();
        let set = offline::sign_batch(&mut acct, &master, &[Template::SetRegularKey { regular_key: Some(regular.address()) }], &mut j, false).unwrap();
        assert_eq!(submit_and_wait(&client, &store, &master.address(), &set[0].blob), "final tesSUCCESS");
        // Before the ledger's word reaches the offline side, the new key is refused.
        assert!(matches!(offline::sign_batch(&mut acct, &regular, &[pay(1)], &mut j, false), Err(SignerError::WrongKey { .. })));
        sync(&client, &store, &mut acct, &mut j);
        assert_eq!(acct.regular_key.as_deref(), Some(regular.address().as_str()));
        let paid = offline::sign_batch(&mut acct, &regular, &[pay(1_000)], &mut j, false).unwrap();
        assert_eq!(submit_and_wait(&client, &store, &master.address(), &paid[0].blob), "final tesSUCCESS");

        // --- removed (signed by the regular key itself): the ledger then refuses it.
        let removal = offline::sign_batch(&mut acct, &regular, &[Template::SetRegularKey { regular_key: None }], &mut j, false).unwrap();
        assert_eq!(submit_and_wait(&client, &store, &master.address(), &removal[0].blob), "final tesSUCCESS");
        sync(&client, &store, &mut acct, &mut j);
        assert_eq!(acct.regular_key, None);
        assert!(matches!(offline::sign_batch(&mut acct, &regular, &[pay(1)], &mut j, false), Err(SignerError::WrongKey { .. })));
        let p = offline::prepare_batch(&acct, &[pay(1)]).unwrap();
        // (Signed with a throwaway journal: this one is meant to fail.)
        let stale = offline::sign_reviewed_unchecked(&mut acct.clone(), &regular, &p, &mut Journal::open(&dir.join("scratch1")).unwrap()).unwrap();
        assert_eq!(submit_and_wait(&client, &store, &master.address(), &stale[0].blob), "failed tefBAD_AUTH");

        // --- disabling the master key is refused while nothing else could sign.
        let disable = Template::AccountSet { set_flag: Some("asfDisableMaster".into()), clear_flag: None, transfer_rate: None, domain: None };
        assert!(matches!(offline::prepare_batch(&acct, std::slice::from_ref(&disable)), Err(SignerError::Multisig(MultisigError::KeyChange(_)))));

        // --- a 2-of-3 signer list from the members' xrpl-account codes.
        let entries: Vec<(String, u16)> = members.iter().map(|k| (k.address(), 1)).collect();
        let listset = offline::sign_batch(&mut acct, &master, &[Template::SignerListSet { quorum: 2, signers: entries }], &mut j, false).unwrap();
        assert_eq!(submit_and_wait(&client, &store, &master.address(), &listset[0].blob), "final tesSUCCESS");
        sync(&client, &store, &mut acct, &mut j);
        let list = acct.signer_list.clone().expect("the ledger reports the list");
        assert_eq!((list.quorum, list.entries.len()), (2, 3));

        // --- a multi-signed payment: the request goes to each member's machine through the
        // virtual camera, two members sign, their signatures come back the same way.
        let req = online::prepare_multisign(&client, &store, &master.address(), &[pay(2_000_000)], "stand-in", 1000).unwrap();
        let tx = codec::decode(&req.transactions[0]).unwrap();
        assert_eq!(tx["Fee"], json!("40"), "base fee 10 x (1 + 3 listed signers)");
        let mut collector = MultisignCollector::new(req.clone(), list.clone()).unwrap();
        for (i, k) in [&members[2], &members[0]].into_iter().enumerate() {
            let seen = XrplMultisignRequestPayload::from_cbor(&film("xrpl-multisign-request", &req.to_cbor(), 21 + i as u64)).unwrap();
            let mut mj = Journal::open(&dir.join(format!("member{i}.journal"))).unwrap();
            let sig = member_sign(k, &seen, &mut mj);
            let back = XrplMultisignSignaturePayload::from_cbor(&film("xrpl-multisign-signature", &sig.to_cbor(), 31 + i as u64)).unwrap();
            assert!(collector.add(&back).unwrap());
        }
        let combined = collector.combine().unwrap();
        let blob = hex::decode(&combined[0].tx_blob).unwrap();
        assert_eq!(submit_and_wait(&client, &store, &master.address(), &blob), "final tesSUCCESS");
        assert_eq!(client.account_info("rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn", true).unwrap().balance_drops, 50_000_000 + 1_000 + 2_000_000);
        sync(&client, &store, &mut acct, &mut j);

        // --- what rippled refuses: 1 of 3 (quorum), a non-member, too small a fee.
        let seq = acct.next_sequence;
        let one = forced_multisign(&acct, seq, "40", &[&members[0]]);
        assert_eq!(client.submit(&one).unwrap(), "tefBAD_QUORUM");
        let outsider = Seed::random(KeyType::Secp256k1).unwrap().key_pair();
        let foreign = forced_multisign(&acct, seq, "40", &[&members[0], &outsider]);
        assert_eq!(client.submit(&foreign).unwrap(), "tefBAD_SIGNATURE");
        let cheap = forced_multisign(&acct, seq, "20", &[&members[0], &members[1]]);
        assert_eq!(client.submit(&cheap).unwrap(), "telINSUF_FEE_P", "2 signatures need 10 x 3 drops");

        // --- with a signer list in force, the master key can be disabled; then it is refused
        // by the ledger and, once reported, by the offline side too.
        let off = offline::sign_batch(&mut acct, &master, &[disable], &mut j, false).unwrap();
        assert_eq!(submit_and_wait(&client, &store, &master.address(), &off[0].blob), "final tesSUCCESS");
        let p = offline::prepare_batch(&acct, &[pay(1)]).unwrap();
        let by_master = offline::sign_reviewed(&mut acct.clone(), &master, &p, &mut Journal::open(&dir.join("scratch2")).unwrap()).unwrap();
        assert_eq!(submit_and_wait(&client, &store, &master.address(), &by_master[0].blob), "failed tefMASTER_DISABLED");
        sync(&client, &store, &mut acct, &mut j);
        assert!(acct.master_disabled);
        assert!(matches!(offline::sign_batch(&mut acct, &master, &[pay(1)], &mut j, false), Err(SignerError::MasterDisabled(_))));
        // Deleting the list now would leave nothing to sign with: refused offline.
        assert!(matches!(offline::prepare_batch(&acct, &[Template::SignerListSet { quorum: 0, signers: vec![] }]), Err(SignerError::Multisig(MultisigError::KeyChange(_)))));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
