//! wallet2's unsigned and signed transaction sets (`Monero unsigned tx set\x05`,
//! `Monero signed tx set\x05`): `unsigned_tx_set` (version 1 or 2) with its
//! `tx_construction_data`, and `signed_tx_set` with its `pending_tx` entries.
//!
//! Layouts follow wallet2.h and cryptonote_tx_utils.h (binary_archive rules in `archive`).
//! Everything read is written back byte for byte (a test holds wallet2's own files to that).

use super::archive::{ArchiveError, Reader, Writer};
use super::outputs::OutputList;

/// A ring member: global output index, one-time key, amount commitment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RingMember {
    pub global_index: u64,
    pub key: [u8; 32],
    pub commitment: [u8; 32],
}

/// `tx_source_entry`: one input with its ring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub ring: Vec<RingMember>,
    pub real_output: u64,
    pub real_out_tx_key: [u8; 32],
    pub real_out_additional_tx_keys: Vec<[u8; 32]>,
    pub real_output_in_tx_index: u64,
    pub amount: u64,
    pub rct: bool,
    pub mask: [u8; 32],
    pub multisig_klrki: [u8; 128],
}

impl Source {
    fn read(r: &mut Reader) -> Result<Source, ArchiveError> {
        let n = r.count("ring", 1 + 1 + 64)?;
        let mut ring = Vec::with_capacity(n);
        for _ in 0..n {
            r.tuple("ring member", &[2])?;
            ring.push(RingMember { global_index: r.varint()?, key: r.key()?, commitment: r.key()? });
        }
        let real_output = r.u64_fixed()?;
        let real_out_tx_key = r.key()?;
        let real_out_additional_tx_keys = r.keys("additional tx keys")?;
        let real_output_in_tx_index = r.u64_fixed()?;
        let amount = r.u64_fixed()?;
        let rct = r.bool()?;
        let mask = r.key()?;
        let mut multisig_klrki = [0u8; 128];
        multisig_klrki.copy_from_slice(r.bytes(128)?);
        if real_output >= ring.len() as u64 {
            return Err(r.invalid("source", format!("real output {real_output} is outside a ring of {}", ring.len())));
        }
        Ok(Source { ring, real_output, real_out_tx_key, real_out_additional_tx_keys, real_output_in_tx_index, amount, rct, mask, multisig_klrki })
    }

    fn write(&self, w: &mut Writer) {
        w.varint(self.ring.len() as u64);
        for m in &self.ring {
            w.varint(2);
            w.varint(m.global_index);
            w.bytes(&m.key);
            w.bytes(&m.commitment);
        }
        w.u64_fixed(self.real_output);
        w.bytes(&self.real_out_tx_key);
        w.keys(&self.real_out_additional_tx_keys);
        w.u64_fixed(self.real_output_in_tx_index);
        w.u64_fixed(self.amount);
        w.bool(self.rct);
        w.bytes(&self.mask);
        w.bytes(&self.multisig_klrki);
    }

    /// The real ring member: the output this input spends.
    pub fn real(&self) -> &RingMember {
        &self.ring[self.real_output as usize]
    }
}

/// `tx_destination_entry`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    /// The address as the sender typed it (may be empty, e.g. for change).
    pub original: Vec<u8>,
    pub amount: u64,
    pub spend: [u8; 32],
    pub view: [u8; 32],
    pub is_subaddress: bool,
    pub is_integrated: bool,
}

impl Destination {
    fn read(r: &mut Reader) -> Result<Destination, ArchiveError> {
        Ok(Destination {
            original: r.string("destination address text")?,
            amount: r.varint()?,
            spend: r.key()?,
            view: r.key()?,
            is_subaddress: r.bool()?,
            is_integrated: r.bool()?,
        })
    }

    fn write(&self, w: &mut Writer) {
        w.string(&self.original);
        w.varint(self.amount);
        w.bytes(&self.spend);
        w.bytes(&self.view);
        w.bool(self.is_subaddress);
        w.bool(self.is_integrated);
    }

    /// The same address: the same keys *and* the same type. A standard address and a
    /// subaddress with the same keys are different addresses: the output key is derived
    /// differently, so one built for the wrong type is found by nobody (funds burned).
    pub fn same_address(&self, other: &Destination) -> bool {
        self.spend == other.spend && self.view == other.view && self.is_subaddress == other.is_subaddress
    }

    fn read_vec(r: &mut Reader, what: &'static str) -> Result<Vec<Destination>, ArchiveError> {
        let n = r.count(what, 1 + 1 + 64 + 2)?;
        (0..n).map(|_| Destination::read(r)).collect()
    }

    fn write_vec(w: &mut Writer, v: &[Destination]) {
        w.varint(v.len() as u64);
        for d in v {
            d.write(w);
        }
    }
}

/// wallet2's `classify_addresses`: the distinct destination addresses other than change,
/// and how many of them are subaddresses. It decides the transaction key's form and whether
/// each output gets an additional key, so the signer and the fee estimate must agree on it.
pub struct AddressMix<'a> {
    pub unique: Vec<&'a Destination>,
    pub subaddresses: usize,
    pub standard: usize,
}

impl<'a> AddressMix<'a> {
    pub fn of(dests: impl IntoIterator<Item = &'a Destination>, change: &Destination) -> AddressMix<'a> {
        let mut unique: Vec<&Destination> = Vec::new();
        for d in dests.into_iter().filter(|d| !d.same_address(change)) {
            if !unique.iter().any(|u| u.same_address(d)) {
                unique.push(d);
            }
        }
        let subaddresses = unique.iter().filter(|d| d.is_subaddress).count();
        let standard = unique.len() - subaddresses;
        AddressMix { unique, subaddresses, standard }
    }

    /// Subaddresses mixed with other addresses: one additional key per output.
    pub fn needs_additional_keys(&self) -> bool {
        self.subaddresses > 0 && (self.standard > 0 || self.subaddresses > 1)
    }
}

/// `tx_construction_data`: what the online wallet asks the signer to build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxConstructionData {
    pub sources: Vec<Source>,
    pub change: Destination,
    /// All outputs, change included.
    pub splitted_dsts: Vec<Destination>,
    pub selected_transfers: Vec<u64>,
    pub extra: Vec<u8>,
    pub unlock_time: u64,
    /// bit 0: RingCT, bit 1: view tags.
    pub construction_flags: u8,
    pub rct_config_version: u64,
    pub range_proof_type: u64,
    pub bp_version: u64,
    /// The outputs the user asked for, without change.
    pub dests: Vec<Destination>,
    pub subaddr_account: u32,
    pub subaddr_indices: Vec<u32>,
}

impl TxConstructionData {
    pub(crate) fn read(r: &mut Reader) -> Result<TxConstructionData, ArchiveError> {
        let n = r.count("sources", 1 + 8 + 32 + 1 + 8 + 8 + 1 + 32 + 128)?;
        let sources = (0..n).map(|_| Source::read(r)).collect::<Result<Vec<_>, _>>()?;
        let change = Destination::read(r)?;
        let splitted_dsts = Destination::read_vec(r, "split destinations")?;
        let n = r.count("selected transfers", 1)?;
        let selected_transfers = (0..n).map(|_| r.varint()).collect::<Result<Vec<_>, _>>()?;
        let extra = r.string("tx extra")?;
        let unlock_time = r.u64_fixed()?;
        let construction_flags = r.u8()?;
        let rct_config_version = r.version("rct_config", 0..=0)?;
        let range_proof_type = r.varint()?;
        let bp_version = r.varint()?;
        let dests = Destination::read_vec(r, "destinations")?;
        let subaddr_account = r.u32_fixed()?;
        let n = r.count("subaddress indices", 1)?;
        let subaddr_indices = (0..n).map(|_| r.varint_u32("subaddress index")).collect::<Result<Vec<_>, _>>()?;
        Ok(TxConstructionData {
            sources,
            change,
            splitted_dsts,
            selected_transfers,
            extra,
            unlock_time,
            construction_flags,
            rct_config_version,
            range_proof_type,
            bp_version,
            dests,
            subaddr_account,
            subaddr_indices,
        })
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.varint(self.sources.len() as u64);
        for s in &self.sources {
            s.write(w);
        }
        self.change.write(w);
        Destination::write_vec(w, &self.splitted_dsts);
        w.varint(self.selected_transfers.len() as u64);
        for t in &self.selected_transfers {
            w.varint(*t);
        }
        w.string(&self.extra);
        w.u64_fixed(self.unlock_time);
        w.u8(self.construction_flags);
        w.varint(self.rct_config_version);
        w.varint(self.range_proof_type);
        w.varint(self.bp_version);
        Destination::write_vec(w, &self.dests);
        w.u32_fixed(self.subaddr_account);
        w.varint(self.subaddr_indices.len() as u64);
        for i in &self.subaddr_indices {
            w.varint(*i as u64);
        }
    }

    pub fn use_rct(&self) -> bool {
        self.construction_flags & 1 != 0
    }

    pub fn use_view_tags(&self) -> bool {
        self.construction_flags & 2 != 0
    }
}

/// `unsigned_tx_set`: the transactions to sign and the online wallet's outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsignedTxSet {
    pub version: u64,
    pub txes: Vec<TxConstructionData>,
    pub transfers: OutputList,
}

pub fn parse_unsigned(plaintext: &[u8]) -> Result<UnsignedTxSet, ArchiveError> {
    let mut r = Reader::new(plaintext);
    // Version 0 carried wallet2's whole transfer_details; no wallet we interoperate with
    // writes it any more.
    let version = r.version("unsigned_tx_set", 1..=2)?;
    let n = r.count("transactions", 16)?;
    let txes = (0..n).map(|_| TxConstructionData::read(&mut r)).collect::<Result<Vec<_>, _>>()?;
    let transfers = OutputList::read(&mut r)?;
    if (version == 1) != transfers.total.is_none() {
        return Err(r.invalid("unsigned_tx_set", "the output list's form does not match the set's version"));
    }
    r.finish()?;
    Ok(UnsignedTxSet { version, txes, transfers })
}

/// The bytes of what a signer builds from an unsigned set: its transactions' construction
/// data (inputs, rings, outputs, extra, flags), without the wallet's `transfers` list, which
/// the online wallet may re-export differently for the same transactions.
pub fn signed_content(set: &UnsignedTxSet) -> Vec<u8> {
    let mut w = Writer::default();
    w.varint(set.txes.len() as u64);
    for t in &set.txes {
        t.write(&mut w);
    }
    w.out
}

pub fn write_unsigned(set: &UnsignedTxSet) -> Vec<u8> {
    let mut w = Writer::default();
    w.varint(set.version);
    w.varint(set.txes.len() as u64);
    for t in &set.txes {
        t.write(&mut w);
    }
    set.transfers.write(&mut w);
    w.out
}

/// `pending_tx`: a signed transaction with what the online wallet needs to track it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingTx {
    pub version: u64,
    /// The whole transaction, in Monero's network serialization.
    pub tx: Vec<u8>,
    pub dust: u64,
    pub fee: u64,
    pub dust_added_to_fee: bool,
    pub change: Destination,
    pub selected_transfers: Vec<u64>,
    /// wallet2 writes "<hex> " per input key image.
    pub key_images: String,
    pub tx_key: [u8; 32],
    pub additional_tx_keys: Vec<[u8; 32]>,
    pub dests: Vec<Destination>,
    pub construction_data: TxConstructionData,
    pub multisig_tx_key_entropy: [u8; 32],
}

/// `signed_tx_set`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedTxSet {
    pub ptx: Vec<PendingTx>,
    /// Key images of the online wallet's outputs, in its order.
    pub key_images: Vec<[u8; 32]>,
    /// Key images of outputs the new transactions send back to this wallet.
    pub tx_key_images: Vec<([u8; 32], [u8; 32])>,
}

impl PendingTx {
    fn write(&self, w: &mut Writer) {
        w.varint(self.version);
        w.bytes(&self.tx);
        w.u64_fixed(self.dust);
        w.u64_fixed(self.fee);
        w.bool(self.dust_added_to_fee);
        self.change.write(w);
        w.varint(self.selected_transfers.len() as u64);
        for t in &self.selected_transfers {
            w.varint(*t);
        }
        w.string(self.key_images.as_bytes());
        w.bytes(&self.tx_key);
        w.keys(&self.additional_tx_keys);
        Destination::write_vec(w, &self.dests);
        self.construction_data.write(w);
        w.varint(0); // multisig_sigs: none
        if self.version >= 1 {
            w.bytes(&self.multisig_tx_key_entropy);
        }
    }
}

pub fn write_signed(set: &SignedTxSet) -> Vec<u8> {
    let mut w = Writer::default();
    w.varint(0);
    w.varint(set.ptx.len() as u64);
    for p in &set.ptx {
        p.write(&mut w);
    }
    w.keys(&set.key_images);
    w.varint(set.tx_key_images.len() as u64);
    for (pk, ki) in &set.tx_key_images {
        w.varint(2);
        w.bytes(pk);
        w.bytes(ki);
    }
    w.out
}

/// Reads a signed set; `read_tx` consumes one serialized transaction and returns its bytes
/// (the transaction format belongs to `monero-oxide`).
pub fn parse_signed(plaintext: &[u8], read_tx: impl Fn(&mut Reader) -> Result<Vec<u8>, ArchiveError>) -> Result<SignedTxSet, ArchiveError> {
    let mut r = Reader::new(plaintext);
    r.version("signed_tx_set", 0..=0)?;
    let n = r.count("pending transactions", 64)?;
    let mut ptx = Vec::with_capacity(n);
    for _ in 0..n {
        let version = r.version("pending_tx", 0..=1)?;
        let tx = read_tx(&mut r)?;
        let dust = r.u64_fixed()?;
        let fee = r.u64_fixed()?;
        let dust_added_to_fee = r.bool()?;
        let change = Destination::read(&mut r)?;
        let k = r.count("selected transfers", 1)?;
        let selected_transfers = (0..k).map(|_| r.varint()).collect::<Result<Vec<_>, _>>()?;
        let key_images = String::from_utf8(r.string("key images text")?).map_err(|_| r.invalid("key images text", "not UTF-8"))?;
        let tx_key = r.key()?;
        let additional_tx_keys = r.keys("additional tx keys")?;
        let dests = Destination::read_vec(&mut r, "destinations")?;
        let construction_data = TxConstructionData::read(&mut r)?;
        if r.varint()? != 0 {
            return Err(r.invalid("pending_tx", "multisig signatures are not supported"));
        }
        let multisig_tx_key_entropy = if version >= 1 { r.key()? } else { [0u8; 32] };
        ptx.push(PendingTx {
            version,
            tx,
            dust,
            fee,
            dust_added_to_fee,
            change,
            selected_transfers,
            key_images,
            tx_key,
            additional_tx_keys,
            dests,
            construction_data,
            multisig_tx_key_entropy,
        });
    }
    let key_images = r.keys("key images")?;
    let n = r.count("tx key images", 65)?;
    let mut tx_key_images = Vec::with_capacity(n);
    for _ in 0..n {
        r.tuple("tx key image", &[2])?;
        tx_key_images.push((r.key()?, r.key()?));
    }
    r.finish()?;
    Ok(SignedTxSet { ptx, key_images, tx_key_images })
}
