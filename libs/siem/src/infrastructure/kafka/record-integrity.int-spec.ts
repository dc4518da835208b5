import { createHash, createPublicKey, randomUUID, verify } from 'node:crypto';
import { exampleEvent, exampleTypes, LEDGER_EVENT, ProducerEvent } from '@authtrail/catalog';
import { ConsumedRecord, readTopic, testKafkaBrokers } from '@authtrail/testing';
import { SIEM_TOPICS } from '../../domain/siem-topics';
import { SiemHarness } from '../../testing/siem-harness';

// A SIEM's own check of the events topic (docs/siem.md "Verifying records"): nothing but
// the topics' contents and the public seal key, and node:crypto — none of authtrail's
// ledger code, so the test proves the documented procedure, not our implementation twice.
jest.setTimeout(120_000);

const brokers = testKafkaBrokers();

interface Integrity {
  format: string;
  chain_uid: string;
  position: number;
  fingerprint: { algorithm_id: number; value: string };
  seal: null | {
    sequence: number;
    seal_hash: string;
    leaf_index: number;
    tree_size: number;
    audit_path: string[];
  };
}
interface Seal {
  tenantId: string;
  sequence: number;
  positions: [number, number][];
  eventCount: number;
  chunkSize: number;
  chunkRoots: string[];
  root: string;
  prevSealHash: string | null;
  keyId: string;
  signature: string;
}

// --- the consumer's verifier ------------------------------------------------------------

const sha256 = (...parts: Buffer[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** Sorted keys, no whitespace (docs/ledger.md "Seal format"). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

function leaf(position: number, fingerprintHex: string): Buffer {
  const p = Buffer.alloc(8);
  p.writeBigUInt64BE(BigInt(position));
  return sha256(Buffer.of(0), p, Buffer.from(fingerprintHex, 'hex'));
}
const node = (l: Buffer, r: Buffer) => sha256(Buffer.of(1), l, r);

/** RFC 9162 §2.1.1 tree hash. */
function root(hashes: Buffer[]): Buffer {
  if (hashes.length === 1) return hashes[0];
  let k = 1;
  while (k * 2 < hashes.length) k *= 2;
  return node(root(hashes.slice(0, k)), root(hashes.slice(k)));
}

/** RFC 9162 §2.1.3.2: the root an audit path implies. */
function rootFromPath(l: Buffer, index: number, size: number, path: string[]): Buffer | null {
  let fn = index;
  let sn = size - 1;
  let r = l;
  for (const hex of path) {
    const p = Buffer.from(hex, 'hex');
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = node(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else r = node(r, p);
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 ? r : null;
}

function sealSignatureValid(seal: Seal, publicKeyPem: string): boolean {
  const { signature, ...payload } = seal;
  return verify(
    null,
    Buffer.from(canonical(payload)),
    createPublicKey(publicKeyPem),
    Buffer.from(signature, 'base64'),
  );
}
const sealHashOf = (seal: Seal) => {
  const { signature: _signature, ...payload } = seal;
  return sha256(Buffer.from(canonical(payload))).toString('hex');
};

/**
 * Verifies a tenant's records against its seals from the topics alone: each seal's
 * signature and chain link, then each chunk of leaves rebuilt from the records' fingerprints.
 * Returns the positions proven and the seals that failed.
 */
function verifyFromTopics(
  records: readonly { integrity: Integrity }[],
  seals: readonly Seal[],
  publicKeyPem: string,
): { proven: Set<number>; badSeals: number[]; badChunks: string[] } {
  const fingerprints = new Map<number, string>();
  for (const { integrity } of records)
    fingerprints.set(integrity.position, integrity.fingerprint.value);
  const proven = new Set<number>();
  const badSeals: number[] = [];
  const badChunks: string[] = [];
  let prev: string | null = null;
  for (const seal of [...seals].sort((a, b) => a.sequence - b.sequence)) {
    if (!sealSignatureValid(seal, publicKeyPem) || seal.prevSealHash !== prev) {
      badSeals.push(seal.sequence);
      prev = sealHashOf(seal);
      continue;
    }
    prev = sealHashOf(seal);
    const positions = seal.positions.flatMap(([a, b]) =>
      Array.from({ length: b - a + 1 }, (_, i) => a + i),
    );
    if (root(seal.chunkRoots.map((h) => Buffer.from(h, 'hex'))).toString('hex') !== seal.root) {
      badSeals.push(seal.sequence);
      continue;
    }
    for (let c = 0; c * seal.chunkSize < positions.length; c++) {
      const chunk = positions.slice(c * seal.chunkSize, (c + 1) * seal.chunkSize);
      const ok =
        chunk.every((p) => fingerprints.has(p)) &&
        root(chunk.map((p) => leaf(p, fingerprints.get(p)!))).toString('hex') ===
          seal.chunkRoots[c];
      if (ok) chunk.forEach((p) => proven.add(p));
      else badChunks.push(`${seal.sequence}/${c}`);
    }
  }
  return { proven, badSeals, badChunks };
}

/** A record that carries its proof verifies alone, given the seal it names. */
function proofValid(integrity: Integrity, seals: readonly Seal[], publicKeyPem: string): boolean {
  const s = integrity.seal;
  if (s === null) return false;
  const seal = seals.find((x) => x.sequence === s.sequence && sealHashOf(x) === s.seal_hash);
  if (seal === undefined || !sealSignatureValid(seal, publicKeyPem)) return false;
  const r = rootFromPath(
    leaf(integrity.position, integrity.fingerprint.value),
    s.leaf_index,
    s.tree_size,
    s.audit_path,
  );
  return r !== null && r.toString('hex') === seal.root;
}

// --- the test ---------------------------------------------------------------------------

const ofTenant = (tenant: string) => (r: ConsumedRecord) =>
  r.key === tenant || (r.key ?? '').startsWith(`${tenant}/`);

function eventsFor(name: string): ProducerEvent[] {
  const p = { userPrincipalName: `${name}@contoso.example`, displayName: name };
  return exampleTypes.map((type) => {
    const base = exampleEvent(type, { eventId: randomUUID() });
    return exampleEvent(type, {
      ...base,
      ...(base.target ? { target: { ...base.target, ...p } } : {}),
      eventId: base.eventId,
    });
  });
}

describe('OCSF record integrity on the events topic (kmock over TCP)', () => {
  let h: SiemHarness;
  beforeEach(async () => {
    h = await SiemHarness.start();
  });
  afterEach(async () => {
    await h.close();
  });

  it('lets a consumer prove every record against the signed seals from the topics and the public key alone, and catches an altered or missing record', async () => {
    const tenant = await h.tenant();
    await h.ingest(tenant, [...eventsFor('kim'), ...eventsFor('lee')]);
    const forwarder = h.forwarder({ kafkaBrokers: brokers });
    await h.caughtUp(forwarder);
    await h.seal(); // after forwarding: the live case, records carry no proof yet
    await h.ingest(tenant, eventsFor('ana'));
    await h.caughtUp(forwarder);
    await h.seal();
    await h.caughtUp(forwarder);

    const events = (await readTopic(brokers, SIEM_TOPICS.events)).filter(ofTenant(tenant));
    const parsed = events.map((r) => JSON.parse(r.value!));
    const seals: Seal[] = (await readTopic(brokers, SIEM_TOPICS.seals))
      .filter((r) => r.key === tenant)
      .map((r) => JSON.parse(r.value!).seal);
    expect(seals.length).toBeGreaterThanOrEqual(2);
    const log = await h.store.readAll({ after: 0, limit: 100_000, tenantId: tenant });
    const leaves = log.filter((e) => e.type !== LEDGER_EVENT.sealed);

    const withIntegrity = parsed.map((o) => ({
      type: o.unmapped.authtrail_type as string,
      integrity: o.unmapped.integrity as Integrity,
    }));
    for (const r of withIntegrity) {
      expect(r.integrity).toMatchObject({
        format: 'authtrail.record-integrity.v1',
        chain_uid: `t-${tenant}-ledger`,
        fingerprint: { algorithm_id: 3, algorithm: 'SHA-256' },
        seal: null,
      });
    }
    // The fingerprint is the ledger's own hash of the event.
    const byPosition = new Map(log.map((e) => [e.position, e.hash]));
    for (const r of withIntegrity)
      expect(r.integrity.fingerprint.value).toBe(byPosition.get(r.integrity.position));

    const dataRecords = withIntegrity.filter((r) => r.type !== LEDGER_EVENT.sealed);
    const pem = h.sealKey.publicKeyPem;
    const good = verifyFromTopics(dataRecords, seals, pem);
    expect(good.badSeals).toEqual([]);
    expect(good.badChunks).toEqual([]);
    expect([...good.proven].sort((a, b) => a - b)).toEqual(leaves.map((e) => e.position));

    // An altered record, a missing one, a seal not signed by this key: each is caught.
    const victim = dataRecords[3].integrity.position;
    const altered = dataRecords.map((r) =>
      r.integrity.position !== victim
        ? r
        : {
            ...r,
            integrity: {
              ...r.integrity,
              fingerprint: { ...r.integrity.fingerprint, value: 'ab'.repeat(32) },
            },
          },
    );
    const a = verifyFromTopics(altered, seals, pem);
    expect(a.proven.has(victim)).toBe(false);
    expect(a.badChunks).toHaveLength(1);
    const missing = verifyFromTopics(
      dataRecords.filter((r) => r.integrity.position !== victim),
      seals,
      pem,
    );
    expect(missing.proven.has(victim)).toBe(false);
    const forged = verifyFromTopics(
      dataRecords,
      seals.map((s, i) => (i === 0 ? { ...s, root: 'cd'.repeat(32) } : s)),
      pem,
    );
    expect(forged.badSeals).toContain(seals[0].sequence);
  });

  it('gives records forwarded after their seal an inclusion proof that verifies alone (a replay)', async () => {
    const tenant = await h.tenant();
    await h.ingest(tenant, eventsFor('kim'));
    await h.seal();
    await h.ingest(tenant, eventsFor('lee'));
    await h.seal();
    await h.ingest(tenant, eventsFor('ana')); // not sealed when forwarded: no proof
    const replay = h.forwarder({
      kafkaBrokers: brokers,
      worker: `replay-${randomUUID()}`,
      batchSize: 7,
    });
    await h.caughtUp(replay);

    const parsed = (await readTopic(brokers, SIEM_TOPICS.events))
      .filter(ofTenant(tenant))
      .map((r) => JSON.parse(r.value!));
    const seals: Seal[] = (await readTopic(brokers, SIEM_TOPICS.seals))
      .filter((r) => r.key === tenant)
      .map((r) => JSON.parse(r.value!).seal);
    expect(seals.map((s) => s.sequence)).toEqual([0, 1]);
    const pem = h.sealKey.publicKeyPem;
    const records = parsed.filter((o) => o.unmapped.authtrail_type !== LEDGER_EVENT.sealed);
    const sealOf = (o: { metadata: { sequence: number } }) =>
      seals.find((s) =>
        s.positions.some(([x, y]) => o.metadata.sequence >= x && o.metadata.sequence <= y),
      );
    const unsealed = records.filter((o) => sealOf(o) === undefined);
    expect(records.length - unsealed.length).toBe(seals[0].eventCount + seals[1].eventCount);
    expect(unsealed.length).toBeGreaterThan(0);
    for (const o of records.filter((r) => sealOf(r) !== undefined)) {
      expect(o.unmapped.integrity.seal).toMatchObject({ sequence: sealOf(o)!.sequence });
      expect(proofValid(o.unmapped.integrity, seals, pem)).toBe(true);
      const path = [...o.unmapped.integrity.seal.audit_path];
      path[0] = 'ef'.repeat(32);
      expect(
        proofValid(
          { ...o.unmapped.integrity, seal: { ...o.unmapped.integrity.seal, audit_path: path } },
          seals,
          pem,
        ),
      ).toBe(false);
    }
    for (const o of unsealed) expect(o.unmapped.integrity.seal).toBeNull();
  });
});
