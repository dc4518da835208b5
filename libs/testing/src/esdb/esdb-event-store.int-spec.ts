import { randomBytes } from 'node:crypto';
import { EsdbEventStore, type EsdbEventStoreOptions } from '@authtrail/event-store';
import { eventStoreContract } from '../event-store/event-store.contract';
import { EsdbTestDouble } from './esdb-test-double';

/**
 * The EventStoreDB adapter against the contract every adapter passes. Against a real
 * server when ESDB_CONNECTION_STRING is set (each case in its own stream namespace, since
 * the server is shared); otherwise against the gRPC test double, once with BatchAppend
 * advertised (what 21.10+ servers do) and once without.
 */
const realServer = process.env.ESDB_CONNECTION_STRING;

function harness(connectionString: string, extra: EsdbEventStoreOptions = {}) {
  const namespace = realServer ? `it${randomBytes(6).toString('hex')}-` : '';
  const open = (): EsdbEventStore =>
    EsdbEventStore.connect(connectionString, { namespace, ...extra });
  const opened = [open()];
  return {
    store: opened[0],
    atomicGuards: false,
    reopen: async () => {
      await opened[opened.length - 1].close();
      opened.push(open());
      return opened[opened.length - 1];
    },
    cleanup: async () => {
      await Promise.all(opened.map((s) => s.close()));
    },
  };
}

if (realServer) {
  eventStoreContract('esdb (real server)', async () => harness(realServer));
} else {
  for (const batchAppend of [true, false]) {
    eventStoreContract(
      `esdb via the gRPC test double (${batchAppend ? 'BatchAppend' : 'Append'})`,
      async () => {
        const double = await EsdbTestDouble.start({ batchAppend });
        const h = harness(double.connectionString);
        return {
          ...h,
          cleanup: async () => {
            await h.cleanup();
            await double.close();
          },
        };
      },
    );
  }
}
