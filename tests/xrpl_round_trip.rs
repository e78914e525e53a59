//! The XRPL offline workflow end to end, against the local rippled stand-in
//! (tests/xrpl_standin/server.js, which checks blobs with xrpl.js, not airsign):
//! create the account offline -> xrpl-account -> online watch -> xrpl-state -> offline
//! signs a batch of 12 (payments and an AccountSet) -> xrpl-signed -> online submits in
//! groups of 10 -> outcomes (one transaction lost and expired) -> xrpl-state -> offline
//! reconciles and signs a replacement -> submitted -> final state reconciled.
//! Every payload crosses as UR parts; the batch crosses through the virtual camera.
#![cfg(feature = "net")]

use airsign::chain::xrpl::keys::{KeyType, Seed};
use airsign::envelope::xrpl::*;
use airsign::keystore::{KdfParams, Keystore, WalletInfo};
use airsign::signer::journal::{Entry, Journal};
use airsign::signer::xrpl::{self as offline, AccountReport, Template, XrplAccount};
use airsign::transport::{qr, Degradation, FrameSource, QrEngine, Scene, UrDecoder, UrEncoder, VirtualCamera};
use airsign::wallet::xrpl::{self as online, HttpTransport, RippledClient, RpcTransport, SubmissionStore};
use serde_json::json;
use std::time::Duration;

mod common;
use common::start_standin;

/// Carries a payload across the air gap as UR parts (through the virtual camera if asked).
fn carry(ur_type: &str, cbor: &[u8], camera: bool) -> Vec<u8> {
    let mut enc = UrEncoder::new(ur_type, cbor, 300).unwrap();
    let parts = enc.parts(3 * enc.seq_len() + 3);
    let mut dec = UrDecoder::new(Some(ur_type));
    if camera {
        let d = Degradation { drop_rate: 0.2, ..Degradation::named("combined").unwrap() };
        let mut cam = VirtualCamera::new(parts.into_iter(), Scene::default(), d, 11);
        while let Some(frame) = cam.next_frame().unwrap() {
            for text in qr::decode(&frame.image, QrEngine::Rxing) {
                dec.receive(&text).unwrap();
            }
            if dec.is_complete() {
                break;
            }
        }
    } else {
        for p in parts.iter().skip(1) {
            dec.receive(p).unwrap();
            if dec.is_complete() {
                break;
            }
        }
    }
    let message = dec.message().expect("transfer completes").to_vec();
    // The envelope accepts it as that type.
    airsign::envelope::decode(ur_type, &message).unwrap();
    message
}

fn report_of(p: &XrplStatePayload) -> AccountReport {
    AccountReport {
        account: p.account.clone(),
        sequence: p.sequence,
        ledger_index: p.ledger_index,
        balance_drops: p.balance_drops,
        fee_drops: p.fee_drops,
        outcomes: p.outcomes.iter().map(|o| (hex::encode_upper(&o.hash), o.result.clone())).collect(),
        tickets: p.tickets.clone(),
        keys: None,
    }
}

#[test]
fn offline_account_round_trip_against_the_standin() {
    let dir = std::env::temp_dir().join(format!("airsign-xrpl-rt-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    // --- offline: create the account, keep the seed only in the encrypted keystore.
    let seed = Seed::random(KeyType::Secp256k1).unwrap();
    let keys = seed.key_pair();
    let keystore = Keystore::open(&dir.join("keys")).unwrap().with_kdf(KdfParams { m_cost_kib: 1024, t_cost: 1, p_cost: 1 });
    let info = WalletInfo { name: "cold".into(), chain: "xrpl".into(), public: json!({"address": keys.address()}) };
    keystore.create(info, seed.entropy(), "correct horse battery staple").unwrap();
    let mut account = XrplAccount::new(&keys);
    // 40 stand-in ledgers (12 s): the lost transaction still expires within the test, and
    // a loaded machine (the camera step slowed by a benchmark beside it) is not mistaken
    // for a network that lost the whole batch (12 ledgers expired under load).
    account.ledger_margin = 40;
    let mut journal = Journal::open(&dir.join("journal")).unwrap();

    // The account is funded on the (stand-in) ledger; Sequence is its funding ledger.
    let standin = start_standin(
        &json!({"accounts": {keys.address(): {"balance": "1000000000", "sequence": 1000}, "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn": {"balance": "50000000", "sequence": 1}}, "ledger_index": 995}),
        &dir,
    );

    // --- offline -> online: xrpl-account.
    let acct_payload = XrplAccountPayload { version: VERSION, address: keys.address(), public_key: keys.public_key().to_vec(), key_type: "secp256k1".into() };
    let received = XrplAccountPayload::from_cbor(&carry("xrpl-account", &acct_payload.to_cbor(), false)).unwrap();
    let store_path = dir.join("online.sqlite");
    let store = SubmissionStore::open(&store_path).unwrap();
    store.watch(&received.address, &received.public_key, &received.key_type).unwrap();
    let client = RippledClient::new(HttpTransport::new(&standin.url));

    // --- online -> offline: xrpl-state.
    let state = online::state_report(&client, &store, &received.address).unwrap();
    assert!(state.validated);
    assert_eq!(state.sequence, 1000);
    let state = XrplStatePayload::from_cbor(&carry("xrpl-state", &state.to_cbor(), false)).unwrap();
    assert_eq!(offline::reconcile(&mut account, &report_of(&state), &mut journal).unwrap(), Vec::<u32>::new());
    assert_eq!(account.next_sequence, 1000);

    // --- offline: a batch of 12 (11 payments, 1 AccountSet), unlocked from the keystore.
    let (_, secret) = keystore.unlock("cold", "correct horse battery staple").unwrap();
    assert!(keystore.unlock("cold", "wrong").is_err());
    let keys = Seed::from_entropy(secret[..16].try_into().unwrap(), KeyType::Secp256k1).key_pair();
    let mut templates: Vec<Template> = (0..11)
        .map(|i| Template::Payment { destination: "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn".into(), amount: json!((1_000_000 + i).to_string()), send_max: None, destination_tag: Some(i as u32), memos: vec![] })
        .collect();
    templates.push(Template::AccountSet { set_flag: Some("asfRequireDest".into()), clear_flag: None, transfer_rate: None, domain: None });
    let signed = offline::sign_batch(&mut account, &keys, &templates, &mut journal, false).unwrap();
    assert_eq!(signed.len(), 12);
    assert_eq!(signed.last().unwrap().sequence, 1011);
    let payload = XrplSignedPayload {
        version: VERSION,
        transactions: signed.iter().map(|s| SignedEntry { blob: s.blob.clone(), hash: hex::decode(&s.hash).unwrap(), sequence: s.sequence, last_ledger_sequence: s.last_ledger_sequence }).collect(),
    };

    // --- offline -> online through the virtual camera: xrpl-signed.
    let received = XrplSignedPayload::from_cbor(&carry("xrpl-signed", &payload.to_cbor(), true)).unwrap();
    assert_eq!(received, payload);

    // The network loses the last one (Sequence 1011): it will expire.
    HttpTransport::new(&standin.url).post(&json!({"method": "standin_lose", "params": [{"account": keys.address(), "sequence": 1011}]})).unwrap();
    store.add(&keys.address(), &received.transactions).unwrap();
    let results = online::submit_pending(&client, &store, &keys.address(), Duration::from_millis(100), Duration::from_secs(30)).unwrap();
    let finals = results.iter().filter(|s| s.status == "final" && s.result == "tesSUCCESS").count();
    let expired: Vec<u32> = results.iter().filter(|s| s.status == "expired").map(|s| s.sequence).collect();
    assert_eq!((finals, expired.clone()), (11, vec![1011]), "{results:#?}");
    let stats = HttpTransport::new(&standin.url).post(&json!({"method": "standin_stats", "params": [{}]})).unwrap();
    assert!(stats["result"]["max_queue"].as_u64().unwrap() <= 10, "never more than 10 in the queue: {stats}");

    // A restart loses nothing: the store reopens with every outcome.
    drop(store);
    let store = SubmissionStore::open(&store_path).unwrap();
    assert_eq!(store.all(&keys.address()).unwrap(), results);

    // --- online -> offline: outcomes; the offline side learns 1011 must be replaced.
    let state = online::state_report(&client, &store, &keys.address()).unwrap();
    assert_eq!((state.sequence, state.outcomes.len()), (1011, 12));
    let state = XrplStatePayload::from_cbor(&carry("xrpl-state", &state.to_cbor(), false)).unwrap();
    let unapplied = offline::reconcile(&mut account, &report_of(&state), &mut journal).unwrap();
    assert_eq!(unapplied, vec![1011]);
    // Signing a different transaction for 1011 without replace is refused...
    assert!(offline::sign_batch(&mut account, &keys, &templates[11..], &mut journal, false).is_err());
    // ...and an explicit replacement, with a higher fee, is recorded as one.
    let replacement = offline::sign_replacement(&account, &keys, &templates[11], 1011, Some(20), &mut journal).unwrap();
    assert!(journal.entries().iter().any(|e| matches!(e, Entry::Signed { replaces: Some(_), .. })));
    account.next_sequence = 1012;
    let payload = XrplSignedPayload {
        version: VERSION,
        transactions: vec![SignedEntry { blob: replacement.blob.clone(), hash: hex::decode(&replacement.hash).unwrap(), sequence: 1011, last_ledger_sequence: replacement.last_ledger_sequence }],
    };
    let received = XrplSignedPayload::from_cbor(&carry("xrpl-signed", &payload.to_cbor(), false)).unwrap();
    store.add(&keys.address(), &received.transactions).unwrap();
    let results = online::submit_pending(&client, &store, &keys.address(), Duration::from_millis(100), Duration::from_secs(30)).unwrap();
    let replaced = results.iter().find(|s| s.hash == replacement.hash).unwrap();
    assert_eq!((replaced.status.as_str(), replaced.result.as_str()), ("final", "tesSUCCESS"));

    // --- final reconciliation: every Sequence used, balance down by payments and fees.
    let state = online::state_report(&client, &store, &keys.address()).unwrap();
    let state = XrplStatePayload::from_cbor(&carry("xrpl-state", &state.to_cbor(), false)).unwrap();
    assert_eq!(offline::reconcile(&mut account, &report_of(&state), &mut journal).unwrap(), Vec::<u32>::new());
    assert_eq!(account.next_sequence, 1012);
    let paid: u64 = (0..11).map(|i| 1_000_000 + i).sum();
    // The batch paid the fee the online side reported (10 drops); the replacement 20.
    assert_eq!(state.balance_drops, 1_000_000_000 - paid - 11 * 10 - 20);
    let info = client.account_info("rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn", true).unwrap();
    assert_eq!(info.balance_drops, 50_000_000 + paid);
    let _ = std::fs::remove_dir_all(&dir);
}
