import { LEDGER_EVENT } from '@authtrail/catalog';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { LedgerEntry } from './ledger-entry';
import { LedgerVerifier } from './ledger-verifier';
import { SealDocument, sealHash } from './seal';
import { createSeal } from './seal-builder';
import { SealSigningKey, sealPublicKeyFromPem } from './seal-key';

function testKey(): SealSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pub = sealPublicKeyFromPem(publicKey.export({ format: 'pem', type: 'spki' }).toString());
  return { ...pub, sign: (b) => sign(null, b, privateKey) };
}

type Entry = { -readonly [K in keyof LedgerEntry]: LedgerEntry[K] };

/** A log in memory: events of tenants interleaved, sealed by the same rules as the sealer. */
class Log {
  readonly entries: Entry[] = [];
  private readonly chains = new Map<string, { seq: number; prev: string | null; to: number }>();
  constructor(private readonly key: SealSigningKey) {}

  event(tenantId: string, body = `${tenantId}-${this.entries.length + 1}`): void {
    const data = Buffer.from(JSON.stringify({ tenantId, body }));
    this.entries.push({
      position: this.entries.length + 1,
      tenantId,
      streamId: `t-${tenantId}-sspr-s1`,
      data,
      hash: createHash('sha256').update(data).digest('hex'),
    });
  }

  seal(tenantId: string, chunkSize = 4): SealDocument {
    const chain = this.chains.get(tenantId) ?? { seq: 0, prev: null, to: 0 };
    const leaves = this.entries.filter(
      (e) => e.tenantId === tenantId && e.position > chain.to && !e.streamId.endsWith('-ledger'),
    );
    const doc = createSeal(
      {
        tenantId,
        sequence: chain.seq,
        afterPosition: chain.to,
        leaves,
        prevSealHash: chain.prev,
        sealedAt: new Date(0),
        keyId: this.key.keyId,
        chunkSize,
      },
      (b) => this.key.sign(b),
    );
    this.chains.set(tenantId, { seq: chain.seq + 1, prev: sealHash(doc), to: doc.toPosition });
    const data = Buffer.from(JSON.stringify({ tenantId, type: LEDGER_EVENT.sealed, data: doc }));
    this.entries.push({
      position: this.entries.length + 1,
      tenantId,
      streamId: `t-${tenantId}-ledger`,
      data,
      hash: createHash('sha256').update(data).digest('hex'),
    });
    return doc;
  }

  verify(key: SealSigningKey = this.key, entries: Entry[] = this.entries) {
    const v = new LedgerVerifier(key);
    for (const e of entries) v.add(e);
    return v.report();
  }

  at(position: number): Entry {
    return this.entries.find((e) => e.position === position)!;
  }
}

describe('LedgerVerifier', () => {
  const key = testKey();

  /** Given: tenants a and b interleaved, 40 events of a over two seals, b sealed once, a tail unsealed. */
  function given(): Log {
    const log = new Log(key);
    for (let i = 0; i < 20; i++) {
      log.event('a');
      if (i % 3 === 0) log.event('b');
    }
    log.seal('a');
    log.seal('b');
    for (let i = 0; i < 20; i++) log.event('a');
    log.seal('a');
    log.event('a');
    return log;
  }
  const aPositions = (log: Log) =>
    log.entries
      .filter((e) => e.tenantId === 'a' && !e.streamId.endsWith('-ledger'))
      .map((e) => e.position);

  it('passes an untouched log and reports the unsealed tail', () => {
    const report = given().verify();
    expect(report.ok).toBe(true);
    expect(report.disagreements).toEqual([]);
    expect(report.tenants.find((t) => t.tenantId === 'a')).toMatchObject({
      seals: 2,
      sealedEvents: 40,
      unsealedEvents: 1,
    });
  });

  it('names changed bytes at their position', () => {
    const log = given();
    const p = aPositions(log)[5];
    log.at(p).data = Buffer.from(log.at(p).data!.toString().replace('"body":"a', '"body":"A'));
    const d = log.verify().firstDisagreement!;
    expect(d).toMatchObject({ kind: 'changed', position: p, tenantId: 'a', sealSequence: 0 });
  });

  it('pins a change whose recorded hash was rewritten too to its chunk', () => {
    const log = given();
    const p = aPositions(log)[25];
    const e = log.at(p);
    e.data = Buffer.from('{"forged":true}');
    e.hash = createHash('sha256').update(e.data).digest('hex');
    const d = log.verify().firstDisagreement!;
    expect(d.kind).toBe('changed');
    expect(d.positions).toContain(p);
    expect(d.positions.length).toBeLessThanOrEqual(4);
  });

  it('names a deleted event', () => {
    const log = given();
    const p = aPositions(log)[7];
    const report = log.verify(
      key,
      log.entries.filter((e) => e.position !== p),
    );
    expect(report.firstDisagreement).toMatchObject({ kind: 'deleted', position: p });
    expect(report.disagreements).toHaveLength(1);
  });

  it('names an inserted event (an event of tenant b moved into a sealed range of a)', () => {
    const log = given();
    const moved = log.entries.find((e) => e.tenantId === 'b' && e.position > 3)!;
    moved.tenantId = 'a';
    moved.streamId = 't-a-sspr-s9';
    const report = log.verify();
    expect(report.disagreements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'inserted', tenantId: 'a', position: moved.position }),
        expect.objectContaining({ kind: 'deleted', tenantId: 'b', position: moved.position }),
      ]),
    );
  });

  it('names two swapped events, whether or not their recorded hashes moved with them', () => {
    for (const withHashes of [true, false]) {
      const log = given();
      const [p, q] = [aPositions(log)[2], aPositions(log)[6]];
      const [x, y] = [log.at(p), log.at(q)];
      [x.data, y.data] = [y.data, x.data];
      if (withHashes) [x.hash, y.hash] = [y.hash, x.hash];
      const report = log.verify();
      expect(report.firstDisagreement).toMatchObject({ kind: 'reordered', position: p });
      expect(report.firstDisagreement!.positions).toEqual([p, q]);
    }
  });

  it('names a forged seal, and a seal signed by another key', () => {
    const log = given();
    const sealEntry = log.entries.filter((e) => e.streamId === 't-a-ledger')[0];
    const envelope = JSON.parse(sealEntry.data!.toString());
    envelope.data.root = '0'.repeat(64);
    sealEntry.data = Buffer.from(JSON.stringify(envelope));
    const report = log.verify();
    expect(report.firstDisagreement).toMatchObject({
      kind: 'forged-seal',
      position: sealEntry.position,
      sealSequence: 0,
    });
    // The next seal still verifies: one forged seal does not cascade.
    expect(report.disagreements).toHaveLength(1);

    expect(given().verify(testKey()).firstDisagreement).toMatchObject({ kind: 'forged-seal' });
  });

  it('names a deleted seal as a broken chain', () => {
    const log = given();
    const first = log.entries.filter((e) => e.streamId === 't-a-ledger')[0];
    const report = log.verify(
      key,
      log.entries.filter((e) => e !== first),
    );
    expect(report.firstDisagreement).toMatchObject({ kind: 'broken-chain', sealSequence: 1 });
  });

  it('still verifies when pruned events left only their hashes', () => {
    const log = given();
    const pruned = new Set(aPositions(log).slice(0, 10));
    for (const e of log.entries) if (pruned.has(e.position)) delete e.data;
    expect(log.verify().ok).toBe(true);
  });
});
