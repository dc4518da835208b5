import { PRIVACY_EVENT } from '@authtrail/catalog';
import { decodeEnvelope } from '@authtrail/event-store';
import { LedgerService, Sealer, SealSigningKey, inclusionProofValid } from '@authtrail/ledger';
import {
  ApplicationHarness,
  InMemoryCheckpointStore,
  applicationHarness,
  testSealKey,
} from '@authtrail/testing';
import { EventReader } from './event-reader';
import { ExportSubjectHandler, ExportSubjectQuery } from './export-subject.query-handler';
import { privacyStream } from './privacy-streams';

describe('ExportSubjectHandler (in memory)', () => {
  let h: ApplicationHarness;
  let key: SealSigningKey;
  let ledger: LedgerService;
  let exporter: ExportSubjectHandler;
  const exporting = (upn: string) =>
    exporter.execute(new ExportSubjectQuery(h.tenantId, upn, 'k-privacy'));

  beforeEach(async () => {
    h = await applicationHarness();
    key = testSealKey();
    ledger = new LedgerService(h.store, key, undefined, h.clock);
    exporter = new ExportSubjectHandler(
      h.keyring,
      new EventReader(h.catalog, h.keyring),
      h.store,
      h.clock,
      h.ids,
      ledger,
    );
    await h.ingestExamples(['sspr.PasswordResetByAdmin', 'mfa.UserBlocked']);
  });

  it('gives the person their own fields, anyone else by subject id, and records the export', async () => {
    const kim = (await h.keyring.findSubject(h.tenantId, 'kim@contoso.com'))!;
    const helpdesk = (await h.keyring.findSubject(h.tenantId, 'helpdesk@contoso.com'))!;

    const answer = await exporting('kim@contoso.com');

    expect(answer).toMatchObject({
      subjectId: kim.subjectId,
      exportedAt: '2026-11-20T10:00:00.000Z',
    });
    expect(answer.events.map((e) => [e.type, e.roles])).toEqual([
      ['sspr.PasswordResetByAdmin', ['target']],
      ['mfa.UserBlocked', ['target']],
    ]);
    const [reset] = answer.events;
    expect(reset.event.target).toMatchObject({
      subjectId: kim.subjectId,
      userPrincipalName: 'kim@contoso.com',
      displayName: 'Kim Akers',
    });
    expect(reset.event.actor).toEqual({
      subjectId: helpdesk.subjectId,
      role: 'HelpdeskAdministrator',
    });
    expect(JSON.stringify(answer)).not.toContain('helpdesk@contoso.com');
    expect(reset.proof.status).toBe('pending');

    const [recorded] = (await h.store.readStream(privacyStream(h.tenantId))).filter(
      (r) => r.type === PRIVACY_EVENT.exported,
    );
    expect(decodeEnvelope(recorded.data).data).toEqual({
      subjectId: kim.subjectId,
      events: 2,
      actorKeyId: 'k-privacy',
    });
  });

  it('proves each exported event against the seal that covers it', async () => {
    const sealer = new Sealer({
      store: h.store,
      checkpoints: new InMemoryCheckpointStore(),
      key,
      clock: h.clock,
      ids: h.ids,
    });
    await sealer.sealOnce();
    const { seals } = await ledger.seals(h.tenantId);

    const answer = await exporting('kim@contoso.com');

    expect(answer.events).toHaveLength(2);
    for (const e of answer.events) {
      const proof = e.proof;
      if (proof.status !== 'sealed') throw new Error(`event ${e.position} is not sealed`);
      const seal = seals.find((s) => s.sequence === proof.sealSequence)!;
      expect(
        inclusionProofValid(Buffer.from(e.envelope, 'base64'), e.position, proof, seal.root),
      ).toBe(true);
      // The proof is for these bytes only.
      const other = Buffer.from(e.envelope, 'base64');
      other[10] ^= 1;
      expect(inclusionProofValid(other, e.position, proof, seal.root)).toBe(false);
    }
  });

  it('answers an unknown person with no events, and records that too', async () => {
    const answer = await exporting('nobody@contoso.com');
    expect(answer).toMatchObject({ subjectId: null, events: [] });
    const recorded = (await h.store.readStream(privacyStream(h.tenantId))).map((r) =>
      decodeEnvelope(r.data),
    );
    expect(recorded.at(-1)?.data).toEqual({ subjectId: null, events: 0, actorKeyId: 'k-privacy' });
  });
});
