import { verify } from 'node:crypto';
import { LedgerService, Sealer, SealSigningKey, sealHash } from '@authtrail/ledger';
import { AppError } from '@authtrail/platform';
import {
  ApplicationHarness,
  InMemoryCheckpointStore,
  applicationHarness,
  testSealKey,
} from '@authtrail/testing';
import { ErasureReceipt, receiptSigningBytes } from '../domain/erasure-receipt';
import { ErasureReceiptHandler, ErasureReceiptQuery } from './erasure-receipt.query-handler';

const MINUTE = 60_000;

describe('ErasureReceiptHandler (in memory)', () => {
  let h: ApplicationHarness;
  let key: SealSigningKey;
  let ledger: LedgerService;
  let receipts: ErasureReceiptHandler;
  const seal = () =>
    new Sealer({
      store: h.store,
      checkpoints: new InMemoryCheckpointStore(),
      key,
      clock: h.clock,
      ids: h.ids,
    }).sealOnce();
  const valid = (r: ErasureReceipt) =>
    verify(null, receiptSigningBytes(r), key.publicKey, Buffer.from(r.signature, 'base64'));

  beforeEach(async () => {
    h = await applicationHarness();
    key = testSealKey();
    ledger = new LedgerService(h.store, key, undefined, h.clock);
    receipts = new ErasureReceiptHandler(h.store, ledger, key, h.clock);
    await h.ingestExamples(['sspr.PasswordResetByAdmin', 'mfa.UserBlocked']);
  });

  it('states the destruction, the seal head at that moment and a verified log, signed with the seal key', async () => {
    await seal();
    const [first] = (await ledger.seals(h.tenantId)).seals;
    h.clock.advance(MINUTE);
    const erased = await h.erase('kim@contoso.com');
    // A seal made after the erasure is not the head "at that moment".
    h.clock.advance(MINUTE);
    await seal();
    expect((await ledger.seals(h.tenantId)).seals).toHaveLength(2);
    h.clock.advance(MINUTE);

    const receipt = await receipts.execute(new ErasureReceiptQuery(h.tenantId, erased.subjectId!));
    expect(receipt).toMatchObject({
      format: 'authtrail.erasure-receipt.v1',
      tenantId: h.tenantId,
      subjectId: erased.subjectId,
      keyDestroyedAt: erased.erasedAt,
      events: 2,
      sealHead: {
        sequence: 0,
        sealHash: sealHash(first),
        toPosition: first.toPosition,
        sealedAt: first.sealedAt,
      },
      logVerified: true,
      checkedSeals: 2,
      verifiedAt: h.clock.now().toISOString(),
      keyId: key.keyId,
    });
    expect(valid(receipt)).toBe(true);
    expect(valid({ ...receipt, keyDestroyedAt: '2026-11-20T10:00:00.001Z' })).toBe(false);
    expect(valid({ ...receipt, sealHead: { ...receipt.sealHead!, sequence: 1 } })).toBe(false);
  });

  it('says when the log does not verify, and has no receipt for a person not erased', async () => {
    await seal();
    const erased = await h.erase('kim@contoso.com');
    // Someone with the store's file changes a sealed event's bytes.
    const i = h.log.events.findIndex((x) => x.type === 'mfa.UserBlocked');
    const data = Buffer.from(h.log.events[i].data);
    data[10] ^= 1;
    h.log.events[i] = { ...h.log.events[i], data };
    const receipt = await receipts.execute(new ErasureReceiptQuery(h.tenantId, erased.subjectId!));
    expect(receipt.logVerified).toBe(false);
    expect(valid(receipt)).toBe(true);

    const helpdesk = (await h.keyring.findSubject(h.tenantId, 'helpdesk@contoso.com'))!;
    for (const id of [helpdesk.subjectId, '../etc', 's_unknown'])
      await expect(receipts.execute(new ErasureReceiptQuery(h.tenantId, id))).rejects.toMatchObject(
        { code: 'ERASURE.NOT_FOUND', status: 404 } satisfies Partial<AppError>,
      );
  });
});
