import type { SiemRecord } from './siem-record';

/**
 * Where the SIEM forwarder puts its records: Kafka in production, an NDJSON file in the
 * embedded mode. `publish` resolves only once the destination has acknowledged every
 * record (the forwarder checkpoints after it), and keeps the order of records per key.
 */
export interface SiemPublisher {
  /** Connects and creates missing topics. */
  start(): Promise<void>;
  /** @throws SiemPublishError (retriable) when the destination did not acknowledge. */
  publish(records: readonly SiemRecord[]): Promise<void>;
  close(): Promise<void>;
}
