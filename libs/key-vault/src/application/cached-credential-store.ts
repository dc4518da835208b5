import type { Clock } from '@authtrail/platform';
import type { CredentialRecord, CredentialStore } from '../domain/credential-store.port';

/**
 * How long a credential read from the vault answers later requests: as long as a data key
 * (DESIGN.md invariant 4). A key revoked or deleted through this process is refused at once
 * (the change goes through this cache); one revoked on another replica sharing the vault,
 * within this long.
 */
export const CREDENTIAL_CACHE_MS = 1000;

/** Credentials held at most; the least recently fetched go first. */
const MAX_ENTRIES = 10_000;

/**
 * The credential store with `findById` cached for `CREDENTIAL_CACHE_MS`: every request
 * authenticates, and reading and decoding the record was most of what an authenticated
 * request that does nothing else cost (issue #15: `GET /v1/whoami` 45 → 33–37 µs of
 * CPU). Only found records are kept, so unknown ids cannot fill it. Every change made
 * through it drops what it holds of that key or tenant, and a read that was in flight
 * while a change was made is not kept.
 */
export class CachedCredentialStore implements CredentialStore {
  private readonly entries = new Map<string, { record: CredentialRecord; until: number }>();
  /** Bumped by every change: a read that started before one is not cached. */
  private generation = 0;

  constructor(
    private readonly inner: CredentialStore,
    private readonly clock: Clock,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async findById(id: string): Promise<CredentialRecord | null> {
    const now = this.clock.now().getTime();
    const hit = this.entries.get(id);
    if (hit && hit.until > now) return hit.record;
    const generation = this.generation;
    const record = await this.inner.findById(id);
    this.entries.delete(id);
    if (record !== null && generation === this.generation) {
      if (this.entries.size >= MAX_ENTRIES) {
        this.entries.delete(this.entries.keys().next().value as string);
      }
      this.entries.set(id, { record, until: now + CREDENTIAL_CACHE_MS });
    }
    return record;
  }

  listByTenant(tenantId: string): Promise<CredentialRecord[]> {
    return this.inner.listByTenant(tenantId);
  }

  insert(record: CredentialRecord): Promise<void> {
    return this.changing(
      () => this.inner.insert(record),
      () => this.entries.delete(record.id),
    );
  }

  revoke(tenantId: string, id: string, at: Date): Promise<boolean> {
    return this.changing(
      () => this.inner.revoke(tenantId, id, at),
      () => this.entries.delete(id),
    );
  }

  touch(id: string, at: Date): Promise<void> {
    return this.changing(
      () => this.inner.touch(id, at),
      () => this.entries.delete(id),
    );
  }

  deleteTenant(tenantId: string): Promise<number> {
    return this.changing(
      () => this.inner.deleteTenant(tenantId),
      () => {
        for (const [id, { record }] of this.entries)
          if (record.tenantId === tenantId) this.entries.delete(id);
      },
    );
  }

  close(): Promise<void> {
    this.entries.clear();
    return this.inner.close();
  }

  /** Drops before and after the change, and outdates reads in flight meanwhile. */
  private async changing<T>(change: () => Promise<T>, drop: () => void): Promise<T> {
    this.generation += 1;
    drop();
    try {
      return await change();
    } finally {
      this.generation += 1;
      drop();
    }
  }
}
