import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { EventCatalog } from '@authtrail/catalog';
import { Keyring, masterKeyFromBytes } from '@authtrail/key-vault';
import { SealSigningKey, sealPublicKeyFromPem } from '@authtrail/ledger';
import type { Clock, IdSource } from '@authtrail/platform';
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
  if (options.collecting ?? true) {
    await tenants.create(tenantId, { keyId: 'k-operator' });
    await tenants.optIn(tenantId, { keyId: 'k-admin' });
    await keyring.ensureTenant(tenantId);
  }
  return {
    tenantId,
    store,
    log,
    vault,
    keyring,
    tenants,
    catalog: EventCatalog.default(),
    clock,
    ids,
  };
}
