import { randomUUID } from 'node:crypto';
import { patchedExample } from '@authtrail/catalog';
import { RunningProjector, startProjector } from '../../apps/worker/src/projector/start-projector';
import { TestServer, prepareTenant, startTestServer } from '../support/test-server';

const N = 250;
const MINUTE = 60_000;

/** The `#` heading, the header row and the data rows of a CSV answer. */
function csvParts(text: string) {
  const lines = text.trimEnd().split('\r\n');
  const heading = lines.filter((l) => l.startsWith('#'));
  return { heading, header: lines[heading.length], rows: lines.slice(heading.length + 1) };
}

/**
 * A CSV export is the whole answer, not its first page: 250 people registered and blocked,
 * read as CSV in pages of 100, come out as 250 rows, under lines that say which report,
 * window and filters they answer.
 */
describe('CSV exports (whole app over HTTP)', () => {
  const now = Date.now();
  const people = Array.from({ length: N }, (_, i) => ({
    userPrincipalName: `person${i}@contoso.example`,
    displayName: `Person ${i}`,
    role: 'User',
  }));
  const registered = people.map((p, i) =>
    patchedExample('sspr.Registered', {
      eventId: randomUUID(),
      occurredAt: new Date(now - (i + 2) * MINUTE).toISOString(),
      actor: p,
      target: p,
    }),
  );
  const blocked = people.map((p, i) =>
    patchedExample('mfa.UserBlocked', {
      eventId: randomUUID(),
      occurredAt: new Date(now - (i + 2) * MINUTE).toISOString(),
      target: { userPrincipalName: p.userPrincipalName, displayName: p.displayName },
    }),
  );
  const from = new Date(now - 2 * 86_400_000).toISOString();
  const to = new Date(now + MINUTE).toISOString();

  let server: TestServer;
  let keys: { producer: string; reader: string; privacyAdmin: string };
  let running: RunningProjector;

  beforeAll(async () => {
    server = await startTestServer();
    keys = await prepareTenant(server);
    const res = await server.request('POST', '/v1/events', {
      key: keys.producer,
      body: [...registered, ...blocked],
    });
    if (res.status !== 202) throw new Error(`ingest: ${res.status} ${res.text}`);
    running = await startProjector(server.app);
    await running.projector.waitForHead(60_000);
  }, 120_000);

  afterAll(async () => {
    await running?.stop();
    await server?.close();
  });

  it('the audit query: every row of the window, however many pages, with window and filters', async () => {
    const res = await server.request(
      'GET',
      `/v1/audit-events?format=csv&service=sspr&type=sspr.Registered&from=${from}&to=${to}&limit=100`,
      { key: keys.reader },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const { heading, header, rows } = csvParts(res.text);
    expect(heading).toEqual([
      '# authtrail audit-events: The audit log',
      `# window: ${from} to ${to}`,
      '# filters: service=sspr&type=sspr.Registered',
    ]);
    expect(header.split(',')[0]).toBe('eventId');
    expect(rows).toHaveLength(N);
    expect(new Set(rows.map((r) => r.split(',')[0]))).toEqual(
      new Set(registered.map((e) => e.eventId)),
    );
    const stamp = (iso: string) => iso.replace(/:/g, '-');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="audit-events_${stamp(from)}_${stamp(to)}.csv"`,
    );
    // JSON stays one page with its cursor.
    const page = await server.request('GET', `/v1/audit-events?service=sspr&limit=100`, {
      key: keys.reader,
    });
    expect(page.json.items).toHaveLength(100);
    expect(typeof page.json.nextCursor).toBe('string');
  });

  it('list reports: every item, with the default page size too; bom=true starts with a UTF-8 BOM', async () => {
    const registrations = await server.request('GET', '/v1/reports/sspr/registrations?format=csv', {
      key: keys.privacyAdmin,
    });
    const reg = csvParts(registrations.text);
    expect(reg.heading.slice(1, 3)).toEqual(['# window: none (current state)', '# filters: none']);
    expect(reg.rows).toHaveLength(N);
    expect(new Set(reg.rows.map((r) => r.split(',')[0]))).toEqual(
      new Set(people.map((p) => p.displayName)),
    );

    // Raw bytes: fetch's text() would drop the mark.
    const blocks = await fetch(
      `${server.url}/v1/reports/mfa/blocks?format=csv&limit=100&bom=true&from=${from}&to=${to}`,
      { headers: { authorization: `Bearer ${keys.reader}` } },
    );
    expect(blocks.status).toBe(200);
    const bytes = Buffer.from(await blocks.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString('utf8');
    expect(text.startsWith('# authtrail mfa/blocks: ')).toBe(true);
    expect(csvParts(text).rows).toHaveLength(N);
  });

  it("a privacy admin's export is audited once, for every row that named someone", async () => {
    const before = await server.request('GET', '/v1/audit-events?service=access&limit=1000', {
      key: keys.reader,
    });
    await server.request('GET', '/v1/audit-events?format=csv&service=sspr&limit=100', {
      key: keys.privacyAdmin,
    });
    await running.projector.waitForHead(30_000);
    const after = await server.request('GET', '/v1/audit-events?service=access&limit=1000', {
      key: keys.reader,
    });
    const known = new Set(before.json.items.map((i: { eventId: string }) => i.eventId));
    const added = after.json.items.filter(
      (i: { eventId: string; details: Record<string, unknown> }) =>
        !known.has(i.eventId) && String(i.details.resource).includes('/v1/audit-events'),
    );
    expect(added).toHaveLength(1);
    expect(added[0].details.people).toBe(N);
  });

  it('bom applies to CSV only: a 422 naming it', async () => {
    const res = await server.request('GET', '/v1/reports/mfa/blocks?bom=true', {
      key: keys.reader,
    });
    expect(res.status).toBe(422);
    expect(res.json.errors).toEqual([{ path: 'bom', message: 'applies to format=csv only' }]);
  });
});
