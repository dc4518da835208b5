import {
  PrivacyRecord,
  decideRelease,
  deferredErasures,
  erasuresToRun,
  heldScopeOf,
  holdsCovering,
  holdsOf,
} from './legal-hold';
import { PRIVACY_EVENT } from './erasure';

let n = 0;
const rec = (type: string, data: Record<string, unknown>): PrivacyRecord => ({
  eventId: `e-${++n}`,
  type,
  occurredAt: `2026-11-20T10:00:0${n % 10}.000Z`,
  data,
});
const placed = (holdId: string, subjectId: string | null) =>
  rec(PRIVACY_EVENT.legalHoldPlaced, {
    holdId,
    scope: subjectId === null ? 'tenant' : 'person',
    subjectId,
    caseReference: 'LIT-1',
    actorKeyId: 'k-privacy',
  });
const released = (holdId: string) =>
  rec(PRIVACY_EVENT.legalHoldReleased, { holdId, actorKeyId: 'k-privacy' });
const deferred = (subjectId: string, holdId: string) =>
  rec(PRIVACY_EVENT.erasureDeferred, { subjectId, holdId, actorKeyId: 'k-privacy' });
const requested = (subjectId: string) =>
  rec(PRIVACY_EVENT.erasureRequested, { subjectId, actorKeyId: 'k-privacy' });

describe('legal hold decisions', () => {
  it('given a person hold and a tenant hold, both cover the person; only the tenant hold covers others', () => {
    const holds = holdsOf([placed('h1', 's_kim'), placed('h2', null)]);
    expect(holdsCovering(holds, 's_kim').map((h) => h.holdId)).toEqual(['h1', 'h2']);
    expect(holdsCovering(holds, 's_lee').map((h) => h.holdId)).toEqual(['h2']);
  });

  it('given a released hold, it covers nobody and keeps its release', () => {
    const holds = holdsOf([placed('h1', 's_kim'), released('h1')]);
    expect(holdsCovering(holds, 's_kim')).toEqual([]);
    expect(holds[0]).toMatchObject({ releasedBy: 'k-privacy', releasedAt: expect.any(String) });
  });

  it('when releasing, tells unknown and already released holds apart', () => {
    const holds = holdsOf([placed('h1', 's_kim'), released('h1'), placed('h2', 's_kim')]);
    expect(decideRelease(holds, 'nope')).toEqual({ kind: 'unknown' });
    expect(decideRelease(holds, 'h1').kind).toBe('already-released');
    expect(decideRelease(holds, 'h2').kind).toBe('release');
  });

  it('a deferred erasure runs only when the last covering hold is gone, once per person', () => {
    const base = [placed('h1', 's_kim'), placed('h2', null), deferred('s_kim', 'h1')];
    const again = [...base, deferred('s_kim', 'h1')];
    expect(deferredErasures(again)).toHaveLength(1);
    expect(erasuresToRun(deferredErasures(again), holdsOf(again))).toEqual([]);
    const oneReleased = [...again, released('h1')];
    expect(erasuresToRun(deferredErasures(oneReleased), holdsOf(oneReleased))).toEqual([]);
    const bothReleased = [...oneReleased, released('h2')];
    expect(
      erasuresToRun(deferredErasures(bothReleased), holdsOf(bothReleased)).map((d) => d.subjectId),
    ).toEqual(['s_kim']);
    // The erasure request that ran it closes the deferral.
    expect(deferredErasures([...bothReleased, requested('s_kim')])).toEqual([]);
  });

  it('retention leaves held tenants and held people alone', () => {
    expect(heldScopeOf('acme', holdsOf([placed('h1', 's_kim'), placed('h3', 's_kim')]))).toEqual({
      tenants: [],
      subjects: [{ tenantId: 'acme', subjectId: 's_kim' }],
    });
    expect(heldScopeOf('acme', holdsOf([placed('h2', null)]))).toEqual({
      tenants: ['acme'],
      subjects: [],
    });
    expect(heldScopeOf('acme', holdsOf([placed('h1', 's_kim'), released('h1')]))).toEqual({
      tenants: [],
      subjects: [],
    });
  });
});
