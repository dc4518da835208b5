import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConcurrencyError,
  SqliteCheckpointStore,
  SqliteEventStore,
  dataStream,
  ledgerStream,
  newSystemEvent,
} from '@authtrail/event-store';
import { randomIds } from '@authtrail/platform';
import { loadOrCreateSealKey } from './seal-key.loader';
import { LedgerService } from '../application/ledger.service';
import { Sealer } from '../application/sealer';
import { inclusionProofValid, SealedProof } from '../domain/inclusion-proof';

/** One ~1 KB event of a tenant, shaped like a stored envelope. */
function event(tenantId: string, i: number) {
  return newSystemEvent({
    eventId: randomUUID(),
    tenantId,
    type: 'sspr.PasswordChanged',
    now: new Date(1_700_000_000_000 + i),
    data: { i, padding: 'x'.repeat(900) },
    subjects: { target: `s_${i % 50}` },
  });
}

describe('Sealer and LedgerService on the SQLite event store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'authtrail-ledger-'));
  const key = loadOrCreateSealKey(join(dir, 'keys', 'seal.key'));
  let n = 0;
  const fresh = () => {
    const d = join(dir, `case-${n++}`);
    mkdirSync(d);
    const store = SqliteEventStore.open(join(d, 'events.db'));
    const checkpoints = new SqliteCheckpointStore(join(d, 'checkpoints.db'));
    const deps = { store, checkpoints, key, clock: { now: () => new Date() }, ids: randomIds };
    return {
      store,
      checkpoints,
      deps,
      close: async () => (await store.close(), await checkpoints.close()),
    };
  };
  const append = async (store: SqliteEventStore, tenantId: string, count: number, from = 0) => {
    for (let i = 0; i < count; i += 1000) {
      const events = Array.from({ length: Math.min(1000, count - i) }, (_, j) =>
        event(tenantId, from + i + j),
      );
      await store.append(tenantId, [
        { streamId: dataStream(tenantId, 'sspr', 's_1'), expectedRevision: 'any', events },
      ]);
    }
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the seal key 0600 once and reads the same key back', () => {
    const file = join(dir, 'keys', 'seal.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadOrCreateSealKey(file).keyId).toBe(key.keyId);
  });

  it('seals each tenant in its own chain, splits large ranges, and verify passes', async () => {
    const { store, deps, close } = fresh();
    await append(store, 'a', 2500);
    await append(store, 'b', 300);
    await append(store, 'a', 100, 2500);
    const seals = await new Sealer(deps, { maxEventsPerSeal: 1000 }).sealOnce();
    expect(seals.map((s) => [s.tenantId, s.sequence, s.eventCount])).toEqual([
      ['a', 0, 1000],
      ['a', 1, 1000],
      ['a', 2, 600],
      ['b', 0, 300],
    ]);
    const ledger = new LedgerService(store, key);
    const report = await ledger.verify();
    expect(report.ok).toBe(true);
    expect(
      report.tenants.map((t) => [t.tenantId, t.seals, t.sealedEvents, t.unsealedEvents]),
    ).toEqual([
      ['a', 3, 2600, 0],
      ['b', 1, 300, 0],
    ]);
    expect((await ledger.verify({ tenantId: 'b' })).tenants.map((t) => t.tenantId)).toEqual(['b']);
    // An idle pass seals nothing: seals are not leaves of later seals.
    expect(await new Sealer(deps).sealOnce()).toEqual([]);
    await close();
  });

  it('is idempotent after a crash: the ledger stream, not the checkpoint, says what is sealed', async () => {
    const { store, checkpoints, deps, close } = fresh();
    await append(store, 'a', 50);
    await new Sealer(deps).sealOnce();
    // A crash between the seal's append and the checkpoint: the checkpoint is lost.
    await checkpoints.reset('sealer');
    await append(store, 'a', 10, 50);
    const again = await new Sealer(deps).sealOnce();
    expect(again.map((s) => [s.sequence, s.afterPosition, s.eventCount])).toEqual([[1, 50, 10]]);
    expect((await new LedgerService(store, key).verify()).ok).toBe(true);
    await close();
  });

  it('two sealers racing never fork a chain', async () => {
    const { store, deps, close } = fresh();
    await append(store, 'a', 20);
    const results = await Promise.allSettled([
      new Sealer(deps).sealOnce(),
      new Sealer(deps).sealOnce(),
    ]);
    const failed = results.filter((r) => r.status === 'rejected');
    expect(failed.length).toBeLessThanOrEqual(1);
    for (const f of failed)
      if (f.status === 'rejected') expect(f.reason).toBeInstanceOf(ConcurrencyError);
    expect(await store.readStream(ledgerStream('a'))).toHaveLength(1);
    expect((await new LedgerService(store, key).verify()).ok).toBe(true);
    await close();
  });

  it('proves inclusion of sealed events and says pending for the rest', async () => {
    const { store, deps, close } = fresh();
    await append(store, 'a', 200);
    await new Sealer(deps).sealOnce();
    await append(store, 'a', 1, 200);
    const ledger = new LedgerService(store, key);
    const proofs = await ledger.proveInclusion('a', [1, 137, 201]);
    expect(proofs.get(201)).toMatchObject({ status: 'pending' });
    const [seal] = (await ledger.seals('a')).seals;
    const events = await store.readAll({ after: 0, limit: 300 });
    for (const p of [1, 137]) {
      const proof = proofs.get(p) as SealedProof;
      expect(proof.status).toBe('sealed');
      const data = events.find((e) => e.position === p)!.data;
      expect(inclusionProofValid(data, p, proof, seal.root)).toBe(true);
      expect(inclusionProofValid(Buffer.from('other'), p, proof, seal.root)).toBe(false);
    }
    await close();
  });

  it('verifies a large log: 200k events of 3 tenants (timing printed)', async () => {
    const { store, deps, close } = fresh();
    const total = 200_000;
    for (let i = 0; i < total; i += 10_000)
      await append(store, ['a', 'b', 'c'][(i / 10_000) % 3], 10_000, i);
    let t = Date.now();
    const seals = await new Sealer(deps).sealOnce();
    const sealMs = Date.now() - t;
    t = Date.now();
    const report = await new LedgerService(store, key).verify();
    const verifyMs = Date.now() - t;
    expect(report.ok).toBe(true);
    expect(report.checkedEvents).toBe(total);
    process.stdout.write(
      `ledger: sealed ${total} events into ${seals.length} seals in ${sealMs} ms; verified in ${verifyMs} ms (${Math.round((verifyMs * 1_000_000) / total / 1000)} s per 1M)\n`,
    );
    await close();
  }, 300_000);
});
