import { EventCatalog, type StoredSystemEvent } from './event-catalog';
import { MAX, text } from './field.builders';
import { PRIVACY_EVENTS } from './privacy.event-types';
import { defineSystemEvent } from './system-event.builder';
import { actorKeyId, count, subjectId } from './system-event.fields';
import { SYSTEM_EVENT_TYPES } from './system-events';

const catalog = EventCatalog.default();

const erased = (overrides: Partial<StoredSystemEvent> = {}): StoredSystemEvent => ({
  eventId: '5c2d8f1e-3a4b-4c5d-8e9f-0a1b2c3d4e5f',
  type: PRIVACY_EVENTS.erased.type,
  schemaVersion: 1,
  occurredAt: '2026-11-20T09:14:03.120Z',
  causationId: '0b7c1d2e-3f40-4152-8637-48596a7b8c9d',
  subjects: { subject: 's_8f2c91d4' },
  data: {
    subjectId: 's_8f2c91d4',
    events: 12,
    erasedAt: '2026-11-20T09:14:03.120Z',
    actorKeyId: 'ak_3f9c',
  },
  ...overrides,
});

describe('system event types', () => {
  it('are all in the default catalog, not postable, with nothing personal and an audit action', () => {
    for (const d of SYSTEM_EVENT_TYPES) {
      expect(catalog.get(d.type)).toBe(d);
      expect(d.producerPostable).toBe(false);
      expect(d.fields.some((f) => f.personal || f.secret)).toBe(false);
      expect(d.audit.entity).not.toBe('');
    }
  });

  it('publish the event as readers see it: envelope ids and time beside the data fields', () => {
    const schema = catalog.jsonSchemas()[PRIVACY_EVENTS.erased.type] as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(Object.keys(schema.properties)).toEqual([
      'eventId',
      'type',
      'occurredAt',
      'correlationId',
      'causationId',
      'subjectId',
      'events',
      'erasedAt',
      'actorKeyId',
    ]);
    expect([...schema.required].sort()).toEqual(
      ['eventId', 'type', 'occurredAt', 'subjectId', 'events', 'erasedAt', 'actorKeyId'].sort(),
    );
  });
});

describe('EventCatalog.checkSystemEvent', () => {
  it('accepts a stored envelope that matches its type', () => {
    expect(catalog.checkSystemEvent(erased())).toEqual([]);
  });

  it('names a missing field, an unknown one, a wrong type and a bad version', () => {
    const { events: _dropped, ...withoutEvents } = erased().data;
    expect(
      catalog.checkSystemEvent(
        erased({ schemaVersion: 2, data: { ...withoutEvents, eventCount: 12, erasedAt: 7 } }),
      ),
    ).toEqual(
      expect.arrayContaining([
        { path: '/schemaVersion', message: 'must be 1, the current version' },
        expect.objectContaining({ path: '/events' }),
        expect.objectContaining({ path: '/eventCount' }),
        expect.objectContaining({ path: '/erasedAt' }),
      ]),
    );
  });

  it('wants subjects to name exactly the subject field, and data to leave envelope members alone', () => {
    expect(catalog.checkSystemEvent(erased({ subjects: {} }))).toEqual([
      expect.objectContaining({ path: '/subjects' }),
    ]);
    expect(
      catalog.checkSystemEvent(erased({ subjects: { subject: 's_8f2c91d4', actor: 'ak_3f9c' } })),
    ).toEqual([expect.objectContaining({ path: '/subjects' })]);
    expect(
      catalog
        .checkSystemEvent(erased({ data: { ...erased().data, eventId: 'x' } }))
        .map((i) => i.path),
    ).toContain('/eventId');
  });

  it('refuses producer types and unknown types', () => {
    expect(catalog.checkSystemEvent(erased({ type: 'sspr.PasswordChanged' }))).toEqual([
      { path: '/type', message: 'sspr.PasswordChanged is not recorded by authtrail' },
    ]);
    expect(catalog.checkSystemEvent(erased({ type: 'privacy.Nope' }))).toEqual([
      { path: '/type', message: 'unknown event type "privacy.Nope"' },
    ]);
  });
});

describe('defineSystemEvent', () => {
  it('refuses personal fields and data fields named like envelope members', () => {
    expect(() =>
      defineSystemEvent({
        type: 'privacy.Leaky',
        category: 'privacy',
        description: 'x',
        data: {
          name: text({ seed: null, description: 'x', maxLength: MAX.name, personal: true }),
        },
        audit: { entity: 'Data Subject', action: 'read' },
      }),
    ).toThrow(/personal/);
    expect(() =>
      defineSystemEvent({
        type: 'privacy.Clash',
        category: 'privacy',
        description: 'x',
        data: { occurredAt: text({ seed: null, description: 'x', maxLength: 40 }) },
        audit: { entity: 'Data Subject', action: 'read' },
      }),
    ).toThrow(/envelope member/);
  });

  it('versions the stored data: a v2 type upcasts stored v1 JSON through its upcaster', () => {
    const v2 = defineSystemEvent({
      type: 'privacy.SubjectCounted',
      category: 'privacy',
      description: 'A test type: v1 stored `n`, v2 names it `events` and adds who asked.',
      schemaVersion: 2,
      upcasters: { 1: ({ n, ...rest }) => ({ ...rest, events: n, actorKeyId: 'unknown' }) },
      versionNotes: { 1: '`n` became `events`; `actorKeyId` added (`unknown` before).' },
      data: { subjectId: subjectId(), events: count('Events.'), actorKeyId: actorKeyId() },
      subject: 'subjectId',
      audit: { entity: 'Data Subject', action: 'other', actionName: 'Counted' },
    });
    const local = new EventCatalog([v2]);
    const storedV1 = JSON.parse('{"subjectId":"s_1","n":3}') as Record<string, unknown>;
    const current = local.upcastData(v2.type, 1, storedV1);
    expect(current).toEqual({ subjectId: 's_1', events: 3, actorKeyId: 'unknown' });
    expect(
      local.checkSystemEvent({
        ...erased(),
        type: v2.type,
        schemaVersion: 2,
        subjects: { subject: 's_1' },
        data: current,
      }),
    ).toEqual([]);
    expect(() =>
      defineSystemEvent({ ...v2, data: {}, upcasters: {}, schemaVersion: 2 } as never),
    ).toThrow(/no upcaster/);
  });
});
