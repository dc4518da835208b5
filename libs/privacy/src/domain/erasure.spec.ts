import { PRIVACY_EVENT, decideErasure, isPersonEventType, pendingErasures } from './erasure';

describe('erasure decisions', () => {
  it('given no lifecycle, when erasing, then erase', () => {
    expect(decideErasure([])).toEqual({ kind: 'erase' });
  });
  it('given a request without completion (crash), when erasing, then erase again', () => {
    expect(decideErasure([{ type: PRIVACY_EVENT.erasureRequested, data: {} }])).toEqual({
      kind: 'erase',
    });
  });
  it('given an erased subject, then already erased with the recorded count', () => {
    expect(
      decideErasure([
        { type: PRIVACY_EVENT.erased, data: { erasedAt: '2026-11-22T00:00:00.000Z', events: 7 } },
      ]),
    ).toEqual({
      kind: 'already-erased',
      erasedAt: '2026-11-22T00:00:00.000Z',
      events: 7,
    });
  });
  it('finds requests that never completed, once per subject', () => {
    const pending = pendingErasures(
      [
        { subjectId: 's_a', requestId: '1' },
        { subjectId: 's_b', requestId: '2' },
        { subjectId: 's_a', requestId: '3' },
      ],
      (s) => s === 's_b',
    );
    expect(pending).toEqual([{ subjectId: 's_a', requestId: '1' }]);
  });
  it('counts only facts about people', () => {
    expect(isPersonEventType('sspr.Registered')).toBe(true);
    expect(isPersonEventType(PRIVACY_EVENT.erased)).toBe(false);
  });
});
