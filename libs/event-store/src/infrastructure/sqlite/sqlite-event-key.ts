import { createHash } from 'node:crypto';

// Its own module: the writer thread loads it without the @authtrail aliases.
/**
 * The idempotency index's key of an event id: the first 8 bytes of SHA-256(tenant, NUL,
 * event id) as a signed 64-bit integer. Several ids may share a key (the index keeps
 * (key, position) pairs and the look-up confirms tenant and id on the event row), so a
 * collision, chance or crafted, costs one more row read and never a wrong answer.
 */
export function eventKey(tenantId: string, eventId: string): bigint {
  return createHash('sha256')
    .update(tenantId, 'utf8')
    .update('\0')
    .update(eventId, 'utf8')
    .digest()
    .readBigInt64BE(0);
}
