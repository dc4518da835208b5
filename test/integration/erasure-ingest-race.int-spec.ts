import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventCatalog, PRIVACY_EVENT, exampleEvent } from '@authtrail/catalog';
import {
  type EventStore,
  type RecordedEvent,
  SqliteEventStore,
  decodeEnvelope,
} from '@authtrail/event-store';
import { IngestEventsCommand, IngestEventsHandler } from '@authtrail/ingest';
import { Keyring, masterKeyFromBytes, openSqliteVault } from '@authtrail/key-vault';
import { AppError } from '@authtrail/platform';
import { EraseSubjectCommand, EraseSubjectHandler } from '@authtrail/privacy';
import { TenantsService } from '@authtrail/tenancy';
import { InMemoryEventStore } from '@authtrail/testing';

/**
 * DESIGN.md "Streams and ordering": a person's lifecycle stream orders their erasure
 * against concurrent ingest. Two API replicas share the log and the vault, each with its
 * own key cache (≤ 1 s, DESIGN invariant 4): replica A erases a person while replica B,
 * which has just seen them, ingests more of their events. Whatever the interleaving, no
 * event may be stored under the erased subject after its `SubjectErased`, and none may be
 * lost: each lands before the erasure (and is shredded with it) or under a new subject.
 */
const TENANT = 'acme';
const PEOPLE = 30;

// A fixed clock: replica B's cache then holds the person's key for the whole race, as a
// replica's does for up to a second in production.
const clock = { now: () => new Date('2026-11-20T10:00:00.000Z') };
const ids = { uuid: () => randomUUID() };
const limits = { maxEvents: 1000, maxFutureSkewMs: 300_000 };

interface Harness {
  readonly store: EventStore;
  readonly ingestA: IngestEventsHandler;
  readonly ingestB: IngestEventsHandler;
  readonly erase: EraseSubjectHandler;
  close(): Promise<void>;
}

async function harness(openStore: (dir: string) => EventStore): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'authtrail-race-'));
  const store = openStore(dir);
  const vault = openSqliteVault(join(dir, 'vault.db'));
  await vault.init();
  const master = masterKeyFromBytes(randomBytes(32));
  const replicaA = new Keyring(vault.keyVault, master, clock);
  const replicaB = new Keyring(vault.keyVault, master, clock);
  const tenants = new TenantsService(store, clock, ids, 0);
  await tenants.create(TENANT, { keyId: 'k-operator' });
  await tenants.optIn(TENANT, { keyId: 'k-admin' });
  await replicaA.ensureTenant(TENANT);
  const catalog = EventCatalog.default();
  return {
    store,
    ingestA: new IngestEventsHandler(catalog, replicaA, tenants, store, clock, limits),
    ingestB: new IngestEventsHandler(catalog, replicaB, tenants, store, clock, limits),
    erase: new EraseSubjectHandler(replicaA, store, clock, ids),
    close: async () => {
      await store.close();
      await vault.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const eventOf = (upn: string) =>
  exampleEvent('mfa.AuthenticationAttempted', {
    occurredAt: '2026-11-20T09:59:00.000Z',
    target: { userPrincipalName: upn, displayName: 'Race Person', role: 'User' },
  });

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function readEverything(store: EventStore): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readAll({ after: all.at(-1)?.position ?? 0, limit: 1000 });
    if (page.length === 0) return all;
    all.push(...page);
  }
}

describe.each([
  [
    'SQLite (writer thread)',
    (dir: string): EventStore => SqliteEventStore.open(join(dir, 'events.db'), { clock }),
  ],
  ['in-memory reference store', (): EventStore => new InMemoryEventStore(undefined, clock)],
])('erasure racing ingest for the same person, on %s', (_name, openStore) => {
  it(`stores no event under the erased subject after its SubjectErased (${PEOPLE} people)`, async () => {
    const h = await harness(openStore);
    try {
      const sent = new Map<string, string[]>(); // person → event ids accepted
      const erasedSubject = new Map<string, string>(); // person → erased subject id
      const retriable: string[] = [];
      const ingest = async (
        handler: IngestEventsHandler,
        upn: string,
        wait: () => Promise<void> = async () => undefined,
      ): Promise<void> => {
        await wait();
        const event = eventOf(upn);
        try {
          const result = await handler.execute(
            new IngestEventsCommand(TENANT, [event], 'k-producer'),
          );
          expect(result.accepted).toBe(1);
          sent.get(upn)!.push(event.eventId);
        } catch (e) {
          // The one answer allowed besides success: nothing stored, send again.
          expect(e).toBeInstanceOf(AppError);
          expect((e as AppError).retriable).toBe(true);
          retriable.push(upn);
        }
      };

      for (let i = 0; i < PEOPLE; i++) {
        const upn = `race-${i}@contoso.com`;
        sent.set(upn, []);
        // Replica B sees the person first: their subject and key are in B's cache.
        await ingest(h.ingestB, upn);
        const results = await Promise.all([
          h.erase.execute(new EraseSubjectCommand(TENANT, upn, 'k-privacy')),
          ingest(h.ingestB, upn),
          ingest(h.ingestA, upn),
          ingest(h.ingestB, upn, tick),
          ingest(h.ingestA, upn, tick),
          ingest(h.ingestB, upn, () => new Promise((resolve) => setTimeout(resolve, i % 5))),
        ]);
        expect(results[0].subjectId).not.toBeNull();
        erasedSubject.set(upn, results[0].subjectId!);
        // Surely after the erasure, still with B's cached key of the erased subject.
        await ingest(h.ingestB, upn);
      }

      const log = await readEverything(h.store);
      const byEventId = new Map(log.map((r) => [r.eventId, r]));
      let movedToNewSubject = 0;
      for (const [upn, subjectId] of erasedSubject) {
        const erasure = log.filter(
          (r) =>
            r.type === PRIVACY_EVENT.erased && decodeEnvelope(r.data).data.subjectId === subjectId,
        );
        expect(erasure).toHaveLength(1);
        const erasedAt = erasure[0].position;
        const late = log.filter(
          (r) =>
            r.position > erasedAt &&
            Object.values(decodeEnvelope(r.data).subjects).includes(subjectId),
        );
        expect({ upn, eventsUnderErasedSubjectAfterErasure: late.map((r) => r.position) }).toEqual({
          upn,
          eventsUnderErasedSubjectAfterErasure: [],
        });
        // Nothing accepted was lost, and what came after the erasure has a new subject.
        for (const eventId of sent.get(upn)!) {
          const stored = byEventId.get(eventId);
          expect(stored).toBeDefined();
          const target = decodeEnvelope(stored!.data).subjects.target;
          if (stored!.position > erasedAt) {
            expect(target).not.toBe(subjectId);
            movedToNewSubject++;
          }
        }
      }
      // The race was real: at least the post-erasure event of every person came through a
      // stale cache entry and had to be moved.
      expect(movedToNewSubject).toBeGreaterThanOrEqual(PEOPLE);
      expect(retriable.length).toBeLessThan(PEOPLE);
    } finally {
      await h.close();
    }
  }, 120_000);
});
