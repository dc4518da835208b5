import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { CheckpointStore, EventStore } from '@authtrail/event-store';
import {
  type Clock,
  type Metrics,
  type WorkerStatusBoard,
  createWorkerReporter,
} from '@authtrail/platform';
import { KafkaSiemPublisher } from '@authtrail/siem';
import { AlertDispatcher, AlertDispatcherOptions } from '../application/alert-dispatcher';
import { DETECTIONS_WORKER, DetectionWorker } from '../application/detection-worker';
import type { Webhook, WebhookSender } from '../application/webhook-sender.port';
import type { DetectionStore } from '../domain/detection-store.port';
import { FetchWebhookSender } from './http/fetch-webhook-sender.adapter';
import { SqliteDetectionStore } from './sqlite/sqlite-detection-store.adapter';

/** The alerts part of the configuration (AppConfig `alerts`, `kafkaBrokers`…). */
export interface DetectionSettings {
  readonly dataDir: string;
  readonly kafkaBrokers: readonly string[];
  readonly partitions?: number;
  readonly replicationFactor?: number;
  readonly enabled: boolean;
  readonly webhooks: readonly string[];
  readonly webhookSecret: string | null;
  readonly webhookMaxAttempts: number;
  readonly worker?: string;
}

export interface DetectionDeps {
  readonly store: EventStore;
  readonly checkpoints: CheckpointStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly board?: WorkerStatusBoard;
  /** Defaults: `detections.db` in the data dir, fetch. */
  readonly detections?: DetectionStore;
  readonly sender?: WebhookSender;
}

export interface Detections {
  readonly worker: DetectionWorker;
  readonly dispatcher: AlertDispatcher;
  readonly detections: DetectionStore;
  stop(): Promise<void>;
}

/** A webhook's id: the first 12 hex digits of SHA-256 of its URL (logs never show the URL, it may hold a token). */
export function webhookOf(url: string): Webhook {
  return { id: createHash('sha256').update(url).digest('hex').slice(0, 12), url };
}

/**
 * The detection worker and its dispatcher, started, when alerts are on and have somewhere
 * to go (Kafka brokers, webhooks); null otherwise.
 */
export function startDetections(
  settings: DetectionSettings,
  deps: DetectionDeps,
  options: AlertDispatcherOptions & { lingerMs?: number } = {},
): Detections | null {
  if (!settings.enabled) return null;
  if (settings.kafkaBrokers.length === 0 && settings.webhooks.length === 0) return null;
  const worker = settings.worker ?? DETECTIONS_WORKER;
  const detections =
    deps.detections ??
    new SqliteDetectionStore(
      join(settings.dataDir, worker === DETECTIONS_WORKER ? 'detections.db' : `${worker}.db`),
    );
  const dispatcher = new AlertDispatcher(
    {
      detections,
      kafka:
        settings.kafkaBrokers.length > 0
          ? new KafkaSiemPublisher({
              brokers: settings.kafkaBrokers,
              clientId: 'authtrail-alerts',
              partitions: settings.partitions,
              replicationFactor: settings.replicationFactor,
              logger: deps.logger,
            })
          : null,
      webhooks: settings.webhooks.map(webhookOf),
      secret: settings.webhookSecret,
      sender: deps.sender ?? new FetchWebhookSender(),
      clock: deps.clock,
      logger: deps.logger,
      metrics: deps.metrics,
      board: deps.board,
    },
    { maxAttempts: settings.webhookMaxAttempts, ...options },
  );
  const detector = new DetectionWorker(
    {
      store: deps.store,
      checkpoints: deps.checkpoints,
      detections,
      destinations: dispatcher.destinations,
      clock: deps.clock,
      reporter: createWorkerReporter(worker, {
        logger: deps.logger,
        metrics: deps.metrics,
        board: deps.board,
      }),
      onAlerts: () => dispatcher.notify(),
    },
    { worker, lingerMs: options.lingerMs },
  );
  dispatcher.start();
  detector.start();
  return {
    worker: detector,
    dispatcher,
    detections,
    stop: async () => {
      await detector.stop();
      await dispatcher.stop();
      await detections.close();
    },
  };
}
