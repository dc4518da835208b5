import { TENANT_EVENT } from '@authtrail/catalog';
import {
  ApplicationHarness,
  InMemoryCheckpointStore,
  InMemoryReadModel,
  applicationHarness,
} from '@authtrail/testing';
import { PROJECTOR_WORKER, Projector } from './projector';

describe('Projector (in memory)', () => {
  let h: ApplicationHarness;
  let model: InMemoryReadModel;
  let checkpoints: InMemoryCheckpointStore;
  const projector = () =>
    new Projector({ store: h.store, writer: model, checkpoints, catalog: h.catalog });
  const ingest = (...types: string[]) => h.ingestExamples(types);

  beforeEach(async () => {
    h = await applicationHarness();
    model = new InMemoryReadModel();
    checkpoints = new InMemoryCheckpointStore();
  });

  it('writes each data event’s rows and each person’s sealed display data, then checkpoints', async () => {
    await ingest('sspr.PasswordResetByAdmin', 'mfa.UserBlocked');
    const kim = (await h.keyring.findSubject(h.tenantId, 'kim@contoso.com'))!;

    const reached = await projector().catchUp();

    expect(reached).toBe(await h.store.headPosition());
    expect(checkpoints.positions.get(PROJECTOR_WORKER)).toBe(reached);
    expect(model.rows.sspr).toEqual([
      expect.objectContaining({ type: 'sspr.PasswordResetByAdmin', targetId: kim.subjectId }),
    ]);
    expect(model.rows.blocks).toEqual([
      expect.objectContaining({ type: 'mfa.UserBlocked', targetId: kim.subjectId, blocked: true }),
    ]);
    // The audit table has every recorded event, the tenant's own records first.
    expect(model.rows.audit.map((r) => r.type)).toEqual([
      TENANT_EVENT.created,
      TENANT_EVENT.optedIn,
      'sspr.PasswordResetByAdmin',
      'mfa.UserBlocked',
    ]);
    // Names only sealed, never in a row in clear.
    expect(JSON.stringify(model.rows)).not.toContain('contoso.com');
    expect(new Set(model.rows.sealed.map((r) => r.subjectId)).has(kim.subjectId)).toBe(true);
  });

  it('resumes from its checkpoint after a restart: nothing is written twice', async () => {
    await ingest('mfa.UserBlocked');
    await projector().catchUp();
    await ingest('sspr.Registered');
    const writes = model.writes.length;

    await projector().catchUp();

    expect(model.writes.slice(writes).flatMap((w) => w.audit.map((r) => r.type))).toEqual([
      'sspr.Registered',
    ]);
    expect(model.rows.audit).toHaveLength(4);
  });

  it('records an erasure after the rows before it, and drops the person’s sealed data', async () => {
    await ingest('mfa.UserBlocked');
    const kim = (await h.keyring.findSubject(h.tenantId, 'kim@contoso.com'))!;
    await h.erase('kim@contoso.com');

    await projector().catchUp();

    expect(model.erasures).toEqual([
      expect.objectContaining({ tenantId: h.tenantId, subjectId: kim.subjectId }),
    ]);
    expect(model.rows.sealed.filter((r) => r.subjectId === kim.subjectId)).toEqual([]);
    expect(model.rows.blocks).toHaveLength(1);
  });

  it('rebuilds the same tables from position zero', async () => {
    await ingest('sspr.PasswordResetByAdmin', 'mfa.UserBlocked');
    const p = projector();
    await p.catchUp();
    const before = structuredClone(model.rows);

    await p.rebuild();

    expect(checkpoints.saves.map((s) => s.position)).toContain(await h.store.headPosition());
    expect(model.rows).toEqual(before);
  });
});
