import { TENANT_EVENT } from '@authtrail/catalog';
import { ConcurrencyError, SqliteEventStore } from '@authtrail/event-store';
import { TenantsService } from './tenants.service';

const DAY = 86_400_000;

describe('TenantsService deletion (on a real SQLite log)', () => {
  let now = Date.parse('2026-11-22T10:00:00Z');
  const clock = { now: () => new Date(now) };
  let seq = 0;
  const ids = { uuid: () => `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}` };
  const actor = { keyId: 'k1' };

  const setup = async () => {
    const store = SqliteEventStore.open(':memory:', { clock });
    const svc = new TenantsService(store, clock, ids, 7 * DAY);
    await svc.create('acme', actor);
    await svc.optIn('acme', actor);
    await svc.scheduleDeletion('acme', actor);
    now += 8 * DAY;
    return { store, svc };
  };

  it('a cancel that races the job wins: nothing is shredded', async () => {
    const { store, svc } = await setup();
    const stale = await svc.load('acme');
    await svc.cancelDeletion('acme', actor);
    jest.spyOn(svc, 'load').mockResolvedValueOnce(stale);
    const shredded: string[] = [];
    await expect(
      svc.completeDeletionIfDue('acme', { shredTenant: async (t) => void shredded.push(t) }),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    expect(shredded).toEqual([]);
    expect((await svc.load('acme')).deleted).toBe(false);
    await store.close();
  });

  it('a due deletion of a tenant under legal hold is deferred, stays scheduled, and runs once the holds are released', async () => {
    const { store, svc } = await setup();
    const shredded: string[] = [];
    const shredder = { shredTenant: async (t: string) => void shredded.push(t) };
    let inForce = ['hold-1', 'hold-2'];
    const holds = { holdsInForce: async () => inForce };
    expect(await svc.runDeletionIfDue('acme', shredder, holds)).toEqual({
      deleted: false,
      deferredBy: ['hold-1', 'hold-2'],
    });
    expect(shredded).toEqual([]);
    const waiting = await svc.load('acme');
    expect(waiting.deleted).toBe(false);
    expect(waiting.deletionDueAt).not.toBeNull();
    inForce = [];
    expect(await svc.runDeletionIfDue('acme', shredder, holds)).toEqual({ deleted: true });
    expect(shredded).toEqual(['acme']);
    await store.close();
  });

  it('records the deletion as a prompt commit (followers empty the tables at once), the rest as ordinary ones', async () => {
    const store = SqliteEventStore.open(':memory:', { clock });
    const svc = new TenantsService(store, clock, ids, 7 * DAY);
    const append = jest.spyOn(store, 'append');
    await svc.create('acme', actor);
    await svc.optIn('acme', actor);
    await svc.scheduleDeletion('acme', actor);
    now += 8 * DAY;
    await svc.completeDeletionIfDue('acme', { shredTenant: async () => undefined });
    const recorded = append.mock.calls.map(([, streams, options]) => ({
      types: streams.flatMap((s) => s.events.map((e) => e.type)),
      prompt: options?.prompt ?? false,
    }));
    expect(recorded).toEqual([
      { types: [TENANT_EVENT.created], prompt: false },
      { types: [TENANT_EVENT.optedIn], prompt: false },
      { types: [TENANT_EVENT.deletionScheduled], prompt: false },
      { types: [TENANT_EVENT.deleted], prompt: true },
    ]);
    await store.close();
  });

  it('a crash between recording and shredding is finished by the next run', async () => {
    const { store, svc } = await setup();
    await expect(
      svc.completeDeletionIfDue('acme', {
        shredTenant: () => Promise.reject(new Error('power cut')),
      }),
    ).rejects.toThrow('power cut');
    expect((await svc.load('acme')).deleted).toBe(true);
    const shredded: string[] = [];
    await svc.completeDeletionIfDue('acme', { shredTenant: async (t) => void shredded.push(t) });
    expect(shredded).toEqual(['acme']);
    await expect(svc.cancelDeletion('acme', actor)).rejects.toMatchObject({
      code: 'TENANT.NOT_FOUND',
    });
    await store.close();
  });
});
