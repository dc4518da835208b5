import { PRIVACY_EVENT } from '@authtrail/catalog';
import { decodeEnvelope, subjectStream } from '@authtrail/event-store';
import { ApplicationHarness, applicationHarness } from '@authtrail/testing';
import { EraseSubjectCommand, EraseSubjectHandler } from './erase-subject.command-handler';
import { EventReader } from './event-reader';
import { privacyStream } from './privacy-streams';

describe('EraseSubjectHandler (in memory)', () => {
  let h: ApplicationHarness;
  let erase: EraseSubjectHandler;
  const erasing = (upn: string) =>
    erase.execute(new EraseSubjectCommand(h.tenantId, upn, 'k-privacy'));

  beforeEach(async () => {
    h = await applicationHarness();
    erase = new EraseSubjectHandler(h.keyring, h.store, h.clock, h.ids);
    await h.ingestExamples(['sspr.PasswordResetByAdmin', 'mfa.UserBlocked']);
  });

  it('shreds the person’s key, records request and erasure, and leaves others readable', async () => {
    const kim = (await h.keyring.findSubject(h.tenantId, 'kim@contoso.com'))!;
    const helpdesk = (await h.keyring.findSubject(h.tenantId, 'helpdesk@contoso.com'))!;

    const result = await erasing('Kim@Contoso.com');

    expect(result).toEqual({
      subjectId: kim.subjectId,
      erasedAt: '2026-11-20T10:00:00.000Z',
      events: 2,
    });
    expect(await h.keyring.findSubject(h.tenantId, 'kim@contoso.com')).toBeNull();
    const [requested] = await h.store.readStream(privacyStream(h.tenantId));
    expect(requested.type).toBe(PRIVACY_EVENT.erasureRequested);
    expect(decodeEnvelope(requested.data).data).toEqual({
      subjectId: kim.subjectId,
      actorKeyId: 'k-privacy',
    });
    const [erased] = await h.store.readStream(subjectStream(h.tenantId, kim.subjectId));
    expect(decodeEnvelope(erased.data)).toMatchObject({
      type: PRIVACY_EVENT.erased,
      causationId: requested.eventId,
      data: { subjectId: kim.subjectId, events: 2, actorKeyId: 'k-privacy' },
    });
    // The log is untouched; Kim's fields can no longer be opened, the admin's still can.
    const reset = (await h.store.readBySubject(h.tenantId, kim.subjectId)).filter(
      (r) => r.type === 'sspr.PasswordResetByAdmin',
    );
    const [view] = await new EventReader(h.catalog, h.keyring).views(h.tenantId, reset, {
      kind: 'all',
    });
    expect(view.erased).toEqual([kim.subjectId]);
    expect(view.event.target).toEqual({ subjectId: kim.subjectId, role: 'User', erased: true });
    expect(view.event.actor).toMatchObject({
      subjectId: helpdesk.subjectId,
      userPrincipalName: 'helpdesk@contoso.com',
    });
  });

  it('appends the erasure’s record as a prompt commit: the followers do not linger over it', async () => {
    const kim = (await h.keyring.findSubject(h.tenantId, 'kim@contoso.com'))!;
    const append = jest.spyOn(h.store, 'append');
    await erasing('kim@contoso.com');
    const byStream = append.mock.calls.map(([, streams, options]) => ({
      streams: streams.map((s) => s.streamId),
      prompt: options?.prompt ?? false,
    }));
    expect(byStream).toEqual([
      { streams: [privacyStream(h.tenantId)], prompt: false },
      { streams: [subjectStream(h.tenantId, kim.subjectId)], prompt: true },
    ]);
  });

  it('erasing again, or someone unknown, changes nothing', async () => {
    const first = await erasing('kim@contoso.com');
    const head = await h.store.headPosition();
    await expect(erasing('kim@contoso.com')).resolves.toEqual({
      subjectId: null,
      erasedAt: null,
      events: 0,
    });
    await expect(erasing('nobody@contoso.com')).resolves.toMatchObject({ subjectId: null });
    expect(await h.store.headPosition()).toBe(head);
    // Recovery finishing the same request reports the first erasure's outcome.
    await expect(erase.finish(h.tenantId, first.subjectId!, 'req', 'k-privacy')).resolves.toEqual(
      first,
    );
  });
});
