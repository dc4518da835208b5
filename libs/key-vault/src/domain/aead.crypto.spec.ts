import { createSecretKey, randomBytes } from 'node:crypto';
import { AppError } from '@authtrail/platform';
import { AEAD_OVERHEAD, IV_BYTES, openBytes, openJson, sealBytes, sealJson } from './aead.crypto';
import { SealedDataError } from './key-vault.errors';

const key = createSecretKey(randomBytes(32));
const aad = {
  eventId: '0b9f3c2e-5d1a-4f7e-9a61-2f1c8e7d6b5a',
  subjectId: 's_AAAAAAAAAAAAAAAAAAAAAA',
};
const payload = {
  userPrincipalName: 'kim@contoso.com',
  displayName: 'Kim Akers',
  ip: '203.0.113.7',
};

describe('AES-256-GCM sealing', () => {
  it('round-trips a JSON payload bound to event and subject', () => {
    const blob = sealJson(key, payload, aad);
    expect(blob).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(openJson(key, blob, aad)).toEqual(payload);
  });

  it('lays out version | 12-byte IV | ciphertext | 16-byte tag, no plaintext visible', () => {
    const plaintext = Buffer.from('kim@contoso.com');
    const blob = sealBytes(key, plaintext, Buffer.from('x'));
    expect(blob.length).toBe(plaintext.length + AEAD_OVERHEAD);
    expect(blob[0]).toBe(1);
    expect(blob.includes(plaintext)).toBe(false);
  });

  it('uses a fresh IV for every seal', () => {
    const ivs = new Set(
      Array.from({ length: 3000 }, () =>
        sealBytes(key, Buffer.from('same'), Buffer.alloc(0))
          .subarray(1, 1 + IV_BYTES)
          .toString('hex'),
      ),
    );
    expect(ivs.size).toBe(3000);
  });

  it.each([
    ['another event id', { ...aad, eventId: '1b9f3c2e-5d1a-4f7e-9a61-2f1c8e7d6b5a' }],
    ['another subject id', { ...aad, subjectId: 's_BAAAAAAAAAAAAAAAAAAAAA' }],
  ])('refuses to open with %s', (_what, other) => {
    const blob = sealJson(key, payload, aad);
    expect(() => openJson(key, blob, other)).toThrow(SealedDataError);
  });

  it('refuses to open with another key', () => {
    const blob = sealJson(key, payload, aad);
    expect(() => openJson(createSecretKey(randomBytes(32)), blob, aad)).toThrow(SealedDataError);
  });

  it('detects a flipped bit anywhere in the blob, and truncation', () => {
    const blob = sealBytes(key, Buffer.from(JSON.stringify(payload)), Buffer.from('ctx'));
    for (let i = 0; i < blob.length; i++) {
      const bad = Buffer.from(blob);
      bad[i] ^= 0x01;
      expect(() => openBytes(key, bad, Buffer.from('ctx'))).toThrow(SealedDataError);
    }
    expect(() => openBytes(key, blob.subarray(0, blob.length - 1), Buffer.from('ctx'))).toThrow(
      SealedDataError,
    );
    expect(() => openBytes(key, blob.subarray(0, AEAD_OVERHEAD - 1), Buffer.from('ctx'))).toThrow(
      SealedDataError,
    );
  });

  it('reports tampering as an AppError with a stable code and no plaintext', () => {
    const blob = sealJson(key, payload, aad);
    const tampered = `${blob.slice(0, 10)}${blob[10] === 'A' ? 'B' : 'A'}${blob.slice(11)}`;
    let error: unknown;
    try {
      openJson(key, tampered, aad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('CRYPTO.OPEN_FAILED');
    expect((error as AppError).message).toContain(aad.eventId);
    expect((error as AppError).message).not.toContain('kim');
  });

  it('seals a 200-byte payload in well under 100 µs', () => {
    const p = { v: 'x'.repeat(190) };
    for (let i = 0; i < 2000; i++) sealJson(key, p, aad);
    const n = 20000;
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) sealJson(key, p, aad);
    const perOp = Number(process.hrtime.bigint() - start) / n / 1000;
    expect(perOp).toBeLessThan(100);
  });
});
