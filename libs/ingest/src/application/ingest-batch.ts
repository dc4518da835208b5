import { ValidationError } from '@authtrail/platform';
import { parseNdjson } from '../domain/ingest-rules';

/**
 * The events of a `POST /v1/events` body: a JSON array, or the text of an
 * `application/x-ndjson` body (one event per line); anything else is a 422.
 */
export function ingestBatchOf(body: unknown): unknown[] {
  if (typeof body === 'string') {
    const parsed = parseNdjson(body);
    if (!parsed.ok)
      throw new ValidationError(
        'the NDJSON body has lines that are not JSON events; nothing was stored',
        parsed.errors,
        'EVENT.MALFORMED',
      );
    return parsed.events;
  }
  if (!Array.isArray(body)) {
    throw new ValidationError(
      'the body must be a JSON array of events (or application/x-ndjson)',
      [{ path: '', message: 'expected an array' }],
      'EVENT.NOT_A_BATCH',
    );
  }
  return body;
}
