import { AppError } from '@authtrail/platform';
import { ErrorType, isCommandError, WrongExpectedVersionError } from '@eventstore/db-client';
import { EventStoreUnavailableError } from '../../domain/event-store.errors';

/** True when the server refused an append for its expected revision. */
export function isWrongExpectedVersion(error: unknown): error is WrongExpectedVersionError {
  return (
    error instanceof Error &&
    isCommandError(error) &&
    error.type === ErrorType.WRONG_EXPECTED_VERSION
  );
}

/** True for a read of a stream that does not exist (an empty stream for the port). */
export function isStreamNotFound(error: unknown): boolean {
  return (
    error instanceof Error && isCommandError(error) && error.type === ErrorType.STREAM_NOT_FOUND
  );
}

/**
 * The boundary: every vendor error leaves the adapter as one of ours. A leader change,
 * an outage, a deadline or an unknown server answer is `EventStoreUnavailableError`
 * (retriable); the client reconnects (to the new leader) on the next call.
 */
export function translateEsdbError(error: unknown, what: string): AppError {
  if (error instanceof AppError) return error;
  const type = error instanceof Error && isCommandError(error) ? error.type : 'transport';
  const message = error instanceof Error ? error.message : String(error);
  return new EventStoreUnavailableError(`event store ${what} failed (${type}): ${message}`, error);
}
