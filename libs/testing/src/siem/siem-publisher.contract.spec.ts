import { FanOutSiemPublisher, SIEM_TOPICS, type SiemRecord } from '@authtrail/siem';
import { InMemorySiemDestination, InMemorySiemPublisher } from './in-memory-siem-publisher';
import {
  type SiemPublisherHarness,
  siemPublisherContract,
  siemPublisherContractCases,
} from './siem-publisher.contract';

type Make = (d: InMemorySiemDestination) => InMemorySiemPublisher;

function harness(make: Make, carries = Object.values(SIEM_TOPICS)): SiemPublisherHarness {
  const destination = new InMemorySiemDestination(carries);
  return {
    open: () => make(destination),
    unreachable: () => make(new InMemorySiemDestination(carries, false)),
    carries,
    delivered: (topic) => Promise.resolve(destination.delivered(topic)),
    dispose: () => Promise.resolve(),
  };
}

siemPublisherContract('in memory', () =>
  Promise.resolve(harness((d) => new InMemorySiemPublisher(d))),
);

siemPublisherContract('in memory, events only (as the file)', () =>
  Promise.resolve(harness((d) => new InMemorySiemPublisher(d), [SIEM_TOPICS.events])),
);

siemPublisherContract('fan-out to two destinations', () => {
  const a = new InMemorySiemDestination();
  const b = new InMemorySiemDestination();
  return Promise.resolve({
    open: () =>
      new FanOutSiemPublisher([new InMemorySiemPublisher(a), new InMemorySiemPublisher(b)]),
    unreachable: () =>
      new FanOutSiemPublisher([
        new InMemorySiemPublisher(new InMemorySiemDestination()),
        new InMemorySiemPublisher(new InMemorySiemDestination(undefined, false)),
      ]),
    carries: Object.values(SIEM_TOPICS),
    // Delivered means both destinations have it.
    delivered: (topic) => {
      expect(b.delivered(topic)).toEqual(a.delivered(topic));
      return Promise.resolve(a.delivered(topic));
    },
    dispose: () => Promise.resolve(),
  });
});

/** Loses the last record of every batch. */
class DropsTheLast extends InMemorySiemPublisher {
  override publish(records: readonly SiemRecord[]) {
    return super.publish(records.slice(0, -1));
  }
}

/** Sends a batch in reverse: each key's order is lost. */
class Reverses extends InMemorySiemPublisher {
  override publish(records: readonly SiemRecord[]) {
    return super.publish([...records].reverse());
  }
}

/** Fails with a plain error when the destination is down: the forwarder would park. */
class FailsUntyped extends InMemorySiemPublisher {
  override start() {
    return super.start().catch(() => Promise.reject(new Error('ECONNREFUSED')));
  }
}

/** Writes every topic, also where the destination must not hold identities (a file). */
class IgnoresTopics extends InMemorySiemPublisher {
  override async publish(records: readonly SiemRecord[]) {
    for (const r of records) {
      const held = this.destination.topics.get(r.topic) ?? [];
      held.push({ key: r.key, value: r.value });
      this.destination.topics.set(r.topic, held);
    }
    return Promise.resolve();
  }
}

/** Holds the events topic only (a file) but says it carries every topic. */
class ClaimsEveryTopic extends InMemorySiemPublisher {
  override get carries() {
    return Object.values(SIEM_TOPICS);
  }
}

describe('the SIEM publisher contract catches broken publishers', () => {
  const failing = async (h: SiemPublisherHarness): Promise<string[]> => {
    const failed: string[] = [];
    for (const c of siemPublisherContractCases) await c.run(h).catch(() => failed.push(c.name));
    return failed;
  };

  it.each([
    [
      'drops records',
      DropsTheLast,
      'delivers every record of a batch once, each key in batch order',
    ],
    ['reorders a key', Reverses, 'delivers every record of a batch once, each key in batch order'],
    [
      'fails untyped when down',
      FailsUntyped,
      'a destination it cannot reach refuses with a retriable SiemPublishError',
    ],
  ] as const)('a publisher that %s', async (_, Publisher, mustFail) => {
    expect(await failing(harness((d) => new Publisher(d)))).toContain(mustFail);
  });

  it('a file-like publisher that says it carries the subjects topic', async () => {
    const failed = await failing(harness((d) => new ClaimsEveryTopic(d), [SIEM_TOPICS.events]));
    expect(failed).toEqual([
      'identities, tombstones and seals reach the topics the destination carries, and only those',
    ]);
  });

  it('a file-like publisher that writes identities and tombstones', async () => {
    const failed = await failing(harness((d) => new IgnoresTopics(d), [SIEM_TOPICS.events]));
    expect(failed).toContain(
      'identities, tombstones and seals reach the topics the destination carries, and only those',
    );
  });
});

describe('a fan-out publisher', () => {
  it('carries every topic one of its destinations carries', () => {
    const file = new InMemorySiemPublisher(new InMemorySiemDestination([SIEM_TOPICS.events]));
    const broker = new InMemorySiemPublisher(new InMemorySiemDestination());
    expect(new FanOutSiemPublisher([file]).carries).toEqual([SIEM_TOPICS.events]);
    expect([...new FanOutSiemPublisher([file, broker]).carries].sort()).toEqual(
      Object.values(SIEM_TOPICS).sort(),
    );
  });
});
