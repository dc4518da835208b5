import { createServer, type Server } from 'node:http';
import { INestApplicationContext } from '@nestjs/common';
import { WorkerLeases } from '@authtrail/coordination';
import { APP_CONFIG, AppConfig } from '@authtrail/config';
import { EVENT_STORE, EventStore } from '@authtrail/event-store';
import { WorkerStatusBoard, degradedWorkers } from '@authtrail/platform';

const WORKERS = ['projector', 'forwarder', 'sealer', 'tenant-deletion'];

/**
 * `GET /healthz` of the worker app, for container probes (deploy/k8s): 200 while the event
 * store answers (status `degraded` when a worker is parked or has retried longer than
 * AUTHTRAIL_HEALTH_DEGRADED_AFTER), 503 otherwise. A standby replica (holding no lease) is healthy; the body
 * says which leases this replica holds and names its workers that are retrying or parked
 * (a parked worker needs an operator, not a restart loop of the container).
 */
export async function startWorkerHealth(app: INestApplicationContext): Promise<Server> {
  const config = app.get<AppConfig>(APP_CONFIG);
  const store = app.get<EventStore>(EVENT_STORE);
  const leases = app.get(WorkerLeases);
  const board = app.get(WorkerStatusBoard);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/healthz') {
      res.writeHead(404).end();
      return;
    }
    void store.headPosition().then(
      () => reply(200, 'ok'),
      () => reply(503, 'failing'),
    );
    function reply(status: number, eventStore: string): void {
      const held = WORKERS.filter((w) => leases.current(w) !== null);
      const degraded = degradedWorkers(board.list(), new Date(), config.healthDegradedAfterMs);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status: status !== 200 ? 'failing' : degraded.length > 0 ? 'degraded' : 'ok',
          checks: { eventStore },
          leases: leases.coordinated ? held : 'embedded',
          workers: board.list().filter((w) => w.state !== 'running'),
        }),
      );
    }
  });
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  return server;
}
