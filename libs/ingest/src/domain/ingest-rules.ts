import type { FieldError } from '@authtrail/platform';

/**
 * Pure rules of ingest that are not about one event type's shape: time bounds and body
 * framing. The catalog owns the per-type schemas.
 */

export interface TimeBounds {
  readonly now: Date;
  readonly maxFutureSkewMs: number;
  /** Retention of the event's category, in days. */
  readonly retentionDays: number;
}

/** `occurredAt` more than the allowed skew ahead, or already past retention, is refused. */
export function checkOccurredAt(
  index: number,
  occurredAt: string,
  bounds: TimeBounds,
): FieldError | null {
  const t = Date.parse(occurredAt);
  if (Number.isNaN(t))
    return { index, path: '/occurredAt', message: 'must be an ISO-8601 date-time' };
  const now = bounds.now.getTime();
  if (t > now + bounds.maxFutureSkewMs) {
    return {
      index,
      path: '/occurredAt',
      message: `is more than ${Math.round(bounds.maxFutureSkewMs / 60000)} minutes in the future`,
    };
  }
  if (t < now - bounds.retentionDays * 86_400_000) {
    return {
      index,
      path: '/occurredAt',
      message: `is older than this event category's retention of ${bounds.retentionDays} days`,
    };
  }
  return null;
}

export type ParsedBody =
  | { readonly ok: true; readonly events: unknown[] }
  | { readonly ok: false; readonly errors: FieldError[] };

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function hasForbiddenKey(value: unknown, depth = 0): boolean {
  if (depth > 64) return true;
  if (Array.isArray(value)) return value.some((v) => hasForbiddenKey(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    for (const k of Object.keys(value)) {
      if (
        FORBIDDEN_KEYS.has(k) ||
        hasForbiddenKey((value as Record<string, unknown>)[k], depth + 1)
      )
        return true;
    }
  }
  return false;
}

/**
 * Parses an `application/x-ndjson` body: one JSON event per non-empty line. Every bad
 * line is reported (by its event index), not just the first.
 */
export function parseNdjson(text: string): ParsedBody {
  const events: unknown[] = [];
  const errors: FieldError[] = [];
  const lines = text.split('\n');
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '') continue;
    const index = events.length;
    try {
      const value: unknown = JSON.parse(line);
      if (hasForbiddenKey(value)) {
        errors.push({
          index,
          path: '',
          message: 'forbidden key (__proto__, constructor or prototype) or nesting deeper than 64',
        });
      }
      events.push(value);
    } catch {
      errors.push({ index, path: '', message: 'line is not valid JSON' });
      events.push(undefined);
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, events };
}

/**
 * Canonical JSON (sorted keys, `undefined` members left out) so that equal content gives
 * equal fingerprints. It runs three times per event, so it allocates little: keys are
 * sorted in place, and a key or string of plain printable ASCII is quoted without
 * `JSON.stringify` (which would write those very bytes).
 */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'string') return quoted(value);
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      // `undefined` in an array is written as nothing, as `[].join` did before.
      const item = canonicalJson(value[i]) as string | undefined;
      out += (i > 0 ? ',' : '') + (item ?? '');
    }
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = sortedKeys(obj);
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const member = obj[keys[i]];
    if (member === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${quoted(keys[i])}:${canonicalJson(member)}`;
  }
  return `${out}}`;
}

/** Printable ASCII but `"` and `\`: JSON.stringify writes such a string as itself in quotes. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function quoted(text: string): string {
  return PLAIN.test(text) ? `"${text}"` : JSON.stringify(text);
}

/** Above this many keys, Array.prototype.sort; below, an insertion sort needs no work array. */
const INSERTION_SORT_MAX = 32;

/** `Object.keys(obj).sort()`: the same order (UTF-16 code units), sorted in place. */
function sortedKeys(obj: object): string[] {
  const keys = Object.keys(obj);
  if (keys.length > INSERTION_SORT_MAX) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > key) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}
