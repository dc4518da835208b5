import { EventCatalog, PRIVACY_EVENT } from '@authtrail/catalog';
import { type RecordedEvent, encodeEnvelope } from '@authtrail/event-store';
import { Projection } from './projection';

const at = new Date('2026-12-07T10:00:00.000Z');
let position = 0;

/** A stored MFA attempt (or another type) of `subjects`, each with its own blob. */
function recorded(
  subjects: Record<string, string>,
  type = 'mfa.AuthenticationAttempted',
  data: Record<string, unknown> = { result: { status: 'Success' }, details: {} },
): RecordedEvent {
  position += 1;
  const eventId = `e-${position}`;
  const sealed = Object.fromEntries(
    Object.values(subjects).map((s) => [s, `blob-of-${s}-at-${position}`]),
  );
  return {
    position,
    tenantId: 'acme',
    streamId: `t-acme-x-${eventId}`,
    revision: 0,
    eventId,
    type,
    occurredAt: at,
    recordedAt: at,
    data: encodeEnvelope({
      eventId,
      tenantId: 'acme',
      type,
      schemaVersion: 1,
      occurredAt: at.toISOString(),
      recordedAt: at.toISOString(),
      subjects,
      data,
      sealed,
    }),
    hash: '',
  };
}

describe('Projection: sealed blobs', () => {
  const projection = new Projection(EventCatalog.default());
  beforeEach(() => (position = 0));

  it('writes one blob per person and service of a run, the newest, however many events name them', () => {
    const events = [
      recorded({ actor: 's1', target: 's1' }),
      recorded({ actor: 's2', target: 's1' }),
      recorded({ actor: 's1', target: 's1' }),
      recorded({ actor: 's3', target: 's3' }, 'sspr.PasswordChanged'),
    ];
    const [step] = projection.steps(events);
    if (step.kind !== 'rows') throw new Error(step.kind);
    expect(step.rows.audit).toHaveLength(4);
    expect(step.rows.attempts).toHaveLength(3);
    expect(
      step.rows.sealed.map((r) => [r.subjectId, r.service, r.position, r.sealed]).sort(),
    ).toEqual([
      ['s1', 'mfa', 3, 'blob-of-s1-at-3'],
      ['s2', 'mfa', 2, 'blob-of-s2-at-2'],
      ['s3', 'sspr', 4, 'blob-of-s3-at-4'],
    ]);
  });

  it('keeps a blob per run: the rows before an erasure are written before it, with their own', () => {
    const steps = projection.steps([
      recorded({ actor: 's1', target: 's1' }),
      recorded({ subject: 's9' }, PRIVACY_EVENT.erased, {
        subjectId: 's9',
        events: 0,
        erasedAt: at.toISOString(),
        actorKeyId: 'k',
      }),
      recorded({ actor: 's1', target: 's1' }),
    ]);
    expect(steps.map((s) => s.kind)).toEqual(['rows', 'erase-subject', 'rows']);
    const sealedOf = (i: number) => {
      const s = steps[i];
      return s.kind === 'rows' ? s.rows.sealed.map((r) => r.position) : null;
    };
    expect(sealedOf(0)).toEqual([1]);
    expect(sealedOf(2)).toEqual([3]);
  });
});
