import type { SiemPublisher } from '../domain/siem-publisher.port';
import type { SiemRecord } from '../domain/siem-record';
import type { SiemTopic } from '../domain/siem-topics';

/** Kafka and the NDJSON file together: a batch is delivered once every destination has it. */
export class FanOutSiemPublisher implements SiemPublisher {
  readonly carries: readonly SiemTopic[];

  constructor(private readonly targets: readonly SiemPublisher[]) {
    this.carries = [...new Set(targets.flatMap((t) => t.carries))];
  }

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
