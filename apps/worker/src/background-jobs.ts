import { INestApplicationContext } from '@nestjs/common';
import type { Logger } from 'pino';
import { KEY_VAULT, KeyVault } from '@authtrail/key-vault';
import { LOGGER, Metrics, WorkerStatusBoard } from '@authtrail/platform';
import { ErasureRecovery, LegalHoldScope } from '@authtrail/privacy';
import { AdminService } from '@authtrail/runtime';
import { WorkerLeases } from '@authtrail/coordination';
import { FORWARDER_WORKER } from '@authtrail/siem';
import { DETECTIONS_WORKER } from '@authtrail/detections';
import { SEALER_WORKER } from '@authtrail/ledger';
import { TenantsService } from '@authtrail/tenancy';
import { PeriodicJob } from './jobs/periodic-job';
import { startProjector } from './projector/start-projector';
import { startSiemForwarder } from './forwarder/siem-forwarder.job';
import { startSealer } from './sealer/sealer.job';
import { startDetectionsJob } from './detections/detections.job';
import { startRetention } from './retention/retention.job';
import {
  ENTRA_GRAPH_WORKER,
  startEntraEventHubs,
  startEntraGraphPoller,
} from './entra/entra-sources.job';

const NOTHING = { stop: (): Promise<void> => Promise.resolve() };

export interface BackgroundJobs {
  stop(): Promise<void>;
}

/**
 * The workers that run once per deployment. In the embedded mode `authtrail serve` runs
 * them next to the API; in production `apps/worker` runs them alone.
 */
export async function startBackgroundJobs(app: INestApplicationContext): Promise<BackgroundJobs> {
  const logger = app.get<Logger>(LOGGER);
  const metrics = app.get(Metrics);
  const tenants = app.get(TenantsService);
  const admin = app.get(AdminService);
  const vault = app.get<KeyVault>(KEY_VAULT);

  // An erasure cut off by a crash is finished before anything else runs.
  const recovered = await app.get(ErasureRecovery).run();
  if (recovered > 0) logger.warn({ recovered }, 'finished erasures interrupted by a crash');

  // Each once-per-deployment worker runs under its lease (DESIGN.md "Scale-out"): with
  // PostgreSQL configured, on one replica at a time, handed over when that replica dies;
  // embedded, at once. Lease names are the workers' checkpoint names (fencing).
  const leases = app.get(WorkerLeases);
  const tenantDeletion = leases.hold('tenant-deletion', () =>
    Promise.resolve(
      new PeriodicJob(
        'tenant-deletion',
        60_000,
        async () => {
          const holds = app.get(LegalHoldScope);
          for (const t of await vault.listTenantKeys()) {
            const outcome = await tenants.runDeletionIfDue(t.tenantId, admin, holds);
            if (outcome.deleted)
              logger.info({ tenantId: t.tenantId }, 'tenant deleted: key shredded');
            else if (outcome.deferredBy.length > 0)
              logger.info(
                { tenantId: t.tenantId, deferredBy: outcome.deferredBy },
                'tenant deletion due, deferred by legal hold',
              );
          }
        },
        logger,
        () => metrics.workerErrors.inc({ worker: 'tenant-deletion', retriable: 'true' }),
        app.get(WorkerStatusBoard),
      ).start(),
    ),
  );
  const projector = leases.hold('projector', () => startProjector(app));
  const siem = leases.hold(FORWARDER_WORKER, () =>
    Promise.resolve(startSiemForwarder(app) ?? NOTHING),
  );
  const sealer = leases.hold(SEALER_WORKER, () => Promise.resolve(startSealer(app)));
  const detections = leases.hold(DETECTIONS_WORKER, () =>
    Promise.resolve(startDetectionsJob(app) ?? NOTHING),
  );
  const retention = leases.hold('retention', () => Promise.resolve(startRetention(app)));
  // Erasures cut off on an API replica that did not restart are finished within a minute.
  const erasureRecovery = leases.hold('erasure-recovery', () =>
    Promise.resolve(
      new PeriodicJob(
        'erasure-recovery',
        60_000,
        async () => {
          const n = await app.get(ErasureRecovery).run();
          if (n > 0) logger.warn({ recovered: n }, 'finished erasures interrupted by a crash');
        },
        logger,
        () => metrics.workerErrors.inc({ worker: 'erasure-recovery', retriable: 'true' }),
        app.get(WorkerStatusBoard),
      ).start(),
    ),
  );
  // Entra's audit logs (README "Connecting Entra ID"), when configured.
  const entraGraph = leases.hold(ENTRA_GRAPH_WORKER, () =>
    Promise.resolve(startEntraGraphPoller(app)),
  );
  const entraEventHubs = startEntraEventHubs(app);
  if (!leases.coordinated)
    await Promise.all([
      entraGraph.ready,
      tenantDeletion.ready,
      projector.ready,
      siem.ready,
      sealer.ready,
      detections.ready,
      retention.ready,
      erasureRecovery.ready,
    ]);
  return {
    stop: async () => {
      // Sources stop first: nothing new arrives while the followers finish.
      await entraEventHubs.stop();
      await entraGraph.stop();
      // The tail is sealed first, while the store is open and nothing else is stopping.
      await sealer.stop();
      await retention.stop();
      await erasureRecovery.stop();
      await siem.stop();
      await detections.stop();
      await projector.stop();
      await tenantDeletion.stop();
    },
  };
}
