import { EventCatalog } from '@authtrail/catalog';
import { RecordedEvent, decodeEnvelope } from '@authtrail/event-store';
import { DataKey, Keyring } from '@authtrail/key-vault';

/** Whose personal fields a reader may see. */
export type Reveal =
  | { readonly kind: 'none' }
  | { readonly kind: 'all' }
  | { readonly kind: 'only'; readonly subjectId: string };

export interface EventView {
  readonly position: number;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly storedSchemaVersion: number;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly correlationId?: string;
  /** Role → subject id. */
  readonly subjects: Readonly<Record<string, string>>;
  /** Subjects of this event whose key is gone: their personal fields can never be read again. */
  readonly erased: readonly string[];
  /** The event as the producer sent it (upcast to the current version), people per `Reveal`. */
  readonly event: Record<string, unknown>;
  readonly hash: string;
}

type Json = Record<string, unknown>;

/**
 * Turns stored envelopes back into events: opens the sealed blobs the caller may see,
 * marks erased people, upcasts old versions. Keys come from the keyring (cached ≤ 1 s).
 */
export class EventReader {
  constructor(
    private readonly catalog: EventCatalog,
    private readonly keyring: Keyring,
  ) {}

  async views(
    tenantId: string,
    records: readonly RecordedEvent[],
    reveal: Reveal,
  ): Promise<EventView[]> {
    const envelopes = records.map((r) => decodeEnvelope(r.data));
    const wanted = new Set<string>();
    for (const env of envelopes) for (const sid of Object.values(env.subjects)) wanted.add(sid);
    // Which subjects still have a key decides "erased" for every caller, even those who see no names.
    const keys: Map<string, DataKey> = await this.keyring.dataKeys(tenantId, [...wanted]);
    return records.map((record, i) => {
      const env = envelopes[i];
      const erased = [...new Set(Object.values(env.subjects))].filter((sid) => !keys.has(sid));
      const personal: { actor?: Json | null; target?: Json | null } = {};
      for (const [role, sid] of Object.entries(env.subjects)) {
        if (role !== 'actor' && role !== 'target') continue;
        const visible =
          reveal.kind === 'all' || (reveal.kind === 'only' && reveal.subjectId === sid);
        const key = keys.get(sid);
        const blob = env.sealed[sid];
        personal[role] =
          visible && key && blob
            ? this.keyring.open(key, blob, { eventId: env.eventId, subjectId: sid })
            : null;
      }
      const known = this.catalog.get(env.type) !== undefined;
      let body: Json = env.data;
      if (known) {
        body = this.catalog.merge(env.type, env.data, personal);
        body = this.catalog.upcast(env.type, env.schemaVersion, body);
      }
      for (const [role, sid] of Object.entries(env.subjects)) {
        const person = (body[role] as Json | undefined) ?? {};
        body[role] = { ...person, subjectId: sid, ...(keys.has(sid) ? {} : { erased: true }) };
      }
      return {
        position: record.position,
        eventId: env.eventId,
        type: env.type,
        schemaVersion: known ? this.catalog.get(env.type)!.schemaVersion : env.schemaVersion,
        storedSchemaVersion: env.schemaVersion,
        occurredAt: env.occurredAt,
        recordedAt: env.recordedAt,
        ...(env.correlationId ? { correlationId: env.correlationId } : {}),
        subjects: env.subjects,
        erased,
        event: { eventId: env.eventId, type: env.type, occurredAt: env.occurredAt, ...body },
        hash: record.hash,
      };
    });
  }
}
