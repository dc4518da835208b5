import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  START,
  WrongExpectedVersionError,
  binaryEvent,
  jsonEvent,
  streamNameFilter,
} from '@eventstore/db-client';
import { EsdbTestDouble } from './esdb-test-double';

// The double is only useful if the real client talks to it as to a server: these cases
// drive it through `@eventstore/db-client` itself.
describe.each([
  ['with BatchAppend', true],
  ['without BatchAppend', false],
])('EsdbTestDouble (%s)', (_name, batchAppend) => {
  let double: EsdbTestDouble;
  let client: EventStoreDBClient;

  beforeEach(async () => {
    double = await EsdbTestDouble.start({ batchAppend });
    client = EventStoreDBClient.connectionString(double.connectionString);
  });
  afterEach(async () => {
    await client.dispose();
    await double.close();
  });

  it('appends with the method the server advertises and checks expected revisions', async () => {
    const first = await client.appendToStream(
      'orders-1',
      [
        binaryEvent({ type: 'a', data: Buffer.from([1, 2, 3]) }),
        jsonEvent({ type: 'b', data: {} }),
      ],
      { expectedRevision: 'no_stream' },
    );
    expect(first.nextExpectedRevision).toBe(1n);
    expect(first.position!.commit).toBeGreaterThanOrEqual(1_000_000n);
    await expect(
      client.appendToStream('orders-1', jsonEvent({ type: 'c', data: {} }), {
        expectedRevision: 0n,
      }),
    ).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(
      client.appendToStream('orders-2', jsonEvent({ type: 'c', data: {} }), {
        expectedRevision: 'stream_exists',
      }),
    ).rejects.toBeInstanceOf(WrongExpectedVersionError);
    expect(double.callCount('Streams/BatchAppend') > 0).toBe(batchAppend);
    expect(double.callCount('Streams/Append') > 0).toBe(!batchAppend);
  });

  it('reads streams and $all both ways, with positions and system records', async () => {
    await client.appendToStream('s', [jsonEvent({ type: 'x', data: { n: 1 } })]);
    await client.appendToStream('t', [jsonEvent({ type: 'y', data: { n: 2 } })]);
    const stream = [];
    for await (const e of client.readStream('s')) stream.push(e.event!);
    expect(stream.map((e) => [e.type, e.revision])).toEqual([['x', 0n]]);
    const all = [];
    for await (const e of client.readAll()) all.push(e.event!);
    expect(all.map((e) => e.streamId)).toEqual(['$epochs', 's', 't']);
    expect(stream[0].position).toEqual(all[1].position);
    const last = [];
    for await (const e of client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }))
      last.push(e.event!);
    expect(last[0].streamId).toBe('t');
    await expect(
      (async () => {
        for await (const e of client.readStream('missing')) void e;
      })(),
    ).rejects.toMatchObject({ type: 'stream-not-found' });
  });

  it('resolves links and applies $maxAge on stream reads', async () => {
    let now = Date.now();
    await double.close();
    double = await EsdbTestDouble.start({ batchAppend, now: () => now });
    await client.dispose();
    client = EventStoreDBClient.connectionString(double.connectionString);
    await client.setStreamMetadata('short', { maxAge: 60 });
    await client.appendToStream('short', [jsonEvent({ type: 'x', data: {} })]);
    await client.appendToStream('index', [
      binaryEvent({ type: '$>', data: Buffer.from('0@short') }),
    ]);
    const resolved = [];
    for await (const e of client.readStream('index', { resolveLinkTos: true })) resolved.push(e);
    expect(resolved[0].event!.streamId).toBe('short');
    expect(resolved[0].link!.streamId).toBe('index');
    now += 61_000;
    const expired = [];
    for await (const e of client.readStream('short')) expired.push(e);
    expect(expired).toEqual([]);
    expect(double.metadataOf('short')).toEqual({ $maxAge: 60 });
  });

  it('subscribes to $all from a position with a prefix filter, then live', async () => {
    await client.appendToStream('t-a', [jsonEvent({ type: 'x', data: {} })]);
    await client.appendToStream('other', [jsonEvent({ type: 'x', data: {} })]);
    const second = await client.appendToStream('t-b', [jsonEvent({ type: 'x', data: {} })]);
    const seen: string[] = [];
    const subscription = client.subscribeToAll({
      fromPosition: START,
      filter: streamNameFilter({ prefixes: ['t-'] }),
    });
    subscription.on('data', (e) => seen.push(`${e.event!.streamId}@${e.event!.position.commit}`));
    await client.appendToStream('t-c', [jsonEvent({ type: 'x', data: {} })]);
    const deadline = Date.now() + 2000;
    while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await subscription.unsubscribe();
    expect(seen.map((s) => s.split('@')[0])).toEqual(['t-a', 't-b', 't-c']);

    const after: string[] = [];
    const resumed = client.subscribeToAll({
      fromPosition: second.position!,
      filter: streamNameFilter({ prefixes: ['t-'] }),
    });
    resumed.on('data', (e) => after.push(e.event!.streamId));
    while (after.length < 1 && Date.now() < deadline + 2000)
      await new Promise((r) => setTimeout(r, 10));
    await resumed.unsubscribe();
    expect(after).toEqual(['t-c']);
  });
});
