import { randomBytes } from 'node:crypto';
import {
  SIEM_TOPICS,
  SiemPublishError,
  type SiemPublisher,
  type SiemRecord,
  type SiemTopic,
} from '@authtrail/siem';
import type { ContractCase } from '../key-vault/key-vault.contract';

/** A record as the destination holds it. */
export interface DeliveredRecord {
  readonly key: string | null;
  readonly value: string | null;
}

/** A destination under test (a broker, a file) and publishers to it. */
export interface SiemPublisherHarness {
  /** A new, unstarted publisher to the destination: another replica, or one after a restart. */
  open(): SiemPublisher;
  /** A publisher to a destination that cannot be reached (no broker there, a path that cannot be a file). */
  unreachable(): SiemPublisher;
  /** The topics this destination carries (the file: the events topic only). */
  readonly carries: readonly SiemTopic[];
  /** False for a destination without record keys (the file: one value per line, in order). */
  readonly keepsKeys?: boolean;
  /** What the destination holds now on `topic`, in delivery order per key. */
  delivered(topic: SiemTopic): Promise<DeliveredRecord[]>;
  dispose(): Promise<void>;
}

/** Keys of this case only: a destination may be shared between cases. */
const tenant = (): string => `t_${randomBytes(5).toString('hex')}`;

const eventRecord = (t: string, person: number, n: number): SiemRecord => ({
  topic: SIEM_TOPICS.events,
  key: `${t}/s_${person}`,
  value: JSON.stringify({ metadata: { uid: `${t}-${n}`, sequence: n } }),
  headers: { 'content-type': 'application/json', 'authtrail-event-id': `${t}-${n}` },
});

/** This case's records: by key, or by value where the destination keeps no keys. */
const ofTenant = (records: readonly DeliveredRecord[], t: string): DeliveredRecord[] =>
  records.filter((r) =>
    r.key !== null ? r.key === t || r.key.startsWith(`${t}/`) : (r.value ?? '').includes(t),
  );

async function published(
  h: SiemPublisherHarness,
  batches: readonly (readonly SiemRecord[])[],
): Promise<void> {
  const p = h.open();
  try {
    await p.start();
    for (const batch of batches) await p.publish(batch);
  } finally {
    await p.close();
  }
}

/** Each key's values, in the order the destination holds them. */
function byKey(records: readonly DeliveredRecord[]): Map<string, (string | null)[]> {
  const out = new Map<string, (string | null)[]>();
  for (const r of records) out.set(r.key!, [...(out.get(r.key!) ?? []), r.value]);
  return out;
}

/** The cases of the SIEM publisher contract, exported so a broken publisher can prove each one fails. */
export const siemPublisherContractCases: readonly ContractCase<SiemPublisherHarness>[] = [
  {
    name: 'delivers every record of a batch once, each key in batch order',
    run: async (h) => {
      const t = tenant();
      const batch = Array.from({ length: 40 }, (_, n) => eventRecord(t, n % 7, n + 1));
      await published(h, [batch]);
      const got = ofTenant(await h.delivered(SIEM_TOPICS.events), t);
      expect(got).toHaveLength(batch.length);
      if (h.keepsKeys === false) expect(got.map((r) => r.value)).toEqual(batch.map((r) => r.value));
      else expect(byKey(got)).toEqual(byKey(batch));
    },
  },
  {
    name: 'an empty batch delivers nothing and needs no destination',
    run: async (h) => {
      const p = h.unreachable();
      try {
        await p.publish([]);
      } finally {
        await p.close();
      }
    },
  },
  {
    name: 'identities, tombstones and seals reach the topics the destination carries, and only those',
    run: async (h) => {
      // What the publisher says it carries is what it delivers (the forwarder builds
      // identity records only for a destination that carries the subjects topic).
      const unstarted = h.open();
      expect([...unstarted.carries].sort()).toEqual([...h.carries].sort());
      await unstarted.close();
      const t = tenant();
      const records: SiemRecord[] = [
        eventRecord(t, 1, 1),
        {
          topic: SIEM_TOPICS.subjects,
          key: `${t}/s_1`,
          value: JSON.stringify({ subject_uid: 's_1' }),
          headers: { 'authtrail-record': 'identity' },
        },
        { topic: SIEM_TOPICS.subjects, key: `${t}/s_2`, value: null, headers: {} },
        { topic: SIEM_TOPICS.seals, key: t, value: JSON.stringify({ sequence: 0 }), headers: {} },
      ];
      await published(h, [records]);
      for (const topic of Object.values(SIEM_TOPICS)) {
        const got = ofTenant(await h.delivered(topic), t);
        const sent = h.carries.includes(topic) ? records.filter((r) => r.topic === topic) : [];
        // Order is promised within a key (a partition), not across keys.
        if (h.keepsKeys === false) {
          expect([topic, got]).toEqual([topic, sent.map((r) => ({ key: null, value: r.value }))]);
        } else {
          expect([topic, got.length, byKey(got)]).toEqual([topic, sent.length, byKey(sent)]);
        }
      }
    },
  },
  {
    name: 'a publisher started again, or another one, adds to what the destination holds',
    run: async (h) => {
      const t = tenant();
      const first = [eventRecord(t, 1, 1), eventRecord(t, 1, 2)];
      const second = [eventRecord(t, 1, 3)];
      await published(h, [first]);
      await published(h, [second]);
      const p = h.open();
      await p.start();
      await p.start(); // idempotent
      await p.publish([eventRecord(t, 1, 4)]);
      await p.close();
      const values = ofTenant(await h.delivered(SIEM_TOPICS.events), t).map((r) => r.value);
      expect(values).toEqual([...first, ...second, eventRecord(t, 1, 4)].map((r) => r.value));
    },
  },
  {
    name: 'a destination it cannot reach refuses with a retriable SiemPublishError',
    run: async (h) => {
      const t = tenant();
      const p = h.unreachable();
      try {
        const failure: unknown = await p
          .start()
          .then(() => p.publish([eventRecord(t, 1, 1)]))
          .then(
            () => null,
            (e: unknown) => e,
          );
        expect(failure).toBeInstanceOf(SiemPublishError);
        expect((failure as SiemPublishError).retriable).toBe(true);
      } finally {
        await p.close();
      }
      expect(ofTenant(await h.delivered(SIEM_TOPICS.events), t)).toEqual([]);
    },
  },
];

/** Registers the SIEM publisher contract (jest) for one destination. `makeHarness` runs once per suite. */
export function siemPublisherContract(
  name: string,
  makeHarness: () => Promise<SiemPublisherHarness>,
): void {
  describe(`SiemPublisher contract: ${name}`, () => {
    let harness: SiemPublisherHarness;
    beforeAll(async () => {
      harness = await makeHarness();
    });
    afterAll(async () => {
      await harness?.dispose();
    });
    for (const c of siemPublisherContractCases) {
      it(c.name, () => c.run(harness));
    }
  });
}
