import { freePort, readTopic, siemPublisherContract, startKmockBroker } from '@authtrail/testing';
import { SIEM_TOPICS } from '../../domain/siem-topics';
import { KafkaSiemPublisher } from './kafka-siem-publisher.adapter';

jest.setTimeout(120_000);

// A broker of its own (kmock, the Kafka protocol over TCP): the topics hold only this suite's records.
siemPublisherContract('Kafka (kmock)', async () => {
  const broker = await startKmockBroker(await freePort());
  const nobody = await freePort();
  return {
    open: () => new KafkaSiemPublisher({ brokers: broker.brokers, partitions: 3 }),
    unreachable: () =>
      new KafkaSiemPublisher({
        brokers: [`127.0.0.1:${nobody}`],
        connectionTimeoutMs: 300,
        retries: 0,
      }),
    carries: Object.values(SIEM_TOPICS),
    delivered: async (topic) =>
      (await readTopic(broker.brokers, topic)).map((r) => ({ key: r.key, value: r.value })),
    dispose: () => broker.stop(),
  };
});
