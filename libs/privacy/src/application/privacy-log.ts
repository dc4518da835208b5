import { EventStore, decodeEnvelope } from '@authtrail/event-store';
import type { PrivacyRecord } from '../domain/legal-hold';
import { privacyStream } from './privacy-streams';

/** The tenant's privacy stream as the hold and erasure decisions read it, and its revision. */
export async function readPrivacyLog(
  store: EventStore,
  tenantId: string,
): Promise<{ records: PrivacyRecord[]; revision: number | null }> {
  const stored = await store.readStream(privacyStream(tenantId));
  return {
    records: stored.map((r) => {
      const envelope = decodeEnvelope(r.data);
      return {
        eventId: envelope.eventId,
        type: r.type,
        occurredAt: r.occurredAt.toISOString(),
        data: envelope.data,
      };
    }),
    revision: stored.length === 0 ? null : stored[stored.length - 1].revision,
  };
}

/** Appends guarded by the privacy stream's revision retry this often when another append got in first. */
export const PRIVACY_APPEND_ATTEMPTS = 20;
