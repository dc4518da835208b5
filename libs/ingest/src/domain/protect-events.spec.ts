import { EventCatalog, ProducerEvent, catalogExamples } from '@authtrail/catalog';
import { decodeEnvelope, identityDigestOf } from '@authtrail/event-store';
import {
  DataKey,
  ResolvedSubjectKey,
  derivePersonFingerprintKey,
  digestOf,
  fingerprintOf,
  newKeyBytes,
  openJson,
  sealJson,
  secretKey,
} from '@authtrail/key-vault';
import { CheckedEvent, EventProtection, namesOf, protectEvents } from './protect-events';

const catalog = EventCatalog.default();
const tenantFingerprintKey = secretKey(newKeyBytes());
// The real sealing and HMACs of the key-vault domain, with keys made here.
const protection: EventProtection = {
  tenantFingerprint: (bytes) => fingerprintOf(tenantFingerprintKey, bytes),
  personFingerprint: (key, bytes) => fingerprintOf(derivePersonFingerprintKey(key.key), bytes),
  seal: (key, payload, aad) => sealJson(key.key, payload, aad),
  personDigest: (key, bytes) => digestOf(derivePersonFingerprintKey(key.key), bytes),
};
const recordedAt = new Date('2026-12-02T19:00:00.000Z');

function person(subjectId: string): ResolvedSubjectKey {
  return { subjectId, created: false, key: { key: secretKey(newKeyBytes()) } };
}
const KIM = person('s_kim');
const HELPDESK = person('s_helpdesk');
const subjects = new Map([
  ['kim@contoso.com', KIM],
  ['helpdesk@contoso.com', HELPDESK],
]);

function checked(event: ProducerEvent): CheckedEvent {
  const definition = catalog.get(event.type);
  if (!definition) throw new Error(`no definition for ${event.type}`);
  return { event, definition };
}

function protect(events: ProducerEvent[], keys = subjects) {
  return protectEvents(
    catalog,
    {
      tenantId: 'acme',
      producerKeyId: 'k_1',
      recordedAt,
      events: events.map(checked),
      subjects: keys,
    },
    protection,
  );
}

function open(key: DataKey, blob: string | undefined, eventId: string, subjectId: string) {
  if (blob === undefined) throw new Error(`nothing sealed for ${subjectId}`);
  return openJson(key.key, blob, { eventId, subjectId });
}

describe('protectEvents', () => {
  it('seals each person’s fields under their own key and keeps them out of the clear envelope', () => {
    // Given an admin resetting Kim's password
    const event = catalogExamples.exampleEvent('sspr.PasswordResetByAdmin');
    // When it is protected
    const [stream] = protect([event]);
    // Then it goes to Kim's (the target's) stream, and only the sealed blobs name anyone
    expect(stream.streamId).toBe('t-acme-sspr-s_kim');
    expect(stream.expectedRevision).toBe('any');
    const [stored] = stream.events;
    expect(stored.eventId).toBe(event.eventId);
    expect([...stored.subjectIds].sort()).toEqual(['s_helpdesk', 's_kim']);
    const envelope = decodeEnvelope(stored.data);
    expect(envelope).toMatchObject({
      eventId: event.eventId,
      tenantId: 'acme',
      type: 'sspr.PasswordResetByAdmin',
      recordedAt: '2026-12-02T19:00:00.000Z',
      occurredAt: new Date(event.occurredAt).toISOString(),
      causationId: 'key:k_1',
      subjects: { actor: 's_helpdesk', target: 's_kim' },
    });
    const clear = JSON.stringify({ ...envelope, sealed: undefined });
    expect(clear).not.toContain('contoso.com');
    expect(clear).not.toContain('Kim Akers');
    expect(open(KIM.key, envelope.sealed.s_kim, event.eventId, 's_kim')).toMatchObject({
      '/target/userPrincipalName': 'kim@contoso.com',
      '/target/displayName': 'Kim Akers',
    });
    const admin = open(HELPDESK.key, envelope.sealed.s_helpdesk, event.eventId, 's_helpdesk');
    expect(admin['/actor/userPrincipalName']).toBe('helpdesk@contoso.com');
    expect(JSON.stringify(admin)).not.toContain('kim@');
    // A person's blob opens only with their key
    expect(() => open(HELPDESK.key, envelope.sealed.s_kim, event.eventId, 's_kim')).toThrow();
  });

  it('seals one blob for a person who is both actor and target', () => {
    const event = catalogExamples.exampleEvent('sspr.PasswordResetSelfService');
    const [stream] = protect([event]);
    const envelope = decodeEnvelope(stream.events[0].data);
    expect(Object.keys(envelope.sealed)).toEqual(['s_kim']);
    expect(envelope.subjects).toEqual({ actor: 's_kim', target: 's_kim' });
    const fields = open(KIM.key, envelope.sealed.s_kim, event.eventId, 's_kim');
    expect(fields['/actor/userPrincipalName']).toBe('kim@contoso.com');
    expect(fields['/target/userPrincipalName']).toBe('kim@contoso.com');
  });

  it('digests each person’s identity fields under their own key, and only those', () => {
    const event = catalogExamples.exampleEvent('sspr.PasswordResetByAdmin');
    // Subject id → digest, from the envelope's digests in the order of its blobs.
    const digests = (e: ProducerEvent, keys = subjects) => {
      const env = decodeEnvelope(protect([e], keys)[0].events[0].data);
      return Object.fromEntries(
        Object.keys(env.sealed).map((sid) => [sid, identityDigestOf(env, sid)]),
      );
    };
    const first = digests(event);
    expect(Object.keys(first).sort()).toEqual(['s_helpdesk', 's_kim']);
    expect(first.s_kim).toMatch(/^[A-Za-z0-9_-]{11}$/);
    expect(first.s_kim).not.toBe(first.s_helpdesk);
    // The same identity under the same key digests the same in another event (another id,
    // another blob).
    const again = digests({
      ...structuredClone(event),
      eventId: catalogExamples.exampleEvent('sspr.PasswordResetByAdmin').eventId,
    });
    expect(again).toEqual(first);
    // A different display name changes Kim's digest, and only hers.
    const renamed = digests({ ...event, target: { ...event.target!, displayName: 'Kim A.' } });
    expect(renamed.s_kim).not.toBe(first.s_kim);
    expect(renamed.s_helpdesk).toBe(first.s_helpdesk);
    // Personal fields that are no identity (phone number, IP address) leave it as it is.
    const mfa = catalogExamples.exampleEvent('mfa.AuthenticationAttempted');
    const elsewhere = {
      ...mfa,
      details: {
        ...mfa.details,
        initiatingIpAddress: '198.51.100.99',
        primaryCallPhoneNumber: '4255550199',
      },
    } as ProducerEvent;
    expect(digests(elsewhere)).toEqual(digests(mfa));
    expect(Object.keys(digests(mfa))).toEqual(['s_kim']);
    // Under another key (the person erased and seen anew) the same identity digests otherwise.
    const fresh = new Map([...subjects, ['kim@contoso.com', person('s_kim')]]);
    expect(digests(event, fresh).s_kim).not.toBe(first.s_kim);
  });

  it('gives a person without identity fields an empty digest, and envelopes without digests none', () => {
    const event = catalogExamples.exampleEvent('mfa.AuthenticationAttempted');
    const env = decodeEnvelope(protect([event])[0].events[0].data);
    expect(env.identity).toHaveLength(1);
    // A blob with no identity field (here: digests of an envelope stripped of them).
    expect(identityDigestOf({ ...env, identity: [''] }, 's_kim')).toBe('');
    expect(identityDigestOf(env, 's_nobody')).toBe('');
    const { identity: _older, ...older } = env;
    expect(identityDigestOf(older, 's_kim')).toBeUndefined();
  });

  it('uses the actor’s stream when an event has no target', () => {
    const event = catalogExamples.exampleEvent('sspr.PolicyChanged', {
      actor: { userPrincipalName: 'helpdesk@contoso.com', displayName: 'Help Desk' },
    });
    const [stream] = protect([event]);
    expect(stream.streamId).toBe('t-acme-sspr-s_helpdesk');
    expect(decodeEnvelope(stream.events[0].data).subjects).toEqual({ actor: 's_helpdesk' });
  });

  it('fingerprints equal content equally and any changed field, personal or not, differently', () => {
    const event = catalogExamples.exampleEvent('sspr.PasswordResetByAdmin');
    const fingerprint = (e: ProducerEvent) => protect([e])[0].events[0].fingerprint;
    const first = fingerprint(event);
    expect(fingerprint(structuredClone(event))).toBe(first);
    expect(first).toMatch(/^[0-9a-f]{64}\.actor:[0-9a-f]{64}\.target:[0-9a-f]{64}$/);
    // A personal field changes only that person's part
    const renamed = fingerprint({
      ...event,
      target: { ...event.target!, displayName: 'Kim A.' },
    });
    expect(renamed).not.toBe(first);
    expect(renamed.split('.target:')[0]).toBe(first.split('.target:')[0]);
    // Non-personal content changes the tenant's part
    const failed = fingerprint({ ...event, correlationId: 'c-other' });
    expect(failed.split('.')[0]).not.toBe(first.split('.')[0]);
  });

  it('fingerprints a re-post under a new subject (after erasure) differently', () => {
    const event = catalogExamples.exampleEvent('mfa.AuthenticationAttempted');
    const before = protect([event])[0].events[0].fingerprint;
    const after = protect([event], new Map([['kim@contoso.com', person('s_kim2')]]))[0].events[0]
      .fingerprint;
    expect(after.split('.')[0]).toBe(before.split('.')[0]);
    expect(after).not.toBe(before);
  });

  it('protects every event of a batch in order, one append each', () => {
    const events = [
      catalogExamples.exampleEvent('mfa.UserBlocked'),
      catalogExamples.exampleEvent('sspr.PasswordResetByAdmin'),
    ];
    const streams = protect(events);
    expect(streams.map((s) => s.events[0].eventId)).toEqual(events.map((e) => e.eventId));
    expect(streams.map((s) => s.streamId)).toEqual(['t-acme-mfa-s_kim', 't-acme-sspr-s_kim']);
  });

  it('refuses an event whose person was not resolved', () => {
    const event = catalogExamples.exampleEvent('sspr.PasswordResetByAdmin');
    expect(() => protect([event], new Map([['kim@contoso.com', KIM]]))).toThrow(
      'the actor of an event was not resolved',
    );
  });
});

describe('namesOf', () => {
  it('names every actor and target once, normalised', () => {
    const events = [
      catalogExamples.exampleEvent('sspr.PasswordResetByAdmin', {
        target: { userPrincipalName: ' Kim@Contoso.com ' },
      }),
      catalogExamples.exampleEvent('mfa.UserBlocked'),
    ].map(checked);
    expect(namesOf(events).sort()).toEqual(['helpdesk@contoso.com', 'kim@contoso.com']);
  });
});
