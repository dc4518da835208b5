import type { KeyObject } from 'node:crypto';
import { AppError, Clock } from '@authtrail/platform';
import { openJson, sealJson } from '../domain/aead.crypto';
import {
  derivePersonFingerprintKey,
  deriveTenantKeys,
  digestOf,
  fingerprintOf,
  lookupHashOf,
  TenantKeys,
} from '../domain/key-derivation.crypto';
import { KeyVault, SubjectCandidate, TenantKeyRecord } from '../domain/key-vault.port';
import {
  KeyVaultConflictError,
  MasterKeyMismatchError,
  TenantKeyMissingError,
} from '../domain/key-vault.errors';
import { subjectKeyContext, tenantKeyContext, unwrapKey, wrapKey } from '../domain/key-wrap.crypto';
import { DataKey, MasterKey, newKeyBytes, secretKey } from '../domain/keys';
import { newSubjectId } from '../domain/subject-id';
import { normaliseUserPrincipalName } from '../domain/user-principal-name';

/** Invariant 4: no replica may decrypt for more than a second after an erasure. */
export const MAX_KEY_CACHE_TTL_MS = 1000;
const MAX_CACHED_DATA_KEYS = 200_000;
const ROTATION_ROUNDS = 5;

export interface KeyringOptions {
  /** How long unwrapped tenant and data keys stay in memory; default and maximum 1000 ms, 0 disables. */
  readonly cacheTtlMs?: number;
}

export interface ResolvedSubjectKey {
  readonly subjectId: string;
  /** True when this call created the subject (first event for this name, or first since erasure). */
  readonly created: boolean;
  readonly key: DataKey;
}

export interface SealAad {
  readonly eventId: string;
  readonly subjectId: string;
}

interface Cached<T> {
  readonly value: T;
  readonly expiresAt: number;
}

/**
 * A cached data key. It is used until `expiresAt` (one TTL after the vault last gave it).
 * After that only a vault read that returns the very same wrapped bytes for the subject
 * renews it, until `keepUntil` (one more TTL): the renewal skips the unwrap and keeps the
 * key's derived fingerprint key, and the vault is still asked every TTL.
 */
interface CachedDataKey extends Cached<DataKey> {
  readonly wrapped: Buffer;
  readonly keepUntil: number;
}

/** The user principal name is empty after trimming. */
export class EmptyUserPrincipalNameError extends AppError {
  constructor() {
    super('SUBJECT.NAME_EMPTY', 'invalid', 'user principal name is empty');
  }
}

/**
 * Keys of tenants and subjects on top of a `KeyVault`: the name index, subject creation,
 * data keys (cached at most one second), sealing and opening personal data, erasure and
 * master-key rotation. Key hierarchy: master key → tenant key (HKDF → wrap, lookup,
 * fingerprint sub-keys) → one data key per subject.
 */
export class Keyring {
  /** Derived per-person fingerprint keys, held only as long as their data key object lives. */
  private readonly personFingerprintKeys = new WeakMap<DataKey, KeyObject>();
  private master: MasterKey;
  private previousMaster: MasterKey | null = null;
  private readonly ttlMs: number;
  private readonly tenantCache = new Map<string, Cached<TenantKeys>>();
  private readonly dataKeyCache = new Map<string, Map<string, CachedDataKey>>();
  /**
   * Lookup hash (hex) → subject id, per tenant, for as long as that subject's data key is
   * cached: a hit is used only while `dataKeyCache` still holds the same key object, so
   * every `forget()` (erasure, tenant deletion) invalidates it with the key.
   */
  private readonly subjectCache = new Map<string, Map<string, Cached<string>>>();
  private nextSweepAt = 0;
  // Bumped by every forget(): a vault read that began before an erasure must not refill the
  // cache with the erased key after it.
  private epoch = 0;

  constructor(
    private readonly vault: KeyVault,
    master: MasterKey,
    private readonly clock: Clock,
    options: KeyringOptions = {},
  ) {
    const ttl = options.cacheTtlMs ?? MAX_KEY_CACHE_TTL_MS;
    if (!Number.isInteger(ttl) || ttl < 0 || ttl > MAX_KEY_CACHE_TTL_MS) {
      throw new AppError(
        'KEYRING.CACHE_TTL_INVALID',
        'internal',
        `key cache TTL must be an integer 0..${MAX_KEY_CACHE_TTL_MS} ms, got ${ttl}`,
      );
    }
    this.ttlMs = ttl;
    this.master = master;
  }

  /** Id of the master key new tenant keys are wrapped under. */
  get masterKeyId(): string {
    return this.master.id;
  }

  /** Creates the tenant key if the tenant has none (tenant opt-in). Idempotent, race-safe. */
  async ensureTenant(tenantId: string): Promise<void> {
    if ((await this.tenantKeys(tenantId)) !== null) return;
    const bytes = newKeyBytes();
    try {
      const stored = await this.vault.putTenantKey({
        tenantId,
        wrappedKey: wrapKey(this.master.key, bytes, tenantKeyContext(tenantId)),
        masterKeyId: this.master.id,
        createdAt: this.clock.now(),
      });
      // Another replica may have won the race: always use what the vault holds.
      this.cacheTenant(tenantId, this.unwrapTenant(stored), this.epoch);
    } finally {
      bytes.fill(0);
    }
  }

  async tenantHasKey(tenantId: string): Promise<boolean> {
    return (await this.tenantKeys(tenantId)) !== null;
  }

  /** HMAC of the normalised name under the tenant's lookup key. @throws TenantKeyMissingError */
  async lookupHash(tenantId: string, userPrincipalName: string): Promise<Buffer> {
    const keys = await this.requireTenantKeys(tenantId);
    return lookupHashOf(keys.lookup, normaliseUserPrincipalName(userPrincipalName));
  }

  /** HMAC-SHA256 (hex) of canonical bytes under the tenant's fingerprint key. @throws TenantKeyMissingError */
  async fingerprint(tenantId: string, canonicalBytes: Uint8Array): Promise<string> {
    const keys = await this.requireTenantKeys(tenantId);
    return fingerprintOf(keys.fingerprint, canonicalBytes);
  }

  /**
   * `fingerprint` for many payloads of one request: the tenant's key is looked up once.
   * Not to be kept beyond the request (the key cache's one second does not apply to it).
   * @throws TenantKeyMissingError
   */
  async fingerprinter(tenantId: string): Promise<(canonicalBytes: Uint8Array) => string> {
    const keys = await this.requireTenantKeys(tenantId);
    return (canonicalBytes) => fingerprintOf(keys.fingerprint, canonicalBytes);
  }

  /**
   * Finds or creates the subject of each name (batch insert-or-get). Keys of the result
   * are normalised names. Concurrent callers resolving the same name get the same subject.
   * @throws TenantKeyMissingError when the tenant has no key; EmptyUserPrincipalNameError.
   */
  async resolveSubjects(
    tenantId: string,
    userPrincipalNames: readonly string[],
  ): Promise<Map<string, ResolvedSubjectKey>> {
    const epoch = this.epoch;
    const keys = await this.requireTenantKeys(tenantId);
    const hashes = new Map<string, Buffer>();
    for (const raw of userPrincipalNames) {
      const name = normaliseUserPrincipalName(raw);
      if (name === '') throw new EmptyUserPrincipalNameError();
      if (!hashes.has(name)) hashes.set(name, lookupHashOf(keys.lookup, name));
    }
    const resolved = new Map<string, ResolvedSubjectKey>();
    if (hashes.size === 0) return resolved;

    // Names seen within the cache TTL skip the vault read and the key unwrap.
    const unknown = new Map<string, Buffer>();
    const now = this.clock.now().getTime();
    const bySubject = this.dataKeyCache.get(tenantId);
    const byHash = this.subjectCache.get(tenantId);
    for (const [name, hash] of hashes) {
      const subject = byHash?.get(hash.toString('hex'));
      const key = subject && subject.expiresAt > now ? bySubject?.get(subject.value) : undefined;
      if (subject && key && key.expiresAt > now)
        resolved.set(name, { subjectId: subject.value, created: false, key: key.value });
      else unknown.set(name, hash);
    }

    const found =
      unknown.size === 0
        ? new Map<string, never>()
        : await this.vault.findSubjects(tenantId, [...unknown.values()]);
    const pending: { name: string; candidate: SubjectCandidate; key: DataKey }[] = [];
    // The wrapped bytes each key of `unknown` came from, for the cache.
    const wrappedOf = new Map<string, Uint8Array>();
    for (const [name, hash] of unknown) {
      const hit = found.get(hash.toString('hex'));
      if (hit) {
        resolved.set(name, {
          subjectId: hit.subjectId,
          created: false,
          key: this.dataKeyOf(keys, tenantId, hit.subjectId, hit.wrappedKey),
        });
        wrappedOf.set(name, hit.wrappedKey);
        continue;
      }
      const subjectId = newSubjectId();
      const bytes = newKeyBytes();
      const wrappedKey = wrapKey(keys.wrap, bytes, subjectKeyContext(tenantId, subjectId));
      pending.push({
        name,
        candidate: { lookupHash: hash, subjectId, wrappedKey },
        key: { key: secretKey(bytes) },
      });
      bytes.fill(0);
    }
    if (pending.length > 0) {
      const stored = await this.vault.resolveSubjects(
        tenantId,
        pending.map((p) => p.candidate),
      );
      pending.forEach((p, i) => {
        const s = stored[i];
        const ours = s.created && s.subjectId === p.candidate.subjectId;
        resolved.set(p.name, {
          subjectId: s.subjectId,
          created: s.created,
          key: ours ? p.key : this.dataKeyOf(keys, tenantId, s.subjectId, s.wrappedKey),
        });
        wrappedOf.set(p.name, ours ? p.candidate.wrappedKey : s.wrappedKey);
      });
    }
    const ordered = new Map<string, ResolvedSubjectKey>();
    for (const [name, hash] of hashes) {
      const r = resolved.get(name)!;
      ordered.set(name, r);
      if (unknown.has(name)) {
        this.cacheDataKey(tenantId, r.subjectId, r.key, wrappedOf.get(name)!, epoch);
        this.cacheSubject(tenantId, hash.toString('hex'), r.subjectId, epoch);
      }
    }
    return ordered;
  }

  /** The subject of a name, without creating one. Null for unknown or erased names, or a tenant without key. */
  async findSubject(
    tenantId: string,
    userPrincipalName: string,
  ): Promise<{ subjectId: string } | null> {
    const keys = await this.tenantKeys(tenantId);
    const name = normaliseUserPrincipalName(userPrincipalName);
    if (keys === null || name === '') return null;
    const hash = lookupHashOf(keys.lookup, name);
    const found = await this.vault.findSubjects(tenantId, [hash]);
    const hit = found.get(hash.toString('hex'));
    return hit ? { subjectId: hit.subjectId } : null;
  }

  /** Data keys by subject id; erased and unknown subjects (and all of a deleted tenant) are absent. */
  async dataKeys(tenantId: string, subjectIds: readonly string[]): Promise<Map<string, DataKey>> {
    const epoch = this.epoch;
    const now = this.clock.now().getTime();
    const out = new Map<string, DataKey>();
    const missing: string[] = [];
    const cached = this.dataKeyCache.get(tenantId);
    for (const id of new Set(subjectIds)) {
      const hit = cached?.get(id);
      if (hit && hit.expiresAt > now) out.set(id, hit.value);
      else missing.push(id);
    }
    if (missing.length === 0) return out;
    const keys = await this.tenantKeys(tenantId);
    if (keys === null) return new Map();
    const wrapped = await this.vault.getSubjectKeys(tenantId, missing);
    for (const [subjectId, w] of wrapped) {
      const key = this.dataKeyOf(keys, tenantId, subjectId, w);
      out.set(subjectId, key);
      this.cacheDataKey(tenantId, subjectId, key, w, epoch);
    }
    return out;
  }

  /**
   * HMAC (hex) of a person's personal fields under a key derived from their own data key,
   * for idempotency fingerprints: shredding the person's key makes it uncheckable, so no
   * tenant-wide key can later confirm a guess of an erased person's data.
   */
  personFingerprint(key: DataKey, canonicalBytes: Uint8Array): string {
    return fingerprintOf(this.personFingerprintKey(key), canonicalBytes);
  }

  private personFingerprintKey(key: DataKey): KeyObject {
    let derived = this.personFingerprintKeys.get(key);
    if (!derived) {
      derived = derivePersonFingerprintKey(key.key);
      this.personFingerprintKeys.set(key, derived);
    }
    return derived;
  }

  /**
   * A short digest (64 bits, base64url) of a person's bytes under the same person-derived
   * key as `personFingerprint`: equal bytes give equal digests while the person exists,
   * and nothing can be checked against it once their key is shredded. For change
   * detection only (the SIEM identity digest), never for integrity.
   */
  personDigest(key: DataKey, bytes: Uint8Array): string {
    return digestOf(this.personFingerprintKey(key), bytes);
  }

  /** Seals a subject's personal fields of one event: base64url AES-256-GCM bound to event and subject id. */
  seal(key: DataKey, payload: object, aad: SealAad): string {
    return sealJson(key.key, payload, aad);
  }

  /** Opens what `seal` made. @throws SealedDataError on tampering or another key/event/subject. */
  open(key: DataKey, blob: string, aad: SealAad): Record<string, unknown> {
    return openJson(key.key, blob, aad);
  }

  /** Shreds the subject: deletes its key and name-index row. False when no such subject. */
  async eraseSubject(tenantId: string, subjectId: string): Promise<boolean> {
    this.forget(tenantId, subjectId);
    try {
      return await this.vault.deleteSubject(tenantId, subjectId);
    } finally {
      this.forget(tenantId, subjectId);
    }
  }

  /** Shreds the whole tenant (tenant key, subject keys, name index). Returns the number of subjects deleted. */
  async deleteTenant(tenantId: string): Promise<number> {
    this.forget(tenantId);
    try {
      return await this.vault.deleteTenant(tenantId);
    } finally {
      this.forget(tenantId);
    }
  }

  /** Drops cached keys of one subject, or of the whole tenant, in this process at once. */
  forget(tenantId: string, subjectId?: string): void {
    this.epoch += 1;
    if (subjectId === undefined) {
      this.dataKeyCache.delete(tenantId);
      this.subjectCache.delete(tenantId);
      this.tenantCache.delete(tenantId);
    } else {
      // The subject's lookup entry dies with its data key (see `subjectCache`).
      this.dataKeyCache.get(tenantId)?.delete(subjectId);
    }
  }

  /**
   * Re-wraps every tenant key under `newMaster` (all or nothing per round) and uses it from
   * now on. Data keys and events are untouched. Returns the number of tenant keys re-wrapped.
   */
  async rotateMasterKey(newMaster: MasterKey): Promise<number> {
    if (newMaster.id !== this.master.id) {
      this.previousMaster = this.master;
      this.master = newMaster;
    }
    let total = 0;
    // Tenants created by other callers while a round runs are wrapped under the old key:
    // further rounds pick them up.
    for (let round = 0; round < ROTATION_ROUNDS; round++) {
      const stale = (await this.vault.listTenantKeys()).filter(
        (r) => r.masterKeyId !== newMaster.id,
      );
      if (stale.length === 0) {
        this.previousMaster = null;
        return total;
      }
      const rewrapped: TenantKeyRecord[] = stale.map((r) => {
        const bytes = this.unwrapTenantKey(r).export();
        try {
          return {
            ...r,
            wrappedKey: wrapKey(newMaster.key, bytes, tenantKeyContext(r.tenantId)),
            masterKeyId: newMaster.id,
          };
        } finally {
          bytes.fill(0);
        }
      });
      try {
        await this.vault.rewrapTenantKeys(rewrapped);
        total += rewrapped.length;
      } catch (e) {
        // A tenant deleted during the round: list again.
        if (!(e instanceof KeyVaultConflictError)) throw e;
      }
    }
    throw new AppError(
      'KEYRING.ROTATION_INCOMPLETE',
      'unavailable',
      `master key rotation did not settle after ${ROTATION_ROUNDS} rounds`,
      { retriable: true },
    );
  }

  private async requireTenantKeys(tenantId: string): Promise<TenantKeys> {
    const keys = await this.tenantKeys(tenantId);
    if (keys === null) throw new TenantKeyMissingError(tenantId);
    return keys;
  }

  private async tenantKeys(tenantId: string): Promise<TenantKeys | null> {
    const hit = this.tenantCache.get(tenantId);
    if (hit && hit.expiresAt > this.clock.now().getTime()) return hit.value;
    const epoch = this.epoch;
    const record = await this.vault.getTenantKey(tenantId);
    if (record === null) {
      this.tenantCache.delete(tenantId);
      return null;
    }
    const keys = this.unwrapTenant(record);
    this.cacheTenant(tenantId, keys, epoch);
    return keys;
  }

  private unwrapTenantKey(record: TenantKeyRecord) {
    const master = [this.master, this.previousMaster].find((m) => m?.id === record.masterKeyId);
    if (!master) {
      throw new MasterKeyMismatchError(
        record.tenantId,
        record.masterKeyId,
        [this.master, this.previousMaster]
          .filter((m): m is MasterKey => m !== null)
          .map((m) => m.id),
      );
    }
    return unwrapKey(master.key, record.wrappedKey, tenantKeyContext(record.tenantId));
  }

  private unwrapTenant(record: TenantKeyRecord): TenantKeys {
    return deriveTenantKeys(this.unwrapTenantKey(record), record.tenantId);
  }

  /**
   * The data key the vault just gave for a subject: the cached one when it was unwrapped
   * from these very bytes (its renewal, see `CachedDataKey`), else unwrapped now.
   */
  private dataKeyOf(
    keys: TenantKeys,
    tenantId: string,
    subjectId: string,
    wrapped: Uint8Array,
  ): DataKey {
    const cached = this.dataKeyCache.get(tenantId)?.get(subjectId);
    if (cached && cached.keepUntil > this.clock.now().getTime() && cached.wrapped.equals(wrapped))
      return cached.value;
    return { key: unwrapKey(keys.wrap, wrapped, subjectKeyContext(tenantId, subjectId)) };
  }

  private cacheTenant(tenantId: string, keys: TenantKeys, epoch: number): void {
    if (this.ttlMs === 0 || epoch !== this.epoch) return;
    this.tenantCache.set(tenantId, {
      value: keys,
      expiresAt: this.clock.now().getTime() + this.ttlMs,
    });
  }

  private cacheDataKey(
    tenantId: string,
    subjectId: string,
    key: DataKey,
    wrapped: Uint8Array,
    epoch: number,
  ): void {
    if (this.ttlMs === 0 || epoch !== this.epoch) return;
    const now = this.clock.now().getTime();
    if (now >= this.nextSweepAt) this.sweep(now);
    let perTenant = this.dataKeyCache.get(tenantId);
    if (!perTenant) {
      perTenant = new Map();
      this.dataKeyCache.set(tenantId, perTenant);
    }
    const previous = perTenant.get(subjectId);
    perTenant.set(subjectId, {
      value: key,
      expiresAt: now + this.ttlMs,
      keepUntil: now + 2 * this.ttlMs,
      // A renewal keeps the bytes it compared; a copy otherwise (the vault's may be a view).
      wrapped: previous?.value === key ? previous.wrapped : Buffer.from(wrapped),
    });
  }

  private cacheSubject(tenantId: string, hashHex: string, subjectId: string, epoch: number): void {
    if (this.ttlMs === 0 || epoch !== this.epoch) return;
    let perTenant = this.subjectCache.get(tenantId);
    if (!perTenant) {
      perTenant = new Map();
      this.subjectCache.set(tenantId, perTenant);
    }
    perTenant.set(hashHex, {
      value: subjectId,
      expiresAt: this.clock.now().getTime() + this.ttlMs,
    });
  }

  private sweep(now: number): void {
    this.nextSweepAt = now + this.ttlMs;
    let size = 0;
    for (const [tenantId, perTenant] of this.dataKeyCache) {
      for (const [subjectId, entry] of perTenant)
        if (entry.keepUntil <= now) perTenant.delete(subjectId);
      if (perTenant.size === 0) this.dataKeyCache.delete(tenantId);
      size += perTenant.size;
    }
    for (const [tenantId, perTenant] of this.subjectCache) {
      for (const [hash, entry] of perTenant) if (entry.expiresAt <= now) perTenant.delete(hash);
      if (perTenant.size === 0) this.subjectCache.delete(tenantId);
    }
    for (const [tenantId, entry] of this.tenantCache)
      if (entry.expiresAt <= now) this.tenantCache.delete(tenantId);
    if (size > MAX_CACHED_DATA_KEYS) {
      this.dataKeyCache.clear();
      this.subjectCache.clear();
    }
  }
}
