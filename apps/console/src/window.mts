import type { Query } from './api.mts';

const DAY = 86_400_000;

/**
 * The time window every windowed report uses. "Last N days" is fixed to instants when it
 * is chosen, so every card of a page answers for exactly the same [from, to).
 */
export interface TimeWindow {
  /** The preset it came from, or null for a custom range. */
  readonly days: number | null;
  readonly from: Date;
  readonly to: Date;
}

export function lastDays(days: number, now = new Date()): TimeWindow {
  return { days, from: new Date(now.getTime() - days * DAY), to: now };
}

export function windowQuery(w: TimeWindow): Query {
  return { from: w.from.toISOString(), to: w.to.toISOString() };
}

/**
 * Buckets of a window on UTC day boundaries (weeks beyond 92 days): the first starts at the
 * window's start, the last ends at its end, so the buckets add up to the window.
 */
export function buckets(from: Date, to: Date): { label: string; from: Date; to: Date }[] {
  const span = to.getTime() - from.getTime();
  const step = span > 92 * DAY ? 7 * DAY : DAY;
  const out: { label: string; from: Date; to: Date }[] = [];
  let start = from.getTime();
  while (start < to.getTime()) {
    const dayStart = Math.floor(start / DAY) * DAY;
    const end = Math.min(to.getTime(), dayStart + step);
    out.push({
      label: new Date(start).toISOString().slice(0, 10),
      from: new Date(start),
      to: new Date(end),
    });
    start = end;
  }
  return out;
}

export const dayOf = (iso: string): string => iso.slice(0, 10);
