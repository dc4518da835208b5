import type { ProducerEvent } from '@authtrail/catalog';
import { mapEntraRecord, type RecordIssue, type SkipReason } from './map-entra-record';

/** One problem of a batch: the record's index in the batch and the field in it. */
export interface BatchIssue extends RecordIssue {
  readonly index: number;
}

export interface MappedEvent {
  /** Index of the record in the batch. */
  readonly index: number;
  readonly event: ProducerEvent;
  readonly sourcePath: (eventPath: string) => string;
}

/** What a batch of Entra records turned into, before anything is stored. */
export interface BatchMapping {
  readonly received: number;
  readonly events: readonly MappedEvent[];
  /** Records of other services, activities or categories: counted, never an error. */
  readonly skipped: number;
  readonly skippedBy: Readonly<Record<SkipReason, Readonly<Record<string, number>>>>;
  readonly malformed: readonly BatchIssue[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The records of a body in either of Entra's wrappings: a JSON array of records, an Azure
 * Monitor export (`{"records": [...]}`, what Event Hubs and storage receive) or a Graph
 * page (`{"value": [...]}`); a single record is a batch of one. Null: not records at all.
 */
export function recordsOf(body: unknown): unknown[] | null {
  if (Array.isArray(body)) return body as unknown[];
  if (isObject(body)) {
    if (Array.isArray(body.records)) return body.records as unknown[];
    if (Array.isArray(body.value)) return body.value as unknown[];
    if ('properties' in body || 'activityDisplayName' in body || 'loggedByService' in body)
      return [body];
  }
  return null;
}

/** Maps every record of a batch; one malformed record never hides the others. Pure. */
export function mapEntraBatch(records: readonly unknown[]): BatchMapping {
  const events: MappedEvent[] = [];
  const malformed: BatchIssue[] = [];
  const skippedBy: Record<SkipReason, Record<string, number>> = {
    'other-service': {},
    'other-activity': {},
    'other-category': {},
  };
  let skipped = 0;
  records.forEach((record, index) => {
    const outcome = mapEntraRecord(record);
    switch (outcome.kind) {
      case 'event':
        events.push({ index, event: outcome.event, sourcePath: outcome.sourcePath });
        break;
      case 'skipped': {
        skipped++;
        const counts = skippedBy[outcome.reason];
        counts[outcome.label] = (counts[outcome.label] ?? 0) + 1;
        break;
      }
      case 'malformed':
        for (const issue of outcome.issues) malformed.push({ index, ...issue });
        break;
    }
  });
  return { received: records.length, events, skipped, skippedBy, malformed };
}
