export interface IngestLimits {
  readonly maxEvents: number;
  readonly maxFutureSkewMs: number;
}
export const INGEST_LIMITS = Symbol('IngestLimits');
