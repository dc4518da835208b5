import { IDENTITY_FIELDS } from '@authtrail/catalog';
import type { IdentityFingerprints } from '../domain/identity';

/**
 * The last identity digest (the envelope's `identity`) the forwarder checked for each
 * person, with what was published for them at that moment. An event whose digest is that
 * one, while the same fingerprints are still what is published, carries exactly an
 * identity already published: its blob need not be opened, nor its fields fingerprinted.
 *
 * Tying the digest to the published fingerprints keeps the shortcut right whatever
 * happened in between: a batch the destination refused (its state is read again from the
 * published record), another forwarder that published meanwhile, an erasure (the state is
 * a tombstone). Holds no personal data: digests are keyed under the person's own key, and
 * the fingerprints' first 12 hex digits under the tenant's; an erasure drops the person.
 */
export class IdentityDigests {
  private readonly entries = new Map<string, string>();

  constructor(private readonly max: number) {}

  confirms(
    tenantId: string,
    sid: string,
    digest: string,
    state: ReadonlyMap<string, IdentityFingerprints | null>,
  ): boolean {
    const published = state.get(sid);
    if (published === undefined || published === null) return false;
    return this.entries.get(entryKey(tenantId, sid)) === entryValue(digest, published);
  }

  remember(
    tenantId: string,
    sid: string,
    digest: string,
    published: IdentityFingerprints | null,
  ): void {
    if (published === null) return;
    const key = entryKey(tenantId, sid);
    // Re-inserted, so the Map's order is least recently checked first.
    this.entries.delete(key);
    this.entries.set(key, entryValue(digest, published));
    if (this.entries.size > this.max) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  forget(tenantId: string, sid: string): void {
    this.entries.delete(entryKey(tenantId, sid));
  }

  forgetTenant(tenantId: string): void {
    const prefix = entryKey(tenantId, '');
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}

const entryKey = (tenantId: string, sid: string): string => `${tenantId}\0${sid}`;

function entryValue(digest: string, published: IdentityFingerprints): string {
  let out = digest;
  for (const field of IDENTITY_FIELDS) out += `:${published[field]?.slice(0, 12) ?? ''}`;
  return out;
}
