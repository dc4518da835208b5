import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows a burst, then refuses with the wait, then refills over time', () => {
    const r = new RateLimiter(2, 3);
    expect([r.take('k', 0), r.take('k', 0), r.take('k', 0)]).toEqual([0, 0, 0]);
    expect(r.take('k', 0)).toBe(1);
    expect(r.take('k', 500)).toBe(0);
    expect(r.take('k', 500)).toBeGreaterThan(0);
  });
  it('keeps keys apart', () => {
    const r = new RateLimiter(1, 1);
    expect(r.take('a', 0)).toBe(0);
    expect(r.take('b', 0)).toBe(0);
    expect(r.take('a', 0)).toBe(1);
  });
  it('evicts the longest-unseen key when full, not everyone', () => {
    const r = new RateLimiter(1, 1, 2);
    expect(r.take('a', 0)).toBe(0);
    expect(r.take('b', 0)).toBe(0);
    expect(r.take('a', 0)).toBe(1); // a is now the most recent
    expect(r.take('c', 0)).toBe(0); // evicts b
    expect(r.take('a', 0)).toBe(1); // a kept its empty bucket
  });
});
