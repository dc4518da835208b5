import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { ProducerEvent, exampleEvent } from '@authtrail/catalog';
import { decodeEnvelope, encodeEnvelope } from '@authtrail/event-store';
import {
  ApplicationHarness,
  InMemoryCheckpointStore,
  InMemoryPublishedSubjectsData,
  InMemoryPublishedSubjectsStore,
  InMemorySiemDestination,
  InMemorySiemPublisher,
  applicationHarness,
} from '@authtrail/testing';
import { SiemPublishError } from '../domain/siem.errors';
import type { SiemRecord } from '../domain/siem-record';
import { SIEM_TOPICS } from '../domain/siem-topics';
import { SiemForwarder } from './siem-forwarder';

/** Refuses the next `refusals` batches as a broker that is down would. */
class FlakyPublisher extends InMemorySiemPublisher {
  refusals = 0;

  override async publish(records: readonly SiemRecord[]): Promise<void> {
    if (this.refusals > 0) {
      this.refusals--;
      throw new SiemPublishError('the destination is down');
    }
    await super.publish(records);
  }
}

const KIM = { userPrincipalName: 'kim@contoso.com', displayName: 'Kim Akers' };

/** An MFA attempt about Kim with a fresh id (and, unless given, the example's IP address). */
function attempt(target: typeof KIM = KIM, ip?: string): ProducerEvent {
  const base = exampleEvent('mfa.AuthenticationAttempted');
  return exampleEvent('mfa.AuthenticationAttempted', {
    eventId: randomUUID(),
    occurredAt: new Date('2026-11-20T09:59:00.000Z').toISOString(),
    target,
    details: { ...base.details, ...(ip ? { initiatingIpAddress: ip } : {}) },
  });
}

describe('SIEM forwarder, identity records (in memory)', () => {
  let h: ApplicationHarness;
  let destination: InMemorySiemDestination;
  let publisher: FlakyPublisher;
  let published: InMemoryPublishedSubjectsData;
  let opened: jest.SpyInstance;
  let keyed: jest.SpyInstance;

  const forwarder = () =>
    new SiemForwarder(
      {
        store: h.store,
        checkpoints: new InMemoryCheckpointStore(),
        publisher,
        published: new InMemoryPublishedSubjectsStore(published),
        catalog: h.catalog,
        keyring: h.keyring,
        logger: pino({ level: 'silent' }),
      },
      { identities: true, retryInitialMs: 1, retryMaxMs: 1 },
    );
  /** The display name of each identity record put on the subjects topic, in order. */
  const identities = () =>
    destination
      .delivered(SIEM_TOPICS.subjects)
      .filter((r) => r.value !== null)
      .map((r) => (JSON.parse(r.value!).identity as Record<string, string>).displayName);
  const kimsKeysAsked = async () => {
    const kim = (await h.keyring.findSubject(h.tenantId, KIM.userPrincipalName))!;
    return keyed.mock.calls.filter(([, sids]) => (sids as string[]).includes(kim.subjectId)).length;
  };

  beforeEach(async () => {
    h = await applicationHarness();
    destination = new InMemorySiemDestination();
    publisher = new FlakyPublisher(destination);
    published = new InMemoryPublishedSubjectsData();
    opened = jest.spyOn(h.keyring, 'open');
    keyed = jest.spyOn(h.keyring, 'dataKeys');
  });

  it('opens a person’s blob only while their identity is not the one published', async () => {
    // Three attempts, one identity, three IP addresses (personal, but not identity).
    await h.ingest([attempt(), attempt(KIM, '198.51.100.1'), attempt(KIM, '198.51.100.2')]);
    const f = forwarder();
    await f.catchUp();
    expect(identities()).toEqual(['Kim Akers']);
    // The first event's blob is opened; the next two carry the identity just published.
    expect(opened).toHaveBeenCalledTimes(1);

    // A later batch, with what is published read back from the record: nothing opened, and
    // Kim's data key not even fetched.
    opened.mockClear();
    keyed.mockClear();
    await h.ingest([attempt(), attempt(KIM, '198.51.100.3')]);
    await f.catchUp();
    expect(opened).not.toHaveBeenCalled();
    expect(await kimsKeysAsked()).toBe(0);
    expect(identities()).toEqual(['Kim Akers']);
  });

  it('opens and publishes a changed identity, and the earlier one again when it returns', async () => {
    await h.ingest([attempt()]);
    const f = forwarder();
    await f.catchUp();
    const renamed = { ...KIM, displayName: 'Kim A.' };
    await h.ingest([attempt(renamed), attempt(renamed), attempt(KIM)]);
    opened.mockClear();
    await f.catchUp();
    // The rename, and the return to the first name, are each opened and published, the
    // value rebuilt from Kim's events so far (2, then 4 more opened); the second renamed
    // event carries what the first just published and is not opened (9 without the digest).
    expect(identities()).toEqual(['Kim Akers', 'Kim A.', 'Kim Akers']);
    expect(opened).toHaveBeenCalledTimes(1 + 2 + 1 + 4);
  });

  it('still publishes an identity whose batch the destination refused the first time', async () => {
    await h.ingest([attempt(), attempt()]);
    const f = forwarder();
    publisher.refusals = 1;
    await expect(f.catchUp()).rejects.toThrow(SiemPublishError);
    expect(identities()).toEqual([]);
    // The refused batch's digests were seen, but nothing of it was published: the batch is
    // built again from the checkpoint and the identity goes out.
    await f.catchUp();
    expect(identities()).toEqual(['Kim Akers']);
  });

  it('for a destination without the subjects topic (the file) opens no blob, fetches no key and records no one as published', async () => {
    const checkpoints = new InMemoryCheckpointStore();
    const to = (d: InMemorySiemDestination) =>
      new SiemForwarder(
        {
          store: h.store,
          checkpoints,
          publisher: new InMemorySiemPublisher(d),
          published: new InMemoryPublishedSubjectsStore(published),
          catalog: h.catalog,
          keyring: h.keyring,
          logger: pino({ level: 'silent' }),
        },
        { identities: true },
      );
    const file = new InMemorySiemDestination([SIEM_TOPICS.events]);
    await h.ingest([attempt(), attempt(KIM, '198.51.100.1'), attempt(KIM, '198.51.100.2')]);
    await h.ingest([attempt({ userPrincipalName: 'ira@contoso.com', displayName: 'Ira' })]);
    await h.erase('ira@contoso.com');
    await to(file).catchUp();
    expect(file.delivered(SIEM_TOPICS.events)).toHaveLength(h.log.events.length);
    expect(opened).not.toHaveBeenCalled();
    expect(keyed).not.toHaveBeenCalled();
    expect(published.rows.size).toBe(0);

    // A broker configured later, from the same checkpoint: Kim's next event publishes her
    // identity, which the file never held.
    await h.ingest([attempt(KIM, '198.51.100.3')]);
    await to(destination).catchUp();
    expect(destination.delivered(SIEM_TOPICS.events)).toHaveLength(1);
    expect(identities()).toEqual(['Kim Akers']);
  });

  it('opens every blob of events recorded without identity digests', async () => {
    await h.ingest([attempt(), attempt(), attempt()]);
    // As recorded before the envelope had digests.
    h.log.events.forEach((e, i) => {
      const env = decodeEnvelope(e.data);
      if (env.identity === undefined) return;
      const { identity: _dropped, ...older } = env;
      h.log.events[i] = { ...e, data: encodeEnvelope(older) };
    });
    await forwarder().catchUp();
    expect(identities()).toEqual(['Kim Akers']);
    expect(opened).toHaveBeenCalledTimes(3);
  });
});
