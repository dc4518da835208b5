import { AppError, ValidationError } from '@authtrail/platform';
import { recordsOf } from '../domain/map-entra-batch';
import type { EntraImportResult } from './import-entra-records.command';

/**
 * The records of a `POST /v1/sources/entra/records` body (an array, or Azure Monitor's
 * `{"records": [...]}` / Graph's `{"value": [...]}`): anything else is a 422, more than
 * `maxRecords` a 413, none a 422.
 */
export function entraRecordsOf(body: unknown, maxRecords: number): unknown[] {
  const records = recordsOf(body);
  if (records === null)
    throw new ValidationError(
      'the body must be a JSON array of Entra audit records (or {"records": [...]})',
      [{ path: '', message: 'expected an array of records' }],
      'ENTRA.NOT_A_BATCH',
    );
  if (records.length > maxRecords)
    throw new AppError(
      'ENTRA.BATCH_TOO_LARGE',
      'too-large',
      `a batch holds at most ${maxRecords} records, this one ${records.length}`,
    );
  if (records.length === 0)
    throw new ValidationError(
      'the batch holds no record',
      [{ path: '', message: 'send at least one record' }],
      'ENTRA.BATCH_EMPTY',
    );
  return records;
}

/**
 * The answer to a posted batch, without the per-category counts (those are for metrics);
 * a 422 when nothing at all was usable (every record malformed): the request itself is
 * bad input.
 */
export function entraImportAnswer(
  result: EntraImportResult,
): Omit<EntraImportResult, 'byCategory'> {
  if (result.rejected === result.received)
    throw new ValidationError(
      `none of the ${result.received} records could be imported; nothing was stored`,
      result.errors,
      'ENTRA.RECORDS_INVALID',
    );
  const { byCategory: _, ...answer } = result;
  return answer;
}
