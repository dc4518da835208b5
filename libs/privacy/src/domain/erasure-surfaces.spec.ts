import { erasureSurfaces, surfacesComplete } from './erasure-surfaces';

describe('erasureSurfaces', () => {
  it('a copy is done once its follower’s checkpoint reaches the erasure’s record, pending before', () => {
    expect(erasureSurfaces(100, { readModel: 99, siem: 100 }, false)).toEqual({
      keyVault: 'done',
      readModel: 'pending',
      siem: 'done',
    });
    expect(erasureSurfaces(100, { readModel: 250, siem: 0 }, false)).toEqual({
      keyVault: 'done',
      readModel: 'done',
      siem: 'pending',
    });
  });

  it('the report tables are pending while they still hold the person’s ciphertext rows', () => {
    expect(erasureSurfaces(100, { readModel: 250, siem: 'off' }, true).readModel).toBe('pending');
    expect(erasureSurfaces(100, { readModel: 250, siem: 'off' }, null).readModel).toBe('unknown');
    // Before the projector's pass the rows are there anyway: pending, whatever is known.
    expect(erasureSurfaces(100, { readModel: 50, siem: 'off' }, null).readModel).toBe('pending');
  });

  it('an unreadable checkpoint is unknown, a SIEM the deployment does not run is off', () => {
    expect(erasureSurfaces(7, { readModel: null, siem: 'off' }, false)).toEqual({
      keyVault: 'done',
      readModel: 'unknown',
      siem: 'off',
    });
    expect(erasureSurfaces(7, { readModel: 7, siem: null }, false).siem).toBe('unknown');
  });

  it('is complete only when no copy is pending or unknown', () => {
    const complete = (...a: Parameters<typeof erasureSurfaces>) =>
      surfacesComplete(erasureSurfaces(...a));
    expect(complete(5, { readModel: 5, siem: 'off' }, false)).toBe(true);
    expect(complete(5, { readModel: 9, siem: 6 }, false)).toBe(true);
    expect(complete(5, { readModel: 4, siem: 'off' }, false)).toBe(false);
    expect(complete(5, { readModel: 5, siem: null }, false)).toBe(false);
    expect(complete(5, { readModel: 5, siem: 'off' }, true)).toBe(false);
  });
});
