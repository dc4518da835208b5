import { randomBytes } from 'node:crypto';
import { Clock } from '@authtrail/platform';
import { InMemoryKeyVault, InMemoryKeyVaultData } from '@authtrail/testing';
import {
  MasterKeyMismatchError,
  SealedDataError,
  TenantKeyMissingError,
} from '../domain/key-vault.errors';
import { masterKeyFromBytes } from '../domain/keys';
import { EmptyUserPrincipalNameError, Keyring } from './keyring.service';

class ManualClock implements Clock {
  constructor(public ms = Date.parse('2025-03-01T10:00:00Z')) {}
  now(): Date {
    return new Date(this.ms);
  }
}

const T = 'contoso';
const master = masterKeyFromBytes(randomBytes(32));

function setup() {
  const data = new InMemoryKeyVaultData();
  const clock = new ManualClock();
  const replica = () => new Keyring(new InMemoryKeyVault(data), master, clock);
  return { data, clock, replica, keyring: replica() };
}

describe('Keyring', () => {
  it('creates a tenant key once, wrapped under the master key', async () => {
    const { data, keyring, replica } = setup();
    expect(await keyring.tenantHasKey(T)).toBe(false);
    await keyring.ensureTenant(T);
    await replica().ensureTenant(T);
    expect(data.tenants.size).toBe(1);
    expect(data.tenants.get(T)!.masterKeyId).toBe(master.id);
    expect(await keyring.tenantHasKey(T)).toBe(true);
  });

  it('refuses names for a tenant without key', async () => {
    const { keyring } = setup();
    await expect(keyring.resolveSubjects(T, ['kim@contoso.com'])).rejects.toThrow(
      TenantKeyMissingError,
    );
    await expect(keyring.lookupHash(T, 'kim@contoso.com')).rejects.toThrow(TenantKeyMissingError);
    expect(await keyring.findSubject(T, 'kim@contoso.com')).toBeNull();
    expect((await keyring.dataKeys(T, ['s_x'])).size).toBe(0);
  });

  it('resolves a name to one random subject, whatever its spelling, on every replica', async () => {
    const { keyring, replica } = setup();
    await keyring.ensureTenant(T);
    const first = await keyring.resolveSubjects(T, [
      'Kim@Contoso.com ',
      'kim@contoso.com',
      'lee@contoso.com',
    ]);
    expect([...first.keys()]).toEqual(['kim@contoso.com', 'lee@contoso.com']);
    const kim = first.get('kim@contoso.com')!;
    expect(kim.created).toBe(true);
    expect(kim.subjectId).toMatch(/^s_[A-Za-z0-9_-]{22}$/);
    const again = await replica().resolveSubjects(T, ['KIM@contoso.com']);
    expect(again.get('kim@contoso.com')!.subjectId).toBe(kim.subjectId);
    expect(again.get('kim@contoso.com')!.created).toBe(false);
    expect(await keyring.findSubject(T, ' kim@CONTOSO.com')).toEqual({ subjectId: kim.subjectId });
    expect(await keyring.findSubject(T, 'nobody@contoso.com')).toBeNull();
    expect(
      (await keyring.lookupHash(T, 'KIM@contoso.com')).equals(
        await keyring.lookupHash(T, 'kim@contoso.com'),
      ),
    ).toBe(true);
    await expect(keyring.resolveSubjects(T, ['  '])).rejects.toThrow(EmptyUserPrincipalNameError);
  });

  it('seals on one replica and opens on another with the stored data key', async () => {
    const { keyring, replica } = setup();
    await keyring.ensureTenant(T);
    const kim = (await keyring.resolveSubjects(T, ['kim@contoso.com'])).get('kim@contoso.com')!;
    const aad = { eventId: 'e-1', subjectId: kim.subjectId };
    const blob = keyring.seal(kim.key, { displayName: 'Kim Akers' }, aad);
    const other = replica();
    const key = (await other.dataKeys(T, [kim.subjectId, 's_unknown'])).get(kim.subjectId)!;
    expect(other.open(key, blob, aad)).toEqual({ displayName: 'Kim Akers' });
    expect(() => other.open(key, blob, { ...aad, eventId: 'e-2' })).toThrow(SealedDataError);
  });

  it('fingerprints per tenant', async () => {
    const { keyring } = setup();
    await keyring.ensureTenant(T);
    await keyring.ensureTenant('fabrikam');
    const bytes = Buffer.from('{"a":1}');
    expect(await keyring.fingerprint(T, bytes)).toBe(await keyring.fingerprint(T, bytes));
    expect(await keyring.fingerprint(T, bytes)).not.toBe(
      await keyring.fingerprint('fabrikam', bytes),
    );
    // A request's fingerprinter gives the same HMAC with one key lookup.
    const fingerprinter = await keyring.fingerprinter(T);
    expect(fingerprinter(bytes)).toBe(await keyring.fingerprint(T, bytes));
    await expect(keyring.fingerprinter('nobody')).rejects.toBeInstanceOf(TenantKeyMissingError);
  });

  it('after an erasure on one replica, another decrypts for at most the cache TTL; the name gets a new subject', async () => {
    const { keyring, replica, clock } = setup();
    await keyring.ensureTenant(T);
    const kim = (await keyring.resolveSubjects(T, ['kim@contoso.com'])).get('kim@contoso.com')!;
    const other = replica();
    expect((await other.dataKeys(T, [kim.subjectId])).size).toBe(1);

    expect(await keyring.eraseSubject(T, kim.subjectId)).toBe(true);
    expect((await keyring.dataKeys(T, [kim.subjectId])).size).toBe(0);
    clock.ms += 999;
    expect((await other.dataKeys(T, [kim.subjectId])).size).toBe(1);
    clock.ms += 1;
    expect((await other.dataKeys(T, [kim.subjectId])).size).toBe(0);

    expect(await keyring.eraseSubject(T, kim.subjectId)).toBe(false);
    expect(await keyring.findSubject(T, 'kim@contoso.com')).toBeNull();
    const reborn = (await other.resolveSubjects(T, ['kim@contoso.com'])).get('kim@contoso.com')!;
    expect(reborn.created).toBe(true);
    expect(reborn.subjectId).not.toBe(kim.subjectId);
  });

  it('resolves a name seen within the cache TTL without the vault; an erasure ends that at once here, within the TTL elsewhere', async () => {
    const { keyring, replica, clock, data } = setup();
    await keyring.ensureTenant(T);
    const vault = new InMemoryKeyVault(data);
    const cached = new Keyring(vault, master, clock);
    const reads = jest.spyOn(vault, 'findSubjects');
    const kim = (await cached.resolveSubjects(T, ['kim@contoso.com'])).get('kim@contoso.com')!;
    expect(reads).toHaveBeenCalledTimes(1);

    clock.ms += 999;
    const again = (await cached.resolveSubjects(T, ['Kim@Contoso.com', 'lee@contoso.com'])).get(
      'kim@contoso.com',
    )!;
    expect(again).toMatchObject({ subjectId: kim.subjectId, created: false });
    expect(again.key).toBe(kim.key);
    // Only lee went to the vault.
    expect(reads).toHaveBeenCalledTimes(2);
    expect(reads.mock.calls[1][1]).toHaveLength(1);
    clock.ms += 1;
    await cached.resolveSubjects(T, ['kim@contoso.com']);
    expect(reads).toHaveBeenCalledTimes(3);

    // Erased on this replica: the next resolution is a new subject, at once.
    expect(await cached.eraseSubject(T, kim.subjectId)).toBe(true);
    const reborn = (await cached.resolveSubjects(T, ['kim@contoso.com'])).get('kim@contoso.com')!;
    expect(reborn).toMatchObject({ created: true });
    expect(reborn.subjectId).not.toBe(kim.subjectId);

    // Erased on another replica: this one may use its cached subject for at most the TTL.
    await replica().eraseSubject(T, reborn.subjectId);
    clock.ms += 999;
    expect(
      (await cached.resolveSubjects(T, ['kim@contoso.com'])).get('kim@contoso.com')!.subjectId,
    ).toBe(reborn.subjectId);
    clock.ms += 1;
    const third = (await cached.resolveSubjects(T, ['kim@contoso.com'])).get('kim@contoso.com')!;
    expect(third.subjectId).not.toBe(reborn.subjectId);
    expect(third.created).toBe(true);
  });

  it('renews a key the vault gives again with the same wrapped bytes, still asking the vault every TTL', async () => {
    const { keyring, clock, data } = setup();
    await keyring.ensureTenant(T);
    const kim = (await keyring.resolveSubjects(T, ['kim@contoso.com'])).get('kim@contoso.com')!;
    const lee = (await keyring.resolveSubjects(T, ['lee@contoso.com'])).get('lee@contoso.com')!;
    const vault = new InMemoryKeyVault(data);
    const other = new Keyring(vault, master, clock);
    const reads = jest.spyOn(vault, 'getSubjectKeys');
    const first = (await other.dataKeys(T, [kim.subjectId])).get(kim.subjectId)!;
    const fingerprint = other.personFingerprint(first, Buffer.from('x'));

    // Past the TTL the vault is read again; the same bytes renew the same key object (no
    // unwrap, and the person's fingerprint key derived from it is kept with it).
    clock.ms += 1000;
    const renewed = (await other.dataKeys(T, [kim.subjectId])).get(kim.subjectId)!;
    expect(reads).toHaveBeenCalledTimes(2);
    expect(renewed).toBe(first);
    expect(other.personFingerprint(renewed, Buffer.from('x'))).toBe(fingerprint);
    // Resolving the name renews it the same way.
    clock.ms += 1000;
    expect((await other.resolveSubjects(T, ['kim@contoso.com'])).get('kim@contoso.com')!.key).toBe(
      first,
    );

    // Other bytes for the subject are unwrapped, never matched to the cached key: here they
    // are Lee's, bound to Lee's subject id, so the unwrap refuses them.
    const kimRow = data.tenantSubjects(T).get(kim.subjectId)!;
    const kimWrapped = kimRow.wrappedKey;
    kimRow.wrappedKey = data.tenantSubjects(T).get(lee.subjectId)!.wrappedKey;
    clock.ms += 1000;
    await expect(other.dataKeys(T, [kim.subjectId])).rejects.toThrow();
    kimRow.wrappedKey = kimWrapped;

    // Not read again within the next TTL either: the key is dropped, and unwrapped anew.
    const before = (await other.dataKeys(T, [kim.subjectId])).get(kim.subjectId)!;
    clock.ms += 2000;
    const later = (await other.dataKeys(T, [kim.subjectId])).get(kim.subjectId)!;
    expect(later).not.toBe(before);
    const aad = { eventId: 'e-1', subjectId: kim.subjectId };
    expect(other.open(later, keyring.seal(kim.key, { displayName: 'Kim' }, aad), aad)).toEqual({
      displayName: 'Kim',
    });
  });

  it('forget drops cached keys at once', async () => {
    const { keyring, replica } = setup();
    await keyring.ensureTenant(T);
    const kim = (await keyring.resolveSubjects(T, ['kim@contoso.com'])).get('kim@contoso.com')!;
    const other = replica();
    await other.dataKeys(T, [kim.subjectId]);
    await keyring.eraseSubject(T, kim.subjectId);
    other.forget(T, kim.subjectId);
    expect((await other.dataKeys(T, [kim.subjectId])).size).toBe(0);
  });

  it('deleting a tenant shreds every subject', async () => {
    const { keyring } = setup();
    await keyring.ensureTenant(T);
    const subjects = await keyring.resolveSubjects(T, ['a@contoso.com', 'b@contoso.com']);
    expect(await keyring.deleteTenant(T)).toBe(2);
    expect(await keyring.tenantHasKey(T)).toBe(false);
    expect(
      (
        await keyring.dataKeys(
          T,
          [...subjects.values()].map((s) => s.subjectId),
        )
      ).size,
    ).toBe(0);
  });

  it('rotates the master key: tenant keys re-wrapped, data still readable, old master useless', async () => {
    const { data, keyring, clock } = setup();
    await keyring.ensureTenant(T);
    await keyring.ensureTenant('fabrikam');
    const kim = (await keyring.resolveSubjects(T, ['kim@contoso.com'])).get('kim@contoso.com')!;
    const aad = { eventId: 'e-1', subjectId: kim.subjectId };
    const blob = keyring.seal(kim.key, { n: 1 }, aad);
    const subjectRowBefore = Buffer.from(
      data.subjects.get(T)!.get(kim.subjectId)!.wrappedKey,
    ).toString('hex');

    const next = masterKeyFromBytes(randomBytes(32));
    expect(await keyring.rotateMasterKey(next)).toBe(2);
    expect([...data.tenants.values()].map((r) => r.masterKeyId)).toEqual([next.id, next.id]);
    expect(Buffer.from(data.subjects.get(T)!.get(kim.subjectId)!.wrappedKey).toString('hex')).toBe(
      subjectRowBefore,
    );

    const fresh = new Keyring(new InMemoryKeyVault(data), next, clock);
    const key = (await fresh.dataKeys(T, [kim.subjectId])).get(kim.subjectId)!;
    expect(fresh.open(key, blob, aad)).toEqual({ n: 1 });
    const stale = new Keyring(new InMemoryKeyVault(data), master, clock);
    await expect(stale.dataKeys(T, [kim.subjectId])).rejects.toThrow(MasterKeyMismatchError);
  });

  it('refuses a cache TTL above one second', () => {
    expect(
      () => new Keyring(new InMemoryKeyVault(), master, new ManualClock(), { cacheTtlMs: 1001 }),
    ).toThrow(/0\.\.1000/);
  });
});
