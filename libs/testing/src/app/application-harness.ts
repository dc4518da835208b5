import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { EventCatalog, ProducerEvent, catalogExamples } from '@authtrail/catalog';
import { IngestEventsCommand, IngestEventsHandler, IngestResult } from '@authtrail/ingest';
import { Keyring, masterKeyFromBytes } from '@authtrail/key-vault';
import { SealSigningKey, sealPublicKeyFromPem } from '@authtrail/ledger';
import type { Clock, IdSource } from '@authtrail/platform';
import { EraseSubjectCommand, EraseSubjectHandler, ErasureResult } from '@authtrail/privacy';
import { TenantsService } from '@authtrail/tenancy';
import { InMemoryEventLog, InMemoryEventStore } from '../event-store/in-memory-event-store';
import { InMemoryKeyVault } from '../key-vault/in-memory-key-vault';

/** A clock a test moves by hand. */
export class ManualClock implements Clock {
  constructor(private current: Date) {}

  now(): Date {
    return new Date(this.current.getTime());
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** UUIDs `00000000-0000-4000-8000-000000000001`, `…02`, …: a test can name what a handler writes. */
export class SequentialIds implements IdSource {
  private next = 0;

  uuid(): string {
    return `00000000-0000-4000-8000-${(++this.next).toString(16).padStart(12, '0')}`;
  }
}

/** A fresh Ed25519 seal key held in memory (the real one lives in a 0600 file). */
export function testSealKey(): SealSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pub = sealPublicKeyFromPem(publicKey.export({ format: 'pem', type: 'spki' }).toString());
  return { ...pub, sign: (bytes) => sign(null, bytes, privateKey) };
}

/**
 * The ports application handlers run on, all in memory (the application test tier,
 * `*.app-spec.ts`): the event log, the key vault under a keyring with a fresh master
 * key, tenancy, the catalog, a manual clock and sequential ids. A handler under test is
 * built from these by its constructor, exactly as its Nest module builds it.
 */
export interface ApplicationHarness {
  readonly tenantId: string;
  readonly store: InMemoryEventStore;
  /** What the store holds: a test may tamper with it as an attacker with the file would. */
  readonly log: InMemoryEventLog;
  readonly vault: InMemoryKeyVault;
  readonly keyring: Keyring;
  readonly tenants: TenantsService;
  readonly catalog: EventCatalog;
  readonly clock: ManualClock;
  readonly ids: SequentialIds;
  /** Creates a tenant and opts it in (its key made). */
  collecting(tenantId: string): Promise<void>;
  /**
   * Ingests one catalog example of each type (a minute old) through the real ingest
   * handler, as producer `k-producer`, into the harness's tenant unless another is named.
   */
  ingestExamples(types: readonly string[], tenantId?: string): Promise<IngestResult>;
  /** Ingests producer events through the real ingest handler, as producer `k-producer`. */
  ingest(events: readonly ProducerEvent[], tenantId?: string): Promise<IngestResult>;
  /** Erases a person through the real erasure handler, as `k-privacy`. */
  erase(userPrincipalName: string): Promise<ErasureResult>;
}

export interface ApplicationHarnessOptions {
  readonly tenantId?: string;
  readonly now?: Date;
  /** Create and opt the tenant in (its key made), as an operator and its admin would. Default true. */
  readonly collecting?: boolean;
}

export async function applicationHarness(
  options: ApplicationHarnessOptions = {},
): Promise<ApplicationHarness> {
  const tenantId = options.tenantId ?? 'acme';
  const clock = new ManualClock(options.now ?? new Date('2026-11-20T10:00:00.000Z'));
  const ids = new SequentialIds();
  const log = new InMemoryEventLog();
  const store = new InMemoryEventStore(log, clock);
  const vault = new InMemoryKeyVault();
  const keyring = new Keyring(vault, masterKeyFromBytes(randomBytes(32)), clock);
  const tenants = new TenantsService(store, clock, ids, 0);
  const catalog = EventCatalog.default();
  const collecting = async (id: string): Promise<void> => {
    await tenants.create(id, { keyId: 'k-operator' });
    await tenants.optIn(id, { keyId: 'k-admin' });
    await keyring.ensureTenant(id);
  };
  if (options.collecting ?? true) await collecting(tenantId);
  const ingest = new IngestEventsHandler(catalog, keyring, tenants, store, clock, {
    maxEvents: 1000,
    maxFutureSkewMs: 300_000,
  });
  const erase = new EraseSubjectHandler(keyring, store, clock, ids);
  return {
    tenantId,
    store,
    log,
    vault,
    keyring,
    tenants,
    catalog,
    clock,
    ids,
    collecting,
    ingestExamples: (types, tenant = tenantId) => {
      const occurredAt = new Date(clock.now().getTime() - 60_000).toISOString();
      const events = types.map((t) => catalogExamples.exampleEvent(t, { occurredAt }));
      return ingest.execute(new IngestEventsCommand(tenant, events, 'k-producer'));
    },
    ingest: (events, tenant = tenantId) =>
      ingest.execute(new IngestEventsCommand(tenant, events, 'k-producer')),
    erase: (upn) => erase.execute(new EraseSubjectCommand(tenantId, upn, 'k-privacy')),
  };
}
