import { IdentityDigests } from './identity-digests';

const fps = (displayName: string) => ({ userPrincipalName: 'a'.repeat(64), displayName });
const state = (entries: [string, ReturnType<typeof fps> | null][]) => new Map(entries);

describe('IdentityDigests', () => {
  it('confirms a digest only against the fingerprints it was remembered with', () => {
    const d = new IdentityDigests(10);
    const published = fps('b'.repeat(64));
    d.remember('t1', 's1', 'D1', published);
    expect(d.confirms('t1', 's1', 'D1', state([['s1', { ...published }]]))).toBe(true);
    expect(d.confirms('t1', 's1', 'D2', state([['s1', published]]))).toBe(false);
    // Something else published meanwhile, nothing published, a tombstone, another tenant.
    expect(d.confirms('t1', 's1', 'D1', state([['s1', fps('c'.repeat(64))]]))).toBe(false);
    expect(d.confirms('t1', 's1', 'D1', state([]))).toBe(false);
    expect(d.confirms('t1', 's1', 'D1', state([['s1', null]]))).toBe(false);
    expect(d.confirms('t2', 's1', 'D1', state([['s1', published]]))).toBe(false);
  });

  it('forgets a person, a tenant, and the least recently checked beyond its bound', () => {
    const d = new IdentityDigests(2);
    const p = fps('b'.repeat(64));
    const all = state([
      ['s1', p],
      ['s2', p],
      ['s3', p],
    ]);
    d.remember('t1', 's1', 'D', p);
    d.remember('t1', 's2', 'D', p);
    d.remember('t1', 's1', 'D', p); // s1 checked again: s2 is now the oldest
    d.remember('t1', 's3', 'D', p);
    expect(['s1', 's2', 's3'].map((s) => d.confirms('t1', s, 'D', all))).toEqual([
      true,
      false,
      true,
    ]);
    d.forget('t1', 's1');
    expect(d.confirms('t1', 's1', 'D', all)).toBe(false);
    d.remember('t2', 's1', 'D', p);
    d.forgetTenant('t1');
    expect(d.confirms('t1', 's3', 'D', all)).toBe(false);
    expect(d.confirms('t2', 's1', 'D', all)).toBe(true);
  });
});
