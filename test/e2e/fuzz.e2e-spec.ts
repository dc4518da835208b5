import { randomUUID } from 'node:crypto';
import { EventCatalog, exampleEvent } from '@authtrail/catalog';
import { EVENT_STORE, EventStore, decodeEnvelope } from '@authtrail/event-store';
import { TestServer, prepareTenant, request, startTestServer } from '../support/test-server';

/**
 * Hostile input, bounded in count and time: random and mutated requests on every kind
 * of route. The server must stay up, answer every one with a defined status below 500,
 * and store only valid events.
 */
const REQUESTS = Number(process.env.AUTHTRAIL_FUZZ_REQUESTS ?? 2500);
const catalog = EventCatalog.default();
const producerTypes = catalog.producerTypes().map((d) => (typeof d === 'string' ? d : d.type));

/** Percent-encodes; a lone surrogate becomes an invalid UTF-8 escape on purpose. */
const enc = (s: string): string => {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80%FF';
  }
};

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY_STRINGS = [
  "' OR 1=1; DROP TABLE events; --",
  '"; SELECT * FROM system.tables; --',
  "{t:Identifier}') FORMAT JSON --",
  '\u0000',
  '\ud800',
  '\u202e\u0645\u0631\u062d\u0628\u0627',
  '𝕳𝖊𝖑𝖑𝖔 👩‍👩‍👧‍👦',
  '\u200b\u200c\u200d\ufeff',
  '../../../../etc/passwd',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  'x'.repeat(70_000),
  '1e309',
  '-0',
  '2026-13-45T99:99:99Z',
];

describe('fuzzing the API with hostile input', () => {
  let server: TestServer;
  let keys: { producer: string; reader: string; privacyAdmin: string };
  let store: EventStore;

  beforeAll(async () => {
    server = await startTestServer({
      AUTHTRAIL_RATE_LIMIT_PER_SECOND: '100000',
      AUTHTRAIL_RATE_LIMIT_BURST: '100000',
    });
    keys = await prepareTenant(server);
    store = server.app.get<EventStore>(EVENT_STORE);
  });
  afterAll(async () => server.close());

  it(`survives ${REQUESTS} random and mutated requests with only defined 4xx/2xx answers`, async () => {
    const rand = prng(20261122);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const nasty = (): unknown =>
      pick<() => unknown>([
        () => pick(NASTY_STRINGS),
        () => Math.floor(rand() * 1e6) - 5e5,
        () => rand() < 0.5,
        () => null,
        () => [pick(NASTY_STRINGS)],
        () => ({ __proto__: { polluted: true } }),
        () =>
          JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}'),
        () => ({ nested: { deeper: { deepest: pick(NASTY_STRINGS) } } }),
      ])();

    const mutateEvent = (): Record<string, unknown> => {
      const e = exampleEvent(pick(producerTypes), { eventId: randomUUID() }) as unknown as Record<
        string,
        unknown
      >;
      const paths: string[][] = [];
      const walk = (o: unknown, p: string[]) => {
        if (o && typeof o === 'object')
          for (const k of Object.keys(o)) {
            paths.push([...p, k]);
            walk((o as Record<string, unknown>)[k], [...p, k]);
          }
      };
      walk(e, []);
      const n = 1 + Math.floor(rand() * 3);
      for (let i = 0; i < n; i++) {
        const path = pick(paths);
        let target: Record<string, unknown> = e;
        for (const k of path.slice(0, -1)) target = (target[k] ?? {}) as Record<string, unknown>;
        if (target === null || typeof target !== 'object') continue; // an earlier mutation replaced the parent
        const last = path[path.length - 1];
        const action = rand();
        if (action < 0.3) delete target[last];
        else if (action < 0.8) target[last] = nasty();
        else target[pick(['extra', '__proto__', 'constructor', 'toString', '$where'])] = nasty();
      }
      return e;
    };

    const bodyText = (): { raw: string; contentType: string } => {
      const kind = rand();
      if (kind < 0.45)
        return {
          raw: JSON.stringify(
            Array.from({ length: 1 + Math.floor(rand() * 4) }, () =>
              rand() < 0.3
                ? exampleEvent(pick(producerTypes), { eventId: randomUUID() })
                : mutateEvent(),
            ),
          ),
          contentType: 'application/json',
        };
      if (kind < 0.55)
        return {
          raw: Array.from({ length: 3 }, () => JSON.stringify(mutateEvent())).join('\n'),
          contentType: 'application/x-ndjson',
        };
      if (kind < 0.62)
        return {
          raw: '['.repeat(2000 + Math.floor(rand() * 50_000)),
          contentType: 'application/json',
        };
      if (kind < 0.68)
        return {
          raw: '{"a":'.repeat(5000) + '1' + '}'.repeat(5000),
          contentType: 'application/json',
        };
      if (kind < 0.75)
        return {
          raw: JSON.stringify(mutateEvent()).slice(0, Math.floor(rand() * 200)),
          contentType: pick([
            'application/json',
            'application/x-ndjson',
            'text/plain',
            'application/xml',
            'multipart/form-data',
          ]),
        };
      if (kind < 0.85)
        return {
          raw: Buffer.from(Array.from({ length: 64 }, () => Math.floor(rand() * 256))).toString(
            'latin1',
          ),
          contentType: 'application/json',
        };
      return { raw: JSON.stringify(nasty()), contentType: 'application/json' };
    };

    const query = (): string => {
      const params = new URLSearchParams();
      for (const name of pick([
        ['from', 'to'],
        ['days'],
        ['service', 'type', 'status'],
        ['actorId', 'targetId', 'cursor'],
        ['format', 'min'],
        ['actor', 'target'],
      ])) {
        params.set(
          name,
          String(
            pick<unknown>([
              ...NASTY_STRINGS.slice(0, 11),
              '7',
              '-1',
              '99999999999',
              'csv',
              '2026-11-01T00:00:00Z',
            ]),
          ),
        );
      }
      return params.toString();
    };

    const reportPaths = [
      '/v1/reports/sspr/registered-count',
      '/v1/reports/sspr/registrations',
      '/v1/reports/sspr/resets',
      '/v1/reports/sspr/problems',
      '/v1/reports/sspr/suspicious',
      '/v1/reports/mfa/attempts',
      '/v1/audit-events',
    ];
    const statuses = new Map<number, number>();
    const fivexx: string[] = [];
    let accepted = 0;
    const started = Date.now();
    for (let i = 0; i < REQUESTS && Date.now() - started < 90_000; i++) {
      const r = rand();
      let res;
      if (r < 0.55) {
        const { raw, contentType } = bodyText();
        res = await request(server.url, 'POST', '/v1/events', {
          key: keys.producer,
          raw,
          contentType,
        });
        if (res.status === 202) accepted += res.json.accepted as number;
      } else if (r < 0.75) {
        res = await request(server.url, 'GET', `${pick(reportPaths)}?${query()}`, {
          key: pick([keys.reader, keys.privacyAdmin]),
        });
      } else if (r < 0.85) {
        const { raw } = bodyText();
        res = await request(
          server.url,
          'POST',
          pick(['/v1/subjects/erase', '/v1/subjects/export']),
          {
            key: keys.privacyAdmin,
            raw: rand() < 0.5 ? raw : JSON.stringify({ userPrincipalName: nasty() }),
          },
        );
      } else if (r < 0.93) {
        res = await request(server.url, 'POST', pick(['/v1/keys', '/v1/tenants']), {
          raw: JSON.stringify({
            roles: nasty(),
            tenantId: nasty(),
            name: nasty(),
            expiresAt: nasty(),
          }),
        });
      } else {
        res = await request(
          server.url,
          'GET',
          `/v1/${pick(['schemas/', 'subjects/', 'keys/', 'reports/sspr/'])}${enc(String(pick(NASTY_STRINGS)).slice(0, 200))}${rand() < 0.5 ? '/events' : ''}`,
          { key: keys.reader },
        );
      }
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500) fivexx.push(`${res.status} ${res.text.slice(0, 200)}`);
    }
    expect(fivexx).toEqual([]);
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
    expect(statuses.get(422) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    // Still up, and the log holds exactly the accepted events, each one valid.
    expect((await request(server.url, 'GET', '/healthz', { key: null })).status).toBe(200);
    const stored = (
      await store.readAll({ after: 0, limit: 1_000_000, tenantId: 'default' })
    ).filter((e) => e.type.startsWith('sspr.') || e.type.startsWith('mfa.'));
    expect(stored.length).toBe(accepted);
    for (const rec of stored) {
      const env = decodeEnvelope(rec.data);
      expect(producerTypes).toContain(env.type);
      for (const sid of Object.values(env.subjects)) expect(sid).toMatch(/^s_[A-Za-z0-9_-]{22}$/);
    }
  }, 180_000);
});
