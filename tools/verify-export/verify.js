#!/usr/bin/env node
'use strict';
/*
 * Standalone verifier for authtrail exports and seals (docs/ledger.md). Plain Node.js
 * (>= 16), no dependencies, no database access:
 *
 *   node verify.js export.json seals.json public-key.pem [--require-sealed] [--json]
 *   node verify.js --receipt receipt.json public-key.pem [--json]
 *
 * receipt.json GET /v1/privacy/erasures/{subjectId}/receipt (authtrail.erasure-receipt.v1):
 *              its Ed25519 signature over the canonical JSON of every other member, so
 *              any altered byte of any member fails.
 *
 * export.json  POST /v1/subjects/export (format authtrail.subject-export.v1)
 * seals.json   GET /v1/ledger/seals (format authtrail.seals.v1), or an array of seals
 * public key   GET /v1/ledger/public-key?format=pem, or its JSON
 *
 * Checks every seal's Ed25519 signature and chain link, then every exported event: its
 * envelope bytes hash to `hash`, and its Merkle inclusion proof leads to the root of the
 * seal it names. Exit code 0 when everything checks out, 1 otherwise, 2 on bad usage.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');

const PAYLOAD_FIELDS = [
  'format',
  'tenantId',
  'sequence',
  'afterPosition',
  'toPosition',
  'eventCount',
  'positions',
  'chunkSize',
  'chunkRoots',
  'root',
  'prevSealHash',
  'sealedAt',
  'keyId',
];

const sha256 = (...parts) => {
  const h = crypto.createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** Sorted keys, no whitespace, integers only: the bytes authtrail signs. */
function canonicalJson(v) {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new TypeError('canonical JSON takes integers only');
    return String(v);
  }
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(v)
    .filter((k) => v[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
}

function signedBytes(seal) {
  const payload = {};
  for (const f of PAYLOAD_FIELDS) payload[f] = seal[f];
  return Buffer.from(canonicalJson(payload), 'utf8');
}

/** SHA-256(0x00 ‖ uint64be(position) ‖ SHA-256(envelope bytes)). */
function eventLeaf(position, eventHash) {
  const b = Buffer.alloc(41);
  b[0] = 0;
  b.writeBigUInt64BE(BigInt(position), 1);
  eventHash.copy(b, 9);
  return sha256(b);
}

const nodeHash = (l, r) => sha256(Buffer.of(1), l, r);

/** RFC 9162 §2.1.3.2. */
function rootFromAuditPath(leaf, index, size, path) {
  if (!(index >= 0 && index < size)) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

function merkleRoot(hashes, lo = 0, hi = hashes.length) {
  const n = hi - lo;
  if (n === 1) return hashes[lo];
  let k = 1;
  while (k * 2 < n) k *= 2;
  return nodeHash(merkleRoot(hashes, lo, lo + k), merkleRoot(hashes, lo + k, hi));
}

function positionAt(runs, index) {
  let i = index;
  for (const [first, last] of runs) {
    const n = last - first + 1;
    if (i < n) return first + i;
    i -= n;
  }
  return null;
}

function readPublicKey(file) {
  const text = fs.readFileSync(file, 'utf8');
  const pem = text.trimStart().startsWith('{') ? JSON.parse(text).publicKeyPem : text;
  const key = crypto.createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the seal key must be Ed25519');
  const der = key.export({ format: 'der', type: 'spki' });
  const keyId = sha256(der.subarray(der.length - 32))
    .toString('hex')
    .slice(0, 16);
  return { key, keyId };
}

/** An erasure receipt: signed by the seal key over every member but `signature`. */
function verifyReceipt(receiptFile, keyFile, flags) {
  const { key, keyId } = readPublicKey(keyFile);
  const receipt = JSON.parse(fs.readFileSync(receiptFile, 'utf8'));
  const problems = [];
  if (receipt === null || typeof receipt !== 'object' || Array.isArray(receipt))
    throw new Error('the receipt must be a JSON object');
  if (receipt.format !== 'authtrail.erasure-receipt.v1')
    problems.push('receipt: not an authtrail.erasure-receipt.v1 document');
  if (receipt.keyId !== keyId)
    problems.push(`receipt: signed by key ${receipt.keyId}, not by the given key ${keyId}`);
  const { signature, ...payload } = receipt;
  let valid = false;
  try {
    valid =
      typeof signature === 'string' &&
      crypto.verify(
        null,
        Buffer.from(canonicalJson(payload), 'utf8'),
        key,
        Buffer.from(signature, 'base64'),
      );
  } catch {
    valid = false;
  }
  if (!valid) problems.push('receipt: signature does not match its contents');
  if (receipt.logVerified !== true) problems.push('receipt: the log did not verify when issued');
  const ok = problems.length === 0;
  if (flags.has('--json')) process.stdout.write(`${JSON.stringify({ ok, problems }, null, 2)}\n`);
  else {
    if (ok)
      process.stdout.write(
        `erasure receipt of subject ${receipt.subjectId} (tenant ${receipt.tenantId}) verified with key ${keyId}: key destroyed at ${receipt.keyDestroyedAt}, seal head ${receipt.sealHead ? `#${receipt.sealHead.sequence} ${receipt.sealHead.sealHash}` : 'none'}\n`,
      );
    for (const p of problems) process.stdout.write(`FAIL ${p}\n`);
    process.stdout.write(ok ? 'OK\n' : 'FAILED\n');
  }
  return ok ? 0 : 1;
}

function main(argv) {
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  if (flags.has('--receipt')) {
    const [receiptFile, keyFile] = argv.filter((a) => !a.startsWith('--'));
    if (!receiptFile || !keyFile) {
      process.stderr.write(
        'usage: node verify.js --receipt receipt.json public-key.pem [--json]\n',
      );
      return 2;
    }
    return verifyReceipt(receiptFile, keyFile, flags);
  }
  const [exportFile, sealsFile, keyFile] = argv.filter((a) => !a.startsWith('--'));
  if (!exportFile || !sealsFile || !keyFile) {
    process.stderr.write(
      'usage: node verify.js export.json seals.json public-key.pem [--require-sealed] [--json]\n',
    );
    return 2;
  }
  const problems = [];
  const { key, keyId } = readPublicKey(keyFile);
  const exported = JSON.parse(fs.readFileSync(exportFile, 'utf8'));
  const sealsJson = JSON.parse(fs.readFileSync(sealsFile, 'utf8'));
  const seals = Array.isArray(sealsJson) ? sealsJson : sealsJson.seals;
  const tenantId = exported.tenantId;
  if (exported.format !== 'authtrail.subject-export.v1')
    problems.push('export: not an authtrail.subject-export.v1 document');
  if (!Array.isArray(seals))
    throw new Error('seals: expected authtrail.seals.v1 or an array of seals');

  // 1. Seals: signature, tenant, chain.
  const bySequence = new Map();
  let previous = null;
  for (const seal of [...seals].sort((a, b) => a.sequence - b.sequence)) {
    const name = `seal ${seal.sequence}`;
    const bytes = signedBytes(seal);
    let signed = false;
    try {
      signed = crypto.verify(null, bytes, key, Buffer.from(String(seal.signature), 'base64'));
    } catch {
      signed = false;
    }
    if (!signed) {
      problems.push(`${name}: signature does not verify with key ${keyId}`);
      continue;
    }
    if (seal.tenantId !== tenantId)
      problems.push(`${name}: belongs to tenant ${seal.tenantId}, not ${tenantId}`);
    const chunkRoots = seal.chunkRoots.map((h) => Buffer.from(h, 'hex'));
    if (merkleRoot(chunkRoots).toString('hex') !== seal.root)
      problems.push(`${name}: root does not match its chunk roots`);
    if (previous !== null && previous.seal.sequence + 1 === seal.sequence) {
      if (seal.prevSealHash !== previous.hash)
        problems.push(`${name}: does not chain to seal ${previous.seal.sequence}`);
      if (seal.afterPosition !== previous.seal.toPosition)
        problems.push(`${name}: range does not follow seal ${previous.seal.sequence}`);
    } else if (previous !== null) {
      problems.push(
        `seals ${previous.seal.sequence + 1}..${seal.sequence - 1} are missing from ${sealsFile}`,
      );
    } else if (seal.sequence === 0 && seal.prevSealHash !== null) {
      problems.push(`${name}: the first seal names a predecessor`);
    }
    const hash = sha256(bytes).toString('hex');
    previous = { seal, hash };
    bySequence.set(seal.sequence, { seal, hash });
  }

  // 2. Events: hash, then inclusion proof against the named seal.
  let proven = 0;
  let pending = 0;
  for (const e of exported.events || []) {
    const name = `event ${e.eventId} (position ${e.position})`;
    const bytes = Buffer.from(e.envelope, 'base64');
    const eventHash = sha256(bytes);
    if (eventHash.toString('hex') !== e.hash) {
      problems.push(`${name}: envelope bytes do not hash to ${e.hash}`);
      continue;
    }
    let envelope;
    try {
      envelope = JSON.parse(bytes.toString('utf8'));
    } catch {
      envelope = {};
    }
    if (envelope.eventId !== e.eventId || envelope.tenantId !== tenantId)
      problems.push(
        `${name}: envelope names event ${envelope.eventId} of tenant ${envelope.tenantId}`,
      );
    const proof = e.proof || { status: 'missing' };
    if (proof.status !== 'sealed') {
      pending++;
      if (flags.has('--require-sealed')) problems.push(`${name}: not sealed (${proof.status})`);
      continue;
    }
    const entry = bySequence.get(proof.sealSequence);
    if (!entry) {
      problems.push(
        `${name}: seal ${proof.sealSequence} is not in ${sealsFile} (or did not verify)`,
      );
      continue;
    }
    if (entry.hash !== proof.sealHash)
      problems.push(`${name}: proof names another seal ${proof.sealSequence}`);
    if (
      proof.treeSize !== entry.seal.eventCount ||
      positionAt(entry.seal.positions, proof.leafIndex) !== e.position
    ) {
      problems.push(
        `${name}: seal ${proof.sealSequence} lists another position at leaf ${proof.leafIndex}`,
      );
      continue;
    }
    const root = rootFromAuditPath(
      eventLeaf(e.position, eventHash),
      proof.leafIndex,
      proof.treeSize,
      proof.auditPath.map((h) => Buffer.from(h, 'hex')),
    );
    if (root === null || root.toString('hex') !== entry.seal.root) {
      problems.push(
        `${name}: inclusion proof does not lead to the root of seal ${proof.sealSequence}`,
      );
      continue;
    }
    proven++;
  }

  const result = {
    ok: problems.length === 0,
    tenantId,
    keyId,
    seals: bySequence.size,
    events: (exported.events || []).length,
    proven,
    pending,
    problems,
  };
  if (flags.has('--json')) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    process.stdout.write(
      `${result.seals} seal(s) verified with key ${keyId}; ${proven} of ${result.events} exported events proven in a seal, ${pending} not sealed yet\n`,
    );
    for (const p of problems) process.stdout.write(`FAIL ${p}\n`);
    process.stdout.write(result.ok ? 'OK\n' : 'FAILED\n');
  }
  return result.ok ? 0 : 1;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`verify.js: ${error && error.message ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
