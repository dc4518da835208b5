import { PRIVACY_EVENT } from '@authtrail/catalog';
import { subjectStream } from '@authtrail/event-store';
import { ApplicationHarness, applicationHarness } from '@authtrail/testing';
import type { ErasureFollowers } from './erasure-followers.port';
import { ErasureStatusHandler, ErasureStatusQuery } from './erasure-status.query-handler';
import { ListErasuresHandler, ListErasuresQuery } from './list-erasures.query-handler';

describe('an erasure’s progress, copy by copy (in memory)', () => {
  let h: ApplicationHarness;
  /** The followers' checkpoints as the test sets them. */
  let at: { readModel: number | Error; siem: number | 'off' | Error };
  /** Whose ciphertext rows the read model still holds, as the test sets it. */
  let ciphertext: Set<string> | Error;
  const asked: string[][] = [];
  const followers: ErasureFollowers = {
    ciphertextLeft: async (tenantId, subjectIds) => {
      expect(tenantId).toBe(h.tenantId);
      asked.push([...subjectIds]);
      if (ciphertext instanceof Error) throw ciphertext;
      return ciphertext;
    },
    readModel: async () => {
      if (at.readModel instanceof Error) throw at.readModel;
      return at.readModel;
    },
    siem: async () => {
      if (at.siem instanceof Error) throw at.siem;
      return at.siem;
    },
  };
  const status = (subjectId: string, withFollowers: ErasureFollowers | null = followers) =>
    new ErasureStatusHandler(h.store, withFollowers ?? undefined).execute(
      new ErasureStatusQuery(h.tenantId, subjectId),
    );
  /** The log position of the person's erasure record. */
  const recordOf = async (subjectId: string) =>
    (await h.store.readStream(subjectStream(h.tenantId, subjectId))).find(
      (r) => r.type === PRIVACY_EVENT.erased,
    )!.position;

  beforeEach(async () => {
    h = await applicationHarness();
    at = { readModel: 0, siem: 0 };
    ciphertext = new Set();
    asked.length = 0;
    await h.ingestExamples(['sspr.PasswordResetByAdmin', 'mfa.UserBlocked']);
  });

  it('follows each copy from pending to done as its follower passes the erasure’s record', async () => {
    const { subjectId } = await h.erase('kim@contoso.com');
    const record = await recordOf(subjectId!);
    at = { readModel: record - 1, siem: record - 1 };
    expect(await status(subjectId!)).toEqual({
      subjectId,
      requestedAt: '2026-11-20T10:00:00.000Z',
      erasedAt: '2026-11-20T10:00:00.000Z',
      events: 2,
      status: 'erased',
      actorKeyId: 'k-privacy',
      surfaces: { keyVault: 'done', readModel: 'pending', siem: 'pending' },
    });
    at = { readModel: record, siem: record - 1 };
    expect((await status(subjectId!)).surfaces).toEqual({
      keyVault: 'done',
      readModel: 'done',
      siem: 'pending',
    });
    at = { readModel: record + 10, siem: record };
    expect((await status(subjectId!)).surfaces).toMatchObject({ readModel: 'done', siem: 'done' });
    // The read model is asked about the ciphertext only of people the projector passed.
    expect(asked).toEqual([[subjectId], [subjectId]]);
  });

  it('the report tables stay pending while they hold the person’s ciphertext (a queued delete)', async () => {
    const { subjectId } = await h.erase('kim@contoso.com');
    at = { readModel: (await recordOf(subjectId!)) + 1, siem: 'off' };
    ciphertext = new Set([subjectId!]);
    expect((await status(subjectId!)).surfaces?.readModel).toBe('pending');
    ciphertext = new Error('ClickHouse is down');
    expect((await status(subjectId!)).surfaces?.readModel).toBe('unknown');
    ciphertext = new Set();
    expect((await status(subjectId!)).surfaces?.readModel).toBe('done');
  });

  it('a checkpoint that cannot be read is unknown, not done; no SIEM is off', async () => {
    const { subjectId } = await h.erase('kim@contoso.com');
    at = { readModel: new Error('ClickHouse is down'), siem: 'off' };
    expect((await status(subjectId!)).surfaces).toEqual({
      keyVault: 'done',
      readModel: 'unknown',
      siem: 'off',
    });
  });

  it('the list carries the same progress; without followers (an app that does not wire them) it has none', async () => {
    const kim = await h.erase('kim@contoso.com');
    const record = await recordOf(kim.subjectId!);
    at = { readModel: record, siem: 'off' };
    const { items } = await new ListErasuresHandler(h.store, followers).execute(
      new ListErasuresQuery(h.tenantId),
    );
    expect(items).toEqual([
      expect.objectContaining({
        subjectId: kim.subjectId,
        surfaces: { keyVault: 'done', readModel: 'done', siem: 'off' },
      }),
    ]);
    const bare = await new ListErasuresHandler(h.store).execute(new ListErasuresQuery(h.tenantId));
    expect(bare.items[0]).not.toHaveProperty('surfaces');
    expect(await status(kim.subjectId!, null)).not.toHaveProperty('surfaces');
  });

  it('answers 404 for a subject never asked to be erased, or an id of no subject’s shape', async () => {
    const kim = (await h.keyring.findSubject(h.tenantId, 'kim@contoso.com'))!;
    await expect(status(kim.subjectId)).rejects.toMatchObject({ code: 'ERASURE.NOT_FOUND' });
    await expect(status('../etc/passwd')).rejects.toMatchObject({ code: 'ERASURE.NOT_FOUND' });
  });

  it('only the tenant’s own erasures: another tenant’s subject id is not found', async () => {
    const { subjectId } = await h.erase('kim@contoso.com');
    await h.collecting('globex');
    await expect(
      new ErasureStatusHandler(h.store, followers).execute(
        new ErasureStatusQuery('globex', subjectId!),
      ),
    ).rejects.toMatchObject({ code: 'ERASURE.NOT_FOUND' });
  });
});
