import { randomUUID } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { exampleEvent } from '@authtrail/catalog';
import { callApi, percentile } from '../../apps/cli/src/commands/bench-http';

/**
 * Observations of a running `authtrail serve` from outside, as a user would make them:
 * when an appended event becomes queryable, what `/metrics` says about worker lag, and
 * what the SIEM file sink has written.
 */

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The probe's type is one the load never sends, so the newest rows of that type are probes. */
const PROBE_TYPE = 'sspr.AccountUnlocked';
const PROBE_PERSON = {
  userPrincipalName: 'bench.probe@contoso.example',
  displayName: 'Bench Probe',
  role: 'User',
};

/**
 * Appends one marker event and resolves when it is queryable in the audit log (so in
 * ClickHouse): `lagMs` counts from the 202 (the event is in the log) to the first query
 * that returned it. As the projector writes the log in order, everything appended before
 * the marker is in the tables by then. null on timeout.
 */
export async function probeProjection(options: {
  readonly url: string;
  readonly producerKey: string;
  readonly readerKey: string;
  readonly timeoutMs?: number;
  readonly pollMs?: number;
}): Promise<{ lagMs: number | null; appendMs: number; queryMs: number | null }> {
  const { url, producerKey, readerKey } = options;
  const eventId = randomUUID();
  const event = exampleEvent(PROBE_TYPE, {
    eventId,
    occurredAt: new Date(Date.now() - 1000).toISOString(),
    actor: PROBE_PERSON,
    target: PROBE_PERSON,
  });
  const t0 = performance.now();
  const posted = await callApi(url, producerKey, 'POST', '/v1/events', [event]);
  if (posted.status !== 202)
    throw new Error(`probe event refused: HTTP ${posted.status} ${posted.text.slice(0, 200)}`);
  const appended = performance.now();
  const deadline = appended + (options.timeoutMs ?? 30_000);
  while (performance.now() < deadline) {
    const asked = performance.now();
    const r = await callApi(url, readerKey, 'GET', `/v1/audit-events?type=${PROBE_TYPE}&limit=5`);
    if (r.status !== 200)
      throw new Error(`audit query failed: HTTP ${r.status} ${r.text.slice(0, 200)}`);
    if (r.text.includes(eventId)) {
      const now = performance.now();
      // The last query's own time is part of the lag: under load it is not small.
      return { lagMs: now - appended, appendMs: appended - t0, queryMs: now - asked };
    }
    await sleep(options.pollMs ?? 50);
  }
  return { lagMs: null, appendMs: appended - t0, queryMs: null };
}

/** `authtrail_worker_lag_events` per worker (events in the log not yet processed). */
export async function workerLags(url: string): Promise<Record<string, number>> {
  const res = await fetch(`${url}/metrics`);
  const text = await res.text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^authtrail_worker_lag_events\{worker="([^"]+)"\} (\S+)$/gm))
    out[m[1]] = Number(m[2]);
  return out;
}

/** Per worker: batches handled, their total seconds and events (`/metrics` counters, cumulative). */
export interface WorkerBatchTotals {
  readonly batches: number;
  readonly seconds: number;
  readonly events: number;
}

export async function workerBatchTotals(url: string): Promise<Record<string, WorkerBatchTotals>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out: Record<string, { batches: number; seconds: number; events: number }> = {};
  const of = (w: string) => (out[w] ??= { batches: 0, seconds: 0, events: 0 });
  for (const m of text.matchAll(
    /^authtrail_worker_batch_duration_seconds_(count|sum)\{worker="([^"]+)"\} (\S+)$/gm,
  ))
    of(m[2])[m[1] === 'count' ? 'batches' : 'seconds'] = Number(m[3]);
  for (const m of text.matchAll(/^authtrail_worker_events_total\{worker="([^"]+)"\} (\S+)$/gm))
    of(m[1]).events = Number(m[2]);
  return out;
}

export interface Summary {
  readonly n: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

export const summarize = (xs: readonly number[]): Summary => ({
  n: xs.length,
  p50: percentile(xs, 50),
  p95: percentile(xs, 95),
  max: xs.length === 0 ? NaN : xs.reduce((a, b) => Math.max(a, b), -Infinity),
});

/**
 * Follows an NDJSON file as it grows (like `tail -f`), from its size at construction:
 * each `poll` returns the complete lines appended since the previous one.
 */
export class FileTail {
  private offset: number;
  private partial = '';
  private skipFirst: boolean;

  constructor(private readonly path: string) {
    this.offset = FileTail.size(path);
    // The file may have been read mid-append: the first segment may be a line's end.
    this.skipFirst = this.offset > 0;
  }

  private static size(path: string): number {
    try {
      const fd = openSync(path, 'r');
      try {
        return fstatSync(fd).size;
      } finally {
        closeSync(fd);
      }
    } catch {
      return 0;
    }
  }

  poll(): string[] {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return [];
    }
    try {
      const size = fstatSync(fd).size;
      if (size <= this.offset) return [];
      const buf = Buffer.alloc(size - this.offset);
      const n = readSync(fd, buf, 0, buf.length, this.offset);
      this.offset += n;
      const lines = (this.partial + buf.subarray(0, n).toString('utf8')).split('\n');
      this.partial = lines.pop() ?? '';
      if (this.skipFirst && lines.length > 0) {
        lines.shift();
        this.skipFirst = false;
      }
      return lines;
    } finally {
      closeSync(fd);
    }
  }
}
