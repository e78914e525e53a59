// xrpl.js on the same transactions as benches/xrpl_sign.rs, for comparison:
// Wallet.sign and verifySignature per second. Run: node benches/xrpl_js_sign.js
'use strict';
const path = require('path');
const xrpl = require(path.join(__dirname, '..', 'fixtures', 'xrpl', 'node_modules', 'xrpl'));
const keypairs = require(path.join(__dirname, '..', 'fixtures', 'xrpl', 'node_modules', 'ripple-keypairs'));

function rate(fn, seconds = 3) {
  for (let i = 0; i < 50; i++) fn(); // warm up
  let n = 0;
  const end = process.hrtime.bigint() + BigInt(seconds * 1e9);
  const start = process.hrtime.bigint();
  while (process.hrtime.bigint() < end) { fn(); n++; }
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

const entropy = new Uint8Array(16).fill(7);
for (const algorithm of ['ecdsa-secp256k1', 'ed25519']) {
  const wallet = xrpl.Wallet.fromSeed(keypairs.generateSeed({ entropy, algorithm }));
  const tx = { TransactionType: 'Payment', Account: wallet.classicAddress, Destination: 'rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn',
    Amount: '1000000', Fee: '12', Sequence: 42, LastLedgerSequence: 95256, Flags: 2147483648, Memos: [{ Memo: { MemoData: '72656E74' } }] };
  const signed = wallet.sign(tx);
  const sign = rate(() => wallet.sign(tx));
  const verify = rate(() => xrpl.verifySignature(signed.tx_blob));
  console.log(`xrpl.js ${algorithm}: sign ${sign.toFixed(0)}/s, verify ${verify.toFixed(0)}/s (node ${process.version}, xrpl ${require(path.join(__dirname, '..', 'fixtures', 'xrpl', 'node_modules', 'xrpl', 'package.json')).version})`);
}
