export interface IngestLimits {
  readonly maxEvents: number;
  readonly maxFutureSkewMs: number;
  /** Configured windows; categories not listed use the catalog's defaults. */
  readonly retentionDays?: Readonly<Partial<Record<string, number>>>;
}
export const INGEST_LIMITS = Symbol('IngestLimits');
