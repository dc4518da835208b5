import { TENANT_EVENT } from '@authtrail/catalog';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NewEvent } from '../../domain/event-store.port';
import { SqliteEventStore } from './sqlite-event-store.adapter';

const event = (
  id: number,
  type: string,
  occurredAt: Date,
  subjectIds: readonly string[] = ['s_subject'],
): NewEvent => ({
  eventId: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`,
  type,
  fingerprint: `f${id}`,
  subjectIds,
  occurredAt,
  data: Buffer.from(JSON.stringify({ id, type })),
});

describe('SqliteEventStore retention', () => {
  const dir = mkdtempSync(join(tmpdir(), 'authtrail-retention-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('deletes only old events of the category, keeps their hashes, and stays append-only otherwise', async () => {
    const file = join(dir, 'events.db');
    const store = SqliteEventStore.open(file);
    const old = new Date('2026-01-01T00:00:00Z');
    const recent = new Date('2026-11-01T00:00:00Z');
    await store.append('t1', [
      {
        streamId: 't-t1-mfa-s_subject',
        expectedRevision: 'any',
        events: [
          event(1, 'mfa.AuthenticationAttempted', old),
          event(2, 'mfa.AuthenticationAttempted', recent),
        ],
      },
      {
        streamId: 't-t1-sspr-s_subject',
        expectedRevision: 'any',
        events: [event(3, 'sspr.PasswordChanged', old)],
      },
      {
        streamId: 't-t1-tenant',
        expectedRevision: 'any',
        events: [event(4, TENANT_EVENT.created, old)],
      },
    ]);
    const before = await store.readAll({ after: 0, limit: 100 });
    const cutoff = new Date('2026-06-01T00:00:00Z');

    expect(await store.prune('mfa.', cutoff)).toBe(1);
    expect(await store.prune('mfa.', cutoff)).toBe(0);
    const after = await store.readAll({ after: 0, limit: 100 });
    expect(after.map((e) => e.eventId.slice(-1))).toEqual(['2', '3', '4']);
    expect(await store.readPruned({ after: 0, limit: 10 })).toEqual([
      {
        position: before[0].position,
        tenantId: 't1',
        streamId: 't-t1-mfa-s_subject',
        hash: before[0].hash,
      },
    ]);
    expect(await store.readPruned({ after: 0, limit: 10, tenantId: 'other' })).toEqual([]);
    expect((await store.readBySubject('t1', 's_subject')).map((e) => e.position)).toEqual(
      after.map((e) => e.position),
    );
    // New appends keep positions increasing; the stream keeps its revision count.
    await store.append('t1', [
      {
        streamId: 't-t1-mfa-s_subject',
        expectedRevision: 1,
        events: [event(5, 'mfa.AuthenticationAttempted', recent)],
      },
    ]);
    expect(await store.headPosition()).toBeGreaterThan(before[before.length - 1].position);
    await store.close();

    // Outside retention the log and the kept hashes are still append-only.
    const db = new Database(file);
    expect(() =>
      db.prepare('DELETE FROM events WHERE position = ?').run(after[0].position),
    ).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM pruned_hashes').run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE pruned_hashes SET hash = 'x'").run()).toThrow(/append-only/);
    expect(db.prepare('SELECT count(*) AS n FROM retention_guard').get()).toEqual({ n: 0 });
    db.close();
  });

  it('leaves exempt tenants and the events naming an exempt person (any role) alone (legal hold)', async () => {
    const store = SqliteEventStore.open(join(dir, 'held.db'));
    const old = new Date('2026-01-01T00:00:00Z');
    const mfa = 'mfa.AuthenticationAttempted';
    await store.append('t1', [
      {
        streamId: 't-t1-mfa',
        expectedRevision: 'any',
        events: [
          event(11, mfa, old, ['s_held']),
          event(12, mfa, old, ['s_admin', 's_held']),
          event(13, mfa, old, ['s_other']),
        ],
      },
    ]);
    await store.append('t2', [
      { streamId: 't-t2-mfa', expectedRevision: 'any', events: [event(14, mfa, old, ['s_held'])] },
    ]);
    await store.append('t3', [
      { streamId: 't-t3-mfa', expectedRevision: 'any', events: [event(15, mfa, old, ['s_x'])] },
    ]);
    const cutoff = new Date('2026-06-01T00:00:00Z');
    const held = { tenants: ['t3'], subjects: [{ tenantId: 't1', subjectId: 's_held' }] };

    // Only t1's s_other event and t2's (same subject id, another tenant) go.
    expect(await store.prune('mfa.', cutoff, held)).toBe(2);
    const left = async () =>
      (await store.readAll({ after: 0, limit: 100 })).map((e) => e.eventId.slice(-2));
    expect(await left()).toEqual(['11', '12', '15']);
    // Released: the next run prunes them.
    expect(await store.prune('mfa.', cutoff)).toBe(3);
    expect(await left()).toEqual([]);
    await store.close();
  });

  it('keeps a held person’s events in their own data streams, which have no subject-index row', async () => {
    const file = join(dir, 'held-own.db');
    const store = SqliteEventStore.open(file);
    const old = new Date('2026-01-01T00:00:00Z');
    const mfa = 'mfa.AuthenticationAttempted';
    await store.append('t1', [
      {
        streamId: 't-t1-mfa-s_held',
        expectedRevision: 'any',
        events: [event(21, mfa, old, ['s_held'])],
      },
      {
        streamId: 't-t1-mfa-s_free',
        expectedRevision: 'any',
        events: [event(22, mfa, old, ['s_free'])],
      },
    ]);
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM event_subjects').get()).toEqual({ n: 0 });
    db.close();

    const held = { tenants: [], subjects: [{ tenantId: 't1', subjectId: 's_held' }] };
    expect(await store.prune('mfa.', new Date('2026-06-01T00:00:00Z'), held)).toBe(1);
    expect((await store.readAll({ after: 0, limit: 10 })).map((e) => e.eventId.slice(-2))).toEqual([
      '21',
    ]);
    await store.close();
  });
});
