//! `airsign xrpl account regular-key | signer-list | sign-multisig` and, with feature
//! `net`, `airsign xrpl online multisign-prepare | multisign-combine`: account security by
//! QR (docs/xrpl.md, "Regular key and multi-signing").

use super::xrpl_account::{confirm_review, keystore, load_state, open_journal, passphrase, read_payload, save_state, write_payload, write_signed, KeystoreArgs, PayloadOut};
use crate::chain::xrpl::keys::{wallet_propose, KeyPair, KeyType, Seed};
use crate::envelope::xrpl::*;
use crate::signer::xrpl::{self as offline, multisig, regular_key_wallet, Template, XrplAccount};
use anyhow::{bail, Context, Result};
use std::path::Path;
use zeroize::Zeroizing;


/// The key this machine signs with: the master key, or (`with_regular_key`) the regular
/// key the ledger last reported, from its own keystore entry. One passphrase prompt.
pub(super) fn signing_keys(ks: &KeystoreArgs, acct: &XrplAccount, with_regular_key: bool, pass: &str) -> Result<KeyPair> {
    let name = if with_regular_key {
        let Some(rk) = &acct.regular_key else {
            bail!("the ledger has no regular key for {} (as last reported): apply an xrpl-state after the SetRegularKey is validated", acct.address);
        };
        regular_key_wallet(&ks.wallet, rk)
    } else {
        ks.wallet.clone()
    };
    let (info, secret) = keystore(ks)?.unlock(&name, pass)?;
    let keys = match offline::keys_from_secret(&secret) {
        Some(keys) if info.chain == "xrpl" => keys,
        _ => bail!("wallet '{name}' is not an XRPL wallet"),
    };
    if with_regular_key && acct.regular_key.as_deref() != Some(keys.address().as_str()) {
        bail!("keystore entry '{name}' holds {}, not the regular key in force ({})", keys.address(), acct.regular_key.as_deref().unwrap_or("-"));
    }
    Ok(keys)
}

/// `regular-key`: a new regular key made here (or, with `remove`, none), set by a reviewed
/// SetRegularKey signed with the master key (or the regular key in force).
pub fn regular_key(ks: &KeystoreArgs, remove: bool, yes: bool, with_regular_key: bool, out: &PayloadOut) -> Result<()> {
    let mut journal = open_journal(ks)?;
    let mut acct = load_state(ks)?;
    let new_seed = if remove { None } else { Some(Seed::random(KeyType::Secp256k1)?) };
    let new_keys = new_seed.as_ref().map(Seed::key_pair);
    let template = Template::SetRegularKey { regular_key: new_keys.as_ref().map(KeyPair::address) };
    let mut prepared = offline::prepare_batch(&acct, &[template])?;
    if let Some(k) = &new_keys {
        prepared.review.notes.insert(
            0,
            format!(
                "the new regular key {} (public key {}) was made on this machine just now; it is kept in this keystore as '{}' under the same passphrase",
                k.address(),
                hex::encode_upper(k.public_key()),
                regular_key_wallet(&ks.wallet, &k.address())
            ),
        );
    }
    if let Some(old) = &acct.regular_key {
        prepared.review.notes.push(format!("the regular key in force now, {old}, stops working once this is validated"));
    }
    eprintln!("{}:\n{}", if remove { "Remove the regular key" } else { "Set a new regular key" }, prepared.review.to_table());
    if !yes && !confirm_review(&prepared.review, "Sign this SetRegularKey?")? {
        bail!("not signed");
    }
    let pass = passphrase(false)?;
    let keys = signing_keys(ks, &acct, with_regular_key, &pass)?;
    if let (Some(seed), Some(k)) = (&new_seed, &new_keys) {
        // Stored before the SetRegularKey exists: a key the ledger may come to accept is
        // never lost because signing or saving failed afterwards.
        let (mut info, secret) = offline::keystore_record(&regular_key_wallet(&ks.wallet, &k.address()), seed);
        info.public["regular_key_of"] = serde_json::json!(acct.address);
        keystore(ks)?.create(info, &secret, &pass)?;
    }
    let signed = offline::sign_reviewed(&mut acct, &keys, &prepared, &mut journal)?;
    save_state(ks, &acct)?;
    if let Some(seed) = &new_seed {
        eprintln!("Write down the regular key's words too and keep them offline; they are shown once:\n  {}", wallet_propose(seed).master_key.as_str());
    }
    write_signed(&signed, out)
}

/// One `--signer ACCOUNT_UR:WEIGHT`: the member's `xrpl-account` as UR text or a file
/// (CBOR or UR text), or a plain address, then its weight.
fn parse_signer(arg: &str) -> Result<(String, u16)> {
    let (source, weight) = arg.rsplit_once(':').with_context(|| format!("--signer {arg}: expected ACCOUNT_UR:WEIGHT"))?;
    let weight: u16 = weight.parse().with_context(|| format!("--signer {arg}: the weight must be a number from 1 to 65535"))?;
    if crate::chain::xrpl::address::decode_account_id(source).is_ok() {
        return Ok((source.to_owned(), weight));
    }
    let cbor = if source.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("ur:")) {
        super::xrpl_account::payload_from_ur_text(XrplAccountPayload::UR_TYPE, source.as_bytes())?
    } else {
        read_payload(XrplAccountPayload::UR_TYPE, Some(Path::new(source)))?
    };
    let account = XrplAccountPayload::from_cbor(&cbor).with_context(|| format!("--signer {source}: not an xrpl-account payload"))?;
    Ok((account.address, weight))
}

/// `signer-list`: a reviewed SignerListSet from the members' `xrpl-account` codes.
pub fn signer_list(ks: &KeystoreArgs, quorum: u32, signers: &[String], yes: bool, with_regular_key: bool, out: &PayloadOut) -> Result<()> {
    let signers = signers.iter().map(|s| parse_signer(s)).collect::<Result<Vec<_>>>()?;
    let mut journal = open_journal(ks)?;
    let mut acct = load_state(ks)?;
    let list = offline::SignerList { quorum, entries: signers.iter().map(|(a, w)| offline::SignerEntry { account: a.clone(), weight: *w }).collect() };
    list.check(&acct.address)?;
    let mut prepared = offline::prepare_batch(&acct, &[Template::SignerListSet { quorum, signers }])?;
    prepared.review.notes.insert(0, format!("the new signer list: {}", list.describe()));
    if let Some(old) = &acct.signer_list {
        prepared.review.notes.push(format!("it replaces the list in force: {}", old.describe()));
    }
    eprintln!("Set the signer list:\n{}", prepared.review.to_table());
    if !yes && !confirm_review(&prepared.review, "Sign this SignerListSet?")? {
        bail!("not signed");
    }
    let pass = passphrase(false)?;
    let keys = signing_keys(ks, &acct, with_regular_key, &pass)?;
    let signed = offline::sign_reviewed(&mut acct, &keys, &prepared, &mut journal)?;
    save_state(ks, &acct)?;
    write_signed(&signed, out)
}

/// `sign-multisig`: this member's signature of a multi-sign request, reviewed and journaled.
pub fn sign_multisig(ks: &KeystoreArgs, yes: bool, replace: bool, with_regular_key: bool, input: Option<&Path>, out: &PayloadOut) -> Result<()> {
    let req = XrplMultisignRequestPayload::from_cbor(&read_payload(XrplMultisignRequestPayload::UR_TYPE, input)?)?;
    let mut journal = open_journal(ks)?;
    let mut acct = load_state(ks)?;
    let now = crate::signer::now();
    let prepared = multisig::prepare_multisign(&acct, &req, replace, &journal, now)?;
    eprintln!("Multi-sign request from the online side (it says ledger {}):\n{}", req.ledger_index, prepared.review.to_table());
    if !yes && !confirm_review(&prepared.review, &format!("Sign for {} as {}?", req.account, acct.address))? {
        bail!("not signed");
    }
    let pass: Zeroizing<String> = passphrase(false)?;
    let keys = signing_keys(ks, &acct, with_regular_key, &pass)?;
    let signature = multisig::sign_multisign(&mut acct, &keys, &prepared, &mut journal, now)?;
    save_state(ks, &acct)?;
    write_payload(XrplMultisignSignaturePayload::UR_TYPE, &signature.to_cbor(), out)
}

#[cfg(feature = "net")]
pub use online::{multisign_combine, multisign_prepare};

#[cfg(feature = "net")]
mod online {
    use super::*;
    use crate::wallet::xrpl::{self as wallet, HttpTransport, RippledClient, SubmissionStore};
    use std::path::PathBuf;
    use std::time::Duration;

    pub fn multisign_prepare(db: &Path, url: &str, account: &str, templates: &Path, network: &str, margin: u32, out: &PayloadOut) -> Result<()> {
        let templates: Vec<Template> = serde_json::from_slice(&super::super::read_input(Some(templates))?).context("templates must be a JSON array")?;
        if templates.is_empty() || templates.len() > offline::MAX_BATCH {
            bail!("templates: 1 to {} transactions", offline::MAX_BATCH);
        }
        if let Some(w) = crate::wallet::insecure_endpoint(url) {
            eprintln!("{w}");
        }
        let client = RippledClient::new(HttpTransport::new(url));
        let req = wallet::prepare_multisign(&client, &SubmissionStore::open(db)?, account, &templates, network, margin)?;
        let list = offline::SignerList::from_wire(&req.signer_list);
        eprintln!("{} transaction(s) for {account}, signer list {}; fee covers {} signature(s)", req.transactions.len(), list.describe(), list.entries.len());
        write_payload(XrplMultisignRequestPayload::UR_TYPE, &req.to_cbor(), out)
    }

    pub fn multisign_combine(db: &Path, request: &Path, signatures: &[PathBuf], submit: Option<(&str, u64)>) -> Result<()> {
        let req = XrplMultisignRequestPayload::from_cbor(&read_payload(XrplMultisignRequestPayload::UR_TYPE, Some(request))?)?;
        let store = SubmissionStore::open(db)?;
        if !store.multisign_request_known(&req)? {
            bail!("this multi-sign request was not prepared with this database: combine it where `multisign-prepare` made it");
        }
        let mut list = offline::SignerList::from_wire(&req.signer_list);
        let client = submit.map(|(url, _)| {
            if let Some(w) = crate::wallet::insecure_endpoint(url) {
                eprintln!("{w}");
            }
            RippledClient::new(HttpTransport::new(url))
        });
        if let Some(c) = &client {
            // The list may have changed since the request was made: check against the ledger's.
            match c.signer_list(&req.account)? {
                Some(now) if now == list => {}
                Some(now) => {
                    eprintln!("note: the ledger's signer list changed since the request was prepared; checking against {}", now.describe());
                    list = now;
                }
                None => bail!("{} has no signer list in the validated ledger any more", req.account),
            }
        }
        let mut collector = multisig::MultisignCollector::new(req.clone(), list)?;
        for path in signatures {
            let p = XrplMultisignSignaturePayload::from_cbor(&read_payload(XrplMultisignSignaturePayload::UR_TYPE, Some(path))?)
                .with_context(|| format!("{}: not an xrpl-multisign-signature", path.display()))?;
            match collector.add(&p) {
                Ok(_) => eprintln!("{}: {} signed (weight {}); {} of quorum {}", path.display(), p.signer, collector.list().weight_of(&p.signer).unwrap_or(0), collector.weight(), collector.list().quorum),
                Err(e) => eprintln!("{}: refused: {e}", path.display()),
            }
        }
        let combined = collector.combine()?;
        let json = if combined.len() == 1 { serde_json::to_value(&combined[0])? } else { serde_json::to_value(&combined)? };
        println!("{}", serde_json::to_string_pretty(&json)?);
        if let (Some(c), Some((_, timeout))) = (&client, submit) {
            let entries = combined.iter().map(multisig::Combined::entry).collect::<Result<Vec<_>, _>>()?;
            store.add(&req.account, &entries)?;
            for s in wallet::submit_pending(c, &store, &req.account, Duration::from_millis(500), Duration::from_secs(timeout))? {
                eprintln!("{} Sequence {} {} {}", s.hash, s.sequence, s.status, s.result);
            }
        }
        Ok(())
    }
}
