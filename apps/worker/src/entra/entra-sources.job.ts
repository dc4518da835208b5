import { INestApplicationContext } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Logger } from 'pino';
import { APP_CONFIG, AppConfig } from '@authtrail/config';
import {
  EntraGraphPoller,
  EntraImportResult,
  EventHubsConsumer,
  GraphAuditClient,
  ImportEntraRecordsCommand,
} from '@authtrail/entra';
import { CHECKPOINT_STORE, CheckpointStore } from '@authtrail/event-store';
import { CLOCK, Clock, LOGGER, Metrics } from '@authtrail/platform';
import { PeriodicJob } from '../jobs/periodic-job';

/** Checkpoint and lease name of the Graph poller. */
export const ENTRA_GRAPH_WORKER = 'entra-graph';

const NOTHING = { stop: (): Promise<void> => Promise.resolve() };

/** The ingest path both Entra workers share: the import command, counted like the API's. */
function importer(
  app: INestApplicationContext,
  sourceId: string,
): (records: unknown[]) => Promise<EntraImportResult> {
  const config = app.get<AppConfig>(APP_CONFIG);
  const commands = app.get(CommandBus);
  const metrics = app.get(Metrics);
  return async (records) => {
    const result = await commands.execute<ImportEntraRecordsCommand, EntraImportResult>(
      new ImportEntraRecordsCommand(config.entra.tenantId, records, sourceId),
    );
    for (const [category, n] of Object.entries(result.byCategory))
      metrics.eventsAccepted.inc({ category }, n);
    if (result.duplicates > 0) metrics.eventsDuplicate.inc(result.duplicates);
    return result;
  };
}

/**
 * The Event Hubs consumer. Kafka's consumer group shares the partitions among replicas,
 * so it needs no lease; its checkpoint is the group's committed offset.
 */
export function startEntraEventHubs(app: INestApplicationContext): { stop(): Promise<void> } {
  const config = app.get<AppConfig>(APP_CONFIG);
  const kafka = config.entra.kafka;
  if (kafka === null) return NOTHING;
  const logger = app.get<Logger>(LOGGER);
  const consumer = new EventHubsConsumer(
    { ...kafka, logger, heartbeatIntervalMs: 1000, sessionTimeoutMs: 10_000 },
    importer(app, 'worker:entra-event-hubs'),
  );
  // A broker that is down at start (or a consumer kafkajs gave up on) is retried with
  // backoff in the background: serve and the other workers run meanwhile.
  const metrics = app.get(Metrics);
  let stopped = false;
  let wake: (() => void) | null = null;
  const running = (async () => {
    for (let delay = 1000; !stopped; delay = Math.min(delay * 2, 60_000)) {
      try {
        await consumer.start();
        logger.info(
          { topic: kafka.topic, group: kafka.groupId },
          'entra event hubs consumer started',
        );
        return;
      } catch (error) {
        metrics.workerErrors.inc({ worker: 'entra-event-hubs', retriable: 'true' });
        logger.error(
          { err: { message: (error as Error)?.message }, retryInMs: delay },
          'entra event hubs consumer could not start; retrying',
        );
        await consumer.stop().catch(() => undefined);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, delay).unref();
        });
      }
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      wake?.();
      await running;
      await consumer.stop();
    },
  };
}

/** The Graph poller: one at a time (its lease), every interval, from its checkpoint. */
export function startEntraGraphPoller(app: INestApplicationContext): { stop(): Promise<void> } {
  const config = app.get<AppConfig>(APP_CONFIG);
  const graph = config.entra.graph;
  if (graph === null) return NOTHING;
  const logger = app.get<Logger>(LOGGER);
  const metrics = app.get(Metrics);
  const poller = new EntraGraphPoller(
    new GraphAuditClient(graph),
    app.get<CheckpointStore>(CHECKPOINT_STORE),
    importer(app, 'worker:entra-graph'),
    app.get<Clock>(CLOCK),
    { worker: ENTRA_GRAPH_WORKER, lookbackMs: graph.lookbackMs, overlapMs: graph.overlapMs },
  );
  const job = new PeriodicJob(
    ENTRA_GRAPH_WORKER,
    graph.intervalMs,
    async () => {
      const outcome = await poller.pollOnce();
      logger.info(outcome, 'entra graph poll done');
    },
    logger,
    (error) =>
      metrics.workerErrors.inc({
        worker: ENTRA_GRAPH_WORKER,
        retriable: String((error as { retriable?: boolean })?.retriable ?? true),
      }),
  ).start();
  return { stop: () => job.stop() };
}
