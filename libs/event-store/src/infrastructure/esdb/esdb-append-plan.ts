import type { AppendStatus, AppendToStream, NewEvent } from '../../domain/event-store.port';
import { assertExpectedRevision } from '../../domain/event-store.errors';

/**
 * The decisions of an EventStoreDB append, as pure functions of what the adapter read
 * (index claims, stream heads): which events are duplicates, which claims are orphans to
 * take over, which revision each new event takes, which streams are decisions. The
 * adapter only reads, then writes what the plan says (esdb-event-store.adapter.ts).
 */

/** One event of the request, in request order. */
export interface PlanItem {
  readonly event: NewEvent;
  /** Index of its entry in the request's streams. */
  readonly stream: number;
  /** Index in the request (streams flattened). */
  readonly index: number;
  /** Its deterministic EventStoreDB id (from tenant and event id). */
  readonly esdbId: string;
}

/** Statuses so far: null while undecided. */
export type Statuses = readonly (AppendStatus | null)[];

/** The request's own repeats: the first of each event id, later ones duplicates (or conflicts). */
export interface WithinRequest {
  readonly firsts: readonly PlanItem[];
  readonly statuses: Statuses;
  readonly conflicts: readonly number[];
}

export function duplicatesWithin(items: readonly PlanItem[]): WithinRequest {
  const statuses: (AppendStatus | null)[] = items.map(() => null);
  const conflicts: number[] = [];
  const firstOf = new Map<string, PlanItem>();
  for (const item of items) {
    const earlier = firstOf.get(item.event.eventId);
    if (!earlier) firstOf.set(item.event.eventId, item);
    else {
      statuses[item.index] = 'duplicate';
      if (earlier.event.fingerprint !== item.event.fingerprint) conflicts.push(item.index);
    }
  }
  return { firsts: [...firstOf.values()], statuses, conflicts };
}

/** What the index said of one event id: its newest claim, and the data's position if the claim holds. */
export interface ClaimVerdict {
  readonly item: PlanItem;
  readonly claim: { readonly fingerprint: string; readonly idemRevision: number } | null;
  /** Position of the event at the claimed revision; null: the claim is an orphan (a crash before the data). */
  readonly stored: number | null;
}

export interface IdempotencyJudgement {
  readonly statuses: Statuses;
  /** Request indexes reusing an id with other content (sorted). */
  readonly conflicts: readonly number[];
  /** Item index → the orphan claim's revision in its index stream (taken over by the new claim). */
  readonly orphans: ReadonlyMap<number, number>;
  /** Highest position of an event this call already stored (an earlier attempt). */
  readonly lastPosition: number | null;
}

/**
 * An event is stored when its claim holds (the claimed revision has its id). Stored by an
 * earlier attempt of this very call (`written`): appended; by anyone else: a duplicate, or
 * a conflict when the fingerprints differ.
 */
export function judgeIdempotency(
  within: WithinRequest,
  verdicts: readonly ClaimVerdict[],
  written: ReadonlyMap<string, number>,
): IdempotencyJudgement {
  const statuses = [...within.statuses];
  const conflicts = [...within.conflicts];
  const orphans = new Map<number, number>();
  let lastPosition: number | null = null;
  for (const { item, claim, stored } of verdicts) {
    if (!claim) continue;
    if (stored === null) {
      orphans.set(item.index, claim.idemRevision);
      continue;
    }
    if (written.has(item.esdbId)) {
      statuses[item.index] = 'appended';
      lastPosition = Math.max(lastPosition ?? 0, stored);
    } else {
      statuses[item.index] = 'duplicate';
      if (claim.fingerprint !== item.event.fingerprint) conflicts.push(item.index);
    }
  }
  return { statuses, conflicts: conflicts.sort((a, b) => a - b), orphans, lastPosition };
}

/** The request's entries naming one stream, and its new events. */
export interface StreamGroup {
  readonly streamId: string;
  /** Request entries naming the stream, in request order. */
  readonly entries: readonly number[];
  /** Events still to write, in request order. */
  readonly fresh: readonly PlanItem[];
  /** Some entry expects a revision: written alone, before the facts. */
  readonly decision: boolean;
}

export function groupByStream(
  streams: readonly AppendToStream[],
  items: readonly PlanItem[],
  statuses: Statuses,
): StreamGroup[] {
  const groups = new Map<string, { entries: number[]; fresh: PlanItem[]; decision: boolean }>();
  streams.forEach((s, i) => {
    const group = groups.get(s.streamId) ?? { entries: [], fresh: [], decision: false };
    group.entries.push(i);
    group.fresh.push(...items.filter((item) => item.stream === i && statuses[item.index] === null));
    group.decision ||= s.expectedRevision !== 'any';
    groups.set(s.streamId, group);
  });
  return [...groups].map(([streamId, g]) => ({ streamId, ...g }));
}

/** A stream of the plan with the head its data append must find. */
export interface PlannedStream extends StreamGroup {
  readonly head: number | null;
}

export interface AppendPlan {
  readonly streams: readonly PlannedStream[];
  /** Item index → the revision the event takes in its stream. */
  readonly revisions: ReadonlyMap<number, number>;
}

/**
 * Checks every expected revision against the heads read (`heads[g]` of `groups[g]`) and
 * gives each new event its revision. Entries naming the same stream are checked in request
 * order, each against the revision the earlier ones leave; an entry whose events are all
 * stored already is not checked (the decision it carried was taken). Throws
 * `ConcurrencyError` before anything is written.
 */
export function placeAppend(
  streams: readonly AppendToStream[],
  groups: readonly StreamGroup[],
  heads: readonly (number | null)[],
): AppendPlan {
  const revisions = new Map<number, number>();
  const planned = groups.map((group, g): PlannedStream => {
    let current = heads[g];
    for (const i of group.entries) {
      const mine = group.fresh.filter((item) => item.stream === i);
      if (mine.length > 0 || streams[i].events.length === 0)
        assertExpectedRevision(group.streamId, streams[i].expectedRevision, current);
      for (const item of mine) {
        current = (current ?? -1) + 1;
        revisions.set(item.index, current);
      }
    }
    return { ...group, head: heads[g] };
  });
  return { streams: planned, revisions };
}
