import { eventStoreContract } from './event-store.contract';
import { InMemoryEventLog, InMemoryEventStore } from './in-memory-event-store';

eventStoreContract('in-memory reference', async () => {
  const log = new InMemoryEventLog();
  const opened: InMemoryEventStore[] = [new InMemoryEventStore(log)];
  return {
    store: opened[0],
    reopen: async () => {
      await opened[opened.length - 1].close();
      opened.push(new InMemoryEventStore(log));
      return opened[opened.length - 1];
    },
    cleanup: async () => {
      await Promise.all(opened.map((s) => s.close()));
    },
  };
});
