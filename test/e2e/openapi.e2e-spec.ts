import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { catalogExamples } from '@authtrail/catalog';
import { RunningProjector, startProjector } from '../../apps/worker/src/projector/start-projector';
import { TestServer, prepareTenant, startTestServer } from '../support/test-server';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'node_modules', '.bin');
/** Inside node_modules, so the generated client resolves openapi-fetch like any package. */
const WORK = join(ROOT, 'node_modules', '.cache', `authtrail-openapi-${process.pid}`);
/** Neither tool may reach the internet: no telemetry, no update check. */
const OFFLINE_ENV = {
  ...process.env,
  REDOCLY_TELEMETRY: 'off',
  REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
  NO_UPDATE_NOTIFIER: '1',
};

/** Runs a tool; its output is the error when it fails. */
function tool(name: string, args: string[]): string {
  try {
    return execFileSync(join(BIN, name), args, {
      env: OFFLINE_ENV,
      cwd: WORK,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`${name} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

type Doc = {
  paths: Record<string, Record<string, { responses: Record<string, { content?: object }> }>>;
  components: { schemas: Record<string, object> };
};

/**
 * `/docs/openapi.json` as a client generator sees it: redocly's recommended rules pass,
 * openapi-typescript turns it into types that a small client type-checks against, and
 * that client (openapi-fetch) posts events and reads reports over a real socket. Real
 * answers are validated against the document's own schemas.
 */
describe('the OpenAPI document (whole app over HTTP)', () => {
  let server: TestServer;
  let keys: { producer: string; reader: string; privacyAdmin: string };
  let running: RunningProjector;
  let doc: Doc;
  const file = join(WORK, 'openapi.json');

  beforeAll(async () => {
    mkdirSync(WORK, { recursive: true });
    server = await startTestServer();
    keys = await prepareTenant(server);
    running = await startProjector(server.app);
    const res = await server.request('GET', '/docs/openapi.json', { key: null });
    expect(res.status).toBe(200);
    doc = res.json as Doc;
    writeFileSync(file, res.text);
  }, 60_000);

  afterAll(async () => {
    await running?.stop();
    await server?.close();
    rmSync(WORK, { recursive: true, force: true });
  });

  it('passes redocly lint with the recommended rules: no errors, no warnings', () => {
    // redocly exits 1 when it finds errors; its JSON report is the answer either way.
    let out: string;
    try {
      out = tool('redocly', ['lint', file, '--extends=recommended', '--format=json']);
    } catch (error) {
      out = String((error as Error).message).replace(/^redocly failed:\n/, '');
    }
    const problems = (
      JSON.parse(out) as {
        problems: {
          severity: string;
          ruleId: string;
          message: string;
          location: { pointer?: string }[];
        }[];
      }
    ).problems;
    const found = problems.map(
      (p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`,
    );
    expect(found).toEqual([]);
  }, 60_000);

  it('describes request bodies, answers, problems, a license and a server', () => {
    const d = doc as Doc & { info: { license?: { name: string } }; servers?: unknown[] };
    expect(d.info.license?.name).toBeTruthy();
    expect(d.servers?.length).toBeGreaterThan(0);
    const schemas = d.components.schemas;
    expect(schemas).toHaveProperty('Problem');
    expect(schemas).toHaveProperty(['Event.sspr.PasswordResetSelfService']);
    for (const [path, item] of Object.entries(d.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const statuses = Object.keys(op.responses);
        expect(`${method} ${path}: ${statuses.some((s) => /^2/.test(s))}`).toBe(
          `${method} ${path}: true`,
        );
        const problem = statuses.filter((s) => /^[45]/.test(s));
        expect(`${method} ${path}: ${problem.includes('401') && problem.includes('500')}`).toBe(
          `${method} ${path}: true`,
        );
      }
    }
    // One path per report of the registry, each with its own answer schema.
    const reports = Object.keys(d.paths).filter((p) => p.startsWith('/v1/reports/'));
    expect(reports).toEqual(
      expect.arrayContaining(['/v1/reports/sspr/resets', '/v1/reports/mfa/attempts']),
    );
    expect(reports.some((p) => p.includes('{'))).toBe(false);
  });

  it('answers as it describes: every report, the audit query, the erasures and a 422 validate against their schemas', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ $id: 'doc', components: doc.components });
    const schemaOf = (path: string, status: string, type = 'application/json') => {
      const content = doc.paths[path].get?.responses[status]?.content as
        Record<string, { schema: object }> | undefined;
      return JSON.parse(
        JSON.stringify(content![type].schema).replaceAll('"#/components', '"doc#/components'),
      );
    };
    const posted = await server.request('POST', '/v1/events', {
      key: keys.producer,
      body: catalogExamples.exampleEvents(),
    });
    expect(posted.status).toBe(202);
    await running.projector.waitForHead(30_000);
    for (const path of Object.keys(doc.paths).filter(
      (p) => p.startsWith('/v1/reports/') || p === '/v1/audit-events',
    )) {
      const res = await server.request('GET', path, { key: keys.privacyAdmin });
      expect(`${path} ${res.status}`).toBe(`${path} 200`);
      const validate = ajv.compile(schemaOf(path, '200'));
      expect(`${path} ${JSON.stringify(validate(res.json) ? [] : validate.errors)}`).toBe(
        `${path} []`,
      );
    }
    // An erasure, listed and followed copy by copy (surfaces), as documented.
    const erased = await server.request('POST', '/v1/subjects/erase', {
      key: keys.privacyAdmin,
      body: { userPrincipalName: 'kim@contoso.com' },
    });
    expect(erased.status).toBe(200);
    const subjectId = (erased.json as { subjectId: string }).subjectId;
    for (const [path, template] of [
      ['/v1/privacy/erasures', '/v1/privacy/erasures'],
      [`/v1/privacy/erasures/${subjectId}`, '/v1/privacy/erasures/{id}'],
    ]) {
      const res = await server.request('GET', path, { key: keys.privacyAdmin });
      expect(`${template} ${res.status}`).toBe(`${template} 200`);
      expect(JSON.stringify(res.json)).toContain('"surfaces":{"keyVault":"done"');
      const validate = ajv.compile(schemaOf(template, '200'));
      expect(`${template} ${JSON.stringify(validate(res.json) ? [] : validate.errors)}`).toBe(
        `${template} []`,
      );
    }
    const bad = await server.request('GET', '/v1/reports/sspr/resets?days=zero&nope=1', {
      key: keys.reader,
    });
    expect(bad.status).toBe(422);
    const validate = ajv.compile(
      schemaOf('/v1/reports/sspr/resets', '422', 'application/problem+json'),
    );
    expect(validate(bad.json)).toBe(true);
    expect(bad.json.errors.length).toBe(2);
  }, 60_000);

  it('generates a TypeScript client that type-checks and works over a socket', async () => {
    tool('openapi-typescript', [file, '-o', join(WORK, 'schema.d.ts')]);
    writeFileSync(
      join(WORK, 'client.ts'),
      `import createClient from 'openapi-fetch';
import type { components, paths } from './schema';

type Event = components['schemas']['ProducerEvent'];

export async function run(baseUrl: string, producer: string, reader: string, events: Event[]) {
  const client = createClient<paths>({ baseUrl });
  const posted = await client.POST('/v1/events', {
    body: events,
    headers: { authorization: \`Bearer \${producer}\` },
  });
  if (posted.error) throw new Error(posted.error.code);
  const accepted: number = posted.data.accepted;
  const report = await client.GET('/v1/reports/sspr/resets', {
    params: { query: { days: 2 } },
    headers: { authorization: \`Bearer \${reader}\` },
  });
  if (report.error) throw new Error(report.error.code);
  // The route also answers text/csv (format=csv): the type says so.
  const resets = typeof report.data === 'string' ? null : report.data.resets;
  const refused = await client.GET('/v1/reports/sspr/resets', {
    params: { query: { days: 0 } },
    headers: { authorization: \`Bearer \${reader}\` },
  });
  const fields: string[] = (refused.error?.errors ?? []).map((e) => e.path);
  return { accepted, duplicates: posted.data.duplicates, resets, fields };
}
`,
    );
    writeFileSync(
      join(WORK, 'main.ts'),
      `import { readFileSync } from 'node:fs';
import { run } from './client';

const [url, producer, reader] = process.argv.slice(2);
run(url, producer, reader, JSON.parse(readFileSync('events.json', 'utf8'))).then(
  (answer) => process.stdout.write(JSON.stringify(answer)),
  (error: unknown) => {
    process.stderr.write(String(error));
    process.exitCode = 1;
  },
);
`,
    );
    // Strict type check and emit: a change of the document that breaks this client fails here.
    tool('tsc', [
      '--strict',
      '--module',
      'commonjs',
      '--target',
      'es2022',
      '--moduleResolution',
      'node10',
      '--lib',
      'es2022,dom',
      '--types',
      'node',
      '--skipLibCheck',
      '--outDir',
      join(WORK, 'out'),
      join(WORK, 'client.ts'),
      join(WORK, 'main.ts'),
    ]);
    const events = catalogExamples.exampleEvents().filter((e) => e.type.startsWith('sspr.'));
    writeFileSync(join(WORK, 'events.json'), JSON.stringify(events));
    // Its own process, as a client program is: connections of its own, nothing shared with jest.
    // Not execFileSync: the server answers from this process's event loop.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(WORK, 'out', 'main.js'), server.url, keys.producer, keys.reader],
      { cwd: WORK, encoding: 'utf8', env: OFFLINE_ENV, timeout: 60_000 },
    );
    const answer = JSON.parse(stdout) as unknown;
    expect(answer).toEqual({
      accepted: events.length,
      duplicates: 0,
      resets: expect.any(Number),
      fields: ['days'],
    });
  }, 120_000);
});
