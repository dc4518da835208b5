import { randomBytes } from 'node:crypto';
import { type Alert, type DetectionStore, type PersonState, alertId } from '@authtrail/detections';
import type { ContractCase } from '../key-vault/key-vault.contract';

/**
 * Opens stores under test. Every `open()` is a store on the same data: the worker after a
 * restart (a file reopened; in memory, the same instance).
 */
export interface DetectionStoreHarness {
  open(): Promise<DetectionStore>;
  dispose(): Promise<void>;
}

const tenant = (): string => `t_${randomBytes(5).toString('hex')}`;
const NOW = 1_795_000_000_000;

function alert(tenantId: string, n: number, subjectId = 's_kim'): { alert: Alert; body: string } {
  const a: Alert = {
    id: alertId(tenantId, 'reset-attempts', subjectId, `e-${n}`),
    tenantId,
    rule: 'reset-attempts',
    subjectId,
    severityId: 3,
    title: 'Burst',
    description: 'burst',
    count: 6,
    threshold: 5,
    windowMs: 86_400_000,
    firstSeenMs: NOW - 1000,
    lastSeenMs: NOW,
    detectedAtMs: NOW,
    position: n,
    events: [{ uid: `e-${n}`, type: 'sspr.PasswordResetSelfService', position: n, timeMs: NOW }],
  };
  return { alert: a, body: JSON.stringify({ metadata: { uid: a.id } }) };
}

const state = (through: number): PersonState => ({
  through,
  rules: { 'reset-attempts': { hits: [[NOW, through, `e-${through}`, 'sspr.X']], alertedAt: NOW } },
});

async function withStore(
  h: DetectionStoreHarness,
  fn: (s: DetectionStore) => Promise<void>,
): Promise<void> {
  const s = await h.open();
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

const ids = (alerts: readonly Alert[]) => alerts.map((a) => a.id);

/** The cases of the detection store contract, exported so broken stores can prove each fails. */
export const detectionStoreContractCases: readonly ContractCase<DetectionStoreHarness>[] = [
  {
    name: "keeps each person's rule state per tenant",
    run: (h) =>
      withStore(h, async (s) => {
        const [a, b] = [tenant(), tenant()];
        expect((await s.states(a, ['s_kim'])).size).toBe(0);
        await s.commit({
          states: [{ tenantId: a, subjectId: 's_kim', state: state(7) }],
          alerts: [],
          destinations: ['kafka'],
          nowMs: NOW,
        });
        expect(await s.states(a, ['s_kim', 's_lee'])).toEqual(new Map([['s_kim', state(7)]]));
        expect((await s.states(b, ['s_kim'])).size).toBe(0);
        await s.commit({
          states: [{ tenantId: a, subjectId: 's_kim', state: state(9) }],
          alerts: [],
          destinations: ['kafka'],
          nowMs: NOW,
        });
        expect((await s.states(a, ['s_kim'])).get('s_kim')).toEqual(state(9));
      }),
  },
  {
    name: 'stores an alert once by id: the same alert again is not new and gets no delivery',
    run: (h) =>
      withStore(h, async (s) => {
        const t = tenant();
        const input = { states: [], destinations: ['kafka'], nowMs: NOW };
        const first = await s.commit({ ...input, alerts: [alert(t, 1), alert(t, 2)] });
        expect(ids(first)).toEqual([alert(t, 1).alert.id, alert(t, 2).alert.id]);
        const before = await s.counts();
        expect(await s.commit({ ...input, alerts: [alert(t, 2), alert(t, 1)] })).toEqual([]);
        expect(await s.counts()).toEqual(before);
        const due = await s.due(NOW, 1000, ['kafka']);
        expect(due.filter((d) => d.tenantId === t)).toHaveLength(2);
      }),
  },
  {
    name: 'gives each new alert one pending delivery per destination, due from nowMs, oldest first, for the destinations asked',
    run: (h) =>
      withStore(h, async (s) => {
        const t = tenant();
        await s.commit({
          states: [],
          alerts: [alert(t, 1)],
          destinations: ['kafka', 'webhook:a'],
          nowMs: NOW + 10,
        });
        await s.commit({
          states: [],
          alerts: [alert(t, 2)],
          destinations: ['kafka', 'webhook:a'],
          nowMs: NOW + 20,
        });
        const mine = async (now: number, dest: string[]) =>
          (await s.due(now, 1000, dest)).filter((d) => d.tenantId === t);
        expect(await mine(NOW, ['kafka', 'webhook:a'])).toEqual([]);
        const kafka = await mine(NOW + 20, ['kafka']);
        expect(kafka.map((d) => [d.alertId, d.destination, d.attempts, d.position])).toEqual([
          [alert(t, 1).alert.id, 'kafka', 0, 1],
          [alert(t, 2).alert.id, 'kafka', 0, 2],
        ]);
        expect(kafka[0].body).toBe(alert(t, 1).body);
        expect((await mine(NOW + 20, ['kafka', 'webhook:a'])).length).toBe(4);
        expect(await mine(NOW + 20, ['webhook:gone'])).toEqual([]);
      }),
  },
  {
    name: 'a delivered one is done, a retried one waits for its time with its attempts, a parked one never comes back',
    run: (h) =>
      withStore(h, async (s) => {
        const t = tenant();
        const dest = ['webhook:a'];
        await s.commit({
          states: [],
          alerts: [alert(t, 1), alert(t, 2), alert(t, 3)],
          destinations: dest,
          nowMs: NOW,
        });
        const [d1, d2, d3] = (await s.due(NOW, 1000, dest)).filter((d) => d.tenantId === t);
        await s.delivered([d1]);
        await s.retryLater(d2, 1, NOW + 5000);
        await s.park(d3, 10);
        const mine = async (now: number) =>
          (await s.due(now, 1000, dest)).filter((d) => d.tenantId === t);
        expect(await mine(NOW + 4999)).toEqual([]);
        expect((await mine(NOW + 5000)).map((d) => [d.alertId, d.attempts])).toEqual([
          [d2.alertId, 1],
        ]);
        await s.delivered([d2]);
        expect(await mine(NOW + 10_000_000)).toEqual([]);
      }),
  },
  {
    name: "forgetting a tenant drops its people's states and parks its pending deliveries, and only its own",
    run: (h) =>
      withStore(h, async (s) => {
        const [a, b] = [tenant(), tenant()];
        await s.commit({
          states: [
            { tenantId: a, subjectId: 's_kim', state: state(1) },
            { tenantId: b, subjectId: 's_kim', state: state(2) },
          ],
          alerts: [alert(a, 1), alert(b, 2)],
          destinations: ['kafka'],
          nowMs: NOW,
        });
        await s.forgetTenant(a);
        expect((await s.states(a, ['s_kim'])).size).toBe(0);
        expect((await s.states(b, ['s_kim'])).get('s_kim')).toEqual(state(2));
        const due = await s.due(NOW, 1000, ['kafka']);
        expect(due.filter((d) => d.tenantId === a)).toEqual([]);
        expect(due.filter((d) => d.tenantId === b)).toHaveLength(1);
      }),
  },
  {
    name: 'keeps states, alert ids and deliveries over a restart',
    run: async (h) => {
      const t = tenant();
      await withStore(h, async (s) => {
        await s.commit({
          states: [{ tenantId: t, subjectId: 's_kim', state: state(3) }],
          alerts: [alert(t, 3)],
          destinations: ['kafka'],
          nowMs: NOW,
        });
      });
      await withStore(h, async (s) => {
        expect((await s.states(t, ['s_kim'])).get('s_kim')).toEqual(state(3));
        expect(
          await s.commit({
            states: [],
            alerts: [alert(t, 3)],
            destinations: ['kafka'],
            nowMs: NOW,
          }),
        ).toEqual([]);
        expect((await s.due(NOW, 1000, ['kafka'])).filter((d) => d.tenantId === t)).toHaveLength(1);
      });
    },
  },
];

/** Runs the contract against one kind of store. */
export function detectionStoreContract(
  name: string,
  makeHarness: () => Promise<DetectionStoreHarness>,
): void {
  describe(`DetectionStore contract: ${name}`, () => {
    let harness: DetectionStoreHarness;
    beforeAll(async () => {
      harness = await makeHarness();
    });
    afterAll(async () => {
      await harness?.dispose();
    });
    for (const c of detectionStoreContractCases) it(c.name, () => c.run(harness));
  });
}
