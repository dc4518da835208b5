import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventCatalog, exampleEvent } from '@authtrail/catalog';
import { EVENT_STORE, EventStore, decodeEnvelope } from '@authtrail/event-store';
import { esdbRecordsHolding } from '../support/event-store-under-test';
import { TestServer, prepareTenant, startTestServer } from '../support/test-server';

const catalog = EventCatalog.default();
const producerTypes = catalog
  .list()
  .filter((d) => d.producerPostable)
  .map((d) => d.type);

describe('POST /v1/events (over a real socket)', () => {
  let server: TestServer;
  let keys: { producer: string; reader: string; privacyAdmin: string };
  let store: EventStore;

  beforeAll(async () => {
    server = await startTestServer();
    keys = await prepareTenant(server);
    store = server.app.get<EventStore>(EVENT_STORE);
  });
  afterAll(async () => server.close());

  const post = (body: unknown, key = keys.producer) =>
    server.request('POST', '/v1/events', { key, body });
  const head = () => store.headPosition();

  it('accepts a valid event of every type and stores it readable from the log, personal fields sealed', async () => {
    // Seed 002's seven, sspr.PolicyChanged of the current SSPR doc, seed 000's five.
    expect(producerTypes).toHaveLength(13);
    const events = producerTypes.map((type) => exampleEvent(type, { eventId: randomUUID() }));
    const res = await post(events);
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ accepted: producerTypes.length, duplicates: 0 });

    const stored = await store.readAll({ after: 0, limit: 10_000, tenantId: 'default' });
    for (const e of events) {
      const rec = stored.find((r) => r.eventId === e.eventId);
      expect(rec).toBeDefined();
      const env = decodeEnvelope(rec!.data);
      expect(env.type).toBe(e.type);
      expect(env.tenantId).toBe('default');
      expect(Object.keys(env.sealed).length).toBeGreaterThan(0);
      for (const sid of Object.values(env.subjects)) expect(sid).toMatch(/^s_/);
      // No plaintext user principal name anywhere in the stored bytes.
      const text = Buffer.from(rec!.data).toString('utf8');
      for (const role of ['actor', 'target'] as const) {
        const upn = (e as any)[role]?.userPrincipalName as string | undefined;
        if (upn) expect(text).not.toContain(upn);
      }
    }
  });

  it('takes NDJSON too', async () => {
    const events = [
      exampleEvent('sspr.PasswordChanged', { eventId: randomUUID() }),
      exampleEvent('mfa.AppActivated', { eventId: randomUUID() }),
    ];
    const res = await server.request('POST', '/v1/events', {
      key: keys.producer,
      raw: events.map((e) => JSON.stringify(e)).join('\n') + '\n',
      contentType: 'application/x-ndjson',
    });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ accepted: 2, duplicates: 0 });
  });

  it('stores a re-sent event once (across requests and within one batch)', async () => {
    const e = exampleEvent('sspr.PasswordResetByAdmin', { eventId: randomUUID() });
    expect((await post([e])).json).toEqual({ accepted: 1, duplicates: 0 });
    const before = await head();
    expect((await post([e])).json).toEqual({ accepted: 0, duplicates: 1 });
    const f = exampleEvent('sspr.PasswordResetByAdmin', { eventId: randomUUID() });
    expect((await post([f, f])).json).toEqual({ accepted: 1, duplicates: 1 });
    // One event more (positions need not be dense: EventStoreDB's are byte offsets).
    expect((await store.readAll({ after: before, limit: 10 })).map((r) => r.eventId)).toEqual([
      f.eventId,
    ]);
  });

  it('answers 409 naming the indexes when an eventId is reused with other content, and stores nothing', async () => {
    const e = exampleEvent('sspr.PasswordChanged', { eventId: randomUUID() });
    await post([e]);
    const before = await head();
    const fresh = exampleEvent('sspr.PasswordChanged', { eventId: randomUUID() });
    const changed = { ...e, occurredAt: new Date(Date.parse(e.occurredAt) - 1000).toISOString() };
    const res = await post([fresh, changed]);
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.json.indexes).toEqual([1]);
    expect(await head()).toBe(before);
  });

  it('says an eventId is twice in this batch, naming both indexes, and stores nothing', async () => {
    const e = exampleEvent('sspr.PasswordChanged', { eventId: randomUUID() });
    const before = await head();
    const other = { ...e, occurredAt: new Date(Date.parse(e.occurredAt) - 1000).toISOString() };
    const fresh = exampleEvent('sspr.PasswordChanged', { eventId: randomUUID() });
    const res = await post([e, fresh, other]);
    expect(res.status).toBe(409);
    expect(res.json.detail).toContain('twice in this batch');
    expect(res.json.errors).toEqual([
      expect.objectContaining({
        index: 2,
        path: '/eventId',
        message: expect.stringContaining('also at index 0'),
      }),
    ]);
    expect(await head()).toBe(before);
  });

  it.each([
    ['unknown type', (e: any) => ({ ...e, type: 'sspr.Nope' }), '/type'],
    ['missing field', (e: any) => ({ ...e, result: undefined }), '/result'],
    ['extra field', (e: any) => ({ ...e, surprise: 1 }), '/surprise'],
    [
      'wrong enum',
      (e: any) => ({ ...e, details: { ...e.details, onPremisesAgent: 'Carrier pigeon' } }),
      '/details/onPremisesAgent',
    ],
    ['non-UUID id', (e: any) => ({ ...e, eventId: 'not-a-uuid' }), '/eventId'],
    [
      'occurredAt in the future',
      (e: any) => ({ ...e, occurredAt: new Date(Date.now() + 10 * 60_000).toISOString() }),
      '/occurredAt',
    ],
    [
      'occurredAt past retention',
      (e: any) => ({ ...e, occurredAt: new Date(Date.now() - 400 * 86_400_000).toISOString() }),
      '/occurredAt',
    ],
    ['unparseable occurredAt', (e: any) => ({ ...e, occurredAt: 'yesterday' }), '/occurredAt'],
  ])(
    'rejects the whole batch on %s with 422 naming index and path, storing nothing',
    async (_name, mutate, path) => {
      const good = exampleEvent('sspr.PasswordResetByAdmin', { eventId: randomUUID() });
      const bad = mutate(exampleEvent('sspr.PasswordResetByAdmin', { eventId: randomUUID() }));
      const before = await head();
      const res = await post([good, bad]);
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.json.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ index: 1, path: expect.stringContaining(path) }),
        ]),
      );
      expect(res.json.errors.every((e: { index: number }) => e.index === 1)).toBe(true);
      expect(await head()).toBe(before);
    },
  );

  it('lists every problem of every event at once', async () => {
    const a = { ...exampleEvent('mfa.UserBlocked'), eventId: 'x' };
    const b = { ...exampleEvent('sspr.Registered'), type: 'nope' };
    const res = await post([a, b]);
    expect(res.status).toBe(422);
    const indexes = new Set(res.json.errors.map((e: { index: number }) => e.index));
    expect(indexes).toEqual(new Set([0, 1]));
  });

  it('answers malformed bodies, wrong content types, huge bodies and oversized batches with clear 4xx', async () => {
    const before = await head();
    const malformed = await server.request('POST', '/v1/events', {
      key: keys.producer,
      raw: '[{"eventId": ',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toContain('application/problem+json');
    const proto = await server.request('POST', '/v1/events', {
      key: keys.producer,
      raw: '[{"__proto__": {"polluted": true}}]',
    });
    expect(proto.status).toBe(400);
    expect(({} as any).polluted).toBeUndefined();
    const wrongType = await server.request('POST', '/v1/events', {
      key: keys.producer,
      raw: 'hello',
      contentType: 'text/plain',
    });
    expect(wrongType.status).toBe(415);
    expect(wrongType.json.acceptedMediaTypes).toEqual(['application/json', 'application/x-ndjson']);
    expect(wrongType.json.detail).toContain('application/json');
    const notArray = await post({ eventId: randomUUID() });
    expect(notArray.status).toBe(422);
    const empty = await post([]);
    expect(empty.status).toBe(422);
    const huge = await server.request('POST', '/v1/events', {
      key: keys.producer,
      raw: `["${'x'.repeat(6 * 1024 * 1024)}"]`,
    });
    expect(huge.status).toBe(413);
    expect(huge.json.maxBodyBytes).toBe(5 * 1024 * 1024);
    expect(huge.json.detail).toContain(`limit of ${5 * 1024 * 1024} bytes`);
    const many = Array.from({ length: 1001 }, () =>
      exampleEvent('sspr.PasswordChanged', { eventId: randomUUID() }),
    );
    const tooMany = await post(many);
    expect(tooMany.status).toBe(413);
    expect(tooMany.json.detail).toContain('at most 1000 events');
    const badLine = await server.request('POST', '/v1/events', {
      key: keys.producer,
      raw: `${JSON.stringify(exampleEvent('sspr.PasswordChanged', { eventId: randomUUID() }))}\n{oops\n`,
      contentType: 'application/x-ndjson',
    });
    expect(badLine.status).toBe(422);
    expect(badLine.json.errors).toEqual([expect.objectContaining({ index: 1 })]);
    expect(await head()).toBe(before);
  });

  it('never stores a secret: a new PIN becomes the fact pinChanged', async () => {
    const pin = '73914682';
    const e = exampleEvent('mfa.UserChanged', { eventId: randomUUID() });
    (e as any).details = { ...(e as any).details, newPin: pin };
    const res = await post([e]);
    expect(res.status).toBe(202);
    const rec = (await store.readAll({ after: 0, limit: 100_000 })).find(
      (r) => r.eventId === e.eventId,
    )!;
    expect(decodeEnvelope(rec.data).data).toEqual(
      expect.objectContaining({ details: expect.objectContaining({ pinChanged: true }) }),
    );
    for (const f of readdirSync(server.dataDir)) {
      if (!f.endsWith('.key'))
        expect(readFileSync(join(server.dataDir, f)).includes(Buffer.from(pin))).toBe(false);
    }
    expect(await esdbRecordsHolding(server.dataDir, pin)).toEqual([]);
  });
});

describe('a tenant that has not opted in', () => {
  it('gets 409 and nothing is kept', async () => {
    const server = await startTestServer();
    try {
      const k = await server.request('POST', '/v1/keys', { body: { roles: ['producer'] } });
      const store = server.app.get<EventStore>(EVENT_STORE);
      const before = await store.headPosition();
      const res = await server.request('POST', '/v1/events', {
        key: k.json.key,
        body: [exampleEvent('sspr.PasswordChanged', { eventId: randomUUID() })],
      });
      expect(res.status).toBe(409);
      expect(res.json.code).toBe('TENANT.NOT_OPTED_IN');
      expect(await store.headPosition()).toBe(before);
    } finally {
      await server.close();
    }
  });
});
