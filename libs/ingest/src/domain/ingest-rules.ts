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
 * equal fingerprints. Built with loops and one string: it runs three times per event.
 */
export function canonicalJson(value: unknown): string {
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
  let out = '{';
  for (const key of Object.keys(obj).sort()) {
    const member = obj[key];
    if (member === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(member)}`;
  }
  return `${out}}`;
}
