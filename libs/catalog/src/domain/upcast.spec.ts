import { EventCatalog } from './event-catalog';
import { UnsupportedSchemaVersionError } from './catalog.errors';
import { defineEventType } from './event-definition.builder';

const catalog = EventCatalog.default();

// As the protect step stored an sspr.Registered at schema version 1: the clear data part
// and the target's decrypted personal part, byte for byte.
const STORED_V1_DATA =
  '{"actorRole":"GlobalAdministrator","targetRole":"GlobalAdministrator","result":{"status":"Success"},"details":{"methods":"AlternateEmail+MobilePhone"}}';
const STORED_V1_PERSONAL =
  '{"/actor/userPrincipalName":"adele@contoso.com","/actor/displayName":"Adele Vance","/target/userPrincipalName":"adele@contoso.com","/target/displayName":"Adele Vance"}';

describe('versions and upcasting', () => {
  it('gives every type a schema version, with an upcaster for each older one', () => {
    for (const d of catalog.list()) {
      expect(d.schemaVersion).toBeGreaterThanOrEqual(1);
      for (let v = 1; v < d.schemaVersion; v++) expect(typeof d.upcasters[v]).toBe('function');
    }
    expect(catalog.get('sspr.Registered')?.schemaVersion).toBe(2);
  });

  it('upcasts a stored v1 sspr.Registered to the current shape, which validates', () => {
    const personal = JSON.parse(STORED_V1_PERSONAL) as Record<string, unknown>;
    const split = {
      actor: Object.fromEntries(Object.entries(personal).filter(([k]) => k.startsWith('/actor/'))),
      target: Object.fromEntries(
        Object.entries(personal).filter(([k]) => k.startsWith('/target/')),
      ),
    };
    const view = catalog.upcast(
      'sspr.Registered',
      1,
      catalog.merge('sspr.Registered', JSON.parse(STORED_V1_DATA), split),
    );
    expect(view).toEqual({
      actor: {
        userPrincipalName: 'adele@contoso.com',
        displayName: 'Adele Vance',
        role: 'GlobalAdministrator',
      },
      target: {
        userPrincipalName: 'adele@contoso.com',
        displayName: 'Adele Vance',
        role: 'GlobalAdministrator',
      },
      result: { status: 'Success' },
      details: { methods: ['AlternateEmail', 'MobilePhone'] },
    });
    const event = {
      eventId: '9d8f0c2a-1b3e-4f5a-8c7d-6e5f4a3b2c1d',
      type: 'sspr.Registered',
      occurredAt: '2026-01-05T08:00:00Z',
      ...view,
    };
    expect(catalog.validate(event)).toMatchObject({ ok: true });
  });

  it('upcasts the clear data alone for readers without keys', () => {
    expect(catalog.upcastData('sspr.Registered', 1, JSON.parse(STORED_V1_DATA))).toEqual({
      actorRole: 'GlobalAdministrator',
      targetRole: 'GlobalAdministrator',
      result: { status: 'Success' },
      details: { methods: ['AlternateEmail', 'MobilePhone'] },
    });
    const single =
      '{"targetRole":"User","result":{"status":"Failure","reason":"Timed out"},"details":{"methods":"SecurityQuestions"}}';
    expect(catalog.upcastData('sspr.Registered', 1, JSON.parse(single))).toMatchObject({
      details: { methods: ['SecurityQuestions'] },
    });
  });

  it('leaves current views alone', () => {
    const data = { result: { status: 'Success' }, details: { methods: ['OfficePhone'] } };
    expect(catalog.upcastData('sspr.Registered', 2, data)).toBe(data);
    expect(catalog.upcast('sspr.Registered', 2, data)).toBe(data);
  });

  it('refuses versions it cannot come from', () => {
    for (const v of [0, 3, 1.5]) {
      expect(() => catalog.upcast('sspr.Registered', v, {})).toThrow(UnsupportedSchemaVersionError);
    }
    expect(() => catalog.upcast('sspr.Nope', 1, {})).toThrow(/unknown event type/);
  });

  it('chains upcasters v1 → v2 → v3 in order', () => {
    const chained = defineEventType({
      type: 'test.Chained',
      category: 'sspr',
      seedName: 'test',
      description: 'test',
      schemaVersion: 3,
      upcasters: {
        1: (v) => ({ ...v, trail: [...((v.trail as string[]) ?? []), 'v2'] }),
        2: (v) => ({ ...v, trail: [...(v.trail as string[]), 'v3'] }),
      },
      occurredAtSeed: null,
      actor: { presence: 'none' },
      target: { presence: 'none' },
      result: { statuses: ['Success'], statusSeed: null, statusDescription: 'x', reasons: null },
    });
    const c = new EventCatalog([chained]);
    expect(c.upcast('test.Chained', 1, {})).toEqual({ trail: ['v2', 'v3'] });
    expect(c.upcast('test.Chained', 2, { trail: [] })).toEqual({ trail: ['v3'] });
    expect(() =>
      defineEventType({
        ...{
          type: 'test.Gap',
          category: 'sspr',
          seedName: 't',
          description: 't',
          schemaVersion: 2,
          occurredAtSeed: null,
        },
        actor: { presence: 'none' },
        target: { presence: 'none' },
        result: { statuses: ['Success'], statusSeed: null, statusDescription: 'x', reasons: null },
      }),
    ).toThrow(/no upcaster from v1/);
  });
});
