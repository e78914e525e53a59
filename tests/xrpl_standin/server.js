// A STAND-IN for rippled, for tests only: no real rippled can be installed here.
// It speaks rippled's JSON-RPC shapes for account_info, ledger, ledger_current, fee, submit
// and tx, and checks submitted blobs with the reference XRPL libraries (xrpl.js and
// ripple-binary-codec), never with airsign's code:
//   - the blob decodes, and its signature (single or multi) verifies;
//   - the signing key is authorized as rippled decides: single-signed, the master key
//     (tefMASTER_DISABLED once lsfDisableMaster is set) or the account's regular key, else
//     tefBAD_AUTH; multi-signed, the account needs a signer list (tefNOT_MULTI_SIGNING),
//     every Signer must be on it and sign with its own master key (unless disabled) or its
//     regular key (tefBAD_SIGNATURE), Signers sorted by AccountID without duplicates, and
//     the signers' weights must reach the quorum (tefBAD_QUORUM);
//   - SetRegularKey, SignerListSet and AccountSet asfDisableMaster change those keys, and
//     one that would leave no way to sign fails with tecNO_ALTERNATIVE_KEY;
//     SignerListSet's list is checked as rippled's preflight does (temMALFORMED);
//   - the account exists and the Fee covers the base fee (times signers + 1 when multi-signed);
//   - Sequence: past -> tefPAST_SEQ; next in line -> applied or queued (at most 10 per
//     account in the queue, as rippled's TxQ); a gap -> terPRE_SEQ;
//   - LastLedgerSequence already passed -> tefMAX_LEDGER; a queued transaction whose
//     LastLedgerSequence passes before it applies is dropped (the client sees it expire).
// A ledger closes every CLOSE_MS (default 300 ms); closed ledgers are validated at once.
// XRP Payments move balances; other transaction types charge the fee and use the Sequence.
//
// account_objects lists the signer list (type signer_list); tickets are not modelled.
//
// Test-only admin methods: `standin_lose` {account, sequence}: the first transaction then
// submitted with that Sequence is accepted but never applied, as if the network lost it
// (a replacement at the same Sequence applies); `standin_stats`: the deepest per-account
// queue seen, to check clients stay within 10.
//
// Usage: node server.js GENESIS.json   (prints "listening PORT" on stdout)
// GENESIS.json: {"accounts": {"rADDRESS": {"balance": "DROPS", "sequence": N}}, "ledger_index": N}
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');
const nodeModules = path.join(__dirname, '..', '..', 'fixtures', 'xrpl', 'node_modules');
const codec = require(path.join(nodeModules, 'ripple-binary-codec'));
const xrpl = require(path.join(nodeModules, 'xrpl'));
const keypairs = require(path.join(nodeModules, 'ripple-keypairs'));
// A dependency of xrpl (installed with it).
const addressCodec = require(path.join(nodeModules, 'ripple-address-codec'));

const BASE_FEE = 10n;
const QUEUE_LIMIT = 10;
const CLOSE_MS = Number(process.env.STANDIN_CLOSE_MS || 300);
const genesis = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

const accounts = new Map(); // address -> {balance: BigInt, sequence, flags, regularKey, signerList}
function newAccount(balance, sequence) {
  return { balance, sequence, flags: 0, regularKey: null, signerList: null };
}
for (const [address, a] of Object.entries(genesis.accounts)) {
  accounts.set(address, newAccount(BigInt(a.balance), a.sequence));
}
// AccountSet's asf flags and the AccountRoot lsf flags they set.
const LSF_DISABLE_MASTER = 0x00100000;
const ASF_TO_LSF = { 1: 0x00020000, 2: 0x00040000, 3: 0x00080000, 4: LSF_DISABLE_MASTER, 6: 0x00200000, 7: 0x00400000, 8: 0x00800000, 9: 0x01000000 };
let validatedIndex = genesis.ledger_index || 1000;
const queues = new Map(); // address -> [{tx, blob, hash}]
const txs = new Map(); // hash -> {tx, blob, status: 'queued'|'validated', result, ledger_index}
const lose = new Set(); // "address:sequence" to lose on first submission
const lostHashes = new Set();
let maxQueue = 0;

function currentIndex() { return validatedIndex + 1; }

function accountFor(address) { return accounts.get(address); }

function verifySignature(tx) {
  if (tx.Signers && tx.Signers.length) {
    if (tx.SigningPubKey !== '') return false;
    // rippled: Signers sorted by AccountID (as a 160-bit number), no duplicates.
    const ids = tx.Signers.map(({ Signer }) => Buffer.from(addressCodec.decodeAccountID(Signer.Account)).toString('hex'));
    for (let i = 1; i < ids.length; i++) if (!(ids[i - 1] < ids[i])) return false;
    return tx.Signers.every(({ Signer }) => {
      const data = codec.encodeForMultisigning(stripSignatures(tx), Signer.Account);
      return keypairs.verify(data, Signer.TxnSignature, Signer.SigningPubKey);
    });
  }
  if (!tx.TxnSignature || !tx.SigningPubKey) return false;
  return keypairs.verify(codec.encodeForSigning(tx), tx.TxnSignature, tx.SigningPubKey);
}

function stripSignatures(tx) {
  const copy = { ...tx };
  delete copy.Signers;
  delete copy.TxnSignature;
  return copy;
}

// Whether `publicKey` may sign for `address` (rippled's checkSingleSign): its master key
// unless disabled, or its regular key. An account not in the ledger signs with its master.
function keyCode(address, publicKey) {
  const keyAccount = keypairs.deriveAddress(publicKey);
  const acct = accountFor(address);
  if (!acct) return keyAccount === address ? null : 'tefBAD_AUTH';
  if (acct.regularKey && keyAccount === acct.regularKey) return null;
  if (keyAccount === address) return (acct.flags & LSF_DISABLE_MASTER) ? 'tefMASTER_DISABLED' : null;
  return 'tefBAD_AUTH';
}

// The engine result of the signing authority, or null when authorized.
function authorization(tx, acct) {
  if (!(tx.Signers && tx.Signers.length)) return keyCode(tx.Account, tx.SigningPubKey);
  if (!acct.signerList) return 'tefNOT_MULTI_SIGNING';
  let weight = 0;
  for (const { Signer } of tx.Signers) {
    const entry = acct.signerList.entries.find((e) => e.Account === Signer.Account);
    if (!entry) return 'tefBAD_SIGNATURE';
    if (keyCode(Signer.Account, Signer.SigningPubKey) !== null) return 'tefBAD_SIGNATURE';
    weight += entry.SignerWeight;
  }
  return weight >= acct.signerList.quorum ? null : 'tefBAD_QUORUM';
}

const MESSAGES = {
  tefBAD_AUTH: 'Transaction\'s public key is not authorized.',
  tefMASTER_DISABLED: 'Master key is disabled.',
  tefNOT_MULTI_SIGNING: 'Account has no appropriate list of multi-signers.',
  tefBAD_SIGNATURE: 'A signature is provided for a non-signer.',
  tefBAD_QUORUM: 'Signatures provided do not meet the quorum.',
};

// SignerListSet's preflight: 1 to 32 distinct signers, not the account, weights > 0, a
// quorum the weights can meet. Returns an engine result or null.
function signerListMalformed(tx) {
  if (tx.SignerQuorum === 0) return tx.SignerEntries ? 'temMALFORMED' : null;
  const entries = (tx.SignerEntries || []).map((e) => e.SignerEntry);
  if (entries.length < 1 || entries.length > 32) return 'temMALFORMED';
  const seen = new Set();
  let total = 0;
  for (const e of entries) {
    if (e.Account === tx.Account || seen.has(e.Account) || !(e.SignerWeight > 0)) return 'temBAD_SIGNER';
    seen.add(e.Account);
    total += e.SignerWeight;
  }
  return tx.SignerQuorum > 0 && tx.SignerQuorum <= total ? null : 'temBAD_QUORUM';
}

function result(code, message, extra = {}) {
  return { engine_result: code, engine_result_message: message, ...extra };
}

function submit(blob) {
  let tx;
  try {
    tx = codec.decode(blob);
  } catch (e) {
    return { status: 'error', error: 'invalidTransaction', error_exception: `Invalid blob: ${e.message}` };
  }
  const hash = xrpl.hashes.hashSignedTx(blob);
  const base = { tx_blob: blob, tx_json: { ...tx, hash } };
  if (!verifySignature(tx)) {
    return { status: 'error', error: 'invalidTransaction', error_exception: 'fails local checks: Invalid signature.' };
  }
  const acct = accountFor(tx.Account);
  if (!acct) return { status: 'success', ...base, ...result('terNO_ACCOUNT', 'The source account does not exist.') };
  const denied = authorization(tx, acct);
  if (denied) return { status: 'success', ...base, ...result(denied, MESSAGES[denied]) };
  if (tx.TransactionType === 'SignerListSet') {
    const malformed = signerListMalformed(tx);
    if (malformed) return { status: 'success', ...base, ...result(malformed, 'Malformed signer list.') };
  }
  const signers = tx.Signers ? tx.Signers.length : 0;
  if (BigInt(tx.Fee) < BASE_FEE * BigInt(1 + signers)) {
    return { status: 'success', ...base, ...result('telINSUF_FEE_P', 'Fee insufficient.') };
  }
  if (txs.has(hash)) {
    const known = txs.get(hash);
    // The same blob is never applied twice.
    return { status: 'success', ...base, ...result(known.status === 'validated' ? 'tefALREADY' : 'terQUEUED',
      known.status === 'validated' ? 'The exact transaction was already in this ledger.' : 'Held until escalated fee drops.') };
  }
  if (tx.LastLedgerSequence !== undefined && tx.LastLedgerSequence < currentIndex()) {
    return { status: 'success', ...base, ...result('tefMAX_LEDGER', 'Ledger sequence too high.') };
  }
  const queue = queues.get(tx.Account) || [];
  const expected = acct.sequence + queue.length;
  if (tx.Sequence < acct.sequence) return { status: 'success', ...base, ...result('tefPAST_SEQ', 'This sequence number has already passed.') };
  if (tx.Sequence !== expected) return { status: 'success', ...base, ...result('terPRE_SEQ', 'Missing/inapplicable prior transaction.') };
  if (queue.length >= QUEUE_LIMIT) return { status: 'success', ...base, ...result('telCAN_NOT_QUEUE_FULL', 'Can not queue at this time: the queue for this account is full.') };
  queue.push({ tx, blob, hash });
  queues.set(tx.Account, queue);
  maxQueue = Math.max(maxQueue, queue.length);
  const key = `${tx.Account}:${tx.Sequence}`;
  if (lose.has(key)) { lose.delete(key); lostHashes.add(hash); }
  txs.set(hash, { tx, blob, status: 'queued', result: null, ledger_index: null });
  const first = queue.length === 1;
  return { status: 'success', ...base, accepted: true, applied: first, queued: !first,
    ...result(first ? 'tesSUCCESS' : 'terQUEUED', first ? 'The transaction was applied. Only final in a validated ledger.' : 'Held until escalated fee drops.') };
}

// SetRegularKey, SignerListSet, AccountSet: what they change, or tecNO_ALTERNATIVE_KEY
// when nothing could sign afterwards (rippled checks this when it applies them).
function applyKeyChange(tx, acct) {
  const masterOff = (acct.flags & LSF_DISABLE_MASTER) !== 0;
  if (tx.TransactionType === 'SetRegularKey') {
    if (!tx.RegularKey && masterOff && !acct.signerList) return 'tecNO_ALTERNATIVE_KEY';
    acct.regularKey = tx.RegularKey || null;
  } else if (tx.TransactionType === 'SignerListSet') {
    if (tx.SignerQuorum === 0) {
      if (masterOff && !acct.regularKey) return 'tecNO_ALTERNATIVE_KEY';
      acct.signerList = null;
    } else {
      acct.signerList = { quorum: tx.SignerQuorum, entries: tx.SignerEntries.map((e) => e.SignerEntry) };
    }
  } else if (tx.TransactionType === 'AccountSet') {
    if (tx.SetFlag === 4 && !acct.regularKey && !acct.signerList) return 'tecNO_ALTERNATIVE_KEY';
    if (ASF_TO_LSF[tx.SetFlag]) acct.flags |= ASF_TO_LSF[tx.SetFlag];
    if (ASF_TO_LSF[tx.ClearFlag]) acct.flags &= ~ASF_TO_LSF[tx.ClearFlag];
  }
  return 'tesSUCCESS';
}

function closeLedger() {
  const index = currentIndex();
  for (const [address, queue] of queues) {
    const acct = accountFor(address);
    const keep = [];
    for (const item of queue) {
      const { tx, hash } = item;
      const rec = txs.get(hash);
      if (tx.LastLedgerSequence !== undefined && tx.LastLedgerSequence < index) {
        txs.delete(hash); // expired: never in a ledger
        continue;
      }
      if (lostHashes.has(hash) || tx.Sequence !== acct.sequence) {
        keep.push(item);
        continue;
      }
      const fee = BigInt(tx.Fee);
      let code = 'tesSUCCESS';
      if (tx.TransactionType === 'Payment' && typeof tx.Amount === 'string') {
        const amount = BigInt(tx.Amount);
        if (acct.balance < fee + amount) {
          code = 'tecUNFUNDED_PAYMENT';
        } else {
          acct.balance -= amount;
          const dest = accountFor(tx.Destination);
          if (dest) dest.balance += amount;
          else accounts.set(tx.Destination, newAccount(amount, index));
        }
      } else {
        code = applyKeyChange(tx, acct);
      }
      acct.balance -= fee;
      acct.sequence += 1;
      rec.status = 'validated';
      rec.result = code;
      rec.ledger_index = index;
    }
    queues.set(address, keep);
  }
  validatedIndex = index;
}

const methods = {
  account_info({ account, ledger_index }) {
    const acct = accountFor(account);
    if (!acct) return { status: 'error', error: 'actNotFound', error_message: 'Account not found.' };
    const validated = ledger_index === 'validated';
    const data = { Account: account, Balance: acct.balance.toString(), Flags: acct.flags, LedgerEntryType: 'AccountRoot', OwnerCount: 0, Sequence: acct.sequence };
    if (acct.regularKey) data.RegularKey = acct.regularKey;
    return validated
      ? { status: 'success', account_data: data, ledger_index: validatedIndex, validated: true }
      : { status: 'success', account_data: data, ledger_current_index: currentIndex(), validated: false };
  },
  account_objects({ account, type }) {
    const acct = accountFor(account);
    if (!acct) return { status: 'error', error: 'actNotFound', error_message: 'Account not found.' };
    const objects = [];
    if (acct.signerList && (!type || type === 'signer_list')) {
      objects.push({ LedgerEntryType: 'SignerList', Flags: 0, SignerListID: 0, SignerQuorum: acct.signerList.quorum,
        SignerEntries: acct.signerList.entries.map((e) => ({ SignerEntry: { Account: e.Account, SignerWeight: e.SignerWeight } })) });
    }
    return { status: 'success', account, account_objects: objects, ledger_index: validatedIndex, validated: true };
  },
  ledger_current() { return { status: 'success', ledger_current_index: currentIndex() }; },
  ledger({ ledger_index }) {
    if (ledger_index !== 'validated' && ledger_index !== undefined) return { status: 'error', error: 'invalidParams', error_message: 'only "validated" is supported by the stand-in' };
    return { status: 'success', ledger_index: validatedIndex, ledger: { ledger_index: String(validatedIndex), closed: true }, validated: true };
  },
  fee() {
    return { status: 'success', ledger_current_index: currentIndex(), drops: { base_fee: String(BASE_FEE), median_fee: '5000', minimum_fee: String(BASE_FEE), open_ledger_fee: String(BASE_FEE) } };
  },
  submit({ tx_blob }) { return submit(tx_blob); },
  tx({ transaction }) {
    const rec = txs.get(transaction);
    if (!rec) return { status: 'error', error: 'txnNotFound', error_message: 'Transaction not found.' };
    const out = { status: 'success', ...rec.tx, hash: transaction, validated: rec.status === 'validated' };
    if (rec.status === 'validated') {
      out.ledger_index = rec.ledger_index;
      out.meta = { TransactionResult: rec.result, TransactionIndex: 0 };
    }
    return out;
  },
  standin_lose({ account, sequence }) { lose.add(`${account}:${sequence}`); return { status: 'success' }; },
  standin_stats() { return { status: 'success', max_queue: maxQueue }; },
};

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; if (body.length > 1 << 20) req.destroy(); });
  req.on('end', () => {
    let reply;
    try {
      const { method, params } = JSON.parse(body);
      const handler = methods[method];
      reply = handler ? handler((params && params[0]) || {}) : { status: 'error', error: 'unknownCmd', error_message: 'Unknown method.' };
    } catch (e) {
      reply = { status: 'error', error: 'invalidParams', error_message: String(e.message) };
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ result: reply }));
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
const timer = setInterval(closeLedger, CLOSE_MS);
// Stop by ourselves: a test that forgets us must not leave a server behind.
setTimeout(() => { clearInterval(timer); server.close(); process.exit(0); }, Number(process.env.STANDIN_LIFETIME_MS || 120000));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
