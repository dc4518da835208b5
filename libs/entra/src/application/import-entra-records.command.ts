import type { FieldError } from '@authtrail/platform';
import type { SkipReason } from '../domain/map-entra-record';

/**
 * Import a batch of Entra audit records (Graph `directoryAudit` or Azure Monitor
 * `AuditLogs` records, mixed freely) through the one ingest pipeline.
 *
 * Per record, not all or nothing: the records are Microsoft's, so a producer cannot fix
 * a bad one and resend; a malformed record (or one the catalog refuses, e.g. already past
 * its retention window) is reported by index and field while every good one is stored.
 * Records of other services are counted and skipped.
 */
export class ImportEntraRecordsCommand {
  constructor(
    readonly tenantId: string,
    /** Parsed but unchecked records. */
    readonly records: readonly unknown[],
    /** Recorded as each event's causation: the producer's key id, or the worker's name. */
    readonly sourceId: string,
  ) {}
}

export interface EntraImportResult {
  readonly received: number;
  /** Events stored now. */
  readonly accepted: number;
  /** Events already stored (a re-import). */
  readonly duplicates: number;
  /** Records of other services, other activities or other log categories. */
  readonly skipped: number;
  readonly skippedBy: Readonly<Record<SkipReason, Readonly<Record<string, number>>>>;
  /** Records that were not stored because of the problems in `errors`. */
  readonly rejected: number;
  /** `{index, path, message}`: the record's index in the batch and the field in the record. */
  readonly errors: readonly FieldError[];
  /** Accepted events per category, for metrics. */
  readonly byCategory: Readonly<Record<string, number>>;
}
