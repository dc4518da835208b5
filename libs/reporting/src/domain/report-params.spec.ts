import { ValidationError } from '@authtrail/platform';
import { ParamReader } from './report-params';
import { decodeCursor, encodeCursor } from './cursor';
import { csvHeader, csvHeading, csvRows, filtersOf, toCsv } from './csv';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const DAY = 86_400_000;

function fails(query: Record<string, unknown>, read: (p: ParamReader) => void): string[] {
  const p = new ParamReader(query);
  read(p);
  try {
    p.done();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).errors.map((x) => x.path);
  }
  return [];
}

describe('report windows', () => {
  it('defaults to the last N days ending now', () => {
    const w = new ParamReader({}).window(NOW, 7);
    expect(w).toEqual({ from: new Date(NOW.getTime() - 7 * DAY), to: NOW });
  });

  it('takes days=N, or from/to as ISO instants', () => {
    expect(new ParamReader({ days: '30' }).window(NOW, 7).from).toEqual(
      new Date(NOW.getTime() - 30 * DAY),
    );
    const w = new ParamReader({
      from: '2026-11-01T00:00:00Z',
      to: '2026-11-02T00:00:00+02:00',
    }).window(NOW, 7);
    expect(w).toEqual({
      from: new Date('2026-11-01T00:00:00Z'),
      to: new Date('2026-11-01T22:00:00Z'),
    });
  });

  it('names every bad parameter: malformed, mixed, reversed, unknown', () => {
    expect(
      fails({ days: 'x', from: 'yesterday', colour: 'red' }, (p) => p.window(NOW, 7)).sort(),
    ).toEqual(['colour', 'days', 'from']);
    expect(fails({ days: '3', to: '2026-11-01T00:00:00Z' }, (p) => p.window(NOW, 7))).toEqual([
      'days',
    ]);
    expect(
      fails({ from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' }, (p) => p.window(NOW, 7)),
    ).toEqual(['from']);
    expect(fails({ days: '0' }, (p) => p.window(NOW, 7))).toEqual(['days']);
    expect(fails({ from: '2026-11-01' }, (p) => p.window(NOW, 7))).toEqual(['from']);
    expect(fails({ limit: ['1', '2'] }, (p) => p.int('limit', 1, 10))).toEqual(['limit']);
  });
});

describe('cursors', () => {
  it('round-trip, and anything else is not a cursor', () => {
    expect(decodeCursor(encodeCursor({ at: 123, id: 'e1' }))).toEqual({ at: 123, id: 'e1' });
    expect(decodeCursor('bogus')).toBeNull();
    expect(decodeCursor(Buffer.from('{"at":1}').toString('base64url'))).toBeNull();
  });
});

describe('CSV', () => {
  it('quotes per RFC 4180, joins method sets with +, flattens people, defuses formulas', () => {
    const csv = toCsv(
      [
        {
          user: 'Kim, "K" Akers',
          methods: ['AlternateEmail', 'MobilePhone'],
          by: { user: null, erased: true },
        },
        { user: '=HYPERLINK("x")', methods: [], by: null },
      ],
      ['user', 'methods', 'by.user', 'by.erased'],
    );
    expect(csv).toBe(
      'user,methods,by.user,by.erased\r\n"Kim, ""K"" Akers",AlternateEmail+MobilePhone,,true\r\n"\'=HYPERLINK(""x"")",,,\r\n',
    );
  });
});

describe('CSV export heading', () => {
  it('names the report, the window and the filters; no filter value can break out of its line', () => {
    const filters = filtersOf({
      format: 'csv',
      bom: 'true',
      limit: '100',
      cursor: 'abc',
      days: '7',
      status: 'Failure',
      actorId: 's_1\r\n=cmd',
    });
    expect(filters).toEqual({ status: 'Failure', actorId: 's_1\r\n=cmd' });
    const text = csvHeading({
      report: 'audit-events',
      title: 'The audit log',
      window: { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' },
      filters,
    });
    expect(text.split('\r\n')).toEqual([
      '# authtrail audit-events: The audit log',
      '# window: 2026-11-01T00:00:00.000Z to 2026-12-01T00:00:00.000Z',
      '# filters: actorId=s_1%0D%0A%3Dcmd&status=Failure',
      '',
    ]);
    expect(
      csvHeading({ report: 'sspr/registrations', title: 'x', window: null, filters: {} }),
    ).toBe(
      '# authtrail sspr/registrations: x\r\n# window: none (current state)\r\n# filters: none\r\n',
    );
  });

  it('page rows under fixed columns are the lines toCsv writes', () => {
    const items = [{ a: 1, b: { c: 'x,y' } }, { a: 2 }];
    expect(csvHeader(['a', 'b.c']) + csvRows(items, ['a', 'b.c'])).toBe(toCsv(items, ['a', 'b.c']));
  });
});
