import { erasureSurfaces, surfacesComplete } from './erasure-surfaces';

describe('erasureSurfaces', () => {
  it('a copy is done once its follower’s checkpoint reaches the erasure’s record, pending before', () => {
    expect(erasureSurfaces(100, { readModel: 99, siem: 100 })).toEqual({
      keyVault: 'done',
      readModel: 'pending',
      siem: 'done',
    });
    expect(erasureSurfaces(100, { readModel: 250, siem: 0 })).toEqual({
      keyVault: 'done',
      readModel: 'done',
      siem: 'pending',
    });
  });

  it('an unreadable checkpoint is unknown, a SIEM the deployment does not run is off', () => {
    expect(erasureSurfaces(7, { readModel: null, siem: 'off' })).toEqual({
      keyVault: 'done',
      readModel: 'unknown',
      siem: 'off',
    });
    expect(erasureSurfaces(7, { readModel: 7, siem: null }).siem).toBe('unknown');
  });

  it('is complete only when no copy is pending or unknown', () => {
    expect(surfacesComplete(erasureSurfaces(5, { readModel: 5, siem: 'off' }))).toBe(true);
    expect(surfacesComplete(erasureSurfaces(5, { readModel: 9, siem: 6 }))).toBe(true);
    expect(surfacesComplete(erasureSurfaces(5, { readModel: 4, siem: 'off' }))).toBe(false);
    expect(surfacesComplete(erasureSurfaces(5, { readModel: 5, siem: null }))).toBe(false);
  });
});
