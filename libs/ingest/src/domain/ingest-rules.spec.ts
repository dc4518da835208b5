import { exampleEvents } from '@authtrail/catalog';
import { canonicalJson, checkOccurredAt, parseNdjson } from './ingest-rules';

const now = new Date('2026-11-22T12:00:00Z');
const bounds = { now, maxFutureSkewMs: 5 * 60_000, retentionDays: 90 };

describe('checkOccurredAt', () => {
  it('accepts now, small skew and anything inside retention', () => {
    expect(checkOccurredAt(0, '2026-11-22T12:04:59Z', bounds)).toBeNull();
    expect(checkOccurredAt(0, '2026-08-25T12:00:00Z', bounds)).toBeNull();
  });
  it('refuses more than five minutes ahead', () => {
    expect(checkOccurredAt(3, '2026-11-22T12:05:01Z', bounds)).toMatchObject({
      index: 3,
      path: '/occurredAt',
    });
  });
  it('refuses what is already past retention', () => {
    expect(checkOccurredAt(1, '2026-08-23T11:59:59Z', bounds)?.message).toContain(
      'retention of 90 days',
    );
  });
});

describe('parseNdjson', () => {
  it('reads one event per line, skipping blank lines', () => {
    expect(parseNdjson('{"a":1}\n\n{"b":2}\n')).toEqual({ ok: true, events: [{ a: 1 }, { b: 2 }] });
  });
  it('names every bad line by event index', () => {
    const r = parseNdjson('{"a":1}\nnot json\n{"__proto__":{"x":1}}\n');
    expect(r).toEqual({
      ok: false,
      errors: [
        { index: 1, path: '', message: 'line is not valid JSON' },
        expect.objectContaining({ index: 2, path: '' }),
      ],
    });
  });
});

describe('canonicalJson', () => {
  it('is independent of key order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe(
      canonicalJson({ a: [{ c: 3, d: 2 }], b: 1 }),
    );
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: 2 }));
  });

  it('writes exactly what the first version wrote: stored fingerprints depend on it', () => {
    // The first implementation, kept as the reference: a different byte would turn the
    // re-post of an event stored before into an id conflict.
    const reference = (value: unknown): string => {
      if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
      if (value !== null && typeof value === 'object') {
        const obj = value as Record<string, unknown>;
        return `{${Object.keys(obj)
          .filter((k) => obj[k] !== undefined)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${reference(obj[k])}`)
          .join(',')}}`;
      }
      return JSON.stringify(value);
    };
    const samples: unknown[] = [
      ...exampleEvents(),
      {},
      [],
      [undefined, null, 1, 'x'],
      { z: undefined, a: { '': [{}], 'ü"\\n': -0.5e-7 }, b: [true, false, null] },
      { only: undefined },
      'text with "quotes" and \u2028',
      2 ** 60,
      null,
      // Quoted without JSON.stringify only when plain printable ASCII: each kind of escape.
      { 'tab\tkey': 'a\u0001b', é: 'lone \ud800 surrogate', '😀': 'a\\b', '~': '\u007f' },
      // More keys than the insertion sort takes, in reverse, and upper before lower case.
      Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${39 - i}`, i])),
      { b: 1, B: 2, a: 3, _: 4, '10': 5, '9': 6, aa: 7, 'a ': 8 },
    ];
    for (const sample of samples) expect(canonicalJson(sample)).toBe(reference(sample));
  });
});
