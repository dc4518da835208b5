import { PRIVACY_EVENT } from '@authtrail/catalog';
import { decodeEnvelope, subjectStream } from '@authtrail/event-store';
import { AppError } from '@authtrail/platform';
import { ApplicationHarness, applicationHarness } from '@authtrail/testing';
import { EraseSubjectHandler } from './erase-subject.command-handler';
import { ErasureRecovery } from './erasure-recovery';
import { legalHoldRequestOf } from './legal-hold-request';
import { ListErasuresHandler, ListErasuresQuery } from './list-erasures.query-handler';
import { ListLegalHoldsHandler, ListLegalHoldsQuery } from './list-legal-holds.query-handler';
import { PlaceLegalHoldCommand, PlaceLegalHoldHandler } from './place-legal-hold.command-handler';
import { privacyStream } from './privacy-streams';
import {
  ReleaseLegalHoldCommand,
  ReleaseLegalHoldHandler,
} from './release-legal-hold.command-handler';

const HOUR = 3_600_000;

describe('legal hold (in memory)', () => {
  let h: ApplicationHarness;
  let eraser: EraseSubjectHandler;
  let place: PlaceLegalHoldHandler;
  let release: ReleaseLegalHoldHandler;
  const hold = (body: unknown) =>
    place.execute(new PlaceLegalHoldCommand(h.tenantId, legalHoldRequestOf(body), 'k-privacy'));
  const releasing = (id: string) =>
    release.execute(new ReleaseLegalHoldCommand(h.tenantId, id, 'k-privacy'));
  const erasures = () =>
    new ListErasuresHandler(h.store).execute(new ListErasuresQuery(h.tenantId));
  const privacyTypes = async () =>
    (await h.store.readStream(privacyStream(h.tenantId))).map((r) => r.type);

  beforeEach(async () => {
    h = await applicationHarness();
    eraser = new EraseSubjectHandler(h.keyring, h.store, h.clock, h.ids);
    place = new PlaceLegalHoldHandler(h.keyring, h.store, h.clock, h.ids);
    release = new ReleaseLegalHoldHandler(h.store, h.clock, h.ids, eraser);
    await h.ingestExamples(['sspr.PasswordResetByAdmin', 'mfa.UserBlocked']);
  });

  it('given a person hold, an erasure is recorded as deferred and runs at release; the key survives until then', async () => {
    const kim = (await h.keyring.findSubject(h.tenantId, 'kim@contoso.com'))!;
    const placed = await hold({
      scope: 'person',
      userPrincipalName: 'Kim@Contoso.com',
      caseReference: 'LIT-2026-014',
    });
    expect(placed).toMatchObject({ scope: 'person', subjectId: kim.subjectId, releasedAt: null });

    h.clock.advance(HOUR);
    const asked = await h.erase('kim@contoso.com');
    expect(asked).toEqual({
      subjectId: kim.subjectId,
      erasedAt: null,
      events: 0,
      status: 'deferred',
      deferredBy: placed.holdId,
      detail: `deferred by hold ${placed.holdId}`,
    });
    expect(await h.keyring.findSubject(h.tenantId, 'kim@contoso.com')).toEqual(kim);
    expect(await h.store.streamRevision(subjectStream(h.tenantId, kim.subjectId))).toBeNull();
    expect((await erasures()).items).toEqual([
      expect.objectContaining({
        subjectId: kim.subjectId,
        status: 'deferred',
        deferredBy: [placed.holdId],
        requestedAt: '2026-11-20T11:00:00.000Z',
      }),
    ]);
    const listed = await new ListLegalHoldsHandler(h.store).execute(
      new ListLegalHoldsQuery(h.tenantId),
    );
    expect(listed.items).toEqual([
      expect.objectContaining({
        holdId: placed.holdId,
        status: 'active',
        deferredErasures: [kim.subjectId],
      }),
    ]);

    h.clock.advance(24 * HOUR);
    const released = await releasing(placed.holdId);
    expect(released.hold).toMatchObject({ releasedAt: '2026-11-21T11:00:00.000Z' });
    expect(released.erasures).toEqual([
      { subjectId: kim.subjectId, erasedAt: '2026-11-21T11:00:00.000Z', events: 2 },
    ]);
    expect(await h.keyring.findSubject(h.tenantId, 'kim@contoso.com')).toBeNull();
    expect(await privacyTypes()).toEqual([
      PRIVACY_EVENT.legalHoldPlaced,
      PRIVACY_EVENT.erasureDeferred,
      PRIVACY_EVENT.legalHoldReleased,
      PRIVACY_EVENT.erasureRequested,
    ]);
    const stream = await h.store.readStream(privacyStream(h.tenantId));
    expect(decodeEnvelope(stream[3].data).causationId).toBe(stream[1].eventId);
    expect((await erasures()).items).toEqual([
      expect.objectContaining({ subjectId: kim.subjectId, status: 'erased', events: 2 }),
    ]);
  });

  it('a tenant hold defers everyone; the erasure waits for the last covering hold', async () => {
    const kim = (await h.keyring.findSubject(h.tenantId, 'kim@contoso.com'))!;
    const helpdesk = (await h.keyring.findSubject(h.tenantId, 'helpdesk@contoso.com'))!;
    const tenantHold = await hold({ scope: 'tenant', caseReference: 'REG 2026/7' });
    const personHold = await hold({
      scope: 'person',
      userPrincipalName: 'kim@contoso.com',
      caseReference: 'LIT-1',
    });
    expect((await h.erase('helpdesk@contoso.com')).status).toBe('deferred');
    expect((await h.erase('kim@contoso.com')).deferredBy).toBe(tenantHold.holdId);

    const first = await releasing(tenantHold.holdId);
    expect(first.erasures.map((e) => e.subjectId)).toEqual([helpdesk.subjectId]);
    expect(await h.keyring.findSubject(h.tenantId, 'helpdesk@contoso.com')).toBeNull();
    expect(await h.keyring.findSubject(h.tenantId, 'kim@contoso.com')).toEqual(kim);
    const second = await releasing(personHold.holdId);
    expect(second.erasures.map((e) => e.subjectId)).toEqual([kim.subjectId]);
    expect(await h.keyring.findSubject(h.tenantId, 'kim@contoso.com')).toBeNull();
  });

  it('refuses unknown people, unknown and released holds, and bad bodies, with stable codes', async () => {
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'resolved',
        (e: AppError) => `${e.status} ${e.code}`,
      );
    expect(
      await code(
        hold({ scope: 'person', userPrincipalName: 'nobody@contoso.com', caseReference: 'X' }),
      ),
    ).toBe('404 SUBJECT.NOT_FOUND');
    expect(await code(releasing('00000000-0000-4000-8000-00000000ffff'))).toBe(
      '404 HOLD.NOT_FOUND',
    );
    expect(await code(releasing('not-a-uuid'))).toBe('404 HOLD.NOT_FOUND');
    const placed = await hold({ scope: 'tenant', caseReference: 'X' });
    await releasing(placed.holdId);
    expect(await code(releasing(placed.holdId))).toBe('409 HOLD.ALREADY_RELEASED');
    let errors: unknown;
    try {
      legalHoldRequestOf({ scope: 'team', caseReference: 'Kim Lee <kim@contoso.com>', x: 1 });
    } catch (e) {
      errors = (e as AppError).errors.map((f) => f.path);
    }
    expect(errors).toEqual(['/x', '/scope', '/caseReference']);
  });

  it('a release cut off before its erasures ran is finished by recovery at the next start', async () => {
    const kim = (await h.keyring.findSubject(h.tenantId, 'kim@contoso.com'))!;
    const placed = await hold({
      scope: 'person',
      userPrincipalName: 'kim@contoso.com',
      caseReference: 'LIT-1',
    });
    await h.erase('kim@contoso.com');
    // A release whose erasures never ran (as if the process died right after the append).
    const crashing = new ReleaseLegalHoldHandler(h.store, h.clock, h.ids, {
      runDeferred: () => Promise.reject(new Error('crash')),
    } as unknown as EraseSubjectHandler);
    await expect(
      crashing.execute(new ReleaseLegalHoldCommand(h.tenantId, placed.holdId, 'k-privacy')),
    ).rejects.toThrow('crash');
    expect(await h.keyring.findSubject(h.tenantId, 'kim@contoso.com')).toEqual(kim);

    expect(await new ErasureRecovery(h.store, h.vault, eraser).run()).toBe(1);
    expect(await h.keyring.findSubject(h.tenantId, 'kim@contoso.com')).toBeNull();
    expect(await new ErasureRecovery(h.store, h.vault, eraser).run()).toBe(0);
  });
});
