//! Keys, mnemonics, addresses and subaddresses against vectors from monero-wallet-rpc 0.18.0.0
//! (fixtures/monero/make_keys.sh), on mainnet, stagenet and testnet.

use airsign::chain::monero::keys::{parse_address, Network, WalletKeys};
use airsign::chain::monero::mnemonic;

fn wallets() -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/monero/keys.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    doc["wallets"].as_array().unwrap().clone()
}

#[test]
fn mnemonics_keys_and_addresses_match_monero_wallet_rpc() {
    let all = wallets();
    assert_eq!(all.len(), 3);
    for w in all {
        let network = Network::parse(w["network"].as_str().unwrap()).unwrap();
        let phrase = w["mnemonic"].as_str().unwrap();
        let keys = WalletKeys::from_mnemonic(phrase, network).unwrap();
        assert_eq!(hex::encode(*keys.spend_secret_bytes()), w["secret_spend_key"].as_str().unwrap());
        assert_eq!(hex::encode(*keys.view_secret_bytes()), w["secret_view_key"].as_str().unwrap());
        assert_eq!(keys.address(), w["primary_address"].as_str().unwrap());
        assert_eq!(*keys.mnemonic(), phrase, "encoding the key gives Monero's own 25 words");
        let spend: [u8; 32] = hex::decode(w["secret_spend_key"].as_str().unwrap()).unwrap().try_into().unwrap();
        assert_eq!(WalletKeys::from_spend_secret(&spend, network).address(), keys.address());
        for sub in w["subaddresses"].as_array().unwrap() {
            let (major, minor) = (sub[0].as_u64().unwrap() as u32, sub[1].as_u64().unwrap() as u32);
            assert_eq!(keys.subaddress(major, minor), sub[2].as_str().unwrap(), "{network:?} ({major},{minor})");
            let parsed = parse_address(sub[2].as_str().unwrap()).unwrap();
            assert!(parsed.is_subaddress);
            assert_eq!(parsed.network, network);
        }
        let primary = parse_address(&keys.address()).unwrap();
        assert!(!primary.is_subaddress);
        assert_eq!(primary.spend, keys.spend_public());
        assert_eq!(primary.view, keys.view_public());
    }
}

#[test]
fn a_mistyped_mnemonic_is_refused_with_a_reason() {
    let w = &wallets()[0];
    let phrase = w["mnemonic"].as_str().unwrap();
    let mut words: Vec<&str> = phrase.split(' ').collect();
    let last = words.len() - 1;
    words[last] = if words[last] == "abbey" { "zoom" } else { "abbey" };
    assert!(matches!(mnemonic::decode(&words.join(" ")), Err(mnemonic::MnemonicError::Checksum | mnemonic::MnemonicError::Invalid(_))));
    assert!(parse_address("4not-an-address").is_none());
    let mut addr = w["primary_address"].as_str().unwrap().to_owned();
    addr.replace_range(10..11, if &addr[10..11] == "A" { "B" } else { "A" });
    assert!(parse_address(&addr).is_none(), "checksum catches a changed character");
}
