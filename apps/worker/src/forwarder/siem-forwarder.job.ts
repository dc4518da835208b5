import { INestApplicationContext } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, AppConfig } from '@authtrail/config';
import { LOGGER } from '@authtrail/platform';
import {
  ERASED_VALUE_MAX_AGE_MS,
  SIEM_TOPICS,
  SiemForwarder,
  SiemForwarderFactory,
} from '@authtrail/siem';

/**
 * Starts the SIEM forwarder when Kafka brokers (AUTHTRAIL_KAFKA_BROKERS) or an NDJSON file
 * (AUTHTRAIL_SIEM_FILE) are configured; null when neither is (forwarding off).
 */
export function startSiemForwarder(app: INestApplicationContext): SiemForwarder | null {
  const config = app.get<AppConfig>(APP_CONFIG);
  const logger = app.get<Logger>(LOGGER);
  const forwarder = app.get(SiemForwarderFactory).create();
  if (forwarder === null) {
    logger.info('SIEM forwarding off (set AUTHTRAIL_KAFKA_BROKERS or AUTHTRAIL_SIEM_FILE)');
    return null;
  }
  logger.info(
    {
      kafka: config.kafkaBrokers.length > 0 ? config.kafkaBrokers : undefined,
      file: config.siemFile ?? undefined,
      identities:
        config.siemIdentity && config.kafkaBrokers.length > 0 ? SIEM_TOPICS.subjects : 'off',
      erasedValueMaxAgeHours: ERASED_VALUE_MAX_AGE_MS / 3_600_000,
    },
    'SIEM forwarder starting',
  );
  return forwarder.start();
}
