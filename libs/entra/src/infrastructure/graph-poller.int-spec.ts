import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteCheckpointStore } from '@authtrail/event-store';
import { AppError, type Clock } from '@authtrail/platform';
import { GraphDouble } from '@authtrail/testing';
import type { EntraImportResult } from '../application/import-entra-records.command';
import { EntraGraphPoller } from '../application/graph-poller';
import { mapEntraBatch } from '../domain/map-entra-batch';
import { GraphAuditClient } from './graph-audit-client.adapter';

type Json = Record<string, unknown>;
const MIN = 60_000;
const DAY = 1440 * MIN;
const SSPR = 'Self-service Password Management';
const CREDS = {
  directoryTenantId: '4bbb79f7-5724-4c9e-95f3-de075f6ec090',
  clientId: 'a70a7931-c387-4dce-9f35-fbf95bdcc91e',
  clientSecret: 'graph-double-secret',
};

/** The Graph fixture, its times moved to end an hour ago, without the malformed record. */
function fixtureRecords(now: number): Json[] {
  const page = JSON.parse(
    readFileSync(join(__dirname, '../../fixtures/graph-directory-audits.json'), 'utf8'),
  );
  const records = (page.value as Json[]).filter(
    (r) => !Number.isNaN(Date.parse(String(r.activityDateTime))),
  );
  const newest = Math.max(...records.map((r) => Date.parse(String(r.activityDateTime))));
  return records.map((r) => ({
    ...r,
    activityDateTime: new Date(
      Date.parse(String(r.activityDateTime)) + now - 60 * MIN - newest,
    ).toISOString(),
  }));
}

/** A stand-in for the ingest pipeline: idempotent on event id, like the real one. */
class RecordingImport {
  readonly stored = new Map<string, string>();
  calls = 0;
  failOnCall: number | null = null;
  readonly run = (records: unknown[]): Promise<EntraImportResult> => {
    this.calls++;
    if (this.failOnCall === this.calls)
      return Promise.reject(
        new AppError('EVENT_STORE.UNAVAILABLE', 'unavailable', 'store down', { retriable: true }),
      );
    const m = mapEntraBatch(records);
    let accepted = 0;
    for (const { event } of m.events) {
      if (this.stored.has(event.eventId)) continue;
      this.stored.set(event.eventId, event.occurredAt);
      accepted++;
    }
    return Promise.resolve({
      received: m.received,
      accepted,
      duplicates: m.events.length - accepted,
      skipped: m.skipped,
      skippedBy: m.skippedBy,
      rejected: 0,
      errors: [],
      byCategory: { sspr: accepted },
    });
  };
}

describe('Graph poller against a local double of Graph (HTTP on loopback)', () => {
  const now = Date.now();
  const clock: Clock = { now: () => new Date(now) };
  let double: GraphDouble;
  let dir: string;
  const sleeps: number[] = [];
  const client = () =>
    new GraphAuditClient({
      ...CREDS,
      graphUrl: double.url,
      loginUrl: double.url,
      pageSize: 4,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
    });
  const options = { worker: 'entra-graph', lookbackMs: 7 * DAY, overlapMs: 15 * MIN };

  beforeEach(async () => {
    double = new GraphDouble({ ...CREDS, pageSize: 3 });
    double.add(...fixtureRecords(now));
    await double.start();
    dir = mkdtempSync(join(tmpdir(), 'authtrail-graph-'));
    sleeps.length = 0;
  });
  afterEach(async () => {
    await double.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes a client-credentials token, asks for SSPR records of the lookback, follows every nextLink, waits out a 429', async () => {
    const checkpoints = new SqliteCheckpointStore(join(dir, 'checkpoints.db'));
    const imports = new RecordingImport();
    double.throttle(1, '2');
    const outcome = await new EntraGraphPoller(
      client(),
      checkpoints,
      imports.run,
      clock,
      options,
    ).pollOnce();
    const expected = fixtureRecords(now).filter((r) => r.loggedByService === SSPR);
    expect(imports.stored.size).toBe(15);
    expect(outcome).toMatchObject({
      records: expected.length,
      accepted: 15,
      pages: Math.ceil(expected.length / 3),
    });
    const token = double.requests.find((r) => r.path.endsWith('/oauth2/v2.0/token'))!;
    expect(token.form).toEqual({
      client_id: CREDS.clientId,
      client_secret: '***',
      scope: 'https://graph.microsoft.com/.default',
      grant_type: 'client_credentials',
    });
    expect(double.filters()).toEqual([
      `loggedByService eq '${SSPR}' and activityDateTime ge ${new Date(now - 7 * DAY).toISOString()}`,
      // the same request again after the 429
      `loggedByService eq '${SSPR}' and activityDateTime ge ${new Date(now - 7 * DAY).toISOString()}`,
    ]);
    expect(double.requests.filter((r) => r.status === 429)).toHaveLength(1);
    expect(sleeps).toEqual([2000]);
    expect(double.requests.filter((r) => r.query.$skiptoken !== undefined).length).toBe(
      outcome.pages - 1,
    );
    const newest = Math.max(...expected.map((r) => Date.parse(String(r.activityDateTime))));
    expect(outcome.checkpoint).toBe(newest);
    expect(await checkpoints.load('entra-graph')).toBe(newest);
    await checkpoints.close();
  });

  it('resumes from its checkpoint after a restart (less the overlap), losing and duplicating nothing', async () => {
    const imports = new RecordingImport();
    let checkpoints = new SqliteCheckpointStore(join(dir, 'checkpoints.db'));
    await new EntraGraphPoller(client(), checkpoints, imports.run, clock, options).pollOnce();
    const first = await checkpoints.load('entra-graph');
    await checkpoints.close();

    // Newer records arrive while the poller is down.
    const later = fixtureRecords(now)
      .filter((r) => r.loggedByService === SSPR)
      .slice(0, 4)
      .map((r, i) => ({
        ...r,
        id: `later-${i}`,
        activityDateTime: new Date(now - 30 * MIN + i * 1000).toISOString(),
      }));
    double.add(...later);

    checkpoints = new SqliteCheckpointStore(join(dir, 'checkpoints.db')); // the restart
    const outcome = await new EntraGraphPoller(
      client(),
      checkpoints,
      imports.run,
      clock,
      options,
    ).pollOnce();
    expect(double.filters().at(-1)).toBe(
      `loggedByService eq '${SSPR}' and activityDateTime ge ${new Date(first - 15 * MIN).toISOString()}`,
    );
    expect(outcome.accepted).toBe(4);
    expect(imports.stored.size).toBe(19);
    expect(await checkpoints.load('entra-graph')).toBe(now - 30 * MIN + 3000);
    await checkpoints.close();
  });

  it('keeps the checkpoint of the pages appended when an import fails mid-poll, and goes on from it', async () => {
    const imports = new RecordingImport();
    imports.failOnCall = 3;
    const checkpoints = new SqliteCheckpointStore(join(dir, 'checkpoints.db'));
    const poller = new EntraGraphPoller(client(), checkpoints, imports.run, clock, options);
    await expect(poller.pollOnce()).rejects.toThrow('store down');
    const sspr = fixtureRecords(now)
      .filter((r) => r.loggedByService === SSPR)
      .map((r) => Date.parse(String(r.activityDateTime)))
      .sort((a, b) => a - b);
    expect(await checkpoints.load('entra-graph')).toBe(sspr[5]); // two pages of three
    await poller.pollOnce();
    expect(imports.stored.size).toBe(15);
    await checkpoints.close();
  });

  it('takes a fresh token once when Graph answers 401, and names the missing permission on 403', async () => {
    const checkpoints = new SqliteCheckpointStore(join(dir, 'checkpoints.db'));
    const imports = new RecordingImport();
    const c = client();
    await new EntraGraphPoller(c, checkpoints, imports.run, clock, options).pollOnce();
    double.revokeTokens();
    await new EntraGraphPoller(c, checkpoints, imports.run, clock, options).pollOnce();
    expect(double.requests.filter((r) => r.path.endsWith('/token'))).toHaveLength(2);
    await checkpoints.close();

    const wrong = new GraphAuditClient({
      ...CREDS,
      clientSecret: 'nope',
      graphUrl: double.url,
      loginUrl: double.url,
    });
    await expect(wrong.page(new Date(now), null)).rejects.toThrow(
      'Graph token answered 401 invalid_client',
    );

    double.forbid();
    const refused = await c.page(new Date(now), null).catch((e: unknown) => e as AppError);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'ENTRA.GRAPH_REFUSED', retriable: false });
    expect((refused as AppError).message).toBe(
      'Graph directoryAudits answered 403 Authorization_RequestDenied (the app registration needs the application permission AuditLog.Read.All, admin-consented)',
    );
  });
});
