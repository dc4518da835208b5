import type { Clock } from '@authtrail/platform';
import type { EntraImportResult } from './import-entra-records.command';

/** One page of `GET /auditLogs/directoryAudits`: its records and the `@odata.nextLink`. */
export interface GraphAuditPage {
  readonly records: readonly unknown[];
  readonly nextLink: string | null;
}

/** The port to Microsoft Graph's audit log (an HTTP adapter, or a test's double). */
export interface GraphAuditSource {
  /** The first page of SSPR records from `since` on, or the page `nextLink` names. */
  page(since: Date, nextLink: string | null): Promise<GraphAuditPage>;
}

/** The poller's checkpoint: epoch milliseconds of the newest `activityDateTime` appended (0 = none). */
export interface PollerCheckpoints {
  load(worker: string): Promise<number>;
  save(worker: string, position: number): Promise<void>;
}

export interface GraphPollerOptions {
  readonly worker: string;
  /** Where the first poll starts, before now. */
  readonly lookbackMs: number;
  /** How far before the checkpoint each poll starts again, for records Entra logs late. */
  readonly overlapMs: number;
}

export interface PollOutcome {
  readonly since: string;
  readonly pages: number;
  readonly records: number;
  readonly accepted: number;
  readonly duplicates: number;
  readonly checkpoint: number;
}

type Json = Record<string, unknown>;

function activityTime(record: unknown): number | null {
  if (typeof record !== 'object' || record === null) return null;
  const t = (record as Json).activityDateTime;
  const ms = typeof t === 'string' ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? null : ms;
}

/**
 * Reads SSPR records from Microsoft Graph page by page and imports each page before the
 * checkpoint moves. The checkpoint is the newest `activityDateTime` imported; a poll (also
 * the first after a restart) asks from the checkpoint less the overlap, so a record is
 * never lost between polls, and the records asked for twice are duplicates (stable ids)
 * that store nothing. Pages are asked for oldest first; the checkpoint moves after a page
 * only while pages really arrive in that order, otherwise only at the end of the poll.
 */
export class EntraGraphPoller {
  constructor(
    private readonly source: GraphAuditSource,
    private readonly checkpoints: PollerCheckpoints,
    private readonly importRecords: (records: unknown[]) => Promise<EntraImportResult>,
    private readonly clock: Clock,
    private readonly options: GraphPollerOptions,
  ) {}

  async pollOnce(): Promise<PollOutcome> {
    const saved = await this.checkpoints.load(this.options.worker);
    const since = new Date(
      saved === 0
        ? this.clock.now().getTime() - this.options.lookbackMs
        : saved - this.options.overlapMs,
    );
    let nextLink: string | null = null;
    let checkpoint = saved;
    let ordered = true;
    let newest = saved;
    let pages = 0;
    let records = 0;
    let accepted = 0;
    let duplicates = 0;
    do {
      const page: GraphAuditPage = await this.source.page(since, nextLink);
      pages++;
      const times = page.records.map(activityTime).filter((t): t is number => t !== null);
      for (let i = 0; i < times.length; i++) {
        if (times[i] < (i === 0 ? newest : times[i - 1]) - this.options.overlapMs) ordered = false;
      }
      if (page.records.length > 0) {
        const r = await this.importRecords([...page.records]);
        records += page.records.length;
        accepted += r.accepted;
        duplicates += r.duplicates;
      }
      newest = Math.max(newest, ...times);
      if (ordered && newest > checkpoint) {
        checkpoint = newest;
        await this.checkpoints.save(this.options.worker, checkpoint);
      }
      nextLink = page.nextLink;
    } while (nextLink !== null);
    if (newest > checkpoint) {
      checkpoint = newest;
      await this.checkpoints.save(this.options.worker, checkpoint);
    }
    return { since: since.toISOString(), pages, records, accepted, duplicates, checkpoint };
  }
}
