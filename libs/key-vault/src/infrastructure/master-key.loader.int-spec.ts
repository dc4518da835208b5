import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { MasterKeyError } from '../domain/key-vault.errors';
import { masterKeyFromBytes } from '../domain/keys';
import { loadOrCreateMasterKey } from './master-key.loader';

describe('loadOrCreateMasterKey', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'authtrail-mk-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a 0600 key file on first start and reads the same key afterwards', () => {
    const file = join(dir, 'data', 'master.key');
    const created = loadOrCreateMasterKey({ file });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32);
    const again = loadOrCreateMasterKey({ file });
    expect(again.id).toBe(created.id);
    expect(again.key.export().equals(created.key.export())).toBe(true);
  });

  it('prefers the base64 value over the file', () => {
    const bytes = randomBytes(32);
    const file = join(dir, 'master.key');
    loadOrCreateMasterKey({ file });
    expect(loadOrCreateMasterKey({ file, base64: bytes.toString('base64') }).id).toBe(
      masterKeyFromBytes(bytes).id,
    );
  });

  it('refuses a key file readable by group or others, naming it', () => {
    const file = join(dir, 'master.key');
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
    chmodSync(file, 0o644);
    expect(() => loadOrCreateMasterKey({ file })).toThrow(MasterKeyError);
    expect(() => loadOrCreateMasterKey({ file })).toThrow(new RegExp(`${file}.*chmod 600`));
  });

  it('refuses a value that is not 32 bytes of base64', () => {
    expect(() => loadOrCreateMasterKey({ base64: randomBytes(16).toString('base64') })).toThrow(
      /32 bytes/,
    );
    expect(() => loadOrCreateMasterKey({ base64: 'not base64 !' })).toThrow(MasterKeyError);
    const file = join(dir, 'master.key');
    writeFileSync(file, 'short', { mode: 0o600 });
    expect(() => loadOrCreateMasterKey({ file })).toThrow(new RegExp(file));
    expect(() => loadOrCreateMasterKey({})).toThrow(MasterKeyError);
  });
});
