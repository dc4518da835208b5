import { TestServer, prepareTenant, startTestServer } from '../support/test-server';

/**
 * Every status a route really answers to a bad request is one its OpenAPI operation lists:
 * each published route is called with no key, with the wrong roles, with bad query
 * parameters and (POST) with a text/plain body, broken JSON and a body over the size limit.
 */
describe('OpenAPI answers', () => {
  let server: TestServer;
  afterAll(async () => server?.close());
  it('answers bad requests only with statuses the document lists for the route', async () => {
    server = await startTestServer();
    const doc = (await server.request('GET', '/docs/openapi.json', { key: null })).json;
    const keys = await prepareTenant(server);
    const concrete = (path: string) =>
      path
        .replace('{report}', 'no-such-report')
        .replace('{type}', 'no.Such')
        .replace(/\{[^}]+\}/g, 'nothing');
    const undocumented: string[] = [];
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const [m, op] of Object.entries<any>(item)) {
        const method = m.toUpperCase();
        const probes: any[] = [
          { key: null },
          { key: keys.reader },
          { key: keys.producer },
          { key: keys.reader, query: '?limit=0&days=-1&format=xml&after=x' },
        ];
        if (method === 'POST')
          probes.push(
            { key: keys.producer, contentType: 'text/plain', raw: 'x' },
            { key: keys.producer, contentType: 'application/json', raw: '{"broken' },
            {
              key: keys.producer,
              contentType: 'application/json',
              raw: JSON.stringify({ x: 'y'.repeat(6 << 20) }),
            },
          );
        for (const p of probes) {
          if (method === 'DELETE' && path === '/v1/tenant') continue;
          const r = await server.request(method, `${concrete(path)}${p.query ?? ''}`, p);
          if (!(String(r.status) in op.responses))
            undocumented.push(
              `${m} ${path} answered ${r.status} (${r.json?.code ?? ''}) to ${JSON.stringify({ ...p, raw: p.raw?.slice(0, 10), key: p.key === keys.reader ? 'reader' : p.key === null ? null : 'producer' })}`,
            );
        }
      }
    }
    expect(undocumented).toEqual([]);
  }, 120_000);
});
