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
import { countIngested } from '@authtrail/ingest';
import {
  CLOCK,
  Clock,
  LOGGER,
  Metrics,
  WorkerStatusBoard,
  createWorkerReporter,
} from '@authtrail/platform';

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
    countIngested(metrics, result);
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
    // A dead replica's partitions move to the others once its session times out: 10 s
    // (Event Hubs allows 6–300 s) keeps that short, a 1 s heartbeat keeps it safe.
    { ...kafka, logger, heartbeatIntervalMs: 1000, sessionTimeoutMs: 10_000 },
    importer(app, 'worker:entra-event-hubs'),
  );
  // A broker that is down at start (or a consumer kafkajs gave up on) is retried with
  // backoff in the background: serve and the other workers run meanwhile.
  const reporter = createWorkerReporter('entra-event-hubs', {
    logger,
    metrics: app.get(Metrics),
    board: app.get(WorkerStatusBoard),
  });
  let stopped = false;
  let wake: (() => void) | null = null;
  const running = (async () => {
    let attempt = 0;
    for (let delay = 1000; !stopped; delay = Math.min(delay * 2, 60_000)) {
      try {
        await consumer.start();
        logger.info(
          { topic: kafka.topic, group: kafka.groupId },
          'entra event hubs consumer started',
        );
        // Its position is the consumer group's committed offsets, kept by the broker.
        reporter.running?.(0);
        return;
      } catch (error) {
        attempt++;
        // Logged, counted and shown in the diagnostics by the reporter.
        reporter.retrying?.({ error, attempt, position: 0, failedAt: null, delayMs: delay });
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
  const reporter = createWorkerReporter(ENTRA_GRAPH_WORKER, {
    logger,
    metrics: app.get(Metrics),
    board: app.get(WorkerStatusBoard),
  });
  const checkpoints = app.get<CheckpointStore>(CHECKPOINT_STORE);
  const poller = new EntraGraphPoller(
    new GraphAuditClient(graph),
    checkpoints,
    importer(app, 'worker:entra-graph'),
    app.get<Clock>(CLOCK),
    { worker: ENTRA_GRAPH_WORKER, lookbackMs: graph.lookbackMs, overlapMs: graph.overlapMs },
  );
  let stopped = false;
  let wake: () => void = () => undefined;
  const pause = (ms: number): Promise<void> =>
    stopped
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, ms).unref();
        });
  // STYLE.md: retry what is retriable with backoff (Graph throttling or down, the store
  // unavailable), park the rest (a refused permission, a bad answer) until restarted.
  const loop = (async () => {
    let attempt = 0;
    while (!stopped) {
      try {
        const outcome = await poller.pollOnce();
        attempt = 0;
        reporter.running?.(outcome.checkpoint);
        logger.info(outcome, 'entra graph poll done');
        await pause(graph.intervalMs);
      } catch (error) {
        attempt++;
        const position = await checkpoints.load(ENTRA_GRAPH_WORKER).catch(() => 0);
        const failure = { error, attempt, position, failedAt: null };
        if ((error as { retriable?: unknown })?.retriable === false) {
          reporter.parked?.(failure);
          return;
        }
        const delayMs = Math.min(500 * 2 ** (attempt - 1), graph.intervalMs);
        reporter.retrying?.({ ...failure, delayMs });
        await pause(delayMs);
      }
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      wake();
      await loop;
    },
  };
}
