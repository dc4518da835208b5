import { ConcurrencyError, assertExpectedRevision } from './event-store.errors';
import { revisionMatches } from './expected-revision';

describe('expected revision', () => {
  it.each([
    ['any', null, true],
    ['any', 4, true],
    ['no_stream', null, true],
    ['no_stream', 0, false],
    ['stream_exists', null, false],
    ['stream_exists', 0, true],
    [3, 3, true],
    [3, 4, false],
    [0, null, false],
  ] as const)('expected %p at %p: %p', (expected, current, ok) => {
    expect(revisionMatches(expected, current)).toBe(ok);
  });

  it('refuses with the stream, what was expected and where it is', () => {
    expect(() => assertExpectedRevision('s', 2, 5)).toThrow(ConcurrencyError);
    try {
      assertExpectedRevision('s', 'no_stream', 5);
    } catch (e) {
      expect(e).toMatchObject({ streamId: 's', expected: 'no_stream', actual: 5 });
    }
    expect(() => assertExpectedRevision('s', 'any', null)).not.toThrow();
  });
});
