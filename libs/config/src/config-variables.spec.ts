import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_VARIABLES, ConfigError, closestVariable, loadConfig } from './app-config';

const README = readFileSync(join(__dirname, '../../../README.md'), 'utf8');

/** The variables named in the README's Configuration table (first column). */
function readmeTable(): string[] {
  const section = README.split(/^## Configuration$/m)[1].split(/^## /m)[0];
  return section
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .flatMap((l) => [...l.split('|')[1].matchAll(/`(AUTHTRAIL_[A-Z0-9_]+)`/g)].map((m) => m[1]));
}

describe('unknown AUTHTRAIL_* variables', () => {
  it.each([
    ['AUTHTRAIL_PROT', 'AUTHTRAIL_PORT'],
    ['AUTHTRAIL_DATADIR', 'AUTHTRAIL_DATA_DIR'],
    ['AUTHTRAIL_KAFKA_BROKER', 'AUTHTRAIL_KAFKA_BROKERS'],
    ['AUTHTRAIL_LOGLEVEL', 'AUTHTRAIL_LOG_LEVEL'],
    ['AUTHTRAIL_OIDC_AUDIANCE', 'AUTHTRAIL_OIDC_AUDIENCE'],
  ])('stop the start: %s names %s', (typo, meant) => {
    let error: unknown;
    try {
      loadConfig({ [typo]: '9090' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(typo);
    expect((error as Error).message).toContain(`did you mean ${meant}?`);
  });

  it("let through what only the test tooling reads, and other programs' variables", () => {
    expect(() =>
      loadConfig({
        AUTHTRAIL_TEST_EVENT_STORE: 'esdb-double',
        AUTHTRAIL_TEST_PG_URL: 'postgres://x',
        AUTHTRAIL_WRITE_DOCS: '1',
        AUTHTRAIL_FUZZ_REQUESTS: '10',
        AUTHTRAILER: 'x',
        PORT: '1',
      }),
    ).not.toThrow();
  });

  it('suggests by edit distance, transpositions counted once', () => {
    expect(closestVariable('AUTHTRAIL_PROT')).toBe('AUTHTRAIL_PORT');
    expect(closestVariable('AUTHTRAIL_SEAL_INTERVAL')).toBe('AUTHTRAIL_SEAL_INTERVAL_MS');
  });
});

describe('the README configuration table', () => {
  it('lists every variable the configuration reads, and nothing else', () => {
    const table = readmeTable();
    expect([...table].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  it('is complete: reading a variable not in CONFIG_VARIABLES fails loudly', () => {
    // Every read goes through the list, so the list (and with the test above, the README)
    // cannot miss one: an env that sets every listed variable is read without complaint.
    const every = Object.fromEntries(CONFIG_VARIABLES.map((v) => [v, '']));
    expect(() => loadConfig(every)).not.toThrow();
  });
});

describe('OIDC settings', () => {
  it('are refused without an issuer, where they would do nothing', () => {
    expect(() => loadConfig({ AUTHTRAIL_OIDC_AUDIENCE: 'api' })).toThrow(
      /AUTHTRAIL_OIDC_AUDIENCE: has no effect without AUTHTRAIL_OIDC_ISSUER/,
    );
    expect(
      loadConfig({
        AUTHTRAIL_OIDC_ISSUER: 'https://login.example',
        AUTHTRAIL_OIDC_AUDIENCE: 'api',
      }).oidc,
    ).toMatchObject({ issuer: 'https://login.example', audience: 'api' });
  });
});
