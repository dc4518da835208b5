import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { EventStoreDBClient } from '@eventstore/db-client';
import {
  CheckpointStore,
  EsdbEventStore,
  dataStream,
  newSystemEvent,
} from '@authtrail/event-store';
import {
  LedgerService,
  SealSigningKey,
  Sealer,
  inclusionProofValid,
  sealPublicKeyFromPem,
  type SealedProof,
} from '@authtrail/ledger';
import { randomIds } from '@authtrail/platform';
import { EsdbTestDouble } from './esdb-test-double';

// Ledger verification over ranges EventStoreDB expired by `$maxAge` (docs/ledger.md
// "Retention"): the server keeps nothing of an expired event, so each seal keeps what
// verify needs to accept it as expired — and nothing that would let a deletion pass.
// The double's clock is the test's; its scavenge stands in for the server's.
const DAY = 86_400_000;
const DAY_S = 86_400;
const TENANT = 'acme';
const WINDOWS = { mfa: 90 * DAY_S, sspr: 365 * DAY_S };

function testKey(): SealSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pub = sealPublicKeyFromPem(publicKey.export({ format: 'pem', type: 'spki' }).toString());
  return { ...pub, sign: (b) => sign(null, b, privateKey) };
}

function memoryCheckpoints(): CheckpointStore {
  const saved = new Map<string, number>();
  return {
    load: (w) => Promise.resolve(saved.get(w) ?? 0),
    save: (w, p) => Promise.resolve(void saved.set(w, p)),
    reset: (w) => Promise.resolve(void saved.delete(w)),
    close: () => Promise.resolve(),
  };
}

describe('ledger verify on EventStoreDB after $maxAge expiry (test double)', () => {
  const key = testKey();
  let now = Date.parse('2026-03-01T09:00:00.000Z');
  const clock = { now: () => new Date(now) };
  let double: EsdbTestDouble;
  let store: EsdbEventStore;
  let client: EventStoreDBClient;

  beforeEach(async () => {
    now = Date.parse('2026-03-01T09:00:00.000Z');
    double = await EsdbTestDouble.start({ now: () => now });
    store = EsdbEventStore.connect(double.connectionString, { clock, maxAgeSeconds: WINDOWS });
    client = EventStoreDBClient.connectionString(double.connectionString);
  });
  afterEach(async () => {
    await client.dispose();
    await store.close();
    await double.close();
  });

  /** MFA and SSPR facts of a few people, as ingest stores them (one stream per category and person). */
  const ingest = async (people: number, perPerson: number): Promise<void> => {
    for (let s = 0; s < people; s++)
      for (const category of ['mfa', 'sspr'] as const)
        await store.append(TENANT, [
          {
            streamId: dataStream(TENANT, category, `s_${s}`),
            expectedRevision: 'any',
            events: Array.from({ length: perPerson }, (_, i) =>
              newSystemEvent({
                eventId: randomUUID(),
                tenantId: TENANT,
                type: category === 'mfa' ? 'mfa.AuthenticationAttempted' : 'sspr.PasswordChanged',
                now: clock.now(),
                data: { i },
                subjects: { target: `s_${s}` },
              }),
            ),
          },
        ]);
  };
  const seal = (retentionWindows?: Record<string, number>) =>
    new Sealer(
      { store, checkpoints: memoryCheckpoints(), key, clock, ids: randomIds },
      { retentionWindows, chunkSize: 8 },
    ).sealOnce();
  const verify = () => new LedgerService(store, key, undefined, clock).verify({ tenantId: TENANT });
  const count = async (prefix: string) =>
    (await store.readAll({ after: 0, limit: 10_000, tenantId: TENANT })).filter((e) =>
      e.type.startsWith(prefix),
    ).length;

  it('passes after the server expired and scavenged MFA events, and proofs still compute', async () => {
    await ingest(4, 5);
    await seal(WINDOWS);
    expect((await verify()).ok).toBe(true);

    now += 91 * DAY;
    // $all keeps expired events until a scavenge, as on a real server.
    expect(await count('mfa.')).toBe(20);
    expect(double.scavenge()).toBeGreaterThanOrEqual(20);
    expect(await count('mfa.')).toBe(0);
    expect(await count('sspr.')).toBe(20);

    const report = await verify();
    expect(report.disagreements).toEqual([]);
    expect(report).toMatchObject({ ok: true, expiredEvents: 20 });

    // Inclusion proofs of the remaining events use the hashes the seal kept.
    const left = await store.readAll({ after: 0, limit: 10_000, tenantId: TENANT });
    const sspr = left.filter((e) => e.type.startsWith('sspr.'));
    const ledger = new LedgerService(store, key, undefined, clock);
    const proofs = await ledger.proveInclusion(
      TENANT,
      sspr.map((e) => e.position),
    );
    const [sealDoc] = (await ledger.seals(TENANT)).seals;
    for (const e of sspr) {
      const proof = proofs.get(e.position)!;
      expect(proof.status).toBe('sealed');
      expect(inclusionProofValid(e.data, e.position, proof as SealedProof, sealDoc.root)).toBe(
        true,
      );
    }
  });

  it('still names an event removed inside its window: a stream shortened by $maxAge, then scavenged', async () => {
    await ingest(3, 4);
    await seal(WINDOWS);
    now += 91 * DAY;
    // Someone with admin rights on the server gives one person's SSPR stream a one-second
    // $maxAge and scavenges: the events are gone, 274 days before their window ends.
    const victim = dataStream(TENANT, 'sspr', 's_1');
    const positions = (await store.readStream(victim)).map((e) => e.position);
    await client.setStreamMetadata(victim, { maxAge: 1 });
    now += 2000;
    double.scavenge();
    expect(await store.readStream(victim)).toEqual([]);

    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.expiredEvents).toBe(12);
    expect(report.disagreements.map((d) => [d.kind, d.position])).toEqual(
      positions.map((p) => ['deleted', p]),
    );
    expect(report.firstDisagreement!.message).toContain('within its retention until');
  });

  it('without retention annexes (older seals) expired events look deleted', async () => {
    await ingest(2, 3);
    await seal();
    now += 91 * DAY;
    double.scavenge();
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.disagreements.every((d) => d.kind === 'deleted')).toBe(true);
    expect(report.disagreements).toHaveLength(6);
  });
});
