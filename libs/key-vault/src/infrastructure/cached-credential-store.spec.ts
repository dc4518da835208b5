import { ManualClock } from '@authtrail/testing';
import type { CredentialRecord, CredentialStore } from '../domain/credential-store.port';
import { SqliteCredentialStore } from './sqlite-credential-store.adapter';
import { SqliteVaultConnection } from './sqlite-vault.connection';
import { CREDENTIAL_CACHE_MS, CachedCredentialStore } from '../application/cached-credential-store';

const record = (id: string, tenantId = 'tenant-a'): CredentialRecord => ({
  id,
  tenantId,
  name: id,
  roles: ['producer'],
  secretHash: 'ab'.repeat(32),
  createdAt: new Date('2026-12-01T00:00:00Z'),
  expiresAt: null,
  revokedAt: null,
  lastUsedAt: null,
});

describe('CachedCredentialStore (on the SQLite credential store)', () => {
  let sqlite: SqliteCredentialStore;
  let reads: string[];
  let clock: ManualClock;
  let cache: CachedCredentialStore;
  /** Holds the next read of the vault until released (a read in flight during a change). */
  let gate: Promise<void> | null;
  /** Holds revocations until released (a slow write to a shared vault). */
  let revokeGate: Promise<void> | null;

  beforeEach(async () => {
    sqlite = new SqliteCredentialStore(new SqliteVaultConnection(':memory:'));
    await sqlite.init();
    reads = [];
    gate = null;
    revokeGate = null;
    const counting: CredentialStore = Object.assign(Object.create(sqlite) as CredentialStore, {
      findById: async (id: string) => {
        reads.push(id);
        const row = await sqlite.findById(id);
        if (gate) await gate;
        return row;
      },
      revoke: async (tenantId: string, id: string, at: Date) => {
        if (revokeGate) await revokeGate;
        return sqlite.revoke(tenantId, id, at);
      },
    });
    clock = new ManualClock(new Date('2026-12-07T10:00:00Z'));
    cache = new CachedCredentialStore(counting, clock);
    await cache.insert(record('ak_1'));
    await cache.insert(record('ak_2'));
    await cache.insert(record('ak_b', 'tenant-b'));
  });

  afterEach(() => sqlite.close());

  it('reads a credential from the vault once per cache period', async () => {
    expect((await cache.findById('ak_1'))?.id).toBe('ak_1');
    clock.advance(CREDENTIAL_CACHE_MS - 1);
    expect((await cache.findById('ak_1'))?.id).toBe('ak_1');
    expect(reads).toEqual(['ak_1']);
    clock.advance(1);
    await cache.findById('ak_1');
    expect(reads).toEqual(['ak_1', 'ak_1']);
  });

  it('does not keep unknown ids: each is asked of the vault', async () => {
    expect(await cache.findById('ak_nope')).toBeNull();
    expect(await cache.findById('ak_nope')).toBeNull();
    expect(reads).toEqual(['ak_nope', 'ak_nope']);
  });

  it('sees a revocation made through it at once', async () => {
    await cache.findById('ak_1');
    expect(await cache.revoke('tenant-a', 'ak_1', clock.now())).toBe(true);
    expect((await cache.findById('ak_1'))?.revokedAt).toEqual(clock.now());
  });

  it('drops a deleted tenant’s credentials, and only theirs', async () => {
    await cache.findById('ak_1');
    await cache.findById('ak_b');
    expect(await cache.deleteTenant('tenant-a')).toBe(2);
    expect(await cache.findById('ak_1')).toBeNull();
    expect((await cache.findById('ak_b'))?.tenantId).toBe('tenant-b');
    expect(reads).toEqual(['ak_1', 'ak_b', 'ak_1']);
  });

  it('does not keep a read that was in flight while the key was revoked', async () => {
    let release!: () => void;
    gate = new Promise<void>((r) => (release = r));
    // Read before the revocation, answered after it: it must not be served from cache.
    const stale = cache.findById('ak_2');
    await new Promise((r) => setImmediate(r));
    gate = null;
    await cache.revoke('tenant-a', 'ak_2', clock.now());
    release();
    expect((await stale)?.revokedAt).toBeNull();
    expect((await cache.findById('ak_2'))?.revokedAt).toEqual(clock.now());
  });

  it('does not keep a read made while a revocation was being written', async () => {
    let release!: () => void;
    revokeGate = new Promise<void>((r) => (release = r));
    const revoking = cache.revoke('tenant-a', 'ak_1', clock.now());
    // Read and answered before the revocation is written: the old row, cached meanwhile.
    expect((await cache.findById('ak_1'))?.revokedAt).toBeNull();
    release();
    await revoking;
    expect((await cache.findById('ak_1'))?.revokedAt).toEqual(clock.now());
  });

  it('a key used on another replica is seen revoked within the cache period', async () => {
    await cache.findById('ak_1');
    // Revoked in the vault directly, as another process sharing it would.
    const at = clock.now();
    await sqlite.revoke('tenant-a', 'ak_1', at);
    expect((await cache.findById('ak_1'))?.revokedAt).toBeNull();
    clock.advance(CREDENTIAL_CACHE_MS);
    expect((await cache.findById('ak_1'))?.revokedAt).toEqual(at);
  });
});
