import { PRIVACY_EVENT, catalogExamples } from '@authtrail/catalog';
import { decodeEnvelope, subjectStream } from '@authtrail/event-store';
import { ApplicationHarness, applicationHarness } from '@authtrail/testing';
import { IngestEventsCommand } from './ingest-events.command';
import { IngestEventsHandler } from './ingest-events.command-handler';

const limits = { maxEvents: 10, maxFutureSkewMs: 300_000 };
const example = (type: string, occurredAt = '2026-11-20T09:59:00.000Z') =>
  catalogExamples.exampleEvent(type, { occurredAt });

describe('IngestEventsHandler (in memory)', () => {
  let h: ApplicationHarness;
  let ingest: IngestEventsHandler;
  const post = (events: unknown[]) =>
    ingest.execute(new IngestEventsCommand(h.tenantId, events, 'k-producer'));
  const personEvents = async () =>
    (await h.store.readAll({ after: 0, limit: 5000 })).filter(
      (r) => r.streamId.includes('-sspr-') || r.streamId.includes('-mfa-'),
    );

  beforeEach(async () => {
    h = await applicationHarness();
    ingest = new IngestEventsHandler(h.catalog, h.keyring, h.tenants, h.store, h.clock, limits);
  });

  it('stores a batch sealed per person, counted by category; the same batch again is duplicates', async () => {
    const batch = [example('sspr.PasswordResetByAdmin'), example('mfa.UserBlocked')];
    await expect(post(batch)).resolves.toEqual({
      accepted: 2,
      duplicates: 0,
      byCategory: { sspr: 1, mfa: 1 },
    });
    const stored = await personEvents();
    expect(stored.map((r) => r.eventId)).toEqual(batch.map((e) => e.eventId));
    const kim = await h.keyring.findSubject(h.tenantId, 'kim@contoso.com');
    expect(stored.map((r) => r.streamId)).toEqual([
      `t-acme-sspr-${kim!.subjectId}`,
      `t-acme-mfa-${kim!.subjectId}`,
    ]);
    expect(decodeEnvelope(stored[0].data)).toMatchObject({
      causationId: 'key:k-producer',
      recordedAt: '2026-11-20T10:00:00.000Z',
    });
    expect(Buffer.from(stored[0].data).toString('utf8')).not.toContain('kim@contoso.com');

    await expect(post(batch)).resolves.toEqual({ accepted: 0, duplicates: 2, byCategory: {} });
    expect(await personEvents()).toHaveLength(2);
  });

  it('lets other work run while it validates and protects a large batch, and keeps its order', async () => {
    const big = new IngestEventsHandler(h.catalog, h.keyring, h.tenants, h.store, h.clock, {
      ...limits,
      maxEvents: 1000,
    });
    const batch = Array.from({ length: 1000 }, (_, i) =>
      catalogExamples.exampleEvent(i % 2 ? 'mfa.UserBlocked' : 'sspr.PasswordResetByAdmin', {
        occurredAt: '2026-11-20T09:59:00.000Z',
      }),
    );
    // Turns of the event loop (as a request arriving meanwhile would get) before it is done.
    let turns = 0;
    let done = false;
    const pending = big.execute(new IngestEventsCommand(h.tenantId, batch, 'k-producer'));
    void pending.finally(() => (done = true));
    while (!done) {
      await new Promise((r) => setImmediate(r));
      turns++;
    }
    await expect(pending).resolves.toMatchObject({ accepted: 1000 });
    // Validation and sealing yield every 100 events: 10 + 9 turns at least.
    expect(turns).toBeGreaterThanOrEqual(19);
    expect((await personEvents()).map((r) => r.eventId)).toEqual(batch.map((e) => e.eventId));
  });

  it('refuses an eventId reused with other content, naming its index, and stores nothing', async () => {
    const first = example('sspr.PasswordResetByAdmin');
    await post([first]);
    const changed = { ...first, target: { ...first.target!, displayName: 'Kim A.' } };
    await expect(post([example('mfa.UserBlocked'), changed])).rejects.toMatchObject({
      code: 'EVENT.ID_CONFLICT',
      category: 'conflict',
      extensions: { indexes: [1] },
    });
    expect(await personEvents()).toHaveLength(1);
  });

  it('names every invalid event of a batch at once and stores none of it', async () => {
    const head = await h.store.headPosition();
    const future = example('mfa.UserBlocked', '2026-11-20T10:30:00.000Z');
    const noTarget = catalogExamples.exampleEvent('mfa.UserBlocked', { target: undefined });
    await expect(post([example('sspr.Registered'), future, noTarget])).rejects.toMatchObject({
      code: 'EVENT.INVALID',
      errors: [
        expect.objectContaining({ index: 1, path: '/occurredAt' }),
        expect.objectContaining({ index: 2 }),
      ],
    });
    expect(await h.store.headPosition()).toBe(head);
  });

  it('refuses an empty batch and one over the limit', async () => {
    await expect(post([])).rejects.toMatchObject({ code: 'EVENT.BATCH_EMPTY' });
    const many = Array.from({ length: 11 }, () => example('mfa.UserBlocked'));
    await expect(post(many)).rejects.toMatchObject({ code: 'EVENT.BATCH_TOO_LARGE' });
  });

  it('refuses a tenant that has not opted in, before looking at its events', async () => {
    h = await applicationHarness({ collecting: false });
    await h.tenants.create(h.tenantId, { keyId: 'k-operator' });
    ingest = new IngestEventsHandler(h.catalog, h.keyring, h.tenants, h.store, h.clock, limits);
    await expect(post(['not an event'])).rejects.toMatchObject({ code: 'TENANT.NOT_OPTED_IN' });
  });

  it('stores a person’s events after their erasure under a new subject, never the erased one', async () => {
    await post([example('mfa.UserBlocked')]);
    const erased = await h.keyring.findSubject(h.tenantId, 'kim@contoso.com');
    await h.erase('kim@contoso.com');
    const lifecycle = await h.store.readStream(subjectStream(h.tenantId, erased!.subjectId));
    expect(lifecycle.map((r) => r.type)).toEqual([PRIVACY_EVENT.erased]);

    await expect(post([example('mfa.UserBlocked')])).resolves.toMatchObject({ accepted: 1 });
    const [, after] = await personEvents();
    const kim = await h.keyring.findSubject(h.tenantId, 'kim@contoso.com');
    expect(kim!.subjectId).not.toBe(erased!.subjectId);
    expect(after.streamId).toBe(`t-acme-mfa-${kim!.subjectId}`);
  });
});
