/** Append a producer's batch: all or nothing, idempotent per (tenant, eventId). */
export class IngestEventsCommand {
  constructor(
    readonly tenantId: string,
    /** Parsed but unvalidated producer events. */
    readonly events: readonly unknown[],
    /** Key id of the producer, recorded as causation. */
    readonly producerKeyId: string,
  ) {}
}

export interface IngestResult {
  readonly accepted: number;
  readonly duplicates: number;
  /** Accepted events per category, for metrics. */
  readonly byCategory: Readonly<Record<string, number>>;
}
