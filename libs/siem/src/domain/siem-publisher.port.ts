import type { SiemRecord } from './siem-record';
import type { SiemTopic } from './siem-topics';

/**
 * Where the SIEM forwarder puts its records: Kafka in production, an NDJSON file in the
 * embedded mode. `publish` resolves only once the destination has acknowledged every
 * record (the forwarder checkpoints after it), and keeps the order of records per key.
 */
export interface SiemPublisher {
  /**
   * The topics this destination holds; records of any other are dropped. The forwarder
   * builds identity records and tombstones only for one that holds the subjects topic: no
   * other can forget a person, so for no other is a person's blob opened.
   */
  readonly carries: readonly SiemTopic[];
  /** Connects and creates missing topics. */
  start(): Promise<void>;
  /** @throws SiemPublishError (retriable) when the destination did not acknowledge. */
  publish(records: readonly SiemRecord[]): Promise<void>;
  close(): Promise<void>;
}
