import { createHash } from 'node:crypto';

/**
 * Fixed UUIDv5 namespace of authtrail's Entra import (a random UUID chosen once; changing
 * it would turn every re-import of an already imported record into a new event).
 */
export const ENTRA_NAMESPACE = '5f0d2a8e-3c41-4b7e-9a62-0e8f1d7c4b93';

/** RFC 9562 UUIDv5: SHA-1 of namespace bytes + name, version 5, variant 10. Pure. */
export function uuidV5(name: string, namespace: string = ENTRA_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new Error(`not a UUID namespace: ${namespace}`);
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The authtrail event id of an Entra audit record: derived from its Graph `id` alone, so
 * the same record imported again — by the API, a file, Event Hubs or the Graph poller —
 * is a duplicate and stores nothing new. Graph ids are GUIDs or service-prefixed strings
 * (`Directory_<correlation>_<n>`): both are taken as they are, case-sensitive.
 */
export function entraEventId(graphId: string): string {
  return uuidV5(`directoryAudit:${graphId}`);
}
