// A STAND-IN for rippled, for tests only: no real rippled can be installed here.
// It speaks rippled's JSON-RPC shapes for account_info, ledger, ledger_current, fee, submit
// and tx, and checks submitted blobs with the reference XRPL libraries (xrpl.js and
// ripple-binary-codec), never with airsign's code:
//   - the blob decodes, and its signature (single or multi) verifies;
//   - the account exists and the Fee covers the base fee (times signers + 1 when multi-signed);
//   - Sequence: past -> tefPAST_SEQ; next in line -> applied or queued (at most 10 per
//     account in the queue, as rippled's TxQ); a gap -> terPRE_SEQ;
//   - LastLedgerSequence already passed -> tefMAX_LEDGER; a queued transaction whose
//     LastLedgerSequence passes before it applies is dropped (the client sees it expire).
// A ledger closes every CLOSE_MS (default 300 ms); closed ledgers are validated at once.
// XRP Payments move balances; other transaction types charge the fee and use the Sequence.
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

const BASE_FEE = 10n;
const QUEUE_LIMIT = 10;
const CLOSE_MS = Number(process.env.STANDIN_CLOSE_MS || 300);
const genesis = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

const accounts = new Map(); // address -> {balance: BigInt, sequence, flags, regularKey}
for (const [address, a] of Object.entries(genesis.accounts)) {
  accounts.set(address, { balance: BigInt(a.balance), sequence: a.sequence, flags: 0, regularKey: null });
}
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

// The key must be the account's master key or its regular key (single-signed).
function keyAuthorized(tx, acct) {
  if (tx.Signers && tx.Signers.length) return true; // signer lists are not modelled
  const keyAccount = keypairs.deriveAddress(tx.SigningPubKey);
  return keyAccount === tx.Account || keyAccount === acct.regularKey;
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
  if (!keyAuthorized(tx, acct)) return { status: 'success', ...base, ...result('tefBAD_AUTH', 'Transaction\'s public key is not authorized.') };
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
          else accounts.set(tx.Destination, { balance: amount, sequence: index, flags: 0, regularKey: null });
        }
      } else if (tx.TransactionType === 'SetRegularKey') {
        acct.regularKey = tx.RegularKey || null;
      } else if (tx.TransactionType === 'AccountSet' && tx.SetFlag) {
        acct.flags |= 1 << tx.SetFlag;
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
