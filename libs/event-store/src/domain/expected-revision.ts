import type { ExpectedRevision } from './event-store.port';

// No runtime import here: the SQLite writer thread loads this file without the path
// aliases (`assertExpectedRevision`, beside `ConcurrencyError`, throws for the rest).

/**
 * Whether a stream at `current` (null: it does not exist) may take an append that expects
 * `expected`: the one rule every adapter applies.
 */
export function revisionMatches(expected: ExpectedRevision, current: number | null): boolean {
  return (
    expected === 'any' ||
    (expected === 'no_stream' && current === null) ||
    (expected === 'stream_exists' && current !== null) ||
    (typeof expected === 'number' && current === expected)
  );
}
