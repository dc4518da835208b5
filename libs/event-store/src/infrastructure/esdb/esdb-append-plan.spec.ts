import { ConcurrencyError } from '../../domain/event-store.errors';
import type { AppendToStream, ExpectedRevision, NewEvent } from '../../domain/event-store.port';
import {
  type PlanItem,
  duplicatesWithin,
  groupByStream,
  judgeIdempotency,
  placeAppend,
} from './esdb-append-plan';

const event = (eventId: string, fingerprint = `fp-${eventId}`): NewEvent => ({
  eventId,
  type: 'test.Happened',
  fingerprint,
  subjectIds: [],
  occurredAt: new Date(0),
  data: new Uint8Array(),
});

/** A request and its items (streams flattened), as the adapter builds them. */
function request(...entries: [string, ExpectedRevision, NewEvent[]][]) {
  const streams: AppendToStream[] = entries.map(([streamId, expectedRevision, events]) => ({
    streamId,
    expectedRevision,
    events,
  }));
  const items: PlanItem[] = [];
  streams.forEach((s, stream) =>
    s.events.forEach((e) =>
      items.push({ event: e, stream, index: items.length, esdbId: `esdb-${e.eventId}` }),
    ),
  );
  return { streams, items };
}

describe('EventStoreDB append plan', () => {
  it('a repeated id in one request is a duplicate of its first, a conflict with other content', () => {
    const { items } = request(['a', 'any', [event('1'), event('2'), event('1'), event('2', 'x')]]);
    const within = duplicatesWithin(items);
    expect(within.firsts.map((i) => i.index)).toEqual([0, 1]);
    expect(within.statuses).toEqual([null, null, 'duplicate', 'duplicate']);
    expect(within.conflicts).toEqual([3]);
  });

  it('judges each claim: orphan, stored by this call, stored before (same or other content)', () => {
    const { items } = request(['a', 'any', [event('o'), event('mine'), event('old'), event('x')]]);
    const within = duplicatesWithin(items);
    const claim = (idemRevision: number, fingerprint: string) => ({ fingerprint, idemRevision });
    const judged = judgeIdempotency(
      within,
      [
        { item: items[0], claim: claim(0, 'fp-o'), stored: null },
        { item: items[1], claim: claim(0, 'fp-mine'), stored: 40 },
        { item: items[2], claim: claim(0, 'fp-old'), stored: 30 },
        { item: items[3], claim: claim(2, 'someone else'), stored: 20 },
      ],
      new Map([['esdb-mine', 40]]),
    );
    expect(judged.statuses).toEqual([null, 'appended', 'duplicate', 'duplicate']);
    expect(judged.conflicts).toEqual([3]);
    expect([...judged.orphans]).toEqual([[0, 0]]);
    expect(judged.lastPosition).toBe(40);
  });

  it('gives new events consecutive revisions per stream, entries of one stream in request order', () => {
    const { streams, items } = request(
      ['a', 'no_stream', [event('1'), event('2')]],
      ['b', 'any', [event('3')]],
      ['a', 1, [event('4')]],
    );
    const groups = groupByStream(
      streams,
      items,
      items.map(() => null),
    );
    expect(groups.map((g) => [g.streamId, g.entries, g.decision])).toEqual([
      ['a', [0, 2], true],
      ['b', [1], false],
    ]);
    const plan = placeAppend(streams, groups, [null, 6]);
    expect([...plan.revisions].sort(([x], [y]) => x - y)).toEqual([
      [0, 0],
      [1, 1],
      [2, 7],
      [3, 2],
    ]);
    expect(plan.streams.map((s) => s.head)).toEqual([null, 6]);
  });

  it('refuses a stale expected revision before anything is written', () => {
    const { streams, items } = request(['a', 3, [event('1')]]);
    const groups = groupByStream(streams, items, [null]);
    expect(() => placeAppend(streams, groups, [4])).toThrow(ConcurrencyError);
    expect(() => placeAppend(streams, groups, [null])).toThrow(ConcurrencyError);
    expect(placeAppend(streams, groups, [3]).revisions.get(0)).toBe(4);
  });

  it('does not check an entry whose events are all stored (a retry), but checks an empty one', () => {
    const { streams, items } = request(['a', 'no_stream', [event('1')]], ['b', 'no_stream', []]);
    const groups = groupByStream(streams, items, ['duplicate']);
    expect(groups[0].fresh).toEqual([]);
    expect(() => placeAppend(streams, groups, [5, null])).not.toThrow();
    expect(() => placeAppend(streams, groups, [5, 0])).toThrow(ConcurrencyError);
  });
});
