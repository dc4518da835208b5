import { type Alert, type DetectionStore, InMemoryDetectionStore } from '@authtrail/detections';
import {
  type DetectionStoreHarness,
  detectionStoreContract,
  detectionStoreContractCases,
} from './detection-store.contract';

/** The same instance on every open: in memory, a restart keeps the data. */
function harness(make: () => DetectionStore): DetectionStoreHarness {
  const store = make();
  return { open: () => Promise.resolve(store), dispose: () => Promise.resolve() };
}

detectionStoreContract('in memory', () =>
  Promise.resolve(harness(() => new InMemoryDetectionStore())),
);

/** Delegates everything; the broken stores below change one thing. */
class Delegating implements DetectionStore {
  constructor(protected readonly inner: DetectionStore = new InMemoryDetectionStore()) {}
  states: DetectionStore['states'] = (t, s) => this.inner.states(t, s);
  commit: DetectionStore['commit'] = (i) => this.inner.commit(i);
  forgetTenant: DetectionStore['forgetTenant'] = (t) => this.inner.forgetTenant(t);
  due: DetectionStore['due'] = (n, l, d) => this.inner.due(n, l, d);
  delivered: DetectionStore['delivered'] = (d) => this.inner.delivered(d);
  retryLater: DetectionStore['retryLater'] = (d, a, n) => this.inner.retryLater(d, a, n);
  park: DetectionStore['park'] = (d, a) => this.inner.park(d, a);
  counts: DetectionStore['counts'] = () => this.inner.counts();
  close: DetectionStore['close'] = () => this.inner.close();
}

/** Stores every alert as new (no unique id): a replay would publish again. */
class NoDedupe extends Delegating {
  private n = 0;
  override commit: DetectionStore['commit'] = async (input) => {
    await this.inner.commit({
      ...input,
      alerts: input.alerts.map((a) => ({
        ...a,
        alert: { ...a.alert, id: `${a.alert.id}-${this.n++}` },
      })),
    });
    return input.alerts.map((a): Alert => a.alert);
  };
}

/** Hands out deliveries of every destination, whatever is asked. */
class IgnoresDestinations extends Delegating {
  private readonly seen = new Set<string>();
  override commit: DetectionStore['commit'] = (input) => {
    for (const d of input.destinations) this.seen.add(d);
    return this.inner.commit(input);
  };
  override due: DetectionStore['due'] = (n, l) => this.inner.due(n, l, [...this.seen]);
}

/** Forgets every tenant it has seen when one is deleted. */
class ForgetsEveryone extends Delegating {
  private readonly tenants = new Set<string>();
  override commit: DetectionStore['commit'] = (input) => {
    for (const s of input.states) this.tenants.add(s.tenantId);
    for (const a of input.alerts) this.tenants.add(a.alert.tenantId);
    return this.inner.commit(input);
  };
  override forgetTenant: DetectionStore['forgetTenant'] = async () => {
    for (const t of this.tenants) await this.inner.forgetTenant(t);
  };
}

describe('the detection store contract catches broken stores', () => {
  const failing = async (h: DetectionStoreHarness): Promise<string[]> => {
    const failed: string[] = [];
    for (const c of detectionStoreContractCases) await c.run(h).catch(() => failed.push(c.name));
    return failed;
  };

  it.each([
    [
      'stores an alert twice',
      () => new NoDedupe(),
      'stores an alert once by id: the same alert again is not new and gets no delivery',
    ],
    [
      'ignores the destinations asked',
      () => new IgnoresDestinations(),
      'gives each new alert one pending delivery per destination, due from nowMs, oldest first, for the destinations asked',
    ],
    [
      'forgets every tenant',
      () => new ForgetsEveryone(),
      "forgetting a tenant drops its people's states and parks its pending deliveries, and only its own",
    ],
  ] as const)('a store that %s', async (_, make, mustFail) => {
    expect(await failing(harness(make))).toContain(mustFail);
  });

  it('a store that keeps nothing over a restart', async () => {
    const amnesiac: DetectionStoreHarness = {
      open: () => Promise.resolve(new InMemoryDetectionStore()),
      dispose: () => Promise.resolve(),
    };
    expect(await failing(amnesiac)).toContain(
      'keeps states, alert ids and deliveries over a restart',
    );
  });
});
