import type { SiemPublisher } from '../domain/siem-publisher.port';
import type { SiemRecord } from '../domain/siem-record';

/** Kafka and the NDJSON file together: a batch is delivered once every destination has it. */
export class FanOutSiemPublisher implements SiemPublisher {
  constructor(private readonly targets: readonly SiemPublisher[]) {}

  async start(): Promise<void> {
    for (const t of this.targets) await t.start();
  }

  async publish(records: readonly SiemRecord[]): Promise<void> {
    // In turn, not in parallel: a retried batch then repeats at most in the destinations it reached.
    for (const t of this.targets) await t.publish(records);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.targets.map((t) => t.close()));
  }
}
