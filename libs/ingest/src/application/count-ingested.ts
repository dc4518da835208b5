import type { Metrics } from '@authtrail/platform';
import type { IngestResult } from './ingest-events.command';

/** Counts what an ingest stored, the same for every way in (API, Entra import and workers). */
export function countIngested(
  metrics: Metrics,
  result: Pick<IngestResult, 'byCategory' | 'duplicates'>,
): void {
  for (const [category, n] of Object.entries(result.byCategory))
    metrics.eventsAccepted.inc({ category }, n);
  if (result.duplicates > 0) metrics.eventsDuplicate.inc(result.duplicates);
}
