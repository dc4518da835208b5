import { INestApplicationContext } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, AppConfig } from '@authtrail/config';
import { DETECTIONS_WORKER, Detections, startDetections } from '@authtrail/detections';
import { CHECKPOINT_STORE, CheckpointStore, EVENT_STORE, EventStore } from '@authtrail/event-store';
import { CLOCK, Clock, LOGGER, Metrics, WorkerStatusBoard } from '@authtrail/platform';

/**
 * Starts the live detections (docs/siem.md "Alerts") when alerts are on and go somewhere:
 * the alerts topic with AUTHTRAIL_KAFKA_BROKERS, webhooks with AUTHTRAIL_ALERT_WEBHOOKS.
 * Null otherwise.
 */
export function startDetectionsJob(app: INestApplicationContext): Detections | null {
  const config = app.get<AppConfig>(APP_CONFIG);
  const logger = app.get<Logger>(LOGGER);
  const detections = startDetections(
    {
      dataDir: config.dataDir,
      kafkaBrokers: config.kafkaBrokers,
      partitions: config.kafkaPartitions,
      replicationFactor: config.kafkaReplicationFactor ?? undefined,
      ...config.alerts,
    },
    {
      store: app.get<EventStore>(EVENT_STORE),
      checkpoints: app.get<CheckpointStore>(CHECKPOINT_STORE),
      clock: app.get<Clock>(CLOCK),
      logger,
      metrics: app.get(Metrics),
      board: app.get(WorkerStatusBoard),
    },
  );
  if (detections === null) {
    logger.info(
      config.alerts.enabled
        ? 'live detections off (set AUTHTRAIL_KAFKA_BROKERS or AUTHTRAIL_ALERT_WEBHOOKS)'
        : 'live detections off (AUTHTRAIL_ALERTS=off)',
    );
    return null;
  }
  logger.info(
    {
      worker: DETECTIONS_WORKER,
      kafka: config.kafkaBrokers.length > 0,
      webhooks: config.alerts.webhooks.length,
    },
    'live detections starting',
  );
  return detections;
}
