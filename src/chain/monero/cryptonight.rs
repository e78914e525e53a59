//! CryptoNight v0 (`cn_slow_hash`, variant 0), the hash wallet2 derives its file-encryption
//! key from (the secret view key, one round). Written from the CryptoNote standard CNS008;
//! tested against Monero's own slow-hash vectors (tests/hash/tests-slow.txt).
//!
//! Keccak-1600 -> a 2 MiB scratchpad filled by 10 AES rounds per block -> 524,288 rounds of
//! one AES round and a 64x64 multiply over it -> folded back into the state -> Keccak-f ->
//! BLAKE-256, Grostl-256, JH-256 or Skein-512-256, picked by the state's first byte.

use aes::hazmat::cipher_round;
use zeroize::Zeroizing;

const MEMORY: usize = 1 << 21;
const ITERATIONS: usize = 1 << 19;
/// Scratchpad address: 16-byte aligned, within 2 MiB.
const ADDRESS_MASK: u32 = ((MEMORY / 16 - 1) << 4) as u32;
/// Keccak rate for a 256-bit capacity, as Monero's `keccak1600`.
const KECCAK_RATE: usize = 136;

/// `cn_slow_hash(data, variant 0)`.
pub fn cn_slow_hash_v0(data: &[u8]) -> [u8; 32] {
    let mut state = keccak1600(data);
    let mut bytes = Zeroizing::new(state_bytes(&state));

    // Fill the scratchpad: AES-encrypt state[64..192] with keys from state[0..32].
    let keys = expand_key(&bytes[0..32]);
    let mut scratchpad = Zeroizing::new(vec![0u8; MEMORY]);
    let mut text = Zeroizing::new([0u8; 128]);
    text.copy_from_slice(&bytes[64..192]);
    for chunk in scratchpad.chunks_exact_mut(128) {
        aes_pseudo_rounds(&mut text, &keys);
        chunk.copy_from_slice(text.as_ref());
    }

    // The memory-hard loop.
    let mut a = xor16(&bytes[0..16], &bytes[32..48]);
    let mut b = xor16(&bytes[16..32], &bytes[48..64]);
    for _ in 0..ITERATIONS {
        let j = address(&a);
        let mut c = block(&scratchpad, j);
        aes_round(&mut c, &a);
        put(&mut scratchpad, j, &xor16(&b, &c));
        b = c;
        let j = address(&c);
        let d = block(&scratchpad, j);
        let product = (lo64(&c) as u128) * (lo64(&d) as u128);
        let a0 = lo64(&a).wrapping_add((product >> 64) as u64);
        let a1 = hi64(&a).wrapping_add(product as u64);
        let mut sum = [0u8; 16];
        sum[..8].copy_from_slice(&a0.to_le_bytes());
        sum[8..].copy_from_slice(&a1.to_le_bytes());
        put(&mut scratchpad, j, &sum);
        a = xor16(&sum, &d);
    }

    // Fold the scratchpad back into state[64..192] with keys from state[32..64].
    let keys = expand_key(&bytes[32..64]);
    text.copy_from_slice(&bytes[64..192]);
    for chunk in scratchpad.chunks_exact(128) {
        for (t, s) in text.iter_mut().zip(chunk) {
            *t ^= s;
        }
        aes_pseudo_rounds(&mut text, &keys);
    }
    bytes[64..192].copy_from_slice(text.as_ref());
    state = state_from_bytes(&bytes);
    keccak::Keccak::new().with_f1600(|f| f(&mut state));
    let bytes = Zeroizing::new(state_bytes(&state));
    final_hash(&bytes)
}

/// `cn_fast_hash`: Keccak-256 with the original Keccak padding (not SHA3-256).
pub fn cn_fast_hash(data: &[u8]) -> [u8; 32] {
    let bytes = state_bytes(&keccak1600(data));
    let mut h = [0u8; 32];
    h.copy_from_slice(&bytes[..32]);
    h
}

fn final_hash(state: &[u8; 200]) -> [u8; 32] {
    use blake_hash::Digest as _;
    use groestl::Digest as _;
    let out: Vec<u8> = match state[0] & 3 {
        0 => blake_hash::Blake256::digest(state).to_vec(),
        1 => groestl::Groestl256::digest(state).to_vec(),
        2 => jh::Jh256::digest(state).to_vec(),
        _ => skein::Skein512_256::digest(state).to_vec(),
    };
    let mut h = [0u8; 32];
    h.copy_from_slice(&out);
    h
}

/// Keccak with the original padding (0x01 ... 0x80), rate 136, returning the whole state.
fn keccak1600(data: &[u8]) -> [u64; 25] {
    let mut state = [0u64; 25];
    let keccak = keccak::Keccak::new();
    let absorb = |state: &mut [u64; 25], block: &[u8]| {
        for (i, lane) in block.chunks_exact(8).enumerate() {
            state[i] ^= u64::from_le_bytes(lane.try_into().unwrap_or_default());
        }
        keccak.with_f1600(|f| f(state));
    };
    let mut blocks = data.chunks_exact(KECCAK_RATE);
    for b in blocks.by_ref() {
        absorb(&mut state, b);
    }
    let rest = blocks.remainder();
    let mut last = [0u8; KECCAK_RATE];
    last[..rest.len()].copy_from_slice(rest);
    last[rest.len()] = 0x01;
    last[KECCAK_RATE - 1] |= 0x80;
    absorb(&mut state, &last);
    state
}

fn state_bytes(state: &[u64; 25]) -> [u8; 200] {
    let mut out = [0u8; 200];
    for (chunk, lane) in out.chunks_exact_mut(8).zip(state) {
        chunk.copy_from_slice(&lane.to_le_bytes());
    }
    out
}

fn state_from_bytes(bytes: &[u8; 200]) -> [u64; 25] {
    let mut state = [0u64; 25];
    for (lane, chunk) in state.iter_mut().zip(bytes.chunks_exact(8)) {
        *lane = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
    }
    state
}

/// Ten AES rounds (CryptoNight's "pseudo-rounds": every round with MixColumns) on each of
/// the eight 16-byte blocks.
fn aes_pseudo_rounds(text: &mut [u8; 128], keys: &[[u8; 16]; 10]) {
    for chunk in text.chunks_exact_mut(16) {
        let mut b = [0u8; 16];
        b.copy_from_slice(chunk);
        for k in keys {
            aes_round(&mut b, k);
        }
        chunk.copy_from_slice(&b);
    }
}

/// One AES encryption round (SubBytes, ShiftRows, MixColumns, AddRoundKey): AESENC.
fn aes_round(b: &mut [u8; 16], key: &[u8; 16]) {
    let mut block = aes::Block::from(*b);
    cipher_round(&mut block, &aes::Block::from(*key));
    b.copy_from_slice(&block);
}

/// The first ten round keys of the AES-256 key schedule.
fn expand_key(key: &[u8]) -> [[u8; 16]; 10] {
    let sbox = sbox();
    let mut w = [0u8; 160];
    w[..32].copy_from_slice(key);
    let mut rcon = 1u8;
    for i in 8..40 {
        let mut t = [w[4 * i - 4], w[4 * i - 3], w[4 * i - 2], w[4 * i - 1]];
        if i % 8 == 0 {
            t = [sbox[t[1] as usize] ^ rcon, sbox[t[2] as usize], sbox[t[3] as usize], sbox[t[0] as usize]];
            rcon = xtime(rcon);
        } else if i % 8 == 4 {
            t = t.map(|x| sbox[x as usize]);
        }
        for k in 0..4 {
            w[4 * i + k] = w[4 * (i - 8) + k] ^ t[k];
        }
    }
    let mut keys = [[0u8; 16]; 10];
    for (r, k) in keys.iter_mut().enumerate() {
        k.copy_from_slice(&w[16 * r..16 * r + 16]);
    }
    keys
}

fn xtime(x: u8) -> u8 {
    (x << 1) ^ if x & 0x80 != 0 { 0x1B } else { 0 }
}

fn gf_mul(mut a: u8, mut b: u8) -> u8 {
    let mut p = 0;
    while b != 0 {
        if b & 1 != 0 {
            p ^= a;
        }
        a = xtime(a);
        b >>= 1;
    }
    p
}

/// The AES S-box from its definition: the affine map of the inverse in GF(2^8).
fn sbox() -> [u8; 256] {
    let mut s = [0u8; 256];
    for (x, out) in s.iter_mut().enumerate() {
        // x^254 is the inverse (0 maps to 0).
        let mut inv = 1u8;
        for _ in 0..254 {
            inv = gf_mul(inv, x as u8);
        }
        let inv = if x == 0 { 0 } else { inv };
        *out = inv ^ inv.rotate_left(1) ^ inv.rotate_left(2) ^ inv.rotate_left(3) ^ inv.rotate_left(4) ^ 0x63;
    }
    s
}

fn address(a: &[u8; 16]) -> usize {
    (u32::from_le_bytes([a[0], a[1], a[2], a[3]]) & ADDRESS_MASK) as usize
}

fn block(pad: &[u8], at: usize) -> [u8; 16] {
    let mut b = [0u8; 16];
    b.copy_from_slice(&pad[at..at + 16]);
    b
}

fn put(pad: &mut [u8], at: usize, b: &[u8; 16]) {
    pad[at..at + 16].copy_from_slice(b);
}

fn xor16(x: &[u8], y: &[u8]) -> [u8; 16] {
    let mut out = [0u8; 16];
    for i in 0..16 {
        out[i] = x[i] ^ y[i];
    }
    out
}

fn lo64(b: &[u8; 16]) -> u64 {
    u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
}

fn hi64(b: &[u8; 16]) -> u64 {
    u64::from_le_bytes([b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sbox_and_key_schedule_match_fips_197() {
        let s = sbox();
        assert_eq!((s[0x00], s[0x01], s[0x53], s[0xFF]), (0x63, 0x7C, 0xED, 0x16));
        // FIPS-197 appendix A.3: AES-256 key expansion, round key 2 (w[8..12]).
        let key = hex::decode("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4").unwrap();
        assert_eq!(hex::encode(expand_key(&key)[2]), "9ba354118e6925afa51a8b5f2067fcde");
    }

    #[test]
    fn fast_hash_is_keccak_256() {
        // Keccak-256 of the empty string (not SHA3-256's a7ffc6f8...).
        assert_eq!(hex::encode(cn_fast_hash(b"")), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    }

    #[test]
    fn monero_slow_hash_vectors_variant_0() {
        // monero-project/monero tests/hash/tests-slow.txt: (hash, input).
        for (hash, input) in [
            ("2f8e3df40bd11f9ac90c743ca8e32bb391da4fb98612aa3b6cdc639ee00b31f5", "6465206f6d6e69627573206475626974616e64756d"),
            ("722fa8ccd594d40e4a41f3822734304c8d5eff7e1b528408e2229da38ba553c4", "6162756e64616e732063617574656c61206e6f6e206e6f636574"),
            ("bbec2cacf69866a8e740380fe7b818fc78f8571221742d729d9d02d7f8989b87", "63617665617420656d70746f72"),
            ("b1257de4efc5ce28c6b40ceb1c6c8f812a64634eb3e81c5220bee9b2b76a6f05", "6578206e6968696c6f206e6968696c20666974"),
        ] {
            assert_eq!(hex::encode(cn_slow_hash_v0(&hex::decode(input).unwrap())), hash, "input {input}");
        }
    }
}
