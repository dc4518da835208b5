import { createSecretKey, randomBytes } from 'node:crypto';
import { SealedDataError } from './key-vault.errors';
import { subjectKeyContext, tenantKeyContext, unwrapKey, wrapKey } from './key-wrap.crypto';
import { deriveTenantKeys, fingerprintOf, lookupHashOf } from './key-derivation.crypto';
import { masterKeyFromBytes } from './keys';
import { isSubjectId, newSubjectId } from './subject-id';
import { normaliseUserPrincipalName } from './user-principal-name';

const parent = createSecretKey(randomBytes(32));

describe('key wrapping', () => {
  it('unwraps what it wrapped, for the same purpose only', () => {
    const child = randomBytes(32);
    const w = wrapKey(parent, child, subjectKeyContext('contoso', 's_1'));
    expect(w.length).toBe(61);
    expect(w.includes(child)).toBe(false);
    expect(unwrapKey(parent, w, subjectKeyContext('contoso', 's_1')).export().equals(child)).toBe(
      true,
    );
    expect(() => unwrapKey(parent, w, subjectKeyContext('contoso', 's_2'))).toThrow(
      SealedDataError,
    );
    expect(() => unwrapKey(parent, w, subjectKeyContext('fabrikam', 's_1'))).toThrow(
      SealedDataError,
    );
    expect(() => unwrapKey(parent, w, tenantKeyContext('contoso'))).toThrow(SealedDataError);
  });

  it('names the purpose in the additional data', () => {
    expect(tenantKeyContext('contoso')).toBe('tenant:contoso');
    expect(subjectKeyContext('contoso', 's_x')).toBe('subject:contoso:s_x');
  });
});

describe('tenant sub-keys', () => {
  const tenantKey = createSecretKey(randomBytes(32));

  it('derives distinct, stable keys per purpose and tenant', () => {
    const a = deriveTenantKeys(tenantKey, 'contoso');
    const again = deriveTenantKeys(tenantKey, 'contoso');
    const other = deriveTenantKeys(tenantKey, 'fabrikam');
    const bytes = [a.wrap, a.lookup, a.fingerprint, other.lookup].map((k) =>
      k.export().toString('hex'),
    );
    expect(new Set(bytes).size).toBe(4);
    expect(again.lookup.export().equals(a.lookup.export())).toBe(true);
    expect(
      lookupHashOf(a.lookup, 'kim@contoso.com').equals(
        lookupHashOf(again.lookup, 'kim@contoso.com'),
      ),
    ).toBe(true);
    expect(
      lookupHashOf(a.lookup, 'kim@contoso.com').equals(
        lookupHashOf(other.lookup, 'kim@contoso.com'),
      ),
    ).toBe(false);
    expect(fingerprintOf(a.fingerprint, Buffer.from('x'))).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('subject ids and names', () => {
  it('makes random subject ids of the documented shape', () => {
    const ids = Array.from({ length: 1000 }, newSubjectId);
    expect(new Set(ids).size).toBe(1000);
    for (const id of ids) expect(isSubjectId(id)).toBe(true);
    expect(isSubjectId('s_short')).toBe(false);
  });

  it('normalises user principal names: trim, NFC, lower case', () => {
    expect(normaliseUserPrincipalName('  Kim@Contoso.COM ')).toBe('kim@contoso.com');
    expect(normaliseUserPrincipalName('Jose\u0301@x.com')).toBe('jos\u00e9@x.com');
    expect(normaliseUserPrincipalName('JOS\u00c9@X.COM')).toBe('jos\u00e9@x.com');
  });

  it('names a master key by the first 8 hex digits of its SHA-256', () => {
    const m = masterKeyFromBytes(Buffer.alloc(32, 1));
    expect(m.id).toBe('72cd6e84');
    expect(() => masterKeyFromBytes(Buffer.alloc(16))).toThrow(/32 bytes/);
  });
});
