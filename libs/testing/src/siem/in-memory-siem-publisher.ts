import {
  SIEM_TOPICS,
  SiemPublishError,
  type SiemPublisher,
  type SiemRecord,
  type SiemTopic,
} from '@authtrail/siem';
import type { DeliveredRecord } from './siem-publisher.contract';

/** What a destination holds, per topic; share one between publishers like one broker. */
export class InMemorySiemDestination {
  readonly topics = new Map<SiemTopic, DeliveredRecord[]>();

  constructor(
    readonly carries: readonly SiemTopic[] = Object.values(SIEM_TOPICS),
    readonly reachable = true,
  ) {}

  delivered(topic: SiemTopic): DeliveredRecord[] {
    return [...(this.topics.get(topic) ?? [])];
  }
}

/** Reference SIEM publisher for unit tests and the contract suite's self-test. */
export class InMemorySiemPublisher implements SiemPublisher {
  private started = false;

  constructor(protected readonly destination: InMemorySiemDestination) {}

  get carries(): readonly SiemTopic[] {
    return this.destination.carries;
  }

  start(): Promise<void> {
    if (!this.destination.reachable)
      return Promise.reject(new SiemPublishError('the destination cannot be reached'));
    this.started = true;
    return Promise.resolve();
  }

  async publish(records: readonly SiemRecord[]): Promise<void> {
    if (records.length === 0) return;
    if (!this.started) await this.start();
    for (const r of records) {
      if (!this.destination.carries.includes(r.topic)) continue;
      const held = this.destination.topics.get(r.topic) ?? [];
      held.push({ key: r.key, value: r.value });
      this.destination.topics.set(r.topic, held);
    }
  }

  close(): Promise<void> {
    this.started = false;
    return Promise.resolve();
  }
}
