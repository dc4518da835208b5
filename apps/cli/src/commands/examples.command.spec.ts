import { EventCatalog } from '@authtrail/catalog';
import { CliError } from '../api-client';
import { freshExamples } from './examples.command';

describe('authtrail examples', () => {
  const catalog = EventCatalog.default();
  const now = new Date('2027-06-01T08:00:00Z');

  it('gives one event per producer type, each accepted by the catalog, with new ids and a current occurredAt', () => {
    const all = freshExamples([], now);
    expect(all.map((e) => e.type)).toEqual(catalog.producerTypes().map((d) => d.type));
    for (const e of all) {
      const outcome = catalog.validate(e);
      expect(outcome.ok ? [] : outcome.issues).toEqual([]);
      expect(e.occurredAt).toBe('2027-06-01T07:59:00.000Z');
    }
    const again = freshExamples([], now);
    expect(new Set([...all, ...again].map((e) => e.eventId)).size).toBe(all.length * 2);
  });

  it('gives the types asked for, and names the valid ones for an unknown type', () => {
    expect(freshExamples(['mfa.UserBlocked'], now).map((e) => e.type)).toEqual(['mfa.UserBlocked']);
    expect(() => freshExamples(['sspr.Nope'], now)).toThrow(CliError);
    expect(() => freshExamples(['sspr.Nope'], now)).toThrow(
      /the types are: .*sspr\.PasswordChanged/,
    );
  });
});
