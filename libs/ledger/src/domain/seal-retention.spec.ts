import { LEDGER_EVENT } from '@authtrail/catalog';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { LedgerEntry } from './ledger-entry';
import { EXPIRY_CLOCK_SKEW_MS, LedgerVerifier } from './ledger-verifier';
import { SealDocument, sealHash } from './seal';
import { createSeal } from './seal-builder';
import { SealSigningKey, sealPublicKeyFromPem } from './seal-key';
import { RetainedLeafInput, createSealRetention, retainedHashes } from './seal-retention';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-10T08:00:00.000Z');
const WINDOWS = { mfa: 90 * 86_400, sspr: 365 * 86_400 };

function testKey(): SealSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pub = sealPublicKeyFromPem(publicKey.export({ format: 'pem', type: 'spki' }).toString());
  return { ...pub, sign: (b) => sign(null, b, privateKey) };
}

type Entry = { -readonly [K in keyof LedgerEntry]: LedgerEntry[K] } & {
  category: string | null;
  recordedAt: Date;
};

/**
 * Given: one tenant, MFA and SSPR events recorded a day apart (and a tenant record kept
 * for good), sealed twice with retention annexes, as the sealer does.
 */
function given(key: SealSigningKey, annex: 'with' | 'without' = 'with') {
  const entries: Entry[] = [];
  const seals: SealDocument[] = [];
  let after = 0;
  let prev: string | null = null;
  const event = (category: string | null, day: number): void => {
    const data = Buffer.from(JSON.stringify({ n: entries.length, category }));
    entries.push({
      position: entries.length + 1,
      tenantId: 'a',
      streamId: category === null ? 't-a-tenant' : `t-a-${category}-s1`,
      data,
      hash: createHash('sha256').update(data).digest('hex'),
      category,
      recordedAt: new Date(T0 + day * DAY),
    });
  };
  const seal = (): void => {
    const leaves: RetainedLeafInput[] = entries.filter(
      (e) => e.position > after && e.streamId !== 't-a-ledger',
    );
    const doc = createSeal(
      {
        tenantId: 'a',
        sequence: seals.length,
        afterPosition: after,
        leaves,
        prevSealHash: prev,
        sealedAt: new Date(T0),
        keyId: key.keyId,
        chunkSize: 4,
      },
      (b) => key.sign(b),
    );
    const retention =
      annex === 'with' ? createSealRetention(doc, leaves, WINDOWS, (b) => key.sign(b)) : undefined;
    const data = Buffer.from(
      JSON.stringify({ tenantId: 'a', type: LEDGER_EVENT.sealed, data: doc, retention }),
    );
    entries.push({
      position: entries.length + 1,
      tenantId: 'a',
      streamId: 't-a-ledger',
      data,
      hash: createHash('sha256').update(data).digest('hex'),
      category: null,
      recordedAt: new Date(T0),
    });
    seals.push(doc);
    after = doc.toPosition;
    prev = sealHash(doc);
  };
  for (let i = 0; i < 10; i++) event(i % 3 === 0 ? 'sspr' : 'mfa', i % 2);
  event(null, 0);
  seal();
  for (let i = 0; i < 6; i++) event('mfa', 2);
  seal();
  return { entries, seals, seal: (n: number) => seals[n] };
}

function verify(key: SealSigningKey, entries: readonly Entry[], now: number) {
  const v = new LedgerVerifier(key, { now: new Date(now) });
  for (const e of entries) v.add(e);
  return v.report();
}

describe('verify over events a store expired by retention', () => {
  const key = testKey();
  const mfaExpiry = (e: Entry) => e.recordedAt.getTime() + 90 * DAY;

  it('accepts every sealed event gone after its window, known by the annex', () => {
    const { entries } = given(key);
    const now = T0 + 100 * DAY;
    // The store dropped every MFA event (all older than 90 days by now).
    const left = entries.filter((e) => e.category !== 'mfa');
    const report = verify(key, left, now);
    expect(report.disagreements).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.expiredEvents).toBe(entries.filter((e) => e.category === 'mfa').length);
    expect(report.tenants[0]).toMatchObject({ seals: 2, expiredEvents: report.expiredEvents });
  });

  it('names an event removed inside its window as deleted, with its window', () => {
    const { entries } = given(key);
    const victim = entries.find((e) => e.category === 'sspr')!;
    const report = verify(
      key,
      entries.filter((e) => e !== victim),
      T0 + 100 * DAY,
    );
    expect(report.ok).toBe(false);
    expect(report.firstDisagreement).toMatchObject({ kind: 'deleted', position: victim.position });
    expect(report.firstDisagreement!.message).toContain('within its retention until');
  });

  it('tells expired from deleted event by event: a day before its window ends it is deleted', () => {
    const { entries } = given(key);
    const mfa = entries.filter((e) => e.category === 'mfa');
    const oldest = mfa.find((e) => e.recordedAt.getTime() === T0)!;
    const youngest = mfa.find((e) => e.recordedAt.getTime() === T0 + 2 * DAY)!;
    // Both removed when only the oldest's window has ended.
    const now = mfaExpiry(oldest) + DAY;
    const report = verify(
      key,
      entries.filter((e) => e !== oldest && e !== youngest),
      now,
    );
    expect(report.disagreements.map((d) => [d.kind, d.position])).toEqual([
      ['deleted', youngest.position],
    ]);
    expect(report.expiredEvents).toBe(1);
    // Within the allowed clock skew of its end the youngest counts as expired too.
    const later = verify(
      key,
      entries.filter((e) => e !== oldest && e !== youngest),
      mfaExpiry(youngest) - EXPIRY_CLOCK_SKEW_MS,
    );
    expect(later.ok).toBe(true);
  });

  it('never accepts a missing event kept for good (no retention category)', () => {
    const { entries } = given(key);
    const kept = entries.find((e) => e.category === null && e.streamId === 't-a-tenant')!;
    const report = verify(
      key,
      entries.filter((e) => e !== kept),
      T0 + 1000 * DAY,
    );
    expect(report.firstDisagreement).toMatchObject({ kind: 'deleted', position: kept.position });
  });

  it('still checks the chunk roots around expired events: rewritten bytes and hash are caught', () => {
    const { entries } = given(key);
    const left = entries.filter((e) => e.category !== 'mfa');
    const sspr = left.find((e) => e.category === 'sspr')!;
    sspr.data = Buffer.from('{"forged":true}');
    sspr.hash = createHash('sha256').update(sspr.data).digest('hex');
    const report = verify(key, left, T0 + 100 * DAY);
    expect(report.firstDisagreement!.kind).toBe('changed');
    expect(report.firstDisagreement!.positions).toContain(sspr.position);
  });

  it('refuses an annex made to look older, and then the event counts as deleted', () => {
    const { entries } = given(key);
    const sealEntry = entries.find((e) => e.streamId === 't-a-ledger')!;
    const envelope = JSON.parse(Buffer.from(sealEntry.data!).toString());
    // Every run recorded a year earlier: the attacker wants an in-window event to pass.
    envelope.retention.runs = envelope.retention.runs.map(
      ([n, c, at]: [number, string, number]) => [n, c, at - 365 * DAY],
    );
    sealEntry.data = Buffer.from(JSON.stringify(envelope));
    const victim = entries.find((e) => e.category === 'mfa')!;
    const report = verify(
      key,
      entries.filter((e) => e !== victim),
      T0 + 10 * DAY,
    );
    expect(report.disagreements.map((d) => d.kind).sort()).toEqual(['deleted', 'forged-seal']);
    expect(report.disagreements.find((d) => d.kind === 'forged-seal')!.message).toContain(
      'retention annex is not signed',
    );
  });

  it('refuses the annex of another seal', () => {
    const { entries } = given(key);
    const [first, second] = entries.filter((e) => e.streamId === 't-a-ledger');
    const a = JSON.parse(Buffer.from(first.data!).toString());
    const b = JSON.parse(Buffer.from(second.data!).toString());
    a.retention = b.retention;
    first.data = Buffer.from(JSON.stringify(a));
    const report = verify(key, entries, T0);
    expect(report.firstDisagreement).toMatchObject({ kind: 'forged-seal', sealSequence: 0 });
    expect(report.firstDisagreement!.message).toContain('belongs to another seal');
  });

  it('without an annex (older seals) a missing event stays deleted', () => {
    const { entries } = given(key, 'without');
    const report = verify(
      key,
      entries.filter((e) => e.category !== 'mfa'),
      T0 + 1000 * DAY,
    );
    expect(report.ok).toBe(false);
    expect(report.firstDisagreement!.kind).toBe('deleted');
  });

  it('gives inclusion proofs the hashes of expired events', () => {
    const { entries, seal } = given(key);
    const sealEntry = entries.find((e) => e.streamId === 't-a-ledger')!;
    const annex = JSON.parse(Buffer.from(sealEntry.data!).toString()).retention;
    const hashOf = retainedHashes(annex, seal(0), key)!;
    for (const e of entries.filter((x) => x.position <= seal(0).toPosition && x !== sealEntry))
      expect(hashOf(e.position)).toBe(e.hash);
    expect(retainedHashes(annex, seal(1), key)).toBeNull();
  });
});
