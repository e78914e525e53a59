//! Builds and signs the transactions of a reviewed unsigned set the way wallet2's
//! `construct_tx_with_tx_key` does: version 2, RingCT type 6 (CLSAG over the given rings,
//! one aggregate Bulletproof+), view tags, compact encrypted amounts, a fresh tx key (and
//! per-output keys when subaddresses need them), inputs sorted by key image, outputs
//! shuffled, the short payment id encrypted for the recipient. The primitives are the
//! monero-oxide crates'; the construction rules are wallet2's.

use super::archive::{varint_bytes, ArchiveError, Reader};
use super::cryptonight::cn_fast_hash;
use super::outputs::{derivation_to_scalar, OutputScanner};
use super::review::PreparedTx;
use super::txset::{AddressMix, Destination, PendingTx, SignedTxSet, TxConstructionData, UnsignedTxSet};
use curve25519_dalek::constants::ED25519_BASEPOINT_TABLE;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use monero_oxide::ringct::bulletproofs::Bulletproof;
use monero_oxide::ringct::clsag::{Clsag, ClsagContext, Decoys};
use monero_oxide::ringct::{EncryptedAmount, RctBase, RctPrunable, RctProofs};
use monero_oxide::transaction::{Input, NotPruned, Output, Timelock, Transaction, TransactionPrefix};
use monero_ed25519::{Commitment, CompressedPoint, Point};
use rand::seq::SliceRandom;
use zeroize::Zeroizing;

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("transaction {0}: a destination has an invalid public key")]
    BadDestination(usize),
    #[error("transaction {0}: a ring member has an invalid key or commitment")]
    BadRing(usize),
    #[error("transaction {tx}: {detail}")]
    Crypto { tx: usize, detail: String },
    #[error("the OS random source failed: {0}")]
    Random(String),
    #[error("an output of the online wallet's list is not ours: {0}")]
    ForeignOutput(usize),
}

fn point(bytes: &[u8; 32]) -> Option<EdwardsPoint> {
    CompressedEdwardsY(*bytes).decompress()
}

fn random_scalar() -> Result<Zeroizing<Scalar>, SignError> {
    let mut wide = Zeroizing::new([0u8; 64]);
    getrandom::fill(wide.as_mut()).map_err(|e| SignError::Random(e.to_string()))?;
    Ok(Zeroizing::new(Scalar::from_bytes_mod_order_wide(&wide)))
}

/// `8 * s * P`.
fn derivation(public: &EdwardsPoint, secret: &Scalar) -> EdwardsPoint {
    (secret * public).mul_by_cofactor()
}

fn keccak_with(prefix: &[u8], data: &[&[u8]]) -> [u8; 32] {
    let mut buf = Zeroizing::new(prefix.to_vec());
    for d in data {
        buf.extend_from_slice(d);
    }
    cn_fast_hash(&buf)
}

/// `genCommitmentMask`: the output's commitment mask from its amount key.
pub fn commitment_mask(amount_key: &Scalar) -> Scalar {
    Scalar::from_bytes_mod_order(keccak_with(b"commitment_mask", &[amount_key.as_bytes()]))
}

/// The compact encrypted amount: amount XOR the first 8 bytes of `H("amount" || key)`.
pub fn encrypt_amount(amount: u64, amount_key: &Scalar) -> [u8; 8] {
    let pad = keccak_with(b"amount", &[amount_key.as_bytes()]);
    let mut out = amount.to_le_bytes();
    for (o, p) in out.iter_mut().zip(pad) {
        *o ^= p;
    }
    out
}

/// `derive_view_tag`: first byte of `H("view_tag" || D || varint(i))`.
pub fn view_tag(derivation: &EdwardsPoint, index: u64) -> u8 {
    keccak_with(b"view_tag", &[derivation.compress().as_bytes(), &varint_bytes(index)])[0]
}

/// The view key to encrypt a short payment id for: the single non-change destination,
/// else the change address when all outputs are change (wallet2's rule).
fn payment_id_view_key<'a>(dests: &'a [Destination], change: &'a Destination) -> Option<&'a [u8; 32]> {
    let mut found: Option<&Destination> = None;
    let mut found_change = false;
    for d in dests {
        if d.amount == 0 {
            continue;
        }
        if d.same_address(change) {
            found_change = true;
            continue;
        }
        match found {
            Some(f) if f.same_address(d) => {}
            Some(_) => return None,
            None => found = Some(d),
        }
    }
    match found {
        Some(f) => Some(&f.view),
        None if found_change => Some(&change.view),
        None => None,
    }
}

/// One signed transaction and what the signed set records about it.
struct Built {
    pending: PendingTx,
    /// (output key, key image) of outputs that come back to this wallet.
    own_outputs: Vec<([u8; 32], [u8; 32])>,
}

fn build(scanner: &OutputScanner, index: usize, tcd: &TxConstructionData, prepared: &PreparedTx) -> Result<Built, SignError> {
    let keys = scanner.keys();
    let crypto = |detail: String| SignError::Crypto { tx: index, detail };

    // Inputs, sorted by key image, descending (byte order), as wallet2 and consensus want.
    let mut order: Vec<usize> = (0..tcd.sources.len()).collect();
    order.sort_by(|&a, &b| prepared.owned[b].key_image.cmp(&prepared.owned[a].key_image));

    // Destinations in a random order; the tx key and, when subaddresses are mixed with other
    // addresses, one extra key per output.
    let mut dests: Vec<Destination> = tcd.splitted_dsts.clone();
    dests.shuffle(&mut rand::rng());
    let change = &tcd.change;
    let mix = AddressMix::of(&dests, change);
    let need_additional = mix.needs_additional_keys();
    let tx_key = random_scalar()?;
    let tx_public = if mix.subaddresses == 1 && mix.standard == 0 {
        let d = mix.unique.iter().find(|d| d.is_subaddress).ok_or(SignError::BadDestination(index))?;
        *tx_key * point(&d.spend).ok_or(SignError::BadDestination(index))?
    } else {
        &*tx_key * ED25519_BASEPOINT_TABLE
    };

    let mut outputs = Vec::with_capacity(dests.len());
    let mut additional_public = Vec::new();
    let mut encrypted_amounts = Vec::with_capacity(dests.len());
    let mut commitments = Vec::with_capacity(dests.len());
    let mut openings = Vec::with_capacity(dests.len());
    let mut output_mask_sum = Scalar::ZERO;
    for (i, d) in dests.iter().enumerate() {
        let spend = point(&d.spend).ok_or(SignError::BadDestination(index))?;
        let view = point(&d.view).ok_or(SignError::BadDestination(index))?;
        let extra_key = if need_additional { Some(random_scalar()?) } else { None };
        let shared = if d.same_address(change) {
            derivation(&tx_public, keys.view_scalar())
        } else {
            match (&extra_key, d.is_subaddress) {
                (Some(k), true) => derivation(&view, k),
                _ => derivation(&view, &tx_key),
            }
        };
        if let Some(k) = &extra_key {
            additional_public.push(if d.is_subaddress { **k * spend } else { &**k * ED25519_BASEPOINT_TABLE });
        }
        let amount_key = Zeroizing::new(derivation_to_scalar(&shared, i as u64));
        let one_time = &*amount_key * ED25519_BASEPOINT_TABLE + spend;
        outputs.push(Output { amount: None, key: CompressedPoint::from(one_time.compress().to_bytes()), view_tag: Some(view_tag(&shared, i as u64)) });
        let mask = commitment_mask(&amount_key);
        output_mask_sum += mask;
        let opening = Commitment::new(monero_ed25519::Scalar::from(mask), d.amount);
        commitments.push(opening.commit().compress());
        encrypted_amounts.push(EncryptedAmount::Compact { amount: encrypt_amount(d.amount, &amount_key) });
        openings.push(opening);
    }

    // tx extra, in wallet2's sorted order: public key, nonce (payment id), additional keys.
    let mut extra = vec![0x01];
    extra.extend_from_slice(tx_public.compress().as_bytes());
    let payment_id = match prepared.payment_id {
        Some(pid) => Some(pid),
        // wallet2 adds a dummy (zero) encrypted id to 2-output transactions.
        None if tcd.splitted_dsts.len() <= 2 => Some([0u8; 8]),
        None => None,
    };
    if let Some(pid) = payment_id {
        if let Some(view) = payment_id_view_key(&tcd.splitted_dsts, change).and_then(point) {
            let shared = derivation(&view, &tx_key);
            let pad = keccak_with(shared.compress().as_bytes(), &[&[0x8d]]);
            extra.extend_from_slice(&[0x02, 9, 0x01]);
            extra.extend(pid.iter().zip(pad).map(|(a, b)| a ^ b));
        } else if prepared.payment_id.is_some() {
            return Err(crypto("a payment id needs exactly one destination to encrypt it for".into()));
        }
    }
    if need_additional {
        extra.push(0x04);
        extra.extend_from_slice(&varint_bytes(additional_public.len() as u64));
        for k in &additional_public {
            extra.extend_from_slice(k.compress().as_bytes());
        }
    }

    let mut inputs = Vec::with_capacity(order.len());
    let mut contexts = Vec::with_capacity(order.len());
    let mut key_images_text = String::new();
    for &i in &order {
        let s = &tcd.sources[i];
        let o = &prepared.owned[i];
        let mut offsets = Vec::with_capacity(s.ring.len());
        let mut ring = Vec::with_capacity(s.ring.len());
        let mut last = 0;
        for (j, m) in s.ring.iter().enumerate() {
            offsets.push(if j == 0 { m.global_index } else { m.global_index - last });
            last = m.global_index;
            let (Some(p), Some(c)) = (point(&m.key), point(&m.commitment)) else { return Err(SignError::BadRing(index)) };
            ring.push([Point::from(p), Point::from(c)]);
        }
        let signer = u8::try_from(s.real_output).map_err(|_| SignError::BadRing(index))?;
        let decoys = Decoys::new(offsets.clone(), signer, ring).ok_or(SignError::BadRing(index))?;
        let opening = Commitment::new(monero_ed25519::Scalar::from(Scalar::from_bytes_mod_order(s.mask)), s.amount);
        let context = ClsagContext::new(decoys, opening).map_err(|e| crypto(format!("{e:?}")))?;
        contexts.push((Zeroizing::new(monero_ed25519::Scalar::from(*o.secret)), context));
        inputs.push(Input::ToKey { amount: None, key_offsets: offsets, key_image: CompressedPoint::from(o.key_image) });
        key_images_text += &format!("<{}> ", hex::encode(o.key_image));
    }

    let fee = tcd.sources.iter().map(|s| s.amount).sum::<u64>() - tcd.splitted_dsts.iter().map(|d| d.amount).sum::<u64>();
    let mut rng = rand_core_06::OsRng;
    let bulletproof = Bulletproof::prove_plus(&mut rng, openings).map_err(|e| crypto(format!("Bulletproof+: {e:?}")))?;
    let additional_timelock = match tcd.unlock_time {
        0 => Timelock::None,
        t if t < 500_000_000 => Timelock::Block(usize::try_from(t).map_err(|_| crypto("unlock time".into()))?),
        t => Timelock::Time(t),
    };
    let mut tx: Transaction<NotPruned> = Transaction::V2 {
        prefix: TransactionPrefix { additional_timelock, inputs, outputs, extra },
        proofs: Some(RctProofs {
            base: RctBase { fee, pseudo_outs: vec![], encrypted_amounts, commitments: commitments.clone() },
            prunable: RctPrunable::Clsag { clsags: vec![], pseudo_outs: vec![], bulletproof },
        }),
    };
    let message = tx.signature_hash().ok_or_else(|| crypto("no signature hash".into()))?;
    let signed = Clsag::sign(&mut rng, contexts, monero_ed25519::Scalar::from(output_mask_sum), message).map_err(|e| crypto(format!("CLSAG: {e:?}")))?;
    if let Transaction::V2 { proofs: Some(RctProofs { prunable: RctPrunable::Clsag { clsags, pseudo_outs, .. }, .. }), .. } = &mut tx {
        for (clsag, pseudo_out) in signed {
            clsags.push(clsag);
            pseudo_outs.push(pseudo_out.compress());
        }
    }
    verify(&tx, &message, tcd, &order, &commitments).map_err(crypto)?;

    // Outputs that come back to us (change, our own subaddresses): their key images let the
    // online wallet see them spent later without another key image export.
    let additional_bytes: Vec<[u8; 32]> = additional_public.iter().map(|k| k.compress().to_bytes()).collect();
    let mut own_outputs = Vec::new();
    for (i, o) in tx.prefix().outputs.iter().enumerate() {
        if let Some(mine) = scanner.own(&o.key.to_bytes(), &tx_public.compress().to_bytes(), &additional_bytes, i as u64) {
            own_outputs.push((o.key.to_bytes(), mine.key_image));
        }
    }

    let mut tx_bytes = Vec::new();
    tx.write(&mut tx_bytes).map_err(|e| crypto(e.to_string()))?;
    // Like wallet2's sign_tx, the tx secret keys are not handed to the online wallet.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let pending = PendingTx {
        version: 1,
        tx: tx_bytes,
        dust: 0,
        fee,
        dust_added_to_fee: false,
        change: tcd.change.clone(),
        selected_transfers: tcd.selected_transfers.clone(),
        key_images: key_images_text,
        tx_key: identity,
        additional_tx_keys: vec![],
        dests: tcd.dests.clone(),
        construction_data: tcd.clone(),
        multisig_tx_key_entropy: [0u8; 32],
    };
    Ok(Built { pending, own_outputs })
}

/// Checks what was built before it leaves the signer: every CLSAG verifies against its ring,
/// the Bulletproof+ verifies, and inputs balance outputs plus fee.
fn verify(tx: &Transaction<NotPruned>, message: &[u8; 32], tcd: &TxConstructionData, order: &[usize], commitments: &[CompressedPoint]) -> Result<(), String> {
    let Transaction::V2 { prefix, proofs: Some(proofs) } = tx else { return Err("not a RingCT transaction".into()) };
    let RctPrunable::Clsag { clsags, pseudo_outs, bulletproof } = &proofs.prunable else { return Err("not CLSAG".into()) };
    for (n, &i) in order.iter().enumerate() {
        let ring = tcd.sources[i].ring.iter().map(|m| [CompressedPoint::from(m.key), CompressedPoint::from(m.commitment)]).collect();
        let Input::ToKey { key_image, .. } = &prefix.inputs[n] else { return Err("unexpected input".into()) };
        clsags[n].verify(ring, key_image, &pseudo_outs[n], message).map_err(|e| format!("CLSAG {n} does not verify: {e:?}"))?;
    }
    let outs: Vec<EdwardsPoint> = commitments.iter().map(|c| c.decompress().map(Point::into)).collect::<Option<_>>().ok_or("bad commitment")?;
    if !bulletproof.verify(&mut rand_core_06::OsRng, commitments) {
        return Err("the Bulletproof+ does not verify".into());
    }
    let pseudo: EdwardsPoint = pseudo_outs.iter().map(|p| p.decompress().map(Point::into)).sum::<Option<EdwardsPoint>>().ok_or("bad pseudo-out")?;
    let out_sum: EdwardsPoint = outs.iter().sum();
    let fee_commitment: EdwardsPoint = Commitment::new(monero_ed25519::Scalar::from(Scalar::ZERO), proofs.base.fee).commit().into();
    if pseudo != out_sum + fee_commitment {
        return Err("inputs do not balance outputs and fee".into());
    }
    Ok(())
}

/// Signs every transaction of a reviewed set and assembles wallet2's `signed_tx_set`.
pub fn sign_set(scanner: &OutputScanner, set: &UnsignedTxSet, prepared: &[PreparedTx]) -> Result<SignedTxSet, SignError> {
    let mut ptx = Vec::with_capacity(set.txes.len());
    let mut tx_key_images = Vec::new();
    for (i, (tcd, p)) in set.txes.iter().zip(prepared).enumerate() {
        let built = build(scanner, i, tcd, p)?;
        ptx.push(built.pending);
        tx_key_images.extend(built.own_outputs);
    }
    // wallet2 returns the key images of the online wallet's outputs, indexed from 0; we can
    // when the set lists them from 0 (else the online wallet keeps what it knows).
    let mut key_images = Vec::new();
    if set.transfers.offset == 0 {
        for (i, o) in set.transfers.outputs.iter().enumerate() {
            let mine = scanner.own(&o.pubkey, &o.tx_pubkey, &o.additional_tx_keys, o.internal_output_index).ok_or(SignError::ForeignOutput(i))?;
            key_images.push(mine.key_image);
        }
    }
    Ok(SignedTxSet { ptx, key_images, tx_key_images })
}

/// Reads one serialized transaction (for `txset::parse_signed`).
pub fn read_transaction(r: &mut Reader) -> Result<Vec<u8>, ArchiveError> {
    let rest = r.rest();
    let mut cursor = rest;
    Transaction::<NotPruned>::read(&mut cursor).map_err(|e| r.invalid("transaction", e.to_string()))?;
    let used = rest.len() - cursor.len();
    Ok(r.bytes(used)?.to_vec())
}
