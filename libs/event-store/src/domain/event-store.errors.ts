import { AppError } from '@authtrail/platform';
import type { ExpectedRevision } from './event-store.port';
import { revisionMatches } from './expected-revision';

/** A stream was not at the revision the append expected. */
export class ConcurrencyError extends AppError {
  constructor(
    readonly streamId: string,
    readonly expected: string,
    readonly actual: number | null,
  ) {
    super(
      'EVENT_STORE.CONCURRENCY',
      'conflict',
      `stream ${streamId} is at revision ${actual ?? 'none'}, expected ${expected}`,
      { retriable: true },
    );
  }
}

/**
 * A guarded stream holds an event the append's guard excludes (e.g. a person's erasure):
 * nothing was stored. Retriable once the caller has re-decided what to append.
 */
export class GuardFailedError extends AppError {
  constructor(readonly streamIds: readonly string[]) {
    super(
      'EVENT_STORE.GUARD_FAILED',
      'conflict',
      `append refused: ${streamIds.length} guarded stream(s) hold an excluded event`,
      { retriable: true },
    );
  }
}

/** Throws `ConcurrencyError` when the stream is not where the append expects it. */
export function assertExpectedRevision(
  streamId: string,
  expected: ExpectedRevision,
  current: number | null,
): void {
  if (!revisionMatches(expected, current))
    throw new ConcurrencyError(streamId, String(expected), current);
}

/** An event id was reused with other content. `indexes` are positions in the append request. */
export class IdempotencyConflictError extends AppError {
  constructor(readonly indexes: readonly number[]) {
    super(
      'EVENT.ID_CONFLICT',
      'conflict',
      `event id reused with different content at index ${indexes.join(', ')}`,
    );
  }
}

/** The store cannot be reached or failed; the caller may retry. */
export class EventStoreUnavailableError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('EVENT_STORE.UNAVAILABLE', 'unavailable', message, { retriable: true, cause });
  }
}
