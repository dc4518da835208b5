import {
  generateApiKey,
  hashSecret,
  keyFromConfiguredSecret,
  parseApiKey,
  secretMatches,
} from './api-key';

describe('api keys', () => {
  it('round-trips a generated key and matches only its own secret', () => {
    const k = generateApiKey();
    const parsed = parseApiKey(k.key);
    expect(parsed).toEqual({ id: k.id, secret: k.secret });
    expect(secretMatches(k.secret, hashSecret(k.secret))).toBe(true);
    expect(secretMatches(k.secret + 'x', hashSecret(k.secret))).toBe(false);
    expect(secretMatches(k.secret, 'short')).toBe(false);
  });

  it('rejects malformed keys', () => {
    for (const bad of [
      '',
      'atk_',
      'atk_zz_yy',
      'Bearer x',
      `atk_${'a'.repeat(16)}_${'b'.repeat(10)}`,
    ]) {
      expect(parseApiKey(bad)).toBeNull();
    }
  });

  it('gives a configured bootstrap secret a stable id', () => {
    const a = keyFromConfiguredSecret('a-very-long-bootstrap-secret-value');
    const b = keyFromConfiguredSecret('a-very-long-bootstrap-secret-value');
    expect(a.id).toBe(b.id);
    expect(a.id).toMatch(/^[0-9a-f]{16}$/);
  });
});
