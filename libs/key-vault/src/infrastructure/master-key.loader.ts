import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { MasterKeyError } from '../domain/key-vault.errors';
import { KEY_BYTES, MasterKey, masterKeyFromBytes, newKeyBytes } from '../domain/keys';

export interface MasterKeySource {
  /** Key file: read, or created (mode 0600) when missing. */
  readonly file?: string;
  /** Base64 of 32 bytes (e.g. from an env secret); wins over `file`. */
  readonly base64?: string;
}

function decode(text: string, where: string): Buffer {
  const trimmed = text.trim();
  const bytes = /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)
    ? Buffer.from(trimmed, 'base64')
    : Buffer.alloc(0);
  if (bytes.length !== KEY_BYTES) {
    throw new MasterKeyError(
      `${where} must be base64 of ${KEY_BYTES} bytes (got ${bytes.length} bytes)`,
    );
  }
  return bytes;
}

function readKeyFile(file: string): MasterKey {
  const fd = openSync(file, 'r');
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new MasterKeyError(`master key file ${file} is not a regular file`);
    if ((st.mode & 0o077) !== 0) {
      throw new MasterKeyError(
        `master key file ${file} is readable or writable by group or others (mode ${(st.mode & 0o777).toString(8)}); run: chmod 600 ${file}`,
      );
    }
    const content = readFileSync(fd);
    const bytes =
      content.length === KEY_BYTES
        ? content
        : decode(content.toString('utf8'), `master key file ${file}`);
    try {
      return masterKeyFromBytes(bytes);
    } finally {
      bytes.fill(0);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Loads the master key: `base64` wins; else `file` is read (refused when group/world
 * accessible), or created with mode 0600 holding a fresh random key in base64.
 * @throws MasterKeyError naming the file or the bad value.
 */
export function loadOrCreateMasterKey(source: MasterKeySource): MasterKey {
  if (source.base64 !== undefined && source.base64 !== '') {
    const bytes = decode(source.base64, 'master key (base64 setting)');
    try {
      return masterKeyFromBytes(bytes);
    } finally {
      bytes.fill(0);
    }
  }
  const file = source.file;
  if (file === undefined || file === '')
    throw new MasterKeyError('no master key: give a key file or a base64 value');
  try {
    return readKeyFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (e instanceof MasterKeyError) throw e;
      throw new MasterKeyError(`cannot read master key file ${file}: ${(e as Error).message}`, e);
    }
  }
  const bytes = newKeyBytes();
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // 'wx': never overwrite a key another process created a moment ago.
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, `${bytes.toString('base64')}\n`);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return readKeyFile(file);
    throw new MasterKeyError(`cannot create master key file ${file}: ${(e as Error).message}`, e);
  } finally {
    bytes.fill(0);
  }
  return readKeyFile(file);
}
