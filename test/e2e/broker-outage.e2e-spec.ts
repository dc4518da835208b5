import { randomUUID } from 'node:crypto';
import { exampleEvent } from '@authtrail/catalog';
import { SiemForwarder } from '@authtrail/siem';
import { KmockBroker, freePort, startKmockBroker } from '@authtrail/testing';
import { startSiemForwarder } from '../../apps/worker/src/forwarder/siem-forwarder.job';
import { TestServer, prepareTenant, startTestServer } from '../support/test-server';

jest.setTimeout(120_000);

async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs = 40_000) {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `/healthz` tells an operator that Kafka has been out of reach, and when it is back. */
describe('a broker outage on /healthz (whole app over HTTP, kmock)', () => {
  let broker: KmockBroker;
  let server: TestServer;
  let forwarder: SiemForwarder | null;
  let producer: string;
  const health = async () => (await server.request('GET', '/healthz', { key: null })).json;
  const post = async () =>
    server.request('POST', '/v1/events', {
      key: producer,
      body: [exampleEvent('sspr.PasswordChanged', { eventId: randomUUID() })],
    });

  beforeAll(async () => {
    const port = await freePort();
    broker = await startKmockBroker(port, ['-A']);
    server = await startTestServer({
      AUTHTRAIL_KAFKA_BROKERS: broker.brokers.join(','),
      AUTHTRAIL_HEALTH_DEGRADED_AFTER: '2s',
    });
    producer = (await prepareTenant(server)).producer;
    forwarder = startSiemForwarder(server.app);
  });

  afterAll(async () => {
    await forwarder?.stop();
    await server?.close();
    await broker?.stop();
  });

  it('ok while forwarding; degraded (200) after the bound with Kafka gone, counted in /metrics; ok again once it is back', async () => {
    expect((await post()).status).toBe(202);
    await waitFor('forwarding', async () => (forwarder?.position ?? 0) > 0);
    expect(await health()).toMatchObject({ status: 'ok', checks: { workers: 'ok' } });

    const port = Number(broker.brokers[0].split(':')[1]);
    await broker.stop();
    expect((await post()).status).toBe(202); // ingest does not wait for Kafka
    await waitFor('degraded', async () => (await health()).status === 'degraded');
    const res = await server.request('GET', '/healthz', { key: null });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      status: 'degraded',
      checks: { eventStore: 'ok', keyVault: 'ok', workers: 'degraded' },
      degraded: [{ worker: 'forwarder', state: 'retrying' }],
    });
    const metrics = (await server.request('GET', '/metrics', { key: null })).text;
    expect(metrics).toMatch(
      /authtrail_worker_errors_total\{worker="forwarder",retriable="true"\} [1-9]/,
    );

    broker = await startKmockBroker(port, ['-A']);
    await waitFor('ok again', async () => (await health()).status === 'ok', 60_000);
    expect((await health()).checks.workers).toBe('ok');
  });
});
