use airsign::chain::monero::{keys::*, wallet2_file::*};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string("tests/regtest/signer.json").unwrap()).unwrap();
    let keys = WalletKeys::from_mnemonic(m["mnemonic"].as_str().unwrap(), Network::Mainnet).unwrap();
    let kind = match args[1].as_str() { "o" => FileKind::Outputs, "k" => FileKind::KeyImages, "u" => FileKind::UnsignedTxSet, _ => FileKind::SignedTxSet };
    let p = open(kind, &std::fs::read(&args[2]).unwrap(), &keys.view_secret_bytes()).unwrap();
    println!("{}", hex::encode(&*p));
}
