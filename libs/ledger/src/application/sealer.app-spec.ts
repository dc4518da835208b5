import {
  ApplicationHarness,
  InMemoryCheckpointStore,
  applicationHarness,
  testSealKey,
} from '@authtrail/testing';
import type { SealSigningKey } from '../domain/seal-key';
import { sealHash } from '../domain/seal';
import { LedgerService } from './ledger.service';
import { SEALER_WORKER, Sealer } from './sealer';

describe('Sealer (in memory)', () => {
  let h: ApplicationHarness;
  let key: SealSigningKey;
  let checkpoints: InMemoryCheckpointStore;
  let ledger: LedgerService;
  const sealer = (options = {}) =>
    new Sealer({ store: h.store, checkpoints, key, clock: h.clock, ids: h.ids }, options);
  const ingest = (tenantId: string, count: number) =>
    h.ingestExamples(Array<string>(count).fill('mfa.UserBlocked'), tenantId);

  beforeEach(async () => {
    h = await applicationHarness();
    key = testSealKey();
    checkpoints = new InMemoryCheckpointStore();
    ledger = new LedgerService(h.store, key, undefined, h.clock);
  });

  it('seals each tenant’s events into its own signed chain that verify accepts', async () => {
    await h.collecting('globex');
    await ingest(h.tenantId, 3);
    await ingest('globex', 2);

    const seals = await sealer().sealOnce();

    expect(seals.map((s) => s.tenantId).sort()).toEqual(['acme', 'globex']);
    expect(checkpoints.positions.get(SEALER_WORKER)).toBe((await h.store.headPosition()) - 2);
    const report = await ledger.verify();
    expect(report).toMatchObject({ ok: true, firstDisagreement: null });
    expect(report.checkedSeals).toBe(2);
    const acme = report.tenants.find((t) => t.tenantId === 'acme')!;
    expect(acme).toMatchObject({ seals: 1, unsealedEvents: 0 });
    // acme's two tenant records and three events
    expect(acme.sealedEvents).toBe(5);
  });

  it('chains the next seal to the last one and seals nothing twice, also after a restart', async () => {
    await ingest(h.tenantId, 2);
    const [first] = await sealer().sealOnce();
    await expect(sealer().sealOnce()).resolves.toEqual([]);
    await ingest(h.tenantId, 1);

    const [second] = await sealer().sealOnce();

    expect(second).toMatchObject({ sequence: first.sequence + 1, afterPosition: first.toPosition });
    const { seals } = await ledger.seals(h.tenantId);
    expect(seals[1].prevSealHash).toBe(sealHash(seals[0]));
    await expect(ledger.verify({ tenantId: h.tenantId })).resolves.toMatchObject({ ok: true });
  });

  it('makes a changed stored event show up in verify at its position', async () => {
    await ingest(h.tenantId, 2);
    await sealer().sealOnce();
    const victim = h.log.events.find((e) => e.type === 'mfa.UserBlocked')!;
    const bytes = Buffer.from(victim.data);
    bytes[bytes.indexOf('"Success"')] = 'x'.charCodeAt(0);
    Object.assign(victim, { data: new Uint8Array(bytes) });

    const report = await ledger.verify({ tenantId: h.tenantId });

    expect(report.ok).toBe(false);
    expect(report.firstDisagreement).toMatchObject({ tenantId: 'acme', position: victim.position });
  });
});
